/*
 * http.c — libmicrohttpd daemon and per-request life cycle.
 *
 * MHD calls the access handler several times per request: first with the
 * headers (we allocate the request context and return MHD_YES, never
 * queueing then, since that would drop keep-alive), then once per body chunk
 * (appended up to the body limit), then with an empty chunk, when the route's
 * handler runs and its response is queued. The context is freed in the
 * request-completed callback, which MHD calls for every request, aborted ones
 * included; that is also where the request is logged and counted out.
 *
 * Every response carries the security headers; API answers are no-store.
 *
 * Slow and greedy clients (deadlines for headers and requests, the cap on
 * connections per address) are http_guard.c's: it sees every connection
 * through MHD's accept policy and connection notifications, and this file
 * tells it when a request's headers are in and when a request is busy or done.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "config.h"
#include "http.h"
#include "http_guard.h"
#include "log.h"
#include "route.h"

#define HTTP_MAX_HEADERS 8

struct http_server {
    struct MHD_Daemon *daemon;
    struct app *app;
    const struct config *cfg;
    atomic_int in_flight;
    unsigned port;
    struct http_guard *guard;
};

struct http_header {
    char *name;
    char *value;
};

/* A streamed body: owned by the request until queued, then by MHD's response. */
struct http_stream {
    long (*read)(void *cls, char *buf, size_t max);
    void *cls;
    void (*free_cls)(void *cls);
};

struct http_request {
    struct http_server *srv;
    struct MHD_Connection *conn;
    struct http_conn *hc;       /* NULL if MHD gave none */
    char method[16];
    char *path;
    struct timespec start;
    char *body;
    size_t body_len;
    size_t body_cap;
    int too_large;
    route_handler handler;
    struct route_params params;
    /* The prepared response. */
    unsigned status;
    char *resp;
    size_t resp_len;
    const char *content_type;
    struct http_stream *stream;     /* a streamed body instead of resp, or NULL */
    int cacheable;
    int nheaders;
    struct http_header headers[HTTP_MAX_HEADERS];
};

const char *http_request_method(const struct http_request *req) { return req->method; }
const char *http_request_path(const struct http_request *req) { return req->path; }
struct app *http_request_app(const struct http_request *req) { return req->srv->app; }

const char *http_request_param(const struct http_request *req, const char *name)
{
    size_t n = strlen(name);
    int i;

    /* names point into the route table's pattern: "id}..." */
    for (i = 0; i < req->params.count; i++)
        if (strncmp(req->params.names[i], name, n) == 0 && req->params.names[i][n] == '}')
            return req->params.values[i];
    return NULL;
}

const char *http_request_header(const struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_request_cookie(const struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *http_request_arg(const struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_request_same_site(const struct http_request *req)
{
    const char *site = http_request_header(req, "Sec-Fetch-Site");
    const char *origin = http_request_header(req, "Origin");
    const char *host = http_request_header(req, "Host");

    /* Browsers that send Fetch Metadata say exactly where a post comes from. */
    if (site != NULL)
        return strcmp(site, "same-origin") == 0;
    /* Under our Referrer-Policy: no-referrer, a browser sends "Origin: null"
       with its form posts; older ones send none. The token and SameSite hold. */
    if (origin == NULL || strcmp(origin, "null") == 0)
        return 1;
    if (host == NULL)
        return 0;
    if (strncasecmp(origin, "http://", 7) == 0)
        origin += 7;
    else if (strncasecmp(origin, "https://", 8) == 0)
        origin += 8;
    else
        return 0;
    return strcasecmp(origin, host) == 0;
}

int http_request_peer(const struct http_request *req, char *out, size_t len)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    const void *addr;

    if (sa == NULL || len == 0)
        return -1;
    if (sa->sa_family == AF_INET)
        addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    else if (sa->sa_family == AF_INET6)
        addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    else
        return -1;
    if (inet_ntop(sa->sa_family, addr, out, (socklen_t)len) == NULL) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

/* 1 if PEER is the address of --trusted-proxy. */
static int http_peer_is_proxy(const struct config *cfg, const struct sockaddr *peer)
{
    unsigned char want[16];

    if (cfg->trusted_proxy[0] == '\0' || peer == NULL)
        return 0;
    if (peer->sa_family == AF_INET)
        return inet_pton(AF_INET, cfg->trusted_proxy, want) == 1 &&
               memcmp(&((const struct sockaddr_in *)(const void *)peer)->sin_addr, want, 4) == 0;
    if (peer->sa_family == AF_INET6)
        return inet_pton(AF_INET6, cfg->trusted_proxy, want) == 1 &&
               memcmp(&((const struct sockaddr_in6 *)(const void *)peer)->sin6_addr, want,
                      16) == 0;
    return 0;
}

/* The client's address that the trusted proxy appended to X-Forwarded-For
 * (its last entry), into *ss. 0, or -1 if there is none or it is no address. */
static int http_forwarded_for(const struct http_request *req, struct sockaddr_storage *ss)
{
    const char *xff = http_request_header(req, "X-Forwarded-For"), *last;
    char ip[INET6_ADDRSTRLEN];
    size_t n;

    if (xff == NULL)
        return -1;
    last = strrchr(xff, ',');
    last = last != NULL ? last + 1 : xff;
    last += strspn(last, " \t");
    n = strcspn(last, " \t");
    if (n == 0 || n >= sizeof ip || last[n + strspn(last + n, " \t")] != '\0')
        return -1;
    memcpy(ip, last, n);
    ip[n] = '\0';
    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, ip, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
        ss->ss_family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, ip, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
        ss->ss_family = AF_INET6;
        return 0;
    }
    return -1;
}

int http_request_client(const struct http_request *req, char *out, size_t len)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *peer = info ? info->client_addr : NULL;
    struct sockaddr_storage ss;

    /* behind the trusted proxy, the client is the one it names */
    if (http_peer_is_proxy(req->srv->cfg, peer) && http_forwarded_for(req, &ss) == 0)
        return http_addr_key((const struct sockaddr *)&ss, out, len);
    return http_addr_key(peer, out, len);
}

const char *http_request_body(const struct http_request *req, size_t *len)
{
    *len = req->body_len;
    return req->body ? req->body : "";
}

int http_add_header(struct http_request *req, const char *name, const char *value)
{
    struct http_header *h;

    if (req->nheaders >= HTTP_MAX_HEADERS)
        return -1;
    h = &req->headers[req->nheaders];
    h->name = strdup(name);
    h->value = strdup(value);
    if (h->name == NULL || h->value == NULL) {
        free(h->name);
        free(h->value);
        return -1;
    }
    req->nheaders++;
    return 0;
}

void http_set_cacheable(struct http_request *req) { req->cacheable = 1; }

static void stream_free(void *cls)
{
    struct http_stream *st = cls;

    if (st == NULL)
        return;
    if (st->free_cls)
        st->free_cls(st->cls);
    free(st);
}

/* MHD's reader: the handler's read, with MHD's end and error codes. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct http_stream *st = cls;
    long n = st->read(st->cls, buf, max);

    (void)pos;
    if (n > 0)
        return (ssize_t)n;
    return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
}

int http_respond_stream(struct http_request *req, unsigned status, const char *content_type,
                        long (*read)(void *cls, char *buf, size_t max), void *cls,
                        void (*free_cls)(void *cls))
{
    struct http_stream *st = malloc(sizeof *st);

    if (st == NULL) {
        if (free_cls)
            free_cls(cls);
        return -1;
    }
    *st = (struct http_stream){read, cls, free_cls};
    stream_free(req->stream);
    free(req->resp);
    req->resp = NULL;
    req->resp_len = 0;
    req->stream = st;
    req->status = status;
    req->content_type = content_type;
    return 0;
}

int http_respond_bytes(struct http_request *req, unsigned status,
                       const char *content_type, const void *data, size_t len)
{
    char *copy = malloc(len ? len : 1);

    if (copy == NULL)
        return -1;
    if (len)
        memcpy(copy, data, len);
    stream_free(req->stream);
    req->stream = NULL;
    free(req->resp);
    req->resp = copy;
    req->resp_len = len;
    req->status = status;
    req->content_type = content_type;
    return 0;
}

int http_respond_json(struct http_request *req, unsigned status, json_t *body)
{
    char *text;
    int rc;

    if (body == NULL)
        return http_respond_bytes(req, status, NULL, "", 0);
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (text == NULL)
        return -1;
    rc = http_respond_bytes(req, status, "application/json", text, strlen(text));
    free(text);
    return rc;
}

int http_respond_error_reason(struct http_request *req, unsigned status,
                              const char *code, const char *message,
                              const char *reason)
{
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", message);

    if (err == NULL)
        return -1;
    if (reason != NULL && json_object_set_new(err, "reason", json_string(reason)) != 0) {
        json_decref(err);
        return -1;
    }
    return http_respond_json(req, status, json_pack("{s:o}", "error", err));
}

int http_respond_error(struct http_request *req, unsigned status,
                       const char *code, const char *message)
{
    return http_respond_error_reason(req, status, code, message, NULL);
}

static void request_free(struct http_request *req)
{
    int i;

    if (req == NULL)
        return;
    for (i = 0; i < req->nheaders; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    free(req->path);
    if (req->body != NULL)
        explicit_bzero(req->body, req->body_cap);   /* may hold a password */
    free(req->body);
    free(req->resp);
    stream_free(req->stream);
    free(req);
}

static struct http_request *request_new(struct http_server *srv,
                                        struct MHD_Connection *conn,
                                        const char *url, const char *method)
{
    struct http_request *req = calloc(1, sizeof *req);

    if (req == NULL)
        return NULL;
    req->srv = srv;
    req->conn = conn;
    snprintf(req->method, sizeof req->method, "%s", method);
    req->path = strdup(url);
    if (req->path == NULL) {
        free(req);
        return NULL;
    }
    clock_gettime(CLOCK_MONOTONIC, &req->start);
    return req;
}

/* Appends a body chunk; past the limit marks the request too large. */
static int request_append(struct http_request *req, const char *data, size_t len)
{
    size_t limit = req->srv->cfg->body_limit;
    char *grown;

    if (req->too_large || len > limit - req->body_len) {
        req->too_large = 1;
        return -1;
    }
    if (req->body_len + len + 1 > req->body_cap) {
        size_t cap = req->body_cap ? req->body_cap : 1024;
        while (cap < req->body_len + len + 1)
            cap *= 2;
        if ((grown = realloc(req->body, cap)) == NULL)
            return -1;
        req->body = grown;
        req->body_cap = cap;
    }
    memcpy(req->body + req->body_len, data, len);
    req->body_len += len;
    req->body[req->body_len] = '\0';
    return 0;
}

static void add_standard_headers(struct http_request *req, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'");
    MHD_add_response_header(resp, "Cache-Control",
                            req->cacheable ? "public, max-age=300" : "no-store");
}

static enum MHD_Result request_send(struct http_request *req)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    int i;

    if (req->status == 0 && http_respond_error(req, 500, "internal",
                                               "internal server error") != 0)
        return MHD_NO;
    if (req->stream != NULL)
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read,
                                                 req->stream, stream_free);
    else
        resp = MHD_create_response_from_buffer(req->resp_len, req->resp,
                                               MHD_RESPMEM_MUST_FREE);
    if (resp == NULL)
        return MHD_NO;
    req->resp = NULL;   /* now owned by resp */
    req->stream = NULL;
    if (req->content_type)
        MHD_add_response_header(resp, "Content-Type", req->content_type);
    add_standard_headers(req, resp);
    for (i = 0; i < req->nheaders; i++)
        MHD_add_response_header(resp, req->headers[i].name, req->headers[i].value);
    ret = MHD_queue_response(req->conn, req->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void request_dispatch(struct http_request *req)
{
    route_handler handler = NULL;

    if (req->too_large) {
        http_respond_error(req, 413, "too_large", "request body is too large");
        return;
    }
    switch (route_find(req->method, req->path, &handler, &req->params)) {
    case ROUTE_FOUND:
        handler(req);
        break;
    case ROUTE_BAD_METHOD:
        http_respond_error(req, 405, "method_not_allowed",
                           "method not allowed on this path");
        break;
    default:
        if (handler != NULL)
            handler(req);   /* a page's 404 (route_find) */
        else
            http_respond_error(req, 404, "not_found", "no such resource");
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
    return *end != '\0' || n > req->srv->cfg->body_limit;
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
        if ((req = request_new(srv, conn, url, method)) == NULL)
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
            request_append(req, upload_data, *upload_data_size);
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
    request_free(req);
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
