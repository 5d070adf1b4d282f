/*
 * event.h — what a poll's events cause: their mails and their webhook
 * deliveries, each made once from the event's durable row.
 *
 * An event (poll.opened, poll.closed, poll.withdrawn) is written by a
 * trigger in the transaction of the change to the poll (store_event.h,
 * schema/013). event_run, on the server's periodic tick, then makes for
 * each event not yet handled:
 *   - with mail on, its notice (notice_event) in one transaction with the
 *     event's "mailed" mark;
 *   - with the webhook on, its delivery (the body below, store_webhook.h)
 *     in one transaction with the event's "hooked" mark, and wakes the
 *     delivery thread (webhook.h).
 * A crash before such a commit makes them at the next start; after it,
 * never again.
 *
 * The body of a delivery (compact JSON, UTF-8):
 *   {"id": the event's id (32 hex digits), "type": "poll.opened" ...,
 *    "created_at": "2026-12-07T06:00:00Z",
 *    "poll": {"id", "nominee", "nominated_by", "fingerprint", "opens_at",
 *             "closes_at", "url"; poll.withdrawn: "withdrawn_by",
 *             "withdrawn_at"; poll.closed: "result_url", "board_url"},
 *    poll.closed: "result": the signed result, byte for byte as
 *             GET /api/v1/polls/{id}/result serves it}
 * Nothing in it says who voted or how: no ballot, tracker, roll or turnout.
 */
#ifndef CONCLAVE_EVENT_H
#define CONCLAVE_EVENT_H

#include <stdint.h>

struct store;
struct store_event;
struct store_poll;
struct mail;
struct webhook;

/* Makes the mails (M non-NULL) and the webhook deliveries (W non-NULL) of
 * the events not yet handled, as above. Returns how many were made, or -1
 * if one failed (logged; retried on the next call). With both NULL does
 * nothing and writes nothing. */
int event_run(struct store *st, struct mail *m, struct webhook *w, int64_t now);

/* At the start of a server with the webhook ON (1) or off (0): records it
 * (store_webhook_settings_set); a start with it on after one without marks
 * every event so far hooked, so that turning it on sends no old news. */
int event_hooks_start(struct store *st, int on, int64_t now);

/* The delivery body of event E of poll P (its result with it for
 * poll.closed), links made of PUBLIC_URL: malloc'd, the caller frees it;
 * NULL when out of memory or P's result is not JSON. */
char *event_body(const struct store_event *e, const struct store_poll *p,
                 const char *public_url);

#endif
