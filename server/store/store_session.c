/*
 * store_session.c — rows that authenticate requests: login sessions, API
 * tokens and set-password links. (Failed logins are counted in memory, by
 * auth.c.)
 *
 * Sessions and tokens are stored and looked up only by SHA-256 of the secret
 * the client holds, so a copy of the database lets no one in. A lookup joins
 * the member and requires it to be active, so deactivating a member stops its
 * sessions and tokens at once even before its sessions are deleted.
 */
#include <string.h>

#include "store_int.h"

#define JOINED_MEMBER \
    "m.id, m.username, m.display_name, m.email, m.password_hash," \
    " m.is_admin, m.active, m.created_at, m.password_one_time," \
    " coalesce(m.password_expires_at, 0)"

static const char SQL_SESSION_INSERT[] =
    "INSERT INTO sessions (id_hash, member_id, csrf_token, created_at, expires_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_SESSION_LOOKUP[] =
    "SELECT " JOINED_MEMBER ", s.csrf_token FROM sessions s"
    " JOIN members m ON m.id = s.member_id"
    " WHERE s.id_hash = ?1 AND s.expires_at > ?2 AND m.active = 1";
static const char SQL_SESSION_DELETE[] =
    "DELETE FROM sessions WHERE id_hash = ?1";
static const char SQL_SESSION_DELETE_MEMBER[] =
    "DELETE FROM sessions WHERE member_id = ?1";
static const char SQL_SESSION_PURGE[] =
    "DELETE FROM sessions WHERE expires_at <= ?1";
static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO api_tokens (member_id, label, token_hash, created_at)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char SQL_TOKEN_LOOKUP[] =
    "SELECT " JOINED_MEMBER " FROM api_tokens t"
    " JOIN members m ON m.id = t.member_id"
    " WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND m.active = 1";
static const char SQL_TOKEN_LIST[] =
    "SELECT id, member_id, label, created_at, coalesce(revoked_at, 0)"
    " FROM api_tokens WHERE member_id = ?1 ORDER BY id";
static const char SQL_TOKEN_REVOKE[] =
    "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL";
static const char SQL_TOKEN_REVOKE_OWN[] =
    "UPDATE api_tokens SET revoked_at = ?2"
    " WHERE id = ?1 AND revoked_at IS NULL AND member_id = ?3";
static const char SQL_TOKEN_COUNT[] =
    "SELECT count(*) FROM api_tokens WHERE member_id = ?1 AND revoked_at IS NULL";
static const char SQL_LINK_CLEAR[] =
    "DELETE FROM password_links WHERE member_id = ?1 OR expires_at <= ?2";
static const char SQL_LINK_INSERT[] =
    "INSERT INTO password_links (token_hash, member_id, created_at, expires_at)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char SQL_LINK_LOOKUP[] =
    "SELECT " JOINED_MEMBER " FROM password_links l"
    " JOIN members m ON m.id = l.member_id"
    " WHERE l.token_hash = ?1 AND l.expires_at > ?2 AND m.active = 1";


/* Steps ST, a lookup of one row that starts with the member columns
 * (JOINED_MEMBER, bound), into *MEMBER: CV_OK, CV_NOT_FOUND or
 * CV_ERROR. */
static int session_member_row(sqlite3_stmt *st, struct store_member *member)
{
    int step = sqlite3_step(st);

    if (step == SQLITE_DONE)
        return CV_NOT_FOUND;
    if (step != SQLITE_ROW || store_member_read(st, member) != 0)
        return CV_ERROR;
    return CV_OK;
}

/* Steps a statement that returns no rows; 0 / -1. */
static int session_run(sqlite3_stmt *st)
{
    return sqlite3_step(st) == SQLITE_DONE ? CV_OK : CV_ERROR;
}

int store_session_insert(struct store *s, const unsigned char id_hash[32],
                         int64_t member_id, const char *csrf_token,
                         int64_t created_at, int64_t expires_at)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_SESSION_INSERT)) == NULL)
        goto out;
    if (sqlite3_bind_blob(st, 1, id_hash, 32, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, member_id) != SQLITE_OK ||
        sqlite3_bind_text(st, 3, csrf_token, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(st, 4, created_at) != SQLITE_OK ||
        sqlite3_bind_int64(st, 5, expires_at) != SQLITE_OK)
        goto out;
    rc = session_run(st);
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_session_lookup(struct store *s, const unsigned char id_hash[32], int64_t now,
                         struct store_member *member, char *csrf_out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    if ((st = store_read_stmt(s, SQL_SESSION_LOOKUP)) == NULL)
        goto out;
    if (sqlite3_bind_blob(st, 1, id_hash, 32, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, now) != SQLITE_OK)
        goto out;
    rc = session_member_row(st, member);
    if (rc == CV_OK &&
        store_column_text(st, STORE_MEMBER_COLUMNS, csrf_out, STORE_CSRF_LEN + 1) != 0)
        rc = CV_ERROR;
out:
    store_stmt_reset(st);
    return rc;
}

/* Runs a DELETE/UPDATE whose parameters are bound; reports changed rows. */
static int session_change(struct store *s, sqlite3_stmt *st, int *changed)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        return CV_ERROR;
    *changed = sqlite3_changes(store_db(s));
    return CV_OK;
}

int store_session_delete(struct store *s, const unsigned char id_hash[32])
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, changed = 0;

    store_lock(s);
    if ((st = store_stmt(s, SQL_SESSION_DELETE)) == NULL)
        goto out;
    if (sqlite3_bind_blob(st, 1, id_hash, 32, SQLITE_STATIC) != SQLITE_OK)
        goto out;
    rc = session_change(s, st, &changed);
    if (rc == CV_OK && changed == 0)
        rc = CV_NOT_FOUND;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

/* Runs a statement whose only parameter ?1 is the integer V. */
static int session_exec_int(struct store *s, const char *sql, int64_t v)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, sql)) == NULL)
        goto out;
    if (sqlite3_bind_int64(st, 1, v) != SQLITE_OK)
        goto out;
    rc = session_run(st);
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_session_delete_member(struct store *s, int64_t member_id)
{
    return session_exec_int(s, SQL_SESSION_DELETE_MEMBER, member_id);
}

int store_session_purge(struct store *s, int64_t now)
{
    return session_exec_int(s, SQL_SESSION_PURGE, now);
}

int store_token_insert(struct store *s, int64_t member_id, const char *label,
                       const unsigned char token_hash[32], int64_t now, int64_t *id_out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_TOKEN_INSERT)) == NULL)
        goto out;
    if (sqlite3_bind_int64(st, 1, member_id) != SQLITE_OK ||
        sqlite3_bind_text(st, 2, label ? label : "", -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_bind_blob(st, 3, token_hash, 32, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(st, 4, now) != SQLITE_OK)
        goto out;
    rc = store_step_insert(s, st, id_out);
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_token_lookup(struct store *s, const unsigned char token_hash[32],
                       struct store_member *member)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    if ((st = store_read_stmt(s, SQL_TOKEN_LOOKUP)) == NULL)
        goto out;
    if (sqlite3_bind_blob(st, 1, token_hash, 32, SQLITE_STATIC) != SQLITE_OK)
        goto out;
    rc = session_member_row(st, member);
out:
    store_stmt_reset(st);
    return rc;
}

int store_token_list(struct store *s, int64_t member_id,
                     int (*fn)(void *ctx, const struct store_token *t), void *ctx)
{
    struct store_token t;
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_TOKEN_LIST)) == NULL)
        goto out;
    if (sqlite3_bind_int64(st, 1, member_id) != SQLITE_OK)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&t, 0, sizeof t);
        t.id = sqlite3_column_int64(st, 0);
        t.member_id = sqlite3_column_int64(st, 1);
        if (store_column_text(st, 2, t.label, sizeof t.label) != 0)
            goto out;
        t.created_at = sqlite3_column_int64(st, 3);
        t.revoked_at = sqlite3_column_int64(st, 4);
        if ((rc = fn(ctx, &t)) != 0)
            goto out;
    }
    rc = step == SQLITE_DONE ? CV_OK : CV_ERROR;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

/* Revokes token ID at NOW, of MEMBER_ID only when it is not 0. */
static int token_revoke(struct store *s, int64_t id, int64_t member_id, int64_t now)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, changed = 0;

    store_lock(s);
    if ((st = store_stmt(s, member_id != 0 ? SQL_TOKEN_REVOKE_OWN : SQL_TOKEN_REVOKE)) == NULL)
        goto out;
    if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, now) != SQLITE_OK ||
        (member_id != 0 && sqlite3_bind_int64(st, 3, member_id) != SQLITE_OK))
        goto out;
    rc = session_change(s, st, &changed);
    if (rc == CV_OK && changed == 0)
        rc = CV_NOT_FOUND;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_token_revoke(struct store *s, int64_t id, int64_t now)
{
    return token_revoke(s, id, 0, now);
}

int store_token_revoke_own(struct store *s, int64_t member_id, int64_t id, int64_t now)
{
    return member_id != 0 ? token_revoke(s, id, member_id, now) : CV_NOT_FOUND;
}

int store_token_count(struct store *s, int64_t member_id, int64_t *n_out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    *n_out = 0;
    store_lock(s);
    if ((st = store_stmt(s, SQL_TOKEN_COUNT)) != NULL &&
        sqlite3_bind_int64(st, 1, member_id) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        *n_out = sqlite3_column_int64(st, 0);
        rc = CV_OK;
    }
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_link_insert(struct store *s, int64_t member_id, const unsigned char hash[32],
                      int64_t now, int64_t expires_at)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_LINK_CLEAR)) == NULL ||
        sqlite3_bind_int64(st, 1, member_id) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, now) != SQLITE_OK || session_run(st) != CV_OK)
        goto out;
    store_stmt_reset(st);
    if ((st = store_stmt(s, SQL_LINK_INSERT)) == NULL ||
        sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, member_id) != SQLITE_OK ||
        sqlite3_bind_int64(st, 3, now) != SQLITE_OK ||
        sqlite3_bind_int64(st, 4, expires_at) != SQLITE_OK)
        goto out;
    rc = session_run(st);
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_link_lookup(struct store *s, const unsigned char hash[32], int64_t now,
                      struct store_member *member)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_LINK_LOOKUP)) == NULL ||
        sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, now) != SQLITE_OK)
        goto out;
    rc = session_member_row(st, member);
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}
