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

#define RATELIMIT_KEY_MAX 95        /* longer keys are cut (a username, 39, and an
                                       address key, at most 45) */

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

/* As ratelimit_take, without taking: 0 if KEY's bucket holds a token now,
 * else the seconds until it will. For limits that count only some outcomes
 * (failed logins): peek before the work, take after a failure. */
unsigned ratelimit_peek(struct ratelimit *rl, const char *key, int64_t now_ms);

/* Forgets KEY's bucket (it is full again): a login that succeeded clears the
 * failures its client had made. RL NULL or an unknown key: no-op. */
void ratelimit_forget(struct ratelimit *rl, const char *key);

/* Milliseconds of CLOCK_MONOTONIC, for ratelimit_take. */
int64_t ratelimit_now_ms(void);

#endif
