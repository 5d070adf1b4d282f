/*
 * store_decrypt.c — a sealed poll's decryption in SQLite (schema 009):
 * `decrypting`, the entries of the server and the trustees, the partial
 * board, and the publication of the result with x_0's erasure.
 *
 * And the admins' reminder of a poll that waits too long for its trustees
 * (schema 014: decrypt_reminded_at, set once).
 *
 * Invariants kept here (and by the schema's CHECKs): a decrypting poll is
 * closed, takes no ballot and has no result; holder 0's entry is written
 * with the state, in the same statement group; one entry per holder, never
 * changed; the result, the final board and the erasure of x_0 are one
 * UPDATE.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "store_decrypt.h"
#include "store_int.h"

static const char SQL_BEGIN[] =
    "UPDATE polls SET closed = 1, decrypting = 1, board = ?2, board_ballots_at = ?3"
    " WHERE id = ?1 AND closed = 0 AND council_id IS NOT NULL";
static const char SQL_ADD[] =
    "INSERT INTO poll_decryptions (poll_id, holder, username, entry)"
    " SELECT ?1, ?2, ?3, ?4 FROM polls WHERE id = ?1 AND decrypting = 1";
static const char SQL_LIST[] =
    "SELECT holder, username, entry FROM poll_decryptions WHERE poll_id = ?1 ORDER BY holder";
static const char SQL_BOARD[] =
    "UPDATE polls SET board = ?2, board_ballots_at = ?3 WHERE id = ?1 AND decrypting = 1";
static const char SQL_PUBLISH[] =
    "UPDATE polls SET decrypting = 0, result = ?2, board = ?3, board_ballots_at = ?4,"
    " secret_key = NULL WHERE id = ?1 AND decrypting = 1";

static int bind_text(sqlite3_stmt *st, int idx, const char *text)
{
    if (text == NULL)
        return sqlite3_bind_null(st, idx) == SQLITE_OK ? 0 : -1;
    return sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

static int bind_at(sqlite3_stmt *st, int idx, long ballots_at)
{
    return (ballots_at < 0 ? sqlite3_bind_null(st, idx)
                           : sqlite3_bind_int64(st, idx, ballots_at)) == SQLITE_OK ? 0 : -1;
}

/* Steps ST (bound), an UPDATE of one row or an INSERT ... SELECT: 0 if one
 * row changed, CV_NOT_FOUND if none, CV_CONFLICT for a taken key. */
static int decrypt_step(struct store *s, sqlite3_stmt *st, int insert)
{
    int rc;

    if (insert) {
        rc = store_step_insert(s, st, NULL);
        if (rc == CV_OK && sqlite3_changes(store_db(s)) != 1)
            rc = CV_NOT_FOUND;
        return rc;
    }
    if (sqlite3_step(st) != SQLITE_DONE)
        return CV_ERROR;
    return sqlite3_changes(store_db(s)) == 1 ? 0 : CV_NOT_FOUND;
}

static int decrypt_insert(struct store *s, const char *id, uint32_t holder,
                          const char *username, const char *entry)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ADD);
    int rc = CV_ERROR;

    if (st == NULL)
        return CV_ERROR;
    if (bind_text(st, 1, id) == 0 && sqlite3_bind_int64(st, 2, holder) == SQLITE_OK &&
        bind_text(st, 3, username) == 0 && bind_text(st, 4, entry) == 0)
        rc = decrypt_step(s, st, 1);
    store_stmt_reset(st);
    return rc;
}

int store_decrypt_begin(struct store *s, const char *id, const char *board, long ballots_at,
                        const char *server_entry)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_BEGIN)) == NULL)
        goto out;
    if (bind_text(st, 1, id) == 0 && bind_text(st, 2, board) == 0 && bind_at(st, 3, ballots_at) == 0)
        rc = decrypt_step(s, st, 0);
    store_stmt_reset(st);
    if (rc == 0)
        rc = decrypt_insert(s, id, 0, NULL, server_entry);
out:
    store_unlock(s);
    return rc;
}

int store_decrypt_add(struct store *s, const char *id, uint32_t holder, const char *username,
                      const char *entry)
{
    int rc;

    if (holder == 0 || username == NULL)
        return CV_ERROR;
    store_lock(s);
    rc = decrypt_insert(s, id, holder, username, entry);
    store_unlock(s);
    return rc;
}

int store_decrypt_list(struct store *s, const char *id,
                       int (*fn)(void *ctx, uint32_t holder, const char *username,
                                 const char *entry, size_t len),
                       void *ctx)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_LIST)) == NULL || bind_text(st, 1, id) != 0)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 h = sqlite3_column_int64(st, 0);
        const char *user = (const char *)sqlite3_column_text(st, 1);
        const char *entry = (const char *)sqlite3_column_text(st, 2);
        int stop;

        if (entry == NULL || h < 0 || h > 64)
            goto out;
        stop = fn(ctx, (uint32_t)h, user, entry, (size_t)sqlite3_column_bytes(st, 2));
        if (stop != 0) {
            rc = stop;
            goto out;
        }
    }
    if (step == SQLITE_DONE)
        rc = 0;
out:
    if (st)
        store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_decrypt_board(struct store *s, const char *id, const char *board, long ballots_at)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_BOARD)) != NULL) {
        if (bind_text(st, 1, id) == 0 && bind_text(st, 2, board) == 0 &&
            bind_at(st, 3, ballots_at) == 0)
            rc = decrypt_step(s, st, 0);
        store_stmt_reset(st);
    }
    store_unlock(s);
    return rc;
}

int store_decrypt_publish(struct store *s, const char *id, const char *result,
                          const char *board, long ballots_at)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_PUBLISH)) != NULL) {
        if (bind_text(st, 1, id) == 0 && bind_text(st, 2, result) == 0 &&
            bind_text(st, 3, board) == 0 && bind_at(st, 4, ballots_at) == 0)
            rc = decrypt_step(s, st, 0);
        store_stmt_reset(st);
    }
    store_unlock(s);
    return rc;
}

static const char SQL_OVERDUE[] =
    "SELECT id FROM polls WHERE decrypting = 1 AND decrypt_reminded_at IS NULL"
    " AND closes_at <= ?1 ORDER BY closes_at, id LIMIT ?2";
static const char SQL_REMINDED[] =
    "UPDATE polls SET decrypt_reminded_at = ?2"
    " WHERE id = ?1 AND decrypting = 1 AND decrypt_reminded_at IS NULL";

int store_decrypt_overdue(struct store *s, int64_t closed_before, char (*ids)[64], size_t cap,
                          size_t *n)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    *n = 0;
    store_lock(s);
    if ((st = store_stmt(s, SQL_OVERDUE)) != NULL &&
        sqlite3_bind_int64(st, 1, closed_before) == SQLITE_OK &&
        sqlite3_bind_int64(st, 2, (sqlite3_int64)cap) == SQLITE_OK)
        rc = store_step_ids(st, ids, cap, n);
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_decrypt_reminded(struct store *s, const char *id, int64_t now)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    assert(store_in_tx(s));         /* with the mails it queues */
    if ((st = store_stmt(s, SQL_REMINDED)) != NULL && bind_text(st, 1, id) == 0 &&
        sqlite3_bind_int64(st, 2, now) == SQLITE_OK)
        rc = decrypt_step(s, st, 0);
    store_stmt_reset(st);
    store_unlock(s);
    return rc == CV_NOT_FOUND ? CV_CONFLICT : rc;
}
