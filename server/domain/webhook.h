/*
 * webhook.h — the one thread that POSTs the webhook's deliveries
 * (store_webhook.h) to --webhook-url, with libcurl, and their signature.
 *
 * Each POST carries the delivery's stored body (JSON, event.c) with
 *   Content-Type: application/json
 *   X-Conclave-Event: poll.opened | poll.closed | poll.withdrawn
 *   X-Conclave-Delivery: the delivery's id (32 hex digits, the same at
 *                        every attempt: the receiver's key to dedupe)
 *   X-Conclave-Signature: sha256=HEX, HEX the lowercase HMAC-SHA256 of the
 *                        body's exact bytes under the secret
 * An answer 2xx marks it delivered at once (a restart never sends it
 * again); anything else, a timeout or no connection is a failed attempt,
 * logged (the delivery's id, event, attempt and reason: never the secret
 * nor the body) and tried again after a growing pause (30 s, doubling, at
 * most an hour apart) until 24 hours after the event, when it is given up
 * (an admin may ask for it again on /admin/webhooks). Redirects are not
 * followed.
 *
 * The URL must be https://, or http:// to this machine (127.0.0.0/8, ::1,
 * localhost); certificates are verified.
 */
#ifndef CONCLAVE_WEBHOOK_H
#define CONCLAVE_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct webhook;

#define WEBHOOK_GIVE_UP     (24 * 3600)     /* seconds after the delivery was made */
#define WEBHOOK_BACKOFF     30              /* seconds after the first failure */
#define WEBHOOK_BACKOFF_MAX 3600
#define WEBHOOK_KEEP        (30 * 86400)    /* rows done with, for /admin/webhooks */
#define WEBHOOK_SECRET_MIN  16              /* bytes */
#define WEBHOOK_SECRET_MAX  256
#define WEBHOOK_SIG_LEN     (7 + 64)        /* "sha256=" and 64 hex digits */

struct webhook_options {
    const char *url;                /* https://... (or http:// to loopback) */
    const char *secret;             /* copied; the caller wipes its own */
    const char *public_url;         /* this server's address, for links in bodies */
};

/* Starts the thread over ST (not owned; must outlive it). Requires
 * curl_global_init to have run. 0 / -1 (with a log line). */
int webhook_start(struct store *st, const struct webhook_options *o, struct webhook **out);

/* Wakes the thread to look for due deliveries now. NULL is a no-op. */
void webhook_wake(struct webhook *w);

/* Stops the thread after the POST in flight, if any, and frees W (the
 * secret wiped); NULL is a no-op. Deliveries not made stay in the store. */
void webhook_stop(struct webhook *w);

/* The public URL bodies link to (no trailing slash; "" for NULL). */
const char *webhook_public_url(const struct webhook *w);

/* Writes "sha256=" and the lowercase hex HMAC-SHA256 of BODY (LEN bytes)
 * under SECRET (SECRET_LEN bytes) into OUT (WEBHOOK_SIG_LEN + 1 bytes). */
void webhook_sign(const unsigned char *secret, size_t secret_len, const char *body,
                  size_t len, char out[WEBHOOK_SIG_LEN + 1]);

/* The pause before attempt ATTEMPTS + 1 after ATTEMPTS failures, seconds. */
int64_t webhook_backoff(int attempts);

/* 1 if URL may be used: https:// with a host, or http:// whose host is
 * this machine; 0 if not. */
int webhook_url_ok(const char *url);

#endif
