/*
 * ballotbox.c — the cast path and its group-committing writer thread.
 *
 * Caller threads (HTTP workers) do everything that needs no lock: parse the
 * ballot, check it against the cached poll record, verify its proofs. They
 * then queue a cast job and sleep. The committer thread takes every job
 * queued so far, applies each under its own savepoint in one transaction
 * (the stateful rules: closed, withdrawn, already voted, replaces, used tags and
 * alphas), commits once, and wakes the callers with their results. A job's
 * caller answers 201 only after that commit is on disk.
 *
 * The commit's fsync is done outside the store's lock: the committer runs the
 * group's transaction with synchronous=NORMAL (in WAL mode, COMMIT then writes
 * the frames without syncing), releases the lock, and fdatasyncs the WAL file
 * itself before waking the callers. So the other HTTP workers can read the
 * store (tokens, who voted) during the disk flush instead of queueing behind
 * it. A WAL checkpoint syncs the WAL before it copies frames, so one that
 * runs in between loses nothing. Other transactions keep synchronous=FULL:
 * the level is switched only while the committer holds the lock.
 *
 * That fdatasync is the syncer thread's: the committer hands it each
 * committed group and goes on to the next group's transaction while the
 * disk flushes; one fdatasync covers every group committed before it began.
 * Groups of casts thus pipeline (transaction of group N+1 during the sync of
 * group N) instead of alternating, and the casts' HTTP threads keep
 * verifying. The syncer alone wakes the callers of those groups.
 *
 * Poll records never change once opened, so parsed records are cached here
 * by poll id (and dropped at the close).
 *
 * Each cached poll also keeps the running aggregate of its counted ballots
 * (tally.h: A_j = Σ α_j, B_j = Σ β_j, N), so that the close decrypts it
 * without reading every ballot. The committer changes it with each commit,
 * holding the store's lock from before BEGIN until the aggregate matches
 * what was committed; the close reads it under the same lock. It is NULL
 * (unknown) when the poll already had ballots when this process loaded it
 * (a restart) or after a failed commit; the close then sums the stored
 * ballots itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ballot.h"
#include "ballotbox.h"
#include "heap.h"
#include "log.h"
#include "record.h"
#include "sign.h"
#include "store_int.h"
#include "store_poll.h"
#include "tally.h"

/* Under continuous casting, the WAL is truncated at least this often. */
#define BOX_TRUNCATE_MAX_S 10

struct box_poll {
    char id[STORE_POLL_ID_MAX + 1];
    struct record *rec;
    int64_t closes_at;
    struct tally *agg;              /* running aggregate, NULL if unknown */
    unsigned refs;                  /* the list's and each cast's (box->mu) */
    struct box_poll *next;
};

static void box_poll_free(struct box_poll *p);

struct box_job {
    struct store_cast cast;
    struct box_poll *poll;          /* referenced by the caller */
    const struct ballot *ballot;
    enum store_cast_result result;
    int done;
    pthread_cond_t woken;           /* its caller waits here (box->mu) */
    struct box_job *next;
};

struct ballotbox {
    struct store *st;
    const struct sign_key *key;
    pthread_mutex_t load_mu;        /* one poll loaded at a time (before mu) */
    pthread_mutex_t mu;             /* guards everything below */
    pthread_cond_t work;            /* the committer waits for jobs */
    pthread_cond_t sync_work;       /* the syncer waits for committed jobs */
    struct box_job *head, *tail;    /* queued, for the committer */
    struct box_job *unsynced;       /* committed, for the syncer */
    int stop;
    int committer_done;             /* the committer has ended (stop) */
    int dirty;                      /* ballots stored since the last truncation */
    int recent;                     /* ballots stored since the last tick */
    struct timespec dirty_since;    /* when dirty was set */
    pthread_t committer;
    pthread_t syncer;
    sem_t verifiers;                /* one per core: see box_verify */
    struct box_poll *polls;
    int wal_fd;                     /* the WAL, synced after each group; -1: */
    int sync_level;                 /* COMMIT syncs (the store's level) */
};

/* Takes every queued job; NULL once stopping with nothing left. */
static struct box_job *box_take(struct ballotbox *box)
{
    struct box_job *jobs;

    pthread_mutex_lock(&box->mu);
    while (box->head == NULL && !box->stop)
        pthread_cond_wait(&box->work, &box->mu);
    jobs = box->head;
    box->head = box->tail = NULL;
    pthread_mutex_unlock(&box->mu);
    return jobs;
}

/* Forgets a poll's aggregate: the close will sum the stored ballots. */
static void box_agg_drop(struct box_poll *p)
{
    tally_free(p->agg);
    p->agg = NULL;
}

/* The replaced ballot of job J, parsed (NULL if J replaces nothing); read
 * before J's cast deletes it. Sets *bad when it cannot be had. */
static struct ballot *box_replaced(struct ballotbox *box, const struct box_job *j, int *bad)
{
    struct ballot *old = NULL;
    char *text = NULL;

    if (j->cast.replaces_tag == NULL || j->poll->agg == NULL)
        return NULL;
    if (store_poll_ballot_by_tag(box->st, j->poll->id, j->cast.replaces_tag, &text) == 0 &&
        ballot_parse(text, strlen(text), BALLOT_FORM_BOARD, &old) != PROTO_OK)
        old = NULL;
    *bad = old == NULL;         /* the cast then fails as REPLACES, or we sum later */
    free(text);
    return old;
}

/* Applies job J in the open transaction and counts it in its poll's
 * aggregate (the store lock is held, so the close cannot look meanwhile). */
static int box_apply(struct ballotbox *box, struct box_job *j, int64_t now)
{
    int bad = 0;
    struct ballot *old = box_replaced(box, j, &bad);

    j->result = store_cast_apply(box->st, &j->cast, now);
    if (j->result == STORE_CAST_OK && j->poll->agg != NULL &&
        (bad || (old != NULL && tally_remove(j->poll->agg, old) != 0) ||
         tally_add(j->poll->agg, j->ballot) != 0))
        box_agg_drop(j->poll);
    ballot_free(old);
    return j->result == STORE_CAST_OK;
}

/* Sets the connection's synchronous level (store lock held; no transaction). */
static int box_sync_level(struct ballotbox *box, int level)
{
    char sql[40];

    snprintf(sql, sizeof sql, "PRAGMA synchronous=%d", level);
    return sqlite3_exec(store_db(box->st), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* The group's transaction, with the aggregates counted; 1 if committed. The
 * store lock is held around it so that the aggregates change with the
 * commit, atomically for anyone else holding that lock. */
static int box_transact(struct ballotbox *box, struct box_job *jobs, int *any)
{
    int64_t now = (int64_t)time(NULL);
    int own_sync = box->wal_fd >= 0, ok;
    struct box_job *j;

    store_lock(box->st);
    if ((own_sync && box_sync_level(box, 1) != 0) || store_begin(box->st) != 0) {
        if (own_sync)
            box_sync_level(box, box->sync_level);
        store_unlock(box->st);
        return 0;
    }
    for (j = jobs; j; j = j->next)
        *any |= box_apply(box, j, now);
    if (!(ok = store_commit(box->st) == 0))
        for (j = jobs; j; j = j->next)
            box_agg_drop(j->poll);  /* it counted casts that were rolled back */
    if (own_sync && box_sync_level(box, box->sync_level) != 0)
        log_warn("cannot restore the store's synchronous level");
    store_unlock(box->st);
    return ok;
}

/* One transaction for the whole group; on failure every job's result is
 * STORE_CAST_ERROR. 1 if committed (not yet durable when wal_fd >= 0). */
static int box_commit_group(struct ballotbox *box, struct box_job *jobs)
{
    struct box_job *j;
    int any = 0, ok = box_transact(box, jobs, &any);

    if (!ok) {
        log_error("cannot commit a group of casts");
        for (j = jobs; j; j = j->next)
            j->result = STORE_CAST_ERROR;
    }
    if (any && ok) {
        pthread_mutex_lock(&box->mu);
        if (!box->dirty)
            clock_gettime(CLOCK_MONOTONIC, &box->dirty_since);
        box->dirty = box->recent = 1;
        pthread_mutex_unlock(&box->mu);
    }
    return ok;
}

/* Hands every job of JOBS back to its caller (box->mu held). */
static void box_wake(struct box_job *jobs)
{
    struct box_job *j, *next;

    for (j = jobs; j; j = next) {
        next = j->next;             /* j belongs to its caller once done */
        j->done = 1;
        pthread_cond_signal(&j->woken);     /* only that caller wakes */
    }
}

/* Appends committed JOBS to what the syncer will make durable. */
static void box_hand_over(struct ballotbox *box, struct box_job *jobs)
{
    struct box_job *last = jobs;

    while (last->next)
        last = last->next;
    pthread_mutex_lock(&box->mu);
    last->next = box->unsynced;
    box->unsynced = jobs;
    pthread_cond_signal(&box->sync_work);
    pthread_mutex_unlock(&box->mu);
}

/* Commits group after group. Where it syncs the WAL itself, the syncer
 * thread does the fdatasync and wakes the callers, so the next group's
 * transaction runs during the previous group's disk flush. */
static void *box_committer(void *arg)
{
    struct ballotbox *box = arg;
    struct box_job *jobs;

    log_name_thread("committer");
    while ((jobs = box_take(box)) != NULL) {
        if (box_commit_group(box, jobs) && box->wal_fd >= 0) {
            box_hand_over(box, jobs);
            continue;
        }
        pthread_mutex_lock(&box->mu);
        box_wake(jobs);
        pthread_mutex_unlock(&box->mu);
    }
    pthread_mutex_lock(&box->mu);
    box->committer_done = 1;
    pthread_cond_signal(&box->sync_work);
    pthread_mutex_unlock(&box->mu);
    return NULL;
}

/* Makes committed groups durable: one fdatasync of the WAL covers every
 * group committed before it started; only then are their callers woken
 * (a 201 only for a durable ballot). Ends after the committer. */
static void *box_syncer(void *arg)
{
    struct ballotbox *box = arg;
    struct box_job *jobs, *j;
    int ok;

    log_name_thread("syncer");
    for (;;) {
        pthread_mutex_lock(&box->mu);
        while (box->unsynced == NULL && !box->committer_done)
            pthread_cond_wait(&box->sync_work, &box->mu);
        jobs = box->unsynced;
        box->unsynced = NULL;
        pthread_mutex_unlock(&box->mu);
        if (jobs == NULL)
            return NULL;
        if (!(ok = fdatasync(box->wal_fd) == 0))
            log_error("cannot sync a group of casts");
        pthread_mutex_lock(&box->mu);
        for (j = jobs; j && !ok; j = j->next)
            j->result = STORE_CAST_ERROR;  /* stored but maybe not durable */
        box_wake(jobs);
        pthread_mutex_unlock(&box->mu);
    }
}

/* Opens the store's WAL file for the committer's fdatasync when the store
 * syncs every commit (FULL or EXTRA) in WAL mode; else wal_fd stays -1 and
 * COMMIT syncs (or not) as the store says. */
static void box_open_wal(struct ballotbox *box)
{
    sqlite3_stmt *st = NULL;
    const char *db;
    char path[4096];

    box->wal_fd = -1;
    store_lock(box->st);
    if (sqlite3_prepare_v2(store_db(box->st), "PRAGMA synchronous", -1, &st, NULL) ==
            SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        box->sync_level = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    db = sqlite3_db_filename(store_db(box->st), "main");
    if (box->sync_level >= 2 && db != NULL && db[0] != '\0' &&
        snprintf(path, sizeof path, "%s-wal", db) < (int)sizeof path)
        box->wal_fd = open(path, O_RDONLY | O_CLOEXEC);
    store_unlock(box->st);
}

/* The cores, one verification slot each (box_verify). */
static unsigned box_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
}

/* Frees the box once its threads are gone (or were never started). */
static void box_release(struct ballotbox *box)
{
    struct box_poll *p, *next;

    for (p = box->polls; p; p = next) {     /* no cast is in flight any more */
        next = p->next;
        box_poll_free(p);
    }
    if (box->wal_fd >= 0)
        close(box->wal_fd);
    sem_destroy(&box->verifiers);
    pthread_cond_destroy(&box->sync_work);
    pthread_cond_destroy(&box->work);
    pthread_mutex_destroy(&box->load_mu);
    pthread_mutex_destroy(&box->mu);
    free(box);
}

/* Ends the syncer (the committer has ended or never started). */
static void box_end_syncer(struct ballotbox *box)
{
    pthread_mutex_lock(&box->mu);
    box->committer_done = 1;
    pthread_cond_signal(&box->sync_work);
    pthread_mutex_unlock(&box->mu);
    pthread_join(box->syncer, NULL);
}

int ballotbox_new(struct store *st, const struct sign_key *key, struct ballotbox **out)
{
    struct ballotbox *box = calloc(1, sizeof *box);

    if (box == NULL)
        return -1;
    if (sem_init(&box->verifiers, 0, box_cores()) != 0) {
        free(box);
        return -1;
    }
    box->st = st;
    box->key = key;
    box_open_wal(box);
    pthread_mutex_init(&box->load_mu, NULL);
    pthread_mutex_init(&box->mu, NULL);
    pthread_cond_init(&box->work, NULL);
    pthread_cond_init(&box->sync_work, NULL);
    if (pthread_create(&box->syncer, NULL, box_syncer, box) != 0) {
        box_release(box);
        return -1;
    }
    if (pthread_create(&box->committer, NULL, box_committer, box) != 0) {
        box_end_syncer(box);
        box_release(box);
        return -1;
    }
    *out = box;
    return 0;
}

void ballotbox_free(struct ballotbox *box)
{
    if (box == NULL)
        return;
    pthread_mutex_lock(&box->mu);
    box->stop = 1;
    pthread_cond_signal(&box->work);
    pthread_mutex_unlock(&box->mu);
    pthread_join(box->committer, NULL);
    pthread_join(box->syncer, NULL);       /* it ends after the committer */
    box_release(box);
}

/* A fresh poll's aggregate starts empty; one that has ballots already (this
 * process did not count them) has none until its close. */
static int box_agg_start(struct ballotbox *box, struct box_poll *p)
{
    int64_t n = 0;

    if (store_poll_voter_count(box->st, p->id, &n) != 0)
        return -1;
    if (n == 0 && (p->agg = tally_new(record_option_count(p->rec))) == NULL)
        return -1;
    return 0;
}

/* Reads poll ID from the store into a new, unlisted box_poll (box->mu not
 * held: the order of the two locks is the store's, then box->mu). */
static enum box_status box_load(struct ballotbox *box, const char *id, struct box_poll **out)
{
    struct store_poll sp;
    struct box_poll *p;
    int rc = store_poll_get(box->st, id, 1, &sp);

    if (rc == STORE_NOT_FOUND)
        return BOX_NOT_FOUND;
    if (rc != 0)
        return BOX_ERROR;
    if (sp.closed) {
        rc = sp.withdrawn;
        store_poll_clear(&sp);
        return rc ? BOX_WITHDRAWN : BOX_CLOSED;
    }
    if ((p = calloc(1, sizeof *p)) == NULL ||
        record_parse(sp.record, strlen(sp.record), &p->rec) != PROTO_OK) {
        log_error("poll %s: stored record does not parse", id);
        free(p);
        store_poll_clear(&sp);
        return BOX_ERROR;
    }
    memcpy(p->id, sp.id, sizeof p->id);
    p->closes_at = sp.closes_at;
    store_poll_clear(&sp);
    if (box_agg_start(box, p) != 0) {
        record_free(p->rec);
        free(p);
        return BOX_ERROR;
    }
    *out = p;
    return BOX_OK;
}

static void box_poll_free(struct box_poll *p)
{
    tally_free(p->agg);
    record_free(p->rec);
    free(p);
}

/* The listed poll ID, or NULL (box->mu held). */
static struct box_poll *box_find(struct ballotbox *box, const char *id)
{
    struct box_poll *p;

    for (p = box->polls; p; p = p->next)
        if (strcmp(p->id, id) == 0)
            break;
    return p;
}

/* The listed poll ID with a reference taken, or NULL. */
static struct box_poll *box_ref(struct ballotbox *box, const char *id)
{
    struct box_poll *p;

    pthread_mutex_lock(&box->mu);
    if ((p = box_find(box, id)) != NULL)
        p->refs++;
    pthread_mutex_unlock(&box->mu);
    return p;
}

/* The cached poll, loaded if need be, with a reference the caller drops with
 * box_poll_put (records are immutable; a cast in flight keeps its poll even
 * if the close makes the box forget it meanwhile). */
static enum box_status box_poll_get(struct ballotbox *box, const char *id,
                                    struct box_poll **out)
{
    struct box_poll *p = NULL;
    enum box_status rc = BOX_OK;

    if ((*out = box_ref(box, id)) != NULL)
        return BOX_OK;
    /* One loader at a time: a record with a large roll costs megabytes to
     * parse, once, not once per cast arriving meanwhile (they wait here and
     * then find it listed). */
    pthread_mutex_lock(&box->load_mu);
    if ((p = box_ref(box, id)) == NULL && (rc = box_load(box, id, &p)) == BOX_OK) {
        pthread_mutex_lock(&box->mu);
        p->refs = 2;                         /* the list's and the caller's */
        p->next = box->polls;
        box->polls = p;
        pthread_mutex_unlock(&box->mu);
        heap_release();                     /* what parsing the record took */
    }
    pthread_mutex_unlock(&box->load_mu);
    *out = p;
    return rc;
}

static void box_poll_put(struct ballotbox *box, struct box_poll *p)
{
    unsigned refs;

    pthread_mutex_lock(&box->mu);
    refs = --p->refs;
    pthread_mutex_unlock(&box->mu);
    if (refs == 0)
        box_poll_free(p);
}

void ballotbox_forget(struct ballotbox *box, const char *poll_id)
{
    struct box_poll **pp, *p;

    pthread_mutex_lock(&box->mu);
    for (pp = &box->polls; (p = *pp) != NULL; pp = &p->next)
        if (strcmp(p->id, poll_id) == 0)
            break;
    if (p != NULL)
        *pp = p->next;              /* casts in flight keep their references */
    pthread_mutex_unlock(&box->mu);
    if (p != NULL)
        box_poll_put(box, p);
}

const struct record *ballotbox_record(struct ballotbox *box, const char *poll_id)
{
    struct box_poll *p;

    pthread_mutex_lock(&box->mu);
    p = box_find(box, poll_id);
    pthread_mutex_unlock(&box->mu);
    return p ? p->rec : NULL;
}

struct tally *ballotbox_aggregate(struct ballotbox *box, const char *poll_id)
{
    struct tally *copy = NULL;
    struct box_poll *p;

    pthread_mutex_lock(&box->mu);
    p = box_find(box, poll_id);
    if (p != NULL && p->agg != NULL &&
        ((copy = tally_new(tally_option_count(p->agg))) == NULL ||
         tally_merge(copy, p->agg) != 0)) {
        tally_free(copy);
        copy = NULL;
    }
    pthread_mutex_unlock(&box->mu);
    return copy;
}

/* Queues the job and sleeps until the committer has stored it. */
static enum store_cast_result box_submit(struct ballotbox *box, struct box_job *job)
{
    pthread_cond_init(&job->woken, NULL);
    pthread_mutex_lock(&box->mu);
    if (box->tail)
        box->tail->next = job;
    else
        box->head = job;
    box->tail = job;
    pthread_cond_signal(&box->work);
    while (!job->done)
        pthread_cond_wait(&job->woken, &box->mu);
    pthread_mutex_unlock(&box->mu);
    pthread_cond_destroy(&job->woken);
    return job->result;
}

static enum box_status box_map(enum store_cast_result r, enum proto_reason *reason)
{
    switch (r) {
    case STORE_CAST_OK:             return BOX_OK;
    case STORE_CAST_CLOSED:         return BOX_CLOSED;
    case STORE_CAST_WITHDRAWN:      return BOX_WITHDRAWN;
    case STORE_CAST_ALREADY_VOTED:  return BOX_ALREADY_VOTED;
    case STORE_CAST_REPLACES:       *reason = PROTO_REPLACES; return BOX_INVALID;
    case STORE_CAST_DUPLICATE_TAG:  *reason = PROTO_DUPLICATE_TAG; return BOX_INVALID;
    case STORE_CAST_DUPLICATE_ALPHA: *reason = PROTO_DUPLICATE_ALPHA; return BOX_INVALID;
    default:                        return BOX_ERROR;
    }
}

/* Stores the verified ballot B of USERNAME; signs the receipt. */
static enum box_status box_store(struct ballotbox *box, struct box_poll *p,
                                 const char *username, const struct ballot *b,
                                 struct box_receipt *out, enum proto_reason *reason)
{
    struct box_job job;
    unsigned char alphas[2 * 32 * 32], old_tag[32], sig[SIGN_BYTES];
    uint32_t m = ballot_choice_count(b), j;
    enum box_status rc = BOX_ERROR;
    size_t len;
    char *text;

    if (m > sizeof alphas / 32 ||
        (text = ballot_serialize(b, BALLOT_FORM_BOARD, 0, &len)) == NULL)
        return BOX_ERROR;
    for (j = 0; j < m; j++)
        memcpy(alphas + 32 * j, ballot_alpha(b, j), 32);
    memset(&job, 0, sizeof job);
    job.poll = p;
    job.ballot = b;
    job.cast.poll_id = p->id;
    job.cast.username = username;
    job.cast.tracker = ballot_tracker(b);
    job.cast.tag = ballot_tag(b);
    job.cast.alphas = alphas;
    job.cast.m = m;
    job.cast.replaces_tag = ballot_replaces_tag(b, old_tag) == 0 ? old_tag : NULL;
    job.cast.ballot = text;
    rc = box_map(box_submit(box, &job), reason);
    free(text);
    if (rc != BOX_OK)
        return rc;
    crypto_hex_encode(out->tracker, ballot_tracker(b), 32);
    if (sign_receipt(box->key, record_fingerprint(p->rec), ballot_tracker(b), sig) != 0)
        return BOX_ERROR;
    crypto_hex_encode(out->receipt, sig, sizeof sig);
    return BOX_OK;
}

/* Cheap state checks before the proofs (the committer checks them again). */
static enum box_status box_precheck(struct ballotbox *box, const char *poll_id,
                                    const char *username, const struct ballot *b,
                                    enum proto_reason *reason)
{
    int voted = 0;

    if (store_poll_has_voted(box->st, poll_id, username, &voted) != 0)
        return BOX_ERROR;
    if (voted && ballot_replaces(b) == NULL)
        return BOX_ALREADY_VOTED;
    if (!voted && ballot_replaces(b) != NULL) {
        *reason = PROTO_REPLACES;
        return BOX_INVALID;
    }
    return BOX_OK;
}

/*
 * Verifies B's proofs in one of the box's verification slots, one per core.
 * Any number of HTTP threads may be casting; were they all verifying at once,
 * the scheduler would share the cores among them evenly and the committer,
 * one thread among dozens, would get a sliver of a core for the work every
 * cast queues behind (make bench, 64 connections: committing took 0.8 ms of
 * wall clock per ballot for 0.2 ms of its CPU). With a slot per core, a
 * verification runs at full speed and the committer and syncer share the
 * cores with a handful of threads only.
 */
static enum proto_reason box_verify(struct ballotbox *box, const struct ballot *b,
                                    const struct record *rec)
{
    enum proto_reason r;

    while (sem_wait(&box->verifiers) != 0)
        if (errno != EINTR)
            return PROTO_INTERNAL;
    r = ballot_verify(b, rec);
    sem_post(&box->verifiers);
    return r;
}

enum box_status ballotbox_cast(struct ballotbox *box, const char *poll_id,
                               const char *username, const char *body, size_t len,
                               struct box_receipt *out, enum proto_reason *reason)
{
    struct box_poll *p = NULL;
    struct ballot *b = NULL;
    enum box_status rc;

    if ((rc = box_poll_get(box, poll_id, &p)) != BOX_OK)
        return rc;
    if ((int64_t)time(NULL) >= p->closes_at) {
        rc = BOX_CLOSED;
        goto out;
    }
    if (!record_roll_contains(p->rec, username, strlen(username))) {
        rc = BOX_NOT_ON_ROLL;
        goto out;
    }
    if ((*reason = ballot_parse(body, len, BALLOT_FORM_POST, &b)) != PROTO_OK) {
        rc = *reason == PROTO_INTERNAL ? BOX_ERROR : BOX_INVALID;
        goto out;
    }
    if ((rc = box_precheck(box, poll_id, username, b, reason)) != BOX_OK)
        goto out;
    if ((*reason = box_verify(box, b, p->rec)) != PROTO_OK) {
        rc = *reason == PROTO_INTERNAL ? BOX_ERROR : BOX_INVALID;
        goto out;
    }
    rc = box_store(box, p, username, b, out, reason);
out:
    ballot_free(b);
    box_poll_put(box, p);
    return rc;
}

/* 1 if the WAL is due for truncation (box->mu held): ballots were stored
 * since the last one, and either none in the last tick (the casts paused) or
 * the oldest has waited BOX_TRUNCATE_MAX_S (they keep coming). */
static int box_truncation_due(struct ballotbox *box)
{
    struct timespec now;
    int recent = box->recent;

    box->recent = 0;
    if (!box->dirty)
        return 0;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return !recent || now.tv_sec - box->dirty_since.tv_sec >= BOX_TRUNCATE_MAX_S;
}

void ballotbox_checkpoint(struct ballotbox *box)
{
    int due;

    pthread_mutex_lock(&box->mu);
    if ((due = box_truncation_due(box)) != 0)
        box->dirty = 0;
    pthread_mutex_unlock(&box->mu);
    if (!due)
        return;
    /* The copying first, from the store's side connection: the casts go on
     * meanwhile. Then, under the lock, the last frames and the truncation. */
    if (store_checkpoint_ahead(box->st) != 0)
        log_warn("WAL checkpoint (ahead of the lock) failed");
    if (store_compact(box->st, 0) != 0) {
        log_warn("WAL checkpoint failed; will retry");
        pthread_mutex_lock(&box->mu);
        box->dirty = 1;
        pthread_mutex_unlock(&box->mu);
    }
}
