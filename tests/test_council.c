/*
 * test_council.c — the council domain (council.c) on a real store, with
 * trustees played in process by trustee.c: a council created (and refused
 * when its arguments are wrong), a 3-of-5 ceremony run to completion, each
 * message taken once and only in its round and from its own trustee, a
 * retry accepted, the rounds moved on by their deadlines (a missing dealer
 * left out, fewer than t dealings or a missing registration failing), and
 * only a complete council made current.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "council.h"
#include "harness.h"
#include "store_council.h"
#include "trustee.h"

static char tmp_root[] = "/tmp/conclave-test-council-XXXXXX";
static const char *const five[] = { "ada", "grace", "barbara", "edsger", "frances" };

/* One trustee played in process: its identity key and own share. */
struct player {
    struct trustee_identity id;
    unsigned char own[CRYPTO_BYTES];
    char *dealing;
};

static void add_members(struct store *s)
{
    struct store_member m;
    size_t i;
    const char *others[] = { "mallory", "retired" };

    for (i = 0; i < 5; i++) {
        memset(&m, 0, sizeof m);
        snprintf(m.username, sizeof m.username, "%s", five[i]);
        snprintf(m.display_name, sizeof m.display_name, "%s", five[i]);
        m.active = 1;
        CHECK_EQ_INT(store_member_insert(s, &m, NULL), CV_OK, "add a member");
    }
    for (i = 0; i < 2; i++) {
        memset(&m, 0, sizeof m);
        snprintf(m.username, sizeof m.username, "%s", others[i]);
        snprintf(m.display_name, sizeof m.display_name, "%s", others[i]);
        m.active = i == 0;
        CHECK_EQ_INT(store_member_insert(s, &m, NULL), CV_OK, "add another member");
    }
}

static enum cv_err post(struct store *s, const char *id, const char *user,
                                enum store_council_msg kind, const char *text, int64_t now,
                                int *again, enum proto_reason *reason)
{
    const char *why;

    return council_post(s, id, user, kind, text, strlen(text), now, again, reason, &why);
}

/* Trustee i (1-based) registers. */
static enum cv_err do_register(struct store *s, const char *id, uint32_t i,
                                       struct player *p, int64_t now)
{
    struct crypto_rng rng = crypto_rng_system();
    struct ceremony_identity reg;
    enum proto_reason why;
    enum cv_err r;
    char *text;
    size_t len;
    int again;

    CHECK_EQ_INT(trustee_identity_create(id, strlen(id), i, five[i - 1], strlen(five[i - 1]), &rng,
                                         &p->id), 0, "make an identity key");
    reg.name = five[i - 1];
    reg.name_len = strlen(five[i - 1]);
    memcpy(reg.Z, p->id.Z, CRYPTO_BYTES);
    reg.pok = p->id.pok;
    text = ceremony_identity_serialize(&reg, 0, &len);
    r = post(s, id, five[i - 1], STORE_COUNCIL_REGISTRATION, text, now, &again, &why);
    free(text);
    return r;
}

/* Trustee i deals under the council's setup. */
static enum cv_err do_deal(struct store *s, const char *id, uint32_t i, struct player *p,
                                   int64_t now)
{
    struct crypto_rng rng = crypto_rng_system();
    struct ceremony_dealing d;
    struct council_view v;
    enum proto_reason why;
    enum cv_err r;
    size_t len;
    int again;

    CHECK_EQ_INT(council_load(s, id, now, &v), CV_OK, "load to deal");
    CHECK(v.cer != NULL, "the setup is fixed");
    CHECK_EQ_INT(trustee_deal(v.cer, i, p->id.z, &rng, &d, p->own), 0, "deal");
    council_view_free(&v);
    p->dealing = ceremony_dealing_serialize(&d, 0, &len);
    r = post(s, id, five[i - 1], STORE_COUNCIL_DEALING, p->dealing, now, &again, &why);
    return r;
}

/* Trustee j gives its verdict on the frozen dealings. */
static enum cv_err do_verdict(struct store *s, const char *id, uint32_t j,
                                      struct player *p, int64_t now, uint32_t *complaints)
{
    struct crypto_rng rng = crypto_rng_system();
    struct ceremony_verdict vd;
    struct council_view v;
    enum proto_reason why;
    enum cv_err r;
    char *text;
    size_t len;
    int again;

    CHECK_EQ_INT(council_load(s, id, now, &v), CV_OK, "load to judge");
    CHECK_EQ_INT(trustee_verdict(v.cer, j, p->id.z, ceremony_dealing_of(v.cer, j), &rng, &vd),
                 PROTO_OK, "a verdict");
    council_view_free(&v);
    *complaints = vd.q;
    text = ceremony_verdict_serialize(&vd, 0, &len);
    r = post(s, id, five[j - 1], STORE_COUNCIL_VERDICT, text, now, &again, &why);
    free(text);
    return r;
}

static void test_create(struct store *s)
{
    const char *dup[] = { "ada", "ADA" }, *unknown[] = { "ada", "nobody" },
               *gone[] = { "ada", "retired" };
    char id[STORE_COUNCIL_ID_MAX + 1];
    const char *why;

    CHECK_EQ_INT(council_create(s, "C", 4, five, 3, 3600, "cli:root", 100, id, &why),
                 CV_INVALID, "t > n");
    CHECK_EQ_INT(council_create(s, "C", 0, five, 3, 3600, "cli:root", 100, id, &why),
                 CV_INVALID, "t = 0");
    CHECK_EQ_INT(council_create(s, "", 1, five, 3, 3600, "cli:root", 100, id, &why),
                 CV_INVALID, "an empty name");
    CHECK_EQ_INT(council_create(s, "C", 1, dup, 2, 3600, "cli:root", 100, id, &why),
                 CV_INVALID, "a trustee twice, in another case");
    CHECK_EQ_INT(council_create(s, "C", 1, unknown, 2, 3600, "cli:root", 100, id, &why),
                 CV_INVALID, "a trustee who is no member");
    CHECK_EQ_INT(council_create(s, "C", 1, gone, 2, 3600, "cli:root", 100, id, &why),
                 CV_INVALID, "a deactivated trustee");
    CHECK_EQ_INT(council_create(s, "C", 1, five, 3, 0, "cli:root", 100, id, &why),
                 CV_INVALID, "a round of no time");
}

/* A whole 3-of-5 ceremony; trustee `absent` (0: none) never deals. */
static void run_ceremony(struct store *s, uint32_t absent)
{
    struct player p[5];
    struct council_view v;
    char id[STORE_COUNCIL_ID_MAX + 1];
    const char *why;
    enum proto_reason reason;
    uint32_t i, q;
    int again;
    int64_t now = 1000;

    memset(p, 0, sizeof p);
    CHECK_EQ_INT(council_create(s, "Council 2027", 3, five, 5, 3600, "cli:root", now, id, &why),
                 CV_OK, "create a 3-of-5 council");
    CHECK_EQ_INT(council_use(s, id, "cli:root", now), CV_NOT_COMPLETE, "not usable while registering");
    CHECK_EQ_INT(post(s, id, "mallory", STORE_COUNCIL_REGISTRATION, "{}", now, &again, &reason),
                 CV_NOT_TRUSTEE, "a member who is not a trustee");
    CHECK_EQ_INT(post(s, "nope", "ada", STORE_COUNCIL_REGISTRATION, "{}", now, &again, &reason),
                 CV_NOT_FOUND, "an unknown council");
    CHECK_EQ_INT(post(s, id, "ada", STORE_COUNCIL_DEALING, "{}", now, &again, &reason),
                 CV_WRONG_ROUND, "a dealing while registering");
    CHECK_EQ_INT(post(s, id, "ada", STORE_COUNCIL_REGISTRATION, "{\"name\":1}", now, &again,
                      &reason), CV_BAD_MESSAGE, "a malformed registration");
    for (i = 1; i <= 5; i++)
        CHECK_EQ_INT(do_register(s, id, i, &p[i - 1], now + i), CV_OK, "register");
    CHECK_EQ_INT(council_load(s, id, now + 10, &v), CV_OK, "load");
    CHECK_EQ_STR(v.row.state, "dealing", "the last registration opens round 1");
    CHECK_EQ_INT(v.row.round_closes_at, now + 5 + 3600, "round 1's deadline");
    council_view_free(&v);

    for (i = 1; i <= 5; i++)
        if (i != absent)
            CHECK_EQ_INT(do_deal(s, id, i, &p[i - 1], now + 20), CV_OK, "deal");
    CHECK_EQ_INT(post(s, id, five[1], STORE_COUNCIL_DEALING, p[1].dealing, now + 21, &again,
                      &reason), CV_OK, "the same dealing again (a retry), even after round 1");
    CHECK_EQ_INT(again, 1, "a retry is recognised");
    if (absent) {
        CHECK_EQ_INT(post(s, id, five[1], STORE_COUNCIL_DEALING, p[2].dealing, now + 21, &again,
                          &reason), CV_DUPLICATE, "another trustee's dealing as one's own");
        CHECK_EQ_INT(council_load(s, id, now + 3000, &v), CV_OK, "before the deadline");
        CHECK_EQ_STR(v.row.state, "dealing", "round 1 waits for the missing dealer");
        council_view_free(&v);
        now += 3700;        /* past round 1's deadline */
    }
    CHECK_EQ_INT(council_load(s, id, now + 30, &v), CV_OK, "load");
    CHECK_EQ_STR(v.row.state, "verdicts", "round 2 is open");
    council_view_free(&v);
    if (absent) {
        uint32_t none;
        CHECK_EQ_INT(post(s, id, five[absent - 1], STORE_COUNCIL_DEALING, p[0].dealing, now + 31,
                          &again, &reason), CV_WRONG_ROUND, "a dealing after round 1");
        CHECK_EQ_INT(do_verdict(s, id, 1, &p[0], now + 31, &none), CV_OK, "verdict 1");
        CHECK_EQ_INT(none, 0, "no complaints");
    }
    for (i = 1; i <= 5; i++)
        if (i != absent && !(absent && i == 1)) {
            CHECK_EQ_INT(do_verdict(s, id, i, &p[i - 1], now + 40, &q), CV_OK, "verdict");
            CHECK_EQ_INT(q, 0, "an honest ceremony has no complaints");
        }
    CHECK_EQ_INT(council_load(s, id, now + 50, &v), CV_OK, "load the outcome");
    CHECK_EQ_STR(v.row.state, "complete", "the last verdict completes the ceremony");
    CHECK(v.cer != NULL && ceremony_is_complete(v.cer), "the ceremony is complete");
    CHECK_EQ_INT(ceremony_qual_count(v.cer), absent ? 4 : 5, "QUAL");
    if (absent)
        CHECK_EQ_INT(v.m[absent - 1].in_qual, 0, "the missing dealer is not in QUAL");
    for (i = 1; i <= 5; i++)
        if (i != absent) {
            unsigned char x[CRYPTO_BYTES];
            CHECK_EQ_INT(trustee_key_share(v.cer, i, p[i - 1].id.z, p[i - 1].own, x), PROTO_OK,
                         "each dealer's key share matches X_j");
            sodium_memzero(x, sizeof x);
        }
    {
        char hex[65];
        crypto_hex_encode(hex, ceremony_digest(v.cer), CRYPTO_BYTES);
        CHECK_EQ_STR(v.row.digest, hex, "the stored digest is the ceremony's");
    }
    council_view_free(&v);
    CHECK_EQ_INT(council_use(s, id, "cli:root", now + 60), CV_OK, "use the complete council");
    {
        char *cid, *tr;
        size_t len;
        CHECK_EQ_INT(store_council_current(s, &cid, &tr, &len), CV_OK, "current");
        CHECK_EQ_STR(cid, id, "the council used is current");
        free(cid);
        free(tr);
    }
    for (i = 0; i < 5; i++) {
        trustee_identity_wipe(&p[i].id);
        free(p[i].dealing);
    }
}

static void test_deadlines_fail(struct store *s)
{
    struct player p[5];
    struct council_view v;
    char id[STORE_COUNCIL_ID_MAX + 1];
    const char *why;
    uint32_t i;

    memset(p, 0, sizeof p);
    CHECK_EQ_INT(council_create(s, "Late", 3, five, 5, 600, "cli:root", 5000, id, &why),
                 CV_OK, "create");
    for (i = 1; i <= 4; i++)
        CHECK_EQ_INT(do_register(s, id, i, &p[i - 1], 5001), CV_OK, "register");
    CHECK_EQ_INT(council_tick(s, 5599), 0, "the clock moves nothing before the deadline");
    CHECK_EQ_INT(council_tick(s, 5600), 1, "the clock moves the council at its deadline");
    CHECK_EQ_INT(council_tick(s, 5601), 0, "and only once");
    CHECK_EQ_INT(council_load(s, id, 5600, &v), CV_OK, "load at the deadline");
    CHECK_EQ_STR(v.row.state, "failed", "a missing registration fails the council");
    CHECK(strstr(v.row.failure, "4 of 5") != NULL, "the failure says how many registered");
    council_view_free(&v);
    CHECK_EQ_INT(do_register(s, id, 5, &p[4], 5601), CV_WRONG_ROUND, "too late");

    CHECK_EQ_INT(council_create(s, "Few", 3, five, 5, 600, "cli:root", 6000, id, &why),
                 CV_OK, "create");
    for (i = 1; i <= 5; i++)
        CHECK_EQ_INT(do_register(s, id, i, &p[i - 1], 6001), CV_OK, "register");
    for (i = 1; i <= 2; i++)
        CHECK_EQ_INT(do_deal(s, id, i, &p[i - 1], 6002), CV_OK, "deal");
    CHECK_EQ_INT(council_load(s, id, 6001 + 600, &v), CV_OK, "load at the deadline");
    CHECK_EQ_STR(v.row.state, "failed", "two dealings of three needed fail the council");
    CHECK(strncmp(v.row.failure, "quorum", 6) == 0, "a quorum failure");
    council_view_free(&v);
    CHECK_EQ_INT(council_use(s, id, "cli:root", 7000), CV_NOT_COMPLETE, "a failed council is not used");
    for (i = 0; i < 5; i++) {
        trustee_identity_wipe(&p[i].id);
        free(p[i].dealing);
    }
}

int main(void)
{
    struct store *s = NULL;
    char dir[256];

    if (sodium_init() < 0 || mkdtemp(tmp_root) == NULL)
        return 1;
    snprintf(dir, sizeof dir, "%s/data", tmp_root);
    CHECK_EQ_INT(store_open(dir, &s), 0, "open a store");
    if (s != NULL) {
        add_members(s);
        test_create(s);
        run_ceremony(s, 0);
        run_ceremony(s, 4);
        test_deadlines_fail(s);
        store_close(s);
    }
    harness_remove_tree(tmp_root);
    TEST_MAIN_END("test_council");
}
