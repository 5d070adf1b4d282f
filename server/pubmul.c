/*
 * pubmul.c — variable-time s·P − c·Q for the verifiers: libdecaf for P = G,
 * group.c's Straus for a poll's key and any other point (pubmul.h).
 *
 * libdecaf's decaf_255 is ristretto255 (RFC 9496): the same encodings, the
 * same base point, the same decoding rules (canonical, non-negative, on the
 * curve; the identity is allowed here as crypto_point_check allows it).
 * Its scalars are checked below l as crypto_scalar_check does: decoding a
 * larger one fails.
 */
#include <stdlib.h>
#include <string.h>

#include <decaf/point_255.h>

#include "pubmul.h"

#define PUBMUL_KEY_WIDTH 8      /* the key's table: 64 odd multiples */
#define PUBMUL_VAR_WIDTH 5      /* a point used once: 8 */

struct pubmul_key {
    struct group_table table;
    struct group_point G;        /* the generator, decoded */
    unsigned char P[CRYPTO_BYTES];
};

struct pubmul_key *pubmul_key_new(const unsigned char P[CRYPTO_BYTES])
{
    struct pubmul_key *k;
    struct group_point p;

    if (group_decode(&p, P) != 0)
        return NULL;
    if ((k = malloc(sizeof *k)) == NULL)
        return NULL;
    if (group_decode(&k->G, crypto_point_base()) != 0) {
        free(k);
        return NULL;
    }
    group_table_init(&k->table, &p, PUBMUL_KEY_WIDTH);
    memcpy(k->P, P, CRYPTO_BYTES);
    return k;
}

void pubmul_key_free(struct pubmul_key *k)
{
    free(k);
}

const unsigned char *pubmul_key_point(const struct pubmul_key *k)
{
    return k->P;
}

/* s decoded as a libdecaf scalar, and −c; -1 if either is not below l. */
static int pubmul_scalars(decaf_255_scalar_t ds, decaf_255_scalar_t dnc,
                          const unsigned char s[CRYPTO_BYTES], const unsigned char c[CRYPTO_BYTES])
{
    decaf_255_scalar_t dc;

    if (decaf_255_scalar_decode(ds, s) != DECAF_SUCCESS ||
        decaf_255_scalar_decode(dc, c) != DECAF_SUCCESS)
        return -1;
    decaf_255_scalar_sub(dnc, decaf_255_scalar_zero, dc);
    return 0;
}

int pubmul_base_n(unsigned char *out, size_t ostride, const unsigned char *s,
                  const unsigned char *c, size_t istride, uint32_t n,
                  const unsigned char Q[CRYPTO_BYTES])
{
    decaf_255_point_t q, r;
    decaf_255_scalar_t ds, dnc;
    uint32_t i;

    if (decaf_255_point_decode(q, Q, DECAF_TRUE) != DECAF_SUCCESS)
        return -1;
    for (i = 0; i < n; i++) {
        if (pubmul_scalars(ds, dnc, s + (size_t)i * istride, c + (size_t)i * istride) != 0)
            return -1;
        decaf_255_base_double_scalarmul_non_secret(r, ds, q, dnc);
        decaf_255_point_encode(out + (size_t)i * ostride, r);
    }
    return 0;
}

/* 0 if s < l (crypto_scalar_check's rule, for group_double_mul's inputs). */
static int pubmul_scalar_ok(const unsigned char s[CRYPTO_BYTES])
{
    return crypto_scalar_check(s) == PROTO_OK ? 0 : -1;
}

int pubmul_key_steps(unsigned char *out, size_t ostride, const struct pubmul_key *k,
                     const unsigned char *s, const unsigned char *c, size_t istride, uint32_t n,
                     const struct group_point *Q, uint32_t lo)
{
    struct group_table tq;
    struct group_point q = *Q, r;
    uint32_t i;

    for (i = 0; i < lo; i++)
        group_sub(&q, &q, &k->G);
    for (i = 0; i < n; i++) {
        const unsigned char *si = s + (size_t)i * istride, *ci = c + (size_t)i * istride;

        if (pubmul_scalar_ok(si) != 0 || pubmul_scalar_ok(ci) != 0)
            return -1;
        if (i > 0)
            group_sub(&q, &q, &k->G);
        group_table_init(&tq, &q, PUBMUL_VAR_WIDTH);
        group_double_mul(&r, &k->table, si, &tq, ci);
        group_encode(out + (size_t)i * ostride, &r);
    }
    return 0;
}

int pubmul_lincomb(unsigned char out[CRYPTO_BYTES], const unsigned char s[CRYPTO_BYTES],
                   const unsigned char *P, const unsigned char c[CRYPTO_BYTES],
                   const unsigned char Q[CRYPTO_BYTES])
{
    struct group_table tp, tq;
    struct group_point p, q, r;

    if (P == NULL)
        return pubmul_base_n(out, 0, s, c, 0, 1, Q);
    if (group_decode(&p, P) != 0 || group_decode(&q, Q) != 0 ||
        pubmul_scalar_ok(s) != 0 || pubmul_scalar_ok(c) != 0)
        return -1;
    group_table_init(&tp, &p, PUBMUL_VAR_WIDTH);
    group_table_init(&tq, &q, PUBMUL_VAR_WIDTH);
    group_double_mul(&r, &tp, s, &tq, c);
    group_encode(out, &r);
    return 0;
}
