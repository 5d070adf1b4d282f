/*
 * http.c — the libmicrohttpd daemon and the calls that drive each request.
 *
 * MHD calls the access handler several times per request: first with the
 * headers (we allocate the request context and return MHD_YES, never
 * queueing then, since that would drop keep-alive), then once per body chunk
 * (appended up to the body limit), then with an empty chunk, when the route's
 * handler runs and its response is queued. The context is freed in the
 * request-completed callback, which MHD calls for every request, aborted ones
 * included; that is also where the request is logged and counted out.
 *
 * The request itself (its accessors, the response its handler prepares, the
 * security headers every answer carries) is http_request.c's; this file
 * only drives it through MHD's calls.
 *
 * Slow and greedy clients (deadlines for headers and requests, the cap on
 * connections per address) are http_guard.c's: it sees every connection
 * through MHD's accept policy and connection notifications, and this file
 * tells it when a request's headers are in and when a request is busy or done.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "config.h"
#include "http.h"
#include "http_error.h"
#include "http_guard.h"
#include "http_request_internal.h"
#include "log.h"
#include "route.h"

struct http_server {
    struct MHD_Daemon *daemon;
    struct app *app;
    const struct config *cfg;
    atomic_int in_flight;
    unsigned port;
    struct http_guard *guard;
};

/* Queues the response the handler prepared. */
static enum MHD_Result request_send(struct http_request *req)
{
    struct MHD_Response *resp = http_request_response(req);
    enum MHD_Result ret;

    if (resp == NULL)
        return MHD_NO;
    ret = MHD_queue_response(req->conn, req->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void request_dispatch(struct http_request *req)
{
    route_handler handler = NULL;

    if (req->too_large) {
        http_error_respond(req, CV_TOO_LARGE, NULL);
        return;
    }
    switch (route_find(req->method, req->path, &handler, &req->params)) {
    case ROUTE_FOUND:
        handler(req);
        break;
    case ROUTE_BAD_METHOD:
        http_error_respond(req, CV_BAD_METHOD, NULL);
        break;
    default:
        if (handler != NULL)
            handler(req);   /* a page's 404 (route_find) */
        else
            http_error_respond(req, CV_NOT_FOUND, NULL);
        break;
    }
}

/* Content-Length beyond the limit is refused before any byte is read. */
static int declared_too_large(struct http_request *req)
{
    const char *cl = http_request_header(req, "Content-Length");
    char *end;
    unsigned long long n;

    if (cl == NULL)
        return 0;
    n = strtoull(cl, &end, 10);
    return *end != '\0' || n > req->cfg->body_limit;
}

/* --- the access handler -------------------------------------------------------- */

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn,
                                 const char *url, const char *method,
                                 const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    struct http_server *srv = cls;
    struct http_request *req = *con_cls;

    (void)version;
    if (req == NULL) {
        if ((req = http_request_new(srv->cfg, srv->app, conn, url, method)) == NULL)
            return MHD_NO;
        *con_cls = req;
        req->hc = http_guard_conn(conn);
        http_guard_headers_done(srv->guard, req->hc);
        atomic_fetch_add(&srv->in_flight, 1);
        if (!declared_too_large(req))
            return MHD_YES;
        /* Refuse before reading the body; MHD then closes the connection. */
        req->too_large = 1;
        http_guard_set_busy(srv->guard, req->hc, 1, 0);
        request_dispatch(req);
        return request_send(req);
    }
    if (*upload_data_size != 0) {
        /* Past the cap (a chunked body) the rest is read and dropped. */
        if (!req->too_large)
            http_request_append(req, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    http_guard_set_busy(srv->guard, req->hc, 1, 0);
    request_dispatch(req);
    return request_send(req);
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *srv = cls;
    struct http_request *req = *con_cls;
    struct timespec end;
    double ms;
    int cut = 0;

    (void)conn;
    (void)toe;
    if (req == NULL)
        return;
    cut = http_guard_was_cut(srv->guard, req->hc);
    http_guard_set_busy(srv->guard, req->hc, 0, 1);
    if (req->status == 0 && cut)
        req->status = 408;      /* for the log line: the watchdog cut it off */
    clock_gettime(CLOCK_MONOTONIC, &end);
    ms = (double)(end.tv_sec - req->start.tv_sec) * 1e3 +
         (double)(end.tv_nsec - req->start.tv_nsec) / 1e6;
    log_request(req->method, req->path, req->status, ms);
    http_request_free(req);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

static int fill_addr(const struct config *cfg, struct sockaddr_storage *ss,
                     unsigned *flags)
{
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, cfg->listen_host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(cfg->listen_port);
        return 0;
    }
    if (inet_pton(AF_INET6, cfg->listen_host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(cfg->listen_port);
        *flags |= MHD_USE_IPv6;
        return 0;
    }
    return -1;
}

int http_server_start(const struct config *cfg, struct app *app,
                      struct http_server **out)
{
    struct http_server *srv = calloc(1, sizeof *srv);
    struct sockaddr_storage ss;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC;
    const union MHD_DaemonInfo *info;

    if (srv == NULL)
        return -1;
    srv->app = app;
    srv->cfg = cfg;
    if (http_guard_new(cfg, &srv->guard) != 0) {
        http_server_free(srv);
        return -1;
    }
    if (fill_addr(cfg, &ss, &flags) != 0) {
        log_error("cannot parse listen address %s", cfg->listen_host);
        http_server_free(srv);
        return -1;
    }
    srv->daemon = MHD_start_daemon(flags, cfg->listen_port, http_guard_accept, srv->guard,
        access_cb, srv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, cfg->connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, completed_cb, srv,
        MHD_OPTION_NOTIFY_CONNECTION, http_guard_notify, srv->guard,
        MHD_OPTION_END);
    if (srv->daemon == NULL) {
        log_error("cannot listen on %s:%u", cfg->listen_host, cfg->listen_port);
        http_server_free(srv);
        return -1;
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : cfg->listen_port;
    *out = srv;
    return 0;
}

unsigned http_server_port(const struct http_server *srv) { return srv->port; }

void http_server_quiesce(struct http_server *srv)
{
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);

    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

int http_server_wait_idle(struct http_server *srv, unsigned timeout_ms)
{
    struct timespec tick = {0, 10 * 1000 * 1000};
    unsigned waited = 0;

    while (atomic_load(&srv->in_flight) > 0) {
        if (waited >= timeout_ms)
            return -1;
        nanosleep(&tick, NULL);
        waited += 10;
    }
    return 0;
}

void http_server_free(struct http_server *srv)
{
    if (srv == NULL)
        return;
    if (srv->daemon != NULL)
        MHD_stop_daemon(srv->daemon);
    http_guard_free(srv->guard);
    free(srv);
}
