/*
 * tally.c — homomorphic aggregation, decryption shares, count recovery, the
 * two-thirds rule and the signed result (PROTOCOL §6, §9).
 *
 * The aggregates are kept as decoded points (group.c): adding a ballot
 * decodes its 2m points once and adds them in extended coordinates, and the
 * sums are encoded only when read.
 *
 * Counts are recovered by baby-step giant-step over 0..N: a sorted table of
 * i·G for i < b = ceil(sqrt(N+1)), then T_j − g·b·G for g = 0, 1, ... — about
 * 2·sqrt(N) point additions per option, shared table across options. The
 * rule uses integers only (PROTOCOL §6: exactly two thirds passes).
 */
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "tally.h"

struct tally {
    uint32_t m;
    uint32_t n;                                  /* N */
    struct group_point A[PROTO_MAX_OPTIONS];     /* decoded once, encoded on demand */
    struct group_point B[PROTO_MAX_OPTIONS];
};

struct tally_baby {
    unsigned char p[CRYPTO_BYTES];               /* i·G; first, for bsearch */
    uint32_t i;
};

struct tally *tally_new(uint32_t m)
{
    struct tally *t;
    uint32_t j;

    if (m < 1 || m > PROTO_MAX_OPTIONS)
        return NULL;
    if ((t = calloc(1, sizeof *t)) == NULL)
        return NULL;
    t->m = m;
    for (j = 0; j < m; j++) {
        group_identity(&t->A[j]);
        group_identity(&t->B[j]);
    }
    return t;
}

void tally_free(struct tally *t)
{
    free(t);
}

uint32_t tally_option_count(const struct tally *t) { return t->m; }
uint32_t tally_ballot_count(const struct tally *t) { return t->n; }

void tally_A(const struct tally *t, uint32_t j, unsigned char out[CRYPTO_BYTES])
{
    group_encode(out, &t->A[j]);
}

void tally_B(const struct tally *t, uint32_t j, unsigned char out[CRYPTO_BYTES])
{
    group_encode(out, &t->B[j]);
}

/* A_j ±= α_j, B_j ±= β_j for j < upto; 0, or -1 at the first choice whose
 * points do not decode, with the choices before it already applied. */
static int tally_apply_choices(struct tally *t, const struct ballot *b, int sign, uint32_t upto,
                               uint32_t *done)
{
    struct group_point alpha, beta;
    uint32_t j;

    for (j = 0; j < upto; j++) {
        if (group_decode(&alpha, ballot_alpha(b, j)) != 0 ||
            group_decode(&beta, ballot_beta(b, j)) != 0) {
            *done = j;
            return -1;
        }
        if (sign > 0) {
            group_add(&t->A[j], &t->A[j], &alpha);
            group_add(&t->B[j], &t->B[j], &beta);
        } else {
            group_sub(&t->A[j], &t->A[j], &alpha);
            group_sub(&t->B[j], &t->B[j], &beta);
        }
    }
    *done = upto;
    return 0;
}

/* Counts (sign > 0) or uncounts a ballot; a point that does not decode undoes
 * the choices already applied, so a failure leaves t as it was. */
static int tally_apply(struct tally *t, const struct ballot *b, int sign)
{
    uint32_t done, undone;

    if (ballot_choice_count(b) != t->m || (sign < 0 && t->n == 0) ||
        (sign > 0 && t->n == UINT32_MAX))
        return -1;
    if (tally_apply_choices(t, b, sign, t->m, &done) != 0) {
        (void)tally_apply_choices(t, b, -sign, done, &undone);
        return -1;
    }
    t->n = sign > 0 ? t->n + 1 : t->n - 1;
    return 0;
}

int tally_add(struct tally *t, const struct ballot *b)
{
    return tally_apply(t, b, 1);
}

int tally_add_points(struct tally *t, const struct ballot_points *p)
{
    uint32_t j;

    if (ballot_points_count(p) != t->m || t->n == UINT32_MAX)
        return -1;
    for (j = 0; j < t->m; j++) {
        group_add(&t->A[j], &t->A[j], ballot_points_alpha(p, j));
        group_add(&t->B[j], &t->B[j], ballot_points_beta(p, j));
    }
    t->n++;
    return 0;
}

int tally_remove(struct tally *t, const struct ballot *b)
{
    return tally_apply(t, b, -1);
}

int tally_merge(struct tally *dst, const struct tally *src)
{
    uint32_t j;

    if (dst->m != src->m || src->n > UINT32_MAX - dst->n)
        return -1;
    for (j = 0; j < dst->m; j++) {
        group_add(&dst->A[j], &dst->A[j], &src->A[j]);
        group_add(&dst->B[j], &dst->B[j], &src->B[j]);
    }
    dst->n += src->n;
    return 0;
}

/* --- shares -------------------------------------------------------------------- */

int tally_shares_create(const struct record *rec, uint32_t k, const unsigned char x[CRYPTO_BYTES],
                        const struct tally *t, const struct crypto_rng *rng,
                        struct proof_share *out)
{
    unsigned char A[CRYPTO_BYTES];
    uint32_t j;

    if (k >= record_holder_count(rec) || t->m != record_option_count(rec))
        return -1;
    for (j = 0; j < t->m; j++) {
        tally_A(t, j, A);
        if (proof_share_create(record_fingerprint(rec), k, record_holder_key(rec, k), x, j, A,
                               rng, &out[j]) != 0)
            return -1;
    }
    return 0;
}

enum proto_reason tally_shares_verify(const struct record *rec, uint32_t k,
                                      const struct tally *t, const struct proof_share *shares)
{
    unsigned char A[CRYPTO_BYTES];
    enum proto_reason why;
    uint32_t j;

    if (k >= record_holder_count(rec) || t->m != record_option_count(rec))
        return PROTO_SHAPE;
    for (j = 0; j < t->m; j++) {
        if (crypto_point_check(shares[j].D) != PROTO_OK)
            return PROTO_POINT;
        if (crypto_scalar_check(shares[j].c) != PROTO_OK ||
            crypto_scalar_check(shares[j].s) != PROTO_OK)
            return PROTO_SCALAR;
        tally_A(t, j, A);
        why = proof_share_verify(record_fingerprint(rec), k, record_holder_key(rec, k), j, A,
                                 &shares[j]);
        if (why != PROTO_OK)
            return why;
    }
    return PROTO_OK;
}

/* --- counts -------------------------------------------------------------------- */

static int tally_baby_cmp(const void *a, const void *b)
{
    return memcmp(a, b, CRYPTO_BYTES);
}

/* The table of i·G, i < b, sorted by encoding, and step = b·G. */
static struct tally_baby *tally_baby_table(uint32_t b, unsigned char step[CRYPTO_BYTES])
{
    struct tally_baby *tab = calloc(b, sizeof *tab);
    uint32_t i;

    if (tab == NULL)
        return NULL;
    for (i = 0; i < b; i++) {
        tab[i].i = i;
        if (i > 0 && crypto_point_add(tab[i].p, tab[i - 1].p, crypto_point_base()) != 0) {
            free(tab);
            return NULL;
        }
    }
    if (crypto_point_add(step, tab[b - 1].p, crypto_point_base()) != 0) {
        free(tab);
        return NULL;
    }
    qsort(tab, b, sizeof *tab, tally_baby_cmp);
    return tab;
}

/* The t <= n with t·G = T, or -1. */
static int64_t tally_find(const struct tally_baby *tab, uint32_t b,
                          const unsigned char step[CRYPTO_BYTES], const unsigned char T[CRYPTO_BYTES],
                          uint32_t n)
{
    unsigned char p[CRYPTO_BYTES];
    uint64_t g;

    memcpy(p, T, CRYPTO_BYTES);
    for (g = 0; g * b <= n; g++) {
        const struct tally_baby *hit = bsearch(p, tab, b, sizeof *tab, tally_baby_cmp);

        if (hit != NULL)
            return g * b + hit->i <= n ? (int64_t)(g * b + hit->i) : -1;
        if (crypto_point_sub(p, p, step) != 0)
            return -1;
    }
    return -1;
}

/* D_j = Σ_k D_kj over every holder (PROTOCOL §6), for j < m. */
static int tally_sum_shares(const struct record *rec, const struct tally *t,
                            const struct proof_share *const *shares,
                            unsigned char (*D)[CRYPTO_BYTES])
{
    uint32_t j, k;

    for (j = 0; j < t->m; j++) {
        memset(D[j], 0, CRYPTO_BYTES);
        for (k = 0; k < record_holder_count(rec); k++)
            if (crypto_point_add(D[j], D[j], shares[k][j].D) != 0)
                return -1;
    }
    return 0;
}

enum proto_reason tally_counts_decrypted(const struct record *rec, const struct tally *t,
                                         const unsigned char (*D)[CRYPTO_BYTES],
                                         uint32_t *counts)
{
    unsigned char step[CRYPTO_BYTES], T[CRYPTO_BYTES], B[CRYPTO_BYTES];
    enum proto_reason why = PROTO_INTERNAL;
    struct tally_baby *tab = NULL;
    uint64_t sum = 0;
    uint32_t b = 1, j;
    int64_t found;

    memset(counts, 0, (size_t)t->m * sizeof *counts);
    if (t->n == 0)
        return PROTO_OK;     /* PROTOCOL §6: no decryption, every count 0 */
    while ((uint64_t)b * b < (uint64_t)t->n + 1)
        b++;
    if ((tab = tally_baby_table(b, step)) == NULL)
        goto out;
    for (j = 0; j < t->m; j++) {
        tally_B(t, j, B);
        if (crypto_point_sub(T, B, D[j]) != 0)      /* T_j = B_j − D_j */
            goto out;
        why = PROTO_COUNT;
        if ((found = tally_find(tab, b, step, T, t->n)) < 0)
            goto out;
        counts[j] = (uint32_t)found;
        sum += counts[j];
        why = PROTO_INTERNAL;
    }
    why = PROTO_COUNT;
    if (sum < (uint64_t)record_min(rec) * t->n || sum > (uint64_t)record_max(rec) * t->n)
        goto out;
    why = PROTO_OK;
out:
    free(tab);
    return why;
}

enum proto_reason tally_counts(const struct record *rec, const struct tally *t,
                               const struct proof_share *const *shares, uint32_t *counts)
{
    unsigned char D[PROTO_MAX_OPTIONS][CRYPTO_BYTES];

    if (t->n == 0)
        return tally_counts_decrypted(rec, t, NULL, counts);
    if (tally_sum_shares(rec, t, shares, D) != 0) {
        memset(counts, 0, (size_t)t->m * sizeof *counts);
        return PROTO_INTERNAL;
    }
    return tally_counts_decrypted(rec, t, (const unsigned char (*)[CRYPTO_BYTES])D, counts);
}

enum proto_verdict tally_verdict(const struct record *rec, const uint32_t *counts)
{
    uint64_t yes, no;

    if (!record_is_promotion(rec))
        return PROTO_VERDICT_NONE;
    yes = counts[0];
    no = counts[1];
    return yes + no > 0 && 3 * yes >= 2 * (yes + no) ? PROTO_VERDICT_PASSED
                                                     : PROTO_VERDICT_FAILED;
}

int tally_ballots_digest(const unsigned char fingerprint[CRYPTO_BYTES],
                         const unsigned char (*trackers)[CRYPTO_BYTES], uint32_t n,
                         unsigned char out[CRYPTO_BYTES])
{
    struct crypto_hash h;
    uint32_t i;

    crypto_hash_init(&h, CRYPTO_HD, "ballots");
    crypto_hash_b32(&h, fingerprint);
    crypto_hash_u32(&h, n);
    for (i = 0; i < n; i++) {
        if (i > 0 && memcmp(trackers[i - 1], trackers[i], CRYPTO_BYTES) >= 0)
            return -1;
        crypto_hash_b32(&h, trackers[i]);
    }
    return crypto_hash_final_digest(&h, out);
}

void tally_result_view(const struct record *rec, const struct tally_result *r,
                       struct sign_result *view)
{
    view->fingerprint = record_fingerprint(rec);
    view->ballots_digest = r->ballots_digest;
    view->ballots = r->ballots;
    view->counts = r->counts;
    view->m = r->m;
    view->verdict = r->verdict;
}

enum proto_reason tally_result_make_decrypted(const struct record *rec, const struct tally *t,
                                              const unsigned char (*D)[CRYPTO_BYTES],
                                              const unsigned char (*trackers)[CRYPTO_BYTES],
                                              const struct sign_key *key,
                                              struct tally_result *out)
{
    enum proto_reason why;
    struct sign_result view;

    memset(out, 0, sizeof *out);
    if (t->m != record_option_count(rec))
        return PROTO_SHAPE;
    out->m = t->m;
    out->ballots = t->n;
    out->eligible = record_roll_count(rec);
    if ((why = tally_counts_decrypted(rec, t, D, out->counts)) != PROTO_OK)
        return why;
    out->verdict = tally_verdict(rec, out->counts);
    if (tally_ballots_digest(record_fingerprint(rec), trackers, t->n, out->ballots_digest) != 0)
        return PROTO_ORDER;
    tally_result_view(rec, out, &view);
    return sign_result(key, &view, out->signature) == 0 ? PROTO_OK : PROTO_INTERNAL;
}

enum proto_reason tally_result_make(const struct record *rec, const struct tally *t,
                                    const struct proof_share *const *shares,
                                    const unsigned char (*trackers)[CRYPTO_BYTES],
                                    const struct sign_key *key, struct tally_result *out)
{
    unsigned char D[PROTO_MAX_OPTIONS][CRYPTO_BYTES];

    memset(out, 0, sizeof *out);
    if (t->m != record_option_count(rec))
        return PROTO_SHAPE;
    if (t->n > 0 && tally_sum_shares(rec, t, shares, D) != 0)
        return PROTO_INTERNAL;
    return tally_result_make_decrypted(rec, t, (const unsigned char (*)[CRYPTO_BYTES])D,
                                       trackers, key, out);
}
