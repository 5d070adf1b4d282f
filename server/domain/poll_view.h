/*
 * poll_view.h — what one member sees of a poll, read from the store at once:
 * its state, its turnout, and whether the member is on its frozen roll and
 * has voted. The API (api_poll.c) renders this one struct as JSON and the
 * pages (web_poll.c, web_result.c) as a template; neither reads these from
 * the store itself.
 *
 * Before the close a poll shows its record, its statement and its turnout
 * (how many have voted), never a count: nothing here holds one. A closed
 * poll's outcome is its signed result (poll_result.h).
 */
#ifndef CONCLAVE_POLL_VIEW_H
#define CONCLAVE_POLL_VIEW_H

#include <stdint.h>

#include "poll_decrypt.h"

struct store;
struct store_poll;

enum poll_state {
    POLL_STATE_OPEN = 0,
    POLL_STATE_CLOSED,          /* closed at its deadline, with a result */
    POLL_STATE_WITHDRAWN,       /* closed by a withdrawal, with no result */
    POLL_STATE_DECRYPTING,      /* closed, sealed by trustees: their shares awaited */
    POLL_STATE_AWAITING         /* not open yet: the nominee's consent awaited */
};

struct poll_view {
    const struct store_poll *poll;  /* the row it was read for (borrowed) */
    enum poll_state state;
    int64_t cast;                   /* members of the roll who have voted */
    int voted;                      /* the viewer has voted */
    int on_roll;                    /* the viewer is on the poll's roll */
    struct poll_seal seal;          /* who seals it; after the close, who decrypted */
};

/* Reads P's view for member VIEWER (a username; one on no roll sees
 * voted = on_roll = 0) into *out, which borrows P. 0, or -1 on a store error. */
int poll_view_read(struct store *st, const struct store_poll *p, const char *viewer,
                   struct poll_view *out);

/* "open", "decrypting", "closed", "withdrawn" or "awaiting_consent": the
 * API's name of STATE. */
const char *poll_state_name(enum poll_state state);

#endif
