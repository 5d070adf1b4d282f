/*
 * store_event.c — the events' rows (store_event.h): which wait for their
 * mails or their webhook delivery, and the marks that say each was made.
 *
 * The rows themselves are written by schema/013's triggers, never here: an
 * event exists exactly when the change to the poll committed. A mark is one
 * UPDATE guarded by "IS NULL", so two callers cannot both make what an
 * event causes: the second gets CV_CONFLICT and rolls back.
 */
#include <string.h>

#include "store_event.h"
#include "store_int.h"

#define EVENT_COLUMNS "id, uid, type, poll_id, created_at"

static const char *const SQL_EVENT_PENDING[] = {
    "SELECT " EVENT_COLUMNS " FROM events WHERE mailed_at IS NULL ORDER BY id LIMIT ?1",
    "SELECT " EVENT_COLUMNS " FROM events WHERE hooked_at IS NULL ORDER BY id LIMIT ?1",
};
static const char *const SQL_EVENT_MARK[] = {
    "UPDATE events SET mailed_at = ?2 WHERE id = ?1 AND mailed_at IS NULL",
    "UPDATE events SET hooked_at = ?2 WHERE id = ?1 AND hooked_at IS NULL",
};
static const char *const SQL_EVENT_MARK_ALL[] = {
    "UPDATE events SET mailed_at = ?1 WHERE mailed_at IS NULL",
    "UPDATE events SET hooked_at = ?1 WHERE hooked_at IS NULL",
};
static const char SQL_EVENT_EXISTS[] = "SELECT 1 FROM events WHERE id = ?1";
static const char SQL_EVENT_LIST[] =
    "SELECT " EVENT_COLUMNS " FROM events WHERE poll_id = ?1 ORDER BY id";

/* Fills *e from a row that starts with EVENT_COLUMNS. 0 / -1. */
static int event_read(sqlite3_stmt *st, struct store_event *e)
{
    memset(e, 0, sizeof *e);
    e->id = sqlite3_column_int64(st, 0);
    e->created_at = sqlite3_column_int64(st, 4);
    return store_column_text(st, 1, e->uid, sizeof e->uid) == 0 &&
        store_column_text(st, 2, e->type, sizeof e->type) == 0 &&
        store_column_text(st, 3, e->poll_id, sizeof e->poll_id) == 0 ? 0 : -1;
}

int store_event_pending(struct store *s, enum store_event_use use, struct store_event *out,
                        size_t cap, size_t *n)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step = SQLITE_ERROR;

    *n = 0;
    store_lock(s);
    if ((st = store_stmt(s, SQL_EVENT_PENDING[use])) == NULL ||
        sqlite3_bind_int64(st, 1, (sqlite3_int64)cap) != SQLITE_OK)
        goto out;
    while (*n < cap && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (event_read(st, &out[*n]) != 0)
            goto out;
        (*n)++;
    }
    rc = step == SQLITE_DONE || step == SQLITE_ROW || cap == 0 ? CV_OK : CV_ERROR;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

/* CV_OK if event ID exists, CV_NOT_FOUND if not (the lock held). */
static int event_exists(struct store *s, int64_t id)
{
    sqlite3_stmt *st = store_stmt(s, SQL_EVENT_EXISTS);
    int rc = CV_ERROR, step;

    if (st != NULL && sqlite3_bind_int64(st, 1, id) == SQLITE_OK) {
        step = sqlite3_step(st);
        rc = step == SQLITE_ROW ? CV_OK : step == SQLITE_DONE ? CV_NOT_FOUND : CV_ERROR;
    }
    store_stmt_reset(st);
    return rc;
}

int store_event_mark(struct store *s, int64_t id, enum store_event_use use, int64_t now)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_EVENT_MARK[use])) != NULL &&
        sqlite3_bind_int64(st, 1, id) == SQLITE_OK &&
        sqlite3_bind_int64(st, 2, now) == SQLITE_OK && sqlite3_step(st) == SQLITE_DONE)
        rc = sqlite3_changes(store_db(s)) == 1 ? CV_OK : CV_CONFLICT;
    store_stmt_reset(st);
    if (rc == CV_CONFLICT && event_exists(s, id) == CV_NOT_FOUND)
        rc = CV_NOT_FOUND;
    store_unlock(s);
    return rc;
}

int store_event_mark_all(struct store *s, enum store_event_use use, int64_t now,
                         int64_t *n_out)
{
    return store_exec_int(s, SQL_EVENT_MARK_ALL[use], now, n_out);
}

int store_event_list(struct store *s, const char *poll_id,
                     int (*fn)(void *ctx, const struct store_event *e), void *ctx)
{
    struct store_event e;
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_EVENT_LIST)) == NULL ||
        sqlite3_bind_text(st, 1, poll_id, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (event_read(st, &e) != 0)
            goto out;
        if ((rc = fn(ctx, &e)) != 0)
            goto out;
    }
    rc = step == SQLITE_DONE ? CV_OK : CV_ERROR;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}
