/*
 * http_request.c — one request: the accessors its handler reads it through,
 * the response the handler prepares (bytes, JSON, the error envelope, or a
 * stream), and its life cycle for the daemon (http.c): made when the headers
 * are in, the body appended up to the limit, turned into libmicrohttpd's
 * response with the security headers every answer carries, freed (the body
 * wiped: it may hold a password).
 *
 * The client's address key (http_request_client, http_addr_key) is here too:
 * the login limits count by it, and the guard (http_guard.c) counts
 * connections by the same key.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "config.h"
#include "http_request_internal.h"

/* A streamed body: owned by the request until queued, then by MHD's response. */
struct http_stream {
    long (*read)(void *cls, char *buf, size_t max);
    void *cls;
    void (*free_cls)(void *cls);
};

/* --- what the handler reads ------------------------------------------------- */

const char *http_request_method(const struct http_request *req) { return req->method; }
const char *http_request_path(const struct http_request *req) { return req->path; }
struct app *http_request_app(const struct http_request *req) { return req->app; }

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

const char *http_request_body(const struct http_request *req, size_t *len)
{
    *len = req->body_len;
    return req->body ? req->body : "";
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

int http_addr_key(const struct sockaddr *sa, char *out, size_t len)
{
    const struct sockaddr_in6 *in6;
    struct in6_addr net;
    char text[INET6_ADDRSTRLEN];

    if (len > 0)
        out[0] = '\0';
    if (sa == NULL || len < HTTP_CLIENT_KEY_MAX + 1)
        return -1;
    if (sa->sa_family == AF_INET)
        return inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                         out, (socklen_t)len) != NULL ? 0 : -1;
    if (sa->sa_family != AF_INET6)
        return -1;
    in6 = (const struct sockaddr_in6 *)(const void *)sa;
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
        return inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], out, (socklen_t)len) != NULL
            ? 0 : -1;
    net = in6->sin6_addr;
    memset(&net.s6_addr[8], 0, 8);
    if (inet_ntop(AF_INET6, &net, text, sizeof text) == NULL)
        return -1;
    snprintf(out, len, "%s/64", text);
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
    if (http_peer_is_proxy(req->cfg, peer) && http_forwarded_for(req, &ss) == 0)
        return http_addr_key((const struct sockaddr *)&ss, out, len);
    return http_addr_key(peer, out, len);
}

/* --- what the handler answers ---------------------------------------------------- */

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

void http_set_revalidate(struct http_request *req) { req->cacheable = 2; }

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

/* --- the daemon's side ------------------------------------------------------------ */

void http_request_free(struct http_request *req)
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

struct http_request *http_request_new(const struct config *cfg, struct app *app,
                                      struct MHD_Connection *conn, const char *url,
                                      const char *method)
{
    struct http_request *req = calloc(1, sizeof *req);

    if (req == NULL)
        return NULL;
    req->cfg = cfg;
    req->app = app;
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

int http_request_append(struct http_request *req, const char *data, size_t len)
{
    size_t limit = req->cfg->body_limit;
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
                            req->cacheable == 1   ? "public, max-age=300"
                            : req->cacheable == 2 ? "private, no-cache"
                                                  : "no-store");
}

struct MHD_Response *http_request_response(struct http_request *req)
{
    struct MHD_Response *resp;
    int i;

    if (req->status == 0 && http_respond_error(req, 500, "internal",
                                               "internal server error") != 0)
        return NULL;
    if (req->stream != NULL)
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read,
                                                 req->stream, stream_free);
    else
        resp = MHD_create_response_from_buffer(req->resp_len, req->resp,
                                               MHD_RESPMEM_MUST_FREE);
    if (resp == NULL)
        return NULL;
    req->resp = NULL;   /* now owned by resp */
    req->stream = NULL;
    if (req->content_type)
        MHD_add_response_header(resp, "Content-Type", req->content_type);
    add_standard_headers(req, resp);
    for (i = 0; i < req->nheaders; i++)
        MHD_add_response_header(resp, req->headers[i].name, req->headers[i].value);
    return resp;
}
