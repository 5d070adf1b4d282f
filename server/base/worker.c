/*
 * worker.c — the background thread of worker.h: step, and when idle sleep
 * on a condition variable until woken, stopped, or IDLE_MS have passed.
 *
 * A wake-up that comes while a step runs is kept (woken), so the thread
 * steps again at once instead of sleeping past it.
 */
#include <string.h>
#include <time.h>

#include "worker.h"

/* Waits up to W->idle_ms for a wake-up. 1 when told to stop. */
static int worker_wait(struct worker *w)
{
    struct timespec until;
    int stop;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += w->idle_ms / 1000;
    until.tv_nsec += (long)(w->idle_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->mu);
    while (!w->stop && !w->woken)
        if (pthread_cond_timedwait(&w->cv, &w->mu, &until) != 0)
            break;
    w->woken = 0;
    stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    int stop;

    for (;;) {
        pthread_mutex_lock(&w->mu);
        stop = w->stop;
        pthread_mutex_unlock(&w->mu);
        if (stop)
            break;
        if (w->step(w->arg))
            continue;
        if (worker_wait(w))
            break;
    }
    return NULL;
}

int worker_start(struct worker *w, int (*step)(void *arg), void *arg, int idle_ms)
{
    memset(w, 0, sizeof *w);
    w->step = step;
    w->arg = arg;
    w->idle_ms = idle_ms;
    if (pthread_mutex_init(&w->mu, NULL) != 0)
        return -1;
    if (pthread_cond_init(&w->cv, NULL) != 0) {
        pthread_mutex_destroy(&w->mu);
        return -1;
    }
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        return -1;
    }
    w->started = 1;
    return 0;
}

void worker_wake(struct worker *w)
{
    if (w == NULL || !w->started)
        return;
    pthread_mutex_lock(&w->mu);
    w->woken = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void worker_stop(struct worker *w)
{
    if (w == NULL || !w->started)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    w->started = 0;
}
