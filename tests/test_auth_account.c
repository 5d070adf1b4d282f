/*
 * test_auth_account.c — accounts beyond login, over a real store with an
 * injected clock: one-time passwords (must change, expiry after 72 hours),
 * a member changing their password (current password, throttle, other
 * sessions end), set-password links (single use, expiry, replaced by a new
 * one), members' own API tokens (a cap, revoking only one's own), the
 * roster's states, and the audit log (every admin action with its actor,
 * append-only, an entry that fails takes its action with it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "harness.h"
#include "store_int.h"

static char tmp_root[] = "/tmp/conclave-test-account-XXXXXX";
static const char PW[] = "correct horse battery";

struct env {
    struct store *st;
    struct auth *a;
    int64_t t;
};

static int64_t clock_now(void *ctx)
{
    return ((struct env *)ctx)->t;
}

static int env_open(struct env *e, const char *name)
{
    char dir[256];
    struct auth_options opt = { 3600, clock_now, NULL };

    memset(e, 0, sizeof *e);
    e->t = 1700000000;
    opt.now_ctx = e;
    snprintf(dir, sizeof dir, "%s/%s", tmp_root, name);
    if (store_open(dir, &e->st) != 0)
        return -1;
    return auth_open(e->st, &opt, &e->a);
}

static enum cv_err add(struct env *e, const char *user, const char *pw, int one_time)
{
    struct auth_member_new n = { user, NULL, NULL, 0, pw, one_time };

    return auth_member_add(e->a, &n, "tester", NULL);
}

static enum auth_member_state state(struct env *e, const char *user)
{
    struct store_member m;

    if (store_member_get(e->st, user, &m) != CV_OK)
        return AUTH_STATE_DEACTIVATED;
    return auth_member_state(&m, e->t);
}

struct audit_seen {
    char actions[16][STORE_ACTION_MAX + 1];
    char actors[16][STORE_ACTOR_MAX + 1];
    int n;
};

static int audit_one(void *arg, const struct store_audit *e)
{
    struct audit_seen *s = arg;

    if (s->n < 16) {
        memcpy(s->actions[s->n], e->action, sizeof s->actions[0]);
        memcpy(s->actors[s->n], e->actor, sizeof s->actors[0]);
    }
    s->n++;
    return 0;
}

static void test_one_time(struct env *e)
{
    struct auth_session s, s2;
    struct auth_user u;
    const char *why = NULL;
    int retry = 0;

    CHECK_EQ_INT(add(e, "ona", PW, 1), CV_OK, "a member with a one-time password");
    CHECK_EQ_INT(state(e, "ona"), AUTH_STATE_MUST_CHANGE, "state: must change password");
    CHECK(auth_login(e->a, "ona", PW, "c1", &s, &retry) == CV_OK && s.user.must_change,
          "the login works and says must_change");
    CHECK(auth_session_lookup(e->a, s.id, &u, NULL) == CV_OK && u.must_change,
          "so does the session");
    CHECK(auth_password_change(e->a, &u, NULL, PW, "c1", s.id, &retry, &why) == CV_INVALID &&
          why != NULL, "the one-time password cannot be kept");
    CHECK_EQ_INT(auth_password_change(e->a, &u, NULL, "short", "c1", s.id, &retry, &why),
                 CV_INVALID, "nor a short one chosen");
    CHECK_EQ_INT(auth_login(e->a, "ona", PW, "c1", &s2, &retry), CV_OK, "a second session");
    CHECK_EQ_INT(auth_password_change(e->a, &u, NULL, "ona's own password", "c1", s.id, &retry,
                                      &why), CV_OK, "chosen without the current one");
    CHECK(auth_session_lookup(e->a, s.id, &u, NULL) == CV_OK && !u.must_change,
          "this session goes on, free");
    CHECK_EQ_INT(auth_session_lookup(e->a, s2.id, &u, NULL), CV_UNAUTHENTICATED, "the other one ended");
    CHECK_EQ_INT(state(e, "ona"), AUTH_STATE_ACTIVE, "state: active");
    CHECK_EQ_INT(auth_login(e->a, "ona", PW, "c1", &s, &retry), CV_BAD_CREDENTIALS,
                 "the one-time password is gone");

    CHECK_EQ_INT(add(e, "otto", PW, 1), CV_OK, "another");
    e->t += AUTH_ONE_TIME_TTL - 1;
    CHECK_EQ_INT(auth_login(e->a, "otto", PW, "c1", &s, &retry), CV_OK, "good until 72 hours");
    e->t += 1;
    CHECK_EQ_INT(state(e, "otto"), AUTH_STATE_EXPIRED, "state: expired");
    CHECK_EQ_INT(auth_login(e->a, "otto", PW, "c1", &s, &retry), CV_EXPIRED,
                 "then the right one-time password says expired");
    CHECK_EQ_INT(auth_login(e->a, "otto", "wrong password!", "c1", &s, &retry), CV_BAD_CREDENTIALS,
                 "a wrong one says nothing more");
    CHECK(auth_member_set_password(e->a, "otto", "otto's next pass", 1, "tester", &why) ==
          CV_OK && auth_login(e->a, "otto", "otto's next pass", "c1", &s, &retry) == CV_OK &&
          s.user.must_change, "a reset makes a new one-time password, from now");
    CHECK(auth_member_set_password(e->a, "otto", "otto's own pass", 0, "tester", &why) ==
          CV_OK && auth_login(e->a, "otto", "otto's own pass", "c1", &s, &retry) == CV_OK &&
          !s.user.must_change, "a password given as the member's own is not one-time");
}

static void test_change(struct env *e)
{
    struct auth_session s, s2;
    struct auth_user u;
    const char *why = NULL;
    int retry = 0, i;

    CHECK_EQ_INT(add(e, "cora", PW, 0), CV_OK, "cora");
    CHECK(auth_login(e->a, "cora", PW, "c1", &s, &retry) == CV_OK &&
          auth_login(e->a, "cora", PW, "c2", &s2, &retry) == CV_OK, "two sessions");
    u = s.user;
    CHECK_EQ_INT(auth_password_change(e->a, &u, NULL, "a new password", "c1", s.id, &retry, &why),
                 CV_INVALID, "the current password is needed");
    CHECK_EQ_INT(auth_password_change(e->a, &u, "wrong password", "a new password", "c1", s.id,
                                      &retry, &why), CV_INVALID, "and must be right");
    CHECK_EQ_INT(auth_password_change(e->a, &u, PW, "a new password", "c1", s.id, &retry, &why),
                 CV_OK, "changed");
    CHECK(auth_session_lookup(e->a, s.id, &u, NULL) == CV_OK &&
          auth_session_lookup(e->a, s2.id, &u, NULL) == CV_UNAUTHENTICATED,
          "the other session ended, this one stays");
    for (i = 0; i < AUTH_CLIENT_FAILURES; i++)
        (void)auth_password_change(e->a, &u, "guessing......", "x new password", "c9", s.id,
                                   &retry, &why);
    CHECK(auth_password_change(e->a, &u, "a new password", "x new password", "c9", s.id, &retry,
                               &why) == CV_THROTTLED && retry > 0,
          "guesses through a session are throttled like logins");
    CHECK_EQ_INT(auth_login(e->a, "cora", "a new password", "c10", &s2, &retry), CV_OK,
                 "for that address only");
}

static void test_links(struct env *e)
{
    char link[AUTH_LINK_LEN + 1], old[AUTH_LINK_LEN + 1];
    struct auth_session s;
    struct auth_user u;
    const char *why = NULL;
    int64_t expires = 0;
    int retry = 0;

    CHECK_EQ_INT(add(e, "ian", NULL, 0), CV_OK, "a member without password (imported)");
    CHECK_EQ_INT(state(e, "ian"), AUTH_STATE_NO_PASSWORD, "state: no password yet");
    CHECK(auth_link_create(e->a, "ian", "tester", old, &expires, &why) == CV_OK &&
          strlen(old) == AUTH_LINK_LEN && expires == e->t + AUTH_LINK_TTL, "a link");
    CHECK(auth_link_create(e->a, "ian", "tester", link, NULL, &why) == CV_OK &&
          strcmp(link, old) != 0, "a second link");
    CHECK_EQ_INT(auth_link_check(e->a, old, &u), CV_INVALID, "replaces the first");
    CHECK(auth_link_check(e->a, link, &u) == CV_OK && strcmp(u.username, "ian") == 0,
          "the link names its member");
    {
        struct store_member m;
        CHECK(store_member_get(e->st, "ian", &m) == CV_OK && m.link_expires_at == 0,
              "a plain get does not read links");
    }
    CHECK(auth_link_use(e->a, link, "short", &s, &why) == CV_INVALID &&
          auth_link_check(e->a, link, &u) == CV_OK, "a bad password leaves the link");
    CHECK(auth_link_use(e->a, link, "ian's password", &s, &why) == CV_OK &&
          !s.user.must_change, "used: the password is set, and a session made");
    CHECK_EQ_INT(auth_link_use(e->a, link, "another password", &s, &why), CV_INVALID,
                 "a link serves once");
    CHECK_EQ_INT(auth_login(e->a, "ian", "ian's password", "c1", &s, &retry), CV_OK,
                 "ian logs in");
    CHECK_EQ_INT(auth_link_create(e->a, "ian", "tester", link, NULL, &why), CV_OK, "a new link");
    e->t += AUTH_LINK_TTL;
    CHECK_EQ_INT(auth_link_check(e->a, link, &u), CV_INVALID, "expired after 72 hours");
    CHECK(auth_link_check(e->a, "not a link", &u) == CV_INVALID &&
          auth_link_check(e->a, NULL, &u) == CV_INVALID, "malformed links");
    CHECK_EQ_INT(auth_link_create(e->a, "nobody", "tester", link, NULL, &why), CV_INVALID,
                 "no link for nobody");
    CHECK(auth_member_set_active(e->a, "ian", 0, "tester", &why) == CV_OK &&
          auth_link_create(e->a, "ian", "tester", link, NULL, &why) == CV_INVALID,
          "nor for a deactivated member");
}

static void test_own_tokens(struct env *e)
{
    char tok[AUTH_TOKEN_LEN + 1], other[AUTH_TOKEN_LEN + 1];
    struct auth_session s, t;
    struct auth_user u;
    const char *why = NULL;
    int64_t id = 0, n = 0;
    int i, ok = 1, retry = 0;

    CHECK(add(e, "tia", PW, 0) == CV_OK && add(e, "tom", PW, 0) == CV_OK, "two members");
    CHECK(auth_login(e->a, "tia", PW, "c1", &s, &retry) == CV_OK &&
          auth_login(e->a, "tom", PW, "c1", &t, &retry) == CV_OK, "logged in");
    CHECK_EQ_INT(auth_token_create(e->a, "tom", "tom's", NULL, other, &id, &why), CV_OK,
                 "tom's token");
    CHECK(auth_token_revoke_own(e->a, &s.user, id, &why) == CV_INVALID &&
          auth_token_lookup(e->a, other, &u) == CV_OK, "tia cannot revoke tom's token");
    CHECK(auth_token_revoke_own(e->a, &t.user, id, &why) == CV_OK &&
          auth_token_lookup(e->a, other, &u) == CV_UNAUTHENTICATED, "tom can");
    for (i = 0; i < AUTH_TOKENS_MAX; i++)
        ok = ok && auth_token_create_own(e->a, &s.user, "mine", tok, &why) == CV_OK;
    CHECK(ok && auth_token_lookup(e->a, tok, &u) == CV_OK && strcmp(u.username, "tia") == 0,
          "tia makes 20 tokens of her own");
    CHECK(auth_token_create_own(e->a, &s.user, "one more", tok, &why) == CV_INVALID &&
          tok[0] == '\0', "not 21");
    CHECK(store_token_count(e->st, s.user.id, &n) == CV_OK && n == AUTH_TOKENS_MAX, "20");
}

static void test_audit(struct env *e)
{
    struct audit_seen seen;
    char tok[AUTH_TOKEN_LEN + 1];
    const char *why = NULL;
    int64_t id;

    memset(&seen, 0, sizeof seen);
    CHECK(store_audit_list(e->st, 0, 16, audit_one, &seen) == CV_OK && seen.n >= 5 &&
          strcmp(seen.actions[0], "member added") == 0 &&
          strcmp(seen.actors[0], "tester") == 0, "the log, newest first, with the actor");
    CHECK(auth_token_create(e->a, "tia", "given", "cli:root", tok, &id, &why) == CV_OK &&
          auth_token_revoke(e->a, id, "cli:root", &why) == CV_OK, "a token made and revoked");
    memset(&seen, 0, sizeof seen);
    CHECK(store_audit_list(e->st, 0, 2, audit_one, &seen) == CV_OK && seen.n == 2 &&
          strcmp(seen.actions[0], "token revoked") == 0 &&
          strcmp(seen.actions[1], "token made for member") == 0 &&
          strcmp(seen.actors[1], "cli:root") == 0, "both in the log");
    store_lock(e->st);          /* the shared connection is the lock holder's */
    CHECK(sqlite3_exec(store_db(e->st), "UPDATE audit_log SET actor = 'x'", NULL, NULL, NULL) !=
          SQLITE_OK && sqlite3_exec(store_db(e->st), "DELETE FROM audit_log", NULL, NULL,
                                    NULL) != SQLITE_OK, "the log cannot be changed");
    store_unlock(e->st);
    CHECK(auth_member_add(e->a, &(struct auth_member_new){"x-y", NULL, NULL, 0, NULL, 0}, "",
                          &why) == CV_ERROR && state(e, "x-y") == AUTH_STATE_DEACTIVATED,
          "an action whose entry cannot be written does not happen");
}

int main(void)
{
    struct env e;

    if (sodium_init() < 0 || mkdtemp(tmp_root) == NULL) {
        perror("setup");
        return 1;
    }
    if (env_open(&e, "main") != 0) {
        fprintf(stderr, "cannot open the store\n");
        return 1;
    }
    test_one_time(&e);
    test_change(&e);
    test_links(&e);
    test_own_tokens(&e);
    test_audit(&e);
    auth_close(e.a);
    store_close(e.st);
    harness_remove_tree(tmp_root);
    TEST_MAIN_END("test_auth_account");
}
