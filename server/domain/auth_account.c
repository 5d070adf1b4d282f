/*
 * auth_account.c — what a member does to their own account: change their
 * password (or choose it, after a one-time password or through a
 * set-password link), and make and revoke their own API tokens.
 *
 * A password change checks the current password like a login (one argon2
 * verification, counted in the same per-(username, client) throttle), so a
 * stolen session cannot be turned into a password guesser. Any new password
 * ends the member's other sessions; the one that made the change stays.
 * These are not admin actions: nothing here writes the audit log.
 */
#include <string.h>

#include "auth_internal.h"

/* Checks CURRENT against M's password for the change of USER's password:
 * throttled, one verification. CV_OK, CV_INVALID (*why) or
 * CV_THROTTLED. */
static enum cv_err auth_change_check(struct auth *a, const struct store_member *m,
                                     const char *current, const char *client,
                                     int *retry_after, const char **why)
{
    char key[AUTH_USERNAME_MAX + 64];
    int64_t now = auth_now(a);
    unsigned wait;
    size_t len = current != NULL ? strnlen(current, AUTH_PASSWORD_MAX + 1) : 0;

    auth_pair_key(m->username, client, key, sizeof key);
    if ((wait = ratelimit_peek(a->failures, key, now * 1000)) != 0) {
        *retry_after = (int)wait;
        *why = "too many wrong passwords from your address; try again later";
        return CV_THROTTLED;
    }
    if (current != NULL && len <= AUTH_PASSWORD_MAX && m->password_hash[0] != '\0' &&
        auth_password_verify(a, m->password_hash, current, len))
        return CV_OK;
    (void)ratelimit_take(a->failures, key, now * 1000);
    *why = "your current password is not right";
    return CV_INVALID;
}

/* Hashes NEXT and sets it as M's own password, ending M's sessions but the
 * one of cookie KEEP (NULL: all). */
static enum cv_err auth_password_store(struct auth *a, const struct store_member *m,
                                       const char *next, const char *keep,
                                       const char **why)
{
    char hash[crypto_pwhash_STRBYTES];
    unsigned char keep_hash[32];
    int have_keep = keep != NULL && auth_cookie_hash(keep, keep_hash) == 0;
    int rc = CV_ERROR;

    *why = "cannot hash the password";
    if (auth_password_hash(a, next, hash) != 0)
        return CV_ERROR;
    *why = "database error";
    if (store_begin(a->st) == 0) {
        rc = store_member_set_password(a->st, m->username, hash, 0, 0,
                                       have_keep ? keep_hash : NULL);
        if (rc == CV_OK)
            rc = store_commit(a->st) == 0 ? CV_OK : CV_ERROR;
        else
            store_rollback(a->st);
    }
    sodium_memzero(hash, sizeof hash);
    if (rc != CV_OK)
        return CV_ERROR;
    *why = NULL;
    return CV_OK;
}

enum cv_err auth_password_change(struct auth *a, const struct auth_user *user,
                                 const char *current, const char *next,
                                 const char *client, const char *keep,
                                 int *retry_after, const char **why)
{
    struct store_member m;
    enum cv_err r = CV_INVALID;
    int dummy_retry;
    const char *dummy;

    why = why != NULL ? why : &dummy;
    retry_after = retry_after != NULL ? retry_after : &dummy_retry;
    *retry_after = 0;
    if ((*why = auth_check_password(next)) != NULL)
        return CV_INVALID;
    if (store_member_get_id(a->st, user->id, &m) != CV_OK || !m.active) {
        *why = "no such member";
        return CV_ERROR;
    }
    if (user->must_change && m.one_time) {
        /* just logged in with the one-time password: it is not asked again,
         * but it may not stay */
        if (auth_password_verify(a, m.password_hash, next, strlen(next))) {
            *why = "choose a password of your own, not the one you were given";
            goto out;
        }
    } else if ((r = auth_change_check(a, &m, current, client, retry_after, why)) != CV_OK) {
        goto out;
    }
    r = auth_password_store(a, &m, next, keep, why);
out:
    sodium_memzero(&m, sizeof m);
    return r;
}

/* The member of an unused, unexpired link LINK, into *m. */
static enum cv_err auth_link_find(struct auth *a, const char *link,
                                  struct store_member *m)
{
    unsigned char hash[32];
    size_t i;
    int rc;

    if (link == NULL || strlen(link) != AUTH_LINK_LEN)
        return CV_INVALID;
    for (i = 0; i < AUTH_LINK_LEN; i++) {
        char c = link[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return CV_INVALID;
    }
    crypto_hash_sha256(hash, (const unsigned char *)link, AUTH_LINK_LEN);
    rc = store_link_lookup(a->st, hash, auth_now(a), m);
    return rc == CV_OK ? CV_OK : rc == CV_NOT_FOUND ? CV_INVALID : CV_ERROR;
}

enum cv_err auth_link_check(struct auth *a, const char *link, struct auth_user *user)
{
    struct store_member m;
    enum cv_err r = auth_link_find(a, link, &m);

    if (r == CV_OK)
        auth_user_fill(user, &m);
    sodium_memzero(&m, sizeof m);
    return r;
}

enum cv_err auth_link_use(struct auth *a, const char *link, const char *password,
                          struct auth_session *out, const char **why)
{
    struct store_member m;
    enum cv_err r;
    const char *dummy;

    why = why != NULL ? why : &dummy;
    if ((*why = auth_check_password(password)) != NULL)
        return CV_INVALID;
    if ((r = auth_link_find(a, link, &m)) != CV_OK) {
        *why = "this link has expired or was already used; ask an admin for a new one";
        return r;
    }
    if (!a->password_login && !m.is_admin) {
        *why = "password login is off on this server: log in through the identity provider";
        sodium_memzero(&m, sizeof m);
        return CV_FORBIDDEN;
    }
    /* setting the password deletes the link: it cannot serve twice */
    if ((r = auth_password_store(a, &m, password, NULL, why)) == CV_OK &&
        store_member_get_id(a->st, m.id, &m) == CV_OK)
        r = auth_session_create(a, &m, auth_now(a), out);
    sodium_memzero(&m, sizeof m);
    return r;
}

enum cv_err auth_password_usable(struct auth *a, const struct auth_user *user, int *usable)
{
    struct store_member m;
    enum cv_err r;

    *usable = 0;
    if ((r = store_member_get_id(a->st, user->id, &m)) != CV_OK)
        return r;
    *usable = m.password_hash[0] != '\0' && (a->password_login || m.is_admin);
    sodium_memzero(&m, sizeof m);
    return CV_OK;
}

enum cv_err auth_token_create_own(struct auth *a, const struct auth_user *user,
                                  const char *label, char *token_out, const char **why)
{
    unsigned char hash[32];
    int64_t n = 0;
    const char *dummy;

    why = why != NULL ? why : &dummy;
    token_out[0] = '\0';
    if ((*why = auth_check_label(label)) != NULL)
        return CV_INVALID;
    if (store_token_count(a->st, user->id, &n) != CV_OK) {
        *why = "database error";
        return CV_ERROR;
    }
    if (n >= AUTH_TOKENS_MAX) {
        *why = "you have 20 tokens: revoke one you no longer use first";
        return CV_INVALID;
    }
    auth_token_new(token_out, hash);
    if (store_token_insert(a->st, user->id, label, hash, auth_now(a), NULL) != CV_OK) {
        sodium_memzero(token_out, AUTH_TOKEN_LEN + 1);
        *why = "database error";
        return CV_ERROR;
    }
    return CV_OK;
}

enum cv_err auth_token_revoke_own(struct auth *a, const struct auth_user *user,
                                  int64_t id, const char **why)
{
    const char *dummy;
    int rc;

    why = why != NULL ? why : &dummy;
    *why = NULL;
    rc = store_token_revoke_own(a->st, user->id, id, auth_now(a));
    if (rc == CV_OK)
        return CV_OK;
    *why = rc == CV_NOT_FOUND ? "no such token of yours, or already revoked"
                                 : "database error";
    return rc == CV_NOT_FOUND ? CV_INVALID : CV_ERROR;
}
