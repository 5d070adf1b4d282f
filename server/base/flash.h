/*
 * flash.h — one-shot messages between a form's POST and the GET after its
 * redirect (POST-redirect-GET), kept in memory only.
 *
 * A form that makes a secret (a one-time password, an API token, a
 * set-password link) answers with a redirect, so that the browser's
 * "refresh" shows a page instead of posting the form again; the secret
 * waits here, under a key derived from the viewer's session, for the GET
 * that shows it, which takes it: a second GET finds nothing. Nothing here
 * is written to disk or logged; a taken, replaced, expired or evicted
 * message is zeroed. A restart forgets them all (the admin makes the secret
 * again). Thread-safe.
 */
#ifndef CONCLAVE_FLASH_H
#define CONCLAVE_FLASH_H

#include <stddef.h>

#define FLASH_KEY_LEN   64          /* hex characters of a key */
#define FLASH_DATA_MAX  32768       /* bytes of one message (a statement fits) */

struct flash;

/* A store of SLOTS messages, each kept at most TTL seconds. 0 / -1. */
int flash_new(size_t slots, unsigned ttl, struct flash **out);

/* Zeroes and frees every message; NULL is a no-op. */
void flash_free(struct flash *f);

/* Keeps a copy of DATA (LEN bytes, at most FLASH_DATA_MAX) under KEY
 * (FLASH_KEY_LEN characters), replacing a message with that key; when full,
 * the oldest gives way. 0, or -1 (F NULL, bad key or size). */
int flash_put(struct flash *f, const char *key, const void *data, size_t len);

/* Moves the message under KEY into OUT (CAP bytes) and zeroes its slot.
 * Returns its length, or 0 when there is none (or it expired, or F is NULL),
 * or -1 if it does not fit (it is dropped). */
long flash_take(struct flash *f, const char *key, void *out, size_t cap);

#endif
