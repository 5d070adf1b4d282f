/*
 * ballotbox.c — the cast path: from a voter's sealed ballot to a stored row
 * and a signed receipt.
 *
 * Caller threads (HTTP workers) do everything that needs no lock: check the
 * ballot against the cached poll record, verify its proofs. They then hand a
 * job to the store's group commit (store_durable.h) and sleep: the committer
 * applies every job queued so far in one transaction (the stateful rules:
 * closed, withdrawn, already voted, replaces, used tags and alphas, each job
 * under its own savepoint), commits once and syncs once, and only then wakes
 * the callers. A job's caller answers 201 only after that commit is on disk.
 *
 * Poll records never change once opened, so parsed records are cached here
 * by poll id (and dropped at the close).
 *
 * Each cached poll also keeps the running aggregate of its counted ballots
 * (tally.h: A_j = Σ α_j, B_j = Σ β_j, N), so that the close decrypts it
 * without reading every ballot. A job changes it inside the group's
 * transaction, with the store's lock held until the aggregate matches what
 * was committed (undone when the commit fails); the close reads it under the
 * same lock. It is NULL (unknown) when the poll already had ballots when this
 * process loaded it (a restart) or after a failed commit; the close then
 * sums the stored ballots itself.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ballot.h"
#include "ballotbox.h"
#include "heap.h"
#include "log.h"
#include "record.h"
#include "sign.h"
#include "store_durable.h"
#include "store_poll.h"
#include "tally.h"

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
    struct store_job job;           /* first: the group commit's handle */
    struct ballotbox *box;
    struct store_cast cast;
    struct box_poll *poll;          /* referenced by the caller */
    const struct ballot_points *points;     /* its α_j, β_j, decoded by box_verify */
    enum cv_err result;
    enum store_cast_fault fault;    /* why, when result is CV_BAD_BALLOT */
};

struct ballotbox {
    struct store *st;
    const struct sign_key *key;
    pthread_mutex_t load_mu;        /* one poll loaded at a time (before mu) */
    pthread_mutex_t mu;             /* guards polls and their references */
    sem_t verifiers;                /* one per core: see box_verify */
    struct box_poll *polls;
};

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

/* The job's apply (store_durable.h): the cast in the group's open
 * transaction, counted in its poll's aggregate (the store's lock is held, so
 * the close cannot look meanwhile). 1 if the ballot was stored. */
static int box_apply(struct store_job *job, int64_t now)
{
    struct box_job *j = (struct box_job *)(void *)job;
    struct ballotbox *box = j->box;
    int bad = 0;
    struct ballot *old;

    /* in the group's transaction: the aggregate changes with the rows, under
     * the lock the close reads it by */
    assert(store_in_tx(box->st));
    old = box_replaced(box, j, &bad);

    j->result = store_cast_apply(box->st, &j->cast, now, &j->fault);
    if (j->result == CV_OK && j->poll->agg != NULL &&
        (bad || (old != NULL && tally_remove(j->poll->agg, old) != 0) ||
         tally_add_points(j->poll->agg, j->points) != 0))
        box_agg_drop(j->poll);
    ballot_free(old);
    return j->result == CV_OK;
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
    sem_destroy(&box->verifiers);
    pthread_mutex_destroy(&box->load_mu);
    pthread_mutex_destroy(&box->mu);
    free(box);
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
    pthread_mutex_init(&box->load_mu, NULL);
    pthread_mutex_init(&box->mu, NULL);
    *out = box;
    return 0;
}

void ballotbox_free(struct ballotbox *box)
{
    if (box != NULL)
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
static enum cv_err box_load(struct ballotbox *box, const char *id, struct box_poll **out)
{
    struct store_poll sp;
    struct box_poll *p;
    int rc = store_poll_get(box->st, id, 1, &sp);

    if (rc == CV_NOT_FOUND)
        return CV_NOT_FOUND;
    if (rc != 0)
        return CV_ERROR;
    if (sp.closed) {
        rc = sp.withdrawn;
        store_poll_clear(&sp);
        return rc ? CV_POLL_WITHDRAWN : CV_POLL_CLOSED;
    }
    if ((p = calloc(1, sizeof *p)) == NULL ||
        record_parse_kind(sp.record, strlen(sp.record), RECORD_V1 | RECORD_THRESHOLD,
                          &p->rec) != PROTO_OK) {
        log_error("poll %s: stored record does not parse", id);
        free(p);
        store_poll_clear(&sp);
        return CV_ERROR;
    }
    memcpy(p->id, sp.id, sizeof p->id);
    p->closes_at = sp.closes_at;
    store_poll_clear(&sp);
    if (box_agg_start(box, p) != 0) {
        record_free(p->rec);
        free(p);
        return CV_ERROR;
    }
    *out = p;
    return CV_OK;
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
static enum cv_err box_poll_get(struct ballotbox *box, const char *id,
                                struct box_poll **out)
{
    struct box_poll *p = NULL;
    enum cv_err rc = CV_OK;

    if ((*out = box_ref(box, id)) != NULL)
        return CV_OK;
    /* One loader at a time: a record with a large roll costs megabytes to
     * parse, once, not once per cast arriving meanwhile (they wait here and
     * then find it listed). */
    pthread_mutex_lock(&box->load_mu);
    if ((p = box_ref(box, id)) == NULL && (rc = box_load(box, id, &p)) == CV_OK) {
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
    assert(p->refs > 0);            /* the caller's own reference, from box_poll_get */
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

/* The job's undo: the group's commit failed, and with it the job's change
 * to the aggregate (store's lock held). */
static void box_undo(struct store_job *job)
{
    box_agg_drop(((struct box_job *)(void *)job)->poll);
}

/* Hands the job to the store's group commit and sleeps until its group is
 * on disk (or failed: then an error, whatever the job's own outcome). */
static enum cv_err box_submit(struct ballotbox *box, struct box_job *job)
{
    job->job.apply = box_apply;
    job->job.undo = box_undo;
    job->box = box;
    if (store_durable_commit(box->st, &job->job) != 0)
        job->result = CV_ERROR;
    return job->result;
}

/* The protocol's reason for a cast the store refused as CV_BAD_BALLOT. */
static enum proto_reason box_fault_reason(enum store_cast_fault f)
{
    switch (f) {
    case STORE_CAST_REPLACES:           return PROTO_REPLACES;
    case STORE_CAST_DUPLICATE_TAG:      return PROTO_DUPLICATE_TAG;
    case STORE_CAST_DUPLICATE_ALPHA:    return PROTO_DUPLICATE_ALPHA;
    default:                            return PROTO_INTERNAL;
    }
}

/* Stores the verified ballot B of USERNAME; signs the receipt. */
static enum cv_err box_store(struct ballotbox *box, struct box_poll *p,
                             const char *username, const struct ballot *b,
                             const struct ballot_points *pts, struct box_receipt *out,
                             enum proto_reason *reason)
{
    struct box_job job;
    unsigned char alphas[2 * 32 * 32], old_tag[32], sig[SIGN_BYTES];
    uint32_t m = ballot_choice_count(b), j;
    enum cv_err rc = CV_ERROR;
    size_t len;
    char *text;

    if (m > sizeof alphas / 32 ||
        (text = ballot_serialize(b, BALLOT_FORM_BOARD, 0, &len)) == NULL)
        return CV_ERROR;
    for (j = 0; j < m; j++)
        memcpy(alphas + 32 * j, ballot_alpha(b, j), 32);
    memset(&job, 0, sizeof job);
    job.poll = p;
    job.points = pts;
    job.cast.poll_id = p->id;
    job.cast.username = username;
    job.cast.tracker = ballot_tracker(b);
    job.cast.tag = ballot_tag(b);
    job.cast.alphas = alphas;
    job.cast.m = m;
    job.cast.replaces_tag = ballot_replaces_tag(b, old_tag) == 0 ? old_tag : NULL;
    job.cast.ballot = text;
    rc = box_submit(box, &job);
    if (rc == CV_BAD_BALLOT && (*reason = box_fault_reason(job.fault)) == PROTO_INTERNAL)
        rc = CV_ERROR;
    free(text);
    if (rc != CV_OK)
        return rc;
    crypto_hex_encode(out->tracker, ballot_tracker(b), 32);
    if (sign_receipt(box->key, record_fingerprint(p->rec), ballot_tracker(b), sig) != 0)
        return CV_ERROR;
    crypto_hex_encode(out->receipt, sig, sizeof sig);
    return CV_OK;
}

/* Cheap state checks before the proofs (the committer checks them again). */
static enum cv_err box_precheck(struct ballotbox *box, const char *poll_id,
                                const char *username, const struct ballot *b,
                                enum proto_reason *reason)
{
    int voted = 0;

    if (store_poll_has_voted(box->st, poll_id, username, &voted) != 0)
        return CV_ERROR;
    if (voted && ballot_replaces(b) == NULL)
        return CV_ALREADY_VOTED;
    if (!voted && ballot_replaces(b) != NULL) {
        *reason = PROTO_REPLACES;
        return CV_BAD_BALLOT;
    }
    return CV_OK;
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
                                    const struct record *rec, struct ballot_points **pts)
{
    enum proto_reason r;

    *pts = NULL;
    while (sem_wait(&box->verifiers) != 0)
        if (errno != EINTR)
            return PROTO_INTERNAL;
    r = ballot_verify_points(b, rec, pts);
    sem_post(&box->verifiers);
    return r;
}

enum cv_err ballotbox_cast(struct ballotbox *box, const char *poll_id,
                           const char *username, const struct ballot *b,
                           enum proto_reason parsed, struct box_receipt *out,
                           enum proto_reason *reason)
{
    struct box_poll *p = NULL;
    struct ballot_points *pts = NULL;
    enum cv_err rc;

    if ((rc = box_poll_get(box, poll_id, &p)) != CV_OK)
        return rc;
    if ((int64_t)time(NULL) >= p->closes_at) {
        rc = CV_POLL_CLOSED;
        goto out;
    }
    if (!record_roll_contains(p->rec, username, strlen(username))) {
        rc = CV_NOT_ON_ROLL;
        goto out;
    }
    if (b == NULL || parsed != PROTO_OK) {
        *reason = parsed != PROTO_OK ? parsed : PROTO_INTERNAL;
        rc = *reason == PROTO_INTERNAL ? CV_ERROR : CV_BAD_BALLOT;
        goto out;
    }
    if ((rc = box_precheck(box, poll_id, username, b, reason)) != CV_OK)
        goto out;
    if ((*reason = box_verify(box, b, p->rec, &pts)) != PROTO_OK) {
        rc = *reason == PROTO_INTERNAL ? CV_ERROR : CV_BAD_BALLOT;
        goto out;
    }
    rc = box_store(box, p, username, b, pts, out, reason);
out:
    ballot_points_free(pts);
    box_poll_put(box, p);
    return rc;
}
