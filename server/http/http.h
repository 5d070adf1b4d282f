/*
 * http.h — the HTTP front end over libmicrohttpd: starting and stopping the
 * daemon (serve.c).
 *
 * http.c owns the daemon and the life of each request: it collects the body
 * (capped), finds the route, calls the handler once the request is complete,
 * and sends the one response the handler prepared. Handlers never include
 * this header: they read the request and prepare its response through
 * http_request.h.
 */
#ifndef CONCLAVE_HTTP_H
#define CONCLAVE_HTTP_H

struct config;
struct app;
struct http_server;

/*
 * Starts the daemon on cfg's address with its own epoll threads. app is
 * handed to every handler. Returns 0 and *out, or -1 (logged).
 */
int http_server_start(const struct config *cfg, struct app *app,
                      struct http_server **out);

/* The TCP port actually bound (useful with port 0). */
unsigned http_server_port(const struct http_server *srv);

/* Stops accepting new connections; requests in flight go on. */
void http_server_quiesce(struct http_server *srv);

/* Waits until no request is in flight, at most timeout_ms. Returns 0 or -1 on timeout. */
int http_server_wait_idle(struct http_server *srv, unsigned timeout_ms);

/* Stops the daemon, closes every connection and frees srv. NULL is a no-op. */
void http_server_free(struct http_server *srv);

#endif
