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

/* The field's hot helpers, inlined into the point formulas whatever the
 * compiler's inlining budget at -O2 (a quarter of a multiplication's time). */
#define GROUP_HOT static inline __attribute__((always_inline))

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

GROUP_HOT void fe_carry(uint64_t v[5])
{
    uint64_t c;

    c = v[0] >> 51, v[0] &= GROUP_MASK51, v[1] += c;
    c = v[1] >> 51, v[1] &= GROUP_MASK51, v[2] += c;
    c = v[2] >> 51, v[2] &= GROUP_MASK51, v[3] += c;
    c = v[3] >> 51, v[3] &= GROUP_MASK51, v[4] += c;
    c = v[4] >> 51, v[4] &= GROUP_MASK51, v[0] += 19 * c;
}

GROUP_HOT void fe_add(struct group_fe *h, const struct group_fe *f, const struct group_fe *g)
{
    int i;

    for (i = 0; i < 5; i++)
        h->v[i] = f->v[i] + g->v[i];
    fe_carry(h->v);
}

/* h = f − g + 4p, so no limb goes negative for g's limbs below 2^53. */
GROUP_HOT void fe_sub(struct group_fe *h, const struct group_fe *f, const struct group_fe *g)
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

/* Without the carry, for the multiplication code below, whose bounds allow
 * it: fe_mul and fe_sq take limbs below 2^53.9 (the column sums and the
 * carries stay below 2^128 and 2^64); their results are below 2^51 + 2^13.
 * fe_add_lazy of two such results is below 2^52.1; fe_sub_lazy needs g's
 * limbs below 2^53 − 76 (4p's) and gives f's bound plus 2^53. */
GROUP_HOT void fe_add_lazy(struct group_fe *h, const struct group_fe *f, const struct group_fe *g)
{
    h->v[0] = f->v[0] + g->v[0];
    h->v[1] = f->v[1] + g->v[1];
    h->v[2] = f->v[2] + g->v[2];
    h->v[3] = f->v[3] + g->v[3];
    h->v[4] = f->v[4] + g->v[4];
}

GROUP_HOT void fe_sub_lazy(struct group_fe *h, const struct group_fe *f, const struct group_fe *g)
{
    h->v[0] = f->v[0] + UINT64_C(0x1fffffffffffb4) - g->v[0];    /* + 4p */
    h->v[1] = f->v[1] + UINT64_C(0x1ffffffffffffc) - g->v[1];
    h->v[2] = f->v[2] + UINT64_C(0x1ffffffffffffc) - g->v[2];
    h->v[3] = f->v[3] + UINT64_C(0x1ffffffffffffc) - g->v[3];
    h->v[4] = f->v[4] + UINT64_C(0x1ffffffffffffc) - g->v[4];
}

/* Carries five 128-bit column sums into h (limbs below 2^51 + 2^13). */
GROUP_HOT void fe_reduce_wide(struct group_fe *h, group_u128 r[5])
{
    uint64_t c;

    r[1] += (uint64_t)(r[0] >> 51);
    h->v[0] = (uint64_t)r[0] & GROUP_MASK51;
    r[2] += (uint64_t)(r[1] >> 51);
    h->v[1] = (uint64_t)r[1] & GROUP_MASK51;
    r[3] += (uint64_t)(r[2] >> 51);
    h->v[2] = (uint64_t)r[2] & GROUP_MASK51;
    r[4] += (uint64_t)(r[3] >> 51);
    h->v[3] = (uint64_t)r[3] & GROUP_MASK51;
    c = (uint64_t)(r[4] >> 51);
    h->v[4] = (uint64_t)r[4] & GROUP_MASK51;
    h->v[0] += 19 * c;
    c = h->v[0] >> 51;
    h->v[0] &= GROUP_MASK51;
    h->v[1] += c;
}

GROUP_HOT void fe_mul(struct group_fe *h, const struct group_fe *f, const struct group_fe *g)
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

GROUP_HOT void fe_sq(struct group_fe *h, const struct group_fe *f)
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

/* --- variable-time multiplication (Straus with width-w NAF) -------------------------
 * The representations of ref10: completed ("p1p1", E F G H before the last
 * multiplications), projective ("p2": X Y Z, no T, enough to double) and the
 * cached form of a table entry (Y + X, Y − X, Z, 2d·T). */

struct group_p1p1 {
    struct group_fe X, Y, Z, T;
};

static void group_p1p1_to_p2(struct group_point *r, const struct group_p1p1 *p)
{
    fe_mul(&r->X, &p->X, &p->T);
    fe_mul(&r->Y, &p->Y, &p->Z);
    fe_mul(&r->Z, &p->Z, &p->T);
}

static void group_p1p1_to_p3(struct group_point *r, const struct group_p1p1 *p)
{
    fe_mul(&r->X, &p->X, &p->T);
    fe_mul(&r->Y, &p->Y, &p->Z);
    fe_mul(&r->Z, &p->Z, &p->T);
    fe_mul(&r->T, &p->X, &p->Y);
}

/* r = 2p from X, Y, Z alone (dbl-2008-hwcd). Bounds (fe_add_lazy): the
 * inputs are fe_mul results; r's limbs stay below 2^53.1. */
static void group_dbl(struct group_p1p1 *r, const struct group_point *p)
{
    struct group_fe t0;

    fe_sq(&r->X, &p->X);
    fe_sq(&r->Z, &p->Y);
    fe_sq(&r->T, &p->Z);
    fe_add_lazy(&r->T, &r->T, &r->T);
    fe_add_lazy(&r->T, &r->T, &r->X);
    fe_sub(&r->T, &r->T, &r->Z);          /* 2Z² + X² − Y², carried */
    fe_add_lazy(&r->Y, &p->X, &p->Y);
    fe_sq(&t0, &r->Y);
    fe_add_lazy(&r->Y, &r->Z, &r->X);     /* Y² + X² */
    fe_sub_lazy(&r->Z, &r->Z, &r->X);     /* Y² − X² */
    fe_sub_lazy(&r->X, &t0, &r->Y);
}

static void group_to_cached(struct group_cached *c, const struct group_point *p)
{
    fe_add(&c->YplusX, &p->Y, &p->X);
    fe_sub(&c->YminusX, &p->Y, &p->X);
    c->Z = p->Z;
    fe_mul(&c->T2d, &p->T, &group_2d);
}

/* r = p + q (neg = 0) or p − q (neg = 1), q cached; p's coordinates are
 * fe_mul results (or carried), r's limbs stay below 2^53.1. */
static void group_add_cached(struct group_p1p1 *r, const struct group_point *p,
                             const struct group_cached *q, int neg)
{
    struct group_fe t0;

    fe_add_lazy(&r->X, &p->Y, &p->X);
    fe_sub_lazy(&r->Y, &p->Y, &p->X);
    fe_mul(&r->Z, &r->X, neg ? &q->YminusX : &q->YplusX);
    fe_mul(&r->Y, &r->Y, neg ? &q->YplusX : &q->YminusX);
    fe_mul(&r->T, &q->T2d, &p->T);
    fe_mul(&r->X, &p->Z, &q->Z);
    fe_add_lazy(&t0, &r->X, &r->X);
    fe_sub_lazy(&r->X, &r->Z, &r->Y);
    fe_add_lazy(&r->Y, &r->Z, &r->Y);
    if (neg) {
        fe_sub_lazy(&r->Z, &t0, &r->T);
        fe_add_lazy(&r->T, &t0, &r->T);
    } else {
        fe_add_lazy(&r->Z, &t0, &r->T);
        fe_sub_lazy(&r->T, &t0, &r->T);
    }
}

void group_table_init(struct group_table *t, const struct group_point *p, unsigned width)
{
    struct group_point cur = *p, twice;
    struct group_cached twice_c;
    struct group_p1p1 r;
    unsigned i;

    t->width = width < 2 ? 2 : width > GROUP_TABLE_MAX_WIDTH ? GROUP_TABLE_MAX_WIDTH : width;
    t->n = 1u << (t->width - 2);          /* P, 3P, ..., (2^(w-1) − 1)P */
    group_dbl(&r, p);
    group_p1p1_to_p3(&twice, &r);
    group_to_cached(&twice_c, &twice);
    group_to_cached(&t->e[0], &cur);
    for (i = 1; i < t->n; i++) {
        group_add_cached(&r, &cur, &twice_c, 0);
        group_p1p1_to_p3(&cur, &r);
        group_to_cached(&t->e[i], &cur);
    }
}

/* The width-w NAF of a scalar below 2^255: naf[i] odd with |naf[i]| < 2^(w−1)
 * or 0, and any w consecutive digits hold at most one non-zero. */
static void group_wnaf(int16_t naf[256], const unsigned char s[CRYPTO_BYTES], unsigned w)
{
    uint64_t x[5], window, bits;
    const uint64_t width = (uint64_t)1 << w, mask = width - 1;
    unsigned pos = 0, idx, bit;
    uint64_t carry = 0;

    x[0] = fe_load64(s);
    x[1] = fe_load64(s + 8);
    x[2] = fe_load64(s + 16);
    x[3] = fe_load64(s + 24);
    x[4] = 0;
    memset(naf, 0, 256 * sizeof *naf);
    while (pos < 256) {
        idx = pos / 64;
        bit = pos % 64;
        bits = x[idx] >> bit;
        if (bit > 64 - w)
            bits |= x[idx + 1] << (64 - bit);
        window = carry + (bits & mask);
        if ((window & 1) == 0) {
            pos++;
            continue;
        }
        if (window < width / 2) {
            carry = 0;
            naf[pos] = (int16_t)window;
        } else {
            carry = 1;
            naf[pos] = (int16_t)((int64_t)window - (int64_t)width);
        }
        pos += w;
    }
}

/* r (p1p1 in, p3 out through tmp) += d·table, d an odd NAF digit. */
static void group_step(struct group_p1p1 *r, const struct group_table *t, int d, int neg)
{
    struct group_point p3;

    group_p1p1_to_p3(&p3, r);
    if (d > 0)
        group_add_cached(r, &p3, &t->e[d / 2], neg);
    else
        group_add_cached(r, &p3, &t->e[-d / 2], !neg);
}

void group_multi_mul(struct group_point *r, unsigned n, const struct group_table *const *t,
                     const unsigned char *const *k, const int *neg)
{
    int16_t naf[GROUP_MULTI_MAX][256];
    struct group_p1p1 p;
    struct group_point acc;
    unsigned j;
    int i, top = -1;

    for (j = 0; j < n && j < GROUP_MULTI_MAX; j++) {
        group_wnaf(naf[j], k[j], t[j]->width);
        for (i = 255; i > top && naf[j][i] == 0; i--)
            ;
        top = i > top ? i : top;
    }
    n = n < GROUP_MULTI_MAX ? n : GROUP_MULTI_MAX;
    group_identity(r);
    if (top < 0)
        return;
    group_identity(&acc);
    for (i = top; i >= 0; i--) {
        group_dbl(&p, &acc);
        for (j = 0; j < n; j++)
            if (naf[j][i] != 0)
                group_step(&p, t[j], naf[j][i], neg[j]);
        if (i > 0)
            group_p1p1_to_p2(&acc, &p);
        else
            group_p1p1_to_p3(r, &p);
    }
}

void group_double_mul(struct group_point *r, const struct group_table *tp,
                      const unsigned char s[CRYPTO_BYTES], const struct group_table *tq,
                      const unsigned char c[CRYPTO_BYTES])
{
    const struct group_table *t[2] = { tp, tq };
    const unsigned char *k[2] = { s, c };
    static const int neg[2] = { 0, 1 };     /* s·P − c·Q */

    group_multi_mul(r, 2, t, k, neg);
}

void group_double_n(struct group_point *r, const struct group_point *p, unsigned n)
{
    struct group_p1p1 t;
    struct group_point acc = *p;
    unsigned i;

    if (n == 0) {
        *r = *p;
        return;
    }
    for (i = 0; i < n; i++) {
        group_dbl(&t, &acc);
        if (i + 1 < n)
            group_p1p1_to_p2(&acc, &t);
    }
    group_p1p1_to_p3(r, &t);
}
