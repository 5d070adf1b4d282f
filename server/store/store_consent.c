/*
 * store_consent.c — the nominee's consent in SQLite (store_consent.h), the
 * consent columns of a poll's row (read with every poll, bound at its
 * insert) and the roll's rows, which a poll gets when it opens: at its
 * insert, or at its nominee's acceptance.
 *
 * Invariant kept here (and by schema/012's CHECKs): a poll awaiting consent
 * is closed = 0 with no record, fingerprint, key or roll, and holds its
 * link's hash; it leaves that state once, by store_consent_accept (open,
 * with all of them) or by a withdrawal (closed, hash erased).
 */
#include <assert.h>
#include <string.h>

#include "store_consent.h"
#include "store_int.h"

static const char SQL_ROLL_ADD[] =
    "INSERT INTO poll_roll (poll_id, username, voted) VALUES (?1, ?2, 0)";
static const char SQL_SET_HASH[] =
    "UPDATE polls SET consent_hash = ?2 WHERE id = ?1 AND closed = 0"
    " AND consent = 'awaiting'";
static const char SQL_FIND[] =
    "SELECT id FROM polls WHERE consent_hash = ?1 AND closed = 0"
    " AND consent = 'awaiting' AND closes_at > ?2";
static const char SQL_ACCEPT[] =
    "UPDATE polls SET record = ?2, fingerprint = ?3, opens_at = ?4, closes_at = ?5,"
    " eligible = ?6, secret_key = ?7, council_id = nullif(?8, ''), council_seal = ?9,"
    " consent = 'accepted', consent_at = ?4, consent_hash = NULL, announced_at = NULL"
    " WHERE id = ?1 AND closed = 0 AND consent = 'awaiting'";
static const char SQL_END[] =
    "UPDATE polls SET closed = 1, withdrawn_at = ?2, withdrawn_reason = ?3,"
    " consent_hash = NULL WHERE id = ?1 AND closed = 0 AND consent = 'awaiting'";
static const char SQL_DUE[] =
    "SELECT id FROM polls WHERE closed = 0 AND consent = 'awaiting' AND closes_at <= ?1"
    " ORDER BY id LIMIT ?2";

static const char *const consent_names[] = {NULL, "attested", "awaiting", "accepted"};

static int bind_text(sqlite3_stmt *st, int idx, const char *text)
{
    return sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

int store_consent_read(sqlite3_stmt *st, int col, struct store_poll *p)
{
    const char *c = (const char *)sqlite3_column_text(st, col);
    int k;

    p->consent = STORE_CONSENT_NONE;
    for (k = 1; c != NULL && k < 4; k++)
        if (strcmp(c, consent_names[k]) == 0)
            p->consent = (enum store_consent)k;
    if (c != NULL && p->consent == STORE_CONSENT_NONE)
        return -1;
    p->consent_at = sqlite3_column_int64(st, col + 2);
    return store_column_text(st, col + 1, p->consent_by, sizeof p->consent_by) != 0 ||
           store_column_text(st, col + 3, p->withdrawn_reason,
                             sizeof p->withdrawn_reason) != 0 ||
           store_column_text(st, col + 4, p->nominee_email, sizeof p->nominee_email) != 0
           ? -1 : 0;
}

int store_consent_bind(sqlite3_stmt *st, int idx, const struct store_poll *p)
{
    const char *c = (unsigned)p->consent < 4 ? consent_names[p->consent] : NULL;

    return (c != NULL ? bind_text(st, idx, c) : sqlite3_bind_null(st, idx)) != 0 ||
           bind_text(st, idx + 1, p->consent_by) != 0 ||
           sqlite3_bind_int64(st, idx + 2, p->consent_at) != SQLITE_OK ||
           bind_text(st, idx + 3, p->nominee_email) != 0 ? -1 : 0;
}

int store_poll_roll_insert(struct store *s, const char *id, const char *const *roll, size_t n)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ROLL_ADD);
    size_t i;

    assert(store_in_tx(s));
    for (i = 0; st != NULL && i < n; i++) {
        int ok = bind_text(st, 1, id) == 0 && bind_text(st, 2, roll[i]) == 0 &&
                 sqlite3_step(st) == SQLITE_DONE;
        store_stmt_reset(st);
        if (!ok)
            return CV_ERROR;
    }
    return st != NULL ? 0 : CV_ERROR;
}

/* Steps ST (bound), which changes at most one row, and resets it: 0 if it
 * changed one, CV_NOT_FOUND if none, CV_ERROR. */
static int consent_change(struct store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st) == SQLITE_DONE
             ? (sqlite3_changes(store_db(s)) == 1 ? 0 : CV_NOT_FOUND) : CV_ERROR;

    store_stmt_reset(st);
    return rc;
}

int store_consent_set_hash(struct store *s, const char *id, const unsigned char hash[32])
{
    sqlite3_stmt *st = store_stmt(s, SQL_SET_HASH);

    assert(store_in_tx(s));
    if (st == NULL)
        return CV_ERROR;
    if (bind_text(st, 1, id) != 0 ||
        sqlite3_bind_blob(st, 2, hash, 32, SQLITE_TRANSIENT) != SQLITE_OK) {
        store_stmt_reset(st);
        return CV_ERROR;
    }
    return consent_change(s, st);
}

int store_consent_find(struct store *s, const unsigned char hash[32], int64_t now,
                       char id_out[STORE_POLL_ID_MAX + 1])
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_FIND)) == NULL)
        goto out;
    if (sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_bind_int64(st, 2, now) == SQLITE_OK) {
        step = sqlite3_step(st);
        if (step == SQLITE_DONE)
            rc = CV_NOT_FOUND;
        else if (step == SQLITE_ROW)
            rc = store_column_text(st, 0, id_out, STORE_POLL_ID_MAX + 1) == 0 ? 0 : CV_ERROR;
    }
    store_stmt_reset(st);
out:
    store_unlock(s);
    return rc;
}

int store_consent_accept(struct store *s, const struct store_poll *p,
                         const unsigned char secret[32], const char *const *roll, size_t n)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ACCEPT);
    int rc;

    assert(store_in_tx(s));
    if (st == NULL)
        return CV_ERROR;
    if (bind_text(st, 1, p->id) || bind_text(st, 2, p->record) ||
        bind_text(st, 3, p->fingerprint) ||
        sqlite3_bind_int64(st, 4, p->opens_at) != SQLITE_OK ||
        sqlite3_bind_int64(st, 5, p->closes_at) != SQLITE_OK ||
        sqlite3_bind_int64(st, 6, p->eligible) != SQLITE_OK ||
        sqlite3_bind_blob(st, 7, secret, 32, SQLITE_TRANSIENT) != SQLITE_OK ||
        bind_text(st, 8, p->council) || bind_text(st, 9, p->council[0] ? p->seal : NULL)) {
        store_stmt_reset(st);
        return CV_ERROR;
    }
    if ((rc = consent_change(s, st)) != 0)
        return rc;
    return store_poll_roll_insert(s, p->id, roll, n);
}

int store_consent_end(struct store *s, const char *id, const char *reason, int64_t now)
{
    sqlite3_stmt *st = store_stmt(s, SQL_END);

    assert(store_in_tx(s));
    if (st == NULL)
        return CV_ERROR;
    if (bind_text(st, 1, id) != 0 || sqlite3_bind_int64(st, 2, now) != SQLITE_OK ||
        bind_text(st, 3, reason) != 0) {
        store_stmt_reset(st);
        return CV_ERROR;
    }
    return consent_change(s, st);
}

int store_consent_due(struct store *s, int64_t now, char ids[][STORE_POLL_ID_MAX + 1],
                      size_t max, size_t *n_out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step = SQLITE_ERROR;

    *n_out = 0;
    store_lock(s);
    if ((st = store_stmt(s, SQL_DUE)) == NULL)
        goto out;
    if (sqlite3_bind_int64(st, 1, now) == SQLITE_OK &&
        sqlite3_bind_int64(st, 2, (sqlite3_int64)max) == SQLITE_OK)
        while (*n_out < max && (step = sqlite3_step(st)) == SQLITE_ROW &&
               store_column_text(st, 0, ids[*n_out], STORE_POLL_ID_MAX + 1) == 0)
            (*n_out)++;
    if (step == SQLITE_DONE || (step == SQLITE_ROW && *n_out == max))
        rc = 0;
    store_stmt_reset(st);
out:
    store_unlock(s);
    return rc;
}
