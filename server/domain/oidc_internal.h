/*
 * oidc_internal.h — what oidc.c (the provider: discovery, keys) and
 * oidc_login.c (the flow) share and nobody else needs.
 */
#ifndef CONCLAVE_OIDC_INTERNAL_H
#define CONCLAVE_OIDC_INTERNAL_H

#include <pthread.h>

#include "jwt.h"
#include "oidc.h"

#define OIDC_ENDPOINT_MAX 1024

struct oidc {
    char issuer[512];
    char client_id[256];
    char secret[512];
    char redirect_uri[600];
    char group[256];
    char groups_claim[64];
    struct store *st;                       /* not owned */
    struct auth *auth;                      /* not owned */
    pthread_mutex_t mu;                     /* guards what follows */
    int64_t discovered_at;                  /* 0: not yet */
    char authorization_endpoint[OIDC_ENDPOINT_MAX];
    char token_endpoint[OIDC_ENDPOINT_MAX];
    char jwks_uri[OIDC_ENDPOINT_MAX];
    int auth_post;                          /* client_secret_post, not _basic */
    int groups_scope;                       /* ask for the "groups" scope */
    struct jwks *keys;                      /* NULL: not yet */
    int64_t keys_at;
};

/* What oidc_login.c needs of the provider, copied out under the lock. */
struct oidc_endpoints {
    char authorization[OIDC_ENDPOINT_MAX];
    char token[OIDC_ENDPOINT_MAX];
    int auth_post, groups_scope;
};

/* The provider's endpoints at NOW, from its discovery document (fetched if
 * not yet or older than OIDC_CACHE_S). 0, or -1 with REASON. */
int oidc_endpoints(struct oidc *o, int64_t now, struct oidc_endpoints *e,
                   char *reason, size_t reasonlen);

/* Verifies ID_TOKEN (LEN bytes) against the provider's keys (fetched when
 * missing or stale, and once more on JWT_UNKNOWN_KID unless fetched within
 * OIDC_JWKS_REFETCH_S). JWT_OK and *out as jwt_verify_id_token; -1 cast to
 * the enum is never returned: a failure to get keys is JWT_UNKNOWN_KID with
 * *keys_missing set. */
enum jwt_result oidc_verify(struct oidc *o, const char *id_token, size_t len,
                            const struct jwt_expect *want, struct jwt_claims **out,
                            int *keys_missing);

/* Percent-encodes S (everything but ALPHA DIGIT -._~) onto DST (CAP bytes,
 * at *LEN). 0, or -1 if it does not fit. */
int oidc_encode(char *dst, size_t cap, size_t *len, const char *s);

#endif
