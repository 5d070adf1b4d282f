/*
 * test_http.c — the HTTP layer in process, over real sockets on loopback:
 *
 *  - the request accessors (http_request.h) under a daemon of the test's own
 *    whose one handler reads the request back: method, path without its
 *    query, headers by any case, cookies, arguments, the body, the peer, the
 *    client key (IPv4, an IPv6 /64, X-Forwarded-For only from the trusted
 *    proxy, its last entry) and the same-site rule of form posts; a response
 *    carries its status, the handler's headers and the security headers;
 *  - the daemon (http.c) with its route table and guard (http_guard.c): the
 *    health check, 405 and 404 as JSON, 413 before the body is read, the cap
 *    on connections per address, and the header deadline (a 408 in JSON);
 *  - the cap's count of admissions not yet started (workers accept in
 *    parallel, and a connection is tracked only from MHD's STARTED).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/poll.h>         /* not <poll.h>: server/domain/poll.h is on the path */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "config.h"
#include "harness.h"
#include "http.h"
#include "http_guard.h"
#include "http_request.h"
#include "http_request_internal.h"

/* What the probe handler read from the last request. */
static char seen[2048];

/* --- a client on raw sockets ---------------------------------------------------------- */

static int dial(unsigned port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Reads what comes on FD for up to MS milliseconds, until the peer closes
 * or a whole answer (headers and Content-Length bytes) is in. The bytes
 * read (NUL-terminated in BUF), or -1 at once if the peer closed first. */
static long read_answer(int fd, char *buf, size_t cap, int ms)
{
    size_t n = 0;
    struct pollfd p = {fd, POLLIN, 0};
    const char *end, *cl;
    ssize_t r;

    buf[0] = '\0';
    while (n + 1 < cap && poll(&p, 1, ms) == 1) {
        if ((r = read(fd, buf + n, cap - 1 - n)) <= 0)
            return n == 0 ? -1 : (long)n;
        n += (size_t)r;
        buf[n] = '\0';
        /* without a Content-Length, until the peer closes */
        if ((end = strstr(buf, "\r\n\r\n")) != NULL &&
            (cl = strstr(buf, "Content-Length: ")) != NULL &&
            n >= (size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10))
            break;
    }
    return (long)n;
}

/* Sends REQUEST on a new connection and reads the answer into BUF. */
static long ask(unsigned port, const char *request, char *buf, size_t cap)
{
    int fd = dial(port);
    long n = -1;

    if (fd >= 0 && write(fd, request, strlen(request)) == (ssize_t)strlen(request))
        n = read_answer(fd, buf, cap, 5000);
    if (fd >= 0)
        close(fd);
    return n;
}

/* --- the accessors, under the test's own daemon ---------------------------------------- */

static void probe(struct http_request *req)
{
    char peer[64], client[64];
    size_t len;
    const char *body = http_request_body(req, &len);

    if (http_request_peer(req, peer, sizeof peer) != 0)
        snprintf(peer, sizeof peer, "?");
    if (http_request_client(req, client, sizeof client) != 0)
        snprintf(client, sizeof client, "?");
    snprintf(seen, sizeof seen, "method=%s path=%s x=%s cookie=%s arg=%s same=%d peer=%s "
             "client=%s body=%.*s", http_request_method(req), http_request_path(req),
             http_request_header(req, "x-TeSt") ? http_request_header(req, "x-TeSt") : "-",
             http_request_cookie(req, "c") ? http_request_cookie(req, "c") : "-",
             http_request_arg(req, "a") ? http_request_arg(req, "a") : "-",
             http_request_same_site(req), peer, client, (int)len, body);
    http_add_header(req, "X-Probe", "yes");
    http_respond_bytes(req, 203, "text/plain", "probed", 6);
}

static enum MHD_Result probe_access(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version,
                                    const char *upload, size_t *upload_size, void **con_cls)
{
    struct http_request *req = *con_cls;
    struct MHD_Response *resp;
    enum MHD_Result ret;

    (void)version;
    if (req == NULL) {
        *con_cls = http_request_new(cls, NULL, conn, url, method);
        return *con_cls != NULL ? MHD_YES : MHD_NO;
    }
    if (*upload_size != 0) {
        http_request_append(req, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    probe(req);
    if ((resp = http_request_response(req)) == NULL)
        return MHD_NO;
    ret = MHD_queue_response(conn, req->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void probe_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                       enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    http_request_free(*con_cls);
    *con_cls = NULL;
}

static struct MHD_Daemon *probe_start(struct config *cfg, unsigned *port)
{
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
                                            probe_access, cfg, MHD_OPTION_NOTIFY_COMPLETED,
                                            probe_done, NULL, MHD_OPTION_END);
    const union MHD_DaemonInfo *info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)
                                         : NULL;

    *port = info ? info->port : 0;
    return d;
}

/* The probe's reading of REQUEST (its request line and headers). */
static const char *probe_ask(unsigned port, const char *request, char *answer, size_t cap)
{
    seen[0] = '\0';
    if (ask(port, request, answer, cap) < 0)
        answer[0] = '\0';
    return seen;
}

static void test_accessors(void)
{
    struct config cfg;
    struct MHD_Daemon *d;
    unsigned port;
    char ans[4096];

    config_defaults(&cfg);
    d = probe_start(&cfg, &port);
    CHECK(d != NULL && port != 0, "the probe's daemon");
    if (d == NULL)
        return;
    CHECK_EQ_STR(probe_ask(port, "POST /a/b?a=1%202&z=3 HTTP/1.1\r\nHost: h\r\nX-Test: v\r\n"
                           "Cookie: d=0; c=cv\r\nContent-Length: 4\r\n\r\nbody", ans, sizeof ans),
                 "method=POST path=/a/b x=v cookie=cv arg=1 2 same=1 peer=127.0.0.1 "
                 "client=127.0.0.1 body=body", "what the handler reads");
    CHECK(strncmp(ans, "HTTP/1.1 203", 12) == 0 && strstr(ans, "X-Probe: yes") &&
          strstr(ans, "Content-Security-Policy: default-src 'self'") &&
          strstr(ans, "X-Frame-Options: DENY") && strstr(ans, "\r\n\r\nprobed"),
          "the answer: its status, its headers, the security headers, its body");
    CHECK(strstr(probe_ask(port, "GET / HTTP/1.1\r\nHost: h\r\nSec-Fetch-Site: cross-site\r\n"
                           "\r\n", ans, sizeof ans), "same=0") != NULL, "cross-site: not same");
    CHECK(strstr(probe_ask(port, "GET / HTTP/1.1\r\nHost: h\r\nSec-Fetch-Site: same-origin\r\n"
                           "Origin: https://evil\r\n\r\n", ans, sizeof ans), "same=1") != NULL,
          "Sec-Fetch-Site wins over Origin");
    CHECK(strstr(probe_ask(port, "GET / HTTP/1.1\r\nHost: h:8\r\nOrigin: https://evil\r\n\r\n",
                           ans, sizeof ans), "same=0") != NULL, "another Origin: not same");
    CHECK(strstr(probe_ask(port, "GET / HTTP/1.1\r\nHost: h:8\r\nOrigin: http://H:8\r\n\r\n",
                           ans, sizeof ans), "same=1") != NULL, "its own Origin, any case");
    CHECK(strstr(probe_ask(port, "GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 10.9.9.9\r\n"
                           "\r\n", ans, sizeof ans), "client=127.0.0.1") != NULL,
          "X-Forwarded-For from no trusted proxy counts for nothing");
    snprintf(cfg.trusted_proxy, sizeof cfg.trusted_proxy, "127.0.0.1");
    CHECK(strstr(probe_ask(port, "GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 6.6.6.6, "
                           "203.0.113.9\r\n\r\n", ans, sizeof ans), "client=203.0.113.9 ") != NULL,
          "behind the trusted proxy: the entry it appended last");
    CHECK(strstr(probe_ask(port, "GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: "
                           "2001:db8:1:2:3:4:5:6\r\n\r\n", ans, sizeof ans),
                 "client=2001:db8:1:2::/64 ") != NULL, "an IPv6 client counts by its /64");
    MHD_stop_daemon(d);
}

/* A body past the cap marks the request too large and keeps what came. */
static void test_body_cap(void)
{
    struct config cfg;
    struct http_request *req;
    size_t len;

    config_defaults(&cfg);
    cfg.body_limit = 8;
    req = http_request_new(&cfg, NULL, NULL, "/x?y=1", "POST");
    CHECK(req != NULL, "a request");
    if (req == NULL)
        return;
    CHECK_EQ_INT(http_request_append(req, "1234", 4), 0, "within the cap");
    CHECK_EQ_INT(http_request_append(req, "5678", 4), 0, "up to the cap");
    CHECK_EQ_INT(http_request_append(req, "9", 1), -1, "past it");
    CHECK_EQ_STR(http_request_body(req, &len), "12345678", "the body kept");
    CHECK(req->too_large && len == 8, "marked too large");
    CHECK_EQ_INT(http_request_append(req, "", 0), -1, "and stays so");
    http_request_free(req);
}

/* --- the daemon, its routes and its guard ------------------------------------------- */

static void test_daemon(void)
{
    struct config cfg;
    struct http_server *srv = NULL;
    char ans[4096];
    unsigned port;
    int a, b, c, idle;
    struct timespec t0, t1;
    long n;

    config_defaults(&cfg);
    cfg.listen_port = 0;
    cfg.threads = 2;
    cfg.per_address_limit = 0;          /* off here: the closed ones may still count */
    CHECK_EQ_INT(http_server_start(&cfg, NULL, &srv), 0, "the daemon starts on a free port");
    if (srv == NULL)
        return;
    port = http_server_port(srv);
    CHECK(ask(port, "GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n", ans, sizeof ans) > 0 &&
          strncmp(ans, "HTTP/1.1 200", 12) == 0 && strstr(ans, "{\"status\":\"ok\"}"),
          "GET /healthz");
    CHECK(ask(port, "POST /healthz HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", ans,
              sizeof ans) > 0 && strncmp(ans, "HTTP/1.1 405", 12) == 0 &&
          strstr(ans, "\"code\":\"method_not_allowed\""), "another method: 405 in JSON");
    CHECK(ask(port, "GET /api/v1/nothing HTTP/1.1\r\nHost: h\r\n\r\n", ans, sizeof ans) > 0 &&
          strncmp(ans, "HTTP/1.1 404", 12) == 0 && strstr(ans, "\"code\":\"not_found\""),
          "no such API path: 404 in JSON");
    CHECK(ask(port, "POST /api/v1/session HTTP/1.1\r\nHost: h\r\nContent-Type: application/json"
              "\r\nContent-Length: 100000\r\n\r\n{", ans, sizeof ans) > 0 &&
          strncmp(ans, "HTTP/1.1 413", 12) == 0 && strstr(ans, "\"code\":\"too_large\""),
          "a declared body past the cap: 413 before it is read");
    http_server_free(srv);
    srv = NULL;
    /* The cap first, with a header deadline far away: a slow accept (a loaded
     * machine, a sanitizer build) must not let the deadline close the first
     * two before the third is counted. */
    cfg.per_address_limit = 2;
    cfg.header_timeout = 30;
    CHECK_EQ_INT(http_server_start(&cfg, NULL, &srv), 0, "again, with a cap of 2 per address");
    if (srv == NULL)
        return;
    port = http_server_port(srv);
    a = dial(port);
    b = dial(port);
    c = dial(port);
    CHECK(a >= 0 && b >= 0 && c >= 0, "three connections from one address");
    CHECK_EQ_INT((int)read_answer(c, ans, sizeof ans, 3000), -1,
                 "the third is closed at once (2 per address)");
    close(a);
    close(b);
    close(c);
    http_server_free(srv);
    srv = NULL;
    cfg.header_timeout = 1;
    CHECK_EQ_INT(http_server_start(&cfg, NULL, &srv), 0, "again, with a header deadline of 1 s");
    if (srv == NULL)
        return;
    port = http_server_port(srv);
    idle = dial(port);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(idle >= 0 && write(idle, "GET /healthz HTTP/1.1\r\n", 23) == 23, "headers begun");
    n = read_answer(idle, ans, sizeof ans, 6000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(n > 0 && strncmp(ans, "HTTP/1.1 408", 12) == 0 &&
          strstr(ans, "\r\n\r\n{\"error\":{\"code\":\"request_timeout\",\"message\":"
                      "\"the request was not received in time\"}}") &&
          t1.tv_sec - t0.tv_sec < 5,
          "headers not finished within the header deadline (1 s): 408, then cut off");
    close(idle);
    http_server_quiesce(srv);
    CHECK_EQ_INT(http_server_wait_idle(srv, 2000), 0, "idle once quiesced");
    http_server_free(srv);
}

/* The accept policy alone, as workers racing would call it: every admission
 * counts from the policy's answer, before MHD starts the connection. */
static void test_guard_admissions(void)
{
    struct config cfg;
    struct http_guard *g = NULL;
    struct sockaddr_in a, other;
    int i, yes = 0;

    config_defaults(&cfg);
    cfg.per_address_limit = 3;
    cfg.request_timeout = cfg.header_timeout = 0;      /* no watchdog */
    CHECK_EQ_INT(http_guard_new(&cfg, &g), 0, "a guard with a cap of 3");
    if (g == NULL)
        return;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(0x7f000009);
    other = a;
    other.sin_addr.s_addr = htonl(0x7f00000a);
    for (i = 0; i < 8; i++)
        yes += http_guard_accept(g, (struct sockaddr *)&a, sizeof a) == MHD_YES;
    CHECK_EQ_INT(yes, 3, "8 accepts from one address before any starts: 3 let in");
    CHECK(http_guard_accept(g, (struct sockaddr *)&other, sizeof other) == MHD_YES,
          "another address is let in meanwhile");
    sleep(3);   /* GUARD_PENDING_MS: admissions that never started expire */
    CHECK(http_guard_accept(g, (struct sockaddr *)&a, sizeof a) == MHD_YES,
          "admissions that never started are forgotten after 2 s");
    http_guard_free(g);
}

int main(void)
{
    test_guard_admissions();
    test_body_cap();
    test_accessors();
    test_daemon();
    TEST_MAIN_END("test_http");
}
