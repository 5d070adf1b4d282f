/*
 * test_poll_stall.c — a poll that waits too long for its trustees
 * (poll_stall.c over store_decrypt.c, schema 014), on a real store: the
 * store finds the decrypting polls past the time, oldest first, and not the
 * others (open, published, sealed by the server only, already told); the
 * mark is taken once; poll_stall_run reports each poll once (mail off: the
 * mark and the log line), never a poll that has not waited long enough,
 * and nothing with the option at 0; the waiting time in words.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "poll_stall.h"
#include "store_decrypt.h"
#include "store_poll.h"

static char tmp_root[] = "/tmp/conclave-test-poll-stall-XXXXXX";

/* A poll of nominee NOMINEE closing at CLOSES, sealed for council c1
 * unless SEALED is 0. */
static int insert_poll(struct store *s, const char *id, const char *nominee, int64_t closes,
                       int sealed)
{
    static const char *const roll[] = {"ann", "bob"};
    unsigned char secret[32];
    struct store_poll p;

    memset(secret, 0x5a, sizeof secret);
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", id);
    snprintf(p.nominee, sizeof p.nominee, "%s", nominee);
    snprintf(p.nominated_by, sizeof p.nominated_by, "ann");
    memset(p.fingerprint, 'a', 64);
    p.statement = p.statement_html = p.record = "x";
    p.opens_at = closes - 100;
    p.closes_at = closes;
    if (sealed) {
        snprintf(p.council, sizeof p.council, "c1");
        p.seal = "{\"t\":2,\"trustees\":[{\"index\":1,\"name\":\"ann\"},"
                 "{\"index\":2,\"name\":\"bob\"}]}";
    }
    return store_poll_insert(s, &p, NULL, secret, roll, 2);
}

/* The ids store_decrypt_overdue gives for BEFORE, joined by spaces. */
static const char *overdue(struct store *s, int64_t before, char *out, size_t cap)
{
    char ids[8][64];
    size_t n = 0, i, used = 0;

    out[0] = '\0';
    if (store_decrypt_overdue(s, before, ids, 8, &n) != CV_OK)
        return "(error)";
    for (i = 0; i < n; i++) {
        snprintf(out + used, cap - used, "%s%s", i ? " " : "", ids[i]);
        used = strlen(out);
    }
    return out;
}

static void test_store(struct store *s)
{
    char got[256];

    CHECK_EQ_INT(insert_poll(s, "late", "Nominee A", 1000, 1), CV_OK, "a poll closing at 1000");
    CHECK_EQ_INT(insert_poll(s, "fresh", "Nominee B", 5000, 1), CV_OK, "one closing at 5000");
    CHECK_EQ_INT(insert_poll(s, "open", "Nominee C", 900, 1), CV_OK, "one left open");
    CHECK_EQ_INT(insert_poll(s, "plain", "Nominee D", 800, 0), CV_OK, "one of the server only");
    CHECK_EQ_INT(store_decrypt_begin(s, "late", "b", -1, "{}"), CV_OK, "late decrypts");
    CHECK_EQ_INT(store_decrypt_begin(s, "fresh", "b", -1, "{}"), CV_OK, "fresh decrypts");
    CHECK_EQ_STR(overdue(s, 999, got, sizeof got), "", "none closed by 999");
    CHECK_EQ_STR(overdue(s, 2000, got, sizeof got), "late",
                 "by 2000: the decrypting poll closed at 1000 (not the open one)");
    CHECK_EQ_STR(overdue(s, 6000, got, sizeof got), "late fresh", "by 6000: both, oldest first");
    CHECK(store_begin(s) == 0 && store_decrypt_reminded(s, "late", 7000) == CV_OK &&
          store_commit(s) == 0, "late's reminder marked");
    CHECK(store_begin(s) == 0 && store_decrypt_reminded(s, "late", 7001) == CV_CONFLICT &&
          store_rollback(s) == 0, "only once");
    CHECK(store_begin(s) == 0 && store_decrypt_reminded(s, "open", 7001) == CV_CONFLICT &&
          store_rollback(s) == 0, "never for a poll that is not decrypting");
    CHECK_EQ_STR(overdue(s, 6000, got, sizeof got), "fresh", "a poll told of is not due again");
    CHECK_EQ_INT(store_decrypt_publish(s, "fresh", "{}", "final", -1), CV_OK, "fresh published");
    CHECK_EQ_STR(overdue(s, 6000, got, sizeof got), "", "a published poll is not due");
}

static void test_run(struct store *s)
{
    CHECK_EQ_INT(insert_poll(s, "waits", "Nominee E", 10000, 1), CV_OK, "a poll closing at 10000");
    CHECK_EQ_INT(store_decrypt_begin(s, "waits", "b", -1, "{}"), CV_OK, "it decrypts");
    CHECK_EQ_INT(poll_stall_run(s, NULL, 10000 + 3599, 3600), 0,
                 "not reported before it has waited the time");
    CHECK_EQ_INT(poll_stall_run(s, NULL, 20000, 0), 0, "nor ever with the option at 0");
    CHECK_EQ_INT(poll_stall_run(s, NULL, 10000 + 3600, 3600), 1, "reported once it has");
    CHECK_EQ_INT(poll_stall_run(s, NULL, 30000, 3600), 0, "and once only");
}

static void test_format(void)
{
    static const struct { int64_t secs; const char *want; } cases[] = {
        {0, "0 seconds"}, {1, "1 second"}, {59, "59 seconds"}, {60, "1 minute"},
        {61, "1 minute 1 second"}, {3600, "1 hour"}, {3660, "1 hour 1 minute"},
        {7322, "2 hours 2 minutes"}, {86400, "1 day"}, {90061, "1 day 1 hour"},
        {-5, "0 seconds"}};
    char out[64];
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        poll_stall_format(cases[i].secs, out, sizeof out);
        CHECK_EQ_STR(out, cases[i].want, "a waiting time in words");
    }
}

int main(void)
{
    struct store *s = NULL;
    char dir[256];

    if (mkdtemp(tmp_root) == NULL)
        return 1;
    snprintf(dir, sizeof dir, "%s/data", tmp_root);
    CHECK_EQ_INT(store_open(dir, &s), 0, "open a store");
    if (s != NULL) {
        test_store(s);
        test_run(s);
        store_close(s);
    }
    test_format();
    harness_remove_tree(tmp_root);
    TEST_MAIN_END("test_poll_stall");
}
