/*
 * test_ballotbox.c — the cast path (ballotbox.h) on a real store, with its
 * group commit running, a real server key and polls opened by poll.c: a
 * ballot accepted is durable with a receipt that verifies; each refusal of
 * PROTOCOL §10 in the box's order (no poll, closed, withdrawn, not on the
 * roll, a body that did not parse, a second ballot, a replacement of
 * nothing, a tag or a ballot of another poll) comes back as its enum cv_err
 * and reason, and stores nothing; a replacement keeps one ballot per voter;
 * the running aggregate follows the counted ballots.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "ballot.h"
#include "ballotbox.h"
#include "crypto.h"
#include "err.h"
#include "harness.h"
#include "poll.h"
#include "record.h"
#include "sign.h"
#include "store.h"
#include "store_durable.h"
#include "store_poll.h"
#include "tally.h"

static char tmp_root[] = "/tmp/conclave-test-ballotbox-XXXXXX";

#define CHECK_ERR(got, want, what) CHECK_EQ_STR(cv_err_name(got), cv_err_name(want), what)
#define CHECK_REASON(got, want, what) \
    CHECK_EQ_STR(proto_reason_code(got), proto_reason_code(want), what)

struct env {
    struct store *st;
    struct sign_key *key;
    struct ballotbox *box;
    struct crypto_rng rng;
};

static void add_member(struct store *st, const char *username, int active)
{
    struct store_member m;

    memset(&m, 0, sizeof m);
    snprintf(m.username, sizeof m.username, "%s", username);
    snprintf(m.display_name, sizeof m.display_name, "%s", username);
    m.active = active;
    m.created_at = 1000;
    CHECK_EQ_INT(store_member_insert(st, &m, NULL), CV_OK, username);
}

/* A store with alice, bob and carol active and dave not, its group commit
 * running, a key and a box; 0 or -1. */
static int env_open(struct env *e)
{
    char dir[256];

    memset(e, 0, sizeof *e);
    e->rng = crypto_rng_system();
    snprintf(dir, sizeof dir, "%s/box", tmp_root);
    if (store_open(dir, &e->st) != 0 || store_durable_start(e->st) != 0 ||
        sign_key_create(&e->key) != 0 || ballotbox_new(e->st, e->key, &e->box) != 0)
        return -1;
    add_member(e->st, "alice", 1);
    add_member(e->st, "bob", 1);
    add_member(e->st, "carol", 1);
    add_member(e->st, "dave", 0);
    return 0;
}

static void env_close(struct env *e)
{
    ballotbox_free(e->box);
    if (e->st != NULL)
        store_durable_stop(e->st);
    store_close(e->st);
    sign_key_free(e->key);
}

/* Opens a poll (by BY) for NOMINEE lasting DURATION seconds; its id into ID
 * and its parsed record into *REC (caller frees). 0 or -1. */
static int open_poll(struct env *e, const char *by, const char *nominee, unsigned duration,
                     char id[STORE_POLL_ID_MAX + 1], struct record **rec)
{
    static const struct poll_consent_req attested = {STORE_CONSENT_ATTESTED, 1, NULL, NULL,
                                                     NULL};
    const char *why = NULL;
    struct store_poll p;
    int rc = -1;

    if (poll_open(e->st, by, nominee, "A statement.", duration, &attested, id, &why) != CV_OK)
        return -1;
    if (store_poll_get(e->st, id, 1, &p) != 0)
        return -1;
    if (record_parse(p.record, strlen(p.record), rec) == PROTO_OK)
        rc = 0;
    store_poll_clear(&p);
    return rc;
}

/* A ballot for REC: yes (or no), secret RHO, replacing the one of
 * REPLACES_RHO (may be NULL). NULL on failure. */
static struct ballot *make_ballot(struct env *e, const struct record *rec, int yes,
                                  const unsigned char rho[32], const unsigned char *replaces)
{
    uint8_t votes[2] = {(uint8_t)(yes != 0), (uint8_t)(yes == 0)};
    struct ballot *b = NULL;

    return ballot_create(rec, votes, rho, replaces, &e->rng, &b) == 0 ? b : NULL;
}

static int64_t voters(struct env *e, const char *id)
{
    int64_t n = -1;

    return store_poll_voter_count(e->st, id, &n) == 0 ? n : -1;
}

/* Casts B for USER in ID; *REASON gets the reason (PROTO_OK if none). */
static enum cv_err cast(struct env *e, const char *id, const char *user,
                        const struct ballot *b, struct box_receipt *r,
                        enum proto_reason *reason)
{
    *reason = PROTO_OK;
    return ballotbox_cast(e->box, id, user, b, PROTO_OK, r, reason);
}

/* An accepted ballot: durable, its receipt the tracker signed for the poll.
 * Returns the ballot that counts in the end (caller frees). */
static struct ballot *test_accept(struct env *e, const char *id, const struct record *rec)
{
    unsigned char rho[32], rho2[32], sig[SIGN_BYTES], tracker[32];
    char hex[65];
    struct box_receipt r;
    enum proto_reason why;
    struct ballot *b, *again, *repl, *stale;

    crypto_rng_bytes(&e->rng, rho, 32);
    crypto_rng_bytes(&e->rng, rho2, 32);
    b = make_ballot(e, rec, 1, rho, NULL);
    CHECK(b != NULL, "a ballot");
    if (b == NULL)
        return NULL;
    CHECK_ERR(cast(e, id, "alice", b, &r, &why), CV_OK, "alice's ballot");
    crypto_hex_encode(hex, ballot_tracker(b), 32);
    CHECK_EQ_STR(r.tracker, hex, "the receipt names the tracker");
    CHECK(crypto_hex_decode(sig, sizeof sig, r.receipt, strlen(r.receipt)) == 0 &&
          crypto_hex_decode(tracker, 32, r.tracker, strlen(r.tracker)) == 0 &&
          sign_receipt_verify(sign_key_public(e->key), record_fingerprint(rec), tracker,
                              sig) == 0, "the receipt verifies under the server's key");
    CHECK_EQ_INT(voters(e, id), 1, "one voter");

    again = make_ballot(e, rec, 0, rho2, NULL);
    CHECK_ERR(cast(e, id, "alice", again, &r, &why), CV_ALREADY_VOTED,
              "a second ballot without replaces");
    CHECK_ERR(cast(e, id, "bob", b, &r, &why), CV_BAD_BALLOT, "alice's ballot sent by bob");
    CHECK_REASON(why, PROTO_DUPLICATE_TAG, "its tag is used");
    CHECK_EQ_INT(voters(e, id), 1, "nothing stored by the refusals");

    repl = make_ballot(e, rec, 0, rho2, rho);
    CHECK_ERR(cast(e, id, "alice", repl, &r, &why), CV_OK, "alice changes her vote");
    CHECK_EQ_INT(voters(e, id), 1, "still one voter");
    stale = make_ballot(e, rec, 1, rho, rho);
    CHECK_ERR(cast(e, id, "alice", stale, &r, &why), CV_BAD_BALLOT,
              "replacing the ballot already replaced");
    CHECK(why == PROTO_REPLACES || why == PROTO_DUPLICATE_TAG,
          "refused for the replaced tag (replaces, or its tag used)");
    CHECK_ERR(cast(e, id, "bob", repl, &r, &why), CV_BAD_BALLOT,
              "bob replacing alice's ballot (he has none)");
    CHECK_REASON(why, PROTO_REPLACES, "replaces without a ballot");
    ballot_free(b);
    ballot_free(again);
    ballot_free(stale);
    return repl;
}

/* The refusals before the proofs, in the box's order. */
static void test_refuse(struct env *e, const char *id, const struct record *rec,
                        const struct record *other)
{
    unsigned char rho[32];
    struct box_receipt r;
    enum proto_reason why;
    struct ballot *b, *foreign;

    crypto_rng_bytes(&e->rng, rho, 32);
    b = make_ballot(e, rec, 1, rho, NULL);
    foreign = make_ballot(e, other, 1, rho, NULL);
    CHECK_ERR(cast(e, "0000000000000000", "bob", b, &r, &why), CV_NOT_FOUND, "no such poll");
    CHECK_ERR(cast(e, id, "dave", b, &r, &why), CV_NOT_ON_ROLL,
              "dave was inactive when the poll opened");
    CHECK_ERR(cast(e, id, "zed", b, &r, &why), CV_NOT_ON_ROLL, "nobody's name");
    why = PROTO_OK;
    CHECK_ERR(ballotbox_cast(e->box, id, "bob", NULL, PROTO_HEX, &r, &why), CV_BAD_BALLOT,
              "a body that did not parse");
    CHECK_REASON(why, PROTO_HEX, "its reason carried beside");
    CHECK_ERR(ballotbox_cast(e->box, id, "bob", NULL, PROTO_INTERNAL, &r, &why), CV_ERROR,
              "a reader out of memory is the server's fault");
    CHECK_ERR(cast(e, id, "bob", foreign, &r, &why), CV_BAD_BALLOT, "another poll's ballot");
    CHECK(why == PROTO_POLL || why == PROTO_FINGERPRINT, "refused as another poll's");
    CHECK_EQ_INT(voters(e, id), 1, "only alice voted");
    ballot_free(b);
    ballot_free(foreign);
}

/* Withdrawn and closed polls take no ballot, whatever it is. */
static void test_closed(struct env *e)
{
    char wid[STORE_POLL_ID_MAX + 1], cid[STORE_POLL_ID_MAX + 1];
    struct record *wrec = NULL, *crec = NULL;
    unsigned char rho[32];
    struct box_receipt r;
    enum proto_reason why;
    struct ballot *b;
    struct timespec nap = {0, 50 * 1000000L};
    int64_t until;

    CHECK(open_poll(e, "alice", "Wendy Withdrawn", 60, wid, &wrec) == 0 &&
          open_poll(e, "bob", "Clara Closed", 1, cid, &crec) == 0, "two more polls");
    if (wrec == NULL || crec == NULL)
        goto out;
    crypto_rng_bytes(&e->rng, rho, 32);
    CHECK_ERR(poll_withdraw(e->st, e->box, wid, "alice", 0), CV_OK, "withdrawn");
    b = make_ballot(e, wrec, 1, rho, NULL);
    CHECK_ERR(cast(e, wid, "bob", b, &r, &why), CV_POLL_WITHDRAWN, "a withdrawn poll");
    ballot_free(b);
    until = (int64_t)time(NULL) + 2;
    while ((int64_t)time(NULL) < until)
        nanosleep(&nap, NULL);
    b = make_ballot(e, crec, 1, rho, NULL);
    CHECK_ERR(cast(e, cid, "bob", b, &r, &why), CV_POLL_CLOSED, "past the deadline");
    CHECK_ERR(ballotbox_cast(e->box, cid, "bob", NULL, PROTO_SHAPE, &r, &why), CV_POLL_CLOSED,
              "the poll's state first, whatever the body");
    CHECK_EQ_INT(voters(e, cid), 0, "nothing stored");
    ballot_free(b);
out:
    record_free(wrec);
    record_free(crec);
}

/* The aggregate holds the counted ballots: alice's replacement COUNTED only. */
static void test_aggregate(struct env *e, const char *id, const struct ballot *counted)
{
    struct tally *agg, *want = tally_new(2);
    unsigned char a[CRYPTO_BYTES], b[CRYPTO_BYTES], wa[CRYPTO_BYTES], wb[CRYPTO_BYTES];
    uint32_t j;

    /* with the store's lock held, as the close asks for it */
    agg = NULL;
    if (store_begin(e->st) == 0) {
        agg = ballotbox_aggregate(e->box, id);
        store_rollback(e->st);
    }
    CHECK(agg != NULL && want != NULL && tally_add(want, counted) == 0, "an aggregate");
    if (agg != NULL && want != NULL) {
        CHECK_EQ_INT((int)tally_ballot_count(agg), 1, "it counts one ballot");
        for (j = 0; j < 2; j++) {
            tally_A(agg, j, a);
            tally_B(agg, j, b);
            tally_A(want, j, wa);
            tally_B(want, j, wb);
            CHECK_EQ_HEX(a, wa, CRYPTO_BYTES, "A_j: the replacement's, not the first ballot's");
            CHECK_EQ_HEX(b, wb, CRYPTO_BYTES, "B_j");
        }
    }
    tally_free(agg);
    tally_free(want);
    CHECK(ballotbox_record(e->box, id) != NULL, "the record is cached");
    ballotbox_forget(e->box, id);
    CHECK(ballotbox_record(e->box, id) == NULL, "and forgotten");
}

int main(void)
{
    struct env e;
    char id[STORE_POLL_ID_MAX + 1], other_id[STORE_POLL_ID_MAX + 1];
    struct record *rec = NULL, *other = NULL;

    if (sodium_init() < 0 || mkdtemp(tmp_root) == NULL) {
        perror("sodium_init or mkdtemp");
        return 1;
    }
    CHECK(env_open(&e) == 0, "a store, its group commit, a key and a box");
    CHECK(open_poll(&e, "alice", "Nora Nominee", 600, id, &rec) == 0 &&
          open_poll(&e, "carol", "Otto Other", 600, other_id, &other) == 0, "two polls");
    if (rec != NULL && other != NULL) {
        struct ballot *counted = test_accept(&e, id, rec);
        test_refuse(&e, id, rec, other);
        if (counted != NULL)
            test_aggregate(&e, id, counted);
        ballot_free(counted);
        test_closed(&e);
    }
    record_free(rec);
    record_free(other);
    env_close(&e);
    harness_remove_tree(tmp_root);
    TEST_MAIN_END("test_ballotbox");
}
