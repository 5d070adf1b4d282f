/*
 * store_oidc.c — the links of members to a provider's subjects and the
 * logins under way (store_oidc.h, schema/011_oidc.sql).
 *
 * A state is taken by one DELETE ... RETURNING: two callbacks racing with the
 * same state cannot both get its row, so a state works exactly once.
 */
#include <string.h>

#include "store_int.h"
#include "store_oidc.h"

#define MEMBER_COLUMNS \
    "m.id, m.username, m.display_name, m.email, m.password_hash, m.is_admin, m.active," \
    " m.created_at, m.password_one_time, coalesce(m.password_expires_at, 0)"

static const char SQL_STATE_PURGE[] =
    "DELETE FROM oidc_states WHERE expires_at <= ?1";
static const char SQL_STATE_PUT[] =
    "INSERT INTO oidc_states (state_hash, next, expires_at) VALUES (?1, ?2, ?3)";
static const char SQL_STATE_TAKE[] =
    "DELETE FROM oidc_states WHERE state_hash = ?1 RETURNING next, expires_at";
static const char SQL_LINK_GET[] =
    "SELECT " MEMBER_COLUMNS " FROM oidc_links l JOIN members m ON m.id = l.member_id"
    " WHERE l.issuer = ?1 AND l.subject = ?2";
static const char SQL_LINK_INSERT[] =
    "INSERT INTO oidc_links (issuer, subject, member_id, created_at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_BY_EMAIL[] =
    "SELECT " MEMBER_COLUMNS " FROM members m WHERE lower(m.email) = lower(?1)"
    " ORDER BY m.id LIMIT 2";

int store_oidc_state_put(struct store *s, const unsigned char state_hash[32],
                         const char *next, int64_t expires_at, int64_t now)
{
    sqlite3_stmt *purge, *st = NULL;
    int rc = CV_ERROR;

    store_lock(s);
    if ((purge = store_stmt(s, SQL_STATE_PURGE)) == NULL ||
        sqlite3_bind_int64(purge, 1, now) != SQLITE_OK || sqlite3_step(purge) != SQLITE_DONE)
        goto out;
    if ((st = store_stmt(s, SQL_STATE_PUT)) == NULL ||
        sqlite3_bind_blob(st, 1, state_hash, 32, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_text(st, 2, next, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(st, 3, expires_at) != SQLITE_OK)
        goto out;
    rc = store_step_insert(s, st, NULL);
out:
    store_stmt_reset(purge);
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_oidc_state_take(struct store *s, const unsigned char state_hash[32], int64_t now,
                          char *next_out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    next_out[0] = '\0';
    store_lock(s);
    if ((st = store_stmt(s, SQL_STATE_TAKE)) == NULL ||
        sqlite3_bind_blob(st, 1, state_hash, 32, SQLITE_STATIC) != SQLITE_OK)
        goto out;
    step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = CV_NOT_FOUND;
    } else if (step == SQLITE_ROW) {
        rc = store_column_text(st, 0, next_out, STORE_OIDC_NEXT_MAX + 1) != 0 ? CV_ERROR :
             sqlite3_column_int64(st, 1) <= now ? CV_NOT_FOUND : CV_OK;
        /* finish the DELETE: RETURNING rows come before the change is done */
        while ((step = sqlite3_step(st)) == SQLITE_ROW)
            ;
        if (step != SQLITE_DONE)
            rc = CV_ERROR;
    }
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_oidc_link_get(struct store *s, const char *issuer, const char *subject,
                        struct store_member *out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_LINK_GET)) != NULL &&
        sqlite3_bind_text(st, 1, issuer, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC) == SQLITE_OK)
        rc = store_member_fetch(st, out);
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_oidc_link_insert(struct store *s, const char *issuer, const char *subject,
                           int64_t member_id, int64_t now)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_LINK_INSERT)) != NULL &&
        sqlite3_bind_text(st, 1, issuer, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_bind_int64(st, 3, member_id) == SQLITE_OK &&
        sqlite3_bind_int64(st, 4, now) == SQLITE_OK)
        rc = store_step_insert(s, st, NULL);
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_member_get_email(struct store *s, const char *email, struct store_member *out)
{
    sqlite3_stmt *st;
    struct store_member second;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_BY_EMAIL)) != NULL &&
        sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC) == SQLITE_OK &&
        (rc = store_member_fetch(st, out)) == CV_OK) {
        int again = store_member_fetch(st, &second);

        rc = again == CV_NOT_FOUND ? CV_OK : again == CV_OK ? CV_CONFLICT : CV_ERROR;
    }
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}
