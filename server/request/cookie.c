/*
 * cookie.c — the names and the attributes of the server's cookies (see
 * cookie.h). The API (api_session.c) and the pages (web*.c) both log in and
 * out, so both use this module rather than one of them using the other's.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "config.h"
#include "cookie.h"
#include "http_request.h"

/* NAME as this server spells it: without "__Host-" unless --secure-cookies. */
static const char *cookie_name(const struct http_request *req, const char *name)
{
    static const char prefix[] = "__Host-";

    if (http_request_app(req)->cfg->secure_cookies ||
        strncmp(name, prefix, sizeof prefix - 1) != 0)
        return name;
    return name + sizeof prefix - 1;
}

const char *cookie_get(const struct http_request *req, const char *name)
{
    return http_request_cookie(req, cookie_name(req, name));
}

const char *cookie_session(const struct http_request *req)
{
    return cookie_get(req, COOKIE_SESSION);
}

static void cookie_write(struct http_request *req, const char *name, const char *value,
                         long max_age, const char *same_site)
{
    const struct config *cfg = http_request_app(req)->cfg;
    char cookie[256];

    snprintf(cookie, sizeof cookie, "%s=%s; HttpOnly; SameSite=%s; Path=/; Max-Age=%ld%s",
             cookie_name(req, name), value, same_site, max_age,
             cfg->secure_cookies ? "; Secure" : "");
    http_add_header(req, "Set-Cookie", cookie);
    sodium_memzero(cookie, sizeof cookie);
}

void cookie_set(struct http_request *req, const char *name, const char *value, long max_age)
{
    cookie_write(req, name, value, max_age, "Strict");
}

void cookie_set_lax(struct http_request *req, const char *name, const char *value,
                    long max_age)
{
    cookie_write(req, name, value, max_age, "Lax");
}
