/*
 * auth.c — who is asking: password login with throttling, sessions, API
 * tokens, and the validation rules for member fields.
 *
 * Login is built so that its answer and its duration say nothing about
 * whether a username exists: every attempt that is not throttled performs
 * exactly one argon2id verification — against the member's hash, or against a
 * dummy hash made at start-up when the member is unknown, deactivated or has
 * no password. Argon2 is expensive on purpose (64 MiB, ~0.1 s), so at most
 * AUTH_MAX_VERIFIERS run at once; further callers wait on a counting
 * semaphore. Session ids and API tokens are 32 random bytes; the store holds
 * only their SHA-256, so lookups need no constant-time comparison of secrets.
 *
 * Throttling never locks an account: usernames are public (every board
 * lists the roll), and a lock that anyone can trigger is a way to keep a
 * voter out until the deadline. Failures are counted per (username, client
 * address) in memory, so guessing from one address slows to one try every
 * three minutes while the member logs in from anywhere else. What bounds a
 * guesser spread over many addresses is the cost of each guess (argon2id,
 * two at a time for the whole server) and the per-address limit of the HTTP
 * layer; SECURITY.md weighs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_internal.h"
#include "utf8.h"

#define AUTH_TOKEN_PREFIX       "cnv_"
#define AUTH_TOKEN_PREFIX_LEN   4

int64_t auth_now(const struct auth *a)
{
    return a->now != NULL ? a->now(a->now_ctx) : (int64_t)time(NULL);
}

int64_t auth_time(const struct auth *a)
{
    return auth_now(a);
}

int auth_copy(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(s);

    if (n >= cap)
        return -1;
    memcpy(dst, s, n + 1);
    return 0;
}

/* Waits for one of the AUTH_MAX_VERIFIERS argon2 slots. */
static void auth_slot_take(struct auth *a)
{
    pthread_mutex_lock(&a->mu);
    while (a->busy >= AUTH_MAX_VERIFIERS)
        pthread_cond_wait(&a->cv, &a->mu);
    a->busy++;
    pthread_mutex_unlock(&a->mu);
}

static void auth_slot_give(struct auth *a)
{
    pthread_mutex_lock(&a->mu);
    a->busy--;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

int auth_password_hash(struct auth *a, const char *password, char *out)
{
    int rc;

    auth_slot_take(a);
    rc = crypto_pwhash_str(out, password, strlen(password),
                           crypto_pwhash_OPSLIMIT_INTERACTIVE,
                           crypto_pwhash_MEMLIMIT_INTERACTIVE);
    auth_slot_give(a);
    return rc == 0 ? 0 : -1;
}

int auth_password_verify(struct auth *a, const char *hash, const char *password,
                                size_t len)
{
    int rc;

    auth_slot_take(a);
    rc = crypto_pwhash_str_verify(hash, password, len);
    auth_slot_give(a);
    return rc == 0;
}

/* Makes the dummy hash: of a random password nobody knows. */
static int auth_make_dummy(struct auth *a)
{
    char pw[AUTH_GENPASS_LEN + 1];
    int rc;

    auth_password_generate(pw);
    rc = auth_password_hash(a, pw, a->dummy_hash);
    sodium_memzero(pw, sizeof pw);
    return rc;
}

int auth_open(struct store *st, const struct auth_options *opt, struct auth **out)
{
    struct auth *a;

    *out = NULL;
    if (sodium_init() < 0 || (a = calloc(1, sizeof *a)) == NULL)
        return -1;
    a->st = st;
    a->session_ttl = opt != NULL && opt->session_ttl > 0 ? opt->session_ttl : AUTH_SESSION_TTL;
    a->password_login = 1;
    a->now = opt != NULL ? opt->now : NULL;
    a->now_ctx = opt != NULL ? opt->now_ctx : NULL;
    if (pthread_mutex_init(&a->mu, NULL) != 0) {
        free(a);
        return -1;
    }
    if (pthread_cond_init(&a->cv, NULL) != 0) {
        pthread_mutex_destroy(&a->mu);
        free(a);
        return -1;
    }
    if (auth_make_dummy(a) != 0 ||
        auth_set_attempt_limit(a, AUTH_CLIENT_FAILURES) != 0) {
        auth_close(a);
        return -1;
    }
    *out = a;
    return 0;
}

int auth_set_attempt_limit(struct auth *a, unsigned failures)
{
    struct ratelimit *rl = NULL;

    /* 4096 pairs: an exhausted pair (the attacker's) is the last to give
     * way, and one address makes at most --login-limit new pairs a minute */
    if (failures > 0 && ratelimit_new(failures, AUTH_CLIENT_WINDOW, 4096, &rl) != 0)
        return -1;
    ratelimit_free(a->failures);
    a->failures = rl;
    return 0;
}

void auth_close(struct auth *a)
{
    if (a == NULL)
        return;
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    ratelimit_free(a->failures);
    ratelimit_free(a->reset_clients);
    ratelimit_free(a->reset_members);
    sodium_memzero(a, sizeof *a);
    free(a);
}

/* --- validation ------------------------------------------------------------ */

const char *auth_check_username(const char *u)
{
    size_t i, n;

    if (u == NULL || (n = strlen(u)) == 0)
        return "username is empty";
    if (n > AUTH_USERNAME_MAX)
        return "username is longer than 39 characters";
    for (i = 0; i < n; i++) {
        char c = u[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-'))
            return "username may contain only letters, digits and hyphens";
        if (c == '-' && i > 0 && u[i - 1] == '-')
            return "username may not contain two hyphens in a row";
    }
    if (u[0] == '-' || u[n - 1] == '-')
        return "username may not begin or end with a hyphen";
    return NULL;
}

/* Validates free text: UTF-8, no control characters, at most MAX characters;
 * sets *chars and *printable (count of non-space characters). */
static const char *auth_check_text(const char *t, size_t max, size_t *chars, size_t *printable)
{
    size_t n = strlen(t), i = 0, len;
    uint32_t cp;

    *chars = *printable = 0;
    while (i < n) {
        if ((len = utf8_next(t + i, n - i, &cp)) == 0)
            return "is not valid UTF-8";
        if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x2028 || cp == 0x2029)
            return "contains a control character";
        if (++*chars > max)
            return "is too long";
        if (cp != ' ')
            ++*printable;
        i += len;
    }
    return NULL;
}

const char *auth_check_display_name(const char *name)
{
    size_t chars, printable;
    const char *why;

    if (name == NULL || name[0] == '\0')
        return "display name is empty";
    why = auth_check_text(name, AUTH_DISPLAY_CHARS_MAX, &chars, &printable);
    if (why != NULL) {
        if (strcmp(why, "is too long") == 0)
            return "display name is longer than 100 characters";
        if (strcmp(why, "is not valid UTF-8") == 0)
            return "display name is not valid UTF-8";
        return "display name contains a control character";
    }
    if (printable == 0)
        return "display name is blank";
    return NULL;
}

const char *auth_check_email(const char *email)
{
    const char *at, *dot, *p;
    size_t n;

    if (email == NULL || email[0] == '\0')
        return NULL;
    if ((n = strlen(email)) > STORE_EMAIL_MAX)
        return "email address is too long";
    for (p = email; *p != '\0'; p++)
        if (*p <= ' ' || *p > '~' || strchr("\"(),:;<>[\\]", *p) != NULL)
            return "email address contains a character it may not";
    at = strchr(email, '@');
    if (at == NULL || at == email || strchr(at + 1, '@') != NULL || at - email > 64)
        return "email address must look like name@example.org";
    dot = strrchr(at + 1, '.');
    if (dot == NULL || dot == at + 1 || dot[1] == '\0' || strstr(at + 1, "..") != NULL)
        return "email address must look like name@example.org";
    return NULL;
}

const char *auth_check_password(const char *password)
{
    size_t n;

    if (password == NULL)
        return "password is missing";
    n = strlen(password);
    if (n < AUTH_PASSWORD_MIN)
        return "password is shorter than 10 characters";
    if (n > AUTH_PASSWORD_MAX)
        return "password is longer than 1024 bytes";
    return NULL;
}

void auth_password_generate(char *out)
{
    static const char alphabet[] =
        "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    size_t i;

    for (i = 0; i < AUTH_GENPASS_LEN; i++)
        out[i] = alphabet[randombytes_uniform((uint32_t)(sizeof alphabet - 1))];
    out[AUTH_GENPASS_LEN] = '\0';
}

/* --- login and sessions ------------------------------------------------------ */

void auth_user_fill(struct auth_user *u, const struct store_member *m)
{
    memset(u, 0, sizeof *u);
    u->id = m->id;
    memcpy(u->username, m->username, sizeof u->username);
    memcpy(u->display_name, m->display_name, sizeof u->display_name);
    u->admin = m->is_admin;
    u->must_change = m->one_time && m->password_hash[0] != '\0';
}

void auth_pair_key(const char *username, const char *client, char *key, size_t cap)
{
    size_t i;

    for (i = 0; username[i] != '\0' && i < AUTH_USERNAME_MAX && i + 1 < cap; i++)
        key[i] = (char)(username[i] >= 'A' && username[i] <= 'Z' ? username[i] + 32
                                                                 : username[i]);
    key[i] = '\0';
    snprintf(key + i, cap - i, " %s", client != NULL ? client : "");
}

enum cv_err auth_session_create(struct auth *a, const struct store_member *m,
                                            int64_t now, struct auth_session *out)
{
    unsigned char id[32], hash[32], csrf[32];
    enum cv_err r = CV_ERROR;

    memset(out, 0, sizeof *out);
    randombytes_buf(id, sizeof id);
    randombytes_buf(csrf, sizeof csrf);
    crypto_hash_sha256(hash, id, sizeof id);
    sodium_bin2hex(out->id, sizeof out->id, id, sizeof id);
    sodium_bin2hex(out->csrf_token, sizeof out->csrf_token, csrf, sizeof csrf);
    out->expires_at = now + a->session_ttl;
    auth_user_fill(&out->user, m);
    (void)store_session_purge(a->st, now);
    if (store_session_insert(a->st, hash, m->id, out->csrf_token, now,
                             out->expires_at) == CV_OK)
        r = CV_OK;
    else
        sodium_memzero(out, sizeof *out);
    sodium_memzero(id, sizeof id);
    sodium_memzero(csrf, sizeof csrf);
    return r;
}

enum cv_err auth_login(struct auth *a, const char *username, const char *password,
                       const char *client, struct auth_session *out, int *retry_after)
{
    struct store_member m;
    int64_t now = auth_now(a);
    const char *hash = a->dummy_hash;
    char key[AUTH_USERNAME_MAX + 64] = "";
    size_t len;
    int found = 0, ok, dummy_retry;
    unsigned wait;
    enum cv_err r = CV_BAD_CREDENTIALS;

    if (retry_after == NULL)
        retry_after = &dummy_retry;
    *retry_after = 0;
    if (username == NULL || password == NULL)
        return CV_BAD_CREDENTIALS;
    len = strnlen(password, AUTH_PASSWORD_MAX + 1);
    memset(&m, 0, sizeof m);
    if (auth_check_username(username) == NULL) {
        /* Peeked before, taken after a failure: successes cost nothing,
         * and parallel guesses from one pair pass the peek at most as many
         * as run at once. Names that are no username can never succeed:
         * the per-address limit (--login-limit) is theirs. */
        auth_pair_key(username, client, key, sizeof key);
        if ((wait = ratelimit_peek(a->failures, key, now * 1000)) != 0) {
            *retry_after = (int)wait;
            return CV_THROTTLED;
        }
        found = store_member_get(a->st, username, &m);
        if (found == CV_ERROR)
            return CV_ERROR;
        found = found == CV_OK && m.active && m.password_hash[0] != '\0';
        if (found)
            hash = m.password_hash;
    }
    /* Exactly one verification whatever happened above. */
    ok = auth_password_verify(a, hash, password, len) && found && len <= AUTH_PASSWORD_MAX;
    if (!ok) {
        if (key[0] != '\0')
            (void)ratelimit_take(a->failures, key, now * 1000);
    } else {
        ratelimit_forget(a->failures, key);
        if (m.one_time && m.password_expires_at != 0 && now >= m.password_expires_at)
            r = CV_EXPIRED;
        else if (!a->password_login && !m.is_admin)
            r = CV_FORBIDDEN;           /* --password-login off: admins only */
        else
            r = auth_session_create(a, &m, now, out);
    }
    sodium_memzero(&m, sizeof m);
    return r;
}

int auth_cookie_hash(const char *cookie, unsigned char hash[32])
{
    unsigned char id[32];
    size_t i, n;

    if (cookie == NULL || strlen(cookie) != AUTH_SESSION_ID_LEN)
        return -1;
    for (i = 0; i < AUTH_SESSION_ID_LEN; i++)
        if (!((cookie[i] >= '0' && cookie[i] <= '9') || (cookie[i] >= 'a' && cookie[i] <= 'f')))
            return -1;
    if (sodium_hex2bin(id, sizeof id, cookie, AUTH_SESSION_ID_LEN, NULL, &n, NULL) != 0 ||
        n != sizeof id)
        return -1;
    crypto_hash_sha256(hash, id, sizeof id);
    sodium_memzero(id, sizeof id);
    return 0;
}

enum cv_err auth_session_lookup(struct auth *a, const char *cookie,
                                struct auth_user *user, char *csrf_out)
{
    struct store_member m;
    unsigned char hash[32];
    char csrf[AUTH_CSRF_LEN + 1];
    int rc;

    if (auth_cookie_hash(cookie, hash) != 0)
        return CV_UNAUTHENTICATED;
    rc = store_session_lookup(a->st, hash, auth_now(a), &m, csrf);
    if (rc == CV_NOT_FOUND)
        return CV_UNAUTHENTICATED;
    if (rc != CV_OK)
        return CV_ERROR;
    auth_user_fill(user, &m);
    if (csrf_out != NULL)
        memcpy(csrf_out, csrf, sizeof csrf);
    sodium_memzero(&m, sizeof m);
    sodium_memzero(csrf, sizeof csrf);
    return CV_OK;
}

enum cv_err auth_session_delete(struct auth *a, const char *cookie)
{
    unsigned char hash[32];

    if (auth_cookie_hash(cookie, hash) != 0)
        return CV_OK;
    return store_session_delete(a->st, hash) == CV_ERROR ? CV_ERROR : CV_OK;
}

int auth_csrf_equal(const char *expected, const char *given)
{
    if (expected == NULL || given == NULL ||
        strlen(expected) != AUTH_CSRF_LEN || strlen(given) != AUTH_CSRF_LEN)
        return 0;
    return sodium_memcmp(expected, given, AUTH_CSRF_LEN) == 0;
}

/* --- API tokens -------------------------------------------------------------- */

/* Checks the token's shape ("cnv_" + 43 base64url) and hashes it. 0 / -1. */
static int auth_token_hash(const char *token, unsigned char hash[32])
{
    size_t i;

    if (token == NULL || strlen(token) != AUTH_TOKEN_LEN ||
        memcmp(token, AUTH_TOKEN_PREFIX, AUTH_TOKEN_PREFIX_LEN) != 0)
        return -1;
    for (i = AUTH_TOKEN_PREFIX_LEN; i < AUTH_TOKEN_LEN; i++) {
        char c = token[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return -1;
    }
    crypto_hash_sha256(hash, (const unsigned char *)token, AUTH_TOKEN_LEN);
    return 0;
}

enum cv_err auth_token_lookup(struct auth *a, const char *bearer, struct auth_user *user)
{
    struct store_member m;
    unsigned char hash[32];
    int rc;

    if (auth_token_hash(bearer, hash) != 0)
        return CV_UNAUTHENTICATED;
    rc = store_token_lookup(a->st, hash, &m);
    if (rc == CV_NOT_FOUND)
        return CV_UNAUTHENTICATED;
    if (rc != CV_OK)
        return CV_ERROR;
    auth_user_fill(user, &m);
    sodium_memzero(&m, sizeof m);
    return CV_OK;
}

void auth_token_new(char *token_out, unsigned char hash[32])
{
    unsigned char raw[32];

    randombytes_buf(raw, sizeof raw);
    memcpy(token_out, AUTH_TOKEN_PREFIX, AUTH_TOKEN_PREFIX_LEN);
    sodium_bin2base64(token_out + AUTH_TOKEN_PREFIX_LEN,
                      AUTH_TOKEN_LEN - AUTH_TOKEN_PREFIX_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_hash_sha256(hash, (const unsigned char *)token_out, AUTH_TOKEN_LEN);
    sodium_memzero(raw, sizeof raw);
}
