/*
 * test_board_threshold.c — threshold boards (PROTOCOL-threshold T8) against
 * tests/vectors/threshold/: board.json and board-partial.json built again
 * byte for byte from the ceremony, the record, the ballots and the shares,
 * and verified (with and without the ceremony digest and the server key,
 * on 1 to 4 threads, whole and split, compact); every "board" case of
 * invalid.json rejected with its code; and the changes the vectors do not
 * cover: a wrong out-of-band digest, a missing transcript, a v1 protocol
 * string, a final board without the server's shares, an empty poll.
 */
#include <sodium.h>

#include "harness.h"
#include "vectors.h"

#include "board.h"
#include "record_threshold.h"
#include "tally_threshold.h"
#include "sjson.h"

static unsigned char server_pk[32], digest[32];

struct made {
    struct ceremony *c;
    struct record *rec;
    struct ballot *b[8];
    size_t n;
    struct tally *t;
    struct proof_share sh[4][2];        /* holder 0, trustees 1, 3, 5 */
    struct board_decryption dec[4];
    struct tally_result res;
};

/* The vectors' board, parsed piece by piece (shares and result as published). */
static int made_load(struct made *mk, const json_t *board)
{
    const json_t *arr = vec_at(board, "ballots");
    char path[64], *text;
    uint32_t k, o;

    memset(mk, 0, sizeof *mk);
    mk->c = vec_ceremony();
    text = vec_compact(vec_at(board, "poll"));
    if (mk->c == NULL || record_parse_kind(text, strlen(text), RECORD_THRESHOLD, &mk->rec) != 0)
        mk->rec = NULL;
    free(text);
    if (mk->rec == NULL || (mk->t = tally_new(2)) == NULL)
        return -1;
    for (mk->n = 0; mk->n < json_array_size(arr) && mk->n < 8; mk->n++) {
        text = vec_compact(json_array_get(arr, mk->n));
        if (ballot_parse(text, strlen(text), BALLOT_FORM_BOARD, &mk->b[mk->n]) != PROTO_OK ||
            tally_add(mk->t, mk->b[mk->n]) != 0)
            CHECK(0, "a board ballot");
        free(text);
    }
    for (k = 0; k < 4; k++) {
        for (o = 0; o < 2; o++) {
            snprintf(path, sizeof path, "decryptions[%u].shares[%u]", k, o);
            CHECK(vec_bytes(vec_at(board, path), "D", mk->sh[k][o].D, 32) == 0 &&
                  vec_bytes(vec_at(board, path), "c", mk->sh[k][o].c, 32) == 0 &&
                  vec_bytes(vec_at(board, path), "s", mk->sh[k][o].s, 32) == 0, "share");
        }
        mk->dec[k].holder = (uint32_t)vec_int(board, (snprintf(path, sizeof path,
                                                               "decryptions[%u].holder", k), path));
        mk->dec[k].shares = mk->sh[k];
    }
    mk->res.m = 2;
    mk->res.counts[0] = 5;
    mk->res.counts[1] = 2;
    mk->res.ballots = 7;
    mk->res.eligible = 9;
    mk->res.verdict = PROTO_VERDICT_PASSED;
    CHECK(vec_bytes(board, "result.ballots_digest", mk->res.ballots_digest, 32) == 0 &&
          vec_bytes(board, "result.signature", mk->res.signature, 64) == 0, "result");
    return 0;
}

static void made_free(struct made *mk)
{
    size_t i;

    for (i = 0; i < mk->n; i++)
        ballot_free(mk->b[i]);
    tally_free(mk->t);
    record_free(mk->rec);
    ceremony_free(mk->c);
}

static enum proto_reason verify(const char *text, size_t len, int with_digest, int with_key,
                                unsigned threads, struct board_report *rep)
{
    struct board_trust trust = { with_key ? server_pk : NULL, with_digest ? digest : NULL };

    return board_verify_against(text, len, &trust, threads, rep);
}

/* Both files built byte for byte, and verified. */
static void test_build(const json_t *board)
{
    struct made mk;
    struct board_report rep, rep2;
    size_t len = 0, want_len = 0, plen = 0, pwant_len = 0;
    char *want = vec_text("threshold/board.json", &want_len), *got;
    char *pwant = vec_text("threshold/board-partial.json", &pwant_len), *pgot;
    unsigned threads;

    CHECK(made_load(&mk, board) == 0, "board pieces");
    got = board_build_threshold(mk.rec, mk.c, (const struct ballot *const *)mk.b, mk.n, mk.t,
                                mk.dec, 4, &mk.res, &len);
    CHECK(got != NULL && want != NULL && len == want_len && memcmp(got, want, len) == 0,
          "board.json built byte for byte");
    pgot = board_build_threshold(mk.rec, mk.c, (const struct ballot *const *)mk.b, mk.n, mk.t,
                                 mk.dec, 2, NULL, &plen);
    CHECK(pgot != NULL && pwant != NULL && plen == pwant_len && memcmp(pgot, pwant, plen) == 0,
          "board-partial.json built byte for byte");
    CHECK(board_build(mk.rec, (const struct ballot *const *)mk.b, mk.n, mk.t, mk.dec, 4,
                      &mk.res, &len) == NULL, "board_build refuses a threshold record");
    for (threads = 1; threads <= 4; threads++) {
        CHECK(verify(want, want_len, 1, 1, threads, &rep) == PROTO_OK && !rep.partial &&
              rep.threshold && rep.t == 3 && rep.qual == 4 && rep.ceremony_checked &&
              rep.signature_checked && rep.counts[0] == 5 && rep.counts[1] == 2 &&
              rep.verdict == PROTO_VERDICT_PASSED && rep.holders_present == 4 &&
              rep.present[3] == 5 && memcmp(rep.ceremony_digest, digest, 32) == 0,
              "board.json verifies");
        CHECK(board_verify_whole_against(want, want_len,
                                         &(struct board_trust){ server_pk, digest }, threads,
                                         &rep2) == PROTO_OK && memcmp(&rep, &rep2, sizeof rep) == 0,
              "the whole tree reports the same");
    }
    CHECK(verify(want, want_len, 0, 0, 0, &rep) == PROTO_OK && !rep.ceremony_checked &&
          !rep.signature_checked, "without digest and key: holds, both unchecked");
    CHECK(board_verify(want, want_len, server_pk, 0, &rep) == PROTO_OK && rep.threshold,
          "board_verify takes a threshold board");
    CHECK(verify(pwant, pwant_len, 1, 1, 2, &rep) == PROTO_OK && rep.partial &&
          rep.holders_present == 2 && rep.ceremony_checked, "board-partial.json verifies");
    free(got);
    free(pgot);
    free(want);
    free(pwant);
    made_free(&mk);
}

/* A trustee's turn (T7, T10 rule 1): it verifies the partial board, keeps
 * its record and aggregate, and makes its shares from them: trustee 3's
 * are board.json's (stream decrypt/poll-t1 after the server's and trustee
 * 1's four draws). */
static void test_keep(const json_t *board, const json_t *cer)
{
    size_t len;
    char *text = vec_text("threshold/board-partial.json", &len);
    struct board_trust trust = { server_pk, digest };
    struct crypto_rng_stream st;
    struct crypto_rng rng = vec_trng(&st, "decrypt/poll-t1");
    struct proof_share sh[2];
    struct board_report rep;
    struct board_kept kept;
    unsigned char x3[32], skip[32];
    int i;

    CHECK(text != NULL &&
          board_verify_keep(text, len, &trust, 2, &rep, &kept) == PROTO_OK && rep.partial &&
          kept.rec != NULL && kept.tally != NULL &&
          vec_eq(board, "fingerprint", record_fingerprint(kept.rec), 32) &&
          vec_eq(board, "result.ballots_digest", kept.ballots_digest, 32),
          "the partial board verified, its record, aggregate and ballots digest kept");
    CHECK(vec_bytes(cer, "trace.verification_keys[2].x", x3, 32) == 0, "x_3");
    for (i = 0; i < 4; i++)
        crypto_rng_scalar(&rng, skip);
    CHECK(kept.tally != NULL &&
          tally_threshold_shares_create(kept.rec, 3, x3, kept.tally, &rng, sh) == 0 &&
          vec_eq(board, "decryptions[2].shares[0].D", sh[0].D, 32) &&
          vec_eq(board, "decryptions[2].shares[1].s", sh[1].s, 32),
          "trustee 3's shares from what it kept are the final board's");
    board_kept_free(&kept);
    text[len / 2] ^= 1;                 /* any damage: nothing kept */
    CHECK(board_verify_keep(text, len, &trust, 2, &rep, &kept) != PROTO_OK && kept.rec == NULL &&
          kept.tally == NULL, "a board that fails keeps nothing");
    sodium_memzero(x3, sizeof x3);
    free(text);
}

/* The same board in another layout: compact, keys as jansson writes them. */
static void test_layout(const json_t *board)
{
    struct board_report rep;
    char *text = json_dumps(board, JSON_COMPACT | JSON_SORT_KEYS);

    CHECK(text != NULL && verify(text, strlen(text), 1, 1, 2, &rep) == PROTO_OK,
          "compact, sorted keys: verifies");
    free(text);
}

/* Every "board" case of invalid.json. */
static void test_invalid(void)
{
    json_t *root = vec_load("threshold/invalid.json"), *cases = vec_at(root, "cases");
    struct board_report rep;
    char what[256];
    size_t i, n = 0;

    for (i = 0; i < json_array_size(cases); i++) {
        const json_t *cs = json_array_get(cases, i);
        const char *want = vec_str(cs, "reason");
        char *text;

        if (vec_at(cs, "board") == NULL)
            continue;
        n++;
        text = json_dumps(vec_at(cs, "board"), JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        verify(text, strlen(text), 1, 1, 2, &rep);
        snprintf(what, sizeof what, "invalid %s: want %s, got %s at %s", vec_str(cs, "name"),
                 want, proto_reason_code(rep.reason), rep.where);
        CHECK(strcmp(proto_reason_code(rep.reason), want) == 0, what);
        free(text);
    }
    CHECK(n == 7, "seven board cases");
    json_decref(root);
}

/* Changes of the vectors' board made here; want is the code. */
static void check_edit(const json_t *board, const char *name, void (*edit)(json_t *b),
                       int with_digest, enum proto_reason want, const char *where)
{
    json_t *copy = json_deep_copy(board);
    struct board_report rep;
    char what[256], *text;

    edit(copy);
    text = json_dumps(copy, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    verify(text, strlen(text), with_digest, 1, 1, &rep);
    snprintf(what, sizeof what, "%s: want %s at %s, got %s at %s", name, proto_reason_code(want),
             where, proto_reason_code(rep.reason), rep.where);
    CHECK(rep.reason == want && strcmp(rep.where, where) == 0, what);
    free(text);
    json_decref(copy);
}

static void e_protocol(json_t *b) { json_object_set_new(b, "protocol", json_string(PROTO_ID)); }
static void e_no_ceremony(json_t *b) { json_object_del(b, "ceremony"); }
static void e_no_server(json_t *b) { json_array_remove(json_object_get(b, "decryptions"), 0); }
static void e_none(json_t *b) { (void)b; }
static void e_partial_no_server(json_t *b)
{
    e_no_server(b);
    json_object_set_new(b, "result", json_null());
}
static void e_ceremony_shape(json_t *b)
{
    json_object_set_new(json_object_get(b, "ceremony"), "n", json_integer(5));
}

static void test_edits(const json_t *board)
{
    check_edit(board, "a v1 protocol string", e_protocol, 1, PROTO_SHAPE, "board");
    check_edit(board, "no transcript", e_no_ceremony, 1, PROTO_SHAPE, "board");
    check_edit(board, "a final board without the server's shares", e_no_server, 1,
               PROTO_QUORUM, "decryptions");
    check_edit(board, "a partial board without the server's shares", e_partial_no_server, 1,
               PROTO_OK, "");
    check_edit(board, "an extra member in the transcript", e_ceremony_shape, 1, PROTO_SHAPE,
               "ceremony");
    digest[0] ^= 1;
    check_edit(board, "a digest other than the trustees'", e_none, 1, PROTO_CEREMONY,
               "ceremony (not the digest given)");
    digest[0] ^= 1;
}

int main(void)
{
    json_t *board, *cer;
    FILE *f;
    char pem[512];
    size_t n;

    if (crypto_init() != 0)
        return 1;
    board = vec_load("threshold/board.json");
    cer = vec_load("threshold/ceremony.json");
    f = fopen(VEC_DIR "server.pem", "rb");
    n = f != NULL ? fread(pem, 1, sizeof pem, f) : 0;
    if (f != NULL)
        fclose(f);
    CHECK(board != NULL && sign_public_from_pem(pem, n, server_pk) == 0 &&
          vec_bytes(cer, "trace.ceremony_digest", digest, 32) == 0, "vectors");
    test_build(board);
    test_keep(board, cer);
    test_layout(board);
    test_invalid();
    test_edits(board);
    json_decref(board);
    json_decref(cer);
    TEST_MAIN_END("test_board_threshold");
}
