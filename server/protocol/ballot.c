/*
 * ballot.c — encrypted ballots (PROTOCOL §5): strict parsing, stateless
 * verification against a poll record, creation, tag, tracker, JSON output.
 *
 * A ballot lives in one allocation: the struct, its m choices, its sum-proof
 * pairs and its poll id. Parsing checks every encoding (hex, canonical point
 * encodings, scalars < l) and computes the tracker; that a point is on the
 * curve is established by the first proof that uses it, so a ballot is only
 * known good after ballot_verify. The proofs are verified with the record's
 * fingerprint, never the ballot's own (a ballot whose fingerprint is another
 * poll's is rejected first).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ballot_int.h"
#include "group.h"
#include "pubmul.h"
#include "sjson.h"

const char *const ballot_keys_post[6] = {
    "poll", "fingerprint", "tag", "choices", "sum_proof", "replaces"
};
const char *const ballot_keys_board[6] = {
    "poll", "fingerprint", "tag", "choices", "sum_proof", "tracker"
};
const char *const ballot_choice_keys[3] = { "alpha", "beta", "proof" };
const char *const ballot_pair_keys[2] = { "c", "s" };

struct ballot *ballot_alloc(uint32_t m, uint32_t nsum, const char *poll, size_t poll_len)
{
    size_t size = sizeof(struct ballot) + (size_t)m * sizeof(struct ballot_choice) +
                  (size_t)nsum * sizeof(struct proof_pair) + poll_len + 1;
    struct ballot *b;

    if (m > PROTO_MAX_OPTIONS || nsum > PROTO_MAX_OPTIONS + 1 || poll_len > PROTO_MAX_STRING)
        return NULL;
    b = calloc(1, size);
    if (b == NULL)
        return NULL;
    b->m = m;
    b->nsum = nsum;
    b->choices = (struct ballot_choice *)(void *)(b + 1);
    b->sum = (struct proof_pair *)(void *)(b->choices + m);
    b->poll = (char *)(b->sum + nsum);
    memcpy(b->poll, poll, poll_len);
    b->poll_len = poll_len;
    return b;
}

void ballot_free(struct ballot *b)
{
    if (b == NULL)
        return;
    sodium_memzero(b->replaces, sizeof b->replaces);  /* the replaced ballot's ρ */
    free(b);
}

/* --- tag, tracker -------------------------------------------------------------- */

int ballot_tag_from_rho(const unsigned char fingerprint[CRYPTO_BYTES],
                        const unsigned char rho[CRYPTO_BYTES], unsigned char tag[CRYPTO_BYTES])
{
    struct crypto_hash h;

    crypto_hash_init(&h, CRYPTO_HD, "tag");
    crypto_hash_b32(&h, fingerprint);
    crypto_hash_b32(&h, rho);
    return crypto_hash_final_digest(&h, tag);
}

static void ballot_hash_pair(struct crypto_hash *h, const struct proof_pair *p)
{
    crypto_hash_b32(h, p->c);
    crypto_hash_b32(h, p->s);
}

int ballot_compute_tracker(struct ballot *b)
{
    struct crypto_hash h;
    uint32_t j;

    crypto_hash_init(&h, CRYPTO_HD, "ballot");
    crypto_hash_b32(&h, b->fingerprint);
    crypto_hash_b32(&h, b->tag);
    for (j = 0; j < b->m; j++) {
        crypto_hash_b32(&h, b->choices[j].alpha);
        crypto_hash_b32(&h, b->choices[j].beta);
        ballot_hash_pair(&h, &b->choices[j].proof[0]);
        ballot_hash_pair(&h, &b->choices[j].proof[1]);
    }
    for (j = 0; j < b->nsum; j++)
        ballot_hash_pair(&h, &b->sum[j]);
    return crypto_hash_final_digest(&h, b->tracker);
}

enum proto_reason ballot_check_tracker(const struct ballot *b)
{
    if (!b->has_claimed_tracker)
        return PROTO_OK;
    return memcmp(b->tracker, b->claimed_tracker, CRYPTO_BYTES) == 0 ? PROTO_OK : PROTO_TRACKER;
}

int ballot_replaces_tag(const struct ballot *b, unsigned char tag[CRYPTO_BYTES])
{
    if (!b->has_replaces)
        return -1;
    return ballot_tag_from_rho(b->fingerprint, b->replaces, tag);
}

/* --- parsing ------------------------------------------------------------------- */

static enum proto_reason ballot_get_pair(const json_t *v, struct proof_pair *p)
{
    enum proto_reason why;

    if ((why = sjson_object_exact(v, ballot_pair_keys, 2)) != PROTO_OK ||
        (why = sjson_get_hex(v, "c", p->c, CRYPTO_BYTES)) != PROTO_OK ||
        (why = sjson_get_hex(v, "s", p->s, CRYPTO_BYTES)) != PROTO_OK ||
        (why = crypto_scalar_check(p->c)) != PROTO_OK)
        return why;
    return crypto_scalar_check(p->s);
}

/* Only the encoding: whether α_j, β_j are on the curve shows in the first
 * scalar multiplication of ballot_verify, which decodes them anyway (a full
 * check here would decode every point once more: 2% of a verification). */
static enum proto_reason ballot_get_point(const json_t *obj, const char *key,
                                          unsigned char out[CRYPTO_BYTES])
{
    enum proto_reason why = sjson_get_hex(obj, key, out, CRYPTO_BYTES);

    return why != PROTO_OK ? why : crypto_point_check_encoding(out);
}

static enum proto_reason ballot_get_choice(const json_t *v, struct ballot_choice *ch)
{
    enum proto_reason why;
    const json_t *proof;

    if ((why = sjson_object_exact(v, ballot_choice_keys, 3)) != PROTO_OK ||
        (why = sjson_get_array(v, "proof", 2, 2, &proof)) != PROTO_OK ||
        (why = ballot_get_point(v, "alpha", ch->alpha)) != PROTO_OK ||
        (why = ballot_get_point(v, "beta", ch->beta)) != PROTO_OK ||
        (why = ballot_get_pair(json_array_get(proof, 0), &ch->proof[0])) != PROTO_OK ||
        (why = ballot_get_pair(json_array_get(proof, 1), &ch->proof[1])) != PROTO_OK)
        return why;
    /* PROTOCOL §5: α_j non-identity */
    return crypto_point_is_identity(ch->alpha) ? PROTO_IDENTITY : PROTO_OK;
}

/* The top-level key set of the form; *replaces tells whether it is present. */
static enum proto_reason ballot_check_keys(const json_t *obj, enum ballot_form form,
                                           int *replaces)
{
    *replaces = 0;
    if (form == BALLOT_FORM_BOARD)
        return sjson_object_exact(obj, ballot_keys_board, 6);
    if (json_object_get(obj, "replaces") != NULL) {
        *replaces = 1;
        return sjson_object_exact(obj, ballot_keys_post, 6);
    }
    return sjson_object_exact(obj, ballot_keys_post, 5);
}

static enum proto_reason ballot_fill(struct ballot *b, const json_t *obj, const json_t *choices,
                                     const json_t *sum)
{
    enum proto_reason why;
    uint32_t j;

    if ((why = sjson_get_hex(obj, "fingerprint", b->fingerprint, CRYPTO_BYTES)) != PROTO_OK ||
        (why = sjson_get_hex(obj, "tag", b->tag, CRYPTO_BYTES)) != PROTO_OK)
        return why;
    for (j = 0; j < b->m; j++)
        if ((why = ballot_get_choice(json_array_get(choices, j), &b->choices[j])) != PROTO_OK)
            return why;
    for (j = 0; j < b->nsum; j++)
        if ((why = ballot_get_pair(json_array_get(sum, j), &b->sum[j])) != PROTO_OK)
            return why;
    if (b->has_replaces &&
        (why = sjson_get_hex(obj, "replaces", b->replaces, CRYPTO_BYTES)) != PROTO_OK)
        return why;
    if (b->has_claimed_tracker &&
        (why = sjson_get_hex(obj, "tracker", b->claimed_tracker, CRYPTO_BYTES)) != PROTO_OK)
        return why;
    return ballot_compute_tracker(b) == 0 ? PROTO_OK : PROTO_INTERNAL;
}

enum proto_reason ballot_from_json(const json_t *obj, enum ballot_form form, struct ballot **out)
{
    const json_t *choices, *sum;
    enum proto_reason why;
    struct ballot *b;
    const char *poll;
    size_t poll_len;
    int replaces;

    *out = NULL;
    if ((why = ballot_check_keys(obj, form, &replaces)) != PROTO_OK ||
        (why = sjson_get_str(obj, "poll", PROTO_MAX_STRING, &poll, &poll_len)) != PROTO_OK ||
        (why = sjson_get_array(obj, "choices", 1, PROTO_MAX_OPTIONS, &choices)) != PROTO_OK ||
        (why = sjson_get_array(obj, "sum_proof", 1, PROTO_MAX_OPTIONS + 1, &sum)) != PROTO_OK)
        return why;
    b = ballot_alloc((uint32_t)json_array_size(choices), (uint32_t)json_array_size(sum), poll,
                     poll_len);
    if (b == NULL)
        return PROTO_INTERNAL;
    b->has_replaces = replaces;
    b->has_claimed_tracker = form == BALLOT_FORM_BOARD;
    if ((why = ballot_fill(b, obj, choices, sum)) != PROTO_OK) {
        ballot_free(b);
        return why;
    }
    *out = b;
    return PROTO_OK;
}

/* --- verification --------------------------------------------------------------- */

/* Hs("choice", fingerprint, tag, u32(j), ...) so far. */
static void ballot_choice_prefix(struct crypto_hash *h, const unsigned char fp[CRYPTO_BYTES],
                                 const unsigned char tag[CRYPTO_BYTES], uint32_t j)
{
    crypto_hash_init(h, CRYPTO_HS, "choice");
    crypto_hash_b32(h, fp);
    crypto_hash_b32(h, tag);
    crypto_hash_u32(h, j);
}

/* Hs("sum", fingerprint, tag, α_0, β_0, ..., α_{m-1}, β_{m-1}, ...) so far. */
static void ballot_sum_prefix(struct crypto_hash *h, const struct ballot *b,
                              const unsigned char fp[CRYPTO_BYTES])
{
    uint32_t j;

    crypto_hash_init(h, CRYPTO_HS, "sum");
    crypto_hash_b32(h, fp);
    crypto_hash_b32(h, b->tag);
    for (j = 0; j < b->m; j++) {
        crypto_hash_b32(h, b->choices[j].alpha);
        crypto_hash_b32(h, b->choices[j].beta);
    }
}

/* α = Σ α_j, β = Σ β_j with libsodium, for the prover. 0 or -1. */
static int ballot_sum_points(const struct ballot *b, unsigned char alpha[CRYPTO_BYTES],
                             unsigned char beta[CRYPTO_BYTES])
{
    uint32_t j;

    memcpy(alpha, b->choices[0].alpha, CRYPTO_BYTES);
    memcpy(beta, b->choices[0].beta, CRYPTO_BYTES);
    for (j = 1; j < b->m; j++)
        if (crypto_point_add(alpha, alpha, b->choices[j].alpha) != 0 ||
            crypto_point_add(beta, beta, b->choices[j].beta) != 0)
            return -1;
    return 0;
}

/* A ballot's α_j and β_j as ballot_verify_points decoded them. */
struct ballot_points {
    uint32_t m;
    struct group_point *alpha, *beta;           /* m each, in one block */
};

void ballot_points_free(struct ballot_points *p)
{
    free(p);
}

uint32_t ballot_points_count(const struct ballot_points *p)
{
    return p->m;
}

const struct group_point *ballot_points_alpha(const struct ballot_points *p, uint32_t j)
{
    return &p->alpha[j];
}

const struct group_point *ballot_points_beta(const struct ballot_points *p, uint32_t j)
{
    return &p->beta[j];
}

/* Room for m choices' points (m <= PROTO_MAX_OPTIONS), or NULL. */
static struct ballot_points *ballot_points_new(uint32_t m)
{
    struct ballot_points *p;

    if (m == 0 || m > PROTO_MAX_OPTIONS ||
        (p = malloc(sizeof *p + 2 * (size_t)m * sizeof(struct group_point))) == NULL)
        return NULL;
    p->m = m;
    p->alpha = (struct group_point *)(void *)(p + 1);
    p->beta = p->alpha + m;
    return p;
}

/* The choice proofs, then the sum proof on α = Σ α_j, β = Σ β_j (summed in
 * extended coordinates, each point decoded once for both). Each α_j, β_j is
 * left decoded in PTS when not NULL. */
static enum proto_reason ballot_verify_proofs(const struct ballot *b, const struct record *rec,
                                              struct ballot_points *pts)
{
    const unsigned char *fp = record_fingerprint(rec);
    const struct pubmul_key *Y = record_public_key_table(rec);
    unsigned char alpha[CRYPTO_BYTES], beta[CRYPTO_BYTES];
    struct group_point a_one, b_one, asum, bsum, *a, *bj;
    enum proto_reason why;
    struct crypto_hash h;
    uint32_t j;

    group_identity(&asum);
    group_identity(&bsum);
    for (j = 0; j < b->m; j++) {
        a = pts != NULL ? &pts->alpha[j] : &a_one;
        bj = pts != NULL ? &pts->beta[j] : &b_one;
        if (group_decode(bj, b->choices[j].beta) != 0 ||
            group_decode(a, b->choices[j].alpha) != 0)
            return PROTO_POINT;
        ballot_choice_prefix(&h, fp, b->tag, j);
        why = proof_interval_verify_key(&h, Y, b->choices[j].alpha, b->choices[j].beta, a, bj,
                                        0, 1, b->choices[j].proof, NULL);
        if (why != PROTO_OK)
            return why;
        group_add(&asum, &asum, a);
        group_add(&bsum, &bsum, bj);
    }
    ballot_sum_prefix(&h, b, fp);
    group_encode(alpha, &asum);
    group_encode(beta, &bsum);
    return proof_interval_verify_key(&h, Y, alpha, beta, &asum, &bsum, record_min(rec),
                                     record_max(rec), b->sum, NULL);
}

/* The checks of ballot_verify before the proofs. */
static enum proto_reason ballot_verify_shape(const struct ballot *b, const struct record *rec)
{
    size_t id_len;
    const char *id = record_id(rec, &id_len);
    uint32_t i, j;

    if (b->m != record_option_count(rec) ||
        b->nsum != record_max(rec) - record_min(rec) + 1)
        return PROTO_SHAPE;
    if (b->poll_len != id_len || memcmp(b->poll, id, id_len) != 0)
        return PROTO_POLL;
    if (memcmp(b->fingerprint, record_fingerprint(rec), CRYPTO_BYTES) != 0)
        return PROTO_FINGERPRINT;
    for (i = 0; i < b->m; i++) {
        if (crypto_point_is_identity(b->choices[i].alpha))
            return PROTO_IDENTITY;
        for (j = 0; j < i; j++)
            if (memcmp(b->choices[i].alpha, b->choices[j].alpha, CRYPTO_BYTES) == 0)
                return PROTO_DUPLICATE_ALPHA;
    }
    return PROTO_OK;
}

enum proto_reason ballot_verify(const struct ballot *b, const struct record *rec)
{
    enum proto_reason why = ballot_verify_shape(b, rec);

    return why != PROTO_OK ? why : ballot_verify_proofs(b, rec, NULL);
}

enum proto_reason ballot_verify_points(const struct ballot *b, const struct record *rec,
                                       struct ballot_points **out)
{
    enum proto_reason why = ballot_verify_shape(b, rec);
    struct ballot_points *pts;

    *out = NULL;
    if (why != PROTO_OK)
        return why;
    if ((pts = ballot_points_new(b->m)) == NULL)
        return PROTO_INTERNAL;
    if ((why = ballot_verify_proofs(b, rec, pts)) != PROTO_OK) {
        ballot_points_free(pts);
        return why;
    }
    *out = pts;
    return PROTO_OK;
}

/* --- creation ------------------------------------------------------------------- */

/* α_j = r_j·G, β_j = v_j·G + r_j·Y for every j (r_j drawn non-zero). */
static int ballot_encrypt(struct ballot *b, const uint8_t *votes, const unsigned char *Y,
                          const struct crypto_rng *rng, unsigned char (*r)[CRYPTO_BYTES])
{
    uint32_t j;

    for (j = 0; j < b->m; j++)
        crypto_rng_scalar_nonzero(rng, r[j]);
    for (j = 0; j < b->m; j++) {
        struct ballot_choice *ch = &b->choices[j];

        if (crypto_point_mul_base(ch->alpha, r[j]) != 0 || crypto_point_mul(ch->beta, r[j], Y))
            return -1;
        if (votes[j] && crypto_point_add(ch->beta, ch->beta, crypto_point_base()) != 0)
            return -1;
    }
    return 0;
}

static int ballot_prove(struct ballot *b, const struct record *rec, const uint8_t *votes,
                        unsigned char (*r)[CRYPTO_BYTES], const struct crypto_rng *rng)
{
    const unsigned char *fp = record_fingerprint(rec), *Y = record_public_key(rec);
    unsigned char alpha[CRYPTO_BYTES], beta[CRYPTO_BYTES], rsum[CRYPTO_BYTES];
    struct crypto_hash h;
    uint32_t j, total = 0;
    int rc = -1;

    memset(rsum, 0, sizeof rsum);
    for (j = 0; j < b->m; j++) {
        ballot_choice_prefix(&h, fp, b->tag, j);
        if (proof_interval_prove(&h, Y, b->choices[j].alpha, b->choices[j].beta, 0, 1, votes[j],
                                 r[j], rng, b->choices[j].proof, NULL) != 0)
            goto out;
        crypto_core_ristretto255_scalar_add(rsum, rsum, r[j]);
        total += votes[j];
    }
    ballot_sum_prefix(&h, b, fp);
    if (ballot_sum_points(b, alpha, beta) != 0)
        goto out;
    rc = proof_interval_prove(&h, Y, alpha, beta, record_min(rec), record_max(rec), total, rsum,
                              rng, b->sum, NULL);
out:
    sodium_memzero(rsum, sizeof rsum);
    return rc;
}

int ballot_create(const struct record *rec, const uint8_t *votes,
                  const unsigned char rho[CRYPTO_BYTES], const unsigned char *replaces_rho,
                  const struct crypto_rng *rng, struct ballot **out)
{
    uint32_t m = record_option_count(rec), j, total = 0;
    unsigned char r[PROTO_MAX_OPTIONS][CRYPTO_BYTES];
    size_t id_len;
    const char *id = record_id(rec, &id_len);
    struct ballot *b = NULL;
    int rc = -1;

    *out = NULL;
    for (j = 0; j < m; j++) {
        if (votes[j] > 1)
            goto out;
        total += votes[j];
    }
    if (total < record_min(rec) || total > record_max(rec))
        goto out;
    b = ballot_alloc(m, record_max(rec) - record_min(rec) + 1, id, id_len);
    if (b == NULL)
        goto out;
    memcpy(b->fingerprint, record_fingerprint(rec), CRYPTO_BYTES);
    if (ballot_tag_from_rho(b->fingerprint, rho, b->tag) != 0)
        goto out;
    if (replaces_rho != NULL) {
        b->has_replaces = 1;
        memcpy(b->replaces, replaces_rho, CRYPTO_BYTES);
    }
    if (ballot_encrypt(b, votes, record_public_key(rec), rng, r) != 0 ||
        ballot_prove(b, rec, votes, r, rng) != 0 || ballot_compute_tracker(b) != 0)
        goto out;
    *out = b;
    b = NULL;
    rc = 0;
out:
    sodium_memzero(r, sizeof r);
    ballot_free(b);
    return rc;
}

/* --- output --------------------------------------------------------------------- */

static void ballot_write_pairs(struct sjson_out *o, const struct proof_pair *p, uint32_t n)
{
    uint32_t i;

    sjson_out_begin_array(o);
    for (i = 0; i < n; i++) {
        sjson_out_begin_object(o);
        sjson_out_key(o, "c");
        sjson_out_hex(o, p[i].c, CRYPTO_BYTES);
        sjson_out_key(o, "s");
        sjson_out_hex(o, p[i].s, CRYPTO_BYTES);
        sjson_out_end_object(o);
    }
    sjson_out_end_array(o);
}

void ballot_write(const struct ballot *b, enum ballot_form form, struct sjson_out *o)
{
    uint32_t j;

    sjson_out_begin_object(o);
    sjson_out_key(o, "poll");
    sjson_out_string(o, b->poll, b->poll_len);
    sjson_out_key(o, "fingerprint");
    sjson_out_hex(o, b->fingerprint, CRYPTO_BYTES);
    sjson_out_key(o, "tag");
    sjson_out_hex(o, b->tag, CRYPTO_BYTES);
    sjson_out_key(o, "choices");
    sjson_out_begin_array(o);
    for (j = 0; j < b->m; j++) {
        sjson_out_begin_object(o);
        sjson_out_key(o, "alpha");
        sjson_out_hex(o, b->choices[j].alpha, CRYPTO_BYTES);
        sjson_out_key(o, "beta");
        sjson_out_hex(o, b->choices[j].beta, CRYPTO_BYTES);
        sjson_out_key(o, "proof");
        ballot_write_pairs(o, b->choices[j].proof, 2);
        sjson_out_end_object(o);
    }
    sjson_out_end_array(o);
    sjson_out_key(o, "sum_proof");
    ballot_write_pairs(o, b->sum, b->nsum);
    if (form == BALLOT_FORM_BOARD) {
        sjson_out_key(o, "tracker");
        sjson_out_hex(o, b->tracker, CRYPTO_BYTES);
    } else if (b->has_replaces) {
        sjson_out_key(o, "replaces");
        sjson_out_hex(o, b->replaces, CRYPTO_BYTES);
    }
    sjson_out_end_object(o);
}

char *ballot_serialize(const struct ballot *b, enum ballot_form form, int pretty, size_t *len)
{
    struct sjson_out o;

    sjson_out_init(&o, pretty, PROTO_MAX_BALLOT);
    ballot_write(b, form, &o);
    return sjson_out_finish(&o, len);
}

/* --- accessors ------------------------------------------------------------------ */

const char *ballot_poll(const struct ballot *b, size_t *len)
{
    if (len != NULL)
        *len = b->poll_len;
    return b->poll;
}

const unsigned char *ballot_fingerprint(const struct ballot *b) { return b->fingerprint; }
const unsigned char *ballot_tag(const struct ballot *b) { return b->tag; }
const unsigned char *ballot_tracker(const struct ballot *b) { return b->tracker; }
uint32_t ballot_choice_count(const struct ballot *b) { return b->m; }
uint32_t ballot_sum_count(const struct ballot *b) { return b->nsum; }
const struct proof_pair *ballot_sum_proof(const struct ballot *b) { return b->sum; }

const unsigned char *ballot_alpha(const struct ballot *b, uint32_t j)
{
    return b->choices[j].alpha;
}

const unsigned char *ballot_beta(const struct ballot *b, uint32_t j)
{
    return b->choices[j].beta;
}

const struct proof_pair *ballot_choice_proof(const struct ballot *b, uint32_t j)
{
    return b->choices[j].proof;
}

const unsigned char *ballot_replaces(const struct ballot *b)
{
    return b->has_replaces ? b->replaces : NULL;
}
