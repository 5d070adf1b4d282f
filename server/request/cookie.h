/*
 * cookie.h — the server's cookies, shared by the API's and the pages'
 * logins and logouts: the session cookie (its value is the session id) and
 * the login form's double-submit token (web_login.c).
 *
 * Each has one name, given here with its __Host- prefix: under
 * --secure-cookies the browser then keeps it for this exact host, Secure and
 * Path=/, so no sibling host can plant or shadow it; without, the prefix is
 * left out (a __Host- cookie must be Secure, which plain http cannot carry)
 * and the other spelling is ignored. Every cookie is HttpOnly,
 * SameSite=Strict (but COOKIE_OIDC, Lax), Path=/ and, under
 * --secure-cookies, Secure.
 */
#ifndef CONCLAVE_COOKIE_H
#define CONCLAVE_COOKIE_H

struct http_request;

#define COOKIE_SESSION "__Host-conclave_session"
#define COOKIE_LOGIN   "__Host-conclave_login"
/* A login through the OpenID provider under way (web_oidc.c): SameSite=Lax,
 * so that the provider's redirect back (a top-level GET from its site)
 * brings it; 10 minutes. */
#define COOKIE_OIDC    "__Host-conclave_oidc"

/* The value of cookie NAME (COOKIE_*) as the request carries it under this
 * server's spelling of the name, or NULL. Owned by the request. */
const char *cookie_get(const struct http_request *req, const char *name);

/* The session cookie's value (cookie_get of COOKIE_SESSION), or NULL. */
const char *cookie_session(const struct http_request *req);

/* Adds the Set-Cookie header that sets cookie NAME (COOKIE_*) to VALUE for
 * MAX_AGE seconds; "" and 0 clear it. The header's copy on the stack is
 * wiped (a session id is a secret). */
void cookie_set(struct http_request *req, const char *name, const char *value, long max_age);

/* As cookie_set, SameSite=Lax instead of Strict (COOKIE_OIDC only). */
void cookie_set_lax(struct http_request *req, const char *name, const char *value,
                    long max_age);

#endif
