/*
 * web_tokens.c — /account/tokens: a member's own API tokens, for
 * `conclave vote` and scripts. Create one (with a label; the token is shown
 * once, after the redirect), see them (label, when made, revoked or not),
 * revoke one.
 *
 * When a token was last used is not kept: the store must not say when a
 * member cast (README, Security notes), and a token is used to cast. Only
 * the token's SHA-256 is stored; the clear token travels from the POST to
 * the GET that shows it in a web_flash and is then gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "config.h"
#include "http_request.h"
#include "store.h"
#include "web.h"
#include "web_form.h"

struct tokens_ctx {
    struct tmpl_value *live, *revoked;
    int n_revoked;
};

static int tokens_one(void *arg, const struct store_token *t)
{
    struct tokens_ctx *ctx = arg;
    struct tmpl_value *o = tmpl_list_add(t->revoked_at ? ctx->revoked : ctx->live);

    tmpl_put_strf(o, "id", "%lld", (long long)t->id);
    tmpl_put_str(o, "label", t->label[0] ? t->label : "(no label)");
    web_put_time(o, "created", t->created_at);
    if (t->revoked_at) {
        web_put_time(o, "revoked", t->revoked_at);
        ctx->n_revoked++;
    }
    return 0;
}

void web_tokens_page(struct http_request *req)
{
    const char *host = http_request_header(req, "Host");
    struct tokens_ctx ctx;
    struct web_viewer v;
    struct web_flash f;
    struct tmpl_value *d, *c;

    if (web_viewer_get(req, &v) != 0)
        return;
    d = web_page_new(&v, "API tokens");
    tmpl_put_str(d, "f_label", "");
    if (web_flash_take(req, web_flash_session(req), &f)) {
        web_flash_show(d, &f);
        tmpl_put_str(d, "f_label", f.field[0]);
        if (f.secret[0] != '\0') {
            c = tmpl_put_obj(d, "created");
            tmpl_put_str(c, "token", f.secret);
            tmpl_put_str(c, "label", f.secret_for);
        }
    }
    sodium_memzero(&f, sizeof f);
    tmpl_put_strf(d, "server", "%s://%s",
                  http_request_app(req)->cfg->secure_cookies ? "https" : "http",
                  host != NULL && strlen(host) < 200 &&
                  strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789.-:[]") == strlen(host) ? host : "SERVER");
    ctx.live = tmpl_put_list(d, "tokens");
    ctx.revoked = tmpl_put_list(d, "revoked");
    ctx.n_revoked = 0;
    if (store_token_list(http_request_app(req)->store, v.user.id, tokens_one, &ctx) != 0) {
        tmpl_value_free(d);
        web_error(req, &v, 500, "Server error", "Your tokens could not be read.");
        return;
    }
    tmpl_put_bool(d, "has_revoked", ctx.n_revoked > 0);
    web_render(req, 200, "account_tokens", d);
}

/* Creates or revokes a token from FORM; fills F with what to say. */
static enum cv_err tokens_act(struct http_request *req, const struct web_viewer *v,
                              const struct web_form *form, struct web_flash *f)
{
    struct auth *auth = http_request_app(req)->auth;
    const char *action = web_form_get(form, "action"), *why = "";
    const char *label = web_form_get(form, "label"), *id = web_form_get(form, "id");
    char token[AUTH_TOKEN_LEN + 1], *end = NULL;
    long long n = 0;
    enum cv_err r = CV_INVALID;

    if (action != NULL && strcmp(action, "create") == 0) {
        if ((r = auth_token_create_own(auth, &v->user, label, token, &why)) == CV_OK) {
            snprintf(f->secret, sizeof f->secret, "%s", token);
            snprintf(f->secret_for, sizeof f->secret_for, "%s", label ? label : "");
        } else {
            snprintf(f->error, sizeof f->error, "No token was made: %s.", why);
            snprintf(f->field[0], sizeof f->field[0], "%s", label ? label : "");
        }
        sodium_memzero(token, sizeof token);
    } else if (action != NULL && strcmp(action, "revoke") == 0) {
        if (id != NULL && (n = strtoll(id, &end, 10)) > 0 && *end == '\0')
            r = auth_token_revoke_own(auth, &v->user, (int64_t)n, &why);
        else
            why = "no such token of yours";
        if (r == CV_OK)
            snprintf(f->notice, sizeof f->notice, "The token is revoked: it no longer works.");
        else
            snprintf(f->error, sizeof f->error, "Could not revoke the token: %s.", why);
    } else {
        snprintf(f->error, sizeof f->error, "Unknown action.");
    }
    return r;
}

void web_tokens_submit(struct http_request *req)
{
    struct web_viewer v;
    struct web_form form;
    struct web_flash f;
    int secret;

    if (web_form_begin(req, &v, &form) != 0)
        return;
    memset(&f, 0, sizeof f);
    if (tokens_act(req, &v, &form, &f) == CV_ERROR) {
        web_error(req, &v, 500, "Server error", "Something went wrong; try again.");
    } else {
        secret = f.secret[0] != '\0';
        if (web_flash_put(req, web_flash_session(req), &f) != 0 && secret)
            web_error(req, &v, 500, "Server error", "The token was made but cannot be shown: "
                      "revoke it and make another.");
        else
            web_redirect(req, "/account/tokens");
    }
    sodium_memzero(&f, sizeof f);
    web_form_clear(&form);
}
