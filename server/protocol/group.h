/*
 * group.h — sums of ristretto255 points without libsodium's per-addition
 * decode and encode (RFC 9496; PROTOCOL §1).
 *
 * crypto_point_add works on encodings, so each addition decodes both points
 * and encodes the result: three square roots, about 14 µs here. Summing
 * many ciphertexts (the running aggregate, `conclave verify`) instead
 * decodes each point once into extended coordinates, adds there (a few
 * field multiplications) and encodes the sum once at the end.
 *
 * Variable time: for public data only (ciphertexts and their sums), never
 * for secrets. Results are byte for byte those of crypto_point_add and
 * crypto_point_sub (tests/test_group.c checks this against libsodium).
 */
#ifndef CONCLAVE_GROUP_H
#define CONCLAVE_GROUP_H

#include <stdint.h>

#include "crypto.h"

/* A field element mod 2^255 − 19: five 51-bit limbs. */
struct group_fe {
    uint64_t v[5];
};

/* A point in extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z.
 * Plain data: copy it freely. */
struct group_point {
    struct group_fe X, Y, Z, T;
};

/* p = the identity. */
void group_identity(struct group_point *p);

/* Decodes a canonical ristretto255 encoding (the identity included).
 * 0, or -1 (p unspecified) exactly where crypto_point_check says PROTO_POINT. */
int group_decode(struct group_point *p, const unsigned char s[CRYPTO_BYTES]);

/* The canonical encoding of p. */
void group_encode(unsigned char s[CRYPTO_BYTES], const struct group_point *p);

/* r = p + q, r = p − q; r may alias p or q. */
void group_add(struct group_point *r, const struct group_point *p, const struct group_point *q);
void group_sub(struct group_point *r, const struct group_point *p, const struct group_point *q);

#endif
