/*
 * poll_close.c — what a close gathers before it decrypts (poll_close.h):
 * never the ballots themselves (a board holds 1.8 kB per ballot), only their
 * aggregate (the ballot box's running one when it counts every stored
 * ballot, else their sum: O(N)), their trackers, and the first of them.
 */
#include <stdlib.h>
#include <string.h>

#include "ballotbox.h"
#include "log.h"
#include "poll_close.h"
#include "store_poll.h"

void poll_close_state_free(struct close_state *cs)
{
    ballot_free(cs->first);
    free(cs->trackers);
    tally_free(cs->tally);
    record_free(cs->own_rec);
}

/* store_poll_ballots callback: counts one stored ballot in the aggregate. */
static int close_sum_ballot(void *ctx, const char *text, size_t len)
{
    struct ballot *b = NULL;
    int rc;

    if (ballot_parse(text, len, BALLOT_FORM_BOARD, &b) != PROTO_OK)
        return -1;
    rc = tally_add(ctx, b);
    ballot_free(b);
    return rc;
}

/* The aggregate: the ballot box's running one when it has it and it counts
 * every stored ballot, else the sum of the stored ballots (O(N): after a
 * restart with ballots, or a failed commit). */
static int close_aggregate(struct store *st, struct ballotbox *box, const char *id,
                           struct close_state *cs)
{
    if (cs->tally == NULL)                      /* else the caller's (poll_decrypt.c) */
        cs->tally = box ? ballotbox_aggregate(box, id) : NULL;
    if (cs->tally != NULL && tally_ballot_count(cs->tally) == cs->n)
        return 0;
    if (cs->tally != NULL)
        log_warn("poll %s: running aggregate has %u ballots, the store %zu; summing them",
                 id, tally_ballot_count(cs->tally), cs->n);
    tally_free(cs->tally);
    if ((cs->tally = tally_new(record_option_count(cs->rec))) == NULL ||
        store_poll_ballots(st, id, close_sum_ballot, cs->tally) != 0 ||
        tally_ballot_count(cs->tally) != cs->n)
        return -1;
    return 0;
}

/* store_poll_ballots_after callback: keeps the first ballot. */
static int close_first_ballot(void *ctx, const unsigned char *tracker, const char *text,
                              size_t len)
{
    (void)tracker;
    return ballot_parse(text, len, BALLOT_FORM_BOARD, ctx) == PROTO_OK ? 0 : -1;
}

int poll_close_gather(struct store *st, struct ballotbox *box, const char *id,
                        struct close_state *cs)
{
    if (store_poll_trackers(st, id, &cs->trackers, &cs->n) != 0 ||
        close_aggregate(st, box, id, cs) != 0)
        return -1;
    if (cs->n > 0 && (store_poll_ballots_after(st, id, NULL, 1, close_first_ballot,
                                               &cs->first) != 0 || cs->first == NULL))
        return -1;
    return 0;
}

