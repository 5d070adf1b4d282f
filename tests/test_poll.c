/*
 * test_poll.c — opening, withdrawing and closing polls (poll.h) on a real
 * store in a temporary directory, with a real signing key: what an opening
 * fixes (record, roll, window, key, the nominee in NFC), each refusal with its
 * status and message, the withdrawal rules, and a close at the deadline
 * (result stored, secret erased, a second close changing nothing). Casting is
 * the ballot box's (test_ballotbox.c); polls with ballots close in
 * tests/integration/test_polls.py.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "crypto.h"
#include "err.h"
#include "harness.h"
#include "poll.h"
#include "record.h"
#include "sign.h"
#include "consent.h"
#include "store.h"
#include "store_consent.h"
#include "store_poll.h"

static char tmp_root[] = "/tmp/conclave-test-poll-XXXXXX";

/* The nominator attests the nominee's consent (--nominee-consent attest). */
static const struct poll_consent_req attested = {STORE_CONSENT_ATTESTED, 1, NULL, NULL, NULL};

/* The RNG of these tests: the system's, except that the next ID_REPEATS draws
 * of 8 bytes (a poll's id) all give the same bytes. */
static int id_repeats;

static void test_rng_buf(void *const buf, const size_t size)
{
    if (size == 8 && id_repeats > 0) {
        id_repeats--;
        memset(buf, 0xab, size);
        return;
    }
    randombytes_sysrandom_implementation.buf(buf, size);
}

static uint32_t test_rng_random(void)
{
    return randombytes_sysrandom_implementation.random();
}

static const char *test_rng_name(void)
{
    return "test_poll";
}

static randombytes_implementation test_rng = {
    test_rng_name, test_rng_random, NULL, NULL, test_rng_buf, NULL
};

#define CHECK_STATUS(got, want, what) CHECK_EQ_STR(cv_err_name(got), cv_err_name(want), what)

static void add_member(struct store *st, const char *username, const char *display, int active)
{
    struct store_member m;

    memset(&m, 0, sizeof m);
    snprintf(m.username, sizeof m.username, "%s", username);
    snprintf(m.display_name, sizeof m.display_name, "%s", display);
    m.active = active;
    m.created_at = 1000;
    CHECK_EQ_INT(store_member_insert(st, &m, NULL), CV_OK, username);
}

/* A new store in tmp_root/NAME with alice, bob ("Bob Stone"), carol
 * ("Élodie Roux") active and dave inactive; NULL on failure. */
static struct store *new_store(const char *name)
{
    char dir[256];
    struct store *st = NULL;

    snprintf(dir, sizeof dir, "%s/%s", tmp_root, name);
    if (store_open(dir, &st) != 0) {
        CHECK(0, "store_open");
        return NULL;
    }
    add_member(st, "alice", "Alice", 1);
    add_member(st, "bob", "Bob Stone", 1);
    add_member(st, "carol", "\xc3\x89lodie Roux", 1);
    add_member(st, "dave", "Dave", 0);
    return st;
}

/* Waits until the clock has reached T (unix seconds): a deadline passed. */
static void wait_past(int64_t t)
{
    struct timespec ts = {0, 50 * 1000000L};

    while ((int64_t)time(NULL) < t)
        nanosleep(&ts, NULL);
}

/* Opens a poll for NOMINEE by BY for DURATION seconds; returns the status,
 * the id in ID (or "") and the message in *WHY (or NULL). */
static enum cv_err open_poll(struct store *st, const char *by, const char *nominee,
                             unsigned duration, char id[STORE_POLL_ID_MAX + 1],
                             const char **why)
{
    *why = NULL;
    id[0] = '\0';
    return poll_open(st, by, nominee, "A long record of **good** work.", duration, &attested,
                     id, why);
}

/* The record of an opening: the question and options from the nominee, the
 * window, the roll (active members in byte order), holder 0's key. */
static void check_record(struct store *st, const struct store_poll *p)
{
    struct record *rec = NULL;
    unsigned char x0[32], y[32];
    char opens[21], closes[21], fp[65];
    size_t len;

    if (record_parse(p->record, strlen(p->record), &rec) != PROTO_OK) {
        CHECK(0, "the stored record parses");
        return;
    }
    CHECK_EQ_STR(record_question(rec, &len), "Promote Grace Hopper to core developer?",
                 "the question");
    CHECK_EQ_STR(record_option(rec, 0, &len), "Promote Grace Hopper", "option 0");
    CHECK_EQ_STR(record_option(rec, 1, &len), "Do not promote", "option 1");
    CHECK_EQ_INT(record_roll_count(rec), 3, "the roll: the three active members");
    CHECK_EQ_STR(record_roll_entry(rec, 0, &len), "alice", "roll[0]");
    CHECK_EQ_STR(record_roll_entry(rec, 2, &len), "carol", "roll[2]");
    poll_format_time(p->opens_at, opens);
    poll_format_time(p->closes_at, closes);
    CHECK_EQ_STR(record_opens_at(rec), opens, "opens_at");
    CHECK_EQ_STR(record_closes_at(rec), closes, "closes_at");
    crypto_hex_encode(fp, record_fingerprint(rec), 32);
    CHECK_EQ_STR(p->fingerprint, fp, "the fingerprint stored is the record's");
    CHECK_EQ_INT(store_poll_secret(st, p->id, x0), 0, "holder 0's secret is kept while open");
    CHECK(crypto_point_mul_base(y, x0) == 0 && memcmp(y, record_public_key(rec), 32) == 0,
          "and the record's key is its public key");
    record_free(rec);
}

static void test_open(struct store *st)
{
    char id[STORE_POLL_ID_MAX + 1];
    struct store_poll p;
    const char *why;
    int64_t before = (int64_t)time(NULL);

    CHECK_STATUS(open_poll(st, "alice", "Grace Hopper", 3600, id, &why), CV_OK, "open");
    CHECK_EQ_SIZE(strlen(id), 16, "the id: 16 hex digits");
    memset(&p, 0, sizeof p);
    if (store_poll_get(st, id, 1, &p) != 0) {
        CHECK(0, "the poll is stored");
        return;
    }
    CHECK_EQ_STR(p.nominee, "Grace Hopper", "nominee");
    CHECK_EQ_STR(p.nominated_by, "alice", "nominated by");
    CHECK_EQ_INT(p.eligible, 3, "eligible: the active members");
    CHECK_EQ_INT(p.closes_at - p.opens_at, 3600, "the window");
    CHECK(p.opens_at >= before && p.opens_at <= (int64_t)time(NULL), "opens now");
    CHECK(p.statement_html != NULL && strstr(p.statement_html, "<strong>good</strong>") != NULL,
          "the statement rendered");
    CHECK_EQ_INT(p.closed, 0, "open");
    CHECK(p.result == NULL, "no result while open");
    check_record(st, &p);
    store_poll_clear(&p);
    /* the name in NFC before anything else, whatever form came */
    CHECK_STATUS(open_poll(st, "bob", "Jose\xcc\x81 Nu\xcc\x81n\xcc\x83" "ez", 3600, id, &why),
                 CV_OK, "a name in NFD");
    if (store_poll_get(st, id, 0, &p) == 0)
        CHECK_EQ_STR(p.nominee, "Jos\xc3\xa9 N\xc3\xba\xc3\xb1" "ez", "is stored in NFC");
    store_poll_clear(&p);
}

/* A poll id drawn twice (2^-64 a poll) is drawn again: the poll opens under
 * another id, with its record made for that id; it is not refused as a
 * duplicate nominee (issue 15 item 27). */
static void test_id_drawn_twice(void)
{
    char id1[STORE_POLL_ID_MAX + 1], id2[STORE_POLL_ID_MAX + 1];
    struct store *st = new_store("ids");
    struct store_poll p;
    const char *why;

    if (st == NULL)
        return;
    id_repeats = 1;
    CHECK_STATUS(open_poll(st, "alice", "Ada Byron", 3600, id1, &why), CV_OK, "a first poll");
    CHECK_EQ_STR(id1, "abababababababab", "its id is the test RNG's");
    id_repeats = 1;
    CHECK_STATUS(open_poll(st, "bob", "Edsger Dijkstra", 3600, id2, &why), CV_OK,
                 "a second poll whose first id drawn is taken opens");
    CHECK(strlen(id2) == 16 && strcmp(id2, id1) != 0, "under another id");
    memset(&p, 0, sizeof p);
    if (store_poll_get(st, id2, 1, &p) == 0)
        CHECK(strstr(p.record, id2) != NULL && strstr(p.record, id1) == NULL,
              "its record names the id it was stored under");
    else
        CHECK(0, "the second poll is stored");
    store_poll_clear(&p);
    store_close(st);
}

static void test_refusals(struct store *st)
{
    static const struct { const char *nominee, *why, *what; } invalid[] = {
        {"Jane  Doe", "the nominee's name must use plain spaces, one at a time, and no "
                      "invisible characters", "two spaces"},
        {"", "the nominee's name must have 1 to 100 characters", "empty"},
        {"Jane\x07", "the nominee's name must not contain control characters", "a control"},
        {"Jane\xc3", "the nominee's name must be valid UTF-8", "bad UTF-8"},
    };
    char id[STORE_POLL_ID_MAX + 1], first[STORE_POLL_ID_MAX + 1];
    const char *why;
    size_t i;

    for (i = 0; i < sizeof invalid / sizeof *invalid; i++) {
        CHECK_STATUS(open_poll(st, "bob", invalid[i].nominee, 60, id, &why), CV_BAD_POLL,
                     invalid[i].what);
        CHECK_EQ_STR(why, invalid[i].why, invalid[i].what);
    }
    CHECK_STATUS(poll_open(st, "bob", "Ok Name", " \n\t ", 60, &attested, id, &why), CV_BAD_POLL,
                 "a blank statement");
    CHECK_EQ_STR(why, "write a statement for the nominee", "a blank statement");
    CHECK_STATUS(poll_open(st, "bob", "Ok Name", "\xff", 60, &attested, id, &why), CV_BAD_POLL,
                 "a statement of bad UTF-8");
    CHECK_EQ_STR(why, "the statement must be valid UTF-8", "bad UTF-8");
    CHECK_STATUS(open_poll(st, "bob", "ALICE", 60, id, &why), CV_ALREADY_MEMBER,
                 "a member's username in another case");
    CHECK_EQ_STR(why, "the nominee is already an active member", "already a member");
    CHECK_STATUS(open_poll(st, "bob", "bob stone", 60, id, &why), CV_ALREADY_MEMBER,
                 "a member's ASCII display name");
    CHECK_STATUS(open_poll(st, "bob", "E\xcc\x81LODIE ROUX", 60, id, &why),
                 CV_ALREADY_MEMBER, "a member's display name, folded and in NFD");
    CHECK_STATUS(open_poll(st, "bob", "Dave", 60, first, &why), CV_OK,
                 "an inactive member may be nominated");
    CHECK_STATUS(open_poll(st, "carol", "DAVE", 60, id, &why), CV_POLL_EXISTS,
                 "the same nominee twice");
    CHECK_EQ_STR(why, "a poll for this nominee is already open", "duplicate");
    CHECK_EQ_STR(id, first, "the open poll's id is handed back");
}

/* BY opens polls until the fourth is refused: three open per member. */
static void test_too_many(struct store *st)
{
    char id[STORE_POLL_ID_MAX + 1], name[32];
    const char *why;
    int i;

    for (i = 0; i < POLL_OPEN_PER_MEMBER; i++) {
        snprintf(name, sizeof name, "Nominee %d", i);
        CHECK_STATUS(open_poll(st, "carol", name, 60, id, &why), CV_OK, name);
    }
    CHECK_STATUS(open_poll(st, "carol", "One Too Many", 60, id, &why), CV_TOO_MANY_POLLS,
                 "a fourth open poll");
    CHECK_EQ_STR(why, "you have opened 3 polls that are still open; wait for one to close",
                 "too many");
}

static void test_no_voters(void)
{
    char dir[256], id[STORE_POLL_ID_MAX + 1];
    struct store *st = NULL;
    const char *why;

    snprintf(dir, sizeof dir, "%s/empty", tmp_root);
    if (store_open(dir, &st) != 0) {
        CHECK(0, "store_open");
        return;
    }
    add_member(st, "zed", "Zed", 0);
    CHECK_STATUS(open_poll(st, "zed", "Grace Hopper", 60, id, &why), CV_BAD_POLL,
                 "no active member");
    CHECK_EQ_STR(why, "there are no active members to vote", "no voters");
    store_close(st);
}

static void test_withdraw_check(void)
{
    struct store_poll p;
    int64_t now = (int64_t)time(NULL);

    memset(&p, 0, sizeof p);
    snprintf(p.nominated_by, sizeof p.nominated_by, "alice");
    p.closes_at = now + 3600;
    CHECK_STATUS(poll_withdraw_check(&p, 0, "alice", 0), CV_OK, "the nominator");
    CHECK_STATUS(poll_withdraw_check(&p, 0, "ALICE", 0), CV_OK, "in any case");
    CHECK_STATUS(poll_withdraw_check(&p, 0, "bob", 0), CV_FORBIDDEN, "another member");
    CHECK_STATUS(poll_withdraw_check(&p, 0, "bob", 1), CV_OK, "an admin");
    CHECK_STATUS(poll_withdraw_check(&p, 1, "alice", 0), CV_BALLOTS_CAST, "after a ballot");
    CHECK_STATUS(poll_withdraw_check(&p, 1, "bob", 0), CV_FORBIDDEN, "forbidden comes first");
    p.closes_at = now - 1;
    CHECK_STATUS(poll_withdraw_check(&p, 0, "alice", 0), CV_POLL_CLOSED, "past the deadline");
    p.closes_at = now + 3600;
    p.closed = 1;
    CHECK_STATUS(poll_withdraw_check(&p, 0, "alice", 0), CV_POLL_CLOSED, "closed");
    p.withdrawn = 1;
    CHECK_STATUS(poll_withdraw_check(&p, 0, "alice", 1), CV_POLL_WITHDRAWN, "withdrawn");
}

static void test_withdraw(struct store *st)
{
    char id[STORE_POLL_ID_MAX + 1], again[STORE_POLL_ID_MAX + 1];
    unsigned char x0[32];
    struct store_poll p;
    const char *why;

    memset(&p, 0, sizeof p);
    CHECK_STATUS(open_poll(st, "alice", "Linus", 3600, id, &why), CV_OK, "open Linus");
    CHECK_STATUS(poll_withdraw(st, NULL, id, "bob", 0), CV_FORBIDDEN, "bob may not");
    CHECK_STATUS(poll_withdraw(st, NULL, id, "alice", 0), CV_OK, "alice withdraws");
    CHECK_STATUS(poll_withdraw(st, NULL, id, "alice", 0), CV_POLL_WITHDRAWN, "only once");
    CHECK_STATUS(poll_withdraw(st, NULL, "0123456789abcdef", "alice", 1), CV_NOT_FOUND,
                 "an unknown poll");
    if (store_poll_get(st, id, 0, &p) == 0) {
        CHECK(p.withdrawn == 1 && p.closed == 1 && p.result == NULL,
              "withdrawn: closed, with no result");
        CHECK_EQ_STR(p.withdrawn_by, "alice", "withdrawn by");
    }
    store_poll_clear(&p);
    CHECK_NE_INT(store_poll_secret(st, id, x0), 0, "its secret key is erased");
    CHECK_STATUS(poll_close(st, NULL, id, NULL), CV_OK, "closing it changes nothing");
    CHECK_STATUS(open_poll(st, "alice", "linus", 3600, again, &why), CV_OK,
                 "the nominee is free for a new poll");
}

/* The stored result of a poll without ballots. */
static void check_empty_result(const char *result)
{
    json_t *r = result ? json_loads(result, 0, NULL) : NULL;
    json_t *counts = json_object_get(r, "counts");

    CHECK(json_is_array(counts) && json_array_size(counts) == 2 &&
          json_integer_value(json_array_get(counts, 0)) == 0 &&
          json_integer_value(json_array_get(counts, 1)) == 0, "counts [0, 0]");
    CHECK_EQ_INT(json_integer_value(json_object_get(r, "ballots")), 0, "no ballots");
    CHECK_EQ_INT(json_integer_value(json_object_get(r, "eligible")), 3, "three eligible");
    CHECK_EQ_STR(json_string_value(json_object_get(r, "rule")), "two-thirds", "the rule");
    CHECK(json_is_false(json_object_get(r, "passed")), "nobody voted: not passed");
    CHECK(json_is_string(json_object_get(r, "signature")), "signed");
    json_decref(r);
}

static void test_close(const struct sign_key *key)
{
    char id[STORE_POLL_ID_MAX + 1], open_id[STORE_POLL_ID_MAX + 1], *first = NULL;
    unsigned char x0[32];
    struct store *st = new_store("close");
    struct store_poll p;
    const char *why;

    if (st == NULL)
        return;
    memset(&p, 0, sizeof p);
    CHECK_STATUS(open_poll(st, "bob", "Margaret", 3600, open_id, &why), CV_OK, "a week");
    CHECK_STATUS(poll_close(st, key, open_id, NULL), CV_POLL_OPEN, "not before the deadline");
    CHECK_STATUS(poll_close(st, key, "0123456789abcdef", NULL), CV_NOT_FOUND, "unknown");
    CHECK_STATUS(open_poll(st, "bob", "Ken Thompson", 1, id, &why), CV_OK, "for a second");
    wait_past((int64_t)time(NULL) + 1);
    CHECK_STATUS(poll_close(st, key, id, NULL), CV_OK, "closed at its deadline");
    if (store_poll_get(st, id, 0, &p) == 0) {
        CHECK_EQ_INT(p.closed, 1, "closed");
        check_empty_result(p.result);
        first = p.result ? strdup(p.result) : NULL;
    }
    store_poll_clear(&p);
    CHECK_NE_INT(store_poll_secret(st, id, x0), 0, "the secret key is erased");
    CHECK_STATUS(poll_close(st, key, id, NULL), CV_OK, "a second close");
    if (store_poll_get(st, id, 0, &p) == 0)
        CHECK_EQ_STR(p.result, first, "changes nothing");
    store_poll_clear(&p);
    free(first);
    CHECK_STATUS(poll_close(st, key, open_id, NULL), CV_POLL_OPEN, "the other stays open");
    store_close(st);
}

/* poll_close_due closes every poll past its deadline, and only those. */
static void test_close_due(const struct sign_key *key)
{
    char a[STORE_POLL_ID_MAX + 1], b[STORE_POLL_ID_MAX + 1], later[STORE_POLL_ID_MAX + 1];
    struct store *st = new_store("due");
    struct store_poll p;
    const char *why;

    if (st == NULL)
        return;
    memset(&p, 0, sizeof p);
    CHECK_STATUS(open_poll(st, "alice", "Due One", 1, a, &why), CV_OK, "due one");
    CHECK_STATUS(open_poll(st, "bob", "Due Two", 1, b, &why), CV_OK, "due two");
    CHECK_STATUS(open_poll(st, "carol", "Not Yet", 3600, later, &why), CV_OK, "not yet");
    wait_past((int64_t)time(NULL) + 1);
    CHECK_EQ_INT(poll_close_due(st, key, NULL, (int64_t)time(NULL)), 2, "two closed");
    CHECK(store_poll_get(st, a, 0, &p) == 0 && p.closed && p.result != NULL, "the first");
    store_poll_clear(&p);
    CHECK(store_poll_get(st, b, 0, &p) == 0 && p.closed && p.result != NULL, "the second");
    store_poll_clear(&p);
    CHECK(store_poll_get(st, later, 0, &p) == 0 && !p.closed, "the one not due stays open");
    store_poll_clear(&p);
    CHECK_EQ_INT(poll_close_due(st, key, NULL, (int64_t)time(NULL)), 0, "nothing more is due");
    store_close(st);
}

static void test_format_time(void)
{
    char out[21];

    poll_format_time(0, out);
    CHECK_EQ_STR(out, "1970-01-01T00:00:00Z", "the epoch");
    poll_format_time(1700000000, out);
    CHECK_EQ_STR(out, "2023-11-14T22:13:20Z", "a time");
}

/* The attestation: refused without it (naming consent), recorded with it. */
static void test_consent_attest(void)
{
    static const struct poll_consent_req none = {STORE_CONSENT_ATTESTED, 0, NULL, NULL, NULL};
    char id[STORE_POLL_ID_MAX + 1], text[200];
    struct store *st = new_store("attest");
    struct store_poll p;
    const char *why = NULL;

    if (st == NULL)
        return;
    CHECK_STATUS(poll_open(st, "bob", "Grace", "Good.", 60, &none, id, &why), CV_BAD_POLL,
                 "no attestation");
    CHECK(why != NULL && strstr(why, "consent") != NULL, "the refusal names consent");
    CHECK_STATUS(poll_open(st, "bob", "Grace", "Good.", 60, &attested, id, &why), CV_OK,
                 "attested");
    CHECK(store_poll_get(st, id, 1, &p) == 0 && p.consent == STORE_CONSENT_ATTESTED &&
          strcmp(p.consent_by, "bob") == 0 && p.consent_at == p.opens_at && p.record != NULL,
          "the attester and time are stored; the poll is open");
    consent_text(&p, "Bob Stone", text, sizeof text);
    CHECK_EQ_STR(text, "consent attested by Bob Stone", "consent_text");
    store_poll_clear(&p);
    store_close(st);
}

/* THEN of an awaiting poll in these tests: a known link's hash stored. */
static const char test_link[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";

struct then_ctx {
    struct store *st;
    int calls;
};

static int test_then(void *arg, const struct store_poll *p)
{
    struct then_ctx *c = arg;
    unsigned char hash[32];

    crypto_hash_sha256(hash, (const unsigned char *)test_link, CONSENT_LINK_LEN);
    c->calls++;
    return store_consent_set_hash(c->st, p->id, hash);
}

/* A poll awaiting consent: not open (no record, roll, key; no close; the
 * nominee taken), found by its link only; accepted, it opens then with the
 * roll of then. */
static void test_consent_accept(struct store *st, struct poll_consent_req *req,
                                struct then_ctx *c)
{
    char id[STORE_POLL_ID_MAX + 1], id2[STORE_POLL_ID_MAX + 1];
    struct store_poll p;
    const char *why = NULL;
    unsigned char x0[32];
    int on = 1;
    int64_t before;

    CHECK_STATUS(poll_open(st, "bob", "Grace", "Good.", 60, req, id, &why), CV_OK, "awaiting");
    CHECK_EQ_INT(c->calls, 1, "THEN ran once, in the insert");
    CHECK(store_poll_get(st, id, 1, &p) == 0 && STORE_POLL_AWAITING(&p) && p.record == NULL &&
          p.fingerprint[0] == '\0' && p.eligible == 0 &&
          strcmp(p.nominee_email, "g@example.org") == 0 &&
          p.closes_at >= (int64_t)time(NULL) + POLL_CONSENT_TTL - 5, "stored awaiting");
    store_poll_clear(&p);
    CHECK_EQ_INT(store_poll_secret(st, id, x0), CV_NOT_FOUND, "no key while awaiting");
    CHECK(store_poll_on_roll(st, id, "alice", &on) == 0 && on == 0, "no roll while awaiting");
    CHECK_STATUS(poll_open(st, "bob", "GRACE", "Again.", 60, &attested, id2, &why),
                 CV_POLL_EXISTS, "the nominee is taken while awaiting");
    CHECK_STATUS(consent_find(st, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPX", &p),
                 CV_NOT_FOUND, "another link finds nothing");
    CHECK_STATUS(consent_find(st, test_link, &p), CV_OK, "the link finds the poll");
    CHECK_EQ_STR(p.id, id, "the poll of the link");
    store_poll_clear(&p);
    add_member(st, "erin", "Erin", 1);              /* before the acceptance */
    before = (int64_t)time(NULL);
    CHECK_STATUS(consent_answer(st, NULL, test_link, 1, 60, id2, &why), CV_OK, "accept");
    CHECK(store_poll_get(st, id, 1, &p) == 0 && !p.closed && p.record != NULL &&
          p.consent == STORE_CONSENT_ACCEPTED && p.opens_at >= before &&
          p.closes_at == p.opens_at + 60 && p.eligible == 4 && p.consent_at == p.opens_at &&
          strstr(p.record, "\"erin\"") != NULL, "accepted: open now, roll of now");
    store_poll_clear(&p);
    CHECK_STATUS(consent_find(st, test_link, &p), CV_NOT_FOUND, "the link works once");
    CHECK_STATUS(consent_answer(st, NULL, test_link, 0, 60, id2, &why), CV_NOT_FOUND,
                 "no second answer");
}

/* Declined: withdrawn by nobody, with its reason; expired: due to
 * consent_expire_due, never to the closer. */
static void test_consent_awaiting(void)
{
    struct store *st = new_store("awaiting");
    struct then_ctx c = {st, 0};
    struct poll_consent_req req = {STORE_CONSENT_AWAITING, 0, "g@example.org", test_then, &c};
    char id2[STORE_POLL_ID_MAX + 1], due[4][STORE_POLL_ID_MAX + 1];
    int64_t later = (int64_t)time(NULL) + POLL_CONSENT_TTL + 1;
    struct store_poll p;
    const char *why = NULL;
    size_t n = 9;

    if (st == NULL)
        return;
    test_consent_accept(st, &req, &c);
    CHECK_STATUS(poll_open(st, "bob", "Linus", "Good.", 60, &req, id2, &why), CV_OK, "again");
    CHECK_STATUS(consent_answer(st, NULL, test_link, 0, 60, id2, &why), CV_OK, "decline");
    CHECK(store_poll_get(st, id2, 0, &p) == 0 && p.closed && p.withdrawn &&
          p.withdrawn_by[0] == '\0' &&
          strcmp(p.withdrawn_reason, "declined by the nominee") == 0, "declined: withdrawn");
    store_poll_clear(&p);
    CHECK_STATUS(poll_open(st, "bob", "Ken", "Good.", 60, &req, id2, &why), CV_OK, "a third");
    CHECK(store_consent_due(st, (int64_t)time(NULL), due, 4, &n) == 0 && n == 0,
          "not due before its link expires");
    CHECK(store_consent_due(st, later, due, 4, &n) == 0 && n == 1 && strcmp(due[0], id2) == 0,
          "due after");
    CHECK_EQ_INT(store_poll_due(st, later, "", due, 4, &n), 0, "store_poll_due");
    CHECK(n == 1 && strcmp(due[0], id2) != 0, "the closer never picks a poll awaiting consent");
    CHECK_EQ_INT(consent_expire_due(st, NULL, later), 1, "one expired");
    CHECK(store_poll_get(st, id2, 0, &p) == 0 && p.withdrawn &&
          strcmp(p.withdrawn_reason, "consent expired") == 0, "expired: withdrawn");
    store_poll_clear(&p);
    store_close(st);
}

int main(void)
{
    struct sign_key *key = NULL;
    struct store *st;

    if (randombytes_set_implementation(&test_rng) != 0 || crypto_init() != 0 ||
        mkdtemp(tmp_root) == NULL || sign_key_create(&key) != 0) {
        perror("test_poll: setup");
        return 1;
    }
    test_format_time();
    test_withdraw_check();
    if ((st = new_store("polls")) != NULL) {
        test_open(st);
        test_refusals(st);
        test_too_many(st);
        test_withdraw(st);
        store_close(st);
    }
    test_no_voters();
    test_id_drawn_twice();
    test_close(key);
    test_close_due(key);
    test_consent_attest();
    test_consent_awaiting();
    sign_key_free(key);
    harness_remove_tree(tmp_root);
    TEST_MAIN_END("test_poll");
}
