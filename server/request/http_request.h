/*
 * http_request.h — one HTTP request as its handler sees it: what it asked
 * (method, path, route parameters, headers, cookies, arguments, body, the
 * client's address) and the one response the handler prepares.
 *
 * Every handler (api_*.c, web_*.c) includes this header and nothing of the
 * daemon: the daemon (http.c) makes the request, finds its route, calls the
 * handler once the body is in, and sends what the handler prepared. Handlers
 * never touch libmicrohttpd.
 */
#ifndef CONCLAVE_HTTP_REQUEST_H
#define CONCLAVE_HTTP_REQUEST_H

#include <stddef.h>
#include <jansson.h>

struct app;
struct http_request;

/* The request's method; "GET", "POST", ... */
const char *http_request_method(const struct http_request *req);

/* The request's path without its query string. */
const char *http_request_path(const struct http_request *req);

/* A {name} segment of the matched route, or NULL. Owned by the request. */
const char *http_request_param(const struct http_request *req, const char *name);

/* A header value (case-insensitive name), or NULL. Owned by MHD. */
const char *http_request_header(const struct http_request *req, const char *name);

/* A cookie value, or NULL. Owned by MHD. */
const char *http_request_cookie(const struct http_request *req, const char *name);

/* A query or urlencoded form argument, or NULL. Owned by MHD. */
const char *http_request_arg(const struct http_request *req, const char *name);

/* 0 if the browser says the request comes from another site (Sec-Fetch-Site
 * other than same-origin, or an Origin naming another host), else 1: the
 * check of every form post and of the JSON login. */
int http_request_same_site(const struct http_request *req);

/* The client's IP address as text (the peer of the TCP connection: behind a
 * reverse proxy, the proxy's address) into out (len bytes; INET6_ADDRSTRLEN
 * is enough). 0, or -1 with out empty if it cannot be told. */
int http_request_peer(const struct http_request *req, char *out, size_t len);

/* The key under which per-client limits count this request's client: its
 * IPv4 address, or for IPv6 its /64 prefix ("2001:db8:1:2::/64"; one
 * subscriber commonly holds a whole /64, so single addresses would give an
 * attacker billions of budgets), an IPv4-mapped IPv6 address as IPv4. The
 * client is the TCP peer, or when that peer is --trusted-proxy, the address
 * that proxy appended last to X-Forwarded-For (any earlier entry came from
 * the client and proves nothing). Into out (HTTP_CLIENT_KEY_MAX + 1 bytes).
 * 0, or -1 with out "" when unknown. */
#define HTTP_CLIENT_KEY_MAX 45
int http_request_client(const struct http_request *req, char *out, size_t len);

/* The body (NUL-terminated, may contain NULs; len set). Owned by the request. */
const char *http_request_body(const struct http_request *req, size_t *len);

/* The application state the server was started with. */
struct app *http_request_app(const struct http_request *req);

/*
 * Adds a header to the response about to be prepared (Set-Cookie,
 * Retry-After, Location...). Name and value are copied. Returns 0 or -1.
 */
int http_add_header(struct http_request *req, const char *name, const char *value);

/*
 * Prepares the response: JSON (takes ownership of body, may be NULL for an
 * empty body), the error envelope {"error": {"code", "message"[, "reason"]}},
 * or raw bytes (copied) of a content type. A second call replaces the first.
 * Return 0, or -1 if out of memory (the request then gets a 500).
 */
int http_respond_json(struct http_request *req, unsigned status, json_t *body);
int http_respond_error(struct http_request *req, unsigned status,
                       const char *code, const char *message);
int http_respond_error_reason(struct http_request *req, unsigned status,
                              const char *code, const char *message,
                              const char *reason);
int http_respond_bytes(struct http_request *req, unsigned status,
                       const char *content_type, const void *data, size_t len);

/*
 * Prepares a streamed response of unknown length (chunked in HTTP/1.1): READ
 * copies the next bytes of the body into BUF (at most MAX) and returns how
 * many, 0 at the end, or -1 on an error (the connection is then cut short).
 * It runs on the connection's thread while the response is sent. FREE_CLS
 * (may be NULL) gets CLS once the response is done, replaced or abandoned,
 * and at once if this fails. Returns 0 or -1.
 */
int http_respond_stream(struct http_request *req, unsigned status, const char *content_type,
                        long (*read)(void *cls, char *buf, size_t max), void *cls,
                        void (*free_cls)(void *cls));

/*
 * Marks the response as cacheable by the browser (static assets). API
 * responses are `Cache-Control: no-store` unless this is called.
 */
void http_set_cacheable(struct http_request *req);

/*
 * Marks the response as one a client may keep but must revalidate each time
 * (`Cache-Control: private, no-cache`): for an answer sent with an ETag, so
 * that the client's If-None-Match gets a 304 while nothing changed.
 */
void http_set_revalidate(struct http_request *req);

#endif
