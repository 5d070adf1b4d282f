/*
 * store_poll.c — polls, rolls, voters, ballots and the used set in SQLite.
 *
 * Invariants kept here: a ballot row never names its voter; a voter row never
 * names its ballot; the used set only grows; a cast is all or nothing (a
 * savepoint inside the caller's transaction, so a group of casts can share
 * one commit and one fsync); a closed poll has no secret key, and either its
 * result and board or, withdrawn, neither (a cast checks for a withdrawal
 * under its commit's transaction). The protocol meaning of the values is poll.c's business.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_poll.h"

static const char SQL_INSERT[] =
    "INSERT INTO polls (id, nominee, statement, statement_html, nominated_by, record,"
    " fingerprint, opens_at, closes_at, eligible, secret_key, council_id, council_seal,"
    " consent, consent_by, consent_at, nominee_email) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
    " ?8, ?9, ?10, ?11, ?12, ?13, ?14, nullif(?15, ''), nullif(?16, 0), nullif(?17, ''))";
#define POLL_COLUMNS "id, nominee, nominated_by, fingerprint, statement," \
    " statement_html, opens_at, closes_at, eligible, closed, result, withdrawn_by," \
    " withdrawn_at, council_id, decrypting, council_seal, " CONSENT_COLUMNS
static const char SQL_GET[] =
    "SELECT " POLL_COLUMNS ", NULL FROM polls WHERE id = ?1";
static const char SQL_GET_RECORD[] =
    "SELECT " POLL_COLUMNS ", record FROM polls WHERE id = ?1";
static const char SQL_LIST[] =
    "SELECT " POLL_COLUMNS ", NULL FROM polls ORDER BY closed, opens_at DESC, id";
/* Open polls are few (3 per member at most): their names are folded in C. */
static const char SQL_NOMINEES_OPEN[] =
    "SELECT nominee, id FROM polls WHERE closed = 0";
static const char SQL_ON_ROLL[] =
    "SELECT 1 FROM poll_roll WHERE poll_id = ?1 AND username = ?2";
static const char SQL_HAS_VOTED[] =
    "SELECT 1 FROM poll_roll WHERE poll_id = ?1 AND username = ?2 AND voted = 1";
static const char SQL_VOTER_COUNT[] =
    "SELECT count(*) FROM poll_roll WHERE poll_id = ?1 AND voted = 1";
static const char SQL_SECRET[] =
    "SELECT secret_key FROM polls WHERE id = ?1 AND secret_key IS NOT NULL";
static const char SQL_STATE[] =
    "SELECT closed, closes_at FROM polls WHERE id = ?1";
static const char SQL_WITHDRAWN[] =
    "SELECT 1 FROM polls WHERE id = ?1 AND withdrawn_at IS NOT NULL";
static const char SQL_WITHDRAW[] =
    "UPDATE polls SET closed = 1, withdrawn_by = ?2, withdrawn_at = ?3, secret_key = NULL,"
    " consent_hash = NULL"
    " WHERE id = ?1 AND closed = 0";
static const char SQL_USED[] =
    "SELECT 1 FROM ballot_used WHERE poll_id = ?1 AND kind = ?2 AND value = ?3";
static const char SQL_USED_ADD[] =
    "INSERT INTO ballot_used (poll_id, kind, value) VALUES (?1, ?2, ?3)";
/* In place: the row keeps its size and its offset (schema/005_roll_voted.sql). */
static const char SQL_VOTER_ADD[] =
    "UPDATE poll_roll SET voted = 1 WHERE poll_id = ?1 AND username = ?2 AND voted = 0";
static const char SQL_BALLOT_ADD[] =
    "INSERT INTO ballots (poll_id, tracker, tag, ballot) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_BALLOT_DEL_TAG[] =
    "DELETE FROM ballots WHERE poll_id = ?1 AND tag = ?2";
static const char SQL_BALLOTS[] =
    "SELECT ballot FROM ballots WHERE poll_id = ?1 ORDER BY tracker";
/* A page of rows after a tracker (an empty blob sorts before every tracker). */
static const char SQL_BALLOTS_AFTER[] =
    "SELECT tracker, ballot FROM ballots WHERE poll_id = ?1 AND tracker > ?2"
    " ORDER BY tracker LIMIT ?3";
/* The trackers from the tag index, which holds them beside the tags: a few
 * megabytes to read at 100,000 ballots instead of every ballot's text. */
static const char SQL_TRACKERS[] =
    "SELECT tracker FROM ballots INDEXED BY ballots_tag WHERE poll_id = ?1";
static const char SQL_BOARD_HAS[] =
    "SELECT p.closed AND p.withdrawn_at IS NULL,"
    " EXISTS (SELECT 1 FROM ballots b WHERE b.poll_id = p.id AND b.tracker = ?2)"
    " FROM polls p WHERE p.id = ?1";
static const char SQL_BALLOT_BY_TAG[] =
    "SELECT ballot FROM ballots WHERE poll_id = ?1 AND tag = ?2";
static const char SQL_DUE[] =
    "SELECT id FROM polls WHERE closed = 0 AND closes_at <= ?1 AND id > ?2"
    " AND fingerprint IS NOT NULL ORDER BY id";     /* not those awaiting consent */
static const char SQL_FINISH[] =
    "UPDATE polls SET closed = 1, result = ?2, board = ?3, board_ballots_at = ?4,"
    " secret_key = NULL WHERE id = ?1 AND closed = 0";
static const char SQL_BOARD[] =
    "SELECT closed, board, board_ballots_at FROM polls WHERE id = ?1";
static const char SQL_SAVEPOINT[] = "SAVEPOINT cast";
static const char SQL_RELEASE[] = "RELEASE cast";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO cast";

void store_poll_clear(struct store_poll *p)
{
    free(p->statement);
    free(p->statement_html);
    free(p->record);
    free(p->result);
    free(p->seal);
    memset(p, 0, sizeof *p);
}

static int bind_text(sqlite3_stmt *st, int idx, const char *text)
{
    return sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

static int bind_blob(sqlite3_stmt *st, int idx, const unsigned char *b, int n)
{
    return sqlite3_bind_blob(st, idx, b, n, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

/* Runs a statement that takes no parameters and returns no rows. */
static int poll_exec(struct store *s, const char *sql)
{
    sqlite3_stmt *st = store_stmt(s, sql);
    int rc;

    if (st == NULL)
        return -1;
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    store_stmt_reset(st);
    return rc;
}

/* Steps ST, a query bound here to (ID, TEXT or NULL), and resets it;
 * *found = whether a row came back. 0, or CV_ERROR. */
static int exists_step(sqlite3_stmt *st, const char *id, const char *text, int *found)
{
    int rc = CV_ERROR, step;

    if (st == NULL)
        return CV_ERROR;
    if (bind_text(st, 1, id) != 0 || (text != NULL && bind_text(st, 2, text) != 0))
        goto out;
    step = sqlite3_step(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        goto out;
    *found = step == SQLITE_ROW;
    rc = 0;
out:
    store_stmt_reset(st);
    return rc;
}

/* Runs SQL bound to (ID, TEXT or NULL); *found = whether a row came back. */
static int poll_exists(struct store *s, const char *sql, const char *id,
                       const char *text, int *found)
{
    int rc;

    store_lock(s);
    rc = exists_step(store_stmt(s, sql), id, text, found);
    store_unlock(s);
    return rc;
}

static int poll_insert_row(struct store *s, const struct store_poll *p,
                           const unsigned char *secret)
{
    sqlite3_stmt *st = store_stmt(s, SQL_INSERT);
    int rc = CV_ERROR;

    if (st == NULL)
        return CV_ERROR;
    if (bind_text(st, 1, p->id) || bind_text(st, 2, p->nominee) ||
        bind_text(st, 3, p->statement) || bind_text(st, 4, p->statement_html) ||
        bind_text(st, 5, p->nominated_by) || bind_text(st, 6, p->record) ||
        bind_text(st, 7, p->record ? p->fingerprint : NULL) ||
        sqlite3_bind_int64(st, 8, p->opens_at) != SQLITE_OK ||
        sqlite3_bind_int64(st, 9, p->closes_at) != SQLITE_OK ||
        sqlite3_bind_int64(st, 10, p->eligible) != SQLITE_OK ||
        bind_blob(st, 11, secret, 32) ||
        /* sealed by a council: its id and seal; else both NULL (SQLITE_OK is 0) */
        (p->council[0] ? bind_text(st, 12, p->council) : sqlite3_bind_null(st, 12)) != 0 ||
        (p->council[0] ? bind_text(st, 13, p->seal) : sqlite3_bind_null(st, 13)) != 0 ||
        store_consent_bind(st, 14, p) != 0)
        goto out;
    /* A taken id is CV_CONFLICT, an open poll of the same nominee (the
     * unique index) CV_POLL_EXISTS; a failed CHECK stays an error. */
    rc = store_step_insert(s, st, NULL);
    if (rc == CV_CONFLICT && sqlite3_extended_errcode(store_db(s)) == SQLITE_CONSTRAINT_UNIQUE)
        rc = CV_POLL_EXISTS;
out:
    store_stmt_reset(st);
    return rc;
}

/* Sets *found to 1 if an open poll's nominee is the same name by SAME, and
 * then copies that poll's id to ID_OUT (may be NULL). The caller holds the
 * lock (or a transaction, which makes the answer hold until its commit). 0,
 * or CV_ERROR. */
static int nominee_open(struct store *s, const struct store_same_name *same, int *found,
                        char *id_out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_NOMINEES_OPEN);
    const char *name;
    int rc = CV_ERROR, step = SQLITE_ERROR, hit = 0;

    *found = 0;
    if (st == NULL)
        return CV_ERROR;
    while (!*found && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if ((name = (const char *)sqlite3_column_text(st, 0)) == NULL ||
            same->match(name, same->key, &hit) != 0)
            goto out;
        *found = hit;
    }
    if (*found && id_out != NULL &&
        store_column_text(st, 1, id_out, STORE_POLL_ID_MAX + 1) != 0)
        goto out;
    if (*found || step == SQLITE_DONE)
        rc = 0;
out:
    store_stmt_reset(st);
    return rc;
}

int store_poll_insert(struct store *s, const struct store_poll *p,
                      const struct store_same_name *same, const unsigned char secret[32],
                      const char *const *roll, size_t n)
{
    return store_poll_insert_then(s, p, same, secret, roll, n, NULL, NULL);
}

int store_poll_insert_then(struct store *s, const struct store_poll *p,
                           const struct store_same_name *same, const unsigned char *secret,
                           const char *const *roll, size_t n, int (*then)(void *ctx),
                           void *ctx)
{
    int rc = CV_ERROR, taken = 0;

    if (store_begin(s) != 0)
        return CV_ERROR;
    /* In the insert's write transaction: no other open can come in between. */
    if (same != NULL && nominee_open(s, same, &taken, NULL) != 0)
        goto fail;
    rc = CV_POLL_EXISTS;
    if (taken || (rc = poll_insert_row(s, p, secret)) != 0)
        goto fail;
    rc = CV_ERROR;
    if (store_poll_roll_insert(s, p->id, roll, n) != 0 || (then != NULL && then(ctx) != 0))
        goto fail;
    return store_commit(s);
fail:
    store_rollback(s);
    return rc;
}

/* Fills *p from a row of POLL_COLUMNS + record. */
static int poll_read(sqlite3_stmt *st, struct store_poll *p)
{
    memset(p, 0, sizeof *p);
    if (store_column_text(st, 0, p->id, sizeof p->id) || store_column_text(st, 1, p->nominee,
        sizeof p->nominee) || store_column_text(st, 2, p->nominated_by, sizeof p->nominated_by) ||
        store_column_text(st, 3, p->fingerprint, sizeof p->fingerprint))
        return -1;
    p->statement = store_column_dup(st, 4);
    p->statement_html = store_column_dup(st, 5);
    p->opens_at = sqlite3_column_int64(st, 6);
    p->closes_at = sqlite3_column_int64(st, 7);
    p->eligible = sqlite3_column_int64(st, 8);
    p->closed = sqlite3_column_int(st, 9) != 0;
    p->result = store_column_dup(st, 10);
    p->withdrawn = sqlite3_column_type(st, 12) != SQLITE_NULL;
    p->withdrawn_at = sqlite3_column_int64(st, 12);
    p->decrypting = sqlite3_column_int(st, 14) != 0;
    p->seal = store_column_dup(st, 15);
    p->record = store_column_dup(st, 21);
    if (p->statement == NULL || p->statement_html == NULL ||
        store_column_text(st, 11, p->withdrawn_by, sizeof p->withdrawn_by) != 0 ||
        store_column_text(st, 13, p->council, sizeof p->council) != 0 ||
        (!p->withdrawn && sqlite3_column_type(st, 11) != SQLITE_NULL) ||
        store_consent_read(st, 16, p) != 0 ||
        (p->withdrawn && !p->closed) ||
        (p->closed && !p->withdrawn && (p->result == NULL) != p->decrypting) ||
        (p->council[0] != '\0') != (p->seal != NULL) ||
        (sqlite3_column_type(st, 21) != SQLITE_NULL && p->record == NULL)) {
        store_poll_clear(p);
        return -1;
    }
    return 0;
}

int store_poll_get(struct store *s, const char *id, int with_record, struct store_poll *out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    memset(out, 0, sizeof *out);
    store_lock(s);
    if ((st = store_stmt(s, with_record ? SQL_GET_RECORD : SQL_GET)) == NULL ||
        bind_text(st, 1, id) != 0)
        goto out;
    step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        rc = CV_NOT_FOUND;
    else if (step == SQLITE_ROW)
        rc = poll_read(st, out);
out:
    if (st)
        store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_poll_list(struct store *s, int (*fn)(void *ctx, const struct store_poll *p),
                    void *ctx)
{
    sqlite3_stmt *st;
    struct store_poll p;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_LIST)) == NULL)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int stop;
        if (poll_read(st, &p) != 0)
            goto out;
        stop = fn(ctx, &p);
        store_poll_clear(&p);
        if (stop) {
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

int store_poll_nominee_open(struct store *s, const struct store_same_name *same,
                            int *open_out, char *id_out)
{
    int rc;

    store_lock(s);
    rc = nominee_open(s, same, open_out, id_out);
    store_unlock(s);
    return rc;
}

int store_poll_on_roll(struct store *s, const char *id, const char *username, int *out)
{
    return poll_exists(s, SQL_ON_ROLL, id, username, out);
}

int store_poll_has_voted(struct store *s, const char *id, const char *username, int *out)
{
    return exists_step(store_read_stmt(s, SQL_HAS_VOTED), id, username, out);
}

int store_poll_voter_count(struct store *s, const char *id, int64_t *n_out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_VOTER_COUNT)) == NULL || bind_text(st, 1, id) != 0)
        goto out;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *n_out = sqlite3_column_int64(st, 0);
        rc = 0;
    }
out:
    if (st)
        store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_poll_secret(struct store *s, const char *id, unsigned char secret[32])
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_SECRET)) == NULL || bind_text(st, 1, id) != 0)
        goto out;
    step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = CV_NOT_FOUND;
    } else if (step == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
        memcpy(secret, sqlite3_column_blob(st, 0), 32);
        rc = 0;
    }
out:
    if (st)
        store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

/* Is VALUE (kind 0 tag, 1 alpha) in the used set? -1 on error. */
static int cast_used(struct store *s, const char *poll, int kind, const unsigned char *v)
{
    sqlite3_stmt *st = store_stmt(s, SQL_USED);
    int step;

    if (st == NULL || bind_text(st, 1, poll) || sqlite3_bind_int(st, 2, kind) != SQLITE_OK ||
        bind_blob(st, 3, v, 32)) {
        if (st)
            store_stmt_reset(st);
        return -1;
    }
    step = sqlite3_step(st);
    store_stmt_reset(st);
    return step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
}

/* Runs a one-row write: (poll, blob A[, blob B[, TEXT]]). 0, or -1. */
static int cast_write(struct store *s, const char *sql, const char *poll,
                      const unsigned char *a, const unsigned char *b, const char *text)
{
    sqlite3_stmt *st = store_stmt(s, sql);
    int ok;

    if (st == NULL)
        return -1;
    ok = bind_text(st, 1, poll) == 0 && bind_blob(st, 2, a, 32) == 0 &&
         (b == NULL || bind_blob(st, 3, b, 32) == 0) &&
         (text == NULL || bind_text(st, 4, text) == 0) &&
         sqlite3_step(st) == SQLITE_DONE;
    store_stmt_reset(st);
    return ok ? 0 : -1;
}

/* Adds VALUE (kind 0 tag, 1 alpha) to the poll's used set. 0, or -1. */
static int cast_use(struct store *s, const char *poll, int kind, const unsigned char *v)
{
    sqlite3_stmt *st = store_stmt(s, SQL_USED_ADD);
    int ok;

    if (st == NULL)
        return -1;
    ok = bind_text(st, 1, poll) == 0 && sqlite3_bind_int(st, 2, kind) == SQLITE_OK &&
         bind_blob(st, 3, v, 32) == 0 && sqlite3_step(st) == SQLITE_DONE;
    store_stmt_reset(st);
    return ok ? 0 : -1;
}

/* CV_BAD_BALLOT, *FAULT (when not NULL) set to F. */
static enum cv_err cast_fault(enum store_cast_fault *fault, enum store_cast_fault f)
{
    if (fault != NULL)
        *fault = f;
    return CV_BAD_BALLOT;
}

/* The checks of a cast that need the poll's state. */
static enum cv_err cast_check(struct store *s, const struct store_cast *c, int64_t now,
                              int *voted, enum store_cast_fault *fault)
{
    sqlite3_stmt *st = store_stmt(s, SQL_STATE);
    int closed, step, used, withdrawn = 0;
    int64_t closes_at;
    size_t j;

    if (st == NULL || bind_text(st, 1, c->poll_id) != 0)
        return CV_ERROR;
    step = sqlite3_step(st);
    closed = sqlite3_column_int(st, 0);
    closes_at = sqlite3_column_int64(st, 1);
    store_stmt_reset(st);
    if (step != SQLITE_ROW)
        return CV_ERROR;
    if (closed && exists_step(store_stmt(s, SQL_WITHDRAWN), c->poll_id, NULL, &withdrawn) != 0)
        return CV_ERROR;
    if (withdrawn)
        return CV_POLL_WITHDRAWN;
    if (closed || now >= closes_at)
        return CV_POLL_CLOSED;
    if (poll_exists(s, SQL_HAS_VOTED, c->poll_id, c->username, voted) != 0)
        return CV_ERROR;
    if (*voted && c->replaces_tag == NULL)
        return CV_ALREADY_VOTED;
    if (!*voted && c->replaces_tag != NULL)
        return cast_fault(fault, STORE_CAST_REPLACES);
    if ((used = cast_used(s, c->poll_id, 0, c->tag)) != 0)
        return used < 0 ? CV_ERROR : cast_fault(fault, STORE_CAST_DUPLICATE_TAG);
    for (j = 0; j < c->m; j++)
        if ((used = cast_used(s, c->poll_id, 1, c->alphas + 32 * j)) != 0)
            return used < 0 ? CV_ERROR : cast_fault(fault, STORE_CAST_DUPLICATE_ALPHA);
    return CV_OK;
}

/* The writes of an accepted cast. */
static enum cv_err cast_store(struct store *s, const struct store_cast *c, int voted,
                              enum store_cast_fault *fault)
{
    size_t j;

    if (voted) {
        if (cast_write(s, SQL_BALLOT_DEL_TAG, c->poll_id, c->replaces_tag, NULL, NULL) != 0)
            return CV_ERROR;
        if (sqlite3_changes(store_db(s)) != 1)
            return cast_fault(fault, STORE_CAST_REPLACES);
    } else {
        sqlite3_stmt *st = store_stmt(s, SQL_VOTER_ADD);
        int ok = st && bind_text(st, 1, c->poll_id) == 0 &&
                 bind_text(st, 2, c->username) == 0 && sqlite3_step(st) == SQLITE_DONE &&
                 sqlite3_changes(store_db(s)) == 1;
        if (st)
            store_stmt_reset(st);
        if (!ok)
            return CV_ERROR;
    }
    if (cast_write(s, SQL_BALLOT_ADD, c->poll_id, c->tracker, c->tag, c->ballot) != 0 ||
        cast_use(s, c->poll_id, 0, c->tag) != 0)
        return CV_ERROR;
    for (j = 0; j < c->m; j++)
        if (cast_use(s, c->poll_id, 1, c->alphas + 32 * j) != 0)
            return CV_ERROR;
    return CV_OK;
}

enum cv_err store_cast_apply(struct store *s, const struct store_cast *c, int64_t now,
                             enum store_cast_fault *fault)
{
    enum cv_err r;
    int voted = 0;

    assert(store_in_tx(s));         /* the group's transaction (store_durable) */
    assert(c->poll_id && c->username && c->tracker && c->tag && c->ballot &&
           (c->m == 0 || c->alphas));
    if (poll_exec(s, SQL_SAVEPOINT) != 0)
        return CV_ERROR;
    r = cast_check(s, c, now, &voted, fault);
    if (r == CV_OK)
        r = cast_store(s, c, voted, fault);
    if (r != CV_OK)
        poll_exec(s, SQL_ROLLBACK_TO);
    if (poll_exec(s, SQL_RELEASE) != 0)
        return CV_ERROR;
    return r;
}

int store_poll_mark_withdrawn(struct store *s, const char *id, const char *by, int64_t now)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    /* in the transaction that found no ballot: no cast can slip in between */
    assert(store_in_tx(s));
    store_lock(s);
    if ((st = store_stmt(s, SQL_WITHDRAW)) == NULL || bind_text(st, 1, id) != 0 ||
        bind_text(st, 2, by) != 0 || sqlite3_bind_int64(st, 3, now) != SQLITE_OK)
        goto out;
    if (sqlite3_step(st) == SQLITE_DONE)
        rc = sqlite3_changes(store_db(s)) == 1 ? 0 : CV_NOT_FOUND;
out:
    if (st)
        store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_poll_due(struct store *s, int64_t now, const char *after,
                   char ids[][STORE_POLL_ID_MAX + 1], size_t max, size_t *n_out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;
    size_t n = 0;

    store_lock(s);
    if ((st = store_stmt(s, SQL_DUE)) == NULL ||
        sqlite3_bind_int64(st, 1, now) != SQLITE_OK || bind_text(st, 2, after) != 0)
        goto out;
    while (n < max && (step = sqlite3_step(st)) == SQLITE_ROW)
        if (store_column_text(st, 0, ids[n], STORE_POLL_ID_MAX + 1) == 0)
            n++;
    *n_out = n;
    rc = 0;
out:
    if (st)
        store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_poll_ballots(struct store *s, const char *id,
                       int (*fn)(void *ctx, const char *ballot, size_t len), void *ctx)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_BALLOTS)) == NULL || bind_text(st, 1, id) != 0)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        int stop;
        if (text == NULL)
            goto out;
        if ((stop = fn(ctx, text, (size_t)sqlite3_column_bytes(st, 0))) != 0) {
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

int store_poll_finish(struct store *s, const char *id, const char *result,
                      const char *board, long ballots_at)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    assert(store_in_tx(s));         /* with the read of the ballots it sums */
    store_lock(s);
    if ((st = store_stmt(s, SQL_FINISH)) == NULL || bind_text(st, 1, id) ||
        bind_text(st, 2, result) || bind_text(st, 3, board) ||
        (ballots_at < 0 ? sqlite3_bind_null(st, 4)
                        : sqlite3_bind_int64(st, 4, ballots_at)) != SQLITE_OK)
        goto out;
    if (sqlite3_step(st) == SQLITE_DONE)
        rc = sqlite3_changes(store_db(s)) == 1 ? 0 : CV_NOT_FOUND;
out:
    if (st)
        store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_poll_board_frame(struct store *s, const char *id, char **text, size_t *len,
                           long *ballots_at)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    *text = NULL;
    store_lock(s);
    if ((st = store_stmt(s, SQL_BOARD)) == NULL || bind_text(st, 1, id) != 0)
        goto out;
    step = sqlite3_step(st);
    /* none, open, or withdrawn (closed without a board) */
    if (step == SQLITE_DONE ||
        (step == SQLITE_ROW && (sqlite3_column_int(st, 0) == 0 ||
                                sqlite3_column_type(st, 1) == SQLITE_NULL))) {
        rc = CV_NOT_FOUND;
    } else if (step == SQLITE_ROW && (*text = store_column_dup(st, 1)) != NULL) {
        *len = (size_t)sqlite3_column_bytes(st, 1);
        *ballots_at = sqlite3_column_type(st, 2) == SQLITE_NULL
                          ? -1 : (long)sqlite3_column_int64(st, 2);
        rc = *ballots_at <= (long)*len ? 0 : CV_ERROR;
    }
out:
    if (st)
        store_stmt_reset(st);
    store_unlock(s);
    if (rc != 0) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

int store_poll_ballots_after(struct store *s, const char *id, const unsigned char *after,
                             size_t limit,
                             int (*fn)(void *ctx, const unsigned char *tracker,
                                       const char *ballot, size_t len),
                             void *ctx)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_BALLOTS_AFTER)) == NULL || bind_text(st, 1, id) != 0 ||
        bind_blob(st, 2, after ? after : (const unsigned char *)"", after ? 32 : 0) != 0 ||
        sqlite3_bind_int64(st, 3, (sqlite3_int64)limit) != SQLITE_OK)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 1);
        if (text == NULL || sqlite3_column_bytes(st, 0) != 32 ||
            fn(ctx, sqlite3_column_blob(st, 0), text,
               (size_t)sqlite3_column_bytes(st, 1)) != 0)
            goto out;
    }
    if (step == SQLITE_DONE)
        rc = 0;
out:
    if (st)
        store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

static int tracker_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

int store_poll_trackers(struct store *s, const char *id, unsigned char (**out)[32],
                        size_t *n_out)
{
    unsigned char (*t)[32] = NULL, (*grown)[32];
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_TRACKERS)) == NULL || bind_text(st, 1, id) != 0)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != 32)
            goto out;
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            if ((grown = realloc(t, cap * sizeof *t)) == NULL)
                goto out;
            t = grown;
        }
        memcpy(t[n++], sqlite3_column_blob(st, 0), 32);
    }
    if (step == SQLITE_DONE)
        rc = 0;
out:
    if (st)
        store_stmt_reset(st);
    store_unlock(s);
    if (rc != 0) {
        free(t);
        return rc;
    }
    if (n > 1)
        qsort(t, n, sizeof *t, tracker_cmp);
    *out = t;
    *n_out = n;
    return 0;
}

int store_poll_board_has(struct store *s, const char *id, const unsigned char tracker[32],
                         int *found)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_BOARD_HAS)) == NULL || bind_text(st, 1, id) != 0 ||
        bind_blob(st, 2, tracker, 32) != 0)
        goto out;
    step = sqlite3_step(st);
    if (step == SQLITE_DONE || (step == SQLITE_ROW && sqlite3_column_int(st, 0) == 0)) {
        rc = CV_NOT_FOUND;
    } else if (step == SQLITE_ROW) {
        *found = sqlite3_column_int(st, 1) != 0;
        rc = 0;
    }
out:
    if (st)
        store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_poll_ballot_by_tag(struct store *s, const char *id, const unsigned char tag[32],
                             char **text)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    *text = NULL;
    store_lock(s);
    if ((st = store_stmt(s, SQL_BALLOT_BY_TAG)) == NULL || bind_text(st, 1, id) != 0 ||
        bind_blob(st, 2, tag, 32) != 0)
        goto out;
    step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        rc = CV_NOT_FOUND;
    else if (step == SQLITE_ROW && (*text = store_column_dup(st, 0)) != NULL)
        rc = 0;
out:
    if (st)
        store_stmt_reset(st);
    store_unlock(s);
    return rc;
}
