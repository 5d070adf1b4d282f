/*
 * jwks.c — parsing a JWKS document into OpenSSL public keys (stub: the real
 * parser follows on this branch).
 */
#include <stdlib.h>

#include "jwks.h"

struct jwks {
    size_t n;
};

int jwks_parse(const char *json, size_t len, struct jwks **out)
{
    (void)json;
    (void)len;
    *out = NULL;
    return -1;
}

void jwks_free(struct jwks *k)
{
    free(k);
}

size_t jwks_count(const struct jwks *k)
{
    return k == NULL ? 0 : k->n;
}
