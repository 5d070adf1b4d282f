/*
 * api.c — what every JSON handler needs: strict body parsing, the key-set
 * check, and authentication by API token or by session cookie + CSRF token.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "api.h"
#include "app.h"
#include "cookie.h"
#include "http_error.h"
#include "http_request.h"
#include "jscan.h"
#include "ratelimit.h"

int api_parse_object(struct http_request *req, json_t **out)
{
    size_t len;
    const char *body = http_request_body(req, &len);
    struct jscan_info scan;
    json_error_t jerr;
    json_t *j;

    /* Our bodies are flat objects; refuse deep nesting before jansson
     * recurses into it (it stops at 2048 levels by itself). */
    jscan_text(body, len, &scan);
    if (scan.depth > API_JSON_DEPTH_MAX) {
        http_error_respond(req, CV_BAD_JSON, "the body is nested too deeply");
        return -1;
    }
    j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL || !json_is_object(j)) {
        json_decref(j);
        http_error_respond(req, CV_BAD_JSON, NULL);
        return -1;
    }
    *out = j;
    return 0;
}

static int key_listed(const char *key, const char *const *keys)
{
    size_t i;

    for (i = 0; keys[i] != NULL; i++) {
        const char *k = keys[i][0] == '?' ? keys[i] + 1 : keys[i];
        if (strcmp(k, key) == 0)
            return 1;
    }
    return 0;
}

int api_check_keys(struct http_request *req, json_t *obj, const char *const *keys)
{
    char msg[128];
    const char *key;
    json_t *val;
    size_t i;

    json_object_foreach(obj, key, val) {
        (void)val;
        if (!key_listed(key, keys)) {
            snprintf(msg, sizeof msg, "unexpected field '%.60s'", key);
            http_error_respond(req, CV_INVALID, msg);
            return -1;
        }
    }
    for (i = 0; keys[i] != NULL; i++) {
        if (keys[i][0] != '?' && json_object_get(obj, keys[i]) == NULL) {
            snprintf(msg, sizeof msg, "missing field '%.60s'", keys[i]);
            http_error_respond(req, CV_INVALID, msg);
            return -1;
        }
    }
    return 0;
}

static int method_is_unsafe(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

static int authenticate_cookie(struct http_request *req, struct auth *auth,
                               const char *cookie, struct auth_user *user)
{
    char csrf[AUTH_CSRF_LEN + 1];
    enum cv_err r = auth_session_lookup(auth, cookie, user, csrf);
    int rc = -1;

    if (r != CV_OK) {
        http_error_respond(req, r, NULL);
        goto out;
    }
    if (user->must_change) {
        http_error_respond(req, CV_PASSWORD_CHANGE, NULL);
        goto out;
    }
    if (method_is_unsafe(http_request_method(req)) &&
        !auth_csrf_equal(csrf, http_request_header(req, "X-CSRF-Token"))) {
        http_error_respond(req, CV_CSRF, NULL);
        goto out;
    }
    rc = 0;
out:
    sodium_memzero(csrf, sizeof csrf);
    return rc;
}

int api_authenticate(struct http_request *req, struct auth_user *user)
{
    struct auth *auth = http_request_app(req)->auth;
    const char *authz = http_request_header(req, "Authorization");
    const char *cookie = cookie_session(req);
    enum cv_err r;

    if (authz != NULL) {
        if (strncasecmp(authz, "Bearer ", 7) != 0) {
            http_error_respond(req, CV_UNAUTHENTICATED, "use Authorization: Bearer TOKEN");
            return -1;
        }
        r = auth_token_lookup(auth, authz + 7, user);
        if (r == CV_OK)
            return 0;
        http_error_respond(req, r, r == CV_UNAUTHENTICATED ? "invalid or revoked token" : NULL);
        return -1;
    }
    if (cookie != NULL)
        return authenticate_cookie(req, auth, cookie, user);
    http_error_respond(req, CV_UNAUTHENTICATED, NULL);
    return -1;
}

int api_rate_limited(struct http_request *req, struct ratelimit *rl, const char *key,
                     enum cv_err err, const char *message)
{
    unsigned wait = ratelimit_take(rl, key, ratelimit_now_ms());
    char retry[16];

    if (wait == 0)
        return 0;
    snprintf(retry, sizeof retry, "%u", wait);
    http_add_header(req, "Retry-After", retry);
    http_error_respond(req, err, message);
    return 1;
}

json_t *api_user_json(const struct auth_user *user)
{
    return json_pack("{s:s, s:s, s:b}", "username", user->username,
                     "display_name", user->display_name, "admin", user->admin);
}
