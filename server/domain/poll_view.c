/*
 * poll_view.c — a poll as one member sees it (see poll_view.h): the row's
 * flags turned into one state, and the turnout, the vote and the roll read
 * from the store, for the API and the pages alike.
 */
#include <string.h>

#include "poll_view.h"
#include "store_poll.h"

int poll_view_read(struct store *st, const struct store_poll *p, const char *viewer,
                   struct poll_view *out)
{
    memset(out, 0, sizeof *out);
    out->poll = p;
    out->state = p->withdrawn ? POLL_STATE_WITHDRAWN
                 : p->decrypting ? POLL_STATE_DECRYPTING
                 : p->closed ? POLL_STATE_CLOSED
                 : STORE_POLL_AWAITING(p) ? POLL_STATE_AWAITING : POLL_STATE_OPEN;
    if (poll_seal_read(st, p, &out->seal) != 0 ||
        store_poll_voter_count(st, p->id, &out->cast) != 0 ||
        store_poll_has_voted(st, p->id, viewer, &out->voted) != 0 ||
        store_poll_on_roll(st, p->id, viewer, &out->on_roll) != 0)
        return -1;
    return 0;
}

const char *poll_state_name(enum poll_state state)
{
    switch (state) {
    case POLL_STATE_CLOSED:
        return "closed";
    case POLL_STATE_WITHDRAWN:
        return "withdrawn";
    case POLL_STATE_DECRYPTING:
        return "decrypting";
    case POLL_STATE_AWAITING:
        return "awaiting_consent";
    case POLL_STATE_OPEN:
        break;
    }
    return "open";
}
