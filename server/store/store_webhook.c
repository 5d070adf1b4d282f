/*
 * store_webhook.c — the deliveries' rows (store_webhook.h): added, taken,
 * delivered, retried, given up, asked for again.
 *
 * The row is the delivery's only state: it is sent while delivered_at and
 * failed_at are NULL and next_at has come. store_webhook_delivered is one
 * UPDATE (autocommit, synchronous=FULL) made right after the receiver's 2xx,
 * so a restart never sends it again; the window in which a delivery can go
 * twice is between that answer and this commit (receivers dedupe on
 * X-Conclave-Delivery or the event's id).
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_webhook.h"

#define DELIVERY_COLUMNS \
    "d.id, d.uid, d.event_id, e.uid, e.type, e.poll_id, coalesce(p.nominee, ''),"  \
    " d.created_at, d.next_at, d.attempts, d.last_error, d.delivered_at, d.failed_at"
#define DELIVERY_FROM \
    " FROM webhook_deliveries d JOIN events e ON e.id = d.event_id" \
    " LEFT JOIN polls p ON p.id = e.poll_id"

static const char SQL_WEBHOOK_ADD[] =
    "INSERT INTO webhook_deliveries (uid, event_id, body, created_at, next_at)"
    " VALUES (?1, ?2, ?3, ?4, ?4)";
static const char SQL_WEBHOOK_NEXT[] =
    "SELECT " DELIVERY_COLUMNS ", d.body" DELIVERY_FROM
    " WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_at <= ?1"
    " ORDER BY d.next_at, d.id LIMIT 1";
static const char SQL_WEBHOOK_LIST[] =
    "SELECT " DELIVERY_COLUMNS DELIVERY_FROM " ORDER BY d.id DESC LIMIT ?1";
static const char SQL_WEBHOOK_DELIVERED[] =
    "UPDATE webhook_deliveries SET delivered_at = ?2"
    " WHERE id = ?1 AND delivered_at IS NULL AND failed_at IS NULL";
static const char SQL_WEBHOOK_RETRY[] =
    "UPDATE webhook_deliveries SET attempts = ?2, next_at = ?3, last_error = ?4"
    " WHERE id = ?1 AND delivered_at IS NULL AND failed_at IS NULL";
static const char SQL_WEBHOOK_GIVE_UP[] =
    "UPDATE webhook_deliveries SET attempts = ?2, failed_at = ?3, last_error = ?4"
    " WHERE id = ?1 AND delivered_at IS NULL AND failed_at IS NULL";
static const char SQL_WEBHOOK_AGAIN[] =
    "UPDATE webhook_deliveries SET failed_at = NULL, next_at = ?2"
    " WHERE id = ?1 AND delivered_at IS NULL";
static const char SQL_WEBHOOK_PRUNE[] =
    "DELETE FROM webhook_deliveries WHERE delivered_at < ?1 OR failed_at < ?1";
static const char SQL_WEBHOOK_COUNTS[] =
    "SELECT coalesce(sum(delivered_at IS NULL AND failed_at IS NULL), 0),"
    " coalesce(sum(delivered_at IS NULL AND failed_at IS NULL AND attempts > 0), 0),"
    " coalesce(sum(failed_at IS NOT NULL), 0), coalesce(sum(delivered_at IS NOT NULL), 0)"
    " FROM webhook_deliveries";

int store_webhook_add(struct store *s, int64_t event_id, const char *uid, const char *body,
                      int64_t now)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    if (strlen(uid) != STORE_EVENT_UID_LEN || strlen(body) > STORE_WEBHOOK_BODY_MAX)
        return CV_ERROR;
    store_lock(s);
    if ((st = store_stmt(s, SQL_WEBHOOK_ADD)) != NULL &&
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_bind_int64(st, 2, event_id) == SQLITE_OK &&
        sqlite3_bind_text(st, 3, body, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_bind_int64(st, 4, now) == SQLITE_OK)
        rc = store_step_insert(s, st, NULL);
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

/* Fills *d from a row that starts with DELIVERY_COLUMNS. 0 / -1. */
static int delivery_read(sqlite3_stmt *st, struct store_delivery *d)
{
    memset(d, 0, sizeof *d);
    d->id = sqlite3_column_int64(st, 0);
    d->event_id = sqlite3_column_int64(st, 2);
    d->created_at = sqlite3_column_int64(st, 7);
    d->next_at = sqlite3_column_int64(st, 8);
    d->attempts = sqlite3_column_int(st, 9);
    d->delivered_at = sqlite3_column_int64(st, 11);
    d->failed_at = sqlite3_column_int64(st, 12);
    return store_column_text(st, 1, d->uid, sizeof d->uid) == 0 &&
        store_column_text(st, 3, d->event_uid, sizeof d->event_uid) == 0 &&
        store_column_text(st, 4, d->type, sizeof d->type) == 0 &&
        store_column_text(st, 5, d->poll_id, sizeof d->poll_id) == 0 &&
        store_column_text(st, 6, d->nominee, sizeof d->nominee) == 0 &&
        store_column_text(st, 10, d->last_error, sizeof d->last_error) == 0 ? 0 : -1;
}

int store_webhook_next(struct store *s, int64_t now, struct store_delivery *out, char **body,
                       size_t *len)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;
    size_t n;

    *body = NULL;
    store_lock(s);
    if ((st = store_stmt(s, SQL_WEBHOOK_NEXT)) == NULL ||
        sqlite3_bind_int64(st, 1, now) != SQLITE_OK)
        goto out;
    if ((step = sqlite3_step(st)) == SQLITE_DONE) {
        rc = CV_NOT_FOUND;
        goto out;
    }
    if (step != SQLITE_ROW || delivery_read(st, out) != 0)
        goto out;
    n = (size_t)sqlite3_column_bytes(st, 13);
    if ((*body = malloc(n + 1)) == NULL)
        goto out;
    if (n > 0)
        memcpy(*body, sqlite3_column_text(st, 13), n);
    (*body)[n] = '\0';
    *len = n;
    rc = CV_OK;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

/* Runs one of the UPDATEs above for delivery ID (store_update_row).
 * CV_NOT_FOUND when it changed no row. */
static int webhook_update(struct store *s, const char *sql, int64_t id, int64_t a, int64_t b,
                          const char *text)
{
    return store_update_row(s, sql, id, a, b, text, STORE_WEBHOOK_ERROR_MAX);
}

int store_webhook_delivered(struct store *s, int64_t id, int64_t now)
{
    return webhook_update(s, SQL_WEBHOOK_DELIVERED, id, now, 0, NULL);
}

int store_webhook_retry(struct store *s, int64_t id, int attempts, int64_t next_at,
                        const char *error)
{
    return webhook_update(s, SQL_WEBHOOK_RETRY, id, attempts, next_at, error);
}

int store_webhook_give_up(struct store *s, int64_t id, int attempts, int64_t now,
                          const char *error)
{
    return webhook_update(s, SQL_WEBHOOK_GIVE_UP, id, attempts, now, error);
}

int store_webhook_again(struct store *s, int64_t id, int64_t now)
{
    return webhook_update(s, SQL_WEBHOOK_AGAIN, id, now, 0, NULL);
}

int store_webhook_prune(struct store *s, int64_t before, int64_t *n_out)
{
    return store_exec_int(s, SQL_WEBHOOK_PRUNE, before, n_out);
}

int store_webhook_list(struct store *s, int limit,
                       int (*fn)(void *ctx, const struct store_delivery *d), void *ctx)
{
    struct store_delivery d;
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    if ((st = store_read_stmt(s, SQL_WEBHOOK_LIST)) == NULL)
        return CV_ERROR;
    if (sqlite3_bind_int(st, 1, limit) != SQLITE_OK)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (delivery_read(st, &d) != 0)
            goto out;
        if ((rc = fn(ctx, &d)) != 0)
            goto out;
    }
    rc = step == SQLITE_DONE ? CV_OK : CV_ERROR;
out:
    store_stmt_reset(st);
    return rc;
}

int store_webhook_counts(struct store *s, int64_t *pending, int64_t *failing,
                         int64_t *given_up, int64_t *delivered)
{
    int64_t *out[4] = {pending, failing, given_up, delivered};
    sqlite3_stmt *st;
    int rc = CV_ERROR, i;

    if ((st = store_read_stmt(s, SQL_WEBHOOK_COUNTS)) == NULL)
        return CV_ERROR;
    if (sqlite3_step(st) == SQLITE_ROW) {
        for (i = 0; i < 4; i++)
            if (out[i] != NULL)
                *out[i] = sqlite3_column_int64(st, i);
        rc = CV_OK;
    }
    store_stmt_reset(st);
    return rc;
}

static const char SQL_SETTINGS_ON[] =
    "INSERT OR IGNORE INTO webhook_settings (id, since) VALUES (1, ?1)";
static const char SQL_SETTINGS_OFF[] = "DELETE FROM webhook_settings";
static const char SQL_SETTINGS_GET[] = "SELECT count(*) FROM webhook_settings";

int store_webhook_settings_set(struct store *s, int on, int64_t now)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, on ? SQL_SETTINGS_ON : SQL_SETTINGS_OFF)) != NULL &&
        (!on || sqlite3_bind_int64(st, 1, now) == SQLITE_OK) && sqlite3_step(st) == SQLITE_DONE)
        rc = CV_OK;
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_webhook_settings_get(struct store *s, int *on)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_SETTINGS_GET)) != NULL && sqlite3_step(st) == SQLITE_ROW) {
        *on = sqlite3_column_int(st, 0) > 0;
        rc = CV_OK;
    }
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}
