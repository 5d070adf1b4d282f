/*
 * jwt.c — checking an ID token (stub: the real checks follow on this branch;
 * until then every token is malformed).
 */
#include <stdlib.h>

#include "jwt.h"

struct jwt_claims {
    char *sub;
};

enum jwt_result jwt_verify_id_token(const char *token, size_t len,
        const struct jwks *keys, const struct jwt_expect *want,
        struct jwt_claims **out)
{
    (void)token;
    (void)len;
    (void)keys;
    (void)want;
    *out = NULL;
    return JWT_MALFORMED;
}

const char *jwt_result_name(enum jwt_result r)
{
    static const char *const names[] = { "ok", "malformed", "alg_refused", "unknown_kid",
        "bad_signature", "bad_issuer", "bad_audience", "expired", "bad_iat", "bad_nonce" };

    return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "unknown";
}

const char *jwt_claims_sub(const struct jwt_claims *c) { return c->sub; }
const char *jwt_claims_email(const struct jwt_claims *c) { (void)c; return NULL; }
int jwt_claims_email_verified(const struct jwt_claims *c) { (void)c; return 0; }
const char *jwt_claims_name(const struct jwt_claims *c) { (void)c; return NULL; }
const char *jwt_claims_username(const struct jwt_claims *c) { (void)c; return NULL; }

int jwt_claims_in_group(const struct jwt_claims *c, const char *group)
{
    (void)c;
    (void)group;
    return 0;
}

void jwt_claims_free(struct jwt_claims *c)
{
    free(c);
}
