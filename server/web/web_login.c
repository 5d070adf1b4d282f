/*
 * web_login.c — the login form and logging out, for browsers.
 *
 * Login CSRF (a hostile page logging the victim into the attacker's account)
 * cannot be stopped by the session's token, since there is no session yet.
 * The login form therefore uses a double-submit token: GET /login sets a
 * random token in the cookie conclave_login (HttpOnly, SameSite=Strict,
 * Path=/; with --secure-cookies Secure and named __Host-conclave_login, which
 * no sibling host can set) and puts the same value in a hidden field;
 * POST /login accepts the form only if both are present and equal. A cross-site post
 * carries no SameSite=Strict cookie, and another site can neither read the
 * cookie nor guess the token; a post whose Origin names another site is
 * refused as well (which also covers a sibling host that could plant a
 * cookie). The set-password page (web_account.c) uses the same token. The
 * password lives only in the form buffer, wiped afterwards.
 *
 * POST /login always answers with a redirect (POST-redirect-GET): to the
 * page asked for, to /account after a one-time password, or back to /login
 * with the error and the username kept in a web_flash keyed by the form's
 * token, so that a refresh never posts the password again. After an error
 * the form focuses the password field.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "config.h"
#include "cookie.h"
#include "crypto.h"
#include "http_request.h"
#include "ratelimit.h"
#include "web.h"
#include "web_form.h"

/* 1 if NEXT is a local path we may redirect to after login. */
static int next_ok(const char *next)
{
    static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789/_-.";

    return next != NULL && next[0] == '/' && next[1] != '/' && strlen(next) < 96 &&
           strspn(next, safe) == strlen(next);
}

const char *web_login_next(const char *next)
{
    return next_ok(next) ? next : "/";
}

/* The token of the login cookie if well-formed, else NULL. */
static const char *login_cookie(struct http_request *req)
{
    const char *t = cookie_get(req, COOKIE_LOGIN);

    return t != NULL && strlen(t) == AUTH_CSRF_LEN &&
           strspn(t, "0123456789abcdef") == AUTH_CSRF_LEN ? t : NULL;
}

void web_login_token(struct http_request *req, char token[AUTH_CSRF_LEN + 1])
{
    const char *old = login_cookie(req);
    unsigned char rnd[AUTH_CSRF_LEN / 2];

    if (old != NULL) {
        memcpy(token, old, AUTH_CSRF_LEN + 1);
        return;
    }
    randombytes_buf(rnd, sizeof rnd);
    crypto_hex_encode(token, rnd, sizeof rnd);
    cookie_set(req, COOKIE_LOGIN, token, 3600);
}

const char *web_login_token_ok(struct http_request *req, const struct web_form *form)
{
    const char *cookie = login_cookie(req);

    return auth_csrf_equal(cookie, web_form_get(form, "login_token")) ? cookie : NULL;
}

/* The flash owner of the login form whose token is TOKEN. */
static void login_owner(const char *token, char *owner, size_t cap)
{
    snprintf(owner, cap, "login:%s", token != NULL ? token : "");
}

/* Renders the login form with STATUS, an error (may be NULL) and values. */
static void login_form(struct http_request *req, unsigned status, const char *error,
                       const char *username, const char *next)
{
    struct tmpl_value *d = web_page_new(NULL, "Log in");
    char token[AUTH_CSRF_LEN + 1];

    web_login_token(req, token);
    tmpl_put_str(d, "login_token", token);
    tmpl_put_str(d, "username", username ? username : "");
    tmpl_put_str(d, "next", next_ok(next) ? next : "/");
    if (error != NULL && error[0] != '\0')
        tmpl_put_str(d, "error", error);
    tmpl_put_bool(d, "mail_on", auth_mail_on(http_request_app(req)->auth));
    web_login_put_oidc(req, d, next_ok(next) ? next : "/");
    web_render(req, status, "login", d);
}

void web_login_page(struct http_request *req)
{
    struct auth *auth = http_request_app(req)->auth;
    const char *cookie = cookie_session(req);
    const char *next = http_request_arg(req, "next");
    struct auth_user user;
    struct web_flash f;
    char owner[AUTH_CSRF_LEN + 8];

    if (cookie != NULL && auth_session_lookup(auth, cookie, &user, NULL) == CV_OK) {
        web_redirect(req, user.must_change ? "/account" : next_ok(next) ? next : "/");
        return;
    }
    login_owner(login_cookie(req), owner, sizeof owner);
    if (login_cookie(req) != NULL && web_flash_take(req, owner, &f)) {
        login_form(req, 200, f.error, f.field[0], f.field[1]);
        sodium_memzero(&f, sizeof f);
        return;
    }
    login_form(req, 200, NULL, NULL, next);
}

/* Answers the redirect back to the form, with ERROR for it. */
static void login_again(struct http_request *req, const char *token, const char *error,
                        const char *user, const char *next, int retry_after)
{
    struct web_flash f;
    char owner[AUTH_CSRF_LEN + 8], loc[128], retry[16];

    memset(&f, 0, sizeof f);
    snprintf(f.error, sizeof f.error, "%s", error);
    snprintf(f.field[0], sizeof f.field[0], "%s", user != NULL ? user : "");
    snprintf(f.field[1], sizeof f.field[1], "%s", next_ok(next) ? next : "/");
    login_owner(token, owner, sizeof owner);
    if (web_flash_put(req, owner, &f) != 0) {
        login_form(req, 400, error, user, next);    /* no flash store: answer at once */
        return;
    }
    if (retry_after > 0) {
        snprintf(retry, sizeof retry, "%d", retry_after);
        http_add_header(req, "Retry-After", retry);
    }
    /* with password login off the form is an admin's: back to it, not to the button */
    snprintf(loc, sizeof loc, "/login%s%s%s",
             http_request_app(req)->cfg->password_login ? "" : "?admin=1",
             !next_ok(next) ? "" : http_request_app(req)->cfg->password_login ? "?next="
                                                                               : "&next=",
             next_ok(next) ? next : "");
    web_redirect(req, loc);
}

void web_login_put_oidc(struct http_request *req, struct tmpl_value *d, const char *next)
{
    const struct config *cfg = http_request_app(req)->cfg;
    const char *admin = http_request_arg(req, "admin");
    int oidc = http_request_app(req)->oidc != NULL;
    char start[160];

    /* with --password-login off the form is for admins: behind a link */
    tmpl_put_bool(d, "password_form", cfg->password_login ||
                  (admin != NULL && strcmp(admin, "1") == 0));
    tmpl_put_bool(d, "password_login", cfg->password_login);
    tmpl_put_bool(d, "oidc", oidc);
    if (!oidc)
        return;
    tmpl_put_str(d, "oidc_name", cfg->oidc_name);
    snprintf(start, sizeof start, "/login/oidc/start%s%s", strcmp(next, "/") != 0 ? "?next=" : "",
             strcmp(next, "/") != 0 ? next : "");
    tmpl_put_str(d, "oidc_start", start);
}

void web_login_session(struct http_request *req, struct auth_session *s, const char *next,
                       int cross_site)
{
    struct auth *auth = http_request_app(req)->auth;
    const struct config *cfg = http_request_app(req)->cfg;
    const char *old = cookie_session(req);
    struct tmpl_value *d;

    /* rotation: a session id the browser already had ends here */
    if (old != NULL && auth_session_delete(auth, old) != CV_OK) {
        auth_session_delete(auth, s->id);
        web_error(req, NULL, 500, "Server error", "Something went wrong; try again.");
        return;
    }
    cookie_set(req, COOKIE_SESSION, s->id, (long)cfg->session_ttl);
    cookie_set(req, COOKIE_LOGIN, "", 0);
    next = s->user.must_change ? "/account" : next_ok(next) ? next : "/";
    if (!cross_site) {
        web_redirect(req, next);
        return;
    }
    /* The request came from the provider's site: a browser leaves the
     * SameSite=Strict session cookie out of every request of that
     * navigation, redirects included, so the page itself moves on. */
    d = web_page_new(NULL, "Logged in");
    tmpl_put_str(d, "refresh", next);
    tmpl_put_str(d, "next", next);
    web_render(req, 200, "login_continue", d);
}

/* Logs in with the form's credentials; answers a redirect. */
static void login_check(struct http_request *req, const struct web_form *form,
                        const char *token)
{
    struct auth *auth = http_request_app(req)->auth;
    const char *user = web_form_get(form, "username");
    const char *pass = web_form_get(form, "password");
    const char *next = web_form_get(form, "next");
    struct auth_session s;
    char msg[160], peer[64];
    int retry_after = 0;
    unsigned wait;

    if (user == NULL || pass == NULL || user[0] == '\0' || pass[0] == '\0') {
        login_again(req, token, "Enter your username and password.", user, next, 0);
        return;
    }
    /* the same per-address limit as POST /api/v1/session */
    if (http_request_client(req, peer, sizeof peer) != 0)
        peer[0] = '\0';
    if ((wait = ratelimit_take(http_request_app(req)->login_limit, peer,
                               ratelimit_now_ms())) != 0) {
        login_again(req, token, "Too many login attempts from this address; try again in a "
                    "minute.", user, next, (int)wait);
        return;
    }
    memset(&s, 0, sizeof s);
    switch (auth_login(auth, user, pass, peer, &s, &retry_after)) {
    case CV_OK:
        web_login_session(req, &s, next, 0);
        break;
    case CV_THROTTLED:
        snprintf(msg, sizeof msg, "Too many failed logins for this account from your "
                 "address; try again in %d minute%s.", (retry_after + 59) / 60,
                 retry_after > 60 ? "s" : "");
        login_again(req, token, msg, user, next, retry_after);
        break;
    case CV_EXPIRED:
        login_again(req, token, "This one-time password has expired (they last 72 hours): "
                    "ask an admin for a new one.", user, next, 0);
        break;
    case CV_BAD_CREDENTIALS:
        login_again(req, token, "Wrong username or password.", user, next, 0);
        break;
    case CV_FORBIDDEN:
        login_again(req, token, "Password login is off on this server except for admins: use "
                    "the button above.", user, next, 0);
        break;
    default:
        web_error(req, NULL, 500, "Server error", "Something went wrong; try again.");
        break;
    }
    sodium_memzero(&s, sizeof s);
}

void web_login_submit(struct http_request *req)
{
    struct web_form form;
    const char *token;

    if (!http_request_same_site(req)) {
        web_error(req, NULL, 403, "Refused", "This form was posted from another site.");
        return;
    }
    if (web_form_read(req, &form) != 0)
        return;
    if ((token = web_login_token_ok(req, &form)) == NULL) {
        login_form(req, 403, "The login form expired; please try again.",
                   web_form_get(&form, "username"), web_form_get(&form, "next"));
        web_form_clear(&form);
        return;
    }
    login_check(req, &form, token);
    web_form_clear(&form);
}

void web_logout(struct http_request *req)
{
    struct auth *auth = http_request_app(req)->auth;
    struct web_viewer v;
    struct web_form form;

    if (web_form_begin(req, &v, &form) != 0)
        return;
    web_form_clear(&form);
    if (auth_session_delete(auth, cookie_session(req)) != CV_OK) {
        web_error(req, &v, 500, "Server error", "Something went wrong; try again.");
        return;
    }
    cookie_set(req, COOKIE_SESSION, "", 0);
    web_redirect(req, "/login");
}
