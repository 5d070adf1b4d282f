/*
 * web_account.c — a member's own account: /account (change one's password,
 * or choose it after logging in with a one-time password) and
 * /set-password (choose a password through a set-password link, without a
 * session: how imported members get in).
 *
 * A member who logged in with a one-time password sees /account and nothing
 * else until they have chosen their own (web_must_change, from
 * web_viewer_get; the API answers them 403 password_change_required).
 * Every form here posts, acts and redirects (POST-redirect-GET), with what
 * the page must say in a web_flash. Passwords live only in the form buffer,
 * wiped afterwards.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "config.h"
#include "cookie.h"
#include "http_request.h"
#include "web.h"
#include "web_form.h"

int web_must_change(struct http_request *req, const struct web_viewer *v)
{
    const char *path = http_request_path(req);

    if (!v->user.must_change || strcmp(path, "/account") == 0 ||
        (strcmp(path, "/logout") == 0 && strcmp(http_request_method(req), "POST") == 0))
        return 0;
    web_redirect(req, "/account");
    return 1;
}

void web_account_page(struct http_request *req)
{
    struct web_viewer v;
    struct web_flash f;
    struct tmpl_value *d;
    int usable;

    if (web_viewer_get(req, &v) != 0)
        return;
    d = web_page_new(&v, v.user.must_change ? "Choose your password" : "Your account");
    if (web_flash_take(req, web_flash_session(req), &f))
        web_flash_show(d, &f);
    sodium_memzero(&f, sizeof f);
    tmpl_put_bool(d, "must_change", v.user.must_change);
    if (auth_password_usable(http_request_app(req)->auth, &v.user, &usable) != CV_OK)
        usable = 1;
    tmpl_put_bool(d, "password_usable", usable);
    if (http_request_app(req)->oidc != NULL)
        tmpl_put_str(d, "oidc_name", http_request_app(req)->cfg->oidc_name);
    tmpl_put_str(d, "username", v.user.username);
    tmpl_put_str(d, "display_name", v.user.display_name);
    web_put_notices(req, d, v.user.id);
    web_render(req, 200, "account", d);
}

/* Changes the viewer's password from FORM; fills F with what to say. */
static enum cv_err account_change(struct http_request *req, const struct web_viewer *v,
                                  const struct web_form *form, struct web_flash *f,
                                  int *retry_after)
{
    const char *current = web_form_get(form, "current_password");
    const char *next = web_form_get(form, "new_password");
    const char *again = web_form_get(form, "new_password_again");
    const char *why = "";
    char client[64];
    enum cv_err r;

    if (next == NULL || again == NULL || strcmp(next, again) != 0) {
        snprintf(f->error, sizeof f->error, "The two new passwords differ: type the same "
                 "one twice.");
        return CV_INVALID;
    }
    if (http_request_client(req, client, sizeof client) != 0)
        client[0] = '\0';
    r = auth_password_change(http_request_app(req)->auth, &v->user, current, next, client,
                             cookie_session(req), retry_after, &why);
    if (r == CV_OK)
        snprintf(f->notice, sizeof f->notice, "%s", v->user.must_change
                 ? "Your password is set: use it from now on."
                 : "Your password is changed; your other sessions have ended.");
    else if (r == CV_INVALID || r == CV_THROTTLED)
        snprintf(f->error, sizeof f->error, "Your password was not changed: %s.", why);
    return r;
}

void web_account_submit(struct http_request *req)
{
    struct web_viewer v;
    struct web_form form;
    struct web_flash f;
    char retry[16];
    int retry_after = 0;

    if (web_form_begin(req, &v, &form) != 0)
        return;
    memset(&f, 0, sizeof f);
    if (account_change(req, &v, &form, &f, &retry_after) == CV_ERROR) {
        web_error(req, &v, 500, "Server error", "Your password could not be changed; try "
                  "again.");
    } else {
        if (retry_after > 0) {
            snprintf(retry, sizeof retry, "%d", retry_after);
            http_add_header(req, "Retry-After", retry);
        }
        (void)web_flash_put(req, web_flash_session(req), &f);
        web_redirect(req, "/account");
    }
    sodium_memzero(&f, sizeof f);
    web_form_clear(&form);
}

/* --- /set-password?link=SECRET ------------------------------------------------ */

/* The flash owner of a set-password page: its link. */
static void setpw_owner(const char *link, char *owner, size_t cap)
{
    snprintf(owner, cap, "link:%s", link);
}

void web_setpw_page(struct http_request *req)
{
    struct auth *auth = http_request_app(req)->auth;
    const char *link = http_request_arg(req, "link");
    char token[AUTH_CSRF_LEN + 1], owner[AUTH_LINK_LEN + 8], name[STORE_DISPLAY_NAME_MAX + 48];
    struct auth_user user;
    struct web_flash f;
    struct tmpl_value *d;
    enum cv_err r = auth_link_check(auth, link, &user);

    if (r != CV_OK) {
        web_error(req, NULL, r == CV_ERROR ? 500 : 410, "Link not valid",
                  r == CV_ERROR ? "Something went wrong; try again."
                  : "This set-password link has expired or was already used. Ask an "
                    "admin for a new one.");
        return;
    }
    d = web_page_new(NULL, "Choose your password");
    web_login_token(req, token);
    web_member_name(name, sizeof name, user.username, user.display_name);
    tmpl_put_str(d, "login_token", token);
    tmpl_put_str(d, "link", link);
    tmpl_put_str(d, "name", name);
    tmpl_put_str(d, "username", user.username);
    setpw_owner(link, owner, sizeof owner);
    if (web_flash_take(req, owner, &f))
        web_flash_show(d, &f);
    sodium_memzero(&f, sizeof f);
    web_render(req, 200, "account_set_password", d);
}

/* Uses the form's link; answers a redirect (logged in, or back with why). */
static void setpw_use(struct http_request *req, const struct web_form *form)
{
    const struct config *cfg = http_request_app(req)->cfg;
    const char *link = web_form_get(form, "link");
    const char *next = web_form_get(form, "new_password");
    const char *again = web_form_get(form, "new_password_again");
    const char *why = "";
    char owner[AUTH_LINK_LEN + 8], loc[AUTH_LINK_LEN + 32];
    struct auth_session s;
    struct web_flash f;
    enum cv_err r = CV_INVALID;

    memset(&f, 0, sizeof f);
    memset(&s, 0, sizeof s);
    if (link == NULL || strlen(link) != AUTH_LINK_LEN ||
        strspn(link, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
        AUTH_LINK_LEN) {
        web_error(req, NULL, 410, "Link not valid", "This set-password link is not valid.");
        return;
    }
    if (next == NULL || again == NULL || strcmp(next, again) != 0)
        why = "the two passwords differ: type the same one twice";
    else
        r = auth_link_use(http_request_app(req)->auth, link, next, &s, &why);
    if (r == CV_OK) {
        cookie_set(req, COOKIE_SESSION, s.id, (long)cfg->session_ttl);
        snprintf(f.notice, sizeof f.notice, "Your password is set and you are logged in.");
        (void)web_flash_put(req, s.id, &f);
        web_redirect(req, "/account");
    } else if (r == CV_ERROR) {
        web_error(req, NULL, 500, "Server error", "Something went wrong; try again.");
    } else {
        snprintf(f.error, sizeof f.error, "Your password was not set: %s.", why);
        setpw_owner(link, owner, sizeof owner);
        (void)web_flash_put(req, owner, &f);
        snprintf(loc, sizeof loc, "/set-password?link=%s", link);
        web_redirect(req, loc);
    }
    sodium_memzero(&s, sizeof s);
}

void web_setpw_submit(struct http_request *req)
{
    struct web_form form;

    if (!http_request_same_site(req)) {
        web_error(req, NULL, 403, "Refused", "This form was posted from another site.");
        return;
    }
    if (web_form_read(req, &form) != 0)
        return;
    if (web_login_token_ok(req, &form) == NULL)
        web_error(req, NULL, 403, "Refused", "The form expired: open your link again.");
    else
        setpw_use(req, &form);
    web_form_clear(&form);
}
