/*
 * group.c — ristretto255 decode, encode and addition in extended coordinates
 * over GF(2^255 − 19) with 51-bit limbs (RFC 9496 §4; the addition is
 * "add-2008-hwcd-3", complete on edwards25519). Variable time: public data
 * only. The formulas follow RFC 9496 step by step; the field code follows
 * the usual 64-bit radix-2^51 layout (limbs below 2^52 between operations).
 */
#include <string.h>

#include "group.h"

typedef unsigned __int128 group_u128;

#define GROUP_MASK51 ((UINT64_C(1) << 51) - 1)

static const struct group_fe group_one = { { 1, 0, 0, 0, 0 } };
static const struct group_fe group_d = { {
    0x34dca135978a3, 0x1a8283b156ebd, 0x5e7a26001c029, 0x739c663a03cbb, 0x52036cee2b6ff } };
static const struct group_fe group_2d = { {
    0x69b9426b2f159, 0x35050762add7a, 0x3cf44c0038052, 0x6738cc7407977, 0x2406d9dc56dff } };
static const struct group_fe group_sqrt_m1 = { {
    0x61b274a0ea0b0, 0x0d5a5fc8f189d, 0x7ef5e9cbd0c60, 0x78595a6804c9e, 0x2b8324804fc1d } };
static const struct group_fe group_invsqrt_a_minus_d = { {
    0x0fdaa805d40ea, 0x2eb482e57d339, 0x007610274bc58, 0x6510b613dc8ff, 0x786c8905cfaff } };

/* --- the field ---------------------------------------------------------------- */

static void fe_carry(uint64_t v[5])
{
    uint64_t c;

    c = v[0] >> 51, v[0] &= GROUP_MASK51, v[1] += c;
    c = v[1] >> 51, v[1] &= GROUP_MASK51, v[2] += c;
    c = v[2] >> 51, v[2] &= GROUP_MASK51, v[3] += c;
    c = v[3] >> 51, v[3] &= GROUP_MASK51, v[4] += c;
    c = v[4] >> 51, v[4] &= GROUP_MASK51, v[0] += 19 * c;
}

static void fe_add(struct group_fe *h, const struct group_fe *f, const struct group_fe *g)
{
    int i;

    for (i = 0; i < 5; i++)
        h->v[i] = f->v[i] + g->v[i];
    fe_carry(h->v);
}

/* h = f − g + 4p, so no limb goes negative for g's limbs below 2^53. */
static void fe_sub(struct group_fe *h, const struct group_fe *f, const struct group_fe *g)
{
    static const uint64_t four_p[5] = { 0x1fffffffffffb4, 0x1ffffffffffffc, 0x1ffffffffffffc,
                                        0x1ffffffffffffc, 0x1ffffffffffffc };
    int i;

    for (i = 0; i < 5; i++)
        h->v[i] = f->v[i] + four_p[i] - g->v[i];
    fe_carry(h->v);
}

static void fe_neg(struct group_fe *h, const struct group_fe *f)
{
    static const struct group_fe zero;

    fe_sub(h, &zero, f);
}

/* Carries five 128-bit column sums into h (limbs below 2^51 + 2^13). */
static void fe_reduce_wide(struct group_fe *h, group_u128 r[5])
{
    uint64_t c;
    int i;

    for (i = 0; i < 4; i++) {
        r[i + 1] += (uint64_t)(r[i] >> 51);
        h->v[i] = (uint64_t)r[i] & GROUP_MASK51;
    }
    c = (uint64_t)(r[4] >> 51);
    h->v[4] = (uint64_t)r[4] & GROUP_MASK51;
    h->v[0] += 19 * c;
    c = h->v[0] >> 51;
    h->v[0] &= GROUP_MASK51;
    h->v[1] += c;
}

static void fe_mul(struct group_fe *h, const struct group_fe *f, const struct group_fe *g)
{
    const uint64_t *a = f->v, *b = g->v;
    uint64_t b1 = 19 * b[1], b2 = 19 * b[2], b3 = 19 * b[3], b4 = 19 * b[4];
    group_u128 r[5];

    r[0] = (group_u128)a[0] * b[0] + (group_u128)a[1] * b4 + (group_u128)a[2] * b3 +
           (group_u128)a[3] * b2 + (group_u128)a[4] * b1;
    r[1] = (group_u128)a[0] * b[1] + (group_u128)a[1] * b[0] + (group_u128)a[2] * b4 +
           (group_u128)a[3] * b3 + (group_u128)a[4] * b2;
    r[2] = (group_u128)a[0] * b[2] + (group_u128)a[1] * b[1] + (group_u128)a[2] * b[0] +
           (group_u128)a[3] * b4 + (group_u128)a[4] * b3;
    r[3] = (group_u128)a[0] * b[3] + (group_u128)a[1] * b[2] + (group_u128)a[2] * b[1] +
           (group_u128)a[3] * b[0] + (group_u128)a[4] * b4;
    r[4] = (group_u128)a[0] * b[4] + (group_u128)a[1] * b[3] + (group_u128)a[2] * b[2] +
           (group_u128)a[3] * b[1] + (group_u128)a[4] * b[0];
    fe_reduce_wide(h, r);
}

static void fe_sq(struct group_fe *h, const struct group_fe *f)
{
    const uint64_t *a = f->v;
    uint64_t a0_2 = 2 * a[0], a1_2 = 2 * a[1], a3_19 = 19 * a[3], a4_19 = 19 * a[4];
    group_u128 r[5];

    r[0] = (group_u128)a[0] * a[0] + (group_u128)a1_2 * a4_19 + (group_u128)(2 * a[2]) * a3_19;
    r[1] = (group_u128)a0_2 * a[1] + (group_u128)(2 * a[2]) * a4_19 + (group_u128)a[3] * a3_19;
    r[2] = (group_u128)a0_2 * a[2] + (group_u128)a[1] * a[1] + (group_u128)(2 * a[3]) * a4_19;
    r[3] = (group_u128)a0_2 * a[3] + (group_u128)a1_2 * a[2] + (group_u128)a[4] * a4_19;
    r[4] = (group_u128)a0_2 * a[4] + (group_u128)a1_2 * a[3] + (group_u128)a[2] * a[2];
    fe_reduce_wide(h, r);
}

static void fe_sq_times(struct group_fe *h, const struct group_fe *f, int n)
{
    fe_sq(h, f);
    while (--n > 0)
        fe_sq(h, h);
}

static uint64_t fe_load64(const unsigned char *s)
{
    uint64_t w = 0;
    int i;

    for (i = 7; i >= 0; i--)
        w = (w << 8) | s[i];
    return w;
}

static void fe_store64(unsigned char *s, uint64_t w)
{
    int i;

    for (i = 0; i < 8; i++, w >>= 8)
        s[i] = (unsigned char)w;
}

/* The low 255 bits of s (bit 255 ignored; the value may be >= p). */
static void fe_frombytes(struct group_fe *h, const unsigned char s[32])
{
    uint64_t w0 = fe_load64(s), w1 = fe_load64(s + 8), w2 = fe_load64(s + 16),
             w3 = fe_load64(s + 24);

    h->v[0] = w0 & GROUP_MASK51;
    h->v[1] = (w0 >> 51 | w1 << 13) & GROUP_MASK51;
    h->v[2] = (w1 >> 38 | w2 << 26) & GROUP_MASK51;
    h->v[3] = (w2 >> 25 | w3 << 39) & GROUP_MASK51;
    h->v[4] = (w3 >> 12) & GROUP_MASK51;
}

/* The canonical (fully reduced) encoding of f. */
static void fe_tobytes(unsigned char s[32], const struct group_fe *f)
{
    uint64_t t[5];
    int i;

    memcpy(t, f->v, sizeof t);
    fe_carry(t);
    fe_carry(t);                 /* 0 <= t < 2^255, limbs below 2^51 */
    t[0] += 19;
    fe_carry(t);                 /* t mod p, plus 19 */
    t[0] += (UINT64_C(1) << 51) - 19;
    for (i = 1; i < 5; i++)
        t[i] += (UINT64_C(1) << 51) - 1;   /* + p, then drop 2^255 */
    for (i = 0; i < 4; i++) {
        t[i + 1] += t[i] >> 51;
        t[i] &= GROUP_MASK51;
    }
    t[4] &= GROUP_MASK51;
    fe_store64(s, t[0] | t[1] << 51);
    fe_store64(s + 8, t[1] >> 13 | t[2] << 38);
    fe_store64(s + 16, t[2] >> 26 | t[3] << 25);
    fe_store64(s + 24, t[3] >> 39 | t[4] << 12);
}

static int fe_is_negative(const struct group_fe *f)
{
    unsigned char s[32];

    fe_tobytes(s, f);
    return s[0] & 1;
}

static int fe_is_zero(const struct group_fe *f)
{
    static const unsigned char zero[32];
    unsigned char s[32];

    fe_tobytes(s, f);
    return memcmp(s, zero, sizeof s) == 0;
}

static int fe_equal(const struct group_fe *f, const struct group_fe *g)
{
    unsigned char a[32], b[32];

    fe_tobytes(a, f);
    fe_tobytes(b, g);
    return memcmp(a, b, sizeof a) == 0;
}

/* h = |f| (the non-negative one of f and −f). */
static void fe_abs(struct group_fe *h, const struct group_fe *f)
{
    if (fe_is_negative(f))
        fe_neg(h, f);
    else
        *h = *f;
}

/* h = z^((p − 5) / 8) = z^(2^252 − 3). */
static void fe_pow22523(struct group_fe *h, const struct group_fe *z)
{
    struct group_fe t0, t1, t2;

    fe_sq(&t0, z);
    fe_sq_times(&t1, &t0, 2);
    fe_mul(&t1, z, &t1);          /* z^9 */
    fe_mul(&t0, &t0, &t1);        /* z^11 */
    fe_sq(&t0, &t0);
    fe_mul(&t0, &t1, &t0);        /* z^(2^5 − 1) */
    fe_sq_times(&t1, &t0, 5);
    fe_mul(&t0, &t1, &t0);        /* 2^10 − 1 */
    fe_sq_times(&t1, &t0, 10);
    fe_mul(&t1, &t1, &t0);        /* 2^20 − 1 */
    fe_sq_times(&t2, &t1, 20);
    fe_mul(&t1, &t2, &t1);        /* 2^40 − 1 */
    fe_sq_times(&t1, &t1, 10);
    fe_mul(&t0, &t1, &t0);        /* 2^50 − 1 */
    fe_sq_times(&t1, &t0, 50);
    fe_mul(&t1, &t1, &t0);        /* 2^100 − 1 */
    fe_sq_times(&t2, &t1, 100);
    fe_mul(&t1, &t2, &t1);        /* 2^200 − 1 */
    fe_sq_times(&t1, &t1, 50);
    fe_mul(&t0, &t1, &t0);        /* 2^250 − 1 */
    fe_sq_times(&t0, &t0, 2);
    fe_mul(h, &t0, z);            /* 2^252 − 3 */
}

/* RFC 9496 §4.2 SQRT_RATIO_M1: r = |sqrt(u/v)| or |sqrt(i·u/v)|; returns
 * 1 if u/v is square (r its root), 0 if not. */
static int fe_sqrt_ratio_m1(struct group_fe *r, const struct group_fe *u, const struct group_fe *v)
{
    struct group_fe v3, v7, t, check, neg_u, neg_u_i;
    int correct, flipped, flipped_i;

    fe_sq(&v3, v);
    fe_mul(&v3, &v3, v);          /* v^3 */
    fe_sq(&v7, &v3);
    fe_mul(&v7, &v7, v);          /* v^7 */
    fe_mul(&t, u, &v7);
    fe_pow22523(&t, &t);
    fe_mul(&t, &t, &v3);
    fe_mul(r, &t, u);             /* (u·v^3)·(u·v^7)^((p−5)/8) */
    fe_sq(&check, r);
    fe_mul(&check, &check, v);
    fe_neg(&neg_u, u);
    fe_mul(&neg_u_i, &neg_u, &group_sqrt_m1);
    correct = fe_equal(&check, u);
    flipped = fe_equal(&check, &neg_u);
    flipped_i = fe_equal(&check, &neg_u_i);
    if (flipped || flipped_i)
        fe_mul(r, r, &group_sqrt_m1);
    fe_abs(r, r);
    return correct || flipped;
}

/* --- the group ------------------------------------------------------------------ */

void group_identity(struct group_point *p)
{
    memset(p, 0, sizeof *p);
    p->Y = group_one;
    p->Z = group_one;
}

int group_decode(struct group_point *p, const unsigned char s[CRYPTO_BYTES])
{
    struct group_fe s0, ss, u1, u2, u2_sqr, v, t, invsqrt, den_x, den_y;
    unsigned char again[32];
    int was_square;

    fe_frombytes(&s0, s);
    fe_tobytes(again, &s0);
    if (memcmp(again, s, sizeof again) != 0 || (s[0] & 1) != 0)
        return -1;                /* non-canonical (bit 255 too) or negative */
    fe_sq(&ss, &s0);
    fe_sub(&u1, &group_one, &ss);
    fe_add(&u2, &group_one, &ss);
    fe_sq(&u2_sqr, &u2);
    fe_sq(&t, &u1);
    fe_mul(&t, &t, &group_d);
    fe_neg(&t, &t);
    fe_sub(&v, &t, &u2_sqr);      /* −(D·u1^2) − u2^2 */
    fe_mul(&t, &v, &u2_sqr);
    was_square = fe_sqrt_ratio_m1(&invsqrt, &group_one, &t);
    fe_mul(&den_x, &invsqrt, &u2);
    fe_mul(&den_y, &invsqrt, &den_x);
    fe_mul(&den_y, &den_y, &v);
    fe_add(&t, &s0, &s0);
    fe_mul(&t, &t, &den_x);
    fe_abs(&p->X, &t);
    fe_mul(&p->Y, &u1, &den_y);
    p->Z = group_one;
    fe_mul(&p->T, &p->X, &p->Y);
    if (!was_square || fe_is_negative(&p->T) || fe_is_zero(&p->Y))
        return -1;
    return 0;
}

void group_encode(unsigned char s[CRYPTO_BYTES], const struct group_point *p)
{
    struct group_fe u1, u2, t, invsqrt, den1, den2, z_inv, x, y, den_inv;

    fe_add(&u1, &p->Z, &p->Y);
    fe_sub(&t, &p->Z, &p->Y);
    fe_mul(&u1, &u1, &t);         /* (Z + Y)(Z − Y) */
    fe_mul(&u2, &p->X, &p->Y);
    fe_sq(&t, &u2);
    fe_mul(&t, &t, &u1);
    (void)fe_sqrt_ratio_m1(&invsqrt, &group_one, &t);
    fe_mul(&den1, &invsqrt, &u1);
    fe_mul(&den2, &invsqrt, &u2);
    fe_mul(&z_inv, &den1, &den2);
    fe_mul(&z_inv, &z_inv, &p->T);
    fe_mul(&t, &p->T, &z_inv);
    if (fe_is_negative(&t)) {     /* rotate */
        fe_mul(&x, &p->Y, &group_sqrt_m1);
        fe_mul(&y, &p->X, &group_sqrt_m1);
        fe_mul(&den_inv, &den1, &group_invsqrt_a_minus_d);
    } else {
        x = p->X;
        y = p->Y;
        den_inv = den2;
    }
    fe_mul(&t, &x, &z_inv);
    if (fe_is_negative(&t))
        fe_neg(&y, &y);
    fe_sub(&t, &p->Z, &y);
    fe_mul(&t, &den_inv, &t);
    fe_abs(&t, &t);
    fe_tobytes(s, &t);
}

void group_add(struct group_point *r, const struct group_point *p, const struct group_point *q)
{
    struct group_fe a, b, c, d, e, f, g, h, t;

    fe_sub(&a, &p->Y, &p->X);
    fe_sub(&t, &q->Y, &q->X);
    fe_mul(&a, &a, &t);           /* (Y1 − X1)(Y2 − X2) */
    fe_add(&b, &p->Y, &p->X);
    fe_add(&t, &q->Y, &q->X);
    fe_mul(&b, &b, &t);           /* (Y1 + X1)(Y2 + X2) */
    fe_mul(&c, &p->T, &q->T);
    fe_mul(&c, &c, &group_2d);    /* 2d·T1·T2 */
    fe_mul(&d, &p->Z, &q->Z);
    fe_add(&d, &d, &d);           /* 2·Z1·Z2 */
    fe_sub(&e, &b, &a);
    fe_sub(&f, &d, &c);
    fe_add(&g, &d, &c);
    fe_add(&h, &b, &a);
    fe_mul(&r->X, &e, &f);
    fe_mul(&r->Y, &g, &h);
    fe_mul(&r->T, &e, &h);
    fe_mul(&r->Z, &f, &g);
}

void group_sub(struct group_point *r, const struct group_point *p, const struct group_point *q)
{
    struct group_point neg = *q;

    fe_neg(&neg.X, &q->X);
    fe_neg(&neg.T, &q->T);
    group_add(r, p, &neg);
}
