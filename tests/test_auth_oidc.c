/*
 * test_auth_oidc.c — who a login through the OpenID provider is (auth_oidc.c)
 * over a real store, and the pieces of the flow that need no provider: the
 * username made of preferred_username, the single-use states of
 * store_oidc.c, the options' consistency (config_oidc.c) and which URLs the
 * fetcher accepts (oidc_fetch.c). The flow against a real provider is
 * tests/integration/test_oidc.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "config.h"
#include "harness.h"
#include "oidc_fetch.h"
#include "store.h"
#include "store_oidc.h"

static char tmp_root[] = "/tmp/conclave-test-auth-oidc-XXXXXX";
static const char ISS[] = "https://idp.example.org";

static void test_username(void)
{
    static const struct { const char *in, *want; } cases[] = {
        {"alice", "alice"}, {"erin.dot", "erin-dot"}, {"bob@example.org", "bob"},
        {"..x__y..", "x-y"}, {"Ünïcode", "n-code"},
        {"a123456789012345678901234567890123456789xyz", "a12345678901234567890123456789012345678"},
    };
    char out[AUTH_USERNAME_MAX + 1];
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_EQ_INT(auth_oidc_username(cases[i].in, out), 0, "%s gives a name", cases[i].in);
        CHECK_EQ_STR(out, cases[i].want);
    }
    CHECK_EQ_INT(auth_oidc_username("...", out), -1, "nothing left: no name");
    CHECK_EQ_INT(auth_oidc_username("@example.org", out), -1, "only a domain: no name");
    CHECK_EQ_INT(auth_oidc_username(NULL, out), -1, "no preferred_username: no name");
}

static struct auth_oidc_identity who(const char *sub, const char *email, int verified,
                                     const char *username, int in_group, int roster)
{
    struct auth_oidc_identity id = {ISS, sub, email, verified, username, NULL, in_group, roster};

    return id;
}

static enum cv_err login(struct auth *a, struct auth_oidc_identity id, char *user_out)
{
    struct auth_session s;
    enum cv_err r = auth_oidc_login(a, &id, &s, NULL);

    if (user_out != NULL)
        strcpy(user_out, r == CV_OK ? s.user.username : "");
    sodium_memzero(&s, sizeof s);
    return r;
}

static void add(struct auth *a, const char *user, const char *email)
{
    struct auth_member_new n = {user, NULL, email, 0, NULL, 0};

    CHECK_EQ_INT(auth_member_add(a, &n, "test", NULL), CV_OK, "add %s", user);
}

static void test_rules(struct store *st, struct auth *a)
{
    char user[AUTH_USERNAME_MAX + 1];

    add(a, "carol", "Carol@Example.org");
    add(a, "dave", "dave@example.org");
    CHECK_EQ_INT(login(a, who("s-dave", "dave@example.org", 0, "dave", 1, 0), user),
                 CV_NOT_MEMBER, "an unverified email matches nobody");
    CHECK_EQ_INT(login(a, who("s-carol", "carol@example.org", 1, "x", 1, 0), user), CV_OK,
                 "a verified email matches (case folded)");
    CHECK_EQ_STR(user, "carol");
    CHECK_EQ_INT(login(a, who("s-carol", "new@example.org", 1, "x", 1, 0), user), CV_OK,
                 "then the link names her, whatever the email");
    CHECK_EQ_STR(user, "carol");
    CHECK_EQ_INT(login(a, who("s-other", "carol@example.org", 1, "x", 1, 0), user),
                 CV_CONFLICT, "her address at another subject: refused, not relinked");
    CHECK_EQ_INT(login(a, who("s-carol", NULL, 0, NULL, 0, 1), user), CV_NOT_IN_GROUP,
                 "out of the group: refused even when linked");
    CHECK_EQ_INT(auth_member_set_active(a, "carol", 0, "test", NULL), CV_OK, "deactivate");
    CHECK_EQ_INT(login(a, who("s-carol", NULL, 0, NULL, 1, 0), user), CV_DEACTIVATED,
                 "a deactivated linked member is refused");
    CHECK_EQ_INT(login(a, who("s-zed", "zed@example.org", 1, "zed", 1, 0), user),
                 CV_NOT_MEMBER, "without a group nobody is created");
    CHECK_EQ_INT(login(a, who("s-zed", "zed@example.org", 1, "Zed.Q", 1, 1), user), CV_OK,
                 "with a group a first login creates the member");
    CHECK_EQ_STR(user, "Zed-Q");
    CHECK_EQ_INT(login(a, who("s-dave2", NULL, 0, "dave", 1, 1), user), CV_CONFLICT,
                 "a name taken: refused, nobody linked");
    {
        struct store_member m;

        CHECK_EQ_INT(store_oidc_link_get(st, ISS, "s-dave2", &m), CV_NOT_FOUND,
                     "the refused creation left no link");
        CHECK_EQ_INT(store_oidc_link_get(st, "https://other.example", "s-zed", &m),
                     CV_NOT_FOUND, "a link is for its issuer only");
    }
}

/* An admin's one-time password pending: a login through the provider voids
 * it, and its session is not held at "choose your password". */
static void test_one_time(struct auth *a)
{
    struct auth_member_new n = {"olga", NULL, "olga@example.org", 0, "one-time-pass-123", 1};
    struct auth_oidc_identity id = who("s-olga", "olga@example.org", 1, "olga", 1, 0);
    struct auth_session s;
    int retry;

    CHECK_EQ_INT(auth_member_add(a, &n, "test", NULL), CV_OK, "add olga, one-time password");
    CHECK_EQ_INT(auth_oidc_login(a, &id, &s, NULL), CV_OK, "olga logs in through the provider");
    CHECK_EQ_INT(s.user.must_change, 0, "not held at choose your password");
    sodium_memzero(&s, sizeof s);
    CHECK_EQ_INT(auth_login(a, "olga", "one-time-pass-123", "c", &s, &retry),
                 CV_BAD_CREDENTIALS, "the one-time password is void");
}

static void test_states(struct store *st)
{
    unsigned char h[32], h2[32];
    char next[STORE_OIDC_NEXT_MAX + 1];

    memset(h, 7, sizeof h);
    memset(h2, 8, sizeof h2);
    CHECK_EQ_INT(store_oidc_state_put(st, h, "/polls/1", 1000, 400), CV_OK, "put");
    CHECK_EQ_INT(store_oidc_state_put(st, h2, "/", 500, 400), CV_OK, "put another");
    CHECK_EQ_INT(store_oidc_state_take(st, h, 900, next), CV_OK, "taken once");
    CHECK_EQ_STR(next, "/polls/1");
    CHECK_EQ_INT(store_oidc_state_take(st, h, 900, next), CV_NOT_FOUND, "not twice");
    CHECK_EQ_INT(store_oidc_state_take(st, h2, 500, next), CV_NOT_FOUND, "not once expired");
}

static void test_options(void)
{
    struct config cfg;
    char err[256];
    char *ok[] = {"serve", "--oidc-issuer", "https://idp.example.org/realms/x",
                  "--oidc-client-id", "c", "--oidc-client-secret-file", "/f",
                  "--public-url", "https://v.example.org/", "--oidc-name", "Example SSO",
                  "--password-login", "off"};
    char *plain[] = {"serve", "--oidc-issuer", "http://localhost:9000", "--oidc-client-id", "c",
                     "--oidc-client-secret-file", "/f", "--public-url", "http://127.0.0.1:1"};

    CHECK_EQ_INT(config_parse_serve(&cfg, 13, ok, err, sizeof err), 0, "a good set (%s)", err);
    CHECK_EQ_STR(cfg.oidc_name, "Example SSO");
    CHECK_EQ_INT(cfg.password_login, 0, "--password-login off");
    CHECK_EQ_STR(cfg.oidc_groups_claim, "groups");
    CHECK_EQ_INT(config_parse_serve(&cfg, 9, plain, err, sizeof err), 0,
                 "plain http to loopback (tests) (%s)", err);
    CHECK_EQ_INT(config_url_loopback("http://127.0.0.1:8000/x"), 1, "127/8");
    CHECK_EQ_INT(config_url_loopback("http://[::1]:8000"), 1, "::1");
    CHECK_EQ_INT(config_url_loopback("http://127.0.0.1@evil.example"), 0, "user@host");
    CHECK_EQ_INT(config_url_loopback("http://127.0.0.1.evil.example"), 0, "a longer name");
    CHECK_EQ_INT(config_url_loopback("http://localhost.evil.example/"), 0, "localhost.x");
    CHECK_EQ_INT(oidc_fetch_url_ok("https://idp.example.org/token"), 1, "https");
    CHECK_EQ_INT(oidc_fetch_url_ok("http://127.0.0.1:9/token"), 1, "http to loopback");
    CHECK_EQ_INT(oidc_fetch_url_ok("http://idp.example.org/token"), 0, "http elsewhere");
    CHECK_EQ_INT(oidc_fetch_url_ok("http://127.0.0.1@idp.example.org/"), 0, "user@host");
    CHECK_EQ_INT(oidc_fetch_url_ok("file:///etc/passwd"), 0, "file:");
}

int main(void)
{
    char dir[256];
    struct store *st = NULL;
    struct auth *a = NULL;

    if (sodium_init() < 0 || mkdtemp(tmp_root) == NULL) {
        perror("setup");
        return 1;
    }
    test_username();
    test_options();
    snprintf(dir, sizeof dir, "%s/db", tmp_root);
    if (store_open(dir, &st) != 0 || auth_open(st, NULL, &a) != 0) {
        fprintf(stderr, "cannot open the store\n");
        return 1;
    }
    test_rules(st, a);
    test_states(st);
    test_one_time(a);
    auth_close(a);
    store_close(st);
    harness_remove_tree(tmp_root);
    TEST_MAIN_END("test_auth_oidc");
}
