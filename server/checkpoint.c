/*
 * checkpoint.c — the WAL checkpointer thread (see checkpoint.h).
 *
 * The store calls checkpoint_wal after each commit, with its lock held; that
 * only sets a flag and signals. The thread then runs a PASSIVE checkpoint
 * from the side connection, which takes no lock of the store's and never
 * waits for a writer or a reader: frames still in a reader's snapshot are
 * left for the next one.
 */
#include <pthread.h>
#include <stdlib.h>

#include "checkpoint.h"
#include "log.h"

struct checkpointer {
    struct store *st;
    pthread_mutex_t mu;         /* guards pending and stop */
    pthread_cond_t cv;
    int pending;
    int stop;
    pthread_t thread;
};

/* store_watch_wal's callback: wakes the thread once the WAL is long. */
static void checkpoint_wal(void *arg, int frames)
{
    struct checkpointer *c = arg;

    if (frames < STORE_WAL_FRAMES)
        return;
    pthread_mutex_lock(&c->mu);
    if (!c->pending) {
        c->pending = 1;
        pthread_cond_signal(&c->cv);
    }
    pthread_mutex_unlock(&c->mu);
}

static void *checkpoint_run(void *arg)
{
    struct checkpointer *c = arg;

    log_name_thread("checkpointer");
    for (;;) {
        pthread_mutex_lock(&c->mu);
        while (!c->pending && !c->stop)
            pthread_cond_wait(&c->cv, &c->mu);
        if (c->stop) {
            pthread_mutex_unlock(&c->mu);
            return NULL;
        }
        c->pending = 0;
        pthread_mutex_unlock(&c->mu);
        if (store_checkpoint_ahead(c->st) != 0)
            log_warn("WAL checkpoint failed; will retry");
    }
}

int checkpointer_new(struct store *st, struct checkpointer **out)
{
    struct checkpointer *c = calloc(1, sizeof *c);

    if (c == NULL)
        return -1;
    c->st = st;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    if (pthread_create(&c->thread, NULL, checkpoint_run, c) != 0) {
        pthread_cond_destroy(&c->cv);
        pthread_mutex_destroy(&c->mu);
        free(c);
        return -1;
    }
    if (store_watch_wal(st, checkpoint_wal, c) != 0) {
        checkpointer_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void checkpointer_free(struct checkpointer *c)
{
    if (c == NULL)
        return;
    if (store_watch_wal(c->st, NULL, NULL) != 0)
        log_warn("cannot restore the WAL autocheckpoint");
    pthread_mutex_lock(&c->mu);
    c->stop = 1;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
}
