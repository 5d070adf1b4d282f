/*
 * store_member.c — the members table: insert, fetch, list, activate,
 * set password, the upsert that CSV imports use, and the open polls whose
 * frozen roll holds a member (what deactivating them mid-poll touches).
 *
 * Usernames are unique case-insensitively (the column is COLLATE NOCASE, so
 * every comparison below folds case). Empty strings from callers mean NULL
 * for email and password_hash, and come back as "" again. Validation of the
 * values is auth.c's job; the table's CHECK constraints are a backstop.
 */
#include <string.h>

#include "store_int.h"

#define MEMBER_COLUMNS \
    "id, username, display_name, email, password_hash, is_admin, active, created_at," \
    " password_one_time, coalesce(password_expires_at, 0)"

static const char SQL_INSERT[] =
    "INSERT INTO members (username, display_name, email, is_admin, active,"
    " password_hash, created_at, password_one_time, password_expires_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, 0))";
static const char SQL_GET[] =
    "SELECT " MEMBER_COLUMNS " FROM members WHERE username = ?1";
static const char SQL_GET_ID[] =
    "SELECT " MEMBER_COLUMNS " FROM members WHERE id = ?1";
static const char SQL_COUNT[] =
    "SELECT count(*) FROM members";
static const char SQL_LIST[] =
    "SELECT " MEMBER_COLUMNS " FROM members ORDER BY username";
static const char SQL_ROSTER[] =
    "SELECT " MEMBER_COLUMNS ", (SELECT coalesce(max(l.expires_at), 0) FROM password_links l"
    " WHERE l.member_id = members.id AND l.expires_at > ?1) FROM members ORDER BY username";
static const char SQL_SET_ACTIVE[] =
    "UPDATE members SET active = ?2 WHERE username = ?1";
static const char SQL_DELETE_SESSIONS[] =
    "DELETE FROM sessions WHERE member_id ="
    " (SELECT id FROM members WHERE username = ?1) AND id_hash IS NOT ?2";
static const char SQL_DELETE_LINKS[] =
    "DELETE FROM password_links WHERE member_id ="
    " (SELECT id FROM members WHERE username = ?1)";
static const char SQL_SET_PASSWORD[] =
    "UPDATE members SET password_hash = ?2, password_one_time = ?3,"
    " password_expires_at = nullif(?4, 0) WHERE username = ?1";
static const char SQL_MARK_ROLLS[] =
    "INSERT OR IGNORE INTO poll_roll_deactivated (poll_id, username)"
    " SELECT r.poll_id, r.username FROM polls p"
    " JOIN poll_roll r ON r.poll_id = p.id AND r.username = ?1 WHERE p.closed = 0";
static const char SQL_OPEN_ROLLS[] =
    "SELECT p.id, p.nominee, p.closes_at FROM polls p"
    " JOIN poll_roll r ON r.poll_id = p.id AND r.username = ?1"
    " WHERE p.closed = 0 ORDER BY p.closes_at, p.id";
static const char SQL_ROLL_DEACTIVATED[] =
    "SELECT count(*) FROM poll_roll_deactivated WHERE poll_id = ?1";
static const char SQL_UPDATE_CONTACT[] =
    "UPDATE members SET display_name = ?2, email = ?3 WHERE id = ?1";

int store_member_read(sqlite3_stmt *st, struct store_member *m)
{
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(st, 0);
    if (store_column_text(st, 1, m->username, sizeof m->username) != 0 ||
        store_column_text(st, 2, m->display_name, sizeof m->display_name) != 0 ||
        store_column_text(st, 3, m->email, sizeof m->email) != 0 ||
        store_column_text(st, 4, m->password_hash, sizeof m->password_hash) != 0)
        return -1;
    m->is_admin = sqlite3_column_int(st, 5) != 0;
    m->active = sqlite3_column_int(st, 6) != 0;
    m->created_at = sqlite3_column_int64(st, 7);
    m->one_time = sqlite3_column_int(st, 8) != 0;
    m->password_expires_at = sqlite3_column_int64(st, 9);
    return 0;
}

/* Binds S as text, or NULL when it is empty. */
static int member_bind_opt(sqlite3_stmt *st, int idx, const char *s)
{
    if (s == NULL || s[0] == '\0')
        return sqlite3_bind_null(st, idx);
    return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

int store_member_insert(struct store *s, const struct store_member *m, int64_t *id_out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_INSERT)) == NULL)
        goto out;
    if (sqlite3_bind_text(st, 1, m->username, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_bind_text(st, 2, m->display_name, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        member_bind_opt(st, 3, m->email) != SQLITE_OK ||
        sqlite3_bind_int(st, 4, m->is_admin ? 1 : 0) != SQLITE_OK ||
        sqlite3_bind_int(st, 5, m->active ? 1 : 0) != SQLITE_OK ||
        member_bind_opt(st, 6, m->password_hash) != SQLITE_OK ||
        sqlite3_bind_int64(st, 7, m->created_at) != SQLITE_OK ||
        sqlite3_bind_int(st, 8, m->one_time ? 1 : 0) != SQLITE_OK ||
        sqlite3_bind_int64(st, 9, m->password_expires_at) != SQLITE_OK)
        goto out;
    rc = store_step_insert(s, st, id_out);
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_member_fetch(sqlite3_stmt *st, struct store_member *out)
{
    int step = sqlite3_step(st);

    if (step == SQLITE_DONE)
        return CV_NOT_FOUND;
    if (step != SQLITE_ROW)
        return CV_ERROR;
    return store_member_read(st, out) == 0 ? CV_OK : CV_ERROR;
}

int store_member_get(struct store *s, const char *username, struct store_member *out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_GET)) == NULL)
        goto out;
    if (sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        goto out;
    rc = store_member_fetch(st, out);
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_member_get_id(struct store *s, int64_t id, struct store_member *out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_GET_ID)) == NULL)
        goto out;
    if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK)
        goto out;
    rc = store_member_fetch(st, out);
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_member_count(struct store *s, int64_t *n_out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, SQL_COUNT)) == NULL)
        goto out;
    if (sqlite3_step(st) != SQLITE_ROW)
        goto out;
    *n_out = sqlite3_column_int64(st, 0);
    rc = CV_OK;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

/* The walk of store_member_list (ROSTER 0) and store_member_roster. */
static int member_walk(struct store *s, int roster, int64_t now,
                       int (*fn)(void *ctx, const struct store_member *m), void *ctx)
{
    struct store_member m;
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, roster ? SQL_ROSTER : SQL_LIST)) == NULL ||
        (roster && sqlite3_bind_int64(st, 1, now) != SQLITE_OK))
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (store_member_read(st, &m) != 0)
            goto out;
        if (roster)
            m.link_expires_at = sqlite3_column_int64(st, STORE_MEMBER_COLUMNS);
        if ((rc = fn(ctx, &m)) != 0)
            goto out;
    }
    rc = step == SQLITE_DONE ? CV_OK : CV_ERROR;
out:
    memset(&m, 0, sizeof m);
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_member_list(struct store *s,
                      int (*fn)(void *ctx, const struct store_member *m), void *ctx)
{
    return member_walk(s, 0, 0, fn, ctx);
}

int store_member_roster(struct store *s, int64_t now,
                        int (*fn)(void *ctx, const struct store_member *m), void *ctx)
{
    return member_walk(s, 1, now, fn, ctx);
}

/* A value bound to an UPDATE of one member: an integer, or a text that is
 * stored as NULL when empty. */
struct member_value {
    int is_text;
    int64_t i;
    const char *text;
};

/* A statement run after a member's row changed: ?1 = the username, and ?2
 * = KEEP (32 bytes) when not NULL. */
struct member_then {
    const char *sql;
    const unsigned char *keep;
};

/* Runs SQL with ?1 = USERNAME (and ?2 = the 32-byte KEEP, or NULL). */
static int member_exec(struct store *s, const char *sql, const char *username,
                       const unsigned char *keep)
{
    sqlite3_stmt *st = store_stmt(s, sql);
    int rc = CV_ERROR;

    if (st == NULL)
        return CV_ERROR;
    if (sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
        (keep == NULL || sqlite3_bind_blob(st, 2, keep, 32, SQLITE_STATIC) == SQLITE_OK) &&
        sqlite3_step(st) == SQLITE_DONE)
        rc = CV_OK;
    store_stmt_reset(st);
    return rc;
}

/* The one shape of a change to a member: under the lock, SQL (an UPDATE
 * keyed by ?1 = USERNAME, with the N values V as ?2 ...), then, if it
 * changed the row, the NT statements THEN in order (the caller's
 * transaction makes them one change). CV_NOT_FOUND when no member has
 * USERNAME. */
static int member_set(struct store *s, const char *sql, const char *username,
                      const struct member_value *v, size_t n,
                      const struct member_then *then, size_t nt)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, ok;
    size_t i;

    store_lock(s);
    if ((st = store_stmt(s, sql)) == NULL)
        goto out;
    ok = sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT) == SQLITE_OK;
    for (i = 0; i < n && ok; i++)
        ok = (v[i].is_text ? member_bind_opt(st, (int)i + 2, v[i].text)
                           : sqlite3_bind_int64(st, (int)i + 2, v[i].i)) == SQLITE_OK;
    if (!ok || sqlite3_step(st) != SQLITE_DONE)
        goto out;
    rc = sqlite3_changes(store_db(s)) > 0 ? CV_OK : CV_NOT_FOUND;
    for (i = 0; i < nt && rc == CV_OK; i++)
        if (member_exec(s, then[i].sql, username, then[i].keep) != CV_OK)
            rc = CV_ERROR;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_member_set_active(struct store *s, const char *username, int active)
{
    const struct member_value v[] = {{0, active ? 1 : 0, NULL}};
    static const struct member_then off[] = {{SQL_DELETE_SESSIONS, NULL},
                                             {SQL_MARK_ROLLS, NULL}};

    return member_set(s, SQL_SET_ACTIVE, username, v, 1, off, active ? 0 : 2);
}

int store_member_set_password(struct store *s, const char *username, const char *hash,
                              int one_time, int64_t expires_at,
                              const unsigned char keep[32])
{
    const struct member_value v[] = {{1, 0, hash}, {0, one_time ? 1 : 0, NULL},
                                     {0, expires_at, NULL}};
    const struct member_then then[] = {{SQL_DELETE_SESSIONS, keep}, {SQL_DELETE_LINKS, NULL}};

    return member_set(s, SQL_SET_PASSWORD, username, v, 3, then, 2);
}

int store_member_open_rolls(struct store *s, const char *username,
                            int (*fn)(void *ctx, const struct store_open_roll *p),
                            void *ctx)
{
    struct store_open_roll p;
    sqlite3_stmt *st;
    int rc = CV_ERROR, step;

    store_lock(s);
    if ((st = store_stmt(s, SQL_OPEN_ROLLS)) == NULL ||
        sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&p, 0, sizeof p);
        if (store_column_text(st, 0, p.poll_id, sizeof p.poll_id) != 0 ||
            store_column_text(st, 1, p.nominee, sizeof p.nominee) != 0)
            goto out;
        p.closes_at = sqlite3_column_int64(st, 2);
        if ((rc = fn(ctx, &p)) != 0)
            goto out;
    }
    rc = step == SQLITE_DONE ? CV_OK : CV_ERROR;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_roll_deactivated_count(struct store *s, const char *poll_id, int64_t *n_out)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    *n_out = 0;
    if ((st = store_read_stmt(s, SQL_ROLL_DEACTIVATED)) == NULL)
        return CV_ERROR;
    if (sqlite3_bind_text(st, 1, poll_id, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        *n_out = sqlite3_column_int64(st, 0);
        rc = CV_OK;
    }
    store_stmt_reset(st);
    return rc;
}

/* Sets display name and email of member ID. */
static int member_update_contact(struct store *s, int64_t id, const char *display_name,
                                 const char *email)
{
    sqlite3_stmt *st = store_stmt(s, SQL_UPDATE_CONTACT);
    int rc = CV_ERROR;

    if (st == NULL)
        return CV_ERROR;
    if (sqlite3_bind_int64(st, 1, id) == SQLITE_OK &&
        sqlite3_bind_text(st, 2, display_name, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
        member_bind_opt(st, 3, email) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_DONE)
        rc = CV_OK;
    store_stmt_reset(st);
    return rc;
}

int store_member_upsert(struct store *s, const char *username, const char *display_name,
                        const char *email, int64_t now, int *created_out)
{
    struct store_member m;
    int rc;

    if (email == NULL)
        email = "";
    store_lock(s);
    rc = store_member_get(s, username, &m);
    if (rc == CV_OK) {
        rc = member_update_contact(s, m.id, display_name, email);
        if (created_out != NULL)
            *created_out = 0;
    } else if (rc == CV_NOT_FOUND) {
        memset(&m, 0, sizeof m);
        if (strlen(username) >= sizeof m.username ||
            strlen(display_name) >= sizeof m.display_name ||
            strlen(email) >= sizeof m.email) {
            rc = CV_ERROR;
        } else {
            strcpy(m.username, username);
            strcpy(m.display_name, display_name);
            strcpy(m.email, email);
            m.active = 1;
            m.created_at = now;
            rc = store_member_insert(s, &m, NULL);
        }
        if (created_out != NULL)
            *created_out = 1;
    }
    memset(&m, 0, sizeof m);
    store_unlock(s);
    return rc;
}
