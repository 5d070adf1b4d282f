/*
 * store_council.c — councils of trustees, their messages and the current
 * council (schema/008; store_council.h).
 *
 * Invariants the SQL keeps, whatever the caller does: a trustee posts each
 * kind of message once (the UPDATE takes only a NULL column), and only while
 * its council is in the round that takes it (the same UPDATE reads the
 * state); a round moves on once (the state UPDATE names the state it leaves);
 * only a complete council is ever current. So two requests racing at a
 * round's end cannot both win.
 */
#include <stdlib.h>
#include <string.h>

#include "store_council.h"
#include "store_int.h"

#define COUNCIL_COLUMNS                                                             \
    "c.id, c.name, c.t, c.n, c.state, c.created_by, c.created_at, c.round_seconds," \
    " coalesce(c.round_closes_at, 0), c.digest, c.failure,"                         \
    " (SELECT count(*) FROM council_current k WHERE k.council_id = c.id)"

static const char SQL_GET[] =
    "SELECT " COUNCIL_COLUMNS ", c.transcript FROM councils c WHERE c.id = ?1";
static const char SQL_LIST[] =
    "SELECT " COUNCIL_COLUMNS " FROM councils c ORDER BY c.created_at DESC, c.id";
static const char SQL_INSERT[] =
    "INSERT INTO councils (id, name, t, n, state, created_by, created_at, round_seconds,"
    " round_closes_at, transcript, digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char SQL_TRUSTEE_ADD[] =
    "INSERT INTO council_trustees (council_id, idx, username) VALUES (?1, ?2, ?3)";
static const char SQL_TRUSTEES[] =
    "SELECT idx, username, registration, coalesce(registered_at, 0), dealing,"
    " coalesce(dealt_at, 0), verdict, coalesce(verdict_at, 0)"
    " FROM council_trustees WHERE council_id = ?1 ORDER BY idx";
static const char SQL_CURRENT[] =
    "SELECT c.id, c.transcript FROM council_current k JOIN councils c ON c.id = k.council_id"
    " WHERE c.state = 'complete'";
static const char SQL_STATE_OF[] = "SELECT state FROM councils WHERE id = ?1";
static const char SQL_USE[] =
    "INSERT INTO council_current (one, council_id) VALUES (1, ?1)"
    " ON CONFLICT (one) DO UPDATE SET council_id = excluded.council_id";
static const char SQL_SET_STATE[] =
    "UPDATE councils SET state = ?3, round_closes_at = nullif(?4, 0),"
    " transcript = coalesce(?5, transcript), digest = coalesce(?6, digest),"
    " failure = coalesce(?7, failure) WHERE id = ?1 AND state = ?2";
static const char SQL_HAS_TRUSTEE[] =
    "SELECT 1 FROM council_trustees WHERE council_id = ?1 AND idx = ?2";

/* One UPDATE per kind: the column is set once, in the round that takes it. */
#define POST_SQL(col, at)                                                          \
    "UPDATE council_trustees SET " col " = ?3, " at " = ?4"                         \
    " WHERE council_id = ?1 AND idx = ?2 AND " col " IS NULL"                       \
    " AND (SELECT state FROM councils WHERE id = ?1) = ?5"
static const char SQL_POST_REG[] = POST_SQL("registration", "registered_at");
static const char SQL_POST_DEAL[] = POST_SQL("dealing", "dealt_at");
static const char SQL_POST_VERDICT[] = POST_SQL("verdict", "verdict_at");

static int bind_text(sqlite3_stmt *st, int idx, const char *text)
{
    if (text == NULL)
        return sqlite3_bind_null(st, idx) == SQLITE_OK ? 0 : -1;
    return sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

void store_council_clear(struct store_council *c)
{
    free(c->transcript);
    c->transcript = NULL;
}

void store_council_trustee_clear(struct store_council_trustee *tr)
{
    free(tr->registration);
    free(tr->dealing);
    free(tr->verdict);
    tr->registration = tr->dealing = tr->verdict = NULL;
}

/* Fills *c from a row of COUNCIL_COLUMNS (the transcript not included). */
static int council_read(sqlite3_stmt *st, struct store_council *c)
{
    memset(c, 0, sizeof *c);
    if (store_column_text(st, 0, c->id, sizeof c->id) != 0 ||
        store_column_text(st, 1, c->name, sizeof c->name) != 0 ||
        store_column_text(st, 4, c->state, sizeof c->state) != 0 ||
        store_column_text(st, 5, c->created_by, sizeof c->created_by) != 0 ||
        store_column_text(st, 9, c->digest, sizeof c->digest) != 0 ||
        store_column_text(st, 10, c->failure, sizeof c->failure) != 0)
        return CV_ERROR;
    c->t = (uint32_t)sqlite3_column_int64(st, 2);
    c->n = (uint32_t)sqlite3_column_int64(st, 3);
    c->created_at = sqlite3_column_int64(st, 6);
    c->round_seconds = sqlite3_column_int64(st, 7);
    c->round_closes_at = sqlite3_column_int64(st, 8);
    c->current = sqlite3_column_int(st, 11) > 0;
    return CV_OK;
}

int store_council_get(struct store *s, const char *id, struct store_council *out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    memset(out, 0, sizeof *out);
    store_lock(s);
    if ((st = store_stmt(s, SQL_GET)) == NULL || bind_text(st, 1, id) != 0)
        goto out;
    step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = CV_NOT_FOUND;
    } else if (step == SQLITE_ROW && (rc = council_read(st, out)) == CV_OK &&
               sqlite3_column_type(st, 12) != SQLITE_NULL &&
               (out->transcript = store_column_dup(st, 12)) == NULL) {
        rc = CV_ERROR;
    }
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_council_current(struct store *s, char **id, char **transcript, size_t *len)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    *id = *transcript = NULL;
    *len = 0;
    store_lock(s);
    if ((st = store_stmt(s, SQL_CURRENT)) == NULL)
        goto out;
    step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = CV_NOT_FOUND;
    } else if (step == SQLITE_ROW) {
        *id = store_column_dup(st, 0);
        *transcript = store_column_dup(st, 1);
        *len = (size_t)sqlite3_column_bytes(st, 1);
        if (*id != NULL && *transcript != NULL) {
            rc = CV_OK;
        } else {
            free(*id);
            free(*transcript);
            *id = *transcript = NULL;
            *len = 0;
        }
    }
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

/* Inserts the council row and its trustees, inside the caller's transaction. */
static int council_insert_rows(struct store *s, const struct store_council *c,
                               const char *transcript, const char *digest,
                               const char *const *usernames, uint32_t n)
{
    sqlite3_stmt *st;
    uint32_t i;
    int rc = CV_ERROR;

    if ((st = store_stmt(s, SQL_INSERT)) == NULL)
        return CV_ERROR;
    if (bind_text(st, 1, c->id) == 0 && bind_text(st, 2, c->name) == 0 &&
        sqlite3_bind_int64(st, 3, c->t) == SQLITE_OK &&
        sqlite3_bind_int64(st, 4, n) == SQLITE_OK && bind_text(st, 5, c->state) == 0 &&
        bind_text(st, 6, c->created_by) == 0 &&
        sqlite3_bind_int64(st, 7, c->created_at) == SQLITE_OK &&
        sqlite3_bind_int64(st, 8, c->round_seconds) == SQLITE_OK &&
        (c->round_closes_at > 0 ? sqlite3_bind_int64(st, 9, c->round_closes_at)
                                : sqlite3_bind_null(st, 9)) == SQLITE_OK &&
        bind_text(st, 10, transcript) == 0 && bind_text(st, 11, digest) == 0)
        rc = store_step_insert(s, st, NULL);
    store_stmt_reset(st);
    if (rc != CV_OK)
        return rc;
    if ((st = store_stmt(s, SQL_TRUSTEE_ADD)) == NULL)
        return CV_ERROR;
    for (i = 0; i < n && rc == CV_OK; i++) {
        if (bind_text(st, 1, c->id) != 0 || sqlite3_bind_int64(st, 2, i + 1) != SQLITE_OK ||
            bind_text(st, 3, usernames[i]) != 0)
            rc = CV_ERROR;
        else
            rc = store_step_insert(s, st, NULL);
        store_stmt_reset(st);
    }
    return rc;
}

/* The insert in a transaction of its own. */
static int council_insert(struct store *s, const struct store_council *c,
                          const char *transcript, const char *digest,
                          const char *const *usernames, uint32_t n)
{
    int rc;

    if (n < 1 || n > 64 || c->t < 1 || c->t > n)
        return CV_ERROR;
    if (store_begin(s) != 0)
        return CV_ERROR;
    if ((rc = council_insert_rows(s, c, transcript, digest, usernames, n)) != CV_OK) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s);
}

int store_council_insert(struct store *s, const struct store_council *c,
                         const char *const *usernames, uint32_t n)
{
    struct store_council row = *c;

    memcpy(row.state, "registering", sizeof "registering");
    return council_insert(s, &row, NULL, NULL, usernames, n);
}

int store_council_insert_complete(struct store *s, const char *id, const char *name,
                                  uint32_t t, const char *const *usernames, uint32_t n,
                                  const char *transcript, const char *digest_hex,
                                  const char *created_by, int64_t now)
{
    struct store_council row;

    memset(&row, 0, sizeof row);
    if (strlen(id) >= sizeof row.id || strlen(name) >= sizeof row.name ||
        strlen(created_by) >= sizeof row.created_by || transcript == NULL ||
        digest_hex == NULL)
        return CV_ERROR;
    strcpy(row.id, id);
    strcpy(row.name, name);
    strcpy(row.created_by, created_by);
    memcpy(row.state, "complete", sizeof "complete");
    row.t = t;
    row.n = n;
    row.created_at = now;
    row.round_seconds = 1;
    return council_insert(s, &row, transcript, digest_hex, usernames, n);
}

/* Reads council ID's state into STATE (CAP bytes) under the lock. */
static int council_state_of(struct store *s, const char *id, char *state, size_t cap)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    if ((st = store_stmt(s, SQL_STATE_OF)) == NULL || bind_text(st, 1, id) != 0)
        goto out;
    step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        rc = CV_NOT_FOUND;
    else if (step == SQLITE_ROW)
        rc = store_column_text(st, 0, state, cap) == 0 ? CV_OK : CV_ERROR;
out:
    store_stmt_reset(st);
    return rc;
}

int store_council_use(struct store *s, const char *id)
{
    char state[STORE_COUNCIL_STATE_MAX + 1];
    sqlite3_stmt *st;
    int rc;

    if (store_begin(s) != 0)
        return CV_ERROR;
    if ((rc = council_state_of(s, id, state, sizeof state)) != CV_OK)
        goto fail;
    rc = CV_CONFLICT;
    if (strcmp(state, "complete") != 0)
        goto fail;
    rc = CV_ERROR;
    if ((st = store_stmt(s, SQL_USE)) == NULL)
        goto fail;
    if (bind_text(st, 1, id) == 0 && sqlite3_step(st) == SQLITE_DONE)
        rc = CV_OK;
    store_stmt_reset(st);
    if (rc != CV_OK)
        goto fail;
    return store_commit(s);
fail:
    store_rollback(s);
    return rc;
}

int store_council_list(struct store *s, int (*fn)(void *ctx, const struct store_council *c),
                       void *ctx)
{
    struct store_council c;
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_LIST)) == NULL)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (council_read(st, &c) != CV_OK)
            goto out;
        if ((rc = fn(ctx, &c)) != 0)
            goto out;
    }
    rc = step == SQLITE_DONE ? CV_OK : CV_ERROR;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

/* Fills *tr from a row of SQL_TRUSTEES. */
static int trustee_read(sqlite3_stmt *st, struct store_council_trustee *tr)
{
    memset(tr, 0, sizeof *tr);
    tr->idx = (uint32_t)sqlite3_column_int64(st, 0);
    if (store_column_text(st, 1, tr->username, sizeof tr->username) != 0)
        return CV_ERROR;
    tr->registration = store_column_dup(st, 2);
    tr->registered_at = sqlite3_column_int64(st, 3);
    tr->dealing = store_column_dup(st, 4);
    tr->dealt_at = sqlite3_column_int64(st, 5);
    tr->verdict = store_column_dup(st, 6);
    tr->verdict_at = sqlite3_column_int64(st, 7);
    if ((tr->registration == NULL && sqlite3_column_type(st, 2) != SQLITE_NULL) ||
        (tr->dealing == NULL && sqlite3_column_type(st, 4) != SQLITE_NULL) ||
        (tr->verdict == NULL && sqlite3_column_type(st, 6) != SQLITE_NULL)) {
        store_council_trustee_clear(tr);
        return CV_ERROR;
    }
    return CV_OK;
}

int store_council_trustees(struct store *s, const char *id,
                           int (*fn)(void *ctx, const struct store_council_trustee *tr),
                           void *ctx)
{
    struct store_council_trustee tr;
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_TRUSTEES)) == NULL || bind_text(st, 1, id) != 0)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (trustee_read(st, &tr) != CV_OK)
            goto out;
        rc = fn(ctx, &tr);
        store_council_trustee_clear(&tr);
        if (rc != 0)
            goto out;
    }
    rc = step == SQLITE_DONE ? CV_OK : CV_ERROR;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

/* CV_NOT_FOUND if council ID has no trustee IDX, else CV_CONFLICT: why
 * a post changed nothing. */
static int post_refused(struct store *s, const char *id, uint32_t idx)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    if ((st = store_stmt(s, SQL_HAS_TRUSTEE)) == NULL || bind_text(st, 1, id) != 0 ||
        sqlite3_bind_int64(st, 2, idx) != SQLITE_OK)
        goto out;
    step = sqlite3_step(st);
    rc = step == SQLITE_ROW ? CV_CONFLICT : step == SQLITE_DONE ? CV_NOT_FOUND
                                                                   : CV_ERROR;
out:
    store_stmt_reset(st);
    return rc;
}

int store_council_post(struct store *s, const char *id, uint32_t idx,
                       enum store_council_msg kind, const char *state, const char *text,
                       int64_t now)
{
    const char *sql = kind == STORE_COUNCIL_REGISTRATION ? SQL_POST_REG
                      : kind == STORE_COUNCIL_DEALING    ? SQL_POST_DEAL
                                                         : SQL_POST_VERDICT;
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    if (text == NULL)
        return CV_ERROR;
    store_lock(s);
    if ((st = store_stmt(s, sql)) == NULL)
        goto out;
    if (bind_text(st, 1, id) == 0 && sqlite3_bind_int64(st, 2, idx) == SQLITE_OK &&
        bind_text(st, 3, text) == 0 && sqlite3_bind_int64(st, 4, now) == SQLITE_OK &&
        bind_text(st, 5, state) == 0 && sqlite3_step(st) == SQLITE_DONE)
        rc = sqlite3_changes(store_db(s)) == 1 ? CV_OK : post_refused(s, id, idx);
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_council_set_state(struct store *s, const char *id, const char *from, const char *to,
                            int64_t closes_at, const char *transcript, const char *digest_hex,
                            const char *failure)
{
    char state[STORE_COUNCIL_STATE_MAX + 1];
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_SET_STATE)) == NULL)
        goto out;
    if (bind_text(st, 1, id) == 0 && bind_text(st, 2, from) == 0 && bind_text(st, 3, to) == 0 &&
        sqlite3_bind_int64(st, 4, closes_at) == SQLITE_OK && bind_text(st, 5, transcript) == 0 &&
        bind_text(st, 6, digest_hex) == 0 && bind_text(st, 7, failure) == 0 &&
        sqlite3_step(st) == SQLITE_DONE) {
        rc = CV_OK;
        if (sqlite3_changes(store_db(s)) != 1) {
            store_stmt_reset(st);
            st = NULL;
            rc = council_state_of(s, id, state, sizeof state);
            rc = rc == CV_OK ? CV_CONFLICT : rc;
        }
    }
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}
