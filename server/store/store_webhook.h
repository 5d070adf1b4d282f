/*
 * store_webhook.h — the webhook's deliveries (schema/013_events.sql): one
 * row per event POSTed to --webhook-url, durable as the outbox's mails are.
 *
 * A delivery is added with store_webhook_add inside the transaction that
 * marks its event hooked (event.c). The delivery thread (webhook.c) takes
 * the next due one with store_webhook_next and records the outcome at once:
 * store_webhook_delivered right after a 2xx answer (so a restart never
 * sends it again), store_webhook_retry or store_webhook_give_up after a
 * failure; an admin may ask for a given-up or waiting one again at once
 * (store_webhook_again). Return values as store.h.
 */
#ifndef CONCLAVE_STORE_WEBHOOK_H
#define CONCLAVE_STORE_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_event.h"

#define STORE_WEBHOOK_BODY_MAX  (64 * 1024)
#define STORE_WEBHOOK_ERROR_MAX 300

struct store_delivery {
    int64_t id;
    char uid[STORE_EVENT_UID_LEN + 1];      /* X-Conclave-Delivery */
    int64_t event_id;
    char event_uid[STORE_EVENT_UID_LEN + 1];
    char type[STORE_EVENT_TYPE_MAX + 1];    /* the event's */
    char poll_id[64];
    char nominee[401];
    int64_t created_at;
    int64_t next_at;
    int attempts;
    char last_error[STORE_WEBHOOK_ERROR_MAX + 1];
    int64_t delivered_at;                   /* 0 while not delivered */
    int64_t failed_at;                      /* 0 unless given up */
};

/* Adds the delivery UID (32 hex digits) of event EVENT_ID with BODY (at
 * most STORE_WEBHOOK_BODY_MAX bytes), due at NOW. Inside the caller's
 * transaction. CV_CONFLICT if the event has one. */
int store_webhook_add(struct store *s, int64_t event_id, const char *uid, const char *body,
                      int64_t now);

/* The pending delivery due first whose next attempt is at or before NOW:
 * *out, and its body in *body (malloc'd, NUL-terminated, *len bytes; the
 * caller frees it). CV_NOT_FOUND when none is due. */
int store_webhook_next(struct store *s, int64_t now, struct store_delivery *out, char **body,
                       size_t *len);

/* Marks delivery ID delivered at NOW. CV_NOT_FOUND if it is not pending. */
int store_webhook_delivered(struct store *s, int64_t id, int64_t now);

/* Records a failed attempt of delivery ID: its count ATTEMPTS, ERROR (cut
 * to STORE_WEBHOOK_ERROR_MAX bytes), the next attempt at NEXT_AT. */
int store_webhook_retry(struct store *s, int64_t id, int attempts, int64_t next_at,
                        const char *error);

/* Gives delivery ID up at NOW after its last failed attempt (ERROR). */
int store_webhook_give_up(struct store *s, int64_t id, int attempts, int64_t now,
                          const char *error);

/* An admin's "retry now": delivery ID, given up or waiting, is due at NOW
 * (given up: pending again, for one more attempt before it is given up
 * again). CV_NOT_FOUND if there is none or it was delivered. */
int store_webhook_again(struct store *s, int64_t id, int64_t now);

/* Deletes the deliveries delivered or given up before BEFORE; *n_out (may
 * be NULL) how many. */
int store_webhook_prune(struct store *s, int64_t before, int64_t *n_out);

/* Calls FN for up to LIMIT deliveries, newest first (without their body);
 * FN returning non-zero stops the walk and is returned. */
int store_webhook_list(struct store *s, int limit,
                       int (*fn)(void *ctx, const struct store_delivery *d), void *ctx);

/* Counts: waiting (of which *failing have failed at least once), given up,
 * delivered. Any pointer may be NULL. */
int store_webhook_counts(struct store *s, int64_t *pending, int64_t *failing,
                         int64_t *given_up, int64_t *delivered);

/* Whether the server on this data directory was started with --webhook-url
 * (schema 013's webhook_settings): set ON 1 at a start with it (the row's
 * time kept if present), 0 at a start without (the row deleted). get: *on. */
int store_webhook_settings_set(struct store *s, int on, int64_t now);
int store_webhook_settings_get(struct store *s, int *on);

#endif
