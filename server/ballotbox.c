/*
 * ballotbox.c — the cast path and its group-committing writer thread.
 *
 * Caller threads (HTTP workers) do everything that needs no lock: parse the
 * ballot, check it against the cached poll record, verify its proofs. They
 * then queue a cast job and sleep. The committer thread takes every job
 * queued so far, applies each under its own savepoint in one transaction
 * (the stateful rules: closed, already voted, replaces, used tags and
 * alphas), commits once, and wakes the callers with their results. A job's
 * caller answers 201 only after that commit, which with synchronous=FULL is
 * on disk.
 *
 * Poll records never change once opened, so parsed records are cached here
 * by poll id (and dropped at the close).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "ballot.h"
#include "ballotbox.h"
#include "log.h"
#include "record.h"
#include "sign.h"
#include "store_poll.h"

struct box_poll {
    char id[STORE_POLL_ID_MAX + 1];
    struct record *rec;
    int64_t closes_at;
    struct box_poll *next;
};

struct box_job {
    struct store_cast cast;
    enum store_cast_result result;
    int done;
    struct box_job *next;
};

struct ballotbox {
    struct store *st;
    const struct sign_key *key;
    pthread_mutex_t mu;             /* guards everything below */
    pthread_cond_t work;            /* the committer waits for jobs */
    pthread_cond_t done;            /* callers wait for their job */
    struct box_job *head, *tail;
    int stop;
    int dirty;                      /* ballots stored since the last checkpoint */
    pthread_t committer;
    struct box_poll *polls;
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

/* One transaction for the whole group; results are set on every job. */
static void box_commit_group(struct ballotbox *box, struct box_job *jobs)
{
    int64_t now = (int64_t)time(NULL);
    struct box_job *j;
    int any = 0;

    if (store_begin(box->st) != 0) {
        for (j = jobs; j; j = j->next)
            j->result = STORE_CAST_ERROR;
        return;
    }
    for (j = jobs; j; j = j->next) {
        j->result = store_cast_apply(box->st, &j->cast, now);
        any |= j->result == STORE_CAST_OK;
    }
    if (store_commit(box->st) != 0) {
        log_error("cannot commit a group of casts");
        for (j = jobs; j; j = j->next)
            j->result = STORE_CAST_ERROR;
        return;
    }
    if (any) {
        pthread_mutex_lock(&box->mu);
        box->dirty = 1;
        pthread_mutex_unlock(&box->mu);
    }
}

static void *box_committer(void *arg)
{
    struct ballotbox *box = arg;
    struct box_job *jobs, *j, *next;

    while ((jobs = box_take(box)) != NULL) {
        box_commit_group(box, jobs);
        pthread_mutex_lock(&box->mu);
        for (j = jobs; j; j = next) {
            next = j->next;         /* j belongs to its caller once done */
            j->done = 1;
        }
        pthread_cond_broadcast(&box->done);
        pthread_mutex_unlock(&box->mu);
    }
    return NULL;
}

int ballotbox_new(struct store *st, const struct sign_key *key, struct ballotbox **out)
{
    struct ballotbox *box = calloc(1, sizeof *box);

    if (box == NULL)
        return -1;
    box->st = st;
    box->key = key;
    pthread_mutex_init(&box->mu, NULL);
    pthread_cond_init(&box->work, NULL);
    pthread_cond_init(&box->done, NULL);
    if (pthread_create(&box->committer, NULL, box_committer, box) != 0) {
        pthread_mutex_destroy(&box->mu);
        free(box);
        return -1;
    }
    *out = box;
    return 0;
}

void ballotbox_free(struct ballotbox *box)
{
    struct box_poll *p, *next;

    if (box == NULL)
        return;
    pthread_mutex_lock(&box->mu);
    box->stop = 1;
    pthread_cond_signal(&box->work);
    pthread_mutex_unlock(&box->mu);
    pthread_join(box->committer, NULL);
    for (p = box->polls; p; p = next) {
        next = p->next;
        record_free(p->rec);
        free(p);
    }
    pthread_cond_destroy(&box->work);
    pthread_cond_destroy(&box->done);
    pthread_mutex_destroy(&box->mu);
    free(box);
}

/* Loads poll ID's record into the cache (lock held). */
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
        store_poll_clear(&sp);
        return BOX_CLOSED;
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
    p->next = box->polls;
    box->polls = p;
    store_poll_clear(&sp);
    *out = p;
    return BOX_OK;
}

/* The cached poll (records are immutable, so the pointer stays valid until
 * ballotbox_forget, which only runs after the close). */
static enum box_status box_poll_get(struct ballotbox *box, const char *id,
                                    struct box_poll **out)
{
    struct box_poll *p;
    enum box_status rc = BOX_OK;

    pthread_mutex_lock(&box->mu);
    for (p = box->polls; p; p = p->next)
        if (strcmp(p->id, id) == 0)
            break;
    if (p == NULL)
        rc = box_load(box, id, &p);
    pthread_mutex_unlock(&box->mu);
    *out = p;
    return rc;
}

void ballotbox_forget(struct ballotbox *box, const char *poll_id)
{
    struct box_poll **pp, *p;

    pthread_mutex_lock(&box->mu);
    for (pp = &box->polls; (p = *pp) != NULL; pp = &p->next) {
        if (strcmp(p->id, poll_id) == 0) {
            *pp = p->next;
            record_free(p->rec);
            free(p);
            break;
        }
    }
    pthread_mutex_unlock(&box->mu);
}

/* Queues the job and sleeps until the committer has stored it. */
static enum store_cast_result box_submit(struct ballotbox *box, struct box_job *job)
{
    pthread_mutex_lock(&box->mu);
    if (box->tail)
        box->tail->next = job;
    else
        box->head = job;
    box->tail = job;
    pthread_cond_signal(&box->work);
    while (!job->done)
        pthread_cond_wait(&box->done, &box->mu);
    pthread_mutex_unlock(&box->mu);
    return job->result;
}

static enum box_status box_map(enum store_cast_result r, enum proto_reason *reason)
{
    switch (r) {
    case STORE_CAST_OK:             return BOX_OK;
    case STORE_CAST_CLOSED:         return BOX_CLOSED;
    case STORE_CAST_ALREADY_VOTED:  return BOX_ALREADY_VOTED;
    case STORE_CAST_REPLACES:       *reason = PROTO_REPLACES; return BOX_INVALID;
    case STORE_CAST_DUPLICATE_TAG:  *reason = PROTO_DUPLICATE_TAG; return BOX_INVALID;
    case STORE_CAST_DUPLICATE_ALPHA: *reason = PROTO_DUPLICATE_ALPHA; return BOX_INVALID;
    default:                        return BOX_ERROR;
    }
}

/* Stores the verified ballot B of USERNAME; signs the receipt. */
static enum box_status box_store(struct ballotbox *box, const struct box_poll *p,
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

enum box_status ballotbox_cast(struct ballotbox *box, const char *poll_id,
                               const char *username, const char *body, size_t len,
                               struct box_receipt *out, enum proto_reason *reason)
{
    struct box_poll *p = NULL;
    struct ballot *b = NULL;
    enum box_status rc;

    if ((rc = box_poll_get(box, poll_id, &p)) != BOX_OK)
        return rc;
    if ((int64_t)time(NULL) >= p->closes_at)
        return BOX_CLOSED;
    if (!record_roll_contains(p->rec, username, strlen(username)))
        return BOX_NOT_ON_ROLL;
    if ((*reason = ballot_parse(body, len, BALLOT_FORM_POST, &b)) != PROTO_OK)
        return *reason == PROTO_INTERNAL ? BOX_ERROR : BOX_INVALID;
    if ((rc = box_precheck(box, poll_id, username, b, reason)) != BOX_OK)
        goto out;
    if ((*reason = ballot_verify(b, p->rec)) != PROTO_OK) {
        rc = *reason == PROTO_INTERNAL ? BOX_ERROR : BOX_INVALID;
        goto out;
    }
    rc = box_store(box, p, username, b, out, reason);
out:
    ballot_free(b);
    return rc;
}

void ballotbox_checkpoint(struct ballotbox *box)
{
    int dirty;

    pthread_mutex_lock(&box->mu);
    dirty = box->dirty;
    box->dirty = 0;
    pthread_mutex_unlock(&box->mu);
    if (dirty && store_compact(box->st, 0) != 0)
        log_warn("WAL checkpoint failed; will retry");
}
