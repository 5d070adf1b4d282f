/*
 * test_store_durable.c — store_durable.c on real SQLite files in a temporary
 * directory: jobs queued together share one commit and one sync, a job's
 * rows are in the files when its call returns (a child process killed right
 * after survives in them), a failed commit undoes every job of its group, the
 * other transactions keep synchronous=FULL; the WAL is truncated and its
 * index (-shm) cleared once the commits pause, or after 10 s while they keep
 * coming; the compaction after a close rebuilds the file without the deleted
 * rows and, when a reader keeps it from running, is retried until it does;
 * start-up folds in what a crash left. tests/integration/test_leaks.py
 * checks the same files over HTTP.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "store_durable.h"
#include "store_int.h"

static char tmp_root[] = "/tmp/conclave-test-durable-XXXXXX";

static const char SQL_ADD[] = "INSERT INTO t (x) VALUES (?1)";

/* A job that inserts VALUE into t (or, with ORPHAN, a row whose deferred
 * foreign key fails the group's COMMIT), after waiting SLEEP_MS. */
struct test_job {
    struct store_job job;
    struct store *s;
    long long value;
    int orphan;
    int sleep_ms;
    volatile int applying;
    int undone;
};

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static int test_apply(struct store_job *job, int64_t now)
{
    struct test_job *t = (struct test_job *)(void *)job;
    sqlite3_stmt *st;
    int ok;

    (void)now;
    t->applying = 1;
    if (t->sleep_ms > 0)
        sleep_ms(t->sleep_ms);
    st = store_stmt(t->s, t->orphan ? "INSERT INTO child (parent) VALUES (?1)" : SQL_ADD);
    ok = st != NULL && sqlite3_bind_int64(st, 1, t->value) == SQLITE_OK &&
         sqlite3_step(st) == SQLITE_DONE;
    store_stmt_reset(st);
    return ok;
}

static void test_undo(struct store_job *job)
{
    ((struct test_job *)(void *)job)->undone = 1;
}

static void job_init(struct test_job *t, struct store *s, long long value)
{
    memset(t, 0, sizeof *t);
    t->job.apply = test_apply;
    t->job.undo = test_undo;
    t->s = s;
    t->value = value;
}

/* A one-integer query on the store's connection (-1 on error). */
static long long query_int(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;

    store_lock(s);
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    store_unlock(s);
    return v;
}

static int exec_sql(struct store *s, const char *sql)
{
    int rc;

    store_lock(s);
    rc = sqlite3_exec(store_db(s), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
    store_unlock(s);
    return rc;
}

/* A fresh store in DIR/NAME with the tables the jobs write. */
static struct store *open_fresh(char *dir, size_t cap, const char *name)
{
    struct store *s = NULL;

    snprintf(dir, cap, "%s/%s", tmp_root, name);
    if (store_open(dir, &s) != 0)
        return NULL;
    if (exec_sql(s, "CREATE TABLE IF NOT EXISTS t (x INTEGER);"
                    "CREATE TABLE IF NOT EXISTS parent (id INTEGER PRIMARY KEY);"
                    "CREATE TABLE IF NOT EXISTS child (parent INTEGER REFERENCES parent (id)"
                    " DEFERRABLE INITIALLY DEFERRED)") != 0) {
        store_close(s);
        return NULL;
    }
    return s;
}

static long long file_size(const char *dir, const char *file)
{
    char p[512];
    struct stat sb;

    snprintf(p, sizeof p, "%s/%s", dir, file);
    return stat(p, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* The page numbers in the first block of the WAL index (conclave.db-shm):
 * after the 136-byte headers, one 32-bit page number (native order) for each
 * of frames 1 to 4062, stale ones included (SQLite's walformat). Returns how
 * many are not 0 and not 1 (pages other than the header page), -1 on error. */
static int shm_other_pages(const char *dir)
{
    char p[512];
    unsigned char block[136 + 4062 * 4];
    uint32_t pg;
    size_t i;
    int fd, others = 0;

    snprintf(p, sizeof p, "%s/conclave.db-shm", dir);
    if ((fd = open(p, O_RDONLY)) < 0)
        return -1;
    if (read(fd, block, sizeof block) != (ssize_t)sizeof block) {
        close(fd);
        return -1;
    }
    close(fd);
    for (i = 136; i < sizeof block; i += 4) {
        memcpy(&pg, block + i, 4);
        others += pg > 1;
    }
    return others;
}

/* --- group commit ----------------------------------------------------------- */

static void *submit_thread(void *arg)
{
    struct test_job *t = arg;

    return store_durable_commit(t->s, &t->job) == 0 ? arg : NULL;
}

/* Jobs that arrive while a group is being applied wait for it and then go
 * together in the next one: one transaction, one fdatasync. */
static void test_group_commit(void)
{
    enum { N = 16 };
    struct test_job jobs[N];
    pthread_t th[N];
    struct store_durable_stats stats;
    char dir[256], what[160];
    struct store *s = open_fresh(dir, sizeof dir, "group");
    int i, ok = 1;

    CHECK(s != NULL && store_durable_start(s) == 0, "open a store and start its group commit");
    if (s == NULL)
        return;
    for (i = 0; i < N; i++)
        job_init(&jobs[i], s, i);
    jobs[0].sleep_ms = 300;         /* the first group is being applied ... */
    CHECK(pthread_create(&th[0], NULL, submit_thread, &jobs[0]) == 0, "the first job");
    while (!jobs[0].applying)
        sleep_ms(1);
    for (i = 1; i < N; i++)         /* ... while the others arrive */
        ok &= pthread_create(&th[i], NULL, submit_thread, &jobs[i]) == 0;
    for (i = 0; i < N; i++) {
        void *r = NULL;

        pthread_join(th[i], &r);
        ok &= r != NULL;
    }
    CHECK(ok, "every job returned 0: committed and synced");
    CHECK(query_int(s, "SELECT count(*) FROM t") == N, "every job's row is stored");
    store_durable_stats(s, &stats);
    snprintf(what, sizeof what, "16 jobs in 2 groups with 1 or 2 syncs (got %lu groups, "
             "%lu syncs)", stats.groups, stats.syncs);
    CHECK(stats.groups >= 2 && stats.groups <= 3 && stats.syncs >= 1 &&
          stats.syncs <= stats.groups, what);
    CHECK(query_int(s, "PRAGMA synchronous") == 2,
          "the store's other transactions still sync every commit (FULL)");
    store_durable_stop(s);
    store_durable_stats(s, &stats);
    CHECK(stats.groups == 0, "stopped: no machinery, no counters");
    store_close(s);
}

/* A group whose COMMIT fails undoes every job in it and answers -1 to each;
 * the next group commits as usual. */
static void test_failed_group(void)
{
    struct test_job bad, good;
    pthread_t th;
    void *r = NULL;
    char dir[256];
    struct store *s = open_fresh(dir, sizeof dir, "failed");

    CHECK(s != NULL && store_durable_start(s) == 0, "open a store for a failing group");
    if (s == NULL)
        return;
    job_init(&bad, s, 42);
    bad.orphan = 1;                 /* its deferred foreign key fails the COMMIT */
    bad.sleep_ms = 200;
    job_init(&good, s, 7);
    CHECK(pthread_create(&th, NULL, submit_thread, &bad) == 0, "the bad job");
    while (!bad.applying)
        sleep_ms(1);
    CHECK(store_durable_commit(s, &good.job) == 0, "a good job queued behind it: committed");
    pthread_join(th, &r);
    CHECK(r == NULL && bad.undone, "the failed group's job: -1, and undone");
    CHECK(query_int(s, "SELECT count(*) FROM child") == 0, "nothing of it is stored");
    CHECK(!good.undone && query_int(s, "SELECT count(*) FROM t WHERE x = 7") == 1,
          "the next group committed");
    job_init(&good, s, 8);
    CHECK(store_durable_commit(s, &good.job) == 0 &&
          query_int(s, "SELECT count(*) FROM t WHERE x = 8") == 1,
          "and so does the one after");
    store_durable_stop(s);
    store_close(s);
}

/* Without store_durable_start there is no committer: -1 at once. */
static void test_not_started(void)
{
    struct test_job j;
    char dir[256];
    struct store *s = open_fresh(dir, sizeof dir, "idle");

    CHECK(s != NULL, "open a store without its machinery");
    if (s == NULL)
        return;
    job_init(&j, s, 1);
    CHECK(store_durable_commit(s, &j.job) == -1 && !j.applying, "a job is refused, not run");
    store_durable_tick(s);          /* nothing to do, nothing to crash */
    store_close(s);
}

/* --- durable when the call returns ----------------------------------------- */

/* The child: commits jobs 1, 2, 3 ... and reports each on FD once its call
 * has returned, until it is killed. */
static void crash_child(const char *dir, int fd)
{
    struct store *s = NULL;
    struct test_job j;
    long long i;

    if (store_open(dir, &s) != 0 || store_durable_start(s) != 0)
        _exit(2);
    for (i = 1;; i++) {
        job_init(&j, s, i);
        if (store_durable_commit(s, &j.job) != 0 || write(fd, &i, sizeof i) != sizeof i)
            _exit(3);
    }
}

/* Every job whose call returned is in the files after the process is killed
 * (SIGKILL: no clean close, the WAL as the syncer left it); start-up then
 * folds the WAL in and empties it. */
static void test_durable_on_return(void)
{
    char dir[256], what[160], sql[160];
    struct store *s = open_fresh(dir, sizeof dir, "crash");
    long long v, reported = 0, stored;
    int fds[2], status = 0;
    pid_t pid;

    CHECK(s != NULL && pipe(fds) == 0, "a store and a pipe for the child");
    if (s == NULL)
        return;
    store_close(s);
    if ((pid = fork()) == 0) {
        close(fds[0]);
        crash_child(dir, fds[1]);
    }
    close(fds[1]);
    while (reported < 40 && read(fds[0], &v, sizeof v) == sizeof v)
        reported = v;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    while (read(fds[0], &v, sizeof v) == sizeof v)  /* what it reported before */
        reported = v;
    close(fds[0]);
    CHECK(WIFSIGNALED(status) && reported >= 40, "the child committed jobs until killed");
    CHECK(file_size(dir, "conclave.db-wal") > 0, "it left its commits in the WAL");
    CHECK(store_open(dir, &s) == 0, "open the store again");
    if (s == NULL)
        return;
    snprintf(sql, sizeof sql, "SELECT count(DISTINCT x) FROM t WHERE x BETWEEN 1 AND %lld",
             reported);
    stored = query_int(s, sql);
    snprintf(what, sizeof what, "every job reported done is stored (jobs 1 to %lld; %lld "
             "of them found)", reported, stored);
    CHECK(stored == reported, what);
    CHECK(store_durable_recover(s) == 0, "start-up: fold the WAL in and rebuild the file");
    CHECK(file_size(dir, "conclave.db-wal") == 0, "the WAL is empty after it");
    CHECK(query_int(s, sql) == reported, "nothing lost by it");
    store_close(s);
}

/* --- erasing the page history ----------------------------------------------- */

/* After a group stored rows, the second tick without a new one truncates the
 * WAL and leaves its index listing page 1 only; a tick with nothing new does
 * nothing. */
static void test_truncation(void)
{
    struct store_durable_stats stats;
    struct test_job j;
    char dir[256], what[160];
    struct store *s = open_fresh(dir, sizeof dir, "truncate");
    int others;

    CHECK(s != NULL && store_durable_start(s) == 0, "open a store to truncate");
    if (s == NULL)
        return;
    job_init(&j, s, 1);
    CHECK(store_durable_commit(s, &j.job) == 0, "a job");
    CHECK(file_size(dir, "conclave.db-wal") > 0 && shm_other_pages(dir) > 0,
          "its pages are in the WAL and their numbers in the index");
    store_durable_tick(s);
    CHECK(file_size(dir, "conclave.db-wal") > 0, "the tick right after: still there");
    store_durable_tick(s);
    others = shm_other_pages(dir);
    snprintf(what, sizeof what, "the next tick (the commits paused): the index lists "
             "page 1 only (%d other entries)", others);
    CHECK(file_size(dir, "conclave.db-wal") == 0, "the next tick: the WAL is truncated");
    CHECK(others == 0, what);
    store_durable_stats(s, &stats);
    CHECK(stats.truncations == 1, "one truncation");
    store_durable_tick(s);
    store_durable_tick(s);
    store_durable_stats(s, &stats);
    CHECK(stats.truncations == 1, "no commit since: no more truncations");
    CHECK(query_int(s, "SELECT count(*) FROM t") == 1, "the row is in the database file");
    store_durable_stop(s);
    store_close(s);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Commits that keep coming, one each tick (250 ms): the WAL is truncated
 * once the first of them is 10 s old (counted in whole seconds), not
 * before. */
static void test_truncation_while_busy(void)
{
    struct store_durable_stats stats;
    struct test_job j;
    char dir[256], what[160];
    struct store *s = open_fresh(dir, sizeof dir, "busy");
    double t0 = 0, at = -1;
    long long i;

    CHECK(s != NULL && store_durable_start(s) == 0, "open a store for continuous commits");
    if (s == NULL)
        return;
    for (i = 0; at < 0 && (i == 0 || now_s() - t0 < 14); i++) {
        job_init(&j, s, i);
        if (store_durable_commit(s, &j.job) != 0)
            break;
        if (i == 0)
            t0 = now_s();
        store_durable_tick(s);
        store_durable_stats(s, &stats);
        if (stats.truncations > 0)
            at = now_s() - t0;
        sleep_ms(250);
    }
    snprintf(what, sizeof what, "the WAL is truncated after 9 to 12 s of commits without a "
             "pause (%.2f s)", at);
    CHECK(at >= 9 && at <= 12, what);
    store_durable_stop(s);
    store_close(s);
}

/* The raw file holds the 16-byte MARK? */
static int file_has(const char *dir, const char *file, const unsigned char *mark, size_t n)
{
    char p[512];
    size_t len = 0, i;
    char *raw;
    int found = 0;

    snprintf(p, sizeof p, "%s/%s", dir, file);
    if ((raw = harness_read_file(p, &len)) == NULL)
        return -1;
    for (i = 0; i + n <= len && !found; i++)
        found = memcmp(raw + i, mark, n) == 0;
    free(raw);
    return found;
}

struct reader {
    const char *dir;
    volatile int holding, release;
};

/* Holds a read transaction on another connection until told to stop: a
 * TRUNCATE checkpoint cannot get past it. */
static void *hold_reader(void *arg)
{
    struct reader *r = arg;
    char p[512];
    sqlite3 *db = NULL;

    snprintf(p, sizeof p, "%s/conclave.db", r->dir);
    if (sqlite3_open(p, &db) == SQLITE_OK &&
        sqlite3_exec(db, "BEGIN; SELECT count(*) FROM t", NULL, NULL, NULL) == SQLITE_OK) {
        r->holding = 1;
        while (!r->release)
            sleep_ms(10);
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    r->holding = r->holding ? 2 : -1;
    sqlite3_close(db);
    return NULL;
}

/* The compaction after a close: the rows deleted before it are nowhere in the
 * file after it; when a reader in another connection keeps it from running,
 * it fails, and the ticks retry it until it succeeds, once. */
static void test_compaction(void)
{
    static const unsigned char mark[16] = "conclave-MARK-01";
    struct store_durable_stats stats;
    struct reader rd;
    pthread_t th;
    char dir[256];
    struct store *s = open_fresh(dir, sizeof dir, "compact");

    CHECK(s != NULL && store_durable_start(s) == 0, "open a store to compact");
    if (s == NULL)
        return;
    CHECK(exec_sql(s, "PRAGMA secure_delete=OFF; INSERT INTO t VALUES (1),"
                      "(x'636f6e636c6176652d4d41524b2d3031'); DELETE FROM t WHERE x <> 1") == 0,
          "a row written and deleted (without zeroing it)");
    memset(&rd, 0, sizeof rd);
    rd.dir = dir;
    CHECK(pthread_create(&th, NULL, hold_reader, &rd) == 0, "a reader holds a snapshot");
    while (rd.holding == 0)
        sleep_ms(1);
    CHECK(store_checkpoint_ahead(s) == 0 && file_has(dir, "conclave.db", mark, 16) == 1,
          "its bytes are in the database file");
    CHECK(store_durable_compact(s, "test") == -1, "the compaction cannot run past it");
    rd.release = 1;
    pthread_join(th, NULL);
    store_durable_stats(s, &stats);
    CHECK(stats.compactions == 0 && file_has(dir, "conclave.db", mark, 16) == 1,
          "nothing compacted yet");
    store_durable_tick(s);
    store_durable_stats(s, &stats);
    CHECK(stats.compactions == 1, "the next tick retried it, and it ran");
    CHECK(file_has(dir, "conclave.db", mark, 16) == 0, "the deleted row is gone from the file");
    CHECK(file_size(dir, "conclave.db-wal") == 0, "the WAL is empty");
    store_durable_tick(s);
    store_durable_stats(s, &stats);
    CHECK(stats.compactions == 1, "done once: the ticks after do not compact again");
    store_durable_stop(s);
    store_close(s);
}

int main(void)
{
    char cmd[300];

    if (mkdtemp(tmp_root) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_not_started();
    test_durable_on_return();
    test_group_commit();
    test_failed_group();
    test_truncation();
    test_compaction();
    test_truncation_while_busy();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp_root);
    TEST_MAIN_END("test_store_durable");
}
