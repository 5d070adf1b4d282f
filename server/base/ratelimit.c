/*
 * ratelimit.c — token buckets in a fixed table (see ratelimit.h).
 *
 * Tokens are kept in thousandths so that integer arithmetic is exact enough:
 * a bucket holds at most LIMIT * 1000 and gains LIMIT * 1000 per WINDOW * 1000
 * milliseconds. The table is searched linearly: it is small (a few hundred
 * slots) and a request that reaches it is about to do far more work (a proof
 * verification, an argon2 run).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ratelimit.h"

struct rl_slot {
    char key[RATELIMIT_KEY_MAX + 1];    /* "" = free */
    int64_t milli;                      /* tokens × 1000 at `at` */
    int64_t at;                         /* ms */
};

struct ratelimit {
    pthread_mutex_t mu;
    int64_t cap;                        /* limit × 1000 */
    int64_t window_ms;
    size_t n;
    struct rl_slot *slots;
};

int64_t ratelimit_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ratelimit_new(unsigned limit, unsigned window, size_t slots, struct ratelimit **out)
{
    struct ratelimit *rl;

    *out = NULL;
    /* bounds that keep rl_level's products far from overflowing */
    if (limit == 0 || limit > 1000000 || window == 0 || window > 7 * 86400 || slots == 0 ||
        (rl = calloc(1, sizeof *rl)) == NULL)
        return -1;
    if ((rl->slots = calloc(slots, sizeof *rl->slots)) == NULL) {
        free(rl);
        return -1;
    }
    if (pthread_mutex_init(&rl->mu, NULL) != 0) {
        free(rl->slots);
        free(rl);
        return -1;
    }
    rl->cap = (int64_t)limit * 1000;
    rl->window_ms = (int64_t)window * 1000;
    rl->n = slots;
    *out = rl;
    return 0;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (rl == NULL)
        return;
    pthread_mutex_destroy(&rl->mu);
    free(rl->slots);
    free(rl);
}

/* The slot's tokens at NOW (refilled, capped). */
static int64_t rl_level(const struct ratelimit *rl, const struct rl_slot *s, int64_t now)
{
    int64_t dt = now - s->at, gained;

    if (dt <= 0)
        return s->milli;
    if (dt >= rl->window_ms)
        return rl->cap;
    gained = dt * rl->cap / rl->window_ms;    /* < 6.1e8 × 1e9: fits */
    return s->milli + gained >= rl->cap ? rl->cap : s->milli + gained;
}

/* KEY's slot (KEY at most RATELIMIT_KEY_MAX bytes), or a new one: a free
 * slot, else the fullest bucket's. */
static struct rl_slot *rl_find(struct ratelimit *rl, const char *key, int64_t now)
{
    struct rl_slot *victim = &rl->slots[0];
    int64_t best = -1, level;
    size_t i;

    for (i = 0; i < rl->n; i++) {
        struct rl_slot *s = &rl->slots[i];
        if (s->key[0] == '\0') {
            if (best < rl->cap + 1) {
                victim = s;
                best = rl->cap + 1;     /* a free slot beats any bucket */
            }
            continue;
        }
        if (strcmp(s->key, key) == 0)
            return s;
        if ((level = rl_level(rl, s, now)) > best) {
            victim = s;
            best = level;
        }
    }
    memset(victim, 0, sizeof *victim);
    memcpy(victim->key, key, strlen(key) + 1);
    victim->milli = rl->cap;
    victim->at = now;
    return victim;
}

/* KEY as the table stores it: cut to RATELIMIT_KEY_MAX bytes, "-" if empty. */
static void rl_key(const char *key, char k[RATELIMIT_KEY_MAX + 1])
{
    size_t n;

    if (key == NULL || key[0] == '\0')
        key = "-";
    n = strnlen(key, RATELIMIT_KEY_MAX);
    memcpy(k, key, n);
    k[n] = '\0';
}

void ratelimit_forget(struct ratelimit *rl, const char *key)
{
    char k[RATELIMIT_KEY_MAX + 1];
    size_t i;

    if (rl == NULL)
        return;
    rl_key(key, k);
    pthread_mutex_lock(&rl->mu);
    for (i = 0; i < rl->n; i++)
        if (strcmp(rl->slots[i].key, k) == 0)
            memset(&rl->slots[i], 0, sizeof rl->slots[i]);
    pthread_mutex_unlock(&rl->mu);
}

/* Takes one token from KEY's bucket if TAKE and it holds one; returns 0, or
 * the seconds until it will hold one. */
static unsigned rl_use(struct ratelimit *rl, const char *key, int64_t now_ms, int take)
{
    struct rl_slot *s;
    int64_t level, wait;
    char k[RATELIMIT_KEY_MAX + 1];
    size_t i;

    if (rl == NULL)
        return 0;
    rl_key(key, k);
    pthread_mutex_lock(&rl->mu);
    if (take) {
        s = rl_find(rl, k, now_ms);
    } else {
        /* a peek makes no slot: an unknown key has a full bucket */
        for (s = NULL, i = 0; i < rl->n && s == NULL; i++)
            if (strcmp(rl->slots[i].key, k) == 0)
                s = &rl->slots[i];
        if (s == NULL) {
            pthread_mutex_unlock(&rl->mu);
            return 0;
        }
    }
    level = rl_level(rl, s, now_ms);
    if (level >= 1000) {
        if (take) {
            s->milli = level - 1000;
            s->at = now_ms > s->at ? now_ms : s->at;
        }
        pthread_mutex_unlock(&rl->mu);
        return 0;
    }
    /* refused: the bucket is left as it was, so its refill keeps counting;
     * the time until it holds one whole token again, rounded up, from the
     * bucket's own time (a level computed now is rounded down) */
    wait = s->at + ((1000 - s->milli) * rl->window_ms + rl->cap - 1) / rl->cap - now_ms;
    pthread_mutex_unlock(&rl->mu);
    return (unsigned)((wait + 999) / 1000 > 0 ? (wait + 999) / 1000 : 1);
}

unsigned ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms)
{
    return rl_use(rl, key, now_ms, 1);
}

unsigned ratelimit_peek(struct ratelimit *rl, const char *key, int64_t now_ms)
{
    return rl_use(rl, key, now_ms, 0);
}
