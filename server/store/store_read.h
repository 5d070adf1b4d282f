/*
 * store_read.h — read-only statements on per-thread connections.
 *
 * Every HTTP request reads the store (its token or session, whether its
 * member has voted); under the store's one mutex those reads queued behind
 * each other and behind the casts' group commits (make bench: 20 of 64
 * threads waiting on it at any moment). In WAL mode a reader on a connection
 * of its own needs no lock: it sees the last commit, and neither waits for
 * the writer nor makes it wait.
 */
#ifndef CONCLAVE_STORE_READ_H
#define CONCLAVE_STORE_READ_H

#include <sqlite3.h>

struct store_readers;

/* The readers of the database file PATH (copied); connections open lazily,
 * one per calling thread, and live until store_readers_free. NULL if out of
 * memory. */
struct store_readers *store_readers_new(const char *path);

/* Makes DB wait for a lock by retrying every 100 us for its first 10 ms,
 * then every ms, for TIMEOUT_MS in all (SQLite's own busy handler sleeps
 * 1, 2, 5, 10, 15, 20, 25 ms... between tries: a TRUNCATE checkpoint
 * waiting out a reader that needed 50 us more held every cast for 10 to
 * 50 ms). 0, or -1 if SQLite refuses. */
int store_busy_set(sqlite3 *db, int timeout_ms);

/* Closes every thread's connection. No thread may be using one. */
void store_readers_free(struct store_readers *r);

/* SQL (a constant string: it is cached by address) prepared on the calling
 * thread's connection, or NULL (cannot open or prepare). Only for SELECTs
 * (the connection is query_only); the caller resets it with
 * store_stmt_reset before its next use. It does not see the calling thread's
 * own open write transaction: call it outside one. */
sqlite3_stmt *store_readers_stmt(struct store_readers *r, const char *sql);

#endif
