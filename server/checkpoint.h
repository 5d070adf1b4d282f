/*
 * checkpoint.h — the WAL checkpointer: copies the WAL into the database file
 * on a thread of its own.
 *
 * SQLite's autocheckpoint copies the WAL inside the COMMIT that takes it
 * past 1,000 frames, and syncs the database file there: the cast committer,
 * holding the store's lock, then stood still for 4 to 9 ms every ~100 casts
 * (make bench), and every cast queued behind it waited as long. With the
 * checkpointer, such a COMMIT only wakes it; it copies the frames from the
 * store's side connection (store_checkpoint_ahead) while the casts go on.
 */
#ifndef CONCLAVE_CHECKPOINT_H
#define CONCLAVE_CHECKPOINT_H

#include "store.h"

struct checkpointer;

/* Starts checkpointing ST's WAL whenever a commit leaves it at 1,000 frames
 * or more, in place of the autocheckpoint. *OUT is freed with
 * checkpointer_free, before ST is closed. 0, or -1 (the autocheckpoint stays). */
int checkpointer_new(struct store *st, struct checkpointer **out);

/* Restores the autocheckpoint and ends the thread. NULL is a no-op. */
void checkpointer_free(struct checkpointer *c);

#endif
