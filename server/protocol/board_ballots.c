/*
 * board_ballots.c — a board's ballots checked on worker threads (PROTOCOL
 * §8): each ballot's stateless rules and tracker, then the board-wide order
 * and the duplicate tags and alphas, and the aggregate and ballots digest
 * the later checks use. Moved out of board.c unchanged; it serves both
 * board protocols, whose ballots are the same (PROTOCOL-threshold T6).
 *
 * Workers take ballots in small chunks from a shared counter and each keeps
 * its own partial aggregate; the reported ballot failure is the lowest
 * failing index, so the report does not depend on the thread count. The
 * parsed JSON tree is only read while the workers run.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board_internal.h"
#include "sjson.h"

#define BOARD_CHUNK 8
#define BOARD_MAX_THREADS 64

/* A tag or alpha with the index of its ballot, for duplicate detection. */
struct board_key {
    unsigned char b[CRYPTO_BYTES];
    uint32_t i;
};

/* The ballot phase, shared by the workers. */
struct board_job {
    const struct board_doc *doc;
    unsigned char (*trackers)[CRYPTO_BYTES];
    struct board_key *tags, *alphas;
    pthread_mutex_t lock;
    uint32_t next;                       /* first index not yet taken */
    uint32_t fail_index;                 /* lowest failing index, or N */
    enum proto_reason fail_reason;
};

struct board_worker {
    struct board_job *job;
    struct tally *partial;
    pthread_t thread;
};

/* Ballot i from the tree, or parsed from its span (read directly when it
 * has board_build's form, else through a JSON tree of its own). */
static enum proto_reason board_ballot_at(const struct board_doc *d, uint32_t i,
                                         struct ballot **b)
{
    const struct board_span *sp;
    enum proto_reason why;
    json_t *obj;

    if (d->split == NULL)
        return ballot_from_json(json_array_get(d->ballots, i), BALLOT_FORM_BOARD, b);
    sp = &d->split->spans[i];
    if (ballot_read_board(d->text + sp->off, sp->len, b) == 0)
        return PROTO_OK;
    if ((obj = sjson_parse(d->text + sp->off, sp->len, PROTO_MAX_BOARD, &why)) == NULL)
        return why;
    why = ballot_from_json(obj, BALLOT_FORM_BOARD, b);
    json_decref(obj);
    return why;
}

/* Ballot i: parse, stateless rules, tracker; records tracker, tag, alphas. */
static enum proto_reason board_check_ballot(struct board_job *job, uint32_t i,
                                            struct tally *partial)
{
    const struct board_doc *d = job->doc;
    enum proto_reason why;
    struct ballot_points *pts = NULL;
    struct ballot *b;
    uint32_t j;

    if ((why = board_ballot_at(d, i, &b)) != PROTO_OK)
        return why;
    if ((why = ballot_verify_points(b, d->rec, &pts)) == PROTO_OK &&
        (why = ballot_check_tracker(b)) == PROTO_OK) {
        memcpy(job->trackers[i], ballot_tracker(b), CRYPTO_BYTES);
        memcpy(job->tags[i].b, ballot_tag(b), CRYPTO_BYTES);
        job->tags[i].i = i;
        for (j = 0; j < d->m; j++) {
            memcpy(job->alphas[(size_t)i * d->m + j].b, ballot_alpha(b, j), CRYPTO_BYTES);
            job->alphas[(size_t)i * d->m + j].i = i;
        }
        if (tally_add_points(partial, pts) != 0)
            why = PROTO_INTERNAL;
    }
    ballot_points_free(pts);
    ballot_free(b);
    return why;
}

static void *board_worker_run(void *arg)
{
    struct board_worker *w = arg;
    struct board_job *job = w->job;
    uint32_t start, end, i, N = job->doc->N;

    for (;;) {
        pthread_mutex_lock(&job->lock);
        start = job->next;
        end = start + BOARD_CHUNK < N ? start + BOARD_CHUNK : N;
        job->next = end;
        if (start >= job->fail_index)
            end = start;        /* a lower failure is known: nothing left to do */
        pthread_mutex_unlock(&job->lock);
        if (start >= end)
            return NULL;
        for (i = start; i < end; i++) {
            enum proto_reason why = board_check_ballot(job, i, w->partial);

            if (why == PROTO_OK)
                continue;
            pthread_mutex_lock(&job->lock);
            if (i < job->fail_index) {
                job->fail_index = i;
                job->fail_reason = why;
            }
            pthread_mutex_unlock(&job->lock);
            break;
        }
    }
}

static unsigned board_thread_count(unsigned threads, uint32_t N)
{
    long cpus;

    if (threads == 0) {
        cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus > 0 ? (unsigned)cpus : 1;
    }
    if (threads > BOARD_MAX_THREADS)
        threads = BOARD_MAX_THREADS;
    if (threads > (N + BOARD_CHUNK - 1) / BOARD_CHUNK)
        threads = (N + BOARD_CHUNK - 1) / BOARD_CHUNK;
    return threads ? threads : 1;
}

/* Runs the workers; sums their aggregates into total. */
static enum proto_reason board_run_workers(struct board_job *job, unsigned threads,
                                           struct tally *total)
{
    struct board_worker w[BOARD_MAX_THREADS];
    unsigned t, started = 0;
    enum proto_reason why = PROTO_OK;

    memset(w, 0, sizeof w);
    for (t = 0; t < threads; t++) {
        w[t].job = job;
        if ((w[t].partial = tally_new(job->doc->m)) == NULL)
            why = PROTO_INTERNAL;
    }
    for (t = 1; why == PROTO_OK && t < threads; t++, started++)
        if (pthread_create(&w[t].thread, NULL, board_worker_run, &w[t]) != 0)
            break;          /* fewer threads: the others take the work */
    if (why == PROTO_OK)
        board_worker_run(&w[0]);
    for (t = 1; t <= started; t++)
        pthread_join(w[t].thread, NULL);
    for (t = 0; t < threads; t++) {
        if (why == PROTO_OK && w[t].partial != NULL && tally_merge(total, w[t].partial) != 0)
            why = PROTO_INTERNAL;
        tally_free(w[t].partial);
    }
    return why;
}

static int board_cmp_key(const void *a, const void *b)
{
    const struct board_key *x = a, *y = b;
    int c = memcmp(x->b, y->b, CRYPTO_BYTES);

    return c != 0 ? c : (x->i > y->i) - (x->i < y->i);
}

/* The index of a ballot holding a value another ballot holds too, or -1. */
static int64_t board_find_duplicate(struct board_key *keys, size_t n)
{
    size_t i;
    int64_t worst = -1;

    qsort(keys, n, sizeof *keys, board_cmp_key);
    for (i = 1; i < n; i++)
        if (memcmp(keys[i - 1].b, keys[i].b, CRYPTO_BYTES) == 0 &&
            (worst < 0 || keys[i].i < worst))
            worst = keys[i].i;
    return worst;
}

/* PROTOCOL §8: order by tracker, no tag and no α twice on the board. */
static enum proto_reason board_check_set(struct board_job *job, struct board_report *rep)
{
    uint32_t i, N = job->doc->N;
    int64_t dup;

    for (i = 1; i < N; i++)
        if (memcmp(job->trackers[i - 1], job->trackers[i], CRYPTO_BYTES) >= 0)
            return board_fail(rep, PROTO_ORDER, "ballots[%u]", i);
    if ((dup = board_find_duplicate(job->tags, N)) >= 0)
        return board_fail(rep, PROTO_DUPLICATE_TAG, "ballots[%u].tag", (unsigned)dup);
    if ((dup = board_find_duplicate(job->alphas, (size_t)N * job->doc->m)) >= 0)
        return board_fail(rep, PROTO_DUPLICATE_ALPHA, "ballots[%u]", (unsigned)dup);
    return PROTO_OK;
}

enum proto_reason board_check_ballots(const struct board_doc *d, unsigned threads,
                                      struct tally *total, unsigned char digest[CRYPTO_BYTES],
                                      struct board_report *rep)
{
    struct board_job job;
    enum proto_reason why = PROTO_INTERNAL;

    memset(&job, 0, sizeof job);
    job.doc = d;
    job.fail_index = d->N;
    job.trackers = calloc(d->N ? d->N : 1, sizeof *job.trackers);
    job.tags = calloc(d->N ? d->N : 1, sizeof *job.tags);
    job.alphas = calloc(d->N ? (size_t)d->N * d->m : 1, sizeof *job.alphas);
    if (job.trackers == NULL || job.tags == NULL || job.alphas == NULL ||
        pthread_mutex_init(&job.lock, NULL) != 0) {
        why = board_fail(rep, PROTO_INTERNAL, "ballots");
        goto out;
    }
    why = board_run_workers(&job, board_thread_count(threads, d->N), total);
    pthread_mutex_destroy(&job.lock);
    if (job.fail_index < d->N)
        why = board_fail(rep, job.fail_reason, "ballots[%u]", job.fail_index);
    else if (why != PROTO_OK)
        why = board_fail(rep, why, "ballots");
    else if ((why = board_check_set(&job, rep)) == PROTO_OK &&
             tally_ballots_digest(record_fingerprint(d->rec),
                                  (const unsigned char (*)[CRYPTO_BYTES])job.trackers, d->N,
                                  digest) != 0)
        why = board_fail(rep, PROTO_INTERNAL, "ballots");
out:
    free(job.trackers);
    free(job.tags);
    free(job.alphas);
    return why;
}
