/*
 * store_int.h — what the store's own files (store_*.c) share and nobody else
 * needs: the layout of struct store, its SQLite connection, the statement
 * cache and the column readers. As SQLite keeps sqliteInt.h for itself, only
 * the store_*.c files include this header (and the tests of the store, which
 * look at its files directly); every other module speaks to the store
 * through store.h, store_poll.h and store_durable.h, in our own types.
 */
#ifndef CONCLAVE_STORE_INT_H
#define CONCLAVE_STORE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "store.h"

#define STORE_PATH_MAX  4096
#define STORE_BUSY_MS   5000

struct stmt_slot {
    const char *sql;
    sqlite3_stmt *st;
};

struct store_durable;

struct store {
    sqlite3 *db;
    sqlite3 *side;              /* store_checkpoint_ahead's own connection */
    pthread_mutex_t side_mu;    /* guards side */
    void (*wal_fn)(void *, int);    /* store_watch_wal's */
    void *wal_arg;
    struct store_readers *readers;  /* store_read_stmt's per-thread connections */
    pthread_mutex_t mu;
    _Atomic(const void *) mu_owner; /* the holding thread's store_thread_id, or NULL */
    int mu_depth;                   /* how many times it holds mu (recursive) */
    struct stmt_slot *stmts;
    size_t n_stmts;
    size_t cap_stmts;
    int version;
    int in_tx;
    char path[STORE_PATH_MAX];      /* the database file, for store_compact_detached */
    pthread_mutex_t gate_mu;        /* guards compacting; never held with mu waited for */
    pthread_cond_t gate_cv;         /* store_begin waits here while compacting */
    int compacting;
    struct store_durable *dur;      /* store_durable_start's; NULL until then */
};

/* The raw handle, for the store's files that add their own statements. Use
 * it only while holding the lock (store_lock or an open transaction). */
sqlite3 *store_db(struct store *s);

/* Takes / releases the store's mutex. It is recursive: a thread holding it may
 * call any store_* function. Keep the span short. */
void store_lock(struct store *s);
void store_unlock(struct store *s);

/* Returns the cached prepared statement for SQL (a string constant; compared
 * by address, then by content), preparing it on first use; NULL on a prepare
 * error. The caller holds the lock, and resets the statement after use
 * (store_stmt_reset). Statements are finalized by store_close. */
sqlite3_stmt *store_stmt(struct store *s, const char *sql);

/* SQL (a constant string, cached by address), a SELECT, prepared on the
 * calling thread's own read connection (store_read.h): it runs without the
 * store's lock, so HTTP threads' lookups wait neither for each other nor for
 * a commit, and see the last commit. Not inside this thread's own write
 * transaction (it would not see it). Reset it with store_stmt_reset; NULL if
 * the connection cannot be opened or the statement prepared. */
sqlite3_stmt *store_read_stmt(struct store *s, const char *sql);

/* sqlite3_reset + sqlite3_clear_bindings; NULL is a no-op. */
void store_stmt_reset(sqlite3_stmt *st);

/* Copies text column COL of ST's current row into DST (CAP bytes, NUL
 * added); NULL becomes "". -1 if it does not fit. */
int store_column_text(sqlite3_stmt *st, int col, char *dst, size_t cap);

/* A malloc'd copy of text column COL of ST's current row; NULL for a NULL
 * column (or no memory). */
char *store_column_dup(sqlite3_stmt *st, int col);

/* Fills P's consent fields (store_poll.h) from the columns CONSENT_COLUMNS
 * (store_consent.c) of ST's row, starting at COL. 0 / -1. */
struct store_poll;
int store_consent_read(sqlite3_stmt *st, int col, struct store_poll *p);
/* Binds P's consent, consent_by, consent_at and nominee_email at IDX.. */
int store_consent_bind(sqlite3_stmt *st, int idx, const struct store_poll *p);
#define CONSENT_COLUMNS "consent, consent_by, consent_at, withdrawn_reason, nominee_email"
/* Steps ST (bound; the caller holds the lock and resets it) for up to CAP
 * rows, copying text column 0 of each (an id, under 64 bytes) into IDS;
 * *N rows. CV_OK or CV_ERROR. */
int store_step_ids(sqlite3_stmt *st, char (*ids)[64], size_t cap, size_t *n);

/* Steps ST, an INSERT whose parameters are bound (the caller holds the lock
 * and resets ST): CV_OK, with the new row's rowid in *ROWID (may be
 * NULL); CV_CONFLICT when it breaks a uniqueness rule (a primary key or
 * a unique index: extended result codes are on); CV_ERROR otherwise (a
 * CHECK that fails included). */
int store_step_insert(struct store *s, sqlite3_stmt *st, int64_t *rowid);

/* Runs SQL (a constant string, cached), a write whose only parameter ?1 is
 * ARG, under the lock: CV_OK with the rows it changed in *CHANGES (may be
 * NULL), or CV_ERROR. For the one-statement writes: prunes, marks. */
int store_exec_int(struct store *s, const char *sql, int64_t arg, int64_t *changes);

/* Runs SQL (a constant string, cached), an UPDATE of one row, under the
 * lock: ?1 = ID, ?2 = A and, as far as SQL has them, ?3 = B and ?4 = TEXT
 * (cut to TEXT_MAX bytes, store_text_cut). CV_OK if it changed a row,
 * CV_NOT_FOUND if none, CV_ERROR. For the outbox's and the webhook's rows. */
int store_update_row(struct store *s, const char *sql, int64_t id, int64_t a, int64_t b,
                     const char *text, size_t text_max);

/* The length of S cut to at most MAX bytes, not inside a UTF-8 character:
 * what a bounded text column (an error's text) keeps of it. */
int store_text_cut(const char *s, size_t max);

/* The member columns that store_member_read reads, in its order (every
 * member query and the session/token joins select them first). */
#define STORE_MEMBER_COLUMNS 10

/* Fills *m from a row that starts with the member columns "id, username,
 * display_name, email, password_hash, is_admin, active, created_at,
 * password_one_time, password_expires_at" (store_member.c). */
int store_member_read(sqlite3_stmt *st, struct store_member *m);

/* Steps ST, a member SELECT whose parameters are bound, for its first row:
 * CV_OK with *out (store_member_read), CV_NOT_FOUND, or CV_ERROR. A second
 * call reads the next row. */
int store_member_fetch(sqlite3_stmt *st, struct store_member *out);

/* Opens or shuts the gate at which store_begin waits (without the mutex)
 * while a compaction on a connection of its own runs (store.c). */
void store_gate_set(struct store *s, int compacting);

/* --- checkpoints and compactions (store_durable.c) ------------------------- */

/* The WAL's length, in frames, past which it is copied into the database
 * file: by SQLite's autocheckpoint, or by the checkpointer. */
#define STORE_WAL_FRAMES 1000

/* Copies what it can of the WAL into the database file from a second
 * connection, without taking the store's lock (a PASSIVE checkpoint): the
 * HTTP threads and the cast committer go on meanwhile, and a TRUNCATE
 * checkpoint after it (store_compact) has only the last frames left to copy
 * under the lock. Any thread (they take turns); 0, or -1 (nothing is lost:
 * the next checkpoint copies the same frames). */
int store_checkpoint_ahead(struct store *s);

/* Checkpoints the WAL into the database and truncates it (TRUNCATE), then
 * clears its index (one commit of page 1 alone, truncated again); with
 * VACUUM also rewrites the database so freed pages keep no old content.
 * Holds the store's lock throughout. 0 or -1. */
int store_compact(struct store *s, int vacuum);

/* Compacts the database as store_compact(S, 1) does (WAL checkpointed and
 * truncated, VACUUM, checkpointed and truncated again), but on a connection
 * of its own and without the mutex: other threads keep reading through S
 * meanwhile (WAL); their writes wait (store_begin at the gate, single
 * statements up to the busy timeout). -1 if a step failed, say because a
 * reader (another process) kept the WAL in use past the busy timeout; the
 * database is then consistent but not yet compacted: call again later. Call
 * from one thread at a time, without holding the mutex. */
int store_compact_detached(struct store *s);

/* Calls FN(ARG, frames) after each commit on the store's connection, with the
 * WAL's size in frames, instead of SQLite's autocheckpoint (which copies the
 * WAL into the database file inside the COMMIT that crosses 1,000 frames,
 * while the committer holds the store's lock): FN arranges a checkpoint
 * elsewhere. FN runs with the store's lock held and must not call the store.
 * FN NULL restores the autocheckpoint. 0, or -1. */
int store_watch_wal(struct store *s, void (*fn)(void *arg, int frames), void *arg);

#endif
