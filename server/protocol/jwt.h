/*
 * jwt.h — checking an OpenID Connect ID token (a compact JWS, RFC 7515/7519;
 * OpenID Connect Core §3.1.3.7) against the provider's keys (jwks.h) and
 * what the login expects (issuer, client, nonce, time).
 *
 * Only RS256 and ES256 signatures are accepted; "none", HMAC (HS*) and every
 * other alg are refused before any key is looked at, so a public key can
 * never be used as an HMAC secret. The checked claims are kept in an opaque
 * struct; no OpenSSL or jansson type crosses this header.
 */
#ifndef CONCLAVE_JWT_H
#define CONCLAVE_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "jwks.h"

#define JWT_MAX_BYTES (16 * 1024)   /* the longest token read */
#define JWT_MAX_IAT_AGE 600         /* an iat before now - this (seconds): refused */

struct jwt_expect {
    const char *issuer;        /* iss must equal it exactly */
    const char *client_id;     /* in aud; if aud has several values azp must equal it */
    const char *nonce;         /* nonce must equal it exactly */
    int64_t now;               /* unix seconds */
    int64_t skew;              /* seconds of clock skew allowed for exp and iat */
    const char *groups_claim;  /* claim holding the groups (array of strings), or NULL */
};

enum jwt_result { JWT_OK, JWT_MALFORMED, JWT_ALG_REFUSED, JWT_UNKNOWN_KID,
    JWT_BAD_SIGNATURE, JWT_BAD_ISSUER, JWT_BAD_AUDIENCE, JWT_EXPIRED,
    JWT_BAD_IAT, JWT_BAD_NONCE };

struct jwt_claims;             /* opaque: the checked claims */

/* Verifies a compact JWS ID token of LEN bytes (no NUL needed): alg RS256
 * or ES256 only (none, HS*, others: JWT_ALG_REFUSED, before any key is
 * looked up), the key by kid (no kid: the single key of that type, several:
 * JWT_MALFORMED; a kid not in KEYS: JWT_UNKNOWN_KID, so the caller refetches
 * the JWKS once and retries; a kid of a key of the other type:
 * JWT_BAD_SIGNATURE), the signature, then iss, aud/azp (azp, if present,
 * must be the client too), exp (expired when exp <= now - skew), iat (not
 * after now + skew, not before now - JWT_MAX_IAT_AGE; an nbf after now +
 * skew is JWT_BAD_IAT too), nonce (required), and sub (required, 1 .. 255
 * bytes). Caps: token <= JWT_MAX_BYTES. ISSUER, CLIENT_ID and NONCE of WANT
 * must not be NULL. JWT_OK and *out (caller frees with jwt_claims_free),
 * else *out NULL. */
enum jwt_result jwt_verify_id_token(const char *token, size_t len,
        const struct jwks *keys, const struct jwt_expect *want,
        struct jwt_claims **out);

/* The result's name, "ok", "malformed", "alg_refused", "unknown_kid",
 * "bad_signature", "bad_issuer", "bad_audience", "expired", "bad_iat",
 * "bad_nonce": for the log and the page (static string). */
const char *jwt_result_name(enum jwt_result r);

/* The claims, borrowed from C (valid until jwt_claims_free). */
const char *jwt_claims_sub(const struct jwt_claims *c);
const char *jwt_claims_email(const struct jwt_claims *c);      /* NULL if absent */
int jwt_claims_email_verified(const struct jwt_claims *c);     /* 1 only if true */
const char *jwt_claims_name(const struct jwt_claims *c);       /* name, NULL if absent */
const char *jwt_claims_username(const struct jwt_claims *c);   /* preferred_username, or NULL */

/* 1 if GROUP is one of the strings of the groups claim (jwt_expect's
 * groups_claim), else 0 (also when there was no such claim). */
int jwt_claims_in_group(const struct jwt_claims *c, const char *group);

/* Frees C (NULL is fine). */
void jwt_claims_free(struct jwt_claims *c);

#endif
