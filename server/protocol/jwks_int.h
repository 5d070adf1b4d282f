/*
 * jwks_int.h — the inside of struct jwks, for jwks.c and the one module that
 * checks signatures with its keys (jwt.c). OpenSSL's types stay behind this
 * header: nothing above the protocol layer includes it.
 */
#ifndef CONCLAVE_JWKS_INT_H
#define CONCLAVE_JWKS_INT_H

#include <stddef.h>

#include <openssl/evp.h>

#include "jwks.h"

#define JWKS_MAX_KID 255            /* the longest kid kept (bytes) */

enum jwks_kty { JWKS_RSA, JWKS_EC };

struct jwks_key {
    enum jwks_kty kty;
    char *kid;                      /* NUL-terminated, or NULL if the key has none */
    EVP_PKEY *pkey;                 /* the public key (RSA >= 2048 bits, or P-256) */
};

struct jwks {
    size_t n;
    struct jwks_key key[JWKS_MAX_KEYS];
};

/* Strict base64url without padding (RFC 7515 §2) of TEXT (LEN chars) into
 * at most MAX bytes of OUT: 0 and *outlen, or -1 for any character outside
 * [A-Za-z0-9_-], padding, non-zero trailing bits, or more than MAX bytes. */
int jwks_b64url_decode(unsigned char *out, size_t max, size_t *outlen,
                       const char *text, size_t len);

/* The key of type KTY to check a signature with: the one whose kid is KID
 * (KIDLEN bytes), or with KID NULL the single key of that type. Returns it,
 * or NULL with *why: 0 no such kid (or no key of that type), 1 several keys
 * of that type and no kid to choose, 2 the kid names a key of another type. */
const struct jwks_key *jwks_find(const struct jwks *k, enum jwks_kty kty,
                                 const char *kid, size_t kidlen, int *why);

#endif
