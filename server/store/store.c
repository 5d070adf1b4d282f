/*
 * store.c — opening DATA_DIR/conclave.db, migrating it, and the machinery the
 * row modules (store_member.c, store_session.c, store_poll.c ...) share:
 * one recursive mutex per store, write transactions, and a cache of prepared
 * statements keyed by their (constant) SQL text. What the files promise about
 * the disk (group commit, checkpoints, compactions) is store_durable.c's.
 *
 * The compaction after a close (store_durable.c) runs on a second,
 * short-lived connection without the mutex, so readers on the shared one go
 * on (WAL) while it VACUUMs; meanwhile store_begin waits at the gate for it
 * to end before taking the mutex, so a writer never holds the mutex while it
 * waits for the compaction's write lock.
 *
 * Invariants: the database file and its -wal/-shm companions are mode 0600 in
 * a 0700 directory; every statement runs with the mutex held; a statement is
 * prepared once and reset after each use; a schema migration and the row that
 * records it in schema_version commit together, so a crash leaves the database
 * at a whole version. The server and the CLI may have the database open at the
 * same time (WAL + busy timeout); migrations re-read the version inside their
 * write transaction so two processes never apply one twice.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "schema.h"
#include "log.h"
#include "store_int.h"
#include "store_read.h"

static const char SQL_VERSION_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at INTEGER NOT NULL)";
static const char SQL_VERSION_GET[] =
    "SELECT coalesce(max(version), 0) FROM schema_version";
static const char SQL_VERSION_ADD[] =
    "INSERT INTO schema_version (version, name, applied_at) VALUES (?1, ?2, ?3)";

static void store_report(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* One line on stderr: store_open's only channel for saying why it failed. */
static void store_report(const char *fmt, ...)
{
    va_list ap;

    fputs("conclave: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* 0 if only the owner may access PATH (of MODE); else -1, with the chmod to
 * WANT that fixes it, naming PATH after WHAT. */
static int store_owner_only(const char *what, const char *path, mode_t mode, const char *want)
{
    if ((mode & 077) == 0)
        return 0;
    store_report("%s%s is accessible by group or others (mode %03o); run: chmod %s %s",
                 what, path, (unsigned)(mode & 0777), want, path);
    return -1;
}

/* Creates DIR with mode 0700 if it does not exist; refuses an existing one
 * that group or others may access. */
static int store_make_dir(const char *dir)
{
    struct stat sb;

    if (mkdir(dir, 0700) == 0)
        return 0;
    if (errno != EEXIST || stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        store_report("cannot create data directory %s: %s", dir,
                     errno == EEXIST ? "not a directory" : strerror(errno));
        return -1;
    }
    /* Its files are 0600, but a listing shows the WAL growing at each cast,
     * and a writable directory lets files be swapped. */
    return store_owner_only("data directory ", dir, sb.st_mode, "700");
}

/* Creates PATH with mode 0600 if absent (before SQLite does, with the umask's
 * mode); refuses an existing file that group or others may access. SQLite
 * gives the -wal and -shm files the mode of the database file. */
static int store_check_file(const char *path)
{
    struct stat sb;
    int fd;

    fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        store_report("cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &sb) != 0) {
        store_report("cannot stat %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    if (!S_ISREG(sb.st_mode)) {
        store_report("%s is not a regular file", path);
        return -1;
    }
    return store_owner_only("", path, sb.st_mode, "600");
}

/* Tightens an existing -wal/-shm companion left with a wider mode. */
static void store_tighten(const char *db_path, const char *suffix)
{
    char path[STORE_PATH_MAX];
    struct stat sb;

    if (snprintf(path, sizeof path, "%s%s", db_path, suffix) >= (int)sizeof path)
        return;
    if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077) != 0)
        (void)chmod(path, 0600);
}

/* Runs one fixed SQL text (pragmas, BEGIN/COMMIT, migrations). */
static int store_exec(struct store *s, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    store_report("sqlite: %s", msg ? msg : sqlite3_errmsg(s->db));
    sqlite3_free(msg);
    return -1;
}

/* Sets the connection's pragmas; WAL must actually be in effect. */
static int store_configure(struct store *s)
{
    sqlite3_stmt *st = NULL;
    const char *mode;
    int rc = -1;

    if (store_busy_set(s->db, STORE_BUSY_MS) != 0)
        goto out;
    /* 8 KiB pages, for a new database (an existing one keeps its size): a
     * ballot row (1.3 kB of JSON in a WITHOUT ROWID table) then fits in its
     * B-tree leaf, where with 4 KiB pages it spilled ~800 bytes onto an
     * overflow page of its own: 2.4x smaller files and VACUUM (make bench). */
    if (sqlite3_exec(s->db, "PRAGMA page_size=8192", NULL, NULL, NULL) != SQLITE_OK)
        goto out;
    if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        store_report("cannot read the database: %s", sqlite3_errmsg(s->db));
        goto out;
    }
    mode = (const char *)sqlite3_column_text(st, 0);
    if (mode == NULL || strcmp(mode, "wal") != 0) {
        store_report("cannot switch the database to WAL mode");
        goto out;
    }
    if (store_exec(s, "PRAGMA synchronous=FULL") != 0 ||
        store_exec(s, "PRAGMA foreign_keys=ON") != 0 ||
        store_exec(s, "PRAGMA secure_delete=ON") != 0 ||
        /* statement journals in memory (store_library_configure); this
         * connection sorts nothing large, and the compaction's VACUUM runs
         * on a connection of its own, with temporary files */
        store_exec(s, "PRAGMA temp_store=MEMORY") != 0 ||
        store_exec(s, SQL_VERSION_TABLE) != 0)
        goto out;
    rc = 0;
out:
    sqlite3_finalize(st);
    return rc;
}

/* Reads the database's schema version into *out (caller holds the mutex). */
static int store_read_version(struct store *s, int *out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_VERSION_GET);
    int rc = -1;

    if (st == NULL)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = 0;
    }
    store_stmt_reset(st);
    return rc;
}

/* Applies migration M and records it, inside the caller's transaction. */
static int store_apply(struct store *s, const struct schema_migration *m)
{
    sqlite3_stmt *st;
    int rc = -1;

    if (store_exec(s, m->sql) != 0) {
        store_report("migration %s failed", m->name);
        return -1;
    }
    st = store_stmt(s, SQL_VERSION_ADD);
    if (st == NULL)
        return -1;
    if (sqlite3_bind_int(st, 1, m->version) == SQLITE_OK &&
        sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL)) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_DONE)
        rc = 0;
    store_stmt_reset(st);
    return rc;
}

/* Applies the next pending migration in a transaction of its own, reading
 * the version inside it; *done = 1 when none was pending. Refuses a database
 * newer than the binary, and with BESIDE one that is older. */
static int store_migrate_one(struct store *s, int latest, int beside, int *done)
{
    const struct schema_migration *next = NULL;
    int v, i;

    if (store_begin(s) != 0) {
        store_report("cannot start a transaction: %s", sqlite3_errmsg(s->db));
        return -1;
    }
    if (store_read_version(s, &v) != 0)
        goto fail;
    if (v > latest) {
        store_report("database schema version %d is newer than this binary's (%d); "
                     "run a newer conclave", v, latest);
        goto fail;
    }
    for (i = 0; i < schema_migration_count && next == NULL; i++)
        if (schema_migrations[i].version > v)
            next = &schema_migrations[i];
    if (next == NULL) {
        s->version = v;
        *done = 1;
        return store_rollback(s);
    }
    if (beside) {
        store_report("database schema version %d is older than this binary's (%d), and a "
                     "server of the older version is running on it: restart it with this "
                     "binary first (it migrates the database)", v, latest);
        goto fail;
    }
    if (store_apply(s, next) != 0)
        goto fail;
    *done = 0;
    return store_commit(s);
fail:
    store_rollback(s);
    return -1;
}

/* Brings the schema up to the binary's newest migration (with BESIDE, only
 * checks that it is there). */
static int store_migrate(struct store *s, int beside)
{
    int latest = schema_migration_count > 0
        ? schema_migrations[schema_migration_count - 1].version : 0;
    int done = 0;

    while (!done)
        if (store_migrate_one(s, latest, beside, &done) != 0)
            return -1;
    return 0;
}

/* SQLite's own account of a failure that is not part of normal work
 * (SQLITE_CONFIG_LOG): the statement's text with its placeholders, never a
 * bound value. Busy waits, schema changes and the constraint failures that
 * the store turns into answers (a duplicate, a conflict) are not logged. */
static void store_sqlite_log(void *ctx, int code, const char *msg)
{
    (void)ctx;
    switch (code & 0xff) {
    case SQLITE_FULL: case SQLITE_IOERR: case SQLITE_CORRUPT: case SQLITE_NOMEM:
    case SQLITE_CANTOPEN: case SQLITE_READONLY: case SQLITE_PROTOCOL: case SQLITE_NOTADB:
    case SQLITE_PERM: case SQLITE_TOOBIG: case SQLITE_INTERNAL: case SQLITE_MISUSE:
        log_warn("sqlite (%d): %s", code, msg);
        break;
    default:
        break;
    }
}

/*
 * Library-wide settings, once, before SQLite initializes itself: no
 * allocation statistics (nothing here reads sqlite3_status; SQLite's malloc
 * and free then take no process-wide mutex, which the HTTP threads' reads
 * and the committer would otherwise share), and SQLite's error log in ours.
 * If SQLite was initialized already (by a test, say) this changes nothing.
 *
 * Statement journals (a savepoint per cast, the close's UPDATE with its
 * trigger) are kept in memory by the write connection's temp_store=MEMORY
 * (store_configure): a spilled one cost each group of casts a temporary file
 * (strace under make bench: 5 system calls and ~10 page writes a group).
 * Raising SQLITE_CONFIG_STMTJRNL_SPILL to 512 KiB did that too, but SQLite
 * 3.40 then failed the close of a poll of 100,000 members, whose megabyte
 * record the close's UPDATE rewrites, with "database or disk is full" on
 * every try (any spill of 256 KiB or more; test_polls test_close_large_roll).
 */
static pthread_once_t store_library_once = PTHREAD_ONCE_INIT;

static void store_library_configure(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)sqlite3_config(SQLITE_CONFIG_LOG, store_sqlite_log, (void *)NULL);
}

/* Allocates the store and its recursive mutex. */
static struct store *store_new(void)
{
    struct store *s = calloc(1, sizeof *s);
    pthread_mutexattr_t attr;
    int ok;

    if (s == NULL)
        return NULL;
    if (pthread_mutexattr_init(&attr) != 0)
        goto fail;
    ok = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE) == 0 &&
         pthread_mutex_init(&s->mu, &attr) == 0;
    pthread_mutexattr_destroy(&attr);
    if (!ok)
        goto fail;
    if (pthread_mutex_init(&s->gate_mu, NULL) != 0)
        goto fail_mu;
    if (pthread_cond_init(&s->gate_cv, NULL) != 0)
        goto fail_gate;
    if (pthread_mutex_init(&s->side_mu, NULL) != 0)
        goto fail_cv;
    return s;
fail_cv:
    pthread_cond_destroy(&s->gate_cv);
fail_gate:
    pthread_mutex_destroy(&s->gate_mu);
fail_mu:
    pthread_mutex_destroy(&s->mu);
fail:
    free(s);
    return NULL;
}

static int store_open_mode(const char *data_dir, int beside, struct store **out)
{
    char path[STORE_PATH_MAX];
    struct store *s = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW;

    *out = NULL;
    if (snprintf(path, sizeof path, "%s/conclave.db", data_dir) >= (int)sizeof path) {
        store_report("data directory path too long");
        return -1;
    }
    if (store_make_dir(data_dir) != 0 || store_check_file(path) != 0)
        return -1;
    store_tighten(path, "-wal");
    store_tighten(path, "-shm");
    pthread_once(&store_library_once, store_library_configure);
    if ((s = store_new()) == NULL) {
        store_report("out of memory");
        return -1;
    }
    memcpy(s->path, path, sizeof s->path);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        store_report("cannot open %s: %s", path,
                     s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    if (store_configure(s) != 0 || store_migrate(s, beside) != 0)
        goto fail;
    if ((s->readers = store_readers_new(s->path)) == NULL) {
        store_report("out of memory");
        goto fail;
    }
    *out = s;
    return 0;
fail:
    store_close(s);
    return -1;
}

int store_open(const char *data_dir, struct store **out)
{
    return store_open_mode(data_dir, 0, out);
}

int store_open_beside(const char *data_dir, struct store **out)
{
    return store_open_mode(data_dir, 1, out);
}

/* How long a starting server waits for admin commands to leave the data
 * directory (store_dir_lock). */
#define STORE_DIR_WAIT_MS 10000

/* DATA_DIR, created 0700 if absent, opened for flock. -1 if it cannot be. */
static int store_dir_open(const char *data_dir)
{
    int fd;

    if (store_make_dir(data_dir) != 0)
        return -1;
    if ((fd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        store_report("cannot open data directory %s: %s", data_dir, strerror(errno));
    return fd;
}

int store_dir_lock(const char *data_dir)
{
    struct timespec pause = {0, 50 * 1000 * 1000};
    int fd = store_dir_open(data_dir), waited = 0;

    if (fd < 0)
        return -1;
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return fd;
        if (errno != EWOULDBLOCK) {
            store_report("cannot lock data directory %s: %s", data_dir, strerror(errno));
            break;
        }
        /* A server's exclusive lock refuses even a shared one; the shared
         * locks of admin commands (store_dir_share) do not: wait for those. */
        if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
            store_report("another conclave serve is running on %s", data_dir);
            break;
        }
        flock(fd, LOCK_UN);
        if (waited >= STORE_DIR_WAIT_MS) {
            store_report("an admin command has been using %s for %d s; try again",
                         data_dir, STORE_DIR_WAIT_MS / 1000);
            break;
        }
        nanosleep(&pause, NULL);
        waited += 50;
    }
    close(fd);
    return -1;
}

int store_dir_share(const char *data_dir, int *fd_out)
{
    int fd = store_dir_open(data_dir), err;

    *fd_out = -1;
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
        *fd_out = fd;
        return 0;
    }
    err = errno;
    close(fd);
    if (err == EWOULDBLOCK)
        return 1;
    store_report("cannot lock data directory %s: %s", data_dir, strerror(err));
    return -1;
}

void store_close(struct store *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->n_stmts; i++)
        sqlite3_finalize(s->stmts[i].st);
    free(s->stmts);
    store_readers_free(s->readers);
    sqlite3_close(s->side);
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->gate_cv);
    pthread_mutex_destroy(&s->gate_mu);
    pthread_mutex_destroy(&s->side_mu);
    free(s);
}

int store_schema_version(struct store *s)
{
    return s->version;
}

sqlite3_stmt *store_read_stmt(struct store *s, const char *sql)
{
    return store_readers_stmt(s->readers, sql);
}

sqlite3 *store_db(struct store *s)
{
    assert(store_lock_held(s));
    return s->db;
}

/* One address per thread: who holds a store's mutex (store_lock_held). */
static _Thread_local char store_thread_id;

void store_lock(struct store *s)
{
    pthread_mutex_lock(&s->mu);
    if (s->mu_depth++ == 0)
        atomic_store(&s->mu_owner, (const void *)&store_thread_id);
}

void store_unlock(struct store *s)
{
    assert(store_lock_held(s) && s->mu_depth > 0);
    if (--s->mu_depth == 0)
        atomic_store(&s->mu_owner, (const void *)NULL);
    pthread_mutex_unlock(&s->mu);
}

int store_lock_held(const struct store *s)
{
    /* Only the holder writes its own address here: a thread that reads it
     * is the holder, or reads another address or NULL. */
    return atomic_load(&s->mu_owner) == (const void *)&store_thread_id;
}

int store_in_tx(const struct store *s)
{
    return store_lock_held(s) && s->in_tx;
}

/* Runs BEGIN/COMMIT/ROLLBACK without reporting to stderr (callers decide). */
static int store_exec_quiet(struct store *s, const char *sql)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Waits while a detached compaction runs (it holds, or is about to take, the
 * database's write lock for seconds: better to wait here than in SQLite's
 * busy handler, with the mutex held and every reader queued behind it). */
static void store_gate_wait(struct store *s)
{
    pthread_mutex_lock(&s->gate_mu);
    while (s->compacting)
        pthread_cond_wait(&s->gate_cv, &s->gate_mu);
    pthread_mutex_unlock(&s->gate_mu);
}

void store_gate_set(struct store *s, int compacting)
{
    pthread_mutex_lock(&s->gate_mu);
    s->compacting = compacting;
    if (!compacting)
        pthread_cond_broadcast(&s->gate_cv);
    pthread_mutex_unlock(&s->gate_mu);
}

int store_begin(struct store *s)
{
    store_gate_wait(s);
    store_lock(s);
    if (s->in_tx || store_exec_quiet(s, "BEGIN IMMEDIATE") != 0) {
        store_unlock(s);
        return -1;
    }
    s->in_tx = 1;
    return 0;
}

int store_commit(struct store *s)
{
    int rc = 0;

    assert(store_in_tx(s));         /* store_begin's, on this thread */
    if (store_exec_quiet(s, "COMMIT") != 0) {
        rc = -1;
        if (!sqlite3_get_autocommit(s->db))
            (void)store_exec_quiet(s, "ROLLBACK");
    }
    s->in_tx = 0;
    store_unlock(s);
    return rc;
}

int store_rollback(struct store *s)
{
    int rc = 0;

    assert(store_in_tx(s));
    if (!sqlite3_get_autocommit(s->db) && store_exec_quiet(s, "ROLLBACK") != 0)
        rc = -1;
    s->in_tx = 0;
    store_unlock(s);
    return rc;
}

/* Finds SQL's slot: by address first (the common case), then by content. */
static sqlite3_stmt *store_stmt_find(struct store *s, const char *sql)
{
    size_t i;

    for (i = 0; i < s->n_stmts; i++)
        if (s->stmts[i].sql == sql)
            return s->stmts[i].st;
    for (i = 0; i < s->n_stmts; i++)
        if (strcmp(s->stmts[i].sql, sql) == 0)
            return s->stmts[i].st;
    return NULL;
}

sqlite3_stmt *store_stmt(struct store *s, const char *sql)
{
    sqlite3_stmt *st;

    assert(store_lock_held(s));     /* the shared connection is the holder's */
    st = store_stmt_find(s, sql);

    if (st != NULL)
        return st;
    if (s->n_stmts == s->cap_stmts) {
        size_t cap = s->cap_stmts ? s->cap_stmts * 2 : 32;
        struct stmt_slot *n = realloc(s->stmts, cap * sizeof *n);
        if (n == NULL)
            return NULL;
        s->stmts = n;
        s->cap_stmts = cap;
    }
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    s->stmts[s->n_stmts].sql = sql;
    s->stmts[s->n_stmts].st = st;
    s->n_stmts++;
    return st;
}

int store_step_ids(sqlite3_stmt *st, char (*ids)[64], size_t cap, size_t *n)
{
    int step = SQLITE_DONE;

    *n = 0;
    while (*n < cap && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (store_column_text(st, 0, ids[*n], 64) != 0)
            return CV_ERROR;
        (*n)++;
    }
    return step == SQLITE_DONE || step == SQLITE_ROW ? CV_OK : CV_ERROR;
}

int store_column_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    int n = sqlite3_column_bytes(st, col);

    if (t == NULL) {
        dst[0] = '\0';
        return 0;
    }
    if (n < 0 || (size_t)n >= cap)
        return -1;
    memcpy(dst, t, (size_t)n);
    dst[n] = '\0';
    return 0;
}

char *store_column_dup(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    char *copy;

    if (t == NULL || (copy = malloc(n + 1)) == NULL)
        return NULL;
    memcpy(copy, t, n);
    copy[n] = '\0';
    return copy;
}

int store_step_insert(struct store *s, sqlite3_stmt *st, int64_t *rowid)
{
    int step;

    assert(store_lock_held(s));
    step = sqlite3_step(st);

    if (step == SQLITE_CONSTRAINT_PRIMARYKEY || step == SQLITE_CONSTRAINT_UNIQUE)
        return CV_CONFLICT;
    if (step != SQLITE_DONE)
        return CV_ERROR;
    if (rowid != NULL)
        *rowid = sqlite3_last_insert_rowid(s->db);
    return CV_OK;
}

int store_exec_int(struct store *s, const char *sql, int64_t arg, int64_t *changes)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR;

    store_lock(s);
    if ((st = store_stmt(s, sql)) != NULL && sqlite3_bind_int64(st, 1, arg) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_DONE) {
        if (changes != NULL)
            *changes = sqlite3_changes(s->db);
        rc = CV_OK;
    }
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

int store_text_cut(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n <= max)
        return (int)n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

int store_update_row(struct store *s, const char *sql, int64_t id, int64_t a, int64_t b,
                     const char *text, size_t text_max)
{
    sqlite3_stmt *st;
    int rc = CV_ERROR, n;

    store_lock(s);
    if ((st = store_stmt(s, sql)) == NULL)
        goto out;
    n = sqlite3_bind_parameter_count(st);
    if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, a) != SQLITE_OK ||
        (n >= 3 && sqlite3_bind_int64(st, 3, b) != SQLITE_OK) ||
        (n >= 4 && sqlite3_bind_text(st, 4, text != NULL ? text : "",
                                     store_text_cut(text != NULL ? text : "", text_max),
                                     SQLITE_TRANSIENT) != SQLITE_OK))
        goto out;
    if (sqlite3_step(st) == SQLITE_DONE)
        rc = sqlite3_changes(s->db) == 1 ? CV_OK : CV_NOT_FOUND;
out:
    store_stmt_reset(st);
    store_unlock(s);
    return rc;
}

void store_stmt_reset(sqlite3_stmt *st)
{
    if (st == NULL)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}
