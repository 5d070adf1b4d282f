/*
 * bench_http.c — the load generator's HTTP/1.1 client: blocking sockets,
 * keep-alive, one request in flight per connection, responses framed by
 * Content-Length. Small on purpose so that it costs the machine far less
 * than the server it measures.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "bench.h"

int bench_conn_init(struct bench_conn *c, unsigned port)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->port = port;
    c->cap = 64 * 1024;
    c->buf = malloc(c->cap);
    return c->buf ? 0 : -1;
}

void bench_conn_close(struct bench_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->buf);
    free(c->body);
    c->buf = c->body = NULL;
}

static int conn_connect(struct bench_conn *c)
{
    struct sockaddr_in sa;
    int one = 1;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)c->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((c->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        return -1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(c->why, sizeof c->why, "connect: %s", strerror(errno));
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    c->len = 0;
    return 0;
}

static int conn_write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads more bytes into the buffer, growing it; 0, or -1 on EOF or error. */
static int conn_fill(struct bench_conn *c)
{
    ssize_t r;

    if (c->len == c->cap) {
        char *grown = realloc(c->buf, 2 * c->cap);
        if (grown == NULL)
            return -1;
        c->buf = grown;
        c->cap *= 2;
    }
    do
        r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
    while (r < 0 && errno == EINTR);
    if (r <= 0) {
        snprintf(c->why, sizeof c->why, "%s after %zu bytes of the answer",
                 r == 0 ? "closed by the server" : strerror(errno), c->len);
        return -1;
    }
    c->len += (size_t)r;
    return 0;
}

/* The value of header NAME (with its colon) in the header block HEAD
 * (NUL-terminated), or NULL. */
static const char *head_value(const char *head, const char *name)
{
    const char *p = head;
    size_t n = strlen(name);

    while ((p = strstr(p, "\r\n")) != NULL) {
        p += 2;
        if (strncasecmp(p, name, n) == 0)
            return p + n + strspn(p + n, " ");
    }
    return NULL;
}

/* Decodes a chunked body starting at offset AT of the buffer (reading more
 * as needed) into c->body; 0 or -1. */
static int conn_read_chunked(struct bench_conn *c, size_t at)
{
    size_t size;
    char *end, *grown;

    c->body_len = 0;
    for (;;) {
        while ((end = memchr(c->buf + at, '\n', c->len - at)) == NULL)
            if (conn_fill(c) != 0)
                return -1;
        size = (size_t)strtoul(c->buf + at, NULL, 16);
        at = (size_t)(end - c->buf) + 1;
        while (c->len < at + size + 2)
            if (conn_fill(c) != 0)
                return -1;
        if (size == 0)
            return 0;
        if (c->body_len + size > c->body_cap) {
            c->body_cap = 2 * (c->body_len + size);
            if ((grown = realloc(c->body, c->body_cap)) == NULL)
                return -1;
            c->body = grown;
        }
        memcpy(c->body + c->body_len, c->buf + at, size);
        c->body_len += size;
        at += size + 2;
    }
}

/* The end of the header block ("\r\n\r\n") in the buffer, or NULL. */
static char *conn_head_end(struct bench_conn *c)
{
    size_t i;

    for (i = 0; i + 4 <= c->len; i++)
        if (memcmp(c->buf + i, "\r\n\r\n", 4) == 0)
            return c->buf + i;
    return NULL;
}

/* Reads one response; the bytes of the previous one were consumed. */
static int conn_read_response(struct bench_conn *c, struct bench_resp *out)
{
    const char *te;
    char *end;
    size_t head;
    long body;

    for (;;) {
        if ((end = conn_head_end(c)) != NULL)
            break;
        if (conn_fill(c) != 0)
            return -1;
    }
    head = (size_t)(end - c->buf) + 4;
    end[2] = '\0';                  /* the header block as a C string */
    if (sscanf(c->buf, "HTTP/1.%*d %d", &out->status) != 1)
        return -1;
    if ((te = head_value(c->buf, "Transfer-Encoding:")) != NULL &&
        strncasecmp(te, "chunked", 7) == 0) {
        if (conn_read_chunked(c, head) != 0)
            return -1;
        out->body = c->body;
        out->body_len = c->body_len;
        c->len = 0;
        return 0;
    }
    if (head_value(c->buf, "Content-Length:") == NULL ||
        (body = strtol(head_value(c->buf, "Content-Length:"), NULL, 10)) < 0)
        return -1;
    while (c->len < head + (size_t)body)
        if (conn_fill(c) != 0)
            return -1;
    out->body = c->buf + head;
    out->body_len = (size_t)body;
    c->len = 0;                     /* one request in flight: nothing follows */
    return 0;
}

int bench_conn_send(struct bench_conn *c, const char *req, size_t len, struct bench_resp *out)
{
    int attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        if (c->fd < 0 && conn_connect(c) != 0)
            return -1;
        c->why[0] = '\0';
        if (conn_write_all(c->fd, req, len) != 0)
            snprintf(c->why, sizeof c->why, "send: %s", strerror(errno));
        else if (conn_read_response(c, out) == 0)
            return 0;
        close(c->fd);               /* closed by the server (timeout): reconnect once */
        c->fd = -1;
    }
    return -1;
}

char *bench_request(const char *method, const char *path, const char *token,
                    const char *body, size_t *len)
{
    size_t blen = body ? strlen(body) : 0, cap = blen + strlen(path) + 256;
    char *req = malloc(cap);
    int n;

    if (req == NULL)
        return NULL;
    n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s"
                 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                 method, path, token ? "Authorization: Bearer " : "", token ? token : "",
                 token ? "\r\n" : "", blen);
    if (n < 0 || (size_t)n + blen >= cap) {
        free(req);
        return NULL;
    }
    memcpy(req + n, body ? body : "", blen + 1);
    *len = (size_t)n + blen;
    return req;
}

int bench_http_once(unsigned port, const char *method, const char *path, const char *token,
                    const char *json, char **body, size_t *body_len)
{
    struct bench_conn c;
    struct bench_resp r;
    size_t len;
    char *req = bench_request(method, path, token, json, &len);
    int status = -1;

    if (req == NULL || bench_conn_init(&c, port) != 0) {
        free(req);
        return -1;
    }
    if (bench_conn_send(&c, req, len, &r) == 0) {
        status = r.status;
        if (body != NULL && (*body = malloc(r.body_len + 1)) != NULL) {
            memcpy(*body, r.body, r.body_len);
            (*body)[r.body_len] = '\0';
            if (body_len)
                *body_len = r.body_len;
        }
    }
    bench_conn_close(&c);
    free(req);
    return status;
}
