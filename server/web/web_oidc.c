/*
 * web_oidc.c — login through the team's OpenID provider, for browsers:
 * GET /login/oidc/start sends the browser to the provider, GET
 * /login/oidc/callback takes it back and logs it in (oidc.h does the work).
 *
 * The login's secrets ride in COOKIE_OIDC (HttpOnly, SameSite=Lax so that the
 * provider's redirect back brings it, 10 minutes), cleared by the callback
 * whatever happens. A refused login is a plain page saying why, with "try
 * again" and, when password login is on, the password form's link; the log
 * gets one line with the reason alone (oidc_finish's: no token, code, state
 * or address). Without --oidc-issuer both routes are "Page not found".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "config.h"
#include "cookie.h"
#include "http_error.h"
#include "http_request.h"
#include "log.h"
#include "oidc.h"
#include "web.h"

/* A refused or failed login: STATUS, a title and what to do. */
static void oidc_refused(struct http_request *req, unsigned status, const char *title,
                         const char *message)
{
    const struct config *cfg = http_request_app(req)->cfg;
    struct tmpl_value *d = web_page_new(NULL, title);

    tmpl_put_str(d, "message", message);
    tmpl_put_str(d, "oidc_name", cfg->oidc_name);
    tmpl_put_bool(d, "password_login", cfg->password_login);
    web_render(req, status, "login_refused", d);
}

void web_oidc_start(struct http_request *req)
{
    struct app *app = http_request_app(req);
    char *url = NULL, cookie[OIDC_COOKIE_LEN + 1], reason[OIDC_REASON_MAX];
    enum cv_err r;

    if (app->oidc == NULL) {
        web_error(req, NULL, 404, "Page not found", "There is no page at this address.");
        return;
    }
    if ((url = malloc(OIDC_URL_MAX)) == NULL) {
        web_error(req, NULL, 500, "Server error", "Something went wrong; try again.");
        return;
    }
    r = oidc_begin(app->oidc, web_login_next(http_request_arg(req, "next")), url, cookie, reason,
                   sizeof reason);
    if (r == CV_OK) {
        cookie_set_lax(req, COOKIE_OIDC, cookie, OIDC_LOGIN_TTL);
        http_add_header(req, "Location", url);
        http_respond_bytes(req, 302, "text/html; charset=utf-8", "", 0);
    } else if (r == CV_PROVIDER_DOWN) {
        log_warn("oidc: login not started: %s", reason);
        oidc_refused(req, 502, "The identity provider cannot be reached",
                     "The identity provider cannot be reached right now; try again in a few "
                     "minutes.");
    } else {
        log_error("oidc: login not started: %s", reason);
        web_error(req, NULL, 500, "Server error", "Something went wrong; try again.");
    }
    sodium_memzero(cookie, sizeof cookie);
    free(url);
}

/* The page of a refusal R: its title and what to say (WHY, from the rule
 * that refused, when it says more). */
static void oidc_refusal_page(struct http_request *req, enum cv_err r, const char *why)
{
    static const struct { enum cv_err r; const char *title, *message; } pages[] = {
        {CV_BAD_STATE, "This login has expired", "This login was used already, took more than "
         "10 minutes, or was started in another browser. Start again."},
        {CV_LOGIN_DECLINED, "Login declined", "You declined to log in at the identity "
         "provider; nothing was changed."},
        {CV_PROVIDER_DOWN, "The identity provider cannot be reached", "The identity provider "
         "cannot be reached right now; try again in a few minutes."},
        {CV_PROVIDER_ERROR, "The identity provider refused the login", "The identity provider "
         "did not complete the login. Try again; if it goes on, tell an admin."},
        {CV_BAD_ID_TOKEN, "The login could not be verified", "The identity provider's answer "
         "failed Conclave's checks, so you are not logged in. Tell an admin if it goes on."},
        {CV_NOT_IN_GROUP, "Not admitted", "Your account at the identity provider is not in "
         "the group this server admits."},
        {CV_NOT_MEMBER, "Not a member", "No member of this server matches your account at "
         "the identity provider: ask an admin to add you with your email address."},
        {CV_DEACTIVATED, "Membership deactivated", "Your membership of this server is "
         "deactivated; ask an admin."},
        {CV_CONFLICT, "Cannot log you in", "Your account conflicts with another member's."},
    };
    size_t i;

    for (i = 0; i < sizeof pages / sizeof pages[0]; i++)
        if (pages[i].r == r) {
            oidc_refused(req, http_error_status(r), pages[i].title,
                         why != NULL && r == CV_CONFLICT ? why : pages[i].message);
            return;
        }
    web_error(req, NULL, 500, "Server error", "Something went wrong; try again.");
}

void web_oidc_callback(struct http_request *req)
{
    struct app *app = http_request_app(req);
    struct oidc_callback cb;
    struct auth_session s;
    char next[STORE_OIDC_NEXT_MAX + 1], reason[OIDC_REASON_MAX];
    const char *why = NULL;
    enum cv_err r;

    if (app->oidc == NULL) {
        web_error(req, NULL, 404, "Page not found", "There is no page at this address.");
        return;
    }
    cb.cookie = cookie_get(req, COOKIE_OIDC);
    cb.state = http_request_arg(req, "state");
    cb.code = http_request_arg(req, "code");
    cb.error = http_request_arg(req, "error");
    cb.iss = http_request_arg(req, "iss");
    memset(&s, 0, sizeof s);
    r = oidc_finish(app->oidc, &cb, &s, next, reason, sizeof reason, &why);
    /* a wrong state leaves the login under way alone (else any link to the
     * callback would end it); every other outcome used it up */
    if (r != CV_BAD_STATE)
        cookie_set_lax(req, COOKIE_OIDC, "", 0);
    if (r == CV_OK) {
        web_login_session(req, &s, next, 1);
    } else {
        if (r == CV_ERROR)
            log_error("oidc: login failed: %s", reason[0] != '\0' ? reason : "server error");
        else
            log_info("oidc: login refused: %s", reason);
        oidc_refusal_page(req, r, why);
    }
    sodium_memzero(&s, sizeof s);
}
