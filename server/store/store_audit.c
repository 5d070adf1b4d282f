/*
 * store_audit.c — the audit log: what admins did to accounts, append-only.
 *
 * The table's triggers (schema/006) refuse every UPDATE and DELETE, so not
 * even a bug here can rewrite history; only a person with the database file
 * and the sqlite3 shell can, and SECURITY.md says so. An entry is written in
 * the transaction of the action it records, so the two commit or fail
 * together. Nothing about votes is ever written here: the callers are the
 * account functions of auth_member.c and auth_import.c only.
 */
#include <string.h>

#include "store_int.h"

static const char SQL_AUDIT_ADD[] =
    "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_AUDIT_LIST[] =
    "SELECT id, at, actor, action, subject, detail FROM audit_log"
    " WHERE id < ?1 ORDER BY id DESC LIMIT ?2";

int store_audit_add(struct store *s, int64_t at, const char *actor, const char *action,
                    const char *subject, const char *detail)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    if (actor == NULL || actor[0] == '\0' || action == NULL || action[0] == '\0')
        return CV_ERROR;
    subject = subject != NULL ? subject : "";
    detail = detail != NULL ? detail : "";
    store_lock(s);
    if ((st = store_stmt(s, SQL_AUDIT_ADD)) == NULL)
        goto out;
    if (sqlite3_bind_int64(st, 1, at) == SQLITE_OK &&
        sqlite3_bind_text(st, 2, actor, store_text_cut(actor, STORE_ACTOR_MAX),
                          SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_bind_text(st, 3, action, store_text_cut(action, STORE_ACTION_MAX),
                          SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_bind_text(st, 4, subject, store_text_cut(subject, STORE_SUBJECT_MAX),
                          SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_bind_text(st, 5, detail, store_text_cut(detail, STORE_DETAIL_MAX),
                          SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_DONE)
        rc = CV_OK;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_audit_list(struct store *s, int64_t before_id, int limit,
                     int (*fn)(void *ctx, const struct store_audit *e), void *ctx)
{
    struct store_audit e;
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    if ((st = store_read_stmt(s, SQL_AUDIT_LIST)) == NULL)
        return CV_ERROR;
    if (sqlite3_bind_int64(st, 1, before_id > 0 ? before_id : INT64_MAX) != SQLITE_OK ||
        sqlite3_bind_int(st, 2, limit) != SQLITE_OK)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&e, 0, sizeof e);
        e.id = sqlite3_column_int64(st, 0);
        e.at = sqlite3_column_int64(st, 1);
        if (store_column_text(st, 2, e.actor, sizeof e.actor) != 0 ||
            store_column_text(st, 3, e.action, sizeof e.action) != 0 ||
            store_column_text(st, 4, e.subject, sizeof e.subject) != 0 ||
            store_column_text(st, 5, e.detail, sizeof e.detail) != 0)
            goto out;
        if ((rc = fn(ctx, &e)) != 0)
            goto out;
    }
    rc = step == SQLITE_DONE ? CV_OK : CV_ERROR;
out:
    store_stmt_reset(st);
    return rc;
}
