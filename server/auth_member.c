/*
 * auth_member.c — administering the roster: adding members, activating and
 * deactivating them, setting passwords, issuing and revoking API tokens, and
 * creating the first admin on an empty roster.
 *
 * Every input is validated here (auth.c's rules) before it reaches the store,
 * so the CLI and a future admin API share one set of rules and one set of
 * one-line reasons. Passwords are hashed before the store's lock is taken;
 * secrets are wiped from the stack once stored.
 */
#include <string.h>

#include "auth_internal.h"

/* Maps a store code from a write keyed by username to a result and reason. */
static enum auth_result auth_member_result(int rc, const char **why)
{
    if (rc == STORE_OK)
        return AUTH_OK;
    if (rc == STORE_NOT_FOUND) {
        *why = "no such member";
        return AUTH_INVALID;
    }
    *why = "database error";
    return AUTH_ERROR;
}

/* Validates the fields of a new member; sets *why on failure. */
static int auth_member_validate(const struct auth_member_new *n, const char **why)
{
    const char *dn = n->display_name != NULL && n->display_name[0] != '\0'
        ? n->display_name : n->username;

    if ((*why = auth_check_username(n->username)) != NULL ||
        (*why = auth_check_display_name(dn)) != NULL ||
        (*why = auth_check_email(n->email)) != NULL)
        return -1;
    if (n->password != NULL && (*why = auth_check_password(n->password)) != NULL)
        return -1;
    return 0;
}

enum auth_result auth_member_add(struct auth *a, const struct auth_member_new *n,
                                 const char **why)
{
    struct store_member m;
    enum auth_result r = AUTH_INVALID;
    const char *dummy;
    int rc;

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    if (auth_member_validate(n, why) != 0)
        return AUTH_INVALID;
    memset(&m, 0, sizeof m);
    if (auth_copy(m.username, sizeof m.username, n->username) != 0 ||
        auth_copy(m.display_name, sizeof m.display_name,
                  n->display_name != NULL && n->display_name[0] != '\0'
                  ? n->display_name : n->username) != 0 ||
        auth_copy(m.email, sizeof m.email, n->email != NULL ? n->email : "") != 0) {
        *why = "a field is too long";
        goto out;
    }
    m.is_admin = n->admin ? 1 : 0;
    m.active = 1;
    m.created_at = auth_now(a);
    r = AUTH_ERROR;
    *why = "cannot hash the password";
    if (n->password != NULL && auth_password_hash(a, n->password, m.password_hash) != 0)
        goto out;
    rc = store_member_insert(a->st, &m, NULL);
    r = rc == STORE_OK ? AUTH_OK : rc == STORE_CONFLICT ? AUTH_INVALID : AUTH_ERROR;
    *why = rc == STORE_OK ? NULL : rc == STORE_CONFLICT ? "username taken" : "database error";
out:
    sodium_memzero(&m, sizeof m);
    return r;
}

enum auth_result auth_member_set_active(struct auth *a, const char *username, int active,
                                        const char **why)
{
    const char *dummy;

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    if (username == NULL)
        return auth_member_result(STORE_NOT_FOUND, why);
    return auth_member_result(store_member_set_active(a->st, username, active), why);
}

enum auth_result auth_member_set_password(struct auth *a, const char *username,
                                          const char *password, const char **why)
{
    struct store_member m;
    char hash[crypto_pwhash_STRBYTES];
    enum auth_result r;
    const char *dummy;

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    if ((*why = auth_check_password(password)) != NULL)
        return AUTH_INVALID;
    r = auth_member_result(store_member_get(a->st, username, &m), why);
    if (r != AUTH_OK)
        goto out;
    r = AUTH_ERROR;
    *why = "cannot hash the password";
    if (auth_password_hash(a, password, hash) != 0)
        goto out;
    *why = NULL;
    r = auth_member_result(store_member_set_password(a->st, m.username, hash), why);
out:
    sodium_memzero(hash, sizeof hash);
    sodium_memzero(&m, sizeof m);
    return r;
}

/* A token label: at most STORE_LABEL_MAX bytes of text without controls. */
static const char *auth_check_label(const char *label)
{
    const unsigned char *p;

    if (label == NULL)
        return NULL;
    if (strlen(label) > STORE_LABEL_MAX)
        return "label is longer than 100 bytes";
    for (p = (const unsigned char *)label; *p != '\0'; p++)
        if (*p < 0x20 || *p == 0x7F)
            return "label contains a control character";
    return NULL;
}

enum auth_result auth_token_create(struct auth *a, const char *username, const char *label,
                                   char *token_out, int64_t *id_out, const char **why)
{
    struct store_member m;
    unsigned char hash[32];
    enum auth_result r;
    const char *dummy;

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    token_out[0] = '\0';
    if ((*why = auth_check_label(label)) != NULL)
        return AUTH_INVALID;
    r = auth_member_result(store_member_get(a->st, username, &m), why);
    if (r != AUTH_OK)
        goto out;
    if (!m.active) {
        *why = "member is deactivated";
        r = AUTH_INVALID;
        goto out;
    }
    auth_token_new(token_out, hash);
    r = auth_member_result(store_token_insert(a->st, m.id, label, hash, auth_now(a), id_out),
                           why);
    if (r != AUTH_OK)
        sodium_memzero(token_out, AUTH_TOKEN_LEN + 1);
out:
    sodium_memzero(&m, sizeof m);
    return r;
}

enum auth_result auth_token_revoke(struct auth *a, int64_t id, const char **why)
{
    const char *dummy;
    int rc;

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    rc = store_token_revoke(a->st, id, auth_now(a));
    if (rc == STORE_NOT_FOUND) {
        *why = "no such token, or already revoked";
        return AUTH_INVALID;
    }
    return auth_member_result(rc, why);
}

int auth_bootstrap_admin(struct auth *a, char *password_out, int *created)
{
    struct auth_member_new n = { "admin", "Administrator", NULL, 1, NULL };
    enum auth_result r;
    int64_t count;

    *created = 0;
    password_out[0] = '\0';
    if (store_member_count(a->st, &count) != STORE_OK)
        return -1;
    if (count > 0)
        return 0;
    auth_password_generate(password_out);
    n.password = password_out;
    r = auth_member_add(a, &n, NULL);
    if (r == AUTH_OK) {
        *created = 1;
        return 0;
    }
    sodium_memzero(password_out, AUTH_GENPASS_LEN + 1);
    /* Another process filled the roster between the count and the insert. */
    return r == AUTH_INVALID ? 0 : -1;
}
