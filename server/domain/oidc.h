/*
 * oidc.h — login through the team's OpenID Connect provider: the
 * Authorization Code flow with PKCE (S256), state and nonce, from the
 * redirect to the provider to Conclave's own session (issue 19).
 *
 * One `struct oidc` per server (--oidc-issuer), shared by the HTTP threads.
 * It knows the provider from its discovery document (whose issuer must be
 * the configured one) and keeps its keys (JWKS), both fetched when first
 * needed and again after an hour; an ID token signed under a key id the
 * keys lack makes it fetch them once more (at most every
 * OIDC_JWKS_REFETCH_S seconds) before refusing. The ID token is verified by
 * jwt.h; which member it names is auth_oidc_login's rule (auth.h).
 */
#ifndef CONCLAVE_OIDC_H
#define CONCLAVE_OIDC_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "err.h"
#include "store_oidc.h"

#define OIDC_COOKIE_LEN     131     /* state "." nonce "." code_verifier: 3 x 43 */
#define OIDC_LOGIN_TTL      600     /* seconds from the redirect to the callback */
#define OIDC_SKEW           60      /* seconds of clock skew allowed (exp, iat) */
#define OIDC_CACHE_S        3600    /* discovery and keys are fetched again after */
#define OIDC_JWKS_REFETCH_S 10      /* the fewest seconds between two fetches of the keys */
#define OIDC_URL_MAX        4096    /* the authorization URL */
#define OIDC_REASON_MAX     160     /* a refusal's reason, for the log */

struct oidc;

struct oidc_options {
    const char *issuer;             /* exactly as the provider's discovery says it */
    const char *client_id;
    const char *client_secret;      /* copied and wiped on oidc_free */
    const char *redirect_uri;       /* {public-url}/login/oidc/callback */
    const char *group;              /* "" or NULL: no group required */
    const char *groups_claim;       /* the claim holding the groups */
};

/* Creates the context over ST and AUTH (not owned). Fetches nothing yet. 0 / -1. */
int oidc_new(const struct oidc_options *opt, struct store *st, struct auth *auth,
             struct oidc **out);

/* Frees O, wiping the client secret; NULL is a no-op. */
void oidc_free(struct oidc *o);

/* Starts a login that goes on to the page NEXT (a local path, checked by the
 * caller): a fresh state, nonce and PKCE code_verifier, the state's SHA-256
 * stored for OIDC_LOGIN_TTL (single use), URL_OUT (OIDC_URL_MAX bytes) the
 * provider's authorization URL to redirect to, COOKIE_OUT the value the
 * browser keeps until the callback. CV_OK; CV_PROVIDER_DOWN (REASON) when
 * the provider's discovery cannot be had; CV_ERROR. */
enum cv_err oidc_begin(struct oidc *o, const char *next, char *url_out,
                       char cookie_out[OIDC_COOKIE_LEN + 1], char *reason, size_t reasonlen);

/* What the provider's redirect to the callback brought, and the cookie. */
struct oidc_callback {
    const char *cookie;             /* oidc_begin's COOKIE_OUT, NULL if absent */
    const char *state, *code, *error, *iss;     /* query parameters, NULL if absent */
};

/* Finishes a login: the state is the cookie's (constant time) and unused
 * (taken now: a replay fails), the code exchanged at the token endpoint with
 * the code_verifier and the client's secret, the ID token verified (the
 * provider's keys, iss, aud/azp, exp and iat within OIDC_SKEW, nonce), the
 * member found (auth_oidc_login). CV_OK with *out (as auth_login) and
 * NEXT_OUT (STORE_OIDC_NEXT_MAX + 1 bytes); else one of CV_BAD_STATE,
 * CV_LOGIN_DECLINED, CV_PROVIDER_DOWN, CV_PROVIDER_ERROR, CV_BAD_ID_TOKEN
 * and auth_oidc_login's refusals, with REASON (for the log: never a token,
 * a code or an address) and *WHY (for the page, may be NULL). */
enum cv_err oidc_finish(struct oidc *o, const struct oidc_callback *cb,
                        struct auth_session *out, char *next_out,
                        char *reason, size_t reasonlen, const char **why);

#endif
