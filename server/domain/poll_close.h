/*
 * poll_close.h — what a close gathers from the store before it decrypts: the
 * poll's aggregate, its trackers and its first ballot (for the board's
 * frame). poll.c's close of a poll sealed by the server and poll_decrypt.c's
 * of one sealed by a council (and each trustee's post) use it alike.
 */
#ifndef CONCLAVE_POLL_CLOSE_H
#define CONCLAVE_POLL_CLOSE_H

#include <stddef.h>

#include "ballot.h"
#include "crypto.h"
#include "record.h"
#include "tally.h"

struct store;
struct ballotbox;

/* What a close gathers from the store before it decrypts: never the ballots
 * themselves (a board holds 1.8 kB per ballot), only their aggregate, their
 * trackers and the first of them, for the board's frame. */
struct close_state {
    const struct record *rec;                   /* the box's, or own_rec */
    struct record *own_rec;                     /* parsed here if the box has none */
    struct tally *tally;
    unsigned char (*trackers)[CRYPTO_BYTES];   /* ascending */
    size_t n;
    struct ballot *first;                       /* by tracker; NULL when n = 0 */
};

/* Reads what a close needs of poll ID (cs->rec set): trackers, aggregate
 * (cs->tally if the caller set one that counts every stored ballot, else
 * BOX's running one, else the sum of the stored ballots), first ballot.
 * 0 or -1. */
int poll_close_gather(struct store *st, struct ballotbox *box, const char *id,
                      struct close_state *cs);

/* Frees what cs holds (not cs). */
void poll_close_state_free(struct close_state *cs);

#endif
