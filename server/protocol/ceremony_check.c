/*
 * ceremony_check.c — the rules of the key ceremony (PROTOCOL-threshold
 * T2–T5) and its outcome: a registration, the setup, a dealing and a verdict
 * with their rejection codes; judging the complaints; QUAL, Y_T, X_j.
 *
 * Where a message breaks several rules, the code reported follows PROTOCOL
 * §10's table as record.c does: point and scalar encodings first, then
 * identity, the verdict's dealings digest, value, and last the proofs (the
 * only expensive step). Everything here works on public values: a
 * complaint's opened share is public once the complaint is.
 */
#include <assert.h>
#include <string.h>

#include <sodium.h>

#include "ceremony_internal.h"
#include "poly.h"
#include "record.h"
#include "utf8.h"

int ceremony_name_ok(const char *s, size_t len)
{
    return len > 0 && len <= PROTO_MAX_STRING && utf8_check(s, len) == 0;
}

/* Byte strings equal (names). */
static int ceremony_same(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

enum proto_reason ceremony_identity_check(const char *id, size_t idlen, uint32_t i,
                                          const struct ceremony_identity *reg)
{
    if (crypto_point_check(reg->Z) != PROTO_OK)
        return PROTO_POINT;
    if (crypto_scalar_check(reg->pok.c) != PROTO_OK || crypto_scalar_check(reg->pok.s) != PROTO_OK)
        return PROTO_SCALAR;
    if (crypto_point_is_identity(reg->Z))
        return PROTO_IDENTITY;
    if (!ceremony_name_ok(reg->name, reg->name_len) || i < 1 || i > PROTO_MAX_TRUSTEES)
        return PROTO_VALUE;
    return proof_identity_verify(id, idlen, i, reg->name, reg->name_len, reg->Z, &reg->pok);
}

/* T2: t, the id, names and keys distinct (the identity and encodings are
 * ceremony_identity_check's). */
static enum proto_reason ceremony_setup_values(const struct ceremony *c)
{
    uint32_t i, k;

    if (c->t < 1 || c->t > c->n || c->n > PROTO_MAX_TRUSTEES)
        return PROTO_VALUE;
    if (c->id_len > PROTO_MAX_STRING || utf8_check(c->id, c->id_len) != 0)
        return PROTO_VALUE;
    for (i = 0; i < c->n; i++) {
        if (!ceremony_name_ok(c->trustees[i].name, c->trustees[i].name_len))
            return PROTO_VALUE;
        for (k = 0; k < i; k++)
            if (ceremony_same(c->trustees[i].name, c->trustees[i].name_len,
                              c->trustees[k].name, c->trustees[k].name_len) ||
                memcmp(c->trustees[i].Z, c->trustees[k].Z, CRYPTO_BYTES) == 0)
                return PROTO_VALUE;
    }
    return PROTO_OK;
}

enum proto_reason ceremony_setup_check(struct ceremony *c)
{
    enum proto_reason why;
    uint32_t i;

    for (i = 0; i < c->n; i++) {
        if (crypto_point_check(c->trustees[i].Z) != PROTO_OK)
            return PROTO_POINT;
        if (crypto_scalar_check(c->trustees[i].pok.c) != PROTO_OK ||
            crypto_scalar_check(c->trustees[i].pok.s) != PROTO_OK)
            return PROTO_SCALAR;
    }
    for (i = 0; i < c->n; i++)
        if (crypto_point_is_identity(c->trustees[i].Z))
            return PROTO_IDENTITY;
    if ((why = ceremony_setup_values(c)) != PROTO_OK)
        return why;
    for (i = 0; i < c->n; i++) {
        why = proof_identity_verify(c->id, c->id_len, i + 1, c->trustees[i].name,
                                    c->trustees[i].name_len, c->trustees[i].Z,
                                    &c->trustees[i].pok);
        if (why != PROTO_OK)
            return why;
    }
    return ceremony_digest_setup(c, c->setup_digest) == 0 ? PROTO_OK : PROTO_INTERNAL;
}

/* --- dealings (T3) --------------------------------------------------------------------- */

/* The encodings: every point canonical, every proof scalar below l. */
static enum proto_reason ceremony_dealing_encodings(const struct ceremony_dealing *d)
{
    uint32_t k;

    for (k = 0; k < d->t; k++)
        if (crypto_point_check(d->C[k]) != PROTO_OK)
            return PROTO_POINT;
    if (crypto_point_check(d->R) != PROTO_OK)
        return PROTO_POINT;
    if (crypto_scalar_check(d->proof.c) != PROTO_OK ||
        crypto_scalar_check(d->proof.s_id) != PROTO_OK ||
        crypto_scalar_check(d->proof.s_poly) != PROTO_OK ||
        crypto_scalar_check(d->proof.s_eph) != PROTO_OK)
        return PROTO_SCALAR;
    return PROTO_OK;
}

enum proto_reason ceremony_dealing_check(const struct ceremony *c,
                                         const struct ceremony_dealing *d)
{
    struct proof_dealing_statement st;
    enum proto_reason why;
    uint32_t k, want;

    if (d->t != c->t || c->n < 1 || d->nshares != c->n - 1)
        return PROTO_SHAPE;
    if ((why = ceremony_dealing_encodings(d)) != PROTO_OK)
        return why;
    if (crypto_point_is_identity(d->C[0]) || crypto_point_is_identity(d->R))
        return PROTO_IDENTITY;
    if (d->dealer < 1 || d->dealer > c->n)
        return PROTO_VALUE;
    for (k = 0, want = 1; k < d->nshares; k++, want++) {
        if (want == d->dealer)
            want++;
        if (d->to[k] != want)           /* every other trustee, ascending */
            return PROTO_VALUE;
    }
    st.setup_digest = c->setup_digest;
    st.dealer = d->dealer;
    st.Z = c->trustees[d->dealer - 1].Z;
    st.C = (const unsigned char (*)[CRYPTO_BYTES])d->C;
    st.t = d->t;
    st.R = d->R;
    st.to = d->to;
    st.ct = (const unsigned char (*)[CRYPTO_BYTES])d->ct;
    st.nshares = d->nshares;
    return proof_dealing_verify(&st, &d->proof);
}

/* --- verdicts (T4) ----------------------------------------------------------------------- */

/* The complaints' order and targets. */
static enum proto_reason ceremony_complaints_values(const struct ceremony *c,
                                                    const struct ceremony_verdict *v)
{
    uint32_t k, i;

    for (k = 0; k < v->q; k++) {
        i = v->complaints[k].dealer;
        if (k > 0 && i <= v->complaints[k - 1].dealer)
            return PROTO_VALUE;         /* strictly ascending by dealer */
        if (i == v->trustee || ceremony_dealing_of(c, i) == NULL)
            return PROTO_VALUE;         /* against oneself, or no dealing */
    }
    return PROTO_OK;
}

static enum proto_reason ceremony_verdict_proof(const struct ceremony *c,
                                                const struct ceremony_verdict *v)
{
    const unsigned char *R[PROTO_MAX_TRUSTEES], *K[PROTO_MAX_TRUSTEES];
    uint32_t dealers[PROTO_MAX_TRUSTEES], k;
    struct proof_verdict_statement st;

    for (k = 0; k < v->q; k++) {
        dealers[k] = v->complaints[k].dealer;
        R[k] = ceremony_dealing_of(c, dealers[k])->R;
        K[k] = v->complaints[k].K;
    }
    st.setup_digest = c->setup_digest;
    st.dealings_digest = c->dealings_digest;
    st.trustee = v->trustee;
    st.Z = c->trustees[v->trustee - 1].Z;
    st.q = v->q;
    st.dealers = dealers;
    st.R = R;
    st.K = K;
    return proof_verdict_verify(&st, &v->proof);
}

enum proto_reason ceremony_verdict_check(const struct ceremony *c,
                                         const struct ceremony_verdict *v)
{
    enum proto_reason why;
    uint32_t k;

    if (v->q > PROTO_MAX_TRUSTEES)
        return PROTO_SHAPE;
    for (k = 0; k < v->q; k++)
        if (crypto_point_check(v->complaints[k].K) != PROTO_OK)
            return PROTO_POINT;
    if (crypto_scalar_check(v->proof.c) != PROTO_OK || crypto_scalar_check(v->proof.s) != PROTO_OK)
        return PROTO_SCALAR;
    if (c->round == CEREMONY_ROUND_DEALINGS || v->trustee < 1 || v->trustee > c->n)
        return PROTO_VALUE;
    if (memcmp(v->dealings, c->dealings_digest, CRYPTO_BYTES) != 0)
        return PROTO_DEALINGS;
    for (k = 0; k < v->q; k++)
        if (crypto_point_is_identity(v->complaints[k].K))
            return PROTO_IDENTITY;
    if ((why = ceremony_complaints_values(c, v)) != PROTO_OK)
        return why;
    return ceremony_verdict_proof(c, v);
}

/* --- outcome (T5) ------------------------------------------------------------------------- */

/* Judges every complaint: upheld iff the share it opens is not good. */
static void ceremony_judge(struct ceremony *c)
{
    unsigned char u[CRYPTO_BYTES];
    const struct ceremony_verdict *v;
    uint32_t j, k, i;

    for (j = 1; j <= c->n; j++) {
        if ((v = c->verdicts[j - 1]) == NULL)
            continue;
        for (k = 0; k < v->q; k++) {
            i = v->complaints[k].dealer;
            if (ceremony_share_open(c, i, j, v->complaints[k].K, u) != 0 ||
                !ceremony_share_good(c, i, j, u))
                c->upheld[j - 1] |= (uint64_t)1 << (i - 1);
        }
    }
    sodium_memzero(u, sizeof u);
}

/* QUAL: a dealing, a verdict, no upheld complaint against. */
static void ceremony_qualify(struct ceremony *c)
{
    uint64_t against = 0;
    uint32_t i;

    for (i = 0; i < c->n; i++)
        against |= c->upheld[i];
    c->nqual = 0;
    for (i = 1; i <= c->n; i++)
        if (c->dealings[i - 1] != NULL && c->verdicts[i - 1] != NULL &&
            !(against & (uint64_t)1 << (i - 1)))
            c->qual[c->nqual++] = i;
}

/* Y_T = Σ C_{i,0}, X_j = Σ_k j^k·(Σ_i C_{i,k}) over QUAL. */
static enum proto_reason ceremony_keys(struct ceremony *c)
{
    unsigned char agg[PROTO_MAX_TRUSTEES][CRYPTO_BYTES];
    uint32_t k, q, j;

    memset(agg, 0, sizeof agg);
    for (q = 0; q < c->nqual; q++)
        for (k = 0; k < c->t; k++)
            if (crypto_point_add(agg[k], agg[k], c->dealings[c->qual[q] - 1]->C[k]) != 0)
                return PROTO_INTERNAL;
    memcpy(c->Y_T, agg[0], CRYPTO_BYTES);
    if (crypto_point_is_identity(c->Y_T))
        return PROTO_IDENTITY;
    for (q = 0; q < c->nqual; q++) {
        j = c->qual[q];
        if (poly_eval_commitments((const unsigned char (*)[CRYPTO_BYTES])agg, c->t, j,
                                  c->X[j - 1]) != 0)
            return PROTO_INTERNAL;
        if (crypto_point_is_identity(c->X[j - 1]))
            return PROTO_IDENTITY;
    }
    return PROTO_OK;
}

enum proto_reason ceremony_finish(struct ceremony *c)
{
    if (c->round == CEREMONY_ROUND_DONE)
        return c->outcome;
    if (ceremony_dealings_close(c) != 0)
        return PROTO_INTERNAL;
    assert(c->round == CEREMONY_ROUND_VERDICTS);     /* dealings, verdicts, done: in order */
    ceremony_judge(c);
    ceremony_qualify(c);
    if (ceremony_digest_ceremony(c, c->digest) != 0)
        return PROTO_INTERNAL;
    c->round = CEREMONY_ROUND_DONE;
    c->outcome = c->nqual < c->t ? PROTO_QUORUM : ceremony_keys(c);
    return c->outcome;
}

int ceremony_is_complete(const struct ceremony *c)
{
    return c->round == CEREMONY_ROUND_DONE && c->outcome == PROTO_OK;
}

int ceremony_complaint_upheld(const struct ceremony *c, uint32_t j, uint32_t i)
{
    if (c->round != CEREMONY_ROUND_DONE || j < 1 || j > c->n || i < 1 || i > c->n)
        return 0;
    return (c->upheld[j - 1] >> (i - 1)) & 1;
}

uint32_t ceremony_qual_count(const struct ceremony *c)
{
    return c->round == CEREMONY_ROUND_DONE ? c->nqual : 0;
}

uint32_t ceremony_qual_member(const struct ceremony *c, uint32_t k)
{
    return k < ceremony_qual_count(c) ? c->qual[k] : 0;
}

int ceremony_in_qual(const struct ceremony *c, uint32_t j)
{
    uint32_t k;

    for (k = 0; k < ceremony_qual_count(c); k++)
        if (c->qual[k] == j)
            return 1;
    return 0;
}

const unsigned char *ceremony_council_key(const struct ceremony *c)
{
    return ceremony_is_complete(c) ? c->Y_T : NULL;
}

const unsigned char *ceremony_verification_key(const struct ceremony *c, uint32_t j)
{
    return ceremony_is_complete(c) && ceremony_in_qual(c, j) ? c->X[j - 1] : NULL;
}

const unsigned char *ceremony_digest(const struct ceremony *c)
{
    return c->round == CEREMONY_ROUND_DONE ? c->digest : NULL;
}
