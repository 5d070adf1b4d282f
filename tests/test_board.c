/*
 * test_board.c — boards: every vector board built again byte for byte and
 * verified (with and without the server key, on 1..4 threads); tampered
 * boards rejected with the right code and place (a count, a share, a ballot
 * dropped, reordered or duplicated, a signature, the tally, the digest, the
 * result fields, the record); boards made here (trustees, duplicates,
 * N > n, partial boards); the same boards in other layouts (compact, keys
 * sorted), and JSON errors inside a ballot reported before everything else.
 */
#include <sodium.h>

#include "harness.h"
#include "vectors.h"

#include "board.h"
#include "board_split.h"
#include "sjson.h"

#define MAXB 16

static const char *const board_files[] = {
    "board.json", "board-3holders.json", "board-empty.json", "board-identity.json"
};

/* The vectors' shares of election e (parsed from the JSON, not recomputed). */
static void read_shares(const json_t *e, uint32_t m, uint32_t K, struct proof_share sh[4][8])
{
    const json_t *vs = vec_at(e, "shares");
    size_t i;

    for (i = 0; i < json_array_size(vs) && i < (size_t)K * m; i++) {
        const json_t *v = json_array_get(vs, i);
        struct proof_share *s = &sh[i / m][i % m];

        CHECK(vec_bytes(v, "D", s->D, 32) == 0 && vec_bytes(v, "c", s->c, 32) == 0 &&
              vec_bytes(v, "s", s->s, 32) == 0, "vector share");
    }
}

static void read_result(const json_t *r, uint32_t m, struct tally_result *res)
{
    uint32_t j;

    memset(res, 0, sizeof *res);
    res->m = m;
    for (j = 0; j < m; j++)
        res->counts[j] = (uint32_t)json_integer_value(json_array_get(vec_at(r, "counts"), j));
    res->ballots = (uint32_t)vec_int(r, "ballots");
    res->eligible = (uint32_t)vec_int(r, "eligible");
    res->verdict = json_is_null(vec_at(r, "passed")) ? PROTO_VERDICT_NONE
                   : json_is_true(vec_at(r, "passed")) ? PROTO_VERDICT_PASSED
                   : PROTO_VERDICT_FAILED;
    CHECK(vec_bytes(r, "ballots_digest", res->ballots_digest, 32) == 0 &&
          vec_bytes(r, "signature", res->signature, 64) == 0, "vector result");
}

/* Builds election e's board (or its partial board with ndec holders) and
 * compares it with the file byte for byte. */
static void build_one(const json_t *e, const char *file, int partial, size_t ndec)
{
    const json_t *cast = vec_at(e, "ballots_in_cast_order");
    struct ballot *ballots[MAXB];
    struct proof_share sh[4][8];
    struct board_decryption dec[4];
    struct tally_result res;
    struct record *rec = NULL;
    struct tally *t;
    size_t i, n = json_array_size(cast), want_len = 0, len = 0;
    char *want = vec_text(file, &want_len), *got;

    CHECK(record_from_json(vec_at(e, "poll"), &rec) == PROTO_OK && n <= MAXB, file);
    if (rec == NULL || n > MAXB)
        return;
    t = tally_new(record_option_count(rec));
    for (i = 0; i < n; i++) {
        char *text = vec_compact(vec_at(json_array_get(cast, i), "ballot"));

        ballots[i] = NULL;
        CHECK(ballot_parse(text, strlen(text), BALLOT_FORM_POST, &ballots[i]) == PROTO_OK &&
              tally_add(t, ballots[i]) == 0, "ballot");
        free(text);
    }
    read_shares(e, record_option_count(rec), record_holder_count(rec), sh);
    for (i = 0; i < record_holder_count(rec); i++) {
        dec[i].holder = (uint32_t)i;
        dec[i].shares = sh[i];
    }
    read_result(vec_at(e, "result"), record_option_count(rec), &res);
    got = board_build(rec, (const struct ballot *const *)ballots, n, t, dec,
                      partial ? ndec : record_holder_count(rec), partial ? NULL : &res, &len);
    CHECK(got != NULL && want != NULL && len == want_len && memcmp(got, want, len) == 0,
          "board built byte for byte");
    for (i = 0; i < n; i++)
        ballot_free(ballots[i]);
    free(got);
    free(want);
    tally_free(t);
    record_free(rec);
}

static void test_build(void)
{
    json_t *root = vec_load("tally.json"), *els = vec_at(root, "elections");
    size_t i;

    for (i = 0; i < json_array_size(els); i++)
        build_one(json_array_get(els, i), vec_str(json_array_get(els, i), "board_file"), 0, 0);
    build_one(json_array_get(els, 1), "board-partial.json", 1, 1);
    json_decref(root);
}

static unsigned char server_pk[32];

static enum proto_reason verify_text(const char *text, int with_key, unsigned threads,
                                     struct board_report *rep)
{
    return board_verify(text, strlen(text), with_key ? server_pk : NULL, threads, rep);
}

static void test_verify_vectors(void)
{
    static const uint32_t counts[4][3] = { { 5, 2 }, { 3, 1, 1 }, { 0, 0 }, { 1, 1 } };
    static const enum proto_verdict verdicts[4] = {
        PROTO_VERDICT_PASSED, PROTO_VERDICT_NONE, PROTO_VERDICT_FAILED, PROTO_VERDICT_FAILED
    };
    struct board_report rep;
    size_t i, len;
    unsigned th;

    for (i = 0; i < 4; i++) {
        char *text = vec_text(board_files[i], &len);
        json_t *board = vec_load(board_files[i]);

        for (th = 0; th <= 4; th++) {
            CHECK(text != NULL && verify_text(text, th % 2, th, &rep) == PROTO_OK, board_files[i]);
            CHECK(!rep.partial && memcmp(rep.counts, counts[i], rep.m * 4) == 0 &&
                  rep.verdict == verdicts[i] && rep.signature_checked == (int)(th % 2),
                  "report");
            /* the poll it is the board of, for clients that asked for one poll */
            CHECK(vec_eq(board, "fingerprint", rep.fingerprint, 32), "report: fingerprint");
        }
        json_decref(board);
        free(text);
    }
    {
        char *text = vec_text("board-partial.json", &len);

        CHECK(text != NULL && verify_text(text, 1, 0, &rep) == PROTO_OK && rep.partial &&
              rep.holders_present == 1 && rep.holders == 3 && rep.ballots == 6, "partial board");
        free(text);
    }
}

/* --- tampering ------------------------------------------------------------------ */

static void set_at(json_t *root, const char *parent, const char *key, json_t *value)
{
    json_t *p = vec_at(root, parent);

    if (json_is_array(p))
        json_array_set_new(p, strtoul(key, NULL, 10), value);
    else
        json_object_set_new(p, key, value);
}

/* Flips a hex digit of the string at parent.key (keeps it lowercase hex). */
static void flip_hex(json_t *root, const char *parent, const char *key, size_t pos)
{
    char buf[256];
    const char *s = vec_str(vec_at(root, parent), key);

    snprintf(buf, sizeof buf, "%s", s);
    buf[pos] = buf[pos] == '0' ? '1' : '0';
    set_at(root, parent, key, json_string(buf));
}

static void swap_items(json_t *arr, size_t a, size_t b)
{
    json_t *x = json_incref(json_array_get(arr, a)), *y = json_incref(json_array_get(arr, b));

    json_array_set_new(arr, a, y);
    json_array_set_new(arr, b, x);
}

struct tamper {
    const char *file;
    int op;               /* see apply() */
    const char *parent, *key;
    const char *want, *where;
};

static void apply(json_t *root, const struct tamper *tc)
{
    json_t *ballots = vec_at(root, "ballots");

    switch (tc->op) {
    case 0: flip_hex(root, tc->parent, tc->key, 0); break;
    case 1: set_at(root, tc->parent, tc->key, json_integer(4)); break;
    case 2: json_array_remove(ballots, 3); break;
    case 3: swap_items(ballots, 1, 2); break;
    case 4: set_at(root, tc->parent, tc->key, json_string("none")); break;
    case 5: set_at(root, tc->parent, tc->key, json_false()); break;
    case 6: json_array_insert_new(ballots, 2, json_deep_copy(json_array_get(ballots, 2))); break;
    case 7: set_at(root, tc->parent, tc->key, json_array()); break;
    case 8: set_at(root, tc->parent, tc->key, json_string("x")); break;
    case 9: set_at(root, tc->parent, tc->key,
                   json_string("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"));
        break;
    case 10: swap_items(vec_at(root, "decryptions"), 0, 1); break;
    case 11: json_array_remove(vec_at(root, "decryptions"), 0); break;
    default: break;
    }
}

static void test_tamper(void)
{
    static const struct tamper cases[] = {
        { "board.json", 1, "result.counts", "0", "count", "result.counts" },
        { "board.json", 0, "decryptions[0].shares[0]", "s", "proof", "decryptions[0].shares[0]" },
        { "board.json", 9, "decryptions[0].shares[1]", "D", "proof", "decryptions[0].shares[1]" },
        { "board.json", 2, NULL, NULL, "tally", "tally[0]" },
        { "board.json", 3, NULL, NULL, "order", "ballots[2]" },
        { "board.json", 6, NULL, NULL, "order", "ballots[3]" },
        { "board.json", 0, "result", "signature", "signature", "result.signature" },
        { "board.json", 9, "tally[1]", "B", "tally", "tally[1]" },
        { "board.json", 0, "result", "ballots_digest", "ballots_digest", "result.ballots_digest" },
        { "board.json", 1, "result", "ballots", "result", "result.ballots" },
        { "board.json", 1, "result", "eligible", "result", "result.eligible" },
        { "board.json", 5, "result", "passed", "result", "result.passed" },
        { "board.json", 4, "result", "rule", "result", "result.rule" },
        { "board.json", 8, "result", "rule", "result", "result" },
        { "board.json", 0, "", "fingerprint", "fingerprint", "fingerprint" },
        { "board.json", 8, "", "protocol", "value", "protocol" },
        { "board.json", 8, "poll", "question", "fingerprint", "fingerprint" },
        { "board.json", 0, "ballots[4]", "tracker", "tracker", "ballots[4]" },
        { "board.json", 0, "ballots[5].choices[1].proof[0]", "s", "proof", "ballots[5]" },
        { "board.json", 0, "ballots[1]", "fingerprint", "fingerprint", "ballots[1]" },
        { "board.json", 8, "", "extra", "shape", "board" },
        { "board.json", 7, "", "decryptions", "shape", "decryptions" },
        { "board.json", 8, "poll", "min", "shape", "poll" },
        { "board-3holders.json", 10, NULL, NULL, "shape", "decryptions[0].holder" },
        { "board-3holders.json", 11, NULL, NULL, "shape", "decryptions" },
        { "board-partial.json", 0, "decryptions[0].shares[2]", "c", "proof",
          "decryptions[0].shares[2]" },
        { "board-empty.json", 9, "tally[0]", "A", "tally", "tally[0]" },
        { "board-identity.json", 1, "result.counts", "1", "count", "result.counts" },
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *root = vec_load(cases[i].file);
        struct board_report rep;
        char *text, what[200];

        apply(root, &cases[i]);
        text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        verify_text(text, 1, 0, &rep);
        snprintf(what, sizeof what, "tamper %zu (%s): want %s at %s, got %s at %s", i,
                 cases[i].file, cases[i].want, cases[i].where, proto_reason_code(rep.reason),
                 rep.where);
        CHECK(strcmp(proto_reason_code(rep.reason), cases[i].want) == 0 &&
              strcmp(rep.where, cases[i].where) == 0, what);
        free(text);
        json_decref(root);
    }
}

static void test_wrong_key(void)
{
    unsigned char other[32];
    struct board_report rep;
    size_t len;
    char *text = vec_text("board.json", &len);

    memcpy(other, server_pk, 32);
    other[0] ^= 1;
    CHECK(text != NULL && board_verify(text, len, other, 0, &rep) == PROTO_SIGNATURE,
          "another server's key");
    free(text);
}

/* Two bad ballots: the lower index is reported whatever the thread count. */
static void test_first_failure(void)
{
    json_t *root = vec_load("board.json");
    struct board_report rep;
    unsigned th;
    char *text;

    flip_hex(root, "ballots[5].sum_proof[0]", "s", 0);
    flip_hex(root, "ballots[2].choices[0]", "beta", 0);
    text = json_dumps(root, JSON_INDENT(2));
    for (th = 1; th <= 4; th++)
        CHECK(verify_text(text, 0, th, &rep) != PROTO_OK && strcmp(rep.where, "ballots[2]") == 0,
              "first failing ballot reported");
    free(text);
    json_decref(root);
}

/* --- layouts ------------------------------------------------------------------- */

/* Every ballot is read directly from its span (ballot_read_board reads any
 * layout: ballot_read.c), and is the ballot of its JSON tree. */
static void check_direct_read(const char *text, size_t len)
{
    struct board_split sp;
    uint32_t i, direct = 0;

    CHECK_EQ_INT(board_split(text, len, &sp), 0, "board cut into frame and ballots");
    for (i = 0; i < sp.n; i++) {
        struct ballot *a = NULL, *b = NULL;
        enum proto_reason why;
        json_t *obj = sjson_parse(text + sp.spans[i].off, sp.spans[i].len, len, &why);

        CHECK(obj != NULL && ballot_from_json(obj, BALLOT_FORM_BOARD, &b) == PROTO_OK,
              "span parses as a board ballot");
        if (ballot_read_board(text + sp.spans[i].off, sp.spans[i].len, &a) == 0) {
            direct++;
            CHECK(b != NULL && memcmp(ballot_tracker(a), ballot_tracker(b), 32) == 0 &&
                  ballot_check_tracker(a) == PROTO_OK, "direct read = JSON tree");
        }
        ballot_free(a);
        ballot_free(b);
        json_decref(obj);
    }
    CHECK(direct == sp.n, "every ballot read directly");
    board_split_free(&sp);
}

/* The vector boards pretty (as built), compact and with keys sorted verify
 * alike, and their ballots are read directly in every layout. */
static void test_layouts(void)
{
    static const size_t flags[3] = { JSON_INDENT(2) | JSON_PRESERVE_ORDER,
                                     JSON_COMPACT | JSON_PRESERVE_ORDER,
                                     JSON_INDENT(3) | JSON_SORT_KEYS };
    struct board_report rep;
    size_t i, f;

    for (i = 0; i < 4; i++)
        for (f = 0; f < 3; f++) {
            json_t *root = vec_load(board_files[i]);
            char *text = json_dumps(root, flags[f]);

            CHECK(text != NULL && verify_text(text, 1, 2, &rep) == PROTO_OK &&
                  rep.signature_checked, board_files[i]);
            if (text != NULL)
                check_direct_read(text, strlen(text));
            free(text);
            json_decref(root);
        }
}

/* TEXT with the last occurrence of FROM replaced by TO (malloc'd). */
static char *edit_last(const char *text, const char *from, const char *to)
{
    const char *at = NULL, *p = text;
    size_t n = strlen(from), k = strlen(to), len = strlen(text);
    char *out;

    while ((p = strstr(p, from)) != NULL)
        at = p++;
    if (at == NULL || (out = malloc(len - n + k + 1)) == NULL)
        return NULL;
    memcpy(out, text, (size_t)(at - text));
    memcpy(out + (at - text), to, k);
    memcpy(out + (at - text) + k, at + n, len - (size_t)(at - text) - n + 1);
    return out;
}

/* Each of the N EDITS (from, to) on the last occurrence in TEXT makes a
 * board that is "shape" at "board". */
static void check_json_errors(const char *text, const char *const (*edits)[2], size_t n,
                              const char *what)
{
    struct board_report rep;
    char *bad;
    size_t i;

    for (i = 0; i < n; i++) {
        bad = edit_last(text, edits[i][0], edits[i][1]);
        CHECK(bad != NULL && verify_text(bad, 1, 2, &rep) == PROTO_SHAPE &&
              strcmp(rep.where, "board") == 0, what);
        free(bad);
    }
}

/* A board that is not JSON (a duplicate key, a real number in its last
 * ballot) is "shape" at "board" even when the record and an earlier ballot
 * fail too; a ballot with an escape in its poll id still verifies. */
static void test_json_first(void)
{
    static const char *const edits[][2] = {
        { "\"tracker\": ", "\"tag\": " },
        { "\"sum_proof\": [", "\"x\": 1.0, \"sum_proof\": [" },
    };
    struct board_report rep;
    json_t *root = vec_load("board.json");
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER), *bad;
    const char *id;
    char from[128], to[160];

    check_json_errors(text, edits, 2, "JSON error");
    json_decref(root);
    root = vec_load("board.json");
    flip_hex(root, "", "fingerprint", 0);
    flip_hex(root, "ballots[2].choices[0]", "beta", 0);
    free(text);
    text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    check_json_errors(text, edits, 2, "JSON error before record and ballot errors");
    free(text);
    json_decref(root);
    root = vec_load("board.json");
    text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    id = vec_str(root, "poll.id");
    snprintf(from, sizeof from, "\"poll\": \"%s\"", id);
    snprintf(to, sizeof to, "\"poll\": \"\\u00%02x%s\"", (unsigned)(unsigned char)id[0], id + 1);
    bad = edit_last(text, from, to);
    CHECK(bad != NULL && verify_text(bad, 1, 2, &rep) == PROTO_OK, "escaped poll id");
    free(bad);
    free(text);
    json_decref(root);
}

/* --- boards made here ------------------------------------------------------------- */

struct made {
    struct record *rec;
    unsigned char x[3][32];
    struct ballot *b[40];
    size_t n;
    struct tally *t;
    struct proof_share sh[3][3];
    struct board_decryption dec[3];
    const struct proof_share *rows[3];
};

static void made_free(struct made *mk)
{
    size_t i;

    for (i = 0; i < mk->n; i++)
        ballot_free(mk->b[i]);
    tally_free(mk->t);
    record_free(mk->rec);
    sodium_memzero(mk->x, sizeof mk->x);
}

/* A 3-option poll with 2 trustees; roll of n_roll voters. */
static int made_poll(struct made *mk, const struct crypto_rng *rng, size_t n_roll)
{
    static const char *const opts[] = { "red", "green", "blue" };
    static const char *const roll[] = { "a", "b", "c", "d", "e", "f", "g", "h" };
    struct record_params p = { "made", "Colour?", opts, 3, 0, 2, "2025-06-01T00:00:00Z",
                               "2025-06-08T00:00:00Z", roll, n_roll };
    struct record_trustee tr[2] = { { "ada", { 0 }, { { 0 }, { 0 } } },
                                    { "grace", { 0 }, { { 0 }, { 0 } } } };
    uint32_t k;

    memset(mk, 0, sizeof *mk);
    for (k = 1; k <= 2; k++)
        if (proof_holder_keygen("made", 4, k, tr[k - 1].name, strlen(tr[k - 1].name), rng, mk->x[k],
                                tr[k - 1].X, &tr[k - 1].pok) != 0)
            return -1;
    if (record_create(&p, tr, 2, rng, &mk->rec, mk->x[0]) != PROTO_OK)
        return -1;
    mk->t = tally_new(3);
    return mk->t != NULL ? 0 : -1;
}

static int made_ballot(struct made *mk, const uint8_t *votes, const unsigned char *rho,
                       const struct crypto_rng *rng)
{
    unsigned char r[32];

    if (rho == NULL) {
        crypto_rng_bytes(rng, r, 32);
        rho = r;
    }
    if (ballot_create(mk->rec, votes, rho, NULL, rng, &mk->b[mk->n]) != 0)
        return -1;
    return tally_add(mk->t, mk->b[mk->n++]);
}

static int made_shares(struct made *mk, const struct crypto_rng *rng)
{
    uint32_t k;

    for (k = 0; k < 3; k++) {
        mk->dec[k].holder = k;
        mk->dec[k].shares = mk->sh[k];
        mk->rows[k] = mk->sh[k];
        if (mk->n > 0 && tally_shares_create(mk->rec, k, mk->x[k], mk->t, rng, mk->sh[k]) != 0)
            return -1;
    }
    return 0;
}

static int tracker_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

/* The board of a made poll: full (signed with key) or partial with the
 * shares of ndec holders listed in dec. */
static char *made_board(struct made *mk, const struct sign_key *key, int partial, size_t ndec)
{
    unsigned char (*tr)[32] = calloc(mk->n + 1, 32);
    struct tally_result res;
    char *text = NULL;
    size_t i;

    if (tr == NULL)
        return NULL;
    for (i = 0; i < mk->n; i++)
        memcpy(tr[i], ballot_tracker(mk->b[i]), 32);
    qsort(tr, mk->n, 32, tracker_cmp);
    if (partial || tally_result_make(mk->rec, mk->t, mk->rows, (const unsigned char (*)[32])tr,
                                     key, &res) == PROTO_OK)
        text = board_build(mk->rec, (const struct ballot *const *)mk->b, mk->n, mk->t, mk->dec,
                           partial ? ndec : 3, partial ? NULL : &res, NULL);
    free(tr);
    return text;
}

static void test_made(const struct sign_key *key)
{
    struct crypto_rng rng = crypto_rng_system();
    uint32_t truth[3] = { 0, 0, 0 }, j;
    struct board_report rep;
    struct made mk;
    char *text;
    size_t i;

    CHECK_EQ_INT(made_poll(&mk, &rng, 8), 0, "made poll with 2 trustees");
    for (i = 0; i < 8 && mk.rec != NULL; i++) {
        uint8_t votes[3] = { (uint8_t)(i % 2), (uint8_t)(i % 3 == 1), (uint8_t)(i == 4) };

        CHECK_EQ_INT(made_ballot(&mk, votes, NULL, &rng), 0, "made ballot");
        for (j = 0; j < 3; j++)
            truth[j] += votes[j];
    }
    CHECK_EQ_INT(made_shares(&mk, &rng), 0, "made shares");
    text = made_board(&mk, key, 0, 0);
    CHECK(text != NULL && board_verify(text, strlen(text), sign_key_public(key), 2, &rep) ==
          PROTO_OK && memcmp(rep.counts, truth, sizeof truth) == 0 &&
          rep.verdict == PROTO_VERDICT_NONE && rep.signature_checked, "made board verifies");
    free(text);
    mk.dec[1] = mk.dec[2];     /* partial: holders 0 and 2 */
    text = made_board(&mk, key, 1, 2);
    CHECK(text != NULL && board_verify(text, strlen(text), NULL, 0, &rep) == PROTO_OK &&
          rep.partial && rep.holders_present == 2, "partial board with holders 0 and 2");
    free(text);
    mk.dec[0] = mk.dec[2];     /* holders 2, 2: not ascending */
    text = made_board(&mk, key, 1, 2);
    CHECK(text != NULL && board_verify(text, strlen(text), NULL, 0, &rep) == PROTO_SHAPE,
          "partial board with a repeated holder");
    free(text);
    made_free(&mk);
}

static void test_made_duplicates(const struct sign_key *key)
{
    static const uint8_t votes[3] = { 1, 0, 0 };
    struct crypto_rng rng = crypto_rng_system();
    struct crypto_rng_stream st;
    struct crypto_rng srng;
    unsigned char rho[32], rho2[32];
    struct board_report rep;
    struct made mk;
    char *text;

    crypto_rng_bytes(&rng, rho, 32);
    crypto_rng_bytes(&rng, rho2, 32);
    /* the same rho twice: the same tag */
    CHECK(made_poll(&mk, &rng, 8) == 0 && made_ballot(&mk, votes, rho, &rng) == 0 &&
          made_ballot(&mk, votes, rho, &rng) == 0 && made_shares(&mk, &rng) == 0, "same tag");
    text = made_board(&mk, key, 0, 0);
    CHECK(text != NULL && board_verify(text, strlen(text), NULL, 0, &rep) == PROTO_DUPLICATE_TAG,
          "duplicate tag on the board");
    free(text);
    made_free(&mk);
    /* the same r_j twice (one stream replayed): the same alphas */
    CHECK_EQ_INT(made_poll(&mk, &rng, 8), 0, "poll");
    srng = vec_rng(&st, "test/duplicate-alpha");
    CHECK_EQ_INT(made_ballot(&mk, votes, rho, &srng), 0, "first");
    srng = vec_rng(&st, "test/duplicate-alpha");
    CHECK(made_ballot(&mk, votes, rho2, &srng) == 0 && made_shares(&mk, &rng) == 0, "second");
    text = made_board(&mk, key, 0, 0);
    CHECK(text != NULL && board_verify(text, strlen(text), NULL, 0, &rep) ==
          PROTO_DUPLICATE_ALPHA, "duplicate alpha on the board");
    free(text);
    made_free(&mk);
}

static void test_made_sizes(const struct sign_key *key)
{
    static const uint8_t votes[3] = { 0, 1, 1 };
    struct crypto_rng rng = crypto_rng_system();
    struct board_report rep;
    struct made mk;
    char *text;

    /* N > n: two ballots for a roll of one */
    CHECK(made_poll(&mk, &rng, 1) == 0 && made_ballot(&mk, votes, NULL, &rng) == 0 &&
          made_ballot(&mk, votes, NULL, &rng) == 0 && made_shares(&mk, &rng) == 0, "N > n");
    text = made_board(&mk, key, 0, 0);
    CHECK(text != NULL && board_verify(text, strlen(text), NULL, 0, &rep) == PROTO_COUNT &&
          strcmp(rep.where, "ballots") == 0, "more ballots than voters");
    free(text);
    made_free(&mk);
    /* N = 0 */
    CHECK(made_poll(&mk, &rng, 3) == 0 && made_shares(&mk, &rng) == 0, "empty");
    text = made_board(&mk, key, 0, 0);
    CHECK(text != NULL && board_verify(text, strlen(text), sign_key_public(key), 0, &rep) ==
          PROTO_OK && rep.ballots == 0 && rep.verdict == PROTO_VERDICT_NONE, "empty board");
    free(text);
    made_free(&mk);
}

int main(void)
{
    struct sign_key *key = NULL;
    json_t *t;

    if (crypto_init() != 0)
        return 1;
    t = vec_load("tally.json");
    CHECK_EQ_INT(vec_bytes(t, "server_key.public_key", server_pk, 32), 0, "server key");
    json_decref(t);
    test_build();
    test_verify_vectors();
    test_tamper();
    test_wrong_key();
    test_first_failure();
    test_layouts();
    test_json_first();
    CHECK_EQ_INT(sign_key_create(&key), 0, "a server key");
    if (key != NULL) {
        test_made(key);
        test_made_duplicates(key);
        test_made_sizes(key);
    }
    sign_key_free(key);
    TEST_MAIN_END("test_board");
}
