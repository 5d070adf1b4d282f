/*
 * web_mail.c — /admin/mail, for admins: whether mail is on, the outbox (what
 * waits, what failed and why, what was sent), newest first; and POST
 * /account/notices, where a member turns the poll notices off or on.
 *
 * The page never shows a mail's text (an invitation's holds a set-password
 * link): only its kind, recipient, subject, times, attempts and the last
 * error the SMTP server or libcurl gave. Without --smtp-url it says how to
 * turn mail on. Admins also write there the "next steps" mailed after a
 * nomination passes (POST /admin/mail; audited).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "http_request.h"
#include "store_outbox.h"
#include "web.h"
#include "web_form.h"

#define MAIL_PAGE 100

struct outbox_ctx {
    struct tmpl_value *list;
};

static int outbox_one(void *arg, const struct store_mail *m)
{
    struct outbox_ctx *ctx = arg;
    struct tmpl_value *o = tmpl_list_add(ctx->list);

    tmpl_put_int(o, "id", m->id);
    tmpl_put_str(o, "kind", m->kind);
    tmpl_put_str(o, "recipient", m->recipient);
    tmpl_put_str(o, "subject", m->subject);
    web_put_time(o, "queued", m->created_at);
    tmpl_put_int(o, "attempts", m->attempts);
    tmpl_put_str(o, "error", m->last_error);
    if (m->sent_at != 0) {
        tmpl_put_str(o, "state", "sent");
        web_put_time(o, "at", m->sent_at);
    } else if (m->failed_at != 0) {
        tmpl_put_str(o, "state", "given up");
        web_put_time(o, "at", m->failed_at);
    } else {
        tmpl_put_str(o, "state", m->attempts > 0 ? "retrying" : "waiting");
        web_put_time(o, "at", m->next_at);
        tmpl_put_bool(o, "pending", 1);
    }
    return 0;
}

void web_mail_page(struct http_request *req)
{
    struct app *app = http_request_app(req);
    struct outbox_ctx ctx;
    struct web_viewer v;
    struct tmpl_value *d;
    int64_t pending = 0, failing = 0, given_up = 0;

    if (web_viewer_get(req, &v) != 0)
        return;
    if (!v.user.admin) {
        web_error(req, &v, 403, "Admins only", "Only an admin can read the outbox.");
        return;
    }
    d = web_page_new(&v, "Mail");
    tmpl_put_bool(d, "mail_on", app->cfg->smtp_url[0] != '\0');
    tmpl_put_str(d, "smtp_url", app->cfg->smtp_url);
    tmpl_put_str(d, "mail_from", app->cfg->mail_from);
    tmpl_put_str(d, "public_url", app->cfg->public_url);
    ctx.list = tmpl_put_list(d, "mails");
    if (store_outbox_counts(app->store, &pending, &failing, &given_up) != CV_OK ||
        store_outbox_list(app->store, MAIL_PAGE, outbox_one, &ctx) != CV_OK) {
        tmpl_value_free(d);
        web_error(req, &v, 500, "Server error", "The outbox could not be read.");
        return;
    }
    {
        struct web_flash f;
        char *next = malloc(STORE_NEXT_STEPS_MAX + 1);

        if (web_flash_take(req, web_flash_session(req), &f))
            web_flash_show(d, &f);
        if (next != NULL && store_next_steps_get(app->store, next, STORE_NEXT_STEPS_MAX + 1)
            == CV_OK)
            tmpl_put_str(d, "next_steps", next);
        free(next);
    }
    tmpl_put_int(d, "pending", pending);
    tmpl_put_int(d, "failing", failing);
    tmpl_put_int(d, "given_up", given_up);
    web_render(req, 200, "admin_mail", d);
}

/* Saves TEXT as the next steps, by admin BY, with its audit entry, in one
 * transaction. 0 / -1. */
static int mail_next_save(struct store *st, const char *text, const char *by, int64_t now)
{
    if (store_begin(st) != 0)
        return -1;
    if (store_next_steps_set(st, text, by, now) != CV_OK ||
        store_audit_add(st, now, by, "next steps set", NULL,
                        text[0] ? "mailed after a pass" : "cleared") != CV_OK) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st) == 0 ? 0 : -1;
}

void web_mail_submit(struct http_request *req)
{
    struct app *app = http_request_app(req);
    struct web_viewer v;
    struct web_form form;
    struct web_flash f;
    const char *text;
    int64_t now = auth_time(app->auth);

    if (web_form_begin(req, &v, &form) != 0)
        return;
    memset(&f, 0, sizeof f);
    text = web_form_get(&form, "next_steps");
    if (!v.user.admin) {
        web_error(req, &v, 403, "Admins only", "Only an admin can set the next steps.");
    } else if (text == NULL || strlen(text) > STORE_NEXT_STEPS_MAX) {
        web_error(req, &v, 400, "Bad form", "The next steps are at most 8,000 bytes.");
    } else if (mail_next_save(app->store, text, v.user.username, now) != 0) {
        web_error(req, &v, 500, "Server error", "The next steps could not be saved.");
    } else {
        snprintf(f.notice, sizeof f.notice, "%s", text[0]
                 ? "Saved: the next steps are mailed to the nominator and the admins when a "
                   "nomination passes."
                 : "Cleared: no next-steps mail is sent.");
        (void)web_flash_put(req, web_flash_session(req), &f);
        web_redirect(req, "/admin/mail");
    }
    web_form_clear(&form);
}

void web_notices_submit(struct http_request *req)
{
    struct auth *auth = http_request_app(req)->auth;
    struct web_viewer v;
    struct web_form form;
    struct web_flash f;
    const char *on;

    if (web_form_begin(req, &v, &form) != 0)
        return;
    memset(&f, 0, sizeof f);
    on = web_form_get(&form, "notices");
    if (on == NULL || (strcmp(on, "on") != 0 && strcmp(on, "off") != 0)) {
        web_error(req, &v, 400, "Bad form", "Say \"on\" or \"off\".");
    } else if (auth_notices_set(auth, v.user.id, on[1] == 'n') != CV_OK) {
        web_error(req, &v, 500, "Server error", "Your choice could not be saved; try again.");
    } else {
        snprintf(f.notice, sizeof f.notice, "%s", on[1] == 'n'
                 ? "You will get the poll notices by mail again."
                 : "You will no longer get poll notices by mail (invitations and password "
                   "resets still come).");
        (void)web_flash_put(req, web_flash_session(req), &f);
        web_redirect(req, "/account");
    }
    web_form_clear(&form);
}

void web_put_notices(struct http_request *req, struct tmpl_value *d, int64_t member_id)
{
    struct auth *auth = http_request_app(req)->auth;
    int on = 1;

    tmpl_put_bool(d, "mail_on", auth_mail_on(auth));
    if (auth_notices_get(auth, member_id, &on) != CV_OK)
        on = 1;
    tmpl_put_bool(d, "notices_on", on);
}
