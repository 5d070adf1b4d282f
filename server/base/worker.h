/*
 * worker.h — one background thread that does a step of work at a time and,
 * when a step finds nothing to do, sleeps until it is woken or a pause has
 * passed: the shape of the mailer (mailer.h) and of the webhook's delivery
 * thread (webhook.h).
 *
 * The struct is embedded in its owner (its fields are this module's own).
 * worker_stop asks the thread to stop, waits for the step in progress to
 * end and joins it.
 */
#ifndef CONCLAVE_WORKER_H
#define CONCLAVE_WORKER_H

#include <pthread.h>

struct worker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, woken, started;
    int (*step)(void *arg);         /* 1: did something (step again at once), 0: idle */
    void *arg;
    int idle_ms;
};

/* Starts W's thread, which calls STEP(ARG) until stopped and, after a step
 * that returned 0, sleeps up to IDLE_MS milliseconds or until woken. W is
 * zeroed first. 0, or -1 (nothing to stop). */
int worker_start(struct worker *w, int (*step)(void *arg), void *arg, int idle_ms);

/* Wakes W's thread to step now (NULL or not started: no-op). */
void worker_wake(struct worker *w);

/* Stops and joins W's thread after its step in progress, if started;
 * NULL or not started: no-op. */
void worker_stop(struct worker *w);

#endif
