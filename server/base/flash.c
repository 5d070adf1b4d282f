/*
 * flash.c — the one-shot message store (flash.h): a fixed table of slots,
 * searched linearly (a few hundred; a message is put and taken once per
 * form), each holding a key, a time and a malloc'd copy of the message that
 * is zeroed before it is freed.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "flash.h"

struct flash_slot {
    char key[FLASH_KEY_LEN + 1];        /* "" = free */
    time_t at;                          /* CLOCK_MONOTONIC seconds */
    unsigned char *data;
    size_t len;
};

struct flash {
    pthread_mutex_t mu;
    unsigned ttl;
    size_t n;
    struct flash_slot *slots;
};

static time_t flash_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

static void flash_clear(struct flash_slot *s)
{
    if (s->data != NULL) {
        sodium_memzero(s->data, s->len);
        free(s->data);
    }
    sodium_memzero(s, sizeof *s);
}

int flash_new(size_t slots, unsigned ttl, struct flash **out)
{
    struct flash *f;

    *out = NULL;
    if (slots == 0 || ttl == 0 || (f = calloc(1, sizeof *f)) == NULL)
        return -1;
    if ((f->slots = calloc(slots, sizeof *f->slots)) == NULL ||
        pthread_mutex_init(&f->mu, NULL) != 0) {
        free(f->slots);
        free(f);
        return -1;
    }
    f->n = slots;
    f->ttl = ttl;
    *out = f;
    return 0;
}

void flash_free(struct flash *f)
{
    size_t i;

    if (f == NULL)
        return;
    for (i = 0; i < f->n; i++)
        flash_clear(&f->slots[i]);
    pthread_mutex_destroy(&f->mu);
    free(f->slots);
    free(f);
}

static int flash_key_ok(const char *key)
{
    return key != NULL && strlen(key) == FLASH_KEY_LEN &&
           strspn(key, "0123456789abcdef") == FLASH_KEY_LEN;
}

/* KEY's slot, or NULL; expired slots met on the way are cleared. */
static struct flash_slot *flash_find(struct flash *f, const char *key, time_t now)
{
    struct flash_slot *hit = NULL;
    size_t i;

    for (i = 0; i < f->n; i++) {
        struct flash_slot *s = &f->slots[i];
        if (s->key[0] == '\0')
            continue;
        if (now - s->at > (time_t)f->ttl)
            flash_clear(s);
        else if (strcmp(s->key, key) == 0)
            hit = s;
    }
    return hit;
}

int flash_put(struct flash *f, const char *key, const void *data, size_t len)
{
    struct flash_slot *s, *victim = NULL;
    unsigned char *copy;
    time_t now = flash_now();
    size_t i;

    if (f == NULL || !flash_key_ok(key) || len == 0 || len > FLASH_DATA_MAX ||
        (copy = malloc(len)) == NULL)
        return -1;
    memcpy(copy, data, len);
    pthread_mutex_lock(&f->mu);
    if ((s = flash_find(f, key, now)) == NULL) {
        for (i = 0; i < f->n && (s = &f->slots[i])->key[0] != '\0'; i++)
            if (victim == NULL || s->at < victim->at)
                victim = s;
        if (i == f->n)
            s = victim;
    }
    flash_clear(s);
    memcpy(s->key, key, FLASH_KEY_LEN + 1);
    s->at = now;
    s->data = copy;
    s->len = len;
    pthread_mutex_unlock(&f->mu);
    return 0;
}

long flash_take(struct flash *f, const char *key, void *out, size_t cap)
{
    struct flash_slot *s;
    long n = 0;

    if (f == NULL || !flash_key_ok(key))
        return 0;
    pthread_mutex_lock(&f->mu);
    if ((s = flash_find(f, key, flash_now())) != NULL) {
        n = s->len <= cap ? (long)s->len : -1;
        if (n > 0)
            memcpy(out, s->data, s->len);
        flash_clear(s);
    }
    pthread_mutex_unlock(&f->mu);
    return n;
}
