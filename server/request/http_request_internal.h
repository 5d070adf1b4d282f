/*
 * http_request_internal.h — a request as the daemon side of the HTTP layer
 * sees it (http.c, http_guard.c, route.c, and the tests of the accessors):
 * its fields, its life cycle (made when its headers are in, the body
 * appended chunk by chunk, freed when MHD says it is complete) and the
 * libmicrohttpd response made of what its handler prepared. Handlers include
 * http_request.h only.
 */
#ifndef CONCLAVE_HTTP_REQUEST_INTERNAL_H
#define CONCLAVE_HTTP_REQUEST_INTERNAL_H

#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#include "http_request.h"

struct config;
struct http_conn;
struct http_stream;
struct MHD_Connection;
struct MHD_Response;

/* The {name} segments of the route that matched (route_find, route.h). */
#define ROUTE_MAX_PARAMS 2
#define ROUTE_PARAM_MAX 64

struct route_params {
    int count;
    const char *names[ROUTE_MAX_PARAMS];    /* into the route table: "id}..." */
    char values[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX + 1];
};

#define HTTP_MAX_HEADERS 8

struct http_header {
    char *name;
    char *value;
};

/* One request, owned by the daemon from its headers to its completion. */
struct http_request {
    const struct config *cfg;
    struct app *app;
    struct MHD_Connection *conn;
    struct http_conn *hc;       /* the guard's record of the connection, or NULL */
    char method[16];
    char *path;
    struct timespec start;
    char *body;
    size_t body_len;
    size_t body_cap;
    int too_large;
    struct route_params params;
    /* The prepared response. */
    unsigned status;
    char *resp;
    size_t resp_len;
    const char *content_type;
    struct http_stream *stream;     /* a streamed body instead of resp, or NULL */
    int cacheable;              /* 0 no-store, 1 public max-age, 2 private no-cache */
    int nheaders;
    struct http_header headers[HTTP_MAX_HEADERS];
};

/* A new request for METHOD and URL on CONN, with the server's CFG and APP
 * (both must outlive it); its clock starts now. NULL when out of memory. */
struct http_request *http_request_new(const struct config *cfg, struct app *app,
                                      struct MHD_Connection *conn, const char *url,
                                      const char *method);

/* Frees REQ and what it holds; the body is wiped first (it may hold a
 * password). NULL is a no-op. */
void http_request_free(struct http_request *req);

/* Appends a chunk of the body. Past cfg->body_limit marks the request too
 * large and returns -1 (as it does when out of memory); else 0. */
int http_request_append(struct http_request *req, const char *data, size_t len);

/* The libmicrohttpd response of what the handler prepared (a 500 if it
 * prepared nothing), with the security headers every answer carries and the
 * handler's own; the body passes to the response. NULL on failure. The
 * caller queues it and destroys its reference. */
struct MHD_Response *http_request_response(struct http_request *req);

/* The key that per-address limits count SA under (see http_request_client):
 * IPv4 as is, IPv6 by its /64, IPv4-mapped IPv6 as IPv4. Into out (LEN
 * bytes, at least HTTP_CLIENT_KEY_MAX + 1). 0, or -1 with out "". */
int http_addr_key(const struct sockaddr *sa, char *out, size_t len);

#endif
