/*
 * pubmul.c — variable-time s·P − c·Q for the verifiers (pubmul.h): group.c's
 * Straus with a width-8 table for the fixed point (G's made once per
 * process, Y's once per poll record) and a width-5 table for the other.
 *
 * Points are decoded by group_decode (exactly crypto_point_check's rules);
 * scalars are checked below l (crypto_scalar_check) before the wNAF.
 */
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

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

/* 0 if s < l (crypto_scalar_check's rule, for group_double_mul's inputs). */
static int pubmul_scalar_ok(const unsigned char s[CRYPTO_BYTES])
{
    return crypto_scalar_check(s) == PROTO_OK ? 0 : -1;
}

/* G's table, made once. */
static struct group_table pubmul_base_table;
static pthread_once_t pubmul_base_once = PTHREAD_ONCE_INIT;

static void pubmul_base_init(void)
{
    struct group_point g;

    if (group_decode(&g, crypto_point_base()) == 0)   /* the constant G: always */
        group_table_init(&pubmul_base_table, &g, PUBMUL_KEY_WIDTH);
}

int pubmul_base_n(unsigned char *out, size_t ostride, const unsigned char *s,
                  const unsigned char *c, size_t istride, uint32_t n, const struct group_point *Q)
{
    struct group_table tq;
    struct group_point r;
    uint32_t i;

    pthread_once(&pubmul_base_once, pubmul_base_init);
    group_table_init(&tq, Q, PUBMUL_VAR_WIDTH);       /* shared by the n equations */
    for (i = 0; i < n; i++) {
        const unsigned char *si = s + (size_t)i * istride, *ci = c + (size_t)i * istride;

        if (pubmul_scalar_ok(si) != 0 || pubmul_scalar_ok(ci) != 0)
            return -1;
        group_double_mul(&r, &pubmul_base_table, si, &tq, ci);
        group_encode(out + (size_t)i * ostride, &r);
    }
    return 0;
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

    if (group_decode(&q, Q) != 0)
        return -1;
    if (P == NULL)
        return pubmul_base_n(out, 0, s, c, 0, 1, &q);
    if (group_decode(&p, P) != 0 || pubmul_scalar_ok(s) != 0 || pubmul_scalar_ok(c) != 0)
        return -1;
    group_table_init(&tp, &p, PUBMUL_VAR_WIDTH);
    group_table_init(&tq, &q, PUBMUL_VAR_WIDTH);
    group_double_mul(&r, &tp, s, &tq, c);
    group_encode(out, &r);
    return 0;
}
