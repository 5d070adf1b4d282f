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

/* Proofs with two branches or more split each scalar k = k_lo + 2^127·k_hi
 * and use P and 2^127·P: half the doublings per equation, for 127 doublings
 * of each variable point once per proof. */
#define PUBMUL_SPLIT 127

struct pubmul_key {
    struct group_table table;    /* P */
    struct group_table high;     /* 2^127·P */
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
    group_table_init(&k->table, &p, PUBMUL_KEY_WIDTH);
    group_double_n(&p, &p, PUBMUL_SPLIT);
    group_table_init(&k->high, &p, PUBMUL_KEY_WIDTH);
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

/* k = lo + 2^127·hi (lo < 2^127, hi < 2^129 for any 32 bytes). */
static void pubmul_split(unsigned char lo[CRYPTO_BYTES], unsigned char hi[CRYPTO_BYTES],
                         const unsigned char k[CRYPTO_BYTES])
{
    unsigned i;

    memset(lo, 0, CRYPTO_BYTES);
    memset(hi, 0, CRYPTO_BYTES);
    memcpy(lo, k, 16);
    lo[15] &= 0x7f;
    for (i = 0; i < 17; i++)
        hi[i] = (unsigned char)(k[15 + i] >> 7 | (i + 16 < CRYPTO_BYTES ? k[16 + i] << 1 : 0));
}

/* G's tables, and H = 2^127·G, made once. */
static struct group_table pubmul_base_table, pubmul_base_high;
static struct group_point pubmul_G, pubmul_H;
static pthread_once_t pubmul_base_once = PTHREAD_ONCE_INIT;

static void pubmul_base_init(void)
{
    if (group_decode(&pubmul_G, crypto_point_base()) != 0)   /* the constant G: never */
        abort();
    group_table_init(&pubmul_base_table, &pubmul_G, PUBMUL_KEY_WIDTH);
    group_double_n(&pubmul_H, &pubmul_G, PUBMUL_SPLIT);
    group_table_init(&pubmul_base_high, &pubmul_H, PUBMUL_KEY_WIDTH);
}

/* out = s·P − c·Q with P's tables (fp, fph: P and 2^127·P) and Q's (tq, tqh);
 * split: the halves, else fph and tqh are unused. */
static void pubmul_equation(unsigned char out[CRYPTO_BYTES], const struct group_table *fp,
                            const struct group_table *fph, const unsigned char s[CRYPTO_BYTES],
                            const struct group_table *tq, const struct group_table *tqh,
                            const unsigned char c[CRYPTO_BYTES], int split)
{
    unsigned char sl[CRYPTO_BYTES], sh[CRYPTO_BYTES], cl[CRYPTO_BYTES], ch[CRYPTO_BYTES];
    const struct group_table *t[4] = { fp, fph, tq, tqh };
    const unsigned char *k[4] = { sl, sh, cl, ch };
    static const int neg[4] = { 0, 0, 1, 1 };
    struct group_point r;

    if (split) {
        pubmul_split(sl, sh, s);
        pubmul_split(cl, ch, c);
        group_multi_mul(&r, 4, t, k, neg);
    } else {
        group_double_mul(&r, fp, s, tq, c);
    }
    group_encode(out, &r);
}

/* The scalars of n pairs: 0 if all are below l. */
static int pubmul_scalars_ok(const unsigned char *s, const unsigned char *c, size_t istride,
                             uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n; i++)
        if (pubmul_scalar_ok(s + (size_t)i * istride) != 0 ||
            pubmul_scalar_ok(c + (size_t)i * istride) != 0)
            return -1;
    return 0;
}

int pubmul_base_n(unsigned char *out, size_t ostride, const unsigned char *s,
                  const unsigned char *c, size_t istride, uint32_t n, const struct group_point *Q)
{
    struct group_table tq, tqh;
    struct group_point qh;
    uint32_t i;
    int split = n > 1;

    if (pubmul_scalars_ok(s, c, istride, n) != 0)
        return -1;
    pthread_once(&pubmul_base_once, pubmul_base_init);
    group_table_init(&tq, Q, PUBMUL_VAR_WIDTH);       /* shared by the n equations */
    if (split) {
        group_double_n(&qh, Q, PUBMUL_SPLIT);
        group_table_init(&tqh, &qh, PUBMUL_VAR_WIDTH);
    }
    for (i = 0; i < n; i++)
        pubmul_equation(out + (size_t)i * ostride, &pubmul_base_table, &pubmul_base_high,
                        s + (size_t)i * istride, &tq, &tqh, c + (size_t)i * istride, split);
    return 0;
}

int pubmul_key_steps(unsigned char *out, size_t ostride, const struct pubmul_key *k,
                     const unsigned char *s, const unsigned char *c, size_t istride, uint32_t n,
                     const struct group_point *Q, uint32_t lo)
{
    struct group_table tq, tqh;
    struct group_point q = *Q, qh;
    uint32_t i;
    int split = n > 1;

    if (pubmul_scalars_ok(s, c, istride, n) != 0)
        return -1;
    pthread_once(&pubmul_base_once, pubmul_base_init);
    if (split)
        group_double_n(&qh, Q, PUBMUL_SPLIT);
    for (i = 0; i < lo; i++) {                /* Q − lo·G, 2^127·(Q − lo·G) */
        group_sub(&q, &q, &pubmul_G);
        if (split)
            group_sub(&qh, &qh, &pubmul_H);
    }
    for (i = 0; i < n; i++) {
        if (i > 0) {
            group_sub(&q, &q, &pubmul_G);
            if (split)
                group_sub(&qh, &qh, &pubmul_H);
        }
        group_table_init(&tq, &q, PUBMUL_VAR_WIDTH);
        if (split)
            group_table_init(&tqh, &qh, PUBMUL_VAR_WIDTH);
        pubmul_equation(out + (size_t)i * ostride, &k->table, &k->high,
                        s + (size_t)i * istride, &tq, &tqh, c + (size_t)i * istride, split);
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
