/*
 * api_session.c — logging in and out, who am I, and the health check.
 *
 * The session cookie is HttpOnly, SameSite=Strict and Path=/; with
 * --secure-cookies it is also Secure and named __Host-conclave_session
 * (cookie.h); it carries the session id, of which the store keeps only
 * a hash. The CSRF token comes back in the login answer and must be echoed in
 * X-CSRF-Token on every cookie-authenticated POST/PUT/DELETE.
 *
 * The login itself has no session to carry a token, and a hostile page can
 * post a JSON body as a text/plain form (name '{"username":"x","password":"p'
 * and value '"}'); its response would log the victim's browser into the
 * attacker's account (login CSRF, which /login's double-submit token stops).
 * So a login that the browser marks as cross-site is refused here as on the
 * forms (http_request_same_site: Sec-Fetch-Site, or else Origin); other clients send
 * neither header.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "api.h"
#include "app.h"
#include "config.h"
#include "cookie.h"
#include "http_error.h"
#include "http_request.h"

void api_healthz(struct http_request *req)
{
    http_respond_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

static void login_answer(struct http_request *req, struct auth_session *s)
{
    const struct config *cfg = http_request_app(req)->cfg;
    const char *old = cookie_session(req);
    json_t *body = json_pack("{s:o, s:s}", "user", api_user_json(&s->user),
                             "csrf_token", s->csrf_token);

    /* Rotation: the login made a new session id; one the client already had
     * (perhaps planted, perhaps another member's) ends here. */
    if (old != NULL && auth_session_delete(http_request_app(req)->auth, old) != CV_OK) {
        json_decref(body);
        http_error_respond(req, CV_ERROR, NULL);
        return;
    }
    cookie_set(req, COOKIE_SESSION, s->id, (long)cfg->session_ttl);
    http_respond_json(req, 200, body);
}

/* 1 if the body is declared JSON. An HTML form cannot declare it (it sends
 * text/plain, urlencoded or multipart), and a script on another site that
 * sets it needs a CORS preflight, which gets no CORS answer here: so no
 * other site can log a browser in, even one that sends neither
 * Sec-Fetch-Site nor an Origin. */
static int session_body_is_json(const struct http_request *req)
{
    static const char want[] = "application/json";
    const char *ct = http_request_header(req, "Content-Type");
    size_t n = sizeof want - 1;

    return ct != NULL && strncasecmp(ct, want, n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Answers a login that auth_login ended with R (S: the session on CV_OK). */
static void session_answer(struct http_request *req, enum cv_err r,
                           struct auth_session *s, int retry_after)
{
    char retry[16];

    if (r == CV_OK && !s->user.must_change) {
        login_answer(req, s);
        return;
    }
    if (r == CV_OK) {
        /* a one-time password is for choosing one's own, on the web page */
        (void)auth_session_delete(http_request_app(req)->auth, s->id);
        http_error_respond(req, CV_PASSWORD_CHANGE, "this is a one-time password: log in on "
                           "the web page and choose your own password first");
        return;
    }
    if (r == CV_THROTTLED) {
        snprintf(retry, sizeof retry, "%d", retry_after);
        http_add_header(req, "Retry-After", retry);
    }
    http_error_respond(req, r, NULL);
}

void api_session_create(struct http_request *req)
{
    static const char *const keys[] = {"username", "password", NULL};
    struct auth *auth = http_request_app(req)->auth;
    struct auth_session s;
    json_t *body = NULL;
    const char *user, *pass;
    char peer[64];
    int retry_after = 0;
    enum cv_err r;

    if (!http_request_same_site(req)) {
        http_error_respond(req, CV_CROSS_SITE, "a login may not be posted from another site");
        goto out;
    }
    if (!session_body_is_json(req)) {
        http_error_respond(req, CV_MEDIA_TYPE,
                           "send the login as Content-Type: application/json");
        goto out;
    }
    if (api_parse_object(req, &body) != 0 || api_check_keys(req, body, keys) != 0)
        goto out;
    user = json_string_value(json_object_get(body, "username"));
    pass = json_string_value(json_object_get(body, "password"));
    if (user == NULL || pass == NULL) {
        http_error_respond(req, CV_INVALID, "username and password must be strings");
        goto out;
    }
    /* Every attempt costs an argon2 run: a client address gets so many. */
    if (http_request_client(req, peer, sizeof peer) != 0)
        peer[0] = '\0';
    if (api_rate_limited(req, http_request_app(req)->login_limit, peer, CV_THROTTLED,
                         "too many login attempts from this address; try again later"))
        goto out;
    memset(&s, 0, sizeof s);
    r = auth_login(auth, user, pass, peer, &s, &retry_after);
    session_answer(req, r, &s, retry_after);
    sodium_memzero(&s, sizeof s);
out:
    json_decref(body);   /* the password lives in jansson's copy until here */
}

void api_session_delete(struct http_request *req)
{
    struct auth *auth = http_request_app(req)->auth;
    const char *cookie = cookie_session(req);
    struct auth_user user;

    if (cookie == NULL) {
        http_error_respond(req, CV_UNAUTHENTICATED, "no session to end");
        return;
    }
    if (api_authenticate(req, &user) != 0)
        return;
    if (auth_session_delete(auth, cookie) != CV_OK) {
        http_error_respond(req, CV_ERROR, NULL);
        return;
    }
    cookie_set(req, COOKIE_SESSION, "", 0);
    http_respond_json(req, 204, NULL);
}

void api_me(struct http_request *req)
{
    struct auth_user user;

    if (api_authenticate(req, &user) != 0)
        return;
    http_respond_json(req, 200, api_user_json(&user));
}
