/*
 * store_outbox.c — the outbox's rows (store_outbox.h): queued, sent, retried,
 * given up.
 *
 * The row is the mail's only state, so the mailer's promise rests here: a
 * mail is sent while sent_at and failed_at are NULL and next_at has come;
 * store_outbox_sent is one UPDATE (autocommit, synchronous=FULL) made right
 * after the SMTP server's 250, so a restart never sends it again. The text of
 * a mail that is done with (sent, given up) is emptied in the same UPDATE: it
 * may hold a set-password link's secret, which must not outlive its use.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_outbox.h"

static const char SQL_OUTBOX_ADD[] =
    "INSERT INTO outbox (kind, recipient, subject, message, created_at, next_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?5)";
static const char SQL_OUTBOX_NEXT[] =
    "SELECT id, kind, recipient, subject, created_at, next_at, attempts, last_error,"
    " sent_at, failed_at, message FROM outbox"
    " WHERE sent_at IS NULL AND failed_at IS NULL AND next_at <= ?1"
    " ORDER BY next_at, id LIMIT 1";
static const char SQL_OUTBOX_SENT[] =
    "UPDATE outbox SET sent_at = ?2, message = '' WHERE id = ?1 AND sent_at IS NULL";
static const char SQL_OUTBOX_RETRY[] =
    "UPDATE outbox SET attempts = ?2, next_at = ?3, last_error = ?4"
    " WHERE id = ?1 AND sent_at IS NULL AND failed_at IS NULL";
static const char SQL_OUTBOX_GIVE_UP[] =
    "UPDATE outbox SET attempts = ?2, failed_at = ?3, last_error = ?4, message = ''"
    " WHERE id = ?1 AND sent_at IS NULL AND failed_at IS NULL";
static const char SQL_OUTBOX_LIST[] =
    "SELECT id, kind, recipient, subject, created_at, next_at, attempts, last_error,"
    " sent_at, failed_at FROM outbox ORDER BY id DESC LIMIT ?1";
static const char SQL_OUTBOX_COUNTS[] =
    "SELECT coalesce(sum(sent_at IS NULL AND failed_at IS NULL), 0),"
    " coalesce(sum(sent_at IS NULL AND failed_at IS NULL AND attempts > 0), 0),"
    " coalesce(sum(failed_at IS NOT NULL), 0) FROM outbox";

int store_outbox_add(struct store *s, const char *kind, const char *recipient,
                     const char *subject, const char *message, int64_t now)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    if (strlen(kind) > STORE_MAIL_KIND_MAX || strlen(recipient) > STORE_EMAIL_MAX ||
        strlen(message) > STORE_MAIL_TEXT_MAX)
        return CV_ERROR;
    store_lock(s);
    if ((st = store_stmt(s, SQL_OUTBOX_ADD)) == NULL)
        goto out;
    if (sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_bind_text(st, 2, recipient, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_bind_text(st, 3, subject, store_text_cut(subject, STORE_MAIL_SUBJECT_MAX),
                          SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_bind_text(st, 4, message, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_bind_int64(st, 5, now) == SQLITE_OK)
        rc = store_step_insert(s, st, NULL);
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

/* Fills *m from a row of SQL_OUTBOX_NEXT or SQL_OUTBOX_LIST. 0 or -1. */
static int outbox_read(sqlite3_stmt *st, struct store_mail *m)
{
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(st, 0);
    m->created_at = sqlite3_column_int64(st, 4);
    m->next_at = sqlite3_column_int64(st, 5);
    m->attempts = sqlite3_column_int(st, 6);
    m->sent_at = sqlite3_column_int64(st, 8);
    m->failed_at = sqlite3_column_int64(st, 9);
    if (store_column_text(st, 1, m->kind, sizeof m->kind) != 0 ||
        store_column_text(st, 2, m->recipient, sizeof m->recipient) != 0 ||
        store_column_text(st, 3, m->subject, sizeof m->subject) != 0 ||
        store_column_text(st, 7, m->last_error, sizeof m->last_error) != 0)
        return -1;
    return 0;
}

int store_outbox_next(struct store *s, int64_t now, struct store_mail *out, char **message)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;
    size_t n;

    *message = NULL;
    store_lock(s);
    if ((st = store_stmt(s, SQL_OUTBOX_NEXT)) == NULL ||
        sqlite3_bind_int64(st, 1, now) != SQLITE_OK)
        goto out;
    step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = CV_NOT_FOUND;
        goto out;
    }
    if (step != SQLITE_ROW || outbox_read(st, out) != 0)
        goto out;
    n = (size_t)sqlite3_column_bytes(st, 10);
    if ((*message = malloc(n + 1)) == NULL)
        goto out;
    if (n > 0)
        memcpy(*message, sqlite3_column_text(st, 10), n);
    (*message)[n] = '\0';
    rc = CV_OK;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

/* Runs one of the UPDATEs above for mail ID: ?2 = A, ?3 = B, ?4 = TEXT
 * (store_update_row). CV_NOT_FOUND when no pending mail has that id. */
static int outbox_update(struct store *s, const char *sql, int64_t id, int64_t a, int64_t b,
                         const char *text)
{
    return store_update_row(s, sql, id, a, b, text, STORE_MAIL_ERROR_MAX);
}

int store_outbox_sent(struct store *s, int64_t id, int64_t now)
{
    return outbox_update(s, SQL_OUTBOX_SENT, id, now, 0, NULL);
}

int store_outbox_retry(struct store *s, int64_t id, int attempts, int64_t next_at,
                       const char *error)
{
    return outbox_update(s, SQL_OUTBOX_RETRY, id, attempts, next_at, error);
}

int store_outbox_give_up(struct store *s, int64_t id, int attempts, int64_t now,
                         const char *error)
{
    return outbox_update(s, SQL_OUTBOX_GIVE_UP, id, attempts, now, error);
}

static const char SQL_OUTBOX_PRUNE[] =
    "DELETE FROM outbox WHERE sent_at < ?1 OR failed_at < ?1";

int store_outbox_prune(struct store *s, int64_t before, int64_t *n_out)
{
    return store_exec_int(s, SQL_OUTBOX_PRUNE, before, n_out);
}

int store_outbox_list(struct store *s, int limit,
                      int (*fn)(void *ctx, const struct store_mail *m), void *ctx)
{
    struct store_mail m;
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    if ((st = store_read_stmt(s, SQL_OUTBOX_LIST)) == NULL)
        return CV_ERROR;
    if (sqlite3_bind_int(st, 1, limit) != SQLITE_OK)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (outbox_read(st, &m) != 0)
            goto out;
        if ((rc = fn(ctx, &m)) != 0)
            goto out;
    }
    rc = step == SQLITE_DONE ? CV_OK : CV_ERROR;
out:
    store_stmt_reset(st);
    return rc;
}

int store_outbox_counts(struct store *s, int64_t *pending, int64_t *failing,
                        int64_t *given_up)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    if ((st = store_read_stmt(s, SQL_OUTBOX_COUNTS)) == NULL)
        return CV_ERROR;
    if (sqlite3_step(st) == SQLITE_ROW) {
        if (pending != NULL)
            *pending = sqlite3_column_int64(st, 0);
        if (failing != NULL)
            *failing = sqlite3_column_int64(st, 1);
        if (given_up != NULL)
            *given_up = sqlite3_column_int64(st, 2);
        rc = CV_OK;
    }
    store_stmt_reset(st);
    return rc;
}

/* --- who gets mail ------------------------------------------------------- */

static const char SQL_BY_EMAIL[] =
    "SELECT username FROM members WHERE email = ?1 COLLATE NOCASE AND active = 1"
    " ORDER BY id LIMIT 1";
static const char SQL_NOTICES_GET[] = "SELECT notices FROM members WHERE id = ?1";
static const char SQL_NOTICES_SET[] = "UPDATE members SET notices = ?2 WHERE id = ?1";
static const char SQL_ROLL_TO[] =
    "SELECT m.username, m.display_name, m.email FROM poll_roll r"
    " JOIN members m ON m.username = r.username COLLATE NOCASE"
    " WHERE r.poll_id = ?1 AND m.active = 1 AND m.notices = 1 AND m.email IS NOT NULL"
    " AND m.email <> '' AND (?2 = 0 OR r.voted = 0) ORDER BY m.username";
static const char *const SQL_NOTICE_DUE[] = {
    "SELECT id FROM polls WHERE closed = 0 AND announced_at IS NULL"
    " AND fingerprint IS NOT NULL ORDER BY opens_at, id"     /* not awaiting consent */
    " LIMIT ?2",
    "SELECT id FROM polls WHERE closed = 0 AND announced_at IS NOT NULL"
    " AND reminded_at IS NULL AND closes_at <= ?1 ORDER BY closes_at, id LIMIT ?2",
    "SELECT id FROM polls WHERE closed = 1 AND result IS NOT NULL"
    " AND result_mailed_at IS NULL ORDER BY closes_at, id LIMIT ?2",
};
static const char *const SQL_NOTICE_MARK[] = {
    "UPDATE polls SET announced_at = ?2 WHERE id = ?1 AND announced_at IS NULL",
    "UPDATE polls SET reminded_at = ?2 WHERE id = ?1 AND reminded_at IS NULL",
    "UPDATE polls SET result_mailed_at = ?2 WHERE id = ?1 AND result_mailed_at IS NULL",
};

int store_mail_member_by_email(struct store *s, const char *email, char *username_out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_BY_EMAIL)) == NULL ||
        sqlite3_bind_text(st, 1, email, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        goto out;
    step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        rc = CV_NOT_FOUND;
    else if (step == SQLITE_ROW &&
             store_column_text(st, 0, username_out, STORE_USERNAME_MAX + 1) == 0)
        rc = CV_OK;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_mail_notices_get(struct store *s, int64_t member_id, int *on)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_NOTICES_GET)) == NULL ||
        sqlite3_bind_int64(st, 1, member_id) != SQLITE_OK)
        goto out;
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *on = sqlite3_column_int(st, 0) != 0;
        rc = CV_OK;
    } else if (step == SQLITE_DONE) {
        rc = CV_NOT_FOUND;
    }
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_mail_notices_set(struct store *s, int64_t member_id, int on)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_NOTICES_SET)) != NULL &&
        sqlite3_bind_int64(st, 1, member_id) == SQLITE_OK &&
        sqlite3_bind_int(st, 2, on ? 1 : 0) == SQLITE_OK && sqlite3_step(st) == SQLITE_DONE)
        rc = sqlite3_changes(store_db(s)) == 1 ? CV_OK : CV_NOT_FOUND;
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

/* Calls FN for each (username, display name, email) row of ST, bound and
 * under the store's lock, until FN returns non-zero (returned). CV_OK when
 * every row was read, CV_ERROR on a store error. Resets ST. */
static int mail_walk_to(sqlite3_stmt *st, int (*fn)(void *ctx, const struct store_mail_to *to),
                        void *ctx)
{
    struct store_mail_to t;
    int rc = CV_ERROR, step;

    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (store_column_text(st, 0, t.username, sizeof t.username) != 0 ||
            store_column_text(st, 1, t.display_name, sizeof t.display_name) != 0 ||
            store_column_text(st, 2, t.email, sizeof t.email) != 0)
            goto out;
        if ((rc = fn(ctx, &t)) != 0)
            goto out;
    }
    rc = step == SQLITE_DONE ? CV_OK : CV_ERROR;
out:
    store_stmt_reset(st);
    return rc;
}

int store_mail_roll(struct store *s, const char *poll_id, int not_voted,
                    int (*fn)(void *ctx, const struct store_mail_to *to), void *ctx)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_ROLL_TO)) != NULL) {
        if (sqlite3_bind_text(st, 1, poll_id, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
            sqlite3_bind_int(st, 2, not_voted ? 1 : 0) == SQLITE_OK)
            rc = mail_walk_to(st, fn, ctx);
        else
            store_stmt_reset(st);
    }
    store_unlock(s);
    return rc;
}

static const char SQL_SETTINGS_SET[] =
    "INSERT OR REPLACE INTO mail_settings (id, mail_from, public_url, updated_at)"
    " VALUES (1, ?1, ?2, ?3)";
static const char SQL_SETTINGS_CLEAR[] = "DELETE FROM mail_settings";
static const char SQL_SETTINGS_GET[] = "SELECT mail_from, public_url FROM mail_settings";

int store_mail_settings_set(struct store *s, const char *from, const char *url, int64_t now)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, from != NULL ? SQL_SETTINGS_SET : SQL_SETTINGS_CLEAR)) != NULL &&
        (from == NULL ||
         (sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
          sqlite3_bind_text(st, 2, url, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
          sqlite3_bind_int64(st, 3, now) == SQLITE_OK)) &&
        sqlite3_step(st) == SQLITE_DONE)
        rc = CV_OK;
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_mail_settings_get(struct store *s, char *from_out, char *url_out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_SETTINGS_GET)) == NULL)
        goto out;
    step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        rc = CV_NOT_FOUND;
    else if (step == SQLITE_ROW && store_column_text(st, 0, from_out, 256) == 0 &&
             store_column_text(st, 1, url_out, 512) == 0)
        rc = CV_OK;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

static const char SQL_NEXT_SET[] =
    "INSERT OR REPLACE INTO next_steps (id, body, updated_by, updated_at) VALUES (1, ?1, ?2, ?3)";
static const char SQL_NEXT_GET[] = "SELECT body FROM next_steps WHERE id = 1";
static const char SQL_ADMINS_TO[] =
    "SELECT username, display_name, email FROM members WHERE is_admin = 1 AND active = 1"
    " AND email IS NOT NULL AND email <> '' ORDER BY username";

int store_next_steps_set(struct store *s, const char *body, const char *by, int64_t now)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    if (strlen(body) > STORE_NEXT_STEPS_MAX)
        return CV_ERROR;
    store_lock(s);
    if ((st = store_stmt(s, SQL_NEXT_SET)) != NULL &&
        sqlite3_bind_text(st, 1, body, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_bind_text(st, 2, by, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_bind_int64(st, 3, now) == SQLITE_OK && sqlite3_step(st) == SQLITE_DONE)
        rc = CV_OK;
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_next_steps_get(struct store *s, char *out, size_t cap)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    out[0] = '\0';
    store_lock(s);
    if ((st = store_stmt(s, SQL_NEXT_GET)) == NULL)
        goto out;
    step = sqlite3_step(st);
    if (step == SQLITE_DONE || (step == SQLITE_ROW && store_column_text(st, 0, out, cap) == 0))
        rc = CV_OK;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_mail_admins(struct store *s, int (*fn)(void *ctx, const struct store_mail_to *to),
                      void *ctx)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_ADMINS_TO)) != NULL)
        rc = mail_walk_to(st, fn, ctx);
    store_unlock(s);
    return rc;
}

int store_notice_due(struct store *s, enum store_notice kind, int64_t until,
                     char (*ids)[64], size_t cap, size_t *n)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    *n = 0;
    store_lock(s);
    if ((st = store_stmt(s, SQL_NOTICE_DUE[kind])) != NULL &&
        (kind != STORE_NOTICE_REMINDER || sqlite3_bind_int64(st, 1, until) == SQLITE_OK) &&
        sqlite3_bind_int64(st, 2, (sqlite3_int64)cap) == SQLITE_OK)
        rc = store_step_ids(st, ids, cap, n);
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

static const char SQL_NOTICE_MARK_ALL[] =
    "UPDATE polls SET announced_at = coalesce(announced_at, ?1),"
    " reminded_at = coalesce(reminded_at, ?1), result_mailed_at = coalesce(result_mailed_at, ?1)"
    " WHERE announced_at IS NULL OR reminded_at IS NULL OR result_mailed_at IS NULL";

int store_notice_mark_all(struct store *s, int64_t now)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_NOTICE_MARK_ALL)) != NULL &&
        sqlite3_bind_int64(st, 1, now) == SQLITE_OK && sqlite3_step(st) == SQLITE_DONE)
        rc = CV_OK;
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_notice_mark(struct store *s, const char *poll_id, enum store_notice kind,
                      int64_t now)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_NOTICE_MARK[kind])) != NULL &&
        sqlite3_bind_text(st, 1, poll_id, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_bind_int64(st, 2, now) == SQLITE_OK && sqlite3_step(st) == SQLITE_DONE)
        rc = sqlite3_changes(store_db(s)) == 1 ? CV_OK : CV_CONFLICT;
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}
