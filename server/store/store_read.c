/*
 * store_read.c — per-thread read connections (see store_read.h).
 *
 * A thread's connection is found through a pthread key; all of them are also
 * on a list, so that store_readers_free closes them whether or not their
 * threads still exist. Each caches its few statements by SQL address.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_read.h"

/* Distinct statements a reader may run: every store_read_stmt SQL of the
 * server, with room to spare (test_store_read.py counts them against this). */
#define READ_STMTS      32
#define READ_BUSY_MS    5000
#define READ_CACHE_KIB  256     /* a lookup walks a few pages; keep RSS low */

struct reader {
    sqlite3 *db;
    const char *sql[READ_STMTS];
    sqlite3_stmt *st[READ_STMTS];
    struct reader *next;
};

struct store_readers {
    char *path;
    pthread_key_t key;
    pthread_mutex_t mu;         /* guards list */
    struct reader *list;
};

struct store_readers *store_readers_new(const char *path)
{
    struct store_readers *r = calloc(1, sizeof *r);

    if (r == NULL || (r->path = strdup(path)) == NULL)
        goto fail;
    if (pthread_key_create(&r->key, NULL) != 0)
        goto fail;
    if (pthread_mutex_init(&r->mu, NULL) != 0) {
        pthread_key_delete(r->key);
        goto fail;
    }
    return r;
fail:
    if (r)
        free(r->path);
    free(r);
    return NULL;
}

static void reader_close(struct reader *rd)
{
    size_t i;

    for (i = 0; i < READ_STMTS; i++)
        sqlite3_finalize(rd->st[i]);
    sqlite3_close(rd->db);
    free(rd);
}

void store_readers_free(struct store_readers *r)
{
    struct reader *rd, *next;

    if (r == NULL)
        return;
    for (rd = r->list; rd; rd = next) {
        next = rd->next;
        reader_close(rd);
    }
    pthread_key_delete(r->key);
    pthread_mutex_destroy(&r->mu);
    free(r->path);
    free(r);
}

/* The busy handler of store_busy_set; ARG is the timeout in ms. */
static int store_busy(void *arg, int count)
{
    long timeout_ms = (long)(intptr_t)arg;
    long waited_ms = count < 100 ? count / 10 : 10 + (count - 100);
    struct timespec pause = {0, count < 100 ? 100000L : 1000000L};

    if (waited_ms >= timeout_ms)
        return 0;
    nanosleep(&pause, NULL);
    return 1;
}

int store_busy_set(sqlite3 *db, int timeout_ms)
{
    return sqlite3_busy_handler(db, store_busy, (void *)(intptr_t)timeout_ms) == SQLITE_OK
               ? 0 : -1;
}

/* Opens the calling thread's connection and lists it; NULL on failure. */
static struct reader *reader_open(struct store_readers *r)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
    struct reader *rd = calloc(1, sizeof *rd);
    char pragma[64];

    if (rd == NULL)
        return NULL;
    snprintf(pragma, sizeof pragma, "PRAGMA query_only=1; PRAGMA cache_size=-%d",
             READ_CACHE_KIB);
    if (sqlite3_open_v2(r->path, &rd->db, flags, NULL) != SQLITE_OK ||
        store_busy_set(rd->db, READ_BUSY_MS) != 0 ||
        sqlite3_exec(rd->db, pragma, NULL, NULL, NULL) != SQLITE_OK ||
        pthread_setspecific(r->key, rd) != 0) {
        reader_close(rd);
        return NULL;
    }
    pthread_mutex_lock(&r->mu);
    rd->next = r->list;
    r->list = rd;
    pthread_mutex_unlock(&r->mu);
    return rd;
}

sqlite3_stmt *store_readers_stmt(struct store_readers *r, const char *sql)
{
    struct reader *rd = pthread_getspecific(r->key);
    size_t i;

    if (rd == NULL && (rd = reader_open(r)) == NULL)
        return NULL;
    for (i = 0; i < READ_STMTS && rd->sql[i] != NULL; i++)
        if (rd->sql[i] == sql)
            return rd->st[i];
    if (i == READ_STMTS) {
        log_warn("store: a reader's %d statements are taken: raise READ_STMTS", READ_STMTS);
        return NULL;
    }
    if (sqlite3_prepare_v3(rd->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &rd->st[i], NULL)
            != SQLITE_OK) {
        sqlite3_finalize(rd->st[i]);
        rd->st[i] = NULL;
        return NULL;
    }
    rd->sql[i] = sql;
    return rd->st[i];
}
