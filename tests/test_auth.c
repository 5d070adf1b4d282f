/*
 * test_auth.c — the accounts domain over a real store in a temporary
 * directory, with an injected clock: field validation, password hashing,
 * login (success, wrong password, unknown, deactivated, password-less, equal
 * cost), throttling and Retry-After, sessions (lookup, CSRF, expiry, delete,
 * deactivation), API tokens (create, lookup, revoke), the first admin, and
 * CSV import (RFC 4180 quoting, header, re-import, bad rows rejecting all).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "auth.h"
#include "harness.h"
#include "store.h"

static char tmp_root[] = "/tmp/conclave-test-auth-XXXXXX";
static const char PW[] = "correct horse battery";

struct clock {
    int64_t t;
};

static int64_t clock_now(void *ctx)
{
    return ((struct clock *)ctx)->t;
}

struct env {
    struct store *st;
    struct auth *a;
    struct clock clock;
};

static int env_open(struct env *e, const char *name)
{
    char dir[256];
    struct auth_options opt = { 3600, clock_now, NULL };

    memset(e, 0, sizeof *e);
    e->clock.t = 1700000000;
    opt.now_ctx = &e->clock;
    snprintf(dir, sizeof dir, "%s/%s", tmp_root, name);
    if (store_open(dir, &e->st) != 0)
        return -1;
    return auth_open(e->st, &opt, &e->a);
}

static void env_close(struct env *e)
{
    auth_close(e->a);
    store_close(e->st);
}

static enum cv_err add(struct env *e, const char *user, const char *pw, int admin)
{
    struct auth_member_new n = { user, NULL, NULL, admin, pw, 0 };

    return auth_member_add(e->a, &n, "test", NULL);
}

static int is_hex(const char *s, size_t len)
{
    size_t i;

    if (strlen(s) != len)
        return 0;
    for (i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static double seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_validation(void)
{
    static const char *good_users[] = { "a", "alice", "Alice-Bob", "a1-b2-c3", "0",
        "abcdefghijklmnopqrstuvwxyz0123456789abc" };
    static const char *bad_users[] = { "", "-alice", "alice-", "al--ice", "al ice", "al_ice",
        "alice!", "ålice", "abcdefghijklmnopqrstuvwxyz0123456789abcd", "a.b" };
    size_t i;
    char long_name[500];

    for (i = 0; i < sizeof good_users / sizeof *good_users; i++)
        CHECK(auth_check_username(good_users[i]) == NULL, good_users[i]);
    for (i = 0; i < sizeof bad_users / sizeof *bad_users; i++)
        CHECK(auth_check_username(bad_users[i]) != NULL, bad_users[i]);
    CHECK(auth_check_username(NULL) != NULL, "NULL username");

    CHECK(auth_check_display_name("Ada Lovelace") == NULL, "plain display name");
    CHECK(auth_check_display_name("Zoë Ñúñez 李") == NULL, "UTF-8 display name");
    CHECK(auth_check_display_name("") != NULL, "empty display name");
    CHECK(auth_check_display_name("   ") != NULL, "blank display name");
    CHECK(auth_check_display_name("a\nb") != NULL, "newline in display name");
    CHECK(auth_check_display_name("a\x7f") != NULL, "DEL in display name");
    CHECK(auth_check_display_name("a\xc2\x85") != NULL, "C1 control in display name");
    CHECK(auth_check_display_name("\xc3\x28") != NULL, "invalid UTF-8");
    CHECK(auth_check_display_name("\xc0\xaf") != NULL, "overlong UTF-8");
    CHECK(auth_check_display_name("\xed\xa0\x80") != NULL, "surrogate");
    memset(long_name, 'x', 100);
    long_name[100] = '\0';
    CHECK(auth_check_display_name(long_name) == NULL, "100 characters");
    long_name[100] = 'x';
    long_name[101] = '\0';
    CHECK(auth_check_display_name(long_name) != NULL, "101 characters");
    for (i = 0; i < 100; i++)
        memcpy(long_name + 2 * i, "\xc3\xa9", 2);
    long_name[200] = '\0';
    CHECK(auth_check_display_name(long_name) == NULL, "100 two-byte characters");

    CHECK(auth_check_email(NULL) == NULL && auth_check_email("") == NULL, "no email is fine");
    CHECK(auth_check_email("a@example.org") == NULL, "simple email");
    CHECK(auth_check_email("first.last+tag@mail.example.co.uk") == NULL, "dotted email");
    CHECK(auth_check_email("nope") != NULL, "no @");
    CHECK(auth_check_email("@example.org") != NULL, "no local part");
    CHECK(auth_check_email("a@b@example.org") != NULL, "two @");
    CHECK(auth_check_email("a@localhost") != NULL, "no dot in domain");
    CHECK(auth_check_email("a b@example.org") != NULL, "space");
    CHECK(auth_check_email("a@example..org") != NULL, "double dot");
    CHECK(auth_check_email("a@example.org.") != NULL, "trailing dot");
    CHECK(auth_check_email("<a@example.org>") != NULL, "angle brackets");

    CHECK(auth_check_password("123456789") != NULL, "9-character password");
    CHECK(auth_check_password("1234567890") == NULL, "10-character password");
    CHECK(auth_check_password(NULL) != NULL, "NULL password");
    {
        char *big = malloc(AUTH_PASSWORD_MAX + 2);
        memset(big, 'p', AUTH_PASSWORD_MAX + 1);
        big[AUTH_PASSWORD_MAX] = '\0';
        CHECK(auth_check_password(big) == NULL, "1024-byte password");
        big[AUTH_PASSWORD_MAX] = 'p';
        big[AUTH_PASSWORD_MAX + 1] = '\0';
        CHECK(auth_check_password(big) != NULL, "1025-byte password");
        free(big);
    }
    {
        char a[AUTH_GENPASS_LEN + 1], b[AUTH_GENPASS_LEN + 1];
        auth_password_generate(a);
        auth_password_generate(b);
        CHECK(strlen(a) == AUTH_GENPASS_LEN && strcmp(a, b) != 0 &&
              auth_check_password(a) == NULL, "generated passwords are long and differ");
        CHECK_EQ_INT(strspn(a, "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"),
                     AUTH_GENPASS_LEN, "generated password uses the base58 alphabet");
    }
}

static void test_members(struct env *e)
{
    struct auth_member_new n = { "grace", "Grace Hopper", "grace@example.org", 1, PW, 0 };
    struct store_member m;
    const char *why = NULL;

    CHECK(auth_member_add(e->a, &n, "test", &why) == CV_OK && why == NULL, "add member");
    CHECK(store_member_get(e->st, "grace", &m) == CV_OK && m.is_admin == 1 && m.active == 1 &&
          strcmp(m.email, "grace@example.org") == 0, "member stored");
    CHECK(strncmp(m.password_hash, "$argon2id$", 10) == 0, "password stored as argon2id");
    CHECK_EQ_INT(crypto_pwhash_str_verify(m.password_hash, PW, strlen(PW)), 0, "hash verifies");
    CHECK_EQ_INT(crypto_pwhash_str_needs_rehash(m.password_hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                crypto_pwhash_MEMLIMIT_INTERACTIVE),
                 0, "hash uses at least interactive limits");
    n.username = "GRACE";
    CHECK(auth_member_add(e->a, &n, "test", &why) == CV_INVALID && why != NULL &&
          strcmp(why, "username taken") == 0, "duplicate username (other case)");
    n.username = "bad_name";
    CHECK(auth_member_add(e->a, &n, "test", &why) == CV_INVALID && why != NULL, "bad username");
    n.username = "henry";
    n.password = "short";
    CHECK(auth_member_add(e->a, &n, "test", &why) == CV_INVALID && why != NULL, "short password");
    n.password = PW;
    n.email = "not-an-email";
    CHECK(auth_member_add(e->a, &n, "test", &why) == CV_INVALID && why != NULL, "bad email");
    n.email = NULL;
    n.display_name = NULL;
    n.password = NULL;
    CHECK_EQ_INT(auth_member_add(e->a, &n, "test", &why), CV_OK,
                 "member without password or name");
    CHECK(store_member_get(e->st, "henry", &m) == CV_OK && m.password_hash[0] == '\0' &&
          strcmp(m.display_name, "henry") == 0, "display name defaults to the username");
    CHECK(auth_member_set_active(e->a, "nobody", 0, "test", &why) == CV_INVALID &&
          strcmp(why, "no such member") == 0, "deactivate unknown member");
    CHECK_EQ_INT(auth_member_set_password(e->a, "nobody", PW, 0, "test", &why), CV_INVALID,
                 "passwd unknown member");
    CHECK_EQ_INT(auth_member_set_password(e->a, "henry", "short", 0, "test", &why), CV_INVALID,
                 "passwd short password");
}

static void test_login(struct env *e)
{
    struct auth_session s, old;
    struct auth_user u;
    char csrf[AUTH_CSRF_LEN + 1];
    int retry = -1;
    double t0, t_wrong, t_unknown;

    CHECK_EQ_INT(add(e, "ivy", PW, 0), CV_OK, "add ivy");
    CHECK_EQ_INT(auth_login(e->a, "ivy", PW, "10.0.0.1", &s, &retry), CV_OK, "login ok");
    CHECK(is_hex(s.id, AUTH_SESSION_ID_LEN), "session id is 64 lowercase hex");
    CHECK(is_hex(s.csrf_token, AUTH_CSRF_LEN), "csrf token is 64 lowercase hex");
    CHECK(strcmp(s.user.username, "ivy") == 0 && s.user.admin == 0 &&
          strcmp(s.user.display_name, "ivy") == 0, "login returns the user");
    CHECK_EQ_INT(s.expires_at, e->clock.t + 3600, "session expiry from the configured TTL");
    CHECK(auth_login(e->a, "IVY", PW, "10.0.0.1", &s, &retry) == CV_OK &&
          strcmp(s.user.username, "ivy") == 0, "login with another case of the username");
    CHECK(auth_session_lookup(e->a, s.id, &u, csrf) == CV_OK && strcmp(u.username, "ivy") == 0,
          "session lookup");
    CHECK_EQ_STR(csrf, s.csrf_token, "lookup returns the session's csrf token");
    CHECK_EQ_INT(auth_csrf_equal(csrf, s.csrf_token), 1, "csrf compare equal");
    CHECK(auth_csrf_equal(csrf, NULL) == 0 && auth_csrf_equal(csrf, "") == 0,
          "csrf missing");
    csrf[0] = csrf[0] == 'a' ? 'b' : 'a';
    CHECK_EQ_INT(auth_csrf_equal(csrf, s.csrf_token), 0, "csrf compare differs");

    t0 = seconds();
    CHECK_EQ_INT(auth_login(e->a, "ivy", "wrong password", "10.0.0.1", &s, &retry), CV_BAD_CREDENTIALS,
                 "wrong password");
    t_wrong = seconds() - t0;
    t0 = seconds();
    CHECK_EQ_INT(auth_login(e->a, "nobody", PW, "10.0.0.1", &s, &retry), CV_BAD_CREDENTIALS,
                 "unknown user");
    t_unknown = seconds() - t0;
    CHECK(t_unknown > t_wrong / 3 && t_unknown < t_wrong * 3,
          "unknown user costs about as much as a wrong password");
    CHECK_EQ_INT(auth_login(e->a, "henry", "", "10.0.0.1", &s, &retry), CV_BAD_CREDENTIALS,
                 "member without password");
    CHECK_EQ_INT(auth_login(e->a, "bad_name", PW, "10.0.0.1", &s, &retry), CV_BAD_CREDENTIALS,
                 "malformed username");
    CHECK_EQ_INT(auth_login(e->a, NULL, PW, "10.0.0.1", &s, NULL), CV_BAD_CREDENTIALS, "NULL username");

    CHECK_EQ_INT(auth_login(e->a, "ivy", PW, "10.0.0.1", &old, NULL), CV_OK,
                 "a session before passwd");
    CHECK_EQ_INT(auth_member_set_password(e->a, "ivy", "a brand new password", 0, "test", NULL),
                 CV_OK, "passwd");
    CHECK_EQ_INT(auth_session_lookup(e->a, old.id, &u, NULL), CV_UNAUTHENTICATED,
                 "a new password ends the sessions opened with the old one");
    CHECK_EQ_INT(auth_login(e->a, "ivy", PW, "10.0.0.1", &s, NULL), CV_BAD_CREDENTIALS,
                 "old password refused");
    CHECK_EQ_INT(auth_login(e->a, "ivy", "a brand new password", "10.0.0.1", &s, NULL), CV_OK,
                 "new password works");
    CHECK(auth_member_set_password(e->a, "henry", PW, 0, "test", NULL) == CV_OK &&
          auth_login(e->a, "henry", PW, "10.0.0.1", &s, NULL) == CV_OK,
          "imported member can log in once a password is set");
}

static void test_throttle(struct env *e)
{
    struct auth_session s;
    int retry = -1, i, ok = 1;

    CHECK_EQ_INT(add(e, "jack", PW, 0), CV_OK, "add jack");
    for (i = 0; i < AUTH_CLIENT_FAILURES; i++)
        ok = ok && auth_login(e->a, i % 2 ? "JACK" : "jack", "nope nope nope", "10.0.0.9", &s,
                              &retry) == CV_BAD_CREDENTIALS;
    CHECK(ok, "five failures from one address answer invalid");
    CHECK_EQ_INT(auth_login(e->a, "Jack", PW, "10.0.0.9", &s, &retry), CV_THROTTLED,
                 "that address is slowed down, even with the right password (any case)");
    CHECK_EQ_INT(retry, AUTH_CLIENT_WINDOW / AUTH_CLIENT_FAILURES,
                 "retry_after = until the pair's next attempt (one every 3 minutes)");
    CHECK_EQ_INT(auth_login(e->a, "jack", PW, "10.0.0.10", &s, &retry), CV_OK,
                 "the right password from another address is never refused for their failures");
    CHECK_EQ_INT(auth_login(e->a, "ivy", "a brand new password", "10.0.0.9", &s, &retry), CV_OK,
                 "another username from the slowed address is not throttled");
    e->clock.t += AUTH_CLIENT_WINDOW / AUTH_CLIENT_FAILURES - 1;
    CHECK(auth_login(e->a, "jack", PW, "10.0.0.9", &s, &retry) == CV_THROTTLED && retry == 1,
          "still throttled one second before");
    e->clock.t += 1;
    CHECK_EQ_INT(auth_login(e->a, "jack", PW, "10.0.0.9", &s, &retry), CV_OK,
                 "allowed when the pair's next attempt is due");
    CHECK_EQ_INT(auth_login(e->a, "jack", "nope nope nope", "10.0.0.9", &s, &retry), CV_BAD_CREDENTIALS,
                 "success forgot the pair's failures");

    for (i = 0; i < 200; i++)
        (void)auth_login(e->a, "jack", "nope nope nope", i % 2 ? "10.0.0.11" : "10.0.0.12",
                         &s, NULL);
    CHECK_EQ_INT(auth_login(e->a, "jack", PW, "10.0.0.13", &s, &retry), CV_OK,
                 "a flood of failures from other addresses locks nothing");
    for (i = 0; i < AUTH_CLIENT_FAILURES; i++)
        (void)auth_login(e->a, "ghost", PW, "10.0.0.9", &s, NULL);
    CHECK(auth_login(e->a, "ghost", PW, "10.0.0.9", &s, &retry) == CV_THROTTLED && retry > 0,
          "unknown usernames are throttled the same way");
    CHECK(auth_set_attempt_limit(e->a, 0) == 0 &&
          auth_login(e->a, "ghost", PW, "10.0.0.9", &s, &retry) == CV_BAD_CREDENTIALS,
          "a limit of 0 turns the throttle off");
    CHECK_EQ_INT(auth_set_attempt_limit(e->a, AUTH_CLIENT_FAILURES), 0, "and back on");
}

static void test_sessions(struct env *e)
{
    struct auth_session s, s2;
    struct auth_user u;
    char bad[AUTH_SESSION_ID_LEN + 1];

    CHECK_EQ_INT(add(e, "kate", PW, 1), CV_OK, "add kate");
    CHECK(auth_login(e->a, "kate", PW, "10.0.0.1", &s, NULL) == CV_OK && s.user.admin == 1,
          "admin login");
    CHECK(auth_session_lookup(e->a, s.id, &u, NULL) == CV_OK && u.admin == 1, "lookup admin");
    memcpy(bad, s.id, sizeof bad);
    bad[0] = bad[0] == '0' ? '1' : '0';
    CHECK_EQ_INT(auth_session_lookup(e->a, bad, &u, NULL), CV_UNAUTHENTICATED, "unknown session id");
    bad[0] = 'G';
    CHECK_EQ_INT(auth_session_lookup(e->a, bad, &u, NULL), CV_UNAUTHENTICATED, "non-hex session id");
    bad[0] = 'A';
    CHECK_EQ_INT(auth_session_lookup(e->a, bad, &u, NULL), CV_UNAUTHENTICATED, "uppercase hex refused");
    CHECK_EQ_INT(auth_session_lookup(e->a, "abc", &u, NULL), CV_UNAUTHENTICATED, "short session id");
    CHECK_EQ_INT(auth_session_lookup(e->a, NULL, &u, NULL), CV_UNAUTHENTICATED, "no cookie");

    e->clock.t += 3599;
    CHECK_EQ_INT(auth_session_lookup(e->a, s.id, &u, NULL), CV_OK, "valid just before expiry");
    e->clock.t += 1;
    CHECK_EQ_INT(auth_session_lookup(e->a, s.id, &u, NULL), CV_UNAUTHENTICATED, "expired session");

    CHECK_EQ_INT(auth_login(e->a, "kate", PW, "10.0.0.1", &s, NULL), CV_OK, "login again");
    CHECK(auth_login(e->a, "kate", PW, "10.0.0.1", &s2, NULL) == CV_OK && strcmp(s.id, s2.id) != 0,
          "a second session, another id");
    CHECK_EQ_INT(auth_session_delete(e->a, s.id), CV_OK, "logout");
    CHECK_EQ_INT(auth_session_lookup(e->a, s.id, &u, NULL), CV_UNAUTHENTICATED,
                 "logged-out session gone");
    CHECK_EQ_INT(auth_session_lookup(e->a, s2.id, &u, NULL), CV_OK, "other session unaffected");
    CHECK_EQ_INT(auth_session_delete(e->a, s.id), CV_OK, "logout is idempotent");
    CHECK_EQ_INT(auth_session_delete(e->a, "garbage"), CV_OK, "logout of garbage is fine");

    CHECK_EQ_INT(auth_member_set_active(e->a, "kate", 0, "test", NULL), CV_OK, "deactivate kate");
    CHECK_EQ_INT(auth_session_lookup(e->a, s2.id, &u, NULL), CV_UNAUTHENTICATED,
                 "deactivated member's session is gone");
    CHECK_EQ_INT(auth_login(e->a, "kate", PW, "10.0.0.1", &s, NULL), CV_BAD_CREDENTIALS,
                 "deactivated member cannot log in");
    CHECK_EQ_INT(auth_member_set_active(e->a, "kate", 1, "test", NULL), CV_OK, "activate kate");
    CHECK_EQ_INT(auth_session_lookup(e->a, s2.id, &u, NULL), CV_UNAUTHENTICATED,
                 "sessions stay ended after re-activation");
    CHECK_EQ_INT(auth_login(e->a, "kate", PW, "10.0.0.1", &s, NULL), CV_OK,
                 "re-activated member logs in");
}

struct tok_row {
    int n;
    int revoked;
    char label[STORE_LABEL_MAX + 1];
};

static int tok_count(void *ctx, const struct store_token *t)
{
    struct tok_row *r = ctx;

    r->n++;
    r->revoked += t->revoked_at != 0;
    snprintf(r->label, sizeof r->label, "%s", t->label);
    return 0;
}

static void test_tokens(struct env *e)
{
    char tok[AUTH_TOKEN_LEN + 1], tok2[AUTH_TOKEN_LEN + 1], bad[AUTH_TOKEN_LEN + 1];
    struct auth_user u;
    struct store_member m;
    struct tok_row rows = { 0, 0, "" };
    const char *why = NULL;
    int64_t id = 0, id2 = 0;

    CHECK_EQ_INT(add(e, "liam", NULL, 0), CV_OK, "add liam without password");
    CHECK(auth_token_create(e->a, "liam", "ci bot", "test", tok, &id, &why) == CV_OK && id > 0,
          "create token");
    CHECK(strlen(tok) == AUTH_TOKEN_LEN && strncmp(tok, "cnv_", 4) == 0 &&
          strspn(tok + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
          == 43, "token is cnv_ + 43 base64url");
    CHECK(auth_token_lookup(e->a, tok, &u) == CV_OK && strcmp(u.username, "liam") == 0,
          "token lookup");
    CHECK(auth_token_create(e->a, "LIAM", NULL, "test", tok2, &id2, NULL) == CV_OK && id2 != id &&
          strcmp(tok, tok2) != 0, "second token");
    CHECK_EQ_INT(auth_token_create(e->a, "nobody", NULL, "test", tok2, NULL, &why), CV_INVALID,
                 "token for unknown member");
    CHECK_EQ_INT(auth_token_create(e->a, "liam", "a\nb", "test", tok2, NULL, &why), CV_INVALID,
                 "label with a control character");
    memcpy(bad, tok, sizeof bad);
    bad[10] = bad[10] == 'A' ? 'B' : 'A';
    CHECK_EQ_INT(auth_token_lookup(e->a, bad, &u), CV_UNAUTHENTICATED, "altered token");
    CHECK_EQ_INT(auth_token_lookup(e->a, tok + 4, &u), CV_UNAUTHENTICATED, "token without prefix");
    CHECK(auth_token_lookup(e->a, "", &u) == CV_UNAUTHENTICATED && auth_token_lookup(e->a, NULL, &u)
          == CV_UNAUTHENTICATED, "empty token");
    CHECK(store_member_get(e->st, "liam", &m) == CV_OK &&
          store_token_list(e->st, m.id, tok_count, &rows) == CV_OK && rows.n == 2 &&
          rows.revoked == 0, "list tokens");

    CHECK_EQ_INT(auth_member_set_active(e->a, "liam", 0, "test", NULL), CV_OK, "deactivate liam");
    CHECK_EQ_INT(auth_token_lookup(e->a, tok, &u), CV_UNAUTHENTICATED,
                 "deactivated member's token fails");
    CHECK_EQ_INT(auth_token_create(e->a, "liam", NULL, "test", tok2, NULL, &why), CV_INVALID,
                 "no new token for a deactivated member");
    CHECK_EQ_INT(auth_member_set_active(e->a, "liam", 1, "test", NULL), CV_OK, "activate liam");
    CHECK_EQ_INT(auth_token_lookup(e->a, tok, &u), CV_OK, "token works again after activation");

    CHECK_EQ_INT(auth_token_revoke(e->a, id, "test", &why), CV_OK, "revoke");
    CHECK_EQ_INT(auth_token_lookup(e->a, tok, &u), CV_UNAUTHENTICATED, "revoked token fails");
    CHECK_EQ_INT(auth_token_revoke(e->a, id, "test", &why), CV_INVALID, "revoke twice");
    CHECK_EQ_INT(auth_token_revoke(e->a, 999999, "test", &why), CV_INVALID, "revoke unknown id");
    memset(&rows, 0, sizeof rows);
    CHECK(store_token_list(e->st, m.id, tok_count, &rows) == CV_OK && rows.n == 2 &&
          rows.revoked == 1, "list shows the revoked token");
}

static void test_bootstrap(void)
{
    struct env e;
    struct auth_session s;
    char pw[AUTH_GENPASS_LEN + 1];
    int created = -1;

    CHECK_EQ_INT(env_open(&e, "bootstrap"), 0, "open for bootstrap");
    CHECK(auth_bootstrap_admin(e.a, pw, &created) == 0 && created == 1 &&
          strlen(pw) == AUTH_GENPASS_LEN, "empty roster: admin created");
    CHECK(auth_login(e.a, "admin", pw, "10.0.0.1", &s, NULL) == CV_OK && s.user.admin == 1,
          "admin logs in with the printed password");
    CHECK(auth_bootstrap_admin(e.a, pw, &created) == 0 && created == 0 && pw[0] == '\0',
          "second start: nothing created");
    env_close(&e);
}

/* Imports TEXT; returns the result and fills err. */
static enum cv_err import(struct env *e, const char *text, struct auth_import_stats *st,
                          char *err, size_t cap)
{
    return auth_import_csv(e->a, text, strlen(text), "test", st, err, cap);
}

static void test_import(void)
{
    struct env e;
    struct auth_import_stats st;
    struct store_member m;
    char err[256];
    int64_t n = 0;

    CHECK_EQ_INT(env_open(&e, "import"), 0, "open for import");
    CHECK_EQ_INT(import(&e, "\xEF\xBB\xBFusername,display name,email\r\n"
                            "alice,\"Liddell, Alice\",alice@example.org\r\n"
                            "\r\n"
                            "bob,\"Bob \"\"the builder\"\"\",\r\n"
                            " carol , Carol ,\r\n"
                            "dave\r\n"
                            "\"eve\",\"Eve\",\"eve@example.org\"", &st, err, sizeof err),
                 CV_OK, "import with header, BOM, quotes, CRLF, blank line");
    CHECK(st.created == 5 && st.updated == 0, "five created");
    CHECK(store_member_get(e.st, "alice", &m) == CV_OK &&
          strcmp(m.display_name, "Liddell, Alice") == 0 &&
          strcmp(m.email, "alice@example.org") == 0 && m.password_hash[0] == '\0' &&
          m.active == 1 && m.is_admin == 0, "quoted comma; no password; active; not admin");
    CHECK(store_member_get(e.st, "bob", &m) == CV_OK &&
          strcmp(m.display_name, "Bob \"the builder\"") == 0 && m.email[0] == '\0',
          "doubled quotes");
    CHECK(store_member_get(e.st, "carol", &m) == CV_OK &&
          strcmp(m.display_name, "Carol") == 0, "unquoted fields trimmed");
    CHECK(store_member_get(e.st, "dave", &m) == CV_OK && strcmp(m.display_name, "dave") == 0,
          "username-only row");

    CHECK(import(&e, "ALICE,Alice L.,alice@new.example.org\nfrank,Frank,\n", &st, err,
                 sizeof err) == CV_OK && st.created == 1 && st.updated == 1,
          "re-import updates and adds");
    CHECK(store_member_get(e.st, "alice", &m) == CV_OK &&
          strcmp(m.display_name, "Alice L.") == 0 && strcmp(m.username, "alice") == 0 &&
          strcmp(m.email, "alice@new.example.org") == 0, "re-import changed name and email");
    CHECK(store_member_count(e.st, &n) == CV_OK && n == 6, "no duplicates");

    CHECK(import(&e, "username,name,email\ngina,Gina,\nhank,Hank,not-an-email\n", &st, err,
                 sizeof err) == CV_INVALID && strncmp(err, "line 3: ", 8) == 0,
          "bad email rejected with its line number");
    CHECK_EQ_INT(store_member_get(e.st, "gina", &m), CV_NOT_FOUND,
                 "the whole file is rejected (no partial import)");
    CHECK(import(&e, "gina,Gina,\n\"ivan,Ivan\n", &st, err, sizeof err) == CV_INVALID &&
          strncmp(err, "line 2: ", 8) == 0, "unterminated quote");
    CHECK(import(&e, "gina,Gi\"na,\n", &st, err, sizeof err) == CV_INVALID &&
          strncmp(err, "line 1: ", 8) == 0, "stray quote");
    CHECK_EQ_INT(import(&e, "gina,\"Gina\"x,\n", &st, err, sizeof err), CV_INVALID,
                 "text after closing quote");
    CHECK_EQ_INT(import(&e, "gina,Gina,g@example.org,extra\n", &st, err, sizeof err), CV_INVALID,
                 "too many columns");
    CHECK(import(&e, "gina,Gina,\nGINA,Gina again,\n", &st, err, sizeof err) == CV_INVALID &&
          strncmp(err, "line 2: ", 8) == 0, "username twice in one file");
    CHECK_EQ_INT(import(&e, "gina,\"Two\nlines\",\n", &st, err, sizeof err), CV_INVALID,
                 "newline inside a display name is refused");
    CHECK(import(&e, "a,b,\nc,\"multi\nline\",\nbad_user,x,\n", &st, err, sizeof err)
          == CV_INVALID && strncmp(err, "line 2: ", 8) == 0,
          "line numbers count newlines inside quotes");
    CHECK(import(&e, "gina,Gina,\nbad user,X,\n", &st, err, sizeof err) == CV_INVALID &&
          strncmp(err, "line 2: ", 8) == 0, "bad username");
    CHECK_EQ_INT(import(&e, "gina,Gina,\n-x,X,\n", &st, err, sizeof err), CV_INVALID,
                 "leading hyphen");
    CHECK(store_member_count(e.st, &n) == CV_OK && n == 6, "rejected files changed nothing");
    CHECK(import(&e, "", &st, err, sizeof err) == CV_OK && st.created == 0, "empty file");
    CHECK(import(&e, "username,display name,email\n", &st, err, sizeof err) == CV_OK &&
          st.created == 0, "header only");
    env_close(&e);
}

struct racer {
    struct auth *a;
    int ok;
};

static void *racer_run(void *arg)
{
    struct racer *r = arg;
    struct auth_session s;
    struct auth_user u;

    r->ok = auth_login(r->a, "ivy", "a brand new password", "10.0.0.1", &s, NULL) == CV_OK &&
            auth_session_lookup(r->a, s.id, &u, NULL) == CV_OK &&
            auth_session_delete(r->a, s.id) == CV_OK;
    return NULL;
}

static void test_concurrent_logins(struct env *e)
{
    struct racer r[6];
    pthread_t t[6];
    int i, ok = 1;

    for (i = 0; i < 6; i++) {
        r[i].a = e->a;
        pthread_create(&t[i], NULL, racer_run, &r[i]);
    }
    for (i = 0; i < 6; i++) {
        pthread_join(t[i], NULL);
        ok = ok && r[i].ok;
    }
    CHECK(ok, "six concurrent logins (two verifiers at a time) all succeed");
}

int main(void)
{
    struct env e;

    if (sodium_init() < 0 || mkdtemp(tmp_root) == NULL) {
        perror("setup");
        return 1;
    }
    test_validation();
    if (env_open(&e, "main") != 0) {
        fprintf(stderr, "cannot open the store\n");
        return 1;
    }
    test_members(&e);
    test_login(&e);
    test_throttle(&e);
    test_sessions(&e);
    test_tokens(&e);
    test_concurrent_logins(&e);
    env_close(&e);
    test_bootstrap();
    test_import();
    harness_remove_tree(tmp_root);
    TEST_MAIN_END("test_auth");
}
