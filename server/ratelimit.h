/*
 * ratelimit.h — in-memory rate limits by key (a username, an IP address).
 *
 * A token bucket per key: LIMIT requests at once, refilled at LIMIT per
 * WINDOW seconds, so "30 a minute" allows a burst of 30 and then one every
 * two seconds. The table has a fixed number of slots; when every slot is
 * taken, the key whose bucket is fullest (closest to forgotten) gives way, so
 * a flood of new keys can reset some limits early but never exhausts memory.
 *
 * Nothing here is written to disk: a limit says when a member last cast or
 * logged in, which the store must not keep. A restart forgets every bucket.
 * Thread-safe.
 */
#ifndef CONCLAVE_RATELIMIT_H
#define CONCLAVE_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#define RATELIMIT_KEY_MAX 63        /* longer keys are cut (usernames are 39) */

struct ratelimit;

/* A limiter of LIMIT (1..1,000,000) per WINDOW (1 s..7 days) over SLOTS keys.
 * 0 and *out, or -1. */
int ratelimit_new(unsigned limit, unsigned window, size_t slots, struct ratelimit **out);

/* Frees the limiter; NULL is a no-op. */
void ratelimit_free(struct ratelimit *rl);

/* Takes one token from KEY's bucket at NOW_MS (milliseconds of any monotonic
 * clock). Returns 0 if the request may go ahead, else the whole seconds (>= 1)
 * until it may: the value for Retry-After. RL NULL allows everything. */
unsigned ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms);

/* Milliseconds of CLOCK_MONOTONIC, for ratelimit_take. */
int64_t ratelimit_now_ms(void);

#endif
