/*
 * test_ratelimit.c — token buckets: the burst, the refill rate, Retry-After,
 * keys kept apart, a full table giving way without growing, and many threads.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "ratelimit.h"

static void test_bucket(void)
{
    struct ratelimit *rl = NULL;
    int64_t t = 1000000;
    unsigned i, allowed = 0, wait;

    CHECK(ratelimit_new(0, 60, 8, &rl) != 0 && rl == NULL, "a limit of 0 is refused");
    CHECK_NE_INT(ratelimit_new(30, 0, 8, &rl), 0, "a window of 0 is refused");
    CHECK(ratelimit_new(30, 60, 8, &rl) == 0 && rl != NULL, "30 a minute");
    for (i = 0; i < 30; i++)
        allowed += ratelimit_take(rl, "ann", t) == 0;
    CHECK_EQ_INT(allowed, 30, "a burst of 30 at one instant");
    wait = ratelimit_take(rl, "ann", t);
    CHECK_EQ_INT(wait, 2, "the 31st waits 2 s (one token every 60/30 s)");
    CHECK_NE_INT(ratelimit_take(rl, "ann", t + 1999), 0, "still empty 1.999 s later");
    CHECK_EQ_INT(ratelimit_take(rl, "ann", t + 2000), 0, "one token after 2 s");
    CHECK_NE_INT(ratelimit_take(rl, "ann", t + 2000), 0, "and only one");
    CHECK_EQ_INT(ratelimit_take(rl, "bob", t), 0, "another key has its own bucket");
    allowed = 0;
    for (i = 0; i < 40; i++)
        allowed += ratelimit_take(rl, "ann", t + 62000) == 0;
    CHECK_EQ_INT(allowed, 30, "after a quiet minute the bucket is full again, no fuller");
    CHECK_NE_INT(ratelimit_take(rl, "ann", t - 5000), 0, "a clock going backwards refills nothing");
    CHECK_EQ_INT(ratelimit_take(NULL, "ann", t), 0, "no limiter: no limit");
    CHECK(ratelimit_take(rl, "", t) == 0 && ratelimit_take(rl, NULL, t) == 0,
          "an empty or missing key is one key of its own");
    ratelimit_free(rl);
}

static void test_long_keys(void)
{
    struct ratelimit *rl = NULL;
    char a[200], b[200];

    memset(a, 'x', sizeof a - 1);
    a[sizeof a - 1] = '\0';
    memcpy(b, a, sizeof b);
    b[150] = 'y';
    CHECK_EQ_INT(ratelimit_new(1, 60, 4, &rl), 0, "1 a minute");
    CHECK_EQ_INT(ratelimit_take(rl, a, 0), 0, "a long key");
    CHECK_NE_INT(ratelimit_take(rl, b, 0), 0,
                 "keys equal in their first 95 bytes share a bucket (cut, not overflowed)");
    ratelimit_free(rl);
}

static void test_full_table(void)
{
    struct ratelimit *rl = NULL;
    char key[32];
    int i, refused = 0;

    CHECK_EQ_INT(ratelimit_new(2, 60, 4, &rl), 0, "a table of 4 slots");
    CHECK(ratelimit_take(rl, "busy", 0) == 0 && ratelimit_take(rl, "busy", 0) == 0 &&
          ratelimit_take(rl, "busy", 0) != 0, "'busy' has used its two");
    for (i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "k%d", i);
        refused += ratelimit_take(rl, key, 1) != 0;
    }
    CHECK_EQ_INT(refused, 0, "100 new keys in 4 slots: each gets its first request");
    /* the empty bucket is the last to give way: new keys evict fuller ones */
    CHECK_NE_INT(ratelimit_take(rl, "busy", 2), 0, "'busy' is still limited");
    ratelimit_free(rl);
}

struct racer {
    struct ratelimit *rl;
    int allowed;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    int i;

    for (i = 0; i < 1000; i++)
        r->allowed += ratelimit_take(r->rl, "shared", 5000) == 0;
    return NULL;
}

static void test_forget(void)
{
    struct ratelimit *rl = NULL;

    CHECK_EQ_INT(ratelimit_new(2, 60, 4, &rl), 0, "2 a minute");
    CHECK(ratelimit_take(rl, "ann", 0) == 0 && ratelimit_take(rl, "ann", 0) == 0 &&
          ratelimit_take(rl, "ann", 0) != 0, "ann's bucket is empty");
    CHECK(ratelimit_take(rl, "bob", 0) == 0 && ratelimit_take(rl, "bob", 0) == 0,
          "bob's too");
    ratelimit_forget(rl, "ann");
    CHECK_EQ_INT(ratelimit_take(rl, "ann", 0), 0, "forgotten: ann's bucket is full again");
    CHECK_NE_INT(ratelimit_take(rl, "bob", 0), 0, "bob's stays empty");
    CHECK(ratelimit_peek(rl, "ann", 0) == 0 && ratelimit_peek(rl, "ann", 0) == 0,
          "a peek takes nothing");
    CHECK(ratelimit_peek(rl, "bob", 0) == 30 && ratelimit_peek(rl, "carl", 0) == 0,
          "an empty bucket peeks its wait (30 s), an unknown key none");
    ratelimit_forget(rl, "nobody");
    ratelimit_forget(NULL, "ann");
    CHECK_NE_INT(ratelimit_take(rl, "bob", 0), 0, "forgetting an unknown key changes nothing");
    ratelimit_free(rl);
}

static void test_threads(void)
{
    struct racer r[8];
    pthread_t th[8];
    struct ratelimit *rl = NULL;
    int i, total = 0;

    CHECK_EQ_INT(ratelimit_new(100, 60, 16, &rl), 0, "100 a minute");
    for (i = 0; i < 8; i++) {
        r[i].rl = rl;
        r[i].allowed = 0;
        pthread_create(&th[i], NULL, race, &r[i]);
    }
    for (i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        total += r[i].allowed;
    }
    CHECK_EQ_INT(total, 100, "8 threads × 1000 takes at one instant: exactly 100 allowed");
    ratelimit_free(rl);
}

int main(void)
{
    test_bucket();
    test_long_keys();
    test_full_table();
    test_forget();
    test_threads();
    TEST_MAIN_END("test_ratelimit");
}
