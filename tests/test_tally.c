/*
 * test_tally.c — tally.json election by election: the cast ballots made again
 * from their streams, aggregates, every decryption share from the shares
 * stream, D_j, T_j, counts, the sum check, rule, ballots digest (and its
 * input), the result message and signature; then the two-thirds rule at its
 * edges and count recovery on elections made here.
 */
#include <sodium.h>

#include "harness.h"
#include "vectors.h"

#include "tally.h"

#define MAXB 16

struct election {
    const json_t *e;
    struct record *rec;
    struct tally *t;
    uint32_t m, K, N;
    struct proof_share shares[4][8];
    const struct proof_share *rows[4];
    unsigned char trackers[MAXB][32];
};

static int tracker_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

/* The cast ballots: parsed, verified, made again from their streams. */
static void election_ballots(struct election *el)
{
    const json_t *cast = vec_at(el->e, "ballots_in_cast_order");
    size_t i, j;

    for (i = 0; i < json_array_size(cast) && i < MAXB; i++) {
        const json_t *c = json_array_get(cast, i);
        char *text = vec_compact(vec_at(c, "ballot")), *again_text = NULL;
        struct ballot *b = NULL, *again = NULL;
        struct crypto_rng_stream st;
        struct crypto_rng rng = vec_rng(&st, vec_str(c, "rng_seed"));
        unsigned char rho[32];
        uint8_t votes[8] = { 0 };

        CHECK(ballot_parse(text, strlen(text), BALLOT_FORM_POST, &b) == PROTO_OK &&
              ballot_verify(b, el->rec) == PROTO_OK, "cast ballot verifies");
        CHECK(b != NULL && vec_eq(c, "tracker", ballot_tracker(b), 32), "cast ballot tracker");
        CHECK(b != NULL && tally_add(el->t, b) == 0, "tally_add");
        if (b != NULL)
            memcpy(el->trackers[i], ballot_tracker(b), 32);
        for (j = 0; j < el->m && j < 8; j++)
            votes[j] = (uint8_t)json_integer_value(json_array_get(vec_at(c, "votes"), j));
        crypto_rng_bytes(&rng, rho, 32);
        CHECK(vec_eq(c, "rho", rho, 32), "rho draw");
        CHECK(ballot_create(el->rec, votes, rho, NULL, &rng, &again) == 0 &&
              (again_text = ballot_serialize(again, BALLOT_FORM_POST, 0, NULL)) != NULL, "made");
        /* election-identity's ballot 1 overrides r_0 = -(ballot 0's r_0) */
        if (strcmp(vec_str(el->e, "name"), "election-identity") != 0 || i != 1)
            CHECK(again_text != NULL && strcmp(again_text, text) == 0,
                  "cast ballot made again byte for byte");
        else
            CHECK(again_text != NULL && strcmp(again_text, text) != 0, "overridden r_0 differs");
        free(again_text);
        free(text);
        ballot_free(b);
        ballot_free(again);
    }
    el->N = (uint32_t)json_array_size(cast);
}

static void election_shares(struct election *el)
{
    struct crypto_rng_stream st;
    struct crypto_rng rng = vec_rng(&st, vec_str(el->e, "shares_rng_seed"));
    const json_t *vs = vec_at(el->e, "shares");
    uint32_t k, j;
    char path[64];

    for (k = 0; k < el->K; k++) {
        unsigned char x[32];

        el->rows[k] = el->shares[k];
        snprintf(path, sizeof path, "holder_secrets[%u].x", (unsigned)k);
        CHECK_EQ_INT(vec_bytes(el->e, path, x, 32), 0, "holder secret");
        if (el->N == 0)
            continue;   /* PROTOCOL §6: no decryption when N = 0 */
        CHECK_EQ_INT(tally_shares_create(el->rec, k, x, el->t, &rng, el->shares[k]), 0, "shares");
        CHECK_EQ_INT(tally_shares_verify(el->rec, k, el->t, el->shares[k]), PROTO_OK,
                     "shares verify");
        for (j = 0; j < el->m; j++) {
            const json_t *v = json_array_get(vs, k * el->m + j);

            CHECK(vec_eq(v, "D", el->shares[k][j].D, 32) && vec_eq(v, "c", el->shares[k][j].c, 32)
                  && vec_eq(v, "s", el->shares[k][j].s, 32), "share D, c, s");
        }
        if (el->m > 1)
            CHECK(tally_shares_verify(el->rec, (k + 1) % el->K == k ? k : (k + 1) % el->K, el->t,
                                      el->shares[k]) != PROTO_OK || el->K == 1,
                  "shares bound to their holder");
    }
    CHECK_EQ_INT(json_array_size(vs), (el->N ? el->K * el->m : 0), "share count");
}

/* D_j, T_j of the vectors, recomputed here. */
static void election_combined(struct election *el)
{
    uint32_t j, k;
    char path[64];

    for (j = 0; j < el->m; j++) {
        unsigned char D[32], T[32], A[32], B[32];

        tally_A(el->t, j, A);
        tally_B(el->t, j, B);
        memset(D, 0, 32);
        for (k = 0; el->N > 0 && k < el->K; k++)
            CHECK_EQ_INT(crypto_point_add(D, D, el->shares[k][j].D), 0, "D sum");
        CHECK_EQ_INT(crypto_point_sub(T, B, D), 0, "T");
        snprintf(path, sizeof path, "combined[%u]", (unsigned)j);
        CHECK(vec_eq(vec_at(el->e, path), "D", D, 32) && vec_eq(vec_at(el->e, path), "T", T, 32),
              "D_j and T_j");
        snprintf(path, sizeof path, "aggregates[%u]", (unsigned)j);
        CHECK(vec_eq(vec_at(el->e, path), "A", A, 32) &&
              vec_eq(vec_at(el->e, path), "B", B, 32), "A_j and B_j");
    }
}

static void election_result(struct election *el, const struct sign_key *key)
{
    const json_t *sr = vec_at(el->e, "signed_result");
    unsigned char digest[32], tap[2048];
    struct tally_result res;
    struct sign_result view;
    struct crypto_hash h;
    char msg[1024];
    uint32_t i, j;

    qsort(el->trackers, el->N, 32, tracker_cmp);
    for (i = 0; i < el->N; i++) {
        char path[32];

        snprintf(path, sizeof path, "board_order[%u]", (unsigned)i);
        CHECK(vec_eq(el->e, path, el->trackers[i], 32), "board order");
    }
    CHECK(tally_ballots_digest(record_fingerprint(el->rec),
                               (const unsigned char (*)[32])el->trackers, el->N, digest) == 0 &&
          vec_eq(sr, "ballots_digest", digest, 32), "ballots digest");
    crypto_hash_init_tap(&h, CRYPTO_HD, "ballots", tap, sizeof tap);
    crypto_hash_b32(&h, record_fingerprint(el->rec));
    crypto_hash_u32(&h, el->N);
    for (i = 0; i < el->N; i++)
        crypto_hash_b32(&h, el->trackers[i]);
    CHECK(vec_eq_blob(sr, "ballots_digest_input", tap, h.tap_len), "ballots digest input");
    CHECK_EQ_INT(tally_result_make(el->rec, el->t, el->rows,
                                   (const unsigned char (*)[32])el->trackers, key, &res),
                 PROTO_OK, "result");
    for (j = 0; j < el->m; j++)
        CHECK_EQ_INT(res.counts[j],
                     (uint32_t)json_integer_value(json_array_get(vec_at(el->e, "counts"), j)),
                     "count");
    CHECK(res.ballots == el->N && res.eligible == (uint32_t)vec_int(el->e, "result.eligible"),
          "ballots and eligible");
    CHECK((res.verdict == PROTO_VERDICT_NONE) == json_is_null(vec_at(el->e, "passed")) &&
          (res.verdict == PROTO_VERDICT_PASSED) == json_is_true(vec_at(el->e, "passed")), "passed");
    tally_result_view(el->rec, &res, &view);
    CHECK(sign_result_message(&view, msg, sizeof msg) > 0 &&
          strcmp(msg, vec_str(sr, "message")) == 0, "result message");
    CHECK(vec_eq(sr, "signature", res.signature, 64), "result signature");
    CHECK_EQ_INT(sign_result_verify(sign_key_public(key), &view, res.signature), 0,
                 "signature verifies");
    view.ballots++;
    CHECK_NE_INT(sign_result_verify(sign_key_public(key), &view, res.signature), 0,
                 "signature bound to N");
}

static void test_elections(void)
{
    json_t *root = vec_load("tally.json"), *els = vec_at(root, "elections");
    struct sign_key *key = NULL;
    unsigned char seed[32];
    size_t i;

    CHECK(vec_bytes(root, "server_key.signing_seed", seed, 32) == 0 &&
          sign_key_from_seed(seed, &key) == 0, "server key");
    CHECK_EQ_INT(json_array_size(els), 4, "tally.json has 4 elections");
    for (i = 0; key != NULL && i < json_array_size(els); i++) {
        struct election el;

        memset(&el, 0, sizeof el);
        el.e = json_array_get(els, i);
        CHECK_EQ_INT(record_from_json(vec_at(el.e, "poll"), &el.rec), PROTO_OK,
                     vec_str(el.e, "name"));
        if (el.rec == NULL)
            continue;
        el.m = record_option_count(el.rec);
        el.K = record_holder_count(el.rec);
        el.t = tally_new(el.m);
        election_ballots(&el);
        CHECK_EQ_INT(tally_ballot_count(el.t), (uint32_t)vec_int(el.e, "N"), "N");
        election_shares(&el);
        election_combined(&el);
        election_result(&el, key);
        tally_free(el.t);
        record_free(el.rec);
    }
    sign_key_free(key);
    json_decref(root);
}

static void test_rule(void)
{
    static const uint32_t cases[][3] = {
        /* yes, no, passed */
        { 0, 0, 0 }, { 1, 0, 1 }, { 0, 1, 0 }, { 2, 1, 1 }, { 1, 1, 0 }, { 4, 2, 1 },
        { 5, 3, 0 }, { 5, 2, 1 }, { 199, 100, 0 }, { 200, 100, 1 }, { 201, 100, 1 },
        { 4294967295u, 2147483647u, 1 }, { 4294967294u, 2147483648u, 0 },
    };
    struct record *promo = vec_record("poll-1"), *other = vec_record("poll-2");
    uint32_t counts[3] = { 1, 0, 0 };
    size_t i;

    CHECK(promo != NULL && other != NULL, "records");
    for (i = 0; promo != NULL && i < sizeof cases / sizeof cases[0]; i++) {
        char what[80];

        snprintf(what, sizeof what, "two-thirds: %u yes, %u no", (unsigned)cases[i][0],
                 (unsigned)cases[i][1]);
        CHECK_EQ_INT(tally_verdict(promo, cases[i]),
                     (cases[i][2] ? PROTO_VERDICT_PASSED : PROTO_VERDICT_FAILED), what);
    }
    CHECK(other != NULL && tally_verdict(other, counts) == PROTO_VERDICT_NONE, "rule none");
    record_free(promo);
    record_free(other);
}

/* A ballot whose choice 1 has a well-encoded α that is no point (s = 2): adding
 * or removing it fails after choice 0 was applied, and t is left as it was. */
static void test_rollback(struct tally *t, const struct ballot *good)
{
    size_t len = 0;
    char *text = ballot_serialize(good, BALLOT_FORM_POST, 0, &len), *bad_text = NULL;
    json_t *doc = text != NULL ? json_loads(text, 0, NULL) : NULL;
    struct ballot *bad = NULL;
    unsigned char A0[32], B0[32], A1[32], A0_after[32], B0_after[32], A1_after[32];
    uint32_t n = tally_ballot_count(t);
    int sign;

    json_object_set_new(json_array_get(json_object_get(doc, "choices"), 1), "alpha",
                        json_string("0200000000000000000000000000000000000000000000000000000000000000"));
    bad_text = doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    CHECK(bad_text != NULL &&
          ballot_parse(bad_text, strlen(bad_text), BALLOT_FORM_POST, &bad) == PROTO_OK,
          "a ballot with an off-curve alpha parses (encodings only)");
    tally_A(t, 0, A0);
    tally_B(t, 0, B0);
    tally_A(t, 1, A1);
    for (sign = 1; sign >= -1; sign -= 2) {
        CHECK(bad != NULL && (sign > 0 ? tally_add(t, bad) : tally_remove(t, bad)) != 0,
              sign > 0 ? "adding it fails" : "removing it fails");
        tally_A(t, 0, A0_after);
        tally_B(t, 0, B0_after);
        tally_A(t, 1, A1_after);
        CHECK(memcmp(A0, A0_after, 32) == 0 && memcmp(B0, B0_after, 32) == 0 &&
              memcmp(A1, A1_after, 32) == 0 && tally_ballot_count(t) == n,
              "and the aggregate is as it was (choice 0 undone)");
    }
    ballot_free(bad);
    free(bad_text);
    json_decref(doc);
    free(text);
}

/* An election made here: N ballots with known votes; counts recovered. */
static void test_recovery(void)
{
    static const char *const opts[] = { "a", "b", "c" }, *const roll[] = { "v" };
    static const uint32_t checkpoints[] = { 1, 2, 3, 4, 9, 10, 17, 40 };
    struct crypto_rng rng = crypto_rng_system();
    struct record_params p = { "poll-r", "q?", opts, 3, 0, 2, "2025-01-01T00:00:00Z",
                               "2025-01-02T00:00:00Z", roll, 1 };
    uint32_t truth[3] = { 0, 0, 0 }, counts[3], n, c = 0, j;
    struct proof_share shares[3];
    const struct proof_share *rows[1] = { shares };
    struct record *rec = NULL;
    struct ballot *last = NULL;
    struct tally *t = tally_new(3);
    unsigned char x0[32], rho[32];
    uint8_t votes[3] = { 0, 0, 0 };

    CHECK(record_create(&p, NULL, 0, &rng, &rec, x0) == PROTO_OK && t != NULL, "record");
    for (n = 1; rec != NULL && n <= 40; n++) {
        struct ballot *b = NULL;

        votes[0] = (uint8_t)(n % 2);
        votes[1] = (uint8_t)(n % 3 == 0);
        votes[2] = (uint8_t)(n % 7 == 0 && votes[0] + votes[1] < 2);
        crypto_rng_bytes(&rng, rho, 32);
        CHECK(ballot_create(rec, votes, rho, NULL, &rng, &b) == 0 && tally_add(t, b) == 0, "add");
        for (j = 0; j < 3; j++)
            truth[j] += votes[j];
        ballot_free(last);
        last = b;
        if (c < sizeof checkpoints / sizeof checkpoints[0] && checkpoints[c] == n) {
            c++;
            CHECK(tally_shares_create(rec, 0, x0, t, &rng, shares) == 0 &&
                  tally_counts(rec, t, rows, counts) == PROTO_OK &&
                  memcmp(counts, truth, sizeof truth) == 0, "counts recovered");
        }
    }
    /* remove the last ballot (a replacement): the counts follow */
    CHECK(last != NULL && tally_remove(t, last) == 0 && tally_ballot_count(t) == 39, "remove");
    for (j = 0; j < 3; j++)
        truth[j] -= votes[j];
    CHECK(tally_shares_create(rec, 0, x0, t, &rng, shares) == 0 &&
          tally_counts(rec, t, rows, counts) == PROTO_OK &&
          memcmp(counts, truth, sizeof truth) == 0, "counts after remove");
    /* a wrong share: the counts are unrecoverable (or at least not these) */
    memcpy(shares[0].D, crypto_point_base(), 32);
    CHECK(tally_counts(rec, t, rows, counts) != PROTO_OK || memcmp(counts, truth, sizeof truth) != 0,
          "bad share");
    test_rollback(t, last);
    ballot_free(last);
    tally_free(t);
    record_free(rec);
    sodium_memzero(x0, 32);
}

/* The points ballot_verify_points leaves decoded count as tally_add counts
 * the ballot (same aggregate, byte for byte); a ballot that fails gives the
 * same reason as ballot_verify and no points; points of m choices do not go
 * into an aggregate of another m. */
static void test_points(void)
{
    static const char *const opts[] = { "a", "b", "c" }, *const roll[] = { "v" };
    struct crypto_rng rng = crypto_rng_system();
    struct record_params p = { "poll-p", "q?", opts, 3, 0, 2, "2025-01-01T00:00:00Z",
                               "2025-01-02T00:00:00Z", roll, 1 };
    struct record_params q = p;
    struct record *rec = NULL, *other = NULL;
    struct tally *t1 = tally_new(3), *t2 = tally_new(3), *t_two = tally_new(2);
    unsigned char x0[32], x1[32], rho[32], a1[32], a2[32], b1[32], b2[32];
    uint8_t votes[3];
    uint32_t n, j;
    int same = 1;

    q.id = "poll-q";
    CHECK(record_create(&p, NULL, 0, &rng, &rec, x0) == PROTO_OK &&
          record_create(&q, NULL, 0, &rng, &other, x1) == PROTO_OK && t1 && t2 && t_two,
          "records");
    for (n = 0; rec != NULL && other != NULL && n < 12; n++) {
        struct ballot *b = NULL;
        char sentinel = 0;      /* *out is set to NULL, not left as it was */
        struct ballot_points *pts = NULL, *none = (struct ballot_points *)(void *)&sentinel;

        votes[0] = (uint8_t)(n % 2);
        votes[1] = (uint8_t)(n % 3 == 0);
        votes[2] = (uint8_t)(n % 5 == 0 && votes[0] + votes[1] < 2);
        crypto_rng_bytes(&rng, rho, 32);
        CHECK(ballot_create(rec, votes, rho, NULL, &rng, &b) == 0, "ballot");
        CHECK(b != NULL && ballot_verify_points(b, rec, &pts) == PROTO_OK && pts != NULL &&
              ballot_points_count(pts) == 3, "ballot_verify_points: PROTO_OK and 3 choices");
        CHECK(b != NULL && pts != NULL && tally_add(t1, b) == 0 && tally_add_points(t2, pts) == 0,
              "tally_add and tally_add_points");
        CHECK(pts != NULL && tally_add_points(t_two, pts) == -1, "3 choices into an m = 2 tally");
        CHECK(b != NULL && ballot_verify_points(b, other, &none) == ballot_verify(b, other) &&
              ballot_verify(b, other) != PROTO_OK && none == NULL,
              "another poll's record: ballot_verify's reason, no points");
        ballot_points_free(pts);
        ballot_free(b);
    }
    for (j = 0; j < 3; j++) {
        tally_A(t1, j, a1);
        tally_A(t2, j, a2);
        tally_B(t1, j, b1);
        tally_B(t2, j, b2);
        same &= memcmp(a1, a2, 32) == 0 && memcmp(b1, b2, 32) == 0;
    }
    CHECK(same && tally_ballot_count(t1) == 12 && tally_ballot_count(t2) == 12 &&
          tally_ballot_count(t_two) == 0, "the same aggregate from the points as from the ballots");
    tally_free(t1);
    tally_free(t2);
    tally_free(t_two);
    record_free(rec);
    record_free(other);
    sodium_memzero(x0, 32);
    sodium_memzero(x1, 32);
}

int main(void)
{
    if (crypto_init() != 0)
        return 1;
    test_elections();
    test_rule();
    test_recovery();
    test_points();
    TEST_MAIN_END("test_tally");
}
