/*
 * store_compact.c — erasing the page history that SQLite's files keep: the
 * WAL checkpointed and truncated, its index scrubbed, and with VACUUM the
 * database rewritten so that freed pages keep no old content (store_poll.h).
 *
 * The close of a poll compacts on a connection of its own
 * (store_compact_detached, store.c); this is the same work under the
 * store's lock, for the cast path's periodic truncation and the tests.
 */
#include "store_int.h"
#include "store_poll.h"

/* Checkpoints and truncates the WAL (store lock held). 0 or -1. */
static int compact_truncate(struct store *s)
{
    return sqlite3_wal_checkpoint_v2(store_db(s), NULL, SQLITE_CHECKPOINT_TRUNCATE,
                                     NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/*
 * A truncated WAL's index (the -shm file) still lists the page numbers of
 * its frames, commit after commit: which pages each cast wrote (SECURITY.md).
 * SQLite zeroes an index block when it appends the block's first frame, so
 * one commit of page 1 alone (the header, by its user_version, which nothing
 * else uses) and a second truncation leave page 1 as the only number in the
 * first block, that of frames 1 to 4062. Store lock held. 0 or -1.
 */
static int compact_scrub_index(struct store *s)
{
    if (sqlite3_exec(store_db(s), "PRAGMA user_version = 0", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    return compact_truncate(s);
}

int store_compact(struct store *s, int vacuum)
{
    int rc = STORE_ERROR;

    store_lock(s);
    if (compact_truncate(s) != 0 || compact_scrub_index(s) != 0)
        goto out;
    if (vacuum && (sqlite3_exec(store_db(s), "VACUUM", NULL, NULL, NULL) != SQLITE_OK ||
                   sqlite3_wal_checkpoint_v2(store_db(s), NULL, SQLITE_CHECKPOINT_TRUNCATE,
                                             NULL, NULL) != SQLITE_OK))
        goto out;
    rc = 0;
out:
    store_unlock(s);
    return rc;
}
