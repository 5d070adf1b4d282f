/*
 * test_board_stream.c — a board kept as frame + ballot rows: the frame cut
 * from a one-ballot board, completed with the ballots' compact texts in
 * tracker order, is byte for byte the board board_build makes with all of
 * them (poll ids with quotes, backslashes and non-ASCII characters, 1 to 40
 * ballots, yes and no); frames refused for boards of another layout; and the
 * stream over a real store (page boundaries, the board stored whole when a
 * poll has no ballot).
 */
#include <unistd.h>

#include "harness.h"

#include "ballot.h"
#include "board.h"
#include "board_stream.h"
#include "sign.h"
#include "store_poll.h"
#include "tally.h"

#define MAXN 150

static const char *const ids[] = {"p1", "poll \"quoted\" \\ back/slash", "vote-\xc3\xa9t\xc3\xa9"};

/* A yes/no poll record with id ID and a roll of MAXN voters. */
static struct record *make_record(const char *id, unsigned char x0[32])
{
    static const char *const opts[] = {"Promote {x}", "Do not promote [y]"};
    static char names[MAXN][8];
    const char *roll[MAXN];
    struct record_params p = {id, "Promote \"x\": a, b?", opts, 2, 1, 1,
                              "2025-01-01T00:00:00Z", "2025-01-08T00:00:00Z", roll, MAXN};
    struct crypto_rng rng = crypto_rng_system();
    struct record *rec = NULL;
    int i;

    for (i = 0; i < MAXN; i++) {
        snprintf(names[i], sizeof names[i], "v%03d", i);
        roll[i] = names[i];
    }
    return record_create(&p, NULL, 0, &rng, &rec, x0) == PROTO_OK ? rec : NULL;
}

static int cmp_ballot(const void *a, const void *b)
{
    return memcmp(ballot_tracker(*(struct ballot *const *)a),
                  ballot_tracker(*(struct ballot *const *)b), 32);
}

/* Everything a board needs besides the ballots. */
struct parts {
    struct tally *t;
    struct proof_share shares[2];
    struct board_decryption dec;
    struct tally_result res;
};

static int make_parts(const struct record *rec, const unsigned char x0[32],
                      struct ballot **b, size_t n, const struct sign_key *key, struct parts *pt)
{
    unsigned char tr[MAXN][32];
    const struct proof_share *rows[1] = {pt->shares};
    struct crypto_rng rng = crypto_rng_system();
    size_t i;

    pt->t = tally_new(2);
    pt->dec = (struct board_decryption){0, pt->shares};
    for (i = 0; i < n; i++) {
        if (tally_add(pt->t, b[i]) != 0)
            return -1;
        memcpy(tr[i], ballot_tracker(b[i]), 32);
    }
    if (tally_shares_create(rec, 0, x0, pt->t, &rng, pt->shares) != 0)
        return -1;
    return tally_result_make(rec, pt->t, rows, (const unsigned char (*)[32])tr, key,
                             &pt->res) == PROTO_OK ? 0 : -1;
}

/* Frame of the one-ballot board + every ballot == the whole board? */
static int same_as_built(const struct record *rec, struct ballot **b, size_t n,
                         const struct parts *pt)
{
    const struct ballot *const *all = (const struct ballot *const *)b;
    size_t len, one_len, frame_len, split, i;
    char *whole = board_build(rec, all, n, pt->t, &pt->dec, 1, &pt->res, &len);
    char *one = board_build(rec, all, 1, pt->t, &pt->dec, 1, &pt->res, &one_len);
    struct board_buf out = {NULL, 0, 0};
    char *frame = NULL;
    int ok = whole && one && board_frame_make(one, one_len, &frame, &frame_len, &split) == 0 &&
             board_buf_put(&out, frame, split) == 0;

    for (i = 0; ok && i < n; i++) {
        size_t clen;
        char *compact = ballot_serialize(b[i], BALLOT_FORM_BOARD, 0, &clen);
        ok = compact && board_frame_put_ballot(&out, compact, clen, i) == 0;
        free(compact);
    }
    ok = ok && board_buf_put(&out, frame + split, frame_len - split) == 0 && out.len == len &&
         memcmp(out.data, whole, len) == 0;
    free(whole);
    free(one);
    free(frame);
    board_buf_free(&out);
    return ok;
}

static void test_frames(void)
{
    struct crypto_rng rng = crypto_rng_system();
    static const size_t counts[] = {1, 2, 7, 40};
    struct sign_key *key = NULL;
    size_t k, c, i;

    CHECK_EQ_INT(sign_key_create(&key), 0, "server key");
    for (k = 0; k < sizeof ids / sizeof ids[0]; k++) {
        unsigned char x0[32], rho[32];
        struct record *rec = make_record(ids[k], x0);
        struct ballot *b[MAXN];

        CHECK(rec != NULL, "record");
        if (rec == NULL)
            continue;
        for (i = 0; i < 40; i++) {
            uint8_t votes[2] = {(uint8_t)(i % 3 != 0), (uint8_t)(i % 3 == 0)};
            crypto_rng_bytes(&rng, rho, 32);
            CHECK_EQ_INT(ballot_create(rec, votes, rho, NULL, &rng, &b[i]), 0, "ballot");
        }
        qsort(b, 40, sizeof *b, cmp_ballot);
        for (c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            struct parts pt;
            memset(&pt, 0, sizeof pt);
            CHECK_EQ_INT(make_parts(rec, x0, b, counts[c], key, &pt), 0, "tally, shares, result");
            CHECK(same_as_built(rec, b, counts[c], &pt), "frame + ballots == board_build");
            tally_free(pt.t);
        }
        for (i = 0; i < 40; i++)
            ballot_free(b[i]);
        record_free(rec);
    }
    sign_key_free(key);
}

static void test_refused(void)
{
    static const char *const bad[] = {
        "", "{}", "{\n  \"ballots\": []\n}\n",                  /* no element */
        "{\n  \"ballots\": [\n    {\n      \"a\": 1\n    }\n}\n",  /* no end */
        "{\n  \"poll\": {\n    \"ballots\": [\n      {}\n    ]\n  }\n}\n",
    };
    static const char good[] = "{\n  \"ballots\": [\n    {}\n  ],\n  \"x\": 1\n}\n";
    static const char cut[] = "{\n  \"ballots\": [\n  ],\n  \"x\": 1\n}\n";
    char *frame = NULL;
    size_t flen, split, i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_NE_INT(board_frame_make(bad[i], strlen(bad[i]), &frame, &flen, &split), 0,
                     "a board of another layout has no frame");
    CHECK(board_frame_make(good, strlen(good), &frame, &flen, &split) == 0 &&
          split == strlen("{\n  \"ballots\": [") && strcmp(frame, cut) == 0 &&
          flen == strlen(cut), "frame cut");
    free(frame);
}

/* --- the stream over a store ------------------------------------------------------- */

static struct store *open_store(char *dir, size_t cap)
{
    struct store *s = NULL;

    snprintf(dir, cap, "/tmp/conclave-test-board-stream-XXXXXX");
    if (mkdtemp(dir) == NULL || store_open(dir, &s) != 0)
        return NULL;
    return s;
}

/* Stores poll ID (closes at 1) with N (< 256) rows "{\"n\":i}" under increasing
 * trackers, cast by the roll's voters v0, v1... */
static int store_rows(struct store *s, const char *id, size_t n)
{
    struct store_poll p;
    unsigned char secret[32] = {0}, tracker[32], tag[32], alpha[32];
    static char names[256][8];
    const char *roll[256];
    char text[32];
    size_t i;
    int ok;

    for (i = 0; i < 256; i++) {
        snprintf(names[i], sizeof names[i], "v%zu", i);
        roll[i] = names[i];
    }

    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", id);
    snprintf(p.nominee, sizeof p.nominee, "N %s", id);
    snprintf(p.nominated_by, sizeof p.nominated_by, "v1");
    memset(p.fingerprint, 'a', 64);
    p.statement = p.statement_html = p.record = (char *)(uintptr_t)"x";
    p.closes_at = 1;
    if (n >= 256 || store_poll_insert(s, &p, NULL, secret, roll, n > 0 ? n : 1) != 0 ||
        store_begin(s) != 0)
        return -1;
    for (i = 0, ok = 1; ok && i < n; i++) {
        struct store_cast c = {id, roll[i], tracker, tag, alpha, 1, NULL, text};
        memset(tracker, 0, 32);
        tracker[30] = (unsigned char)(i >> 8);
        tracker[31] = (unsigned char)i;
        memcpy(tag, tracker, 32);
        tag[0] = 1;
        memcpy(alpha, tracker, 32);
        alpha[0] = 2;
        snprintf(text, sizeof text, "{\"n\":%zu}", i);
        ok = store_cast_apply(s, &c, 0, NULL) == CV_OK;
    }
    return ok && store_commit(s) == 0 ? 0 : -1;
}

static void test_stream(void)
{
    static const char frame[] = "{\n  \"ballots\": [\n  ],\n  \"t\": 1\n}\n";
    char dir[64], *text = NULL, buf[7];
    struct store *s = open_store(dir, sizeof dir);
    struct board_stream *bs = NULL;
    struct board_buf want = {NULL, 0, 0}, got = {NULL, 0, 0};
    size_t len = 0, i;
    long n;

    CHECK(s != NULL, "store");
    if (s == NULL)
        return;
    CHECK(store_rows(s, "a", 130) == 0 && store_rows(s, "b", 0) == 0, "rows stored");
    CHECK_EQ_INT(board_stream_open(s, "a", &bs), CV_NOT_FOUND, "open poll: no board");
    CHECK(store_begin(s) == 0 && store_poll_finish(s, "a", "{}", frame, 15) == 0 &&
          store_poll_finish(s, "b", "{}", "{\"whole\": true}\n", -1) == 0 &&
          store_commit(s) == 0, "finished");
    board_buf_put(&want, frame, 15);
    for (i = 0; i < 130; i++) {
        char row[32];
        snprintf(row, sizeof row, "{\"n\":%zu}", i);
        board_frame_put_ballot(&want, row, strlen(row), i);
    }
    board_buf_put(&want, frame + 15, sizeof frame - 1 - 15);
    CHECK_EQ_INT(board_stream_open(s, "a", &bs), 0, "stream opened");
    while (bs && (n = board_stream_read(bs, buf, sizeof buf)) > 0)
        board_buf_put(&got, buf, (size_t)n);
    board_stream_close(bs);
    CHECK(got.len == want.len && memcmp(got.data, want.data, want.len) == 0,
          "streamed in 7-byte reads across pages of 64 rows");
    CHECK(board_stream_text(s, "a", &text, &len) == 0 && len == want.len &&
          memcmp(text, want.data, len) == 0, "the whole text");
    free(text);         /* (one check used to overwrite it unfreed: LeakSanitizer) */
    CHECK(board_stream_text(s, "b", &text, &len) == 0 &&
          strcmp(text, "{\"whole\": true}\n") == 0, "a board stored whole is served whole");
    free(text);
    CHECK_EQ_INT(board_stream_open(s, "zz", &bs), CV_NOT_FOUND, "no such poll");
    board_buf_free(&want);
    board_buf_free(&got);
    store_close(s);
    CHECK_EQ_INT(harness_remove_tree(dir), 0, "cleanup");
}

int main(void)
{
    CHECK_EQ_INT(crypto_init(), 0, "crypto_init");
    test_frames();
    test_refused();
    test_stream();
    TEST_MAIN_END("test_board_stream");
}
