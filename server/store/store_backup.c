/*
 * store_backup.c — a consistent copy of the database while the server runs,
 * for `conclave backup` (cli_backup.c).
 *
 * VACUUM INTO writes the database as one read transaction sees it (the last
 * commit, WAL included) to a new file, so a copy taken mid-poll is as
 * consistent as SQLite's online backup API would make it. It also rebuilds
 * every page in key order and leaves out free pages: unlike a copy of the
 * files (or the backup API, which copies pages as they are), the copy keeps
 * neither the WAL's page history nor the order in which ballots arrived
 * (SECURITY.md, residual risks 2 and 3). It still holds each open poll's
 * secret key, as the live database does (risk 1).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"

/* "ok" from PRAGMA quick_check on the database file PATH. 0 or -1. */
static int backup_check(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    const unsigned char *answer;
    int rc = -1;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && (answer = sqlite3_column_text(st, 0)) != NULL &&
        strcmp((const char *)answer, "ok") == 0)
        rc = 0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* The open polls' number, or -1. The caller holds the lock. */
static long backup_open_polls(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    long n = -1;

    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM polls WHERE closed = 0 AND secret_key"
                           " IS NOT NULL", -1, &st,    /* not those awaiting consent */
                           NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

int store_backup(struct store *s, const char *path, long *open_polls, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = -1, fd;

    store_lock(s);
    *open_polls = backup_open_polls(store_db(s));
    if (sqlite3_prepare_v2(store_db(s), "VACUUM INTO ?1", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_DONE) {
        snprintf(err, errlen, "cannot copy the database: %s", sqlite3_errmsg(store_db(s)));
        sqlite3_finalize(st);
        store_unlock(s);
        return -1;
    }
    sqlite3_finalize(st);
    store_unlock(s);
    /* VACUUM INTO does not sync its output; the copy must be on disk before
     * the command says it is done. */
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 || fchmod(fd, 0600) != 0 ||
        fsync(fd) != 0)
        snprintf(err, errlen, "cannot sync the copy %.400s", path);
    else if (backup_check(path) != 0)
        snprintf(err, errlen, "the copy %.400s does not pass PRAGMA quick_check", path);
    else
        rc = 0;
    if (fd >= 0)
        close(fd);
    return rc;
}
