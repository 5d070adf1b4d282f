/*
 * test_tally_threshold.c — a threshold poll's ballots and decryption
 * (PROTOCOL-threshold T6, T7) against tests/vectors/threshold/poll.json and
 * board.json: the seven ballots made again from their streams and verified
 * with the unchanged ballot code against the threshold record; the
 * server's and trustees 1, 3 and 5's shares from stream decrypt/poll-t1;
 * the Lagrange coefficients, the combined D_o and T_o, the counts, the
 * result message and its signature, byte for byte. Then every t-subset of
 * QUAL combines to the same D_o, and shares that do not hold are refused.
 */
#include <sodium.h>

#include "harness.h"
#include "vectors.h"

#include "poly.h"
#include "record_threshold.h"
#include "tally_threshold.h"
#include "sjson.h"

#define NB 7

struct fixture {
    json_t *poll, *board, *cer_vec;
    struct ceremony *c;
    struct record *rec;
    struct ballot *b[NB];
    struct tally *t;
    unsigned char x[6][32];                 /* x_j of QUAL, by index */
    struct proof_share sh[6][2];            /* holder 0, trustees 1..5 */
};

static struct record *poll_record(const json_t *poll)
{
    char *text = vec_compact(vec_at(poll, "record"));
    struct record *rec = NULL;

    if (record_parse_kind(text, strlen(text), RECORD_THRESHOLD, &rec) != PROTO_OK)
        rec = NULL;
    free(text);
    return rec;
}

/* The board's ballot with this tracker, as compact text; NULL if none. */
static char *board_ballot(const json_t *board, const unsigned char tracker[32])
{
    const json_t *arr = vec_at(board, "ballots");
    char hex[65];
    size_t i;

    crypto_hex_encode(hex, tracker, 32);
    for (i = 0; i < json_array_size(arr); i++)
        if (strcmp(vec_str(json_array_get(arr, i), "tracker"), hex) == 0)
            return vec_compact(json_array_get(arr, i));
    return NULL;
}

/* T6: ballots are v1 ballots under fingerprint and Y (stream ballots/<id>/<b>). */
static void test_ballots(struct fixture *f)
{
    struct crypto_rng_stream st;
    struct crypto_rng rng;
    unsigned char rho[32];
    uint8_t votes[2];
    char name[64], path[32], *got, *want;
    size_t b, len;

    for (b = 0; b < NB; b++) {
        snprintf(name, sizeof name, "ballots/poll-t1/%zu", b);
        rng = vec_trng(&st, name);
        crypto_rng_bytes(&rng, rho, 32);
        snprintf(path, sizeof path, "votes[%zu][0]", b);
        votes[0] = (uint8_t)vec_int(f->poll, path);
        snprintf(path, sizeof path, "votes[%zu][1]", b);
        votes[1] = (uint8_t)vec_int(f->poll, path);
        f->b[b] = NULL;
        CHECK(ballot_create(f->rec, votes, rho, NULL, &rng, &f->b[b]) == 0, "ballot_create");
        if (f->b[b] == NULL)
            continue;
        CHECK(ballot_verify(f->b[b], f->rec) == PROTO_OK, "the v1 ballot code verifies it");
        got = ballot_serialize(f->b[b], BALLOT_FORM_BOARD, 0, &len);
        want = board_ballot(f->board, ballot_tracker(f->b[b]));
        CHECK(got != NULL && want != NULL && strcmp(got, want) == 0, "ballot byte for byte");
        CHECK(tally_add(f->t, f->b[b]) == 0, "tally_add");
        free(got);
        free(want);
    }
}

/* T7: the shares of holder 0 then trustees 1, 3, 5 from stream decrypt/poll-t1. */
static void test_shares(struct fixture *f)
{
    static const uint32_t who[3] = { 1, 3, 5 };
    struct crypto_rng_stream st;
    struct crypto_rng rng = vec_trng(&st, "decrypt/poll-t1");
    unsigned char x0[32];
    char path[64];
    uint32_t k, o, h;

    CHECK(vec_bytes(f->poll, "server.x_0", x0, 32) == 0 &&
          tally_shares_create(f->rec, 0, x0, f->t, &rng, f->sh[0]) == 0, "server's shares");
    for (k = 0; k < 3; k++)
        CHECK(tally_threshold_shares_create(f->rec, who[k], f->x[who[k]], f->t, &rng,
                                            f->sh[who[k]]) == 0, "trustee's shares");
    for (k = 0; k < 4; k++) {
        h = k == 0 ? 0 : who[k - 1];
        for (o = 0; o < 2; o++) {
            snprintf(path, sizeof path, "decryptions[%u].shares[%u].D", k, o);
            CHECK(vec_eq(f->board, path, f->sh[h][o].D, 32), "D");
            snprintf(path, sizeof path, "decryptions[%u].shares[%u].c", k, o);
            CHECK(vec_eq(f->board, path, f->sh[h][o].c, 32), "c");
            snprintf(path, sizeof path, "decryptions[%u].shares[%u].s", k, o);
            CHECK(vec_eq(f->board, path, f->sh[h][o].s, 32), "s");
        }
        CHECK(tally_threshold_shares_verify(f->rec, h, f->t, f->sh[h]) == PROTO_OK,
              "shares verify");
    }
    CHECK(tally_threshold_shares_create(f->rec, 4, f->x[1], f->t, &rng, f->sh[4]) == -1,
          "trustee 4, outside QUAL, makes no shares");
    CHECK(tally_threshold_shares_create(f->rec, 2, f->x[1], f->t, &rng, f->sh[2]) == -1,
          "nor with another trustee's key share");
    CHECK(tally_threshold_shares_create(f->rec, 2, f->x[2], f->t, &rng, f->sh[2]) == 0,
          "trustee 2's shares (for the subsets)");
    CHECK(tally_threshold_shares_verify(f->rec, 4, f->t, f->sh[1]) == PROTO_VALUE,
          "an entry outside QUAL: value");
    CHECK(tally_threshold_shares_verify(f->rec, 3, f->t, f->sh[1]) == PROTO_PROOF,
          "trustee 1's shares as trustee 3's: proof");
    CHECK(tally_threshold_shares_verify(f->rec, 0, f->t, f->sh[1]) == PROTO_PROOF,
          "a trustee's shares as the server's: proof");
}

/* A posted entry {"holder", "shares"}: the board's, read and written back. */
static void test_entries(struct fixture *f)
{
    static const struct { const char *name, *from, *to; enum proto_reason want; } bad[] = {
        { "a share's D not a point", "\"D\":\"", "\"D\":\"ff", PROTO_POINT },
        { "holder a string", "\"holder\":", "\"holder\":\"1\",\"x\":", PROTO_SHAPE },
        { "an extra member", "\"holder\":", "\"note\":1,\"holder\":", PROTO_SHAPE },
        { "c in capitals", "\"c\":\"", "\"c\":\"AB", PROTO_HEX },
    };
    struct proof_share got[2];
    uint32_t holder, k;
    char path[32], *want, *text, *bent;
    size_t len, i;

    for (k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "decryptions[%u]", k);
        want = vec_compact(vec_at(f->board, path));
        CHECK(want != NULL && tally_threshold_entry_parse(want, strlen(want), 2, &holder, got) ==
                  PROTO_OK && holder == (uint32_t)vec_int(f->board, (strcat(path, ".holder"), path)),
              "an entry reads");
        text = tally_threshold_entry_serialize(holder, got, 2, 0, &len);
        CHECK(text != NULL && strcmp(text, want) == 0, "and writes back byte for byte");
        CHECK(tally_threshold_entry_parse(want, strlen(want), 3, &holder, got) == PROTO_SHAPE,
              "m shares, no fewer");
        for (i = 0; k == 1 && i < sizeof bad / sizeof bad[0]; i++) {
            const char *at = strstr(want, bad[i].from);
            char what[96];

            bent = calloc(1, strlen(want) + 32);
            if (bent == NULL || at == NULL)
                continue;
            memcpy(bent, want, (size_t)(at - want));
            strcat(bent, bad[i].to);
            strcat(bent, at + strlen(bad[i].from) + (bad[i].want == PROTO_POINT ||
                                                      bad[i].want == PROTO_HEX ? 2 : 0));
            snprintf(what, sizeof what, "entry %s: %s", bad[i].name,
                     proto_reason_code(bad[i].want));
            CHECK(tally_threshold_entry_parse(bent, strlen(bent), 2, &holder, got) ==
                  bad[i].want, what);
            free(bent);
        }
        free(text);
        free(want);
    }
}

/* T7: λ_j over S = {1, 3, 5}, D_o, T_o, counts, result. */
static void test_combination(struct fixture *f, const struct sign_key *key)
{
    static const uint32_t S[3] = { 1, 3, 5 };
    struct tally_threshold_entry e[4] = {
        { 0, f->sh[0] }, { 1, f->sh[1] }, { 3, f->sh[3] }, { 5, f->sh[5] }
    };
    unsigned char lambda[32], D[2][32], T[32], B[32], trackers[NB][32];
    struct tally_result res;
    char msg[512];
    struct sign_result view;
    uint32_t counts[2], k, o;
    char path[64];

    for (k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "lagrange[%u].lambda", k);
        CHECK(poly_lagrange(S, 3, S[k], lambda) == 0 && vec_eq(f->poll, path, lambda, 32),
              "λ_j");
    }
    CHECK(tally_threshold_combine(f->rec, f->t, e, 4, D) == PROTO_OK, "combine");
    for (o = 0; o < 2; o++) {
        snprintf(path, sizeof path, "combined[%u].D", o);
        CHECK(vec_eq(f->poll, path, D[o], 32), "D_o");
        tally_B(f->t, o, B);
        snprintf(path, sizeof path, "combined[%u].T", o);
        CHECK(crypto_point_sub(T, B, D[o]) == 0 && vec_eq(f->poll, path, T, 32), "T_o");
    }
    CHECK(tally_threshold_counts(f->rec, f->t, e, 4, counts) == PROTO_OK && counts[0] == 5 &&
          counts[1] == 2, "counts [5, 2]");
    for (k = 0; k < NB; k++)
        CHECK(vec_bytes(f->board, (snprintf(path, sizeof path, "ballots[%u].tracker", k), path),
                        trackers[k], 32) == 0, "tracker");
    CHECK(tally_threshold_result_make(f->rec, f->t, e, 4, (const unsigned char (*)[32])trackers,
                                      key, &res) == PROTO_OK, "result");
    CHECK(vec_eq(f->board, "result.ballots_digest", res.ballots_digest, 32), "ballots_digest");
    CHECK(vec_eq(f->board, "result.signature", res.signature, 64), "signature");
    tally_result_view(f->rec, &res, &view);
    CHECK(sign_result_message(&view, msg, sizeof msg) > 0 &&
          strcmp(msg, vec_str(f->poll, "result_message")) == 0, "result message");
    CHECK(tally_threshold_counts(f->rec, f->t, e + 1, 3, counts) == PROTO_QUORUM,
          "without the server's share: quorum");
    CHECK(tally_threshold_counts(f->rec, f->t, e, 3, counts) == PROTO_QUORUM,
          "with two trustees: quorum");
}

/* Every t-subset of QUAL = {1, 2, 3, 5} combines to the same D_o. */
static void test_subsets(struct fixture *f)
{
    static const uint32_t subsets[4][3] = { { 1, 2, 3 }, { 1, 2, 5 }, { 1, 3, 5 }, { 2, 3, 5 } };
    struct tally_threshold_entry e[5];
    unsigned char D[2][32], D0[2][32];
    uint32_t s, k;

    e[0].holder = 0;
    e[0].shares = f->sh[0];
    for (s = 0; s < 4; s++) {
        for (k = 0; k < 3; k++) {
            e[k + 1].holder = subsets[s][k];
            e[k + 1].shares = f->sh[subsets[s][k]];
        }
        CHECK(tally_threshold_combine(f->rec, f->t, e, 4, s == 0 ? D0 : D) == PROTO_OK,
              "a subset combines");
        CHECK(s == 0 || memcmp(D, D0, sizeof D) == 0, "every 3-subset gives the same D_o");
    }
    e[1].holder = 3;                    /* out of order */
    e[2].holder = 1;
    CHECK(tally_threshold_combine(f->rec, f->t, e, 4, D) == PROTO_VALUE, "order: value");
}

static int load(struct fixture *f)
{
    json_t *v = vec_load("threshold/ceremony.json");
    char path[64];
    uint32_t k;

    memset(f, 0, sizeof *f);
    f->poll = vec_load("threshold/poll.json");
    f->board = vec_load("threshold/board.json");
    f->c = vec_ceremony();
    f->rec = f->poll != NULL ? poll_record(f->poll) : NULL;
    for (k = 0; k < 4; k++) {
        uint32_t j = (uint32_t)vec_int(v, (snprintf(path, sizeof path,
                                                    "trace.verification_keys[%u].index", k), path));

        snprintf(path, sizeof path, "trace.verification_keys[%u].x", k);
        if (j < 6)
            CHECK(vec_bytes(v, path, f->x[j], 32) == 0, "x_j");
    }
    json_decref(v);
    CHECK(f->board != NULL && f->c != NULL && f->rec != NULL, "vectors");
    return f->board != NULL && f->c != NULL && f->rec != NULL ? 0 : -1;
}

int main(void)
{
    struct fixture f;
    struct sign_key *key = NULL;
    json_t *tally_vec;
    unsigned char seed[32];
    size_t b;

    if (crypto_init() != 0)
        return 1;
    tally_vec = vec_load("tally.json");
    CHECK(vec_bytes(tally_vec, "server_key.signing_seed", seed, 32) == 0 &&
          sign_key_from_seed(seed, &key) == 0, "the vectors' server key");
    if (load(&f) == 0 && key != NULL) {
        f.t = tally_new(2);
        test_ballots(&f);
        test_shares(&f);
        test_entries(&f);
        test_combination(&f, key);
        test_subsets(&f);
    }
    for (b = 0; b < NB; b++)
        ballot_free(f.b[b]);
    tally_free(f.t);
    record_free(f.rec);
    ceremony_free(f.c);
    sign_key_free(key);
    json_decref(f.poll);
    json_decref(f.board);
    json_decref(tally_vec);
    sodium_memzero(f.x, sizeof f.x);
    TEST_MAIN_END("test_tally_threshold");
}
