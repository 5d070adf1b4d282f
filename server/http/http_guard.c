/*
 * http_guard.c — slow and greedy clients: deadlines per connection and a cap
 * on the connections of one client address.
 *
 * Deadlines: MHD's own timeout only closes a connection that stays silent,
 * so a client sending one byte a second would hold its connection (and, a
 * few hundred times over, the server) for ever. A watchdog thread therefore
 * gives every request cfg->header_timeout seconds, from the end of the
 * previous request (or the connection's start), to send its headers, and
 * cfg->request_timeout seconds in all to be fully received; past either it
 * answers 408 request_timeout (on a connection's first request, where
 * nothing else can be in the pipe) and shuts the socket down. A request
 * being handled or answered is exempt: the handler's time is ours, not the
 * client's. The shorter header deadline frees a slot held by a partial
 * request line sooner, and closes idle kept-alive connections after it.
 *
 * The cap: one address holding every one of --max-connections slots with
 * partial requests keeps everyone else out. So an address (an IPv6 /64, as
 * for the login limits: http_addr_key) may hold at most
 * cfg->per_address_limit connections; MHD closes any more at once, before
 * reading a byte. libmicrohttpd's MHD_OPTION_PER_IP_CONNECTION_LIMIT does
 * the same per exact address, which on IPv6 a client escapes by using
 * another of the 2^64 addresses of its network; hence our own count, made
 * in the accept policy from the list of tracked connections (at most
 * --max-connections long). A connection is in that list only from MHD's
 * STARTED notification, a moment after the accept policy let it in, and the
 * workers accept in parallel: so the policy also counts the connections it
 * let in that have not started yet (g->pending, each for at most
 * GUARD_PENDING_MS), and the cap holds exactly however the workers race.
 * One that MHD drops between the two (its own --max-connections) still
 * counts for GUARD_PENDING_MS: stricter for a moment, never looser.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "http_error.h"
#include "http_guard.h"
#include "http_request_internal.h"
#include "log.h"

#define GUARD_TICK_MS   250
#define GUARD_KEY_MAX   (HTTP_CLIENT_KEY_MAX + 1)
#define GUARD_PENDING_MAX 64    /* let in, not started: about one per worker */
#define GUARD_PENDING_MS  2000

/* One TCP connection as the guard sees it (MHD's socket context). */
struct http_conn {
    int fd;
    int busy;                   /* a request is being handled or answered */
    int headers;                /* the current request's headers are in */
    int cut;                    /* the watchdog has shut it down */
    unsigned requests;          /* requests completed on this connection */
    struct timespec since;      /* when the current request could begin */
    char key[GUARD_KEY_MAX];    /* the client's address key */
    struct http_conn *prev, *next;
};

/* A connection the accept policy let in, until MHD starts it. */
struct guard_pending {
    int used;
    struct timespec at;
    char key[GUARD_KEY_MAX];
};

struct http_guard {
    const struct config *cfg;
    pthread_mutex_t mu;         /* guards conns, pending and every http_conn */
    struct http_conn *conns;
    struct guard_pending pending[GUARD_PENDING_MAX];
    pthread_mutex_t stop_mu;
    pthread_cond_t stop_cv;
    int stopping;
    int running;
    pthread_t watchdog;
};

static long guard_elapsed_ms(const struct timespec *since, const struct timespec *now)
{
    return (long)(now->tv_sec - since->tv_sec) * 1000L +
           (long)(now->tv_nsec - since->tv_nsec) / 1000000L;
}

/* Answers 408 on the raw socket and shuts it down (g->mu held). MHD has
 * nothing to send on this connection (it is not busy) and notices the
 * shutdown as the client leaving; it closes the socket only after its
 * CLOSED notification, which needs g->mu, so hc->fd is still ours. */
static void guard_cut(struct http_conn *hc)
{
    const struct http_error *e = http_error_of(CV_TIMEOUT);
    char head[256], body[160];
    int n, b;

    if (hc->requests == 0) {
        /* Only on a first request: on a kept-alive connection a client may
         * not expect an answer it did not ask for. Best effort. */
        b = snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
                     e->code, e->message);
        n = snprintf(head, sizeof head,
                     "HTTP/1.1 %u Request Timeout\r\nConnection: close\r\n"
                     "Content-Type: application/json\r\nCache-Control: no-store\r\n"
                     "X-Content-Type-Options: nosniff\r\nContent-Length: %d\r\n\r\n",
                     e->status, b);
        if (n > 0 && (size_t)n < sizeof head && b > 0 && (size_t)b < sizeof body &&
            send(hc->fd, head, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == n)
            (void)send(hc->fd, body, (size_t)b, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    shutdown(hc->fd, SHUT_RDWR);
    hc->cut = 1;
}

/* The deadline of HC's current request in ms: headers first, then whole. */
static long guard_limit_ms(const struct http_guard *g, const struct http_conn *hc)
{
    unsigned whole = g->cfg->request_timeout, head = g->cfg->header_timeout;

    if (hc->headers || head == 0 || (whole != 0 && head > whole))
        return whole != 0 ? (long)whole * 1000L : -1;
    return (long)head * 1000L;
}

static void guard_sweep(struct http_guard *g)
{
    struct timespec now;
    struct http_conn *hc;
    long limit;

    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&g->mu);
    for (hc = g->conns; hc != NULL; hc = hc->next) {
        if (hc->busy || hc->cut || (limit = guard_limit_ms(g, hc)) < 0)
            continue;
        if (guard_elapsed_ms(&hc->since, &now) > limit)
            guard_cut(hc);
    }
    pthread_mutex_unlock(&g->mu);
}

static void *guard_main(void *arg)
{
    struct http_guard *g = arg;
    struct timespec wake;

    log_name_thread("watchdog");
    pthread_mutex_lock(&g->stop_mu);
    while (!g->stopping) {
        clock_gettime(CLOCK_REALTIME, &wake);
        wake.tv_nsec += GUARD_TICK_MS * 1000000L;
        if (wake.tv_nsec >= 1000000000L) {
            wake.tv_sec++;
            wake.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->stop_cv, &g->stop_mu, &wake);
        if (!g->stopping)
            guard_sweep(g);
    }
    pthread_mutex_unlock(&g->stop_mu);
    return NULL;
}

int http_guard_new(const struct config *cfg, struct http_guard **out)
{
    struct http_guard *g = calloc(1, sizeof *g);

    *out = NULL;
    if (g == NULL)
        return -1;
    g->cfg = cfg;
    pthread_mutex_init(&g->mu, NULL);
    pthread_mutex_init(&g->stop_mu, NULL);
    pthread_cond_init(&g->stop_cv, NULL);
    if (cfg->request_timeout > 0 || cfg->header_timeout > 0) {
        if (pthread_create(&g->watchdog, NULL, guard_main, g) != 0) {
            log_error("cannot start the request watchdog");
            http_guard_free(g);
            return -1;
        }
        g->running = 1;
    }
    *out = g;
    return 0;
}

void http_guard_free(struct http_guard *g)
{
    struct http_conn *hc, *next;

    if (g == NULL)
        return;
    if (g->running) {
        pthread_mutex_lock(&g->stop_mu);
        g->stopping = 1;
        pthread_cond_signal(&g->stop_cv);
        pthread_mutex_unlock(&g->stop_mu);
        pthread_join(g->watchdog, NULL);
    }
    for (hc = g->conns; hc != NULL; hc = next) {
        next = hc->next;
        free(hc);
    }
    pthread_cond_destroy(&g->stop_cv);
    pthread_mutex_destroy(&g->stop_mu);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

/* Counts KEY's pending admissions (g->mu held), forgetting the expired;
 * *slot is a free entry, or NULL when all are taken. */
static unsigned guard_pending_count(struct http_guard *g, const char *key,
                                    struct guard_pending **slot)
{
    struct timespec now;
    unsigned n = 0, i;

    clock_gettime(CLOCK_MONOTONIC, &now);
    *slot = NULL;
    for (i = 0; i < GUARD_PENDING_MAX; i++) {
        struct guard_pending *p = &g->pending[i];

        if (p->used && guard_elapsed_ms(&p->at, &now) > GUARD_PENDING_MS)
            p->used = 0;
        if (!p->used) {
            if (*slot == NULL)
                *slot = p;
            continue;
        }
        n += strcmp(p->key, key) == 0;
    }
    if (*slot != NULL)
        (*slot)->at = now;
    return n;
}

/* KEY's connection has started: its pending admission ends (g->mu held). */
static void guard_pending_release(struct http_guard *g, const char *key)
{
    struct guard_pending *oldest = NULL;
    unsigned i;

    for (i = 0; i < GUARD_PENDING_MAX; i++) {
        struct guard_pending *p = &g->pending[i];

        if (p->used && strcmp(p->key, key) == 0 &&
            (oldest == NULL || guard_elapsed_ms(&p->at, &oldest->at) < 0))
            oldest = p;
    }
    if (oldest != NULL)
        oldest->used = 0;
}

enum MHD_Result http_guard_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
    struct http_guard *g = cls;
    unsigned cap = g->cfg->per_address_limit, held;
    char key[GUARD_KEY_MAX];
    struct http_conn *hc;
    struct guard_pending *slot;

    (void)len;
    if (cap == 0 || http_addr_key(addr, key, sizeof key) != 0)
        return MHD_YES;
    pthread_mutex_lock(&g->mu);
    held = guard_pending_count(g, key, &slot);
    for (hc = g->conns; hc != NULL && held < cap; hc = hc->next)
        held += strcmp(hc->key, key) == 0;
    if (held < cap && slot != NULL) {
        /* a full table (a flood of distinct addresses) admits unrecorded:
         * the cap may then be passed by a few, as without the table */
        slot->used = 1;
        memcpy(slot->key, key, sizeof slot->key);
    }
    pthread_mutex_unlock(&g->mu);
    return held < cap ? MHD_YES : MHD_NO;
}

/* A new connection: its record, in the list. */
static void guard_started(struct http_guard *g, struct MHD_Connection *conn,
                          void **socket_context)
{
    const union MHD_ConnectionInfo *fd =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *addr =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    struct http_conn *hc;

    if (fd == NULL || (hc = calloc(1, sizeof *hc)) == NULL)
        return;     /* untracked: MHD's idle timeout still applies */
    hc->fd = fd->connect_fd;
    if (addr != NULL)
        (void)http_addr_key(addr->client_addr, hc->key, sizeof hc->key);
    clock_gettime(CLOCK_MONOTONIC, &hc->since);
    pthread_mutex_lock(&g->mu);
    if (g->cfg->per_address_limit != 0)
        guard_pending_release(g, hc->key);
    hc->next = g->conns;
    if (g->conns)
        g->conns->prev = hc;
    g->conns = hc;
    pthread_mutex_unlock(&g->mu);
    *socket_context = hc;
}

void http_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code)
{
    struct http_guard *g = cls;
    struct http_conn *hc = *socket_context;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        guard_started(g, conn, socket_context);
        return;
    }
    if (hc == NULL)
        return;
    pthread_mutex_lock(&g->mu);
    if (hc->prev)
        hc->prev->next = hc->next;
    else
        g->conns = hc->next;
    if (hc->next)
        hc->next->prev = hc->prev;
    pthread_mutex_unlock(&g->mu);
    free(hc);
    *socket_context = NULL;
}

struct http_conn *http_guard_conn(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return info ? (struct http_conn *)info->socket_context : NULL;
}

void http_guard_headers_done(struct http_guard *g, struct http_conn *hc)
{
    if (hc == NULL)
        return;
    pthread_mutex_lock(&g->mu);
    hc->headers = 1;
    pthread_mutex_unlock(&g->mu);
}

void http_guard_set_busy(struct http_guard *g, struct http_conn *hc, int busy, int completed)
{
    if (hc == NULL)
        return;
    pthread_mutex_lock(&g->mu);
    hc->busy = busy;
    if (completed) {
        hc->requests++;
        hc->headers = 0;
        clock_gettime(CLOCK_MONOTONIC, &hc->since);
    }
    pthread_mutex_unlock(&g->mu);
}

int http_guard_was_cut(struct http_guard *g, struct http_conn *hc)
{
    int cut;

    if (hc == NULL)
        return 0;
    pthread_mutex_lock(&g->mu);
    cut = hc->cut;
    pthread_mutex_unlock(&g->mu);
    return cut;
}
