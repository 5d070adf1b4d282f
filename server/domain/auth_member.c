/*
 * auth_member.c — administering the roster: adding members, activating and
 * deactivating them, setting passwords, making set-password links, issuing
 * and revoking API tokens, and creating the first admin on an empty roster.
 * Every one of these is an admin action, written to the audit log in the
 * transaction that does it, with the actor who did it.
 *
 * Every input is validated here (auth.c's rules) before it reaches the store,
 * so the admin pages and the CLI share one set of rules and one set of
 * one-line reasons. Passwords are hashed before the store's lock is taken;
 * secrets are wiped from the stack once stored. A password an admin hands
 * over is one-time: it lets the member in once, to choose their own, and
 * expires after AUTH_ONE_TIME_TTL.
 */
#include <stdio.h>
#include <string.h>

#include "auth_internal.h"
#include "mail.h"

/* Maps a store code from a write keyed by username to a result and reason. */
static enum cv_err auth_member_result(int rc, const char **why)
{
    if (rc == CV_OK)
        return CV_OK;
    if (rc == CV_NOT_FOUND) {
        *why = "no such member";
        return CV_INVALID;
    }
    *why = "database error";
    return CV_ERROR;
}

int auth_audit(struct auth *a, const char *actor, const char *action, const char *subject,
               const char *detail)
{
    return store_audit_add(a->st, auth_now(a), actor != NULL ? actor : "unknown", action,
                           subject, detail) == CV_OK ? 0 : -1;
}

/* Commits the transaction that RC's work ran in when RC is CV_OK and the
 * audit entry could be written; rolls it back otherwise. The store code. */
int auth_finish(struct auth *a, int rc, const char *actor, const char *action,
                       const char *subject, const char *detail)
{
    if (rc == CV_OK && auth_audit(a, actor, action, subject, detail) != 0)
        rc = CV_ERROR;
    if (rc == CV_OK)
        return store_commit(a->st) == 0 ? CV_OK : CV_ERROR;
    store_rollback(a->st);
    return rc;
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

/* Fills *m from N for an insert. -1 if a field does not fit. */
static int auth_member_row(struct auth *a, const struct auth_member_new *n,
                           struct store_member *m)
{
    memset(m, 0, sizeof *m);
    if (auth_copy(m->username, sizeof m->username, n->username) != 0 ||
        auth_copy(m->display_name, sizeof m->display_name,
                  n->display_name != NULL && n->display_name[0] != '\0'
                  ? n->display_name : n->username) != 0 ||
        auth_copy(m->email, sizeof m->email, n->email != NULL ? n->email : "") != 0)
        return -1;
    m->is_admin = n->admin ? 1 : 0;
    m->active = 1;
    m->created_at = auth_now(a);
    m->one_time = n->password != NULL && n->one_time;
    m->password_expires_at = m->one_time ? m->created_at + AUTH_ONE_TIME_TTL : 0;
    return 0;
}

enum cv_err auth_member_add(struct auth *a, const struct auth_member_new *n,
                            const char *actor, const char **why)
{
    struct store_member m;
    enum cv_err r = CV_INVALID;
    const char *dummy;
    int rc;

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    if (auth_member_validate(n, why) != 0)
        return CV_INVALID;
    if (auth_member_row(a, n, &m) != 0) {
        *why = "a field is too long";
        goto out;
    }
    r = CV_ERROR;
    *why = "cannot hash the password";
    if (n->password != NULL && auth_password_hash(a, n->password, m.password_hash) != 0)
        goto out;
    *why = "database error";
    if (store_begin(a->st) != 0)
        goto out;
    rc = store_member_insert(a->st, &m, &m.id);
    /* with mail on, a member without a password is invited in the same
     * transaction (auth_mail.c); without an address, or mail off, nothing */
    if (rc == CV_OK && n->password == NULL &&
        (rc = auth_mail_link(a, &m, MAIL_INVITATION, AUTH_LINK_TTL, m.created_at)) ==
        CV_NOT_FOUND)
        rc = CV_OK;
    rc = auth_finish(a, rc, actor, "member added", m.username,
                     auth_mail_on(a) && n->password == NULL && m.email[0] != '\0'
                     ? (m.is_admin ? "admin; invitation sent by mail" : "invitation sent by mail")
                     : m.is_admin ? "admin" : NULL);
    r = rc == CV_OK ? CV_OK : rc == CV_CONFLICT ? CV_INVALID : CV_ERROR;
    *why = rc == CV_OK ? NULL : rc == CV_CONFLICT ? "username taken" : "database error";
out:
    sodium_memzero(&m, sizeof m);
    return r;
}

struct open_rolls {
    char text[STORE_DETAIL_MAX - 100];  /* the poll ids, cut to fit the detail */
    size_t len;
    int n;
};

/* Names an open poll in the detail of a deactivation's audit entry. */
static int open_roll_one(void *arg, const struct store_open_roll *p)
{
    struct open_rolls *o = arg;
    int w = snprintf(o->text + o->len, sizeof o->text - o->len, "%s%s", o->n ? ", " : "",
                     p->poll_id);

    if (w > 0 && (size_t)w < sizeof o->text - o->len)
        o->len += (size_t)w;
    o->n++;
    return 0;
}

enum cv_err auth_member_set_active(struct auth *a, const char *username, int active,
                                   const char *actor, const char **why)
{
    struct open_rolls rolls;
    char detail[STORE_DETAIL_MAX + 1] = "";
    const char *dummy;
    int rc;

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    if (username == NULL || auth_check_username(username) != NULL)
        return auth_member_result(CV_NOT_FOUND, why);
    memset(&rolls, 0, sizeof rolls);
    if (store_begin(a->st) != 0)
        return auth_member_result(CV_ERROR, why);
    rc = active ? CV_OK : store_member_open_rolls(a->st, username, open_roll_one, &rolls);
    if (rc == CV_OK)
        rc = store_member_set_active(a->st, username, active);
    if (rolls.n > 0)
        snprintf(detail, sizeof detail, "on the roll of %d open poll%s: %s", rolls.n,
                 rolls.n == 1 ? "" : "s", rolls.text);
    rc = auth_finish(a, rc, actor, active ? "member reactivated" : "member deactivated",
                     username, detail);
    return auth_member_result(rc, why);
}

enum cv_err auth_member_set_password(struct auth *a, const char *username,
                                     const char *password, int one_time,
                                     const char *actor, const char **why)
{
    struct store_member m;
    char hash[crypto_pwhash_STRBYTES];
    enum cv_err r;
    const char *dummy;
    int64_t now = auth_now(a);
    int rc;

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    memset(hash, 0, sizeof hash);
    if ((*why = auth_check_password(password)) != NULL)
        return CV_INVALID;
    r = auth_member_result(store_member_get(a->st, username, &m), why);
    if (r != CV_OK)
        goto out;
    r = CV_ERROR;
    *why = "cannot hash the password";
    if (auth_password_hash(a, password, hash) != 0)
        goto out;
    *why = NULL;
    if (store_begin(a->st) != 0) {
        r = auth_member_result(CV_ERROR, why);
        goto out;
    }
    rc = store_member_set_password(a->st, m.username, hash, one_time,
                                   one_time ? now + AUTH_ONE_TIME_TTL : 0, NULL);
    rc = auth_finish(a, rc, actor, "password reset", m.username,
                     one_time ? "a one-time password, valid 72 hours"
                              : "a password given by the admin");
    r = auth_member_result(rc, why);
out:
    sodium_memzero(hash, sizeof hash);
    sodium_memzero(&m, sizeof m);
    return r;
}

enum cv_err auth_link_create(struct auth *a, const char *username, const char *actor,
                             char *link_out, int64_t *expires_out, const char **why)
{
    struct store_member m;
    unsigned char raw[32], hash[32];
    int64_t now = auth_now(a);
    enum cv_err r;
    const char *dummy;
    int rc;

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    link_out[0] = '\0';
    r = auth_member_result(username != NULL && auth_check_username(username) == NULL
                           ? store_member_get(a->st, username, &m) : CV_NOT_FOUND, why);
    if (r != CV_OK)
        goto out;
    if (!m.active) {
        *why = "member is deactivated";
        r = CV_INVALID;
        goto out;
    }
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(link_out, AUTH_LINK_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_hash_sha256(hash, (const unsigned char *)link_out, AUTH_LINK_LEN);
    if (store_begin(a->st) != 0) {
        r = auth_member_result(CV_ERROR, why);
        goto out;
    }
    rc = store_link_insert(a->st, m.id, hash, now, now + AUTH_LINK_TTL);
    r = auth_member_result(auth_finish(a, rc, actor, "set-password link made", m.username,
                                       "valid 72 hours, once"), why);
    if (r == CV_OK && expires_out != NULL)
        *expires_out = now + AUTH_LINK_TTL;
out:
    if (r != CV_OK)
        sodium_memzero(link_out, AUTH_LINK_LEN + 1);
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(&m, sizeof m);
    return r;
}

/* A token label: at most STORE_LABEL_MAX bytes of text without controls. */
const char *auth_check_label(const char *label)
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

/* Inserts a new token for member M (inside the caller's transaction, if
 * any). */
static enum cv_err auth_token_insert(struct auth *a, const struct store_member *m,
                                     const char *label, char *token_out,
                                     int64_t *id_out, const char **why)
{
    unsigned char hash[32];
    enum cv_err r;

    if (!m->active) {
        *why = "member is deactivated";
        return CV_INVALID;
    }
    auth_token_new(token_out, hash);
    r = auth_member_result(store_token_insert(a->st, m->id, label, hash, auth_now(a), id_out),
                           why);
    if (r != CV_OK)
        sodium_memzero(token_out, AUTH_TOKEN_LEN + 1);
    return r;
}

enum cv_err auth_token_create(struct auth *a, const char *username, const char *label,
                              const char *actor, char *token_out, int64_t *id_out,
                              const char **why)
{
    struct store_member m;
    enum cv_err r;
    const char *dummy;
    char detail[STORE_LABEL_MAX + 32];

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    token_out[0] = '\0';
    if ((*why = auth_check_label(label)) != NULL)
        return CV_INVALID;
    r = auth_member_result(store_member_get(a->st, username, &m), why);
    if (r != CV_OK)
        goto out;
    if (actor == NULL) {
        r = auth_token_insert(a, &m, label, token_out, id_out, why);
        goto out;
    }
    if (store_begin(a->st) != 0) {
        r = auth_member_result(CV_ERROR, why);
        goto out;
    }
    snprintf(detail, sizeof detail, "label \"%s\"", label != NULL ? label : "");
    if ((r = auth_token_insert(a, &m, label, token_out, id_out, why)) != CV_OK)
        store_rollback(a->st);
    else
        r = auth_member_result(auth_finish(a, CV_OK, actor, "token made for member",
                                           m.username, detail), why);
    if (r != CV_OK)
        sodium_memzero(token_out, AUTH_TOKEN_LEN + 1);
out:
    sodium_memzero(&m, sizeof m);
    return r;
}

enum cv_err auth_token_revoke(struct auth *a, int64_t id, const char *actor,
                              const char **why)
{
    const char *dummy;
    char detail[48];
    int rc;

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    if (store_begin(a->st) != 0)
        return auth_member_result(CV_ERROR, why);
    snprintf(detail, sizeof detail, "token %lld", (long long)id);
    rc = auth_finish(a, store_token_revoke(a->st, id, auth_now(a)), actor, "token revoked",
                     NULL, detail);
    if (rc == CV_NOT_FOUND) {
        *why = "no such token, or already revoked";
        return CV_INVALID;
    }
    return auth_member_result(rc, why);
}

int auth_bootstrap_admin(struct auth *a, char *password_out, int *created)
{
    struct auth_member_new n = { "admin", "Administrator", NULL, 1, NULL, 1 };
    enum cv_err r;
    int64_t count;

    *created = 0;
    password_out[0] = '\0';
    if (store_member_count(a->st, &count) != CV_OK)
        return -1;
    if (count > 0)
        return 0;
    auth_password_generate(password_out);
    n.password = password_out;
    r = auth_member_add(a, &n, "server", NULL);
    if (r == CV_OK) {
        *created = 1;
        return 0;
    }
    sodium_memzero(password_out, AUTH_GENPASS_LEN + 1);
    /* Another process filled the roster between the count and the insert. */
    return r == CV_INVALID ? 0 : -1;
}

enum auth_member_state auth_member_state(const struct store_member *m, int64_t now)
{
    if (!m->active)
        return AUTH_STATE_DEACTIVATED;
    if (m->password_hash[0] == '\0')
        return m->link_expires_at > now ? AUTH_STATE_LINK_PENDING : AUTH_STATE_NO_PASSWORD;
    if (!m->one_time)
        return AUTH_STATE_ACTIVE;
    if (m->password_expires_at != 0 && now >= m->password_expires_at)
        return AUTH_STATE_EXPIRED;
    return AUTH_STATE_MUST_CHANGE;
}

const char *auth_member_state_text(enum auth_member_state st)
{
    switch (st) {
    case AUTH_STATE_ACTIVE:         return "active";
    case AUTH_STATE_NO_PASSWORD:    return "no password yet";
    case AUTH_STATE_LINK_PENDING:   return "invitation pending";
    case AUTH_STATE_MUST_CHANGE:    return "must change password";
    case AUTH_STATE_EXPIRED:        return "one-time password expired";
    default:                        return "deactivated";
    }
}
