/*
 * store_event.h — a poll's events (schema/013_events.sql): poll.opened,
 * poll.closed, poll.withdrawn, written by SQLite triggers on the polls
 * table in the transaction of the change itself, whichever code makes it.
 *
 * This module reads them and records what was made of each, once: its
 * mails (STORE_EVENT_MAIL: notice.c, through event.c) and its webhook
 * delivery (STORE_EVENT_HOOK: event.c). The caller marks an event in the
 * transaction that queues what it causes, so both commit or neither does.
 * Return values as store.h.
 */
#ifndef CONCLAVE_STORE_EVENT_H
#define CONCLAVE_STORE_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_EVENT_TYPE_MAX 16
#define STORE_EVENT_UID_LEN  32         /* hex characters */

#define STORE_EVENT_OPENED    "poll.opened"
#define STORE_EVENT_CLOSED    "poll.closed"
#define STORE_EVENT_WITHDRAWN "poll.withdrawn"

struct store_event {
    int64_t id;
    char uid[STORE_EVENT_UID_LEN + 1];      /* random: the event's id in a webhook's body */
    char type[STORE_EVENT_TYPE_MAX + 1];    /* one of STORE_EVENT_* */
    char poll_id[64];
    int64_t created_at;                     /* unix seconds (SQLite's clock) */
};

/* What is made of an event, each once. */
enum store_event_use {
    STORE_EVENT_MAIL,           /* its mails (events.mailed_at) */
    STORE_EVENT_HOOK            /* its webhook delivery (events.hooked_at) */
};

/* Up to CAP events not yet handled for USE, oldest first, into OUT; *n how
 * many. */
int store_event_pending(struct store *s, enum store_event_use use, struct store_event *out,
                        size_t cap, size_t *n);

/* Marks event ID handled for USE at NOW: CV_OK if it was not yet (the
 * caller queues what it causes in the same transaction), CV_CONFLICT if it
 * was already, CV_NOT_FOUND if there is no such event. */
int store_event_mark(struct store *s, int64_t id, enum store_event_use use, int64_t now);

/* Marks every event not yet handled for USE at NOW, *n_out (may be NULL)
 * how many: at a start with mail (or a webhook) on after one without, so
 * that turning it on sends no old news. */
int store_event_mark_all(struct store *s, enum store_event_use use, int64_t now,
                         int64_t *n_out);

/* Calls FN for each event of POLL_ID, oldest first; FN returning non-zero
 * stops the walk and is returned. */
int store_event_list(struct store *s, const char *poll_id,
                     int (*fn)(void *ctx, const struct store_event *e), void *ctx);

#endif
