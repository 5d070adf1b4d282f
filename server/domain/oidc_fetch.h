/*
 * oidc_fetch.h — one HTTPS request to the OpenID provider (discovery, JWKS,
 * the token endpoint), with libcurl: certificates verified, plain http only
 * to this machine (tests), no redirect followed, the answer capped.
 */
#ifndef CONCLAVE_OIDC_FETCH_H
#define CONCLAVE_OIDC_FETCH_H

#include <stddef.h>

#define OIDC_FETCH_CONNECT_S 5      /* seconds to connect */
#define OIDC_FETCH_TOTAL_S   10     /* seconds for the whole exchange */

/* What came back: the HTTP status and the body (NUL-terminated, LEN bytes). */
struct oidc_reply {
    long status;
    char *body;
    size_t len;
};

/* What to send: a GET of URL, or with FORM (application/x-www-form-urlencoded)
 * a POST; with USER a Basic authorization (USER and PASSWORD as given: the
 * caller form-encodes them as RFC 6749 §2.3.1 asks). */
struct oidc_request {
    const char *url;
    const char *form;               /* NULL: GET */
    const char *user, *password;    /* NULL: no Basic authorization */
    size_t cap;                     /* the most body bytes taken */
};

/* Sends RQ. 0 and *out (the caller frees out->body with oidc_reply_free)
 * when an answer came, whatever its status; -1 when none did (no
 * connection, TLS refused, a URL neither https nor http to loopback, a
 * body over the cap, a timeout), with a short reason in ERR (no secret). */
int oidc_fetch(const struct oidc_request *rq, struct oidc_reply *out, char *err, size_t errlen);

/* Frees the body (wiping it: a token answer holds tokens). */
void oidc_reply_free(struct oidc_reply *r);

/* 1 if URL is https://, or http:// to this machine (127.0.0.0/8, [::1],
 * localhost), as libcurl reads it; 0 otherwise. */
int oidc_fetch_url_ok(const char *url);

#endif
