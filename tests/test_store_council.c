/*
 * test_store_council.c — the council rows (store_council.c): a council and
 * its trustees inserted and read back, each message taken once and only in
 * its round, a round moved on once, only a complete council made current,
 * and a council seeded from the vectors' transcript.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "store_council.h"
#include "vectors.h"

static char tmp_root[] = "/tmp/conclave-test-store-council-XXXXXX";

static const char *const five[] = { "ada", "grace", "barbara", "edsger", "frances" };

struct seen {
    int n;
    char usernames[8][STORE_USERNAME_MAX + 1];
    int dealt[8];
    char last_dealing[64];
};

static int seen_trustee(void *ctx, const struct store_council_trustee *tr)
{
    struct seen *s = ctx;

    if (s->n < 8) {
        snprintf(s->usernames[s->n], sizeof s->usernames[s->n], "%s", tr->username);
        s->dealt[s->n] = tr->dealing != NULL;
        if (tr->dealing != NULL)
            snprintf(s->last_dealing, sizeof s->last_dealing, "%s", tr->dealing);
        CHECK_EQ_INT(tr->idx, s->n + 1, "trustees come in index order");
    }
    s->n++;
    return 0;
}

static int count_council(void *ctx, const struct store_council *c)
{
    (*(int *)ctx)++;
    return 0;
}

static void new_council(struct store_council *c, const char *id)
{
    memset(c, 0, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s", id);
    snprintf(c->name, sizeof c->name, "Council 2027");
    snprintf(c->created_by, sizeof c->created_by, "cli:root");
    c->t = 3;
    c->n = 5;
    c->created_at = 1000;
    c->round_seconds = 3600;
    c->round_closes_at = 4600;
}

static void test_insert_and_rounds(struct store *s)
{
    struct store_council c, got;
    struct seen seen;
    const char *dup[] = { "ada", "ada" };
    char *id = NULL, *tr = NULL;
    size_t len = 0;

    new_council(&c, "c1");
    CHECK_EQ_INT(store_council_insert(s, &c, five, 5), CV_OK, "insert a 3-of-5 council");
    CHECK_EQ_INT(store_council_insert(s, &c, five, 5), CV_CONFLICT, "the same id again");
    new_council(&c, "c2");
    c.t = 2;
    CHECK_EQ_INT(store_council_insert(s, &c, dup, 2), CV_CONFLICT, "a trustee listed twice");
    CHECK_EQ_INT(store_council_get(s, "c2", &got), CV_NOT_FOUND,
                 "nothing of a refused council is kept");

    CHECK_EQ_INT(store_council_get(s, "c1", &got), CV_OK, "get it back");
    CHECK_EQ_STR(got.state, "registering");
    CHECK_EQ_STR(got.name, "Council 2027");
    CHECK_EQ_INT(got.t, 3);
    CHECK_EQ_INT(got.n, 5);
    CHECK_EQ_INT(got.round_closes_at, 4600);
    CHECK_EQ_INT(got.round_seconds, 3600);
    CHECK(got.transcript == NULL && got.digest[0] == '\0' && !got.current,
          "no transcript, digest or current flag yet");
    store_council_clear(&got);

    CHECK_EQ_INT(store_council_post(s, "c1", 2, STORE_COUNCIL_DEALING, "dealing", "{\"d\":2}", 1001),
                 CV_CONFLICT, "a dealing while registering is refused");
    CHECK_EQ_INT(store_council_post(s, "c1", 2, STORE_COUNCIL_REGISTRATION, "registering",
                                    "{\"r\":2}", 1001), CV_OK, "a registration");
    CHECK_EQ_INT(store_council_post(s, "c1", 2, STORE_COUNCIL_REGISTRATION, "registering",
                                    "{\"r\":3}", 1002), CV_CONFLICT, "a second one is refused");
    CHECK_EQ_INT(store_council_post(s, "c1", 6, STORE_COUNCIL_REGISTRATION, "registering",
                                    "{\"r\":6}", 1002), CV_NOT_FOUND, "no trustee 6");

    CHECK_EQ_INT(store_council_set_state(s, "c1", "registering", "dealing", 8000, NULL, NULL, NULL),
                 CV_OK, "round 1 opens");
    CHECK_EQ_INT(store_council_set_state(s, "c1", "registering", "dealing", 9000, NULL, NULL, NULL),
                 CV_CONFLICT, "the same move twice: the second loses");
    CHECK_EQ_INT(store_council_set_state(s, "nope", "registering", "dealing", 9000, NULL, NULL,
                                         NULL), CV_NOT_FOUND, "no such council");
    CHECK_EQ_INT(store_council_post(s, "c1", 4, STORE_COUNCIL_DEALING, "dealing", "{\"d\":4}", 1003),
                 CV_OK, "a dealing in round 1");
    CHECK_EQ_INT(store_council_post(s, "c1", 4, STORE_COUNCIL_REGISTRATION, "registering", "{}",
                                    1003), CV_CONFLICT, "a registration after round 0");

    memset(&seen, 0, sizeof seen);
    CHECK_EQ_INT(store_council_trustees(s, "c1", seen_trustee, &seen), CV_OK, "walk trustees");
    CHECK_EQ_INT(seen.n, 5, "five trustees");
    CHECK_EQ_STR(seen.usernames[2], "barbara");
    CHECK(seen.dealt[3] && !seen.dealt[0], "only trustee 4 dealt");
    CHECK_EQ_STR(seen.last_dealing, "{\"d\":4}");

    CHECK_EQ_INT(store_council_get(s, "c1", &got), CV_OK, "get in round 1");
    CHECK_EQ_STR(got.state, "dealing");
    CHECK_EQ_INT(got.round_closes_at, 8000);
    store_council_clear(&got);

    CHECK_EQ_INT(store_council_use(s, "c1"), CV_CONFLICT, "an unfinished council is not used");
    CHECK_EQ_INT(store_council_use(s, "none"), CV_NOT_FOUND, "an unknown council");
    CHECK_EQ_INT(store_council_current(s, &id, &tr, &len), CV_NOT_FOUND, "none current yet");

    CHECK_EQ_INT(store_council_set_state(s, "c1", "dealing", "failed", 0, NULL, NULL,
                                         "quorum: 2 dealings, 3 needed"), CV_OK, "it fails");
    CHECK_EQ_INT(store_council_get(s, "c1", &got), CV_OK, "get the failed council");
    CHECK_EQ_STR(got.failure, "quorum: 2 dealings, 3 needed");
    CHECK_EQ_INT(got.round_closes_at, 0, "no deadline once over");
    store_council_clear(&got);
    CHECK_EQ_INT(store_council_use(s, "c1"), CV_CONFLICT, "a failed council is not used");
}

static void test_complete_and_current(struct store *s)
{
    json_t *root = vec_load("threshold/ceremony.json");
    json_t *trace = json_object_get(root, "trace");
    const char *digest = json_string_value(json_object_get(trace, "ceremony_digest"));
    char *text = json_dumps(json_object_get(root, "transcript"), JSON_COMPACT);
    struct store_council got;
    struct seen seen;
    char *id = NULL, *tr = NULL;
    size_t len = 0;
    int n = 0;

    CHECK(text != NULL && digest != NULL, "the vectors' transcript and digest");
    CHECK_EQ_INT(store_council_insert_complete(s, "council-2026", "Council 2026", 3, five, 5, text,
                                               digest, "cli:root", 2000), CV_OK,
                 "seed a complete council");
    CHECK_EQ_INT(store_council_insert_complete(s, "council-2026", "Again", 3, five, 5, text,
                                               digest, "cli:root", 2000), CV_CONFLICT,
                 "the same id again");
    CHECK_EQ_INT(store_council_get(s, "council-2026", &got), CV_OK, "get it");
    CHECK_EQ_STR(got.state, "complete");
    CHECK_EQ_STR(got.digest, digest);
    CHECK_EQ_STR(got.transcript, text);
    store_council_clear(&got);
    memset(&seen, 0, sizeof seen);
    CHECK_EQ_INT(store_council_trustees(s, "council-2026", seen_trustee, &seen), CV_OK, "walk");
    CHECK_EQ_INT(seen.n, 5, "five trustees kept");

    CHECK_EQ_INT(store_council_use(s, "council-2026"), CV_OK, "use it");
    CHECK_EQ_INT(store_council_current(s, &id, &tr, &len), CV_OK, "the current council");
    CHECK_EQ_STR(id, "council-2026");
    CHECK_EQ_STR(tr, text);
    CHECK_EQ_SIZE(len, strlen(text));
    free(id);
    free(tr);
    CHECK_EQ_INT(store_council_get(s, "council-2026", &got), CV_OK, "get it again");
    CHECK_EQ_INT(got.current, 1, "marked current");
    store_council_clear(&got);

    CHECK_EQ_INT(store_council_insert_complete(s, "council-2027", "Council 2027", 3, five, 5, text,
                                               digest, "cli:root", 3000), CV_OK, "a second one");
    CHECK_EQ_INT(store_council_use(s, "council-2027"), CV_OK, "use the second");
    CHECK_EQ_INT(store_council_current(s, &id, &tr, &len), CV_OK, "current again");
    CHECK_EQ_STR(id, "council-2027", "use replaces the current council");
    free(id);
    free(tr);
    CHECK_EQ_INT(store_council_list(s, count_council, &n), CV_OK, "list");
    CHECK_EQ_INT(n, 3, "three councils listed");
    free(text);
    json_decref(root);
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
        test_insert_and_rounds(s);
        test_complete_and_current(s);
        store_close(s);
    }
    harness_remove_tree(tmp_root);
    TEST_MAIN_END("test_store_council");
}
