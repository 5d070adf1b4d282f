/*
 * http_guard.h — what keeps slow and greedy clients from holding the server:
 * per-connection deadlines (headers, whole request) and a cap on the
 * connections one client address may hold. Internal to the HTTP layer: only
 * http.c includes it (it speaks libmicrohttpd's types).
 */
#ifndef CONCLAVE_HTTP_GUARD_H
#define CONCLAVE_HTTP_GUARD_H

#include <stddef.h>
#include <sys/socket.h>

#include <microhttpd.h>

struct config;
struct http_guard;
struct http_conn;

/* A guard for CFG's limits (cfg->request_timeout, header_timeout,
 * per_address_limit; CFG must outlive it); starts the watchdog thread when a
 * deadline is set. 0 and *out, or -1 (logged). */
int http_guard_new(const struct config *cfg, struct http_guard **out);

/* Stops the watchdog and frees the guard; call after MHD_stop_daemon (which
 * closes every connection, so none is left). NULL is a no-op. */
void http_guard_free(struct http_guard *g);

/* MHD_AcceptPolicyCallback (cls = the guard): MHD_NO when the connecting
 * address already holds cfg->per_address_limit connections, so MHD closes
 * the new one at once. */
enum MHD_Result http_guard_accept(void *cls, const struct sockaddr *addr, socklen_t len);

/* MHD_OPTION_NOTIFY_CONNECTION (cls = the guard): tracks every connection. */
void http_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code);

/* The guard's record of CONN, or NULL if untracked. */
struct http_conn *http_guard_conn(struct MHD_Connection *conn);

/* The connection's request has its headers (the access handler's first
 * call): from now the whole-request deadline applies, not the headers'. */
void http_guard_headers_done(struct http_guard *g, struct http_conn *hc);

/* Marks HC busy (a handler runs or the answer is being sent: exempt from
 * the deadlines) or, when COMPLETED, idle again from now: the next request's
 * clock starts. HC NULL is a no-op. */
void http_guard_set_busy(struct http_guard *g, struct http_conn *hc, int busy, int completed);

/* 1 if the watchdog cut HC off (for the request's log line). */
int http_guard_was_cut(struct http_guard *g, struct http_conn *hc);

#endif
