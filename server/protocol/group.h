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

/* --- variable-time multiplication, for verifiers (public scalars and points) --- */

/* A table entry: (Y + X, Y − X, Z, 2d·T) of a point. Plain data. */
struct group_cached {
    struct group_fe YplusX, YminusX, Z, T2d;
};

#define GROUP_TABLE_MAX_WIDTH 8

/* The odd multiples P, 3P, ..., (2^(width−1) − 1)·P of a point, for a width-w
 * NAF: width 5 (8 entries, 1.3 KB) for a point used once, width 8 (64
 * entries, 10 KB) for a fixed point (a poll's public key). Plain data. */
struct group_table {
    unsigned width, n;
    struct group_cached e[1u << (GROUP_TABLE_MAX_WIDTH - 2)];
};

/* Fills t for p; width is clamped to 2..GROUP_TABLE_MAX_WIDTH. */
void group_table_init(struct group_table *t, const struct group_point *p, unsigned width);

/* r = s·P − c·Q for scalars s, c below 2^255 (callers pass canonical scalars,
 * < l), P and Q given by their tables: Straus's method, one chain of
 * doublings for both. Variable time: public data only. */
void group_double_mul(struct group_point *r, const struct group_table *tp,
                      const unsigned char s[CRYPTO_BYTES], const struct group_table *tq,
                      const unsigned char c[CRYPTO_BYTES]);

#define GROUP_MULTI_MAX 4

/* r = Σ ±k_j·P_j for j < n (n <= GROUP_MULTI_MAX; more are ignored), P_j given
 * by table t[j], k[j] a scalar below 2^255, subtracted where neg[j] is
 * non-zero: Straus's method, one chain of doublings as long as the longest
 * scalar. Variable time: public data only. */
void group_multi_mul(struct group_point *r, unsigned n, const struct group_table *const *t,
                     const unsigned char *const *k, const int *neg);

/* r = 2^n·p (r may alias p). */
void group_double_n(struct group_point *r, const struct group_point *p, unsigned n);

#endif
