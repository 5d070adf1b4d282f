/*
 * test_poll_view.c — what a member sees of a poll, on a real store in a
 * temporary directory: the state of an open, a closed and a withdrawn poll,
 * the turnout as ballots come, whether the viewer has voted and is on the
 * roll (a member off the roll, a name in another case), and the API's names
 * of the states.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "poll_view.h"
#include "store.h"
#include "store_poll.h"

static char tmp_root[] = "/tmp/conclave-test-poll-view-XXXXXX";

/* Inserts open poll ID with roll ann, bob. 0 or -1. */
static int poll_add(struct store *s, const char *id)
{
    static const char *const roll[] = {"ann", "bob"};
    unsigned char secret[32] = {0};
    struct store_poll p;

    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", id);
    snprintf(p.nominee, sizeof p.nominee, "Nominee %s", id);
    snprintf(p.nominated_by, sizeof p.nominated_by, "ann");
    memset(p.fingerprint, 'a', 64);
    p.statement = p.statement_html = p.record = "x";
    p.closes_at = INT64_MAX;
    return store_poll_insert(s, &p, NULL, secret, roll, 2);
}

/* The view of poll ID for VIEWER, read afresh; state -1 if it cannot be read. */
static struct poll_view view_of(struct store *s, const char *id, const char *viewer,
                                struct store_poll *p)
{
    struct poll_view v;

    memset(&v, 0, sizeof v);
    v.state = (enum poll_state)-1;
    store_poll_clear(p);
    memset(p, 0, sizeof *p);
    if (store_poll_get(s, id, 0, p) != 0 || poll_view_read(s, p, viewer, &v) != 0)
        v.state = (enum poll_state)-1;
    return v;
}

static void test_views(struct store *s)
{
    unsigned char tracker[32] = {1}, tag[32] = {2}, alpha[32] = {3};
    struct store_cast c = {"p1", "BOB", tracker, tag, alpha, 1, NULL, "{}"};
    struct store_poll p;
    struct poll_view v;

    memset(&p, 0, sizeof p);
    v = view_of(s, "p1", "ann", &p);
    CHECK(v.state == POLL_STATE_OPEN && v.cast == 0 && !v.voted && v.on_roll && v.poll == &p,
          "open, nobody voted, ann on the roll");
    v = view_of(s, "p1", "carl", &p);
    CHECK(v.state == POLL_STATE_OPEN && !v.on_roll && !v.voted, "carl is on no roll");
    CHECK(store_begin(s) == 0 && store_cast_apply(s, &c, 0, NULL) == CV_OK &&
          store_commit(s) == 0, "bob votes");
    v = view_of(s, "p1", "bob", &p);
    CHECK(v.cast == 1 && v.voted && v.on_roll, "bob has voted: one of two");
    v = view_of(s, "p1", "ann", &p);
    CHECK(v.cast == 1 && !v.voted && v.on_roll, "ann sees the turnout, not bob's vote");
    CHECK(store_begin(s) == 0 && store_poll_finish(s, "p1", "{}", "{}", -1) == 0 &&
          store_commit(s) == 0, "p1 closes");
    v = view_of(s, "p1", "ann", &p);
    CHECK(v.state == POLL_STATE_CLOSED && v.cast == 1, "closed, with its turnout");
    CHECK(store_begin(s) == 0 && store_poll_mark_withdrawn(s, "p2", "ann", 5) == 0 &&
          store_commit(s) == 0, "p2 is withdrawn");
    v = view_of(s, "p2", "bob", &p);
    CHECK(v.state == POLL_STATE_WITHDRAWN && v.cast == 0 && v.on_roll, "withdrawn");
    v = view_of(s, "p3", "ann", &p);
    CHECK((int)v.state == -1, "no such poll: nothing to view");
    store_poll_clear(&p);
}

static void test_names(void)
{
    CHECK(strcmp(poll_state_name(POLL_STATE_OPEN), "open") == 0, "open");
    CHECK(strcmp(poll_state_name(POLL_STATE_CLOSED), "closed") == 0, "closed");
    CHECK(strcmp(poll_state_name(POLL_STATE_WITHDRAWN), "withdrawn") == 0, "withdrawn");
}

int main(void)
{
    struct store *s = NULL;
    char dir[300], cmd[400];

    if (mkdtemp(tmp_root) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(dir, sizeof dir, "%s/data", tmp_root);
    CHECK(store_open(dir, &s) == 0 && poll_add(s, "p1") == 0 && poll_add(s, "p2") == 0,
          "a store with two open polls");
    if (s != NULL)
        test_views(s);
    store_close(s);
    test_names();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp_root);
    TEST_MAIN_END("test_poll_view");
}
