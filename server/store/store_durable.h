/*
 * store_durable.h — what the store promises about its files, in one module
 * (SECURITY.md: "Crashes", and the WAL's page history under "The operator
 * with the database"), as SQLite keeps its journal in wal.c and pager.c:
 *
 *  - A write answered as done is on disk first. Casts are committed in
 *    groups: every job queued at that moment shares one transaction and one
 *    fdatasync of the WAL, and its caller wakes only after that sync
 *    (store_durable_commit: a ballot's 201 comes after it).
 *  - The page history that SQLite's files keep is erased. The WAL holds the
 *    pages of each commit until a checkpoint, and its index (-shm) their page
 *    numbers: both are erased as soon as the casts pause, and every 10 s
 *    while they keep coming (store_durable_tick). After a close the whole
 *    file is rebuilt (VACUUM) so that no page keeps an order of arrival, and
 *    a compaction that failed is retried until it succeeds
 *    (store_durable_compact). At start-up, what a crash left in the WAL is
 *    folded in and rebuilt before anything is served (store_durable_recover).
 *  - The WAL is copied into the database file on a thread of its own once it
 *    passes 1,000 frames, not inside the commit that crossed that length
 *    while every cast waited behind it.
 *
 * One machinery per store, started by the server (the admin commands never
 * start it: their writes commit and sync as SQLite does, synchronous=FULL).
 */
#ifndef CONCLAVE_STORE_DURABLE_H
#define CONCLAVE_STORE_DURABLE_H

#include <pthread.h>
#include <stdint.h>

#include "store.h"

/* One write that joins a group commit. The caller owns the struct (on its
 * stack, say) and fills in apply and undo; the other fields are the
 * module's. */
struct store_job {
    /* The job's writes, run by the committer thread inside the group's
     * transaction with the store's lock held (so the caller's in-memory state
     * can change with them, atomically for anyone holding that lock); NOW is
     * the group's time, the same for every job. Returns 1 if it wrote rows to
     * keep (whose page history must then be erased), 0 if it wrote nothing. */
    int (*apply)(struct store_job *job, int64_t now);
    /* With the store's lock still held, when the group's COMMIT failed and
     * every job's writes are gone; NULL when there is nothing to undo. */
    void (*undo)(struct store_job *job);
    /* --- the module's own --- */
    struct store_job *next;
    int done, ok;
    pthread_cond_t woken;
};

/* Starts S's durability machinery for a server: the committer and syncer
 * threads (group commit; when the store syncs every commit, as it does, the
 * committer commits without syncing and the syncer fdatasyncs the WAL once
 * for every group committed before it began) and the checkpointer thread (in
 * place of SQLite's autocheckpoint). 0, or -1 with nothing started. */
int store_durable_start(struct store *s);

/* Finishes the queued jobs, stops the threads and restores the
 * autocheckpoint; a no-op if not started. Call it before store_close. */
void store_durable_stop(struct store *s);

/* Queues JOB for the next group commit and waits until its group is on disk.
 * 0: the group committed and is durable (what JOB's apply kept is stored);
 * -1: the group failed (JOB's writes were rolled back, or may not be
 * durable: answer an error), or the machinery is not started. */
int store_durable_commit(struct store *s, struct store_job *job);

/* The serve loop's periodic job (every tick, 250 ms): erases the page history
 * of the groups' commits once a group stored rows and then a tick finds none
 * stored since the tick before (the casts paused), or the first of them is
 * 10 s old (they keep coming): the WAL copied into the database file (first
 * without the store's lock, then the last frames under it), truncated, its
 * index cleared by one commit of page 1 alone and a second truncation. A
 * failure is retried at the next tick. Also retries a compaction that failed
 * (store_durable_compact). */
void store_durable_tick(struct store *s);

/* After a close (WHAT names it in the log, e.g. "poll ID"): the WAL
 * checkpointed and truncated, the database VACUUMed (freed pages keep no old
 * content; every page rebuilt in key order), checkpointed and truncated
 * again, on a connection of its own and without the store's lock, so that
 * reads (the result) are served meanwhile and writes wait for its end. Logs
 * "WHAT: database compacted in N ms". 0; or -1, and store_durable_tick
 * retries it until it succeeds (a reader in another process may hold the WAL
 * past the busy timeout). */
int store_durable_compact(struct store *s, const char *what);

/* At start-up, before serving: what a crash left in the WAL (the last casts,
 * or a close whose compaction never ran) folded into the database file,
 * which is then rebuilt, under the store's lock. 0, or -1. */
int store_durable_recover(struct store *s);

/* What the machinery has done since it started (for tests and make bench). */
struct store_durable_stats {
    unsigned long groups;           /* group transactions committed */
    unsigned long syncs;            /* fdatasyncs of the WAL by the syncer */
    unsigned long truncations;      /* WAL truncations with the index cleared */
    unsigned long compactions;      /* compactions after a close that succeeded */
};

/* Copies the counters into *OUT (zeros if not started). */
void store_durable_stats(struct store *s, struct store_durable_stats *out);

#endif
