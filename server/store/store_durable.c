/*
 * store_durable.c — durability and the erasure of page history (see
 * store_durable.h): the group commit with its committer and syncer threads,
 * the checkpointer, the WAL's truncation and the clearing of its index, and
 * the compactions after a close and at start-up.
 *
 * Group commit. Callers (the HTTP threads' casts) queue a job and sleep. The
 * committer takes every job queued so far and applies each in one write
 * transaction (each job keeps its own savepoint), commits once, and hands the
 * group to the syncer. The group's COMMIT runs with synchronous=NORMAL (in
 * WAL mode it then writes the frames without syncing) and the syncer
 * fdatasyncs the WAL itself, outside the store's lock: the other threads read
 * the store during the disk flush instead of queueing behind it, and the
 * committer runs the next group's transaction meanwhile (groups pipeline).
 * One fdatasync covers every group committed before it began; only then are
 * that group's callers woken. A checkpoint syncs the WAL before it copies
 * frames, so one that runs in between loses nothing. Other transactions keep
 * synchronous=FULL: the level is switched only while the committer holds the
 * store's lock.
 *
 * Erasure. A group that stored rows marks the WAL dirty; store_durable_tick
 * truncates it once the casts pause (or every 10 s), then commits page 1
 * alone and truncates again, which zeroes the index's first block: the -shm
 * file then lists page 1 only, not the pages each cast wrote.
 *
 * Lock order: the store's lock, then the module's mutexes (the WAL hook runs
 * inside a commit, with the store's lock held, and takes ck_mu); never the
 * store's lock while holding one of them.
 */
#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heap.h"
#include "log.h"
#include "store_durable.h"
#include "store_int.h"
#include "store_read.h"

/* Under continuous casting, the WAL is truncated at least this often. */
#define DURABLE_TRUNCATE_MAX_S 10
#define DURABLE_WHAT_MAX 64
#define DURABLE_COMPACT_DELAY_MAX_MS 60000

struct store_durable {
    struct store *st;
    pthread_mutex_t mu;             /* guards the queue, the schedule, stats */
    pthread_cond_t work;            /* the committer waits for jobs */
    pthread_cond_t sync_work;       /* the syncer waits for committed jobs */
    struct store_job *head, *tail;  /* queued, for the committer */
    struct store_job *unsynced;     /* committed, for the syncer */
    int stop;
    int committer_done;             /* the committer has ended (stop) */
    int dirty;                      /* rows stored since the last truncation */
    int recent;                     /* rows stored since the last tick */
    struct timespec dirty_since;    /* when dirty was set */
    struct store_durable_stats stats;
    int wal_fd;                     /* the WAL, synced after each group; -1: */
    int sync_level;                 /* COMMIT syncs (the store's level) */
    pthread_t committer, syncer, checkpointer;
    pthread_mutex_t ck_mu;          /* guards ck_pending and ck_stop */
    pthread_cond_t ck_cv;
    int ck_pending, ck_stop;
    /* A compaction after a close that failed, to retry (its WHAT), or "".
     * Only the thread that closes polls and ticks touches it. */
    char compact_due[DURABLE_WHAT_MAX];
};

/* --- checkpoints and compactions ------------------------------------------ */

/* Opens a connection of its own to PATH (for one thread at a time), with the
 * store's busy timeout, synced commits and PRAGMAS; 0, or -1 with *OUT NULL. */
static int durable_open_aux(const char *path, const char *pragmas, sqlite3 **out)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;

    if (sqlite3_open_v2(path, out, flags, NULL) != SQLITE_OK ||
        sqlite3_extended_result_codes(*out, 1) != SQLITE_OK ||
        store_busy_set(*out, STORE_BUSY_MS) != 0 ||
        sqlite3_exec(*out, "PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK ||
        (pragmas != NULL && sqlite3_exec(*out, pragmas, NULL, NULL, NULL) != SQLITE_OK)) {
        sqlite3_close(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

int store_checkpoint_ahead(struct store *s)
{
    int rc = -1;

    pthread_mutex_lock(&s->side_mu);
    if (s->side == NULL && durable_open_aux(s->path, NULL, &s->side) != 0)
        goto out;
    /* the primary code: with extended codes on, a busy checkpoint may say
     * SQLITE_BUSY_* */
    switch (sqlite3_wal_checkpoint_v2(s->side, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) &
            0xff) {
    case SQLITE_OK:
    case SQLITE_BUSY:           /* another connection is checkpointing */
        rc = 0;
        break;
    default:
        break;
    }
out:
    pthread_mutex_unlock(&s->side_mu);
    return rc;
}

/* Checkpoints and truncates the WAL (store lock held). 0 or -1. */
static int durable_truncate(struct store *s)
{
    return sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) ==
           SQLITE_OK ? 0 : -1;
}

/*
 * A truncated WAL's index (the -shm file) still lists the page numbers of
 * its frames, commit after commit: which pages each cast wrote (SECURITY.md).
 * SQLite zeroes an index block when it appends the block's first frame, so
 * one commit of page 1 alone (the header, by its user_version, which nothing
 * else uses) and a second truncation leave page 1 as the only number in the
 * first block, that of frames 1 to 4062. Store lock held. 0 or -1.
 */
static int durable_clear_index(struct store *s)
{
    if (sqlite3_exec(s->db, "PRAGMA user_version = 0", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    return durable_truncate(s);
}

int store_compact(struct store *s, int vacuum)
{
    int rc = CV_ERROR;

    store_lock(s);
    if (durable_truncate(s) != 0 || durable_clear_index(s) != 0)
        goto out;
    if (vacuum && (sqlite3_exec(s->db, "VACUUM", NULL, NULL, NULL) != SQLITE_OK ||
                   durable_truncate(s) != 0))
        goto out;
    rc = 0;
out:
    store_unlock(s);
    return rc;
}

/*
 * TEST ONLY: CONCLAVE_TEST_COMPACT_DELAY_MS=N makes store_compact_detached
 * wait N ms between its VACUUM and its last checkpoint, so that
 * tests/integration/test_polls.py can ask for the result while a compaction
 * runs. Compiled only into the test build (-DCONCLAVE_TEST: `conclave-test`,
 * Makefile); the production binary reads no such variable. It changes nothing
 * but the timing.
 */
#ifdef CONCLAVE_TEST
static void durable_compact_test_delay(void)
{
    const char *v = getenv("CONCLAVE_TEST_COMPACT_DELAY_MS");
    long ms = v != NULL ? strtol(v, NULL, 10) : 0;
    struct timespec ts;

    if (ms <= 0 || ms > DURABLE_COMPACT_DELAY_MAX_MS)
        return;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}
#else
#define durable_compact_test_delay() ((void)0)
#endif

/* The compaction's steps on its own connection DB: checkpoint, VACUUM,
 * checkpoint. */
static int durable_compact_run(sqlite3 *db)
{
    if (sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(db, "VACUUM", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    durable_compact_test_delay();
    if (sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) !=
            SQLITE_OK)
        return -1;
    return 0;
}

int store_compact_detached(struct store *s)
{
    sqlite3 *db = NULL;
    int rc;

    store_gate_set(s, 1);
    /* secure_delete: VACUUM hands it on to the rebuilt file. */
    rc = durable_open_aux(s->path, "PRAGMA secure_delete=ON", &db) == 0 &&
         durable_compact_run(db) == 0 ? 0 : -1;
    sqlite3_close(db);
    store_gate_set(s, 0);
    return rc;
}

/* The WAL hook of store_watch_wal. */
static int durable_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    struct store *s = arg;

    (void)db;
    (void)name;
    s->wal_fn(s->wal_arg, frames);
    return SQLITE_OK;
}

int store_watch_wal(struct store *s, void (*fn)(void *arg, int frames), void *arg)
{
    int rc;

    store_lock(s);
    s->wal_fn = fn;
    s->wal_arg = arg;
    if (fn != NULL) {
        sqlite3_wal_hook(s->db, durable_wal_hook, s);
        rc = 0;
    } else {
        rc = sqlite3_wal_autocheckpoint(s->db, STORE_WAL_FRAMES) == SQLITE_OK ? 0 : -1;
    }
    store_unlock(s);
    return rc;
}

/* --- the checkpointer thread ---------------------------------------------- */

/* store_watch_wal's callback, after each commit with the store's lock held:
 * wakes the checkpointer once the WAL is long. */
static void durable_wal_long(void *arg, int frames)
{
    struct store_durable *d = arg;

    if (frames < STORE_WAL_FRAMES)
        return;
    pthread_mutex_lock(&d->ck_mu);
    if (!d->ck_pending) {
        d->ck_pending = 1;
        pthread_cond_signal(&d->ck_cv);
    }
    pthread_mutex_unlock(&d->ck_mu);
}

/* Copies a long WAL from the side connection, which takes no lock of the
 * store's and never waits for a writer or a reader: frames still in a
 * reader's snapshot are left for the next time. */
static void *durable_checkpointer(void *arg)
{
    struct store_durable *d = arg;

    log_name_thread("checkpointer");
    for (;;) {
        pthread_mutex_lock(&d->ck_mu);
        while (!d->ck_pending && !d->ck_stop)
            pthread_cond_wait(&d->ck_cv, &d->ck_mu);
        if (d->ck_stop) {
            pthread_mutex_unlock(&d->ck_mu);
            return NULL;
        }
        d->ck_pending = 0;
        pthread_mutex_unlock(&d->ck_mu);
        if (store_checkpoint_ahead(d->st) != 0)
            log_warn("WAL checkpoint failed; will retry");
    }
}

/* --- group commit ---------------------------------------------------------- */

/* Takes every queued job; NULL once stopping with nothing left. */
static struct store_job *durable_take(struct store_durable *d)
{
    struct store_job *jobs;

    pthread_mutex_lock(&d->mu);
    while (d->head == NULL && !d->stop)
        pthread_cond_wait(&d->work, &d->mu);
    jobs = d->head;
    d->head = d->tail = NULL;
    pthread_mutex_unlock(&d->mu);
    return jobs;
}

/* Sets the connection's synchronous level (store lock held; no transaction). */
static int durable_sync_level(struct store *s, int level)
{
    char sql[40];

    snprintf(sql, sizeof sql, "PRAGMA synchronous=%d", level);
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* The group's transaction: CV_OK once committed (CV_ERROR if not), and *KEPT
 * if a job stored rows.
 * The store's lock is held around it, so that what the jobs change in memory
 * changes with the commit, atomically for anyone else holding that lock. */
static enum cv_err durable_transact(struct store_durable *d, struct store_job *jobs,
                                    int *kept)
{
    struct store *s = d->st;
    int64_t now = (int64_t)time(NULL);
    int own_sync = d->wal_fd >= 0;
    enum cv_err rc;
    struct store_job *j;

    store_lock(s);
    if ((own_sync && durable_sync_level(s, 1) != 0) || store_begin(s) != 0) {
        if (own_sync)
            durable_sync_level(s, d->sync_level);
        store_unlock(s);
        return CV_ERROR;
    }
    assert(store_in_tx(s));
    for (j = jobs; j; j = j->next)
        *kept |= j->apply(j, now);
    if ((rc = store_commit(s) == 0 ? CV_OK : CV_ERROR) != CV_OK)
        for (j = jobs; j; j = j->next)
            if (j->undo != NULL)
                j->undo(j);
    if (own_sync && durable_sync_level(s, d->sync_level) != 0)
        log_warn("cannot restore the store's synchronous level");
    store_unlock(s);
    return rc;
}

/* Notes a commit that stored rows: their page history is to be erased. */
static void durable_note(struct store_durable *d)
{
    pthread_mutex_lock(&d->mu);
    if (!d->dirty)
        clock_gettime(CLOCK_MONOTONIC, &d->dirty_since);
    d->dirty = d->recent = 1;
    pthread_mutex_unlock(&d->mu);
}

/* One transaction for the whole group; every job's ok says whether it
 * committed. CV_OK if committed (not yet durable when wal_fd >= 0), else
 * CV_ERROR. */
static enum cv_err durable_commit_group(struct store_durable *d, struct store_job *jobs)
{
    struct store_job *j;
    int kept = 0, ok = durable_transact(d, jobs, &kept) == CV_OK;

    if (!ok)
        log_error("cannot commit a group of casts");
    for (j = jobs; j; j = j->next)
        j->ok = ok;
    pthread_mutex_lock(&d->mu);
    d->stats.groups += (unsigned long)ok;
    pthread_mutex_unlock(&d->mu);
    if (ok && kept)
        durable_note(d);
    return ok ? CV_OK : CV_ERROR;
}

/* Hands every job of JOBS back to its caller (d->mu held). */
static void durable_wake(struct store_job *jobs)
{
    struct store_job *j, *next;

    for (j = jobs; j; j = next) {
        next = j->next;             /* j belongs to its caller once done */
        assert(!j->done);           /* handed back once */
        j->done = 1;
        pthread_cond_signal(&j->woken);     /* only that caller wakes */
    }
}

/* Appends committed JOBS to what the syncer will make durable. */
static void durable_hand_over(struct store_durable *d, struct store_job *jobs)
{
    struct store_job *last = jobs;

    while (last->next)
        last = last->next;
    pthread_mutex_lock(&d->mu);
    last->next = d->unsynced;
    d->unsynced = jobs;
    pthread_cond_signal(&d->sync_work);
    pthread_mutex_unlock(&d->mu);
}

/* Commits group after group. Where it syncs the WAL itself, the syncer
 * thread does the fdatasync and wakes the callers, so the next group's
 * transaction runs during the previous group's disk flush. */
static void *durable_committer(void *arg)
{
    struct store_durable *d = arg;
    struct store_job *jobs;

    log_name_thread("committer");
    while ((jobs = durable_take(d)) != NULL) {
        if (durable_commit_group(d, jobs) == CV_OK && d->wal_fd >= 0) {
            durable_hand_over(d, jobs);
            continue;
        }
        pthread_mutex_lock(&d->mu);
        durable_wake(jobs);
        pthread_mutex_unlock(&d->mu);
    }
    pthread_mutex_lock(&d->mu);
    d->committer_done = 1;
    pthread_cond_signal(&d->sync_work);
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

/* Makes committed groups durable: one fdatasync of the WAL covers every
 * group committed before it started; only then are their callers woken
 * (a 201 only for a durable ballot). Ends after the committer. */
static void *durable_syncer(void *arg)
{
    struct store_durable *d = arg;
    struct store_job *jobs, *j;
    int ok;

    log_name_thread("syncer");
    for (;;) {
        pthread_mutex_lock(&d->mu);
        while (d->unsynced == NULL && !d->committer_done)
            pthread_cond_wait(&d->sync_work, &d->mu);
        jobs = d->unsynced;
        d->unsynced = NULL;
        pthread_mutex_unlock(&d->mu);
        if (jobs == NULL)
            return NULL;
        if (!(ok = fdatasync(d->wal_fd) == 0))
            log_error("cannot sync a group of casts");
        pthread_mutex_lock(&d->mu);
        d->stats.syncs += (unsigned long)ok;
        for (j = jobs; j && !ok; j = j->next)
            j->ok = 0;              /* stored but maybe not durable */
        durable_wake(jobs);
        pthread_mutex_unlock(&d->mu);
    }
}

int store_durable_commit(struct store *s, struct store_job *job)
{
    struct store_durable *d = s->dur;

    if (d == NULL)
        return -1;
    job->next = NULL;
    job->done = job->ok = 0;
    pthread_cond_init(&job->woken, NULL);
    pthread_mutex_lock(&d->mu);
    if (d->tail)
        d->tail->next = job;
    else
        d->head = job;
    d->tail = job;
    pthread_cond_signal(&d->work);
    while (!job->done)
        pthread_cond_wait(&job->woken, &d->mu);
    pthread_mutex_unlock(&d->mu);
    pthread_cond_destroy(&job->woken);
    return job->ok ? 0 : -1;
}

/* --- starting and stopping ------------------------------------------------- */

/* Opens the store's WAL file for the syncer's fdatasync when the store syncs
 * every commit (FULL or EXTRA) in WAL mode; else wal_fd stays -1 and COMMIT
 * syncs (or not) as the store says. */
static void durable_open_wal(struct store_durable *d)
{
    struct store *s = d->st;
    sqlite3_stmt *st = NULL;
    const char *db;
    char path[STORE_PATH_MAX + 8];

    d->wal_fd = -1;
    store_lock(s);
    if (sqlite3_prepare_v2(s->db, "PRAGMA synchronous", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        d->sync_level = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    db = sqlite3_db_filename(s->db, "main");
    if (d->sync_level >= 2 && db != NULL && db[0] != '\0' &&
        snprintf(path, sizeof path, "%s-wal", db) < (int)sizeof path)
        d->wal_fd = open(path, O_RDONLY | O_CLOEXEC);
    store_unlock(s);
}

static void durable_free(struct store_durable *d)
{
    if (d->wal_fd >= 0)
        close(d->wal_fd);
    pthread_cond_destroy(&d->ck_cv);
    pthread_mutex_destroy(&d->ck_mu);
    pthread_cond_destroy(&d->sync_work);
    pthread_cond_destroy(&d->work);
    pthread_mutex_destroy(&d->mu);
    free(d);
}

/* Ends the committer (after the queued jobs) and then the syncer. */
static void durable_end_commits(struct store_durable *d, int committer_started)
{
    pthread_mutex_lock(&d->mu);
    d->stop = 1;
    if (!committer_started)
        d->committer_done = 1;
    pthread_cond_signal(&d->work);
    pthread_cond_signal(&d->sync_work);
    pthread_mutex_unlock(&d->mu);
    if (committer_started)
        pthread_join(d->committer, NULL);
    pthread_join(d->syncer, NULL);      /* it ends after the committer */
}

/* Ends the checkpointer thread. */
static void durable_end_checkpointer(struct store_durable *d)
{
    pthread_mutex_lock(&d->ck_mu);
    d->ck_stop = 1;
    pthread_cond_signal(&d->ck_cv);
    pthread_mutex_unlock(&d->ck_mu);
    pthread_join(d->checkpointer, NULL);
}

/* Starts the three threads; on failure none runs. 0 or -1. */
static int durable_threads(struct store_durable *d)
{
    if (pthread_create(&d->syncer, NULL, durable_syncer, d) != 0)
        return -1;
    if (pthread_create(&d->committer, NULL, durable_committer, d) != 0) {
        durable_end_commits(d, 0);
        return -1;
    }
    if (pthread_create(&d->checkpointer, NULL, durable_checkpointer, d) != 0) {
        durable_end_commits(d, 1);
        return -1;
    }
    if (store_watch_wal(d->st, durable_wal_long, d) != 0) {
        durable_end_checkpointer(d);
        durable_end_commits(d, 1);
        return -1;
    }
    return 0;
}

int store_durable_start(struct store *s)
{
    struct store_durable *d;

    if (s->dur != NULL || (d = calloc(1, sizeof *d)) == NULL)
        return -1;
    d->st = s;
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->work, NULL);
    pthread_cond_init(&d->sync_work, NULL);
    pthread_mutex_init(&d->ck_mu, NULL);
    pthread_cond_init(&d->ck_cv, NULL);
    durable_open_wal(d);
    if (durable_threads(d) != 0) {
        durable_free(d);
        return -1;
    }
    s->dur = d;
    return 0;
}

void store_durable_stop(struct store *s)
{
    struct store_durable *d = s != NULL ? s->dur : NULL;

    if (d == NULL)
        return;
    durable_end_commits(d, 1);
    if (store_watch_wal(s, NULL, NULL) != 0)
        log_warn("cannot restore the WAL autocheckpoint");
    durable_end_checkpointer(d);
    s->dur = NULL;
    durable_free(d);
}

/* --- erasing the page history ---------------------------------------------- */

/* 1 if the WAL is due for truncation (d->mu held): rows were stored since
 * the last one, and either none in the last tick (the casts paused) or the
 * oldest has waited DURABLE_TRUNCATE_MAX_S (they keep coming). */
static int durable_truncation_due(struct store_durable *d)
{
    struct timespec now;
    int recent = d->recent;

    d->recent = 0;
    if (!d->dirty)
        return 0;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return !recent || now.tv_sec - d->dirty_since.tv_sec >= DURABLE_TRUNCATE_MAX_S;
}

/* Truncates the WAL and clears its index if due. */
static void durable_erase_casts(struct store_durable *d)
{
    int due, ok;

    pthread_mutex_lock(&d->mu);
    if ((due = durable_truncation_due(d)) != 0)
        d->dirty = 0;
    pthread_mutex_unlock(&d->mu);
    if (!due)
        return;
    /* The copying first, from the store's side connection: the casts go on
     * meanwhile. Then, under the lock, the last frames and the truncation. */
    if (store_checkpoint_ahead(d->st) != 0)
        log_warn("WAL checkpoint (ahead of the lock) failed");
    if (!(ok = store_compact(d->st, 0) == 0))
        log_warn("WAL checkpoint failed; will retry");
    pthread_mutex_lock(&d->mu);
    if (ok)
        d->stats.truncations++;
    else
        d->dirty = 1;
    pthread_mutex_unlock(&d->mu);
}

void store_durable_tick(struct store *s)
{
    struct store_durable *d = s->dur;

    if (d == NULL)
        return;
    if (d->compact_due[0] != '\0') {
        char what[DURABLE_WHAT_MAX];

        memcpy(what, d->compact_due, sizeof what);
        (void)store_durable_compact(s, what);
        heap_release();             /* the compaction's connection and cache */
    }
    durable_erase_casts(d);
}

static double durable_ms_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

int store_durable_compact(struct store *s, const char *what)
{
    struct store_durable *d = s->dur;
    struct timespec t0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (store_compact_detached(s) != 0) {
        if (d != NULL)
            snprintf(d->compact_due, sizeof d->compact_due, "%s", what);
        log_warn("%s: could not compact the database after the close; will retry", what);
        return -1;
    }
    if (d != NULL) {
        d->compact_due[0] = '\0';
        pthread_mutex_lock(&d->mu);
        d->stats.compactions++;
        pthread_mutex_unlock(&d->mu);
    }
    log_info("%s: database compacted in %.0f ms", what, durable_ms_since(&t0));
    return 0;
}

int store_durable_recover(struct store *s)
{
    return store_compact(s, 1);
}

void store_durable_stats(struct store *s, struct store_durable_stats *out)
{
    struct store_durable *d = s->dur;

    memset(out, 0, sizeof *out);
    if (d == NULL)
        return;
    pthread_mutex_lock(&d->mu);
    *out = d->stats;
    pthread_mutex_unlock(&d->mu);
}
