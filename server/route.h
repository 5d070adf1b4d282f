/*
 * route.h — the static table from (method, path pattern) to handler.
 *
 * Patterns are literal segments and {name} segments ("/api/v1/polls/{id}");
 * a {name} matches one non-empty segment of [A-Za-z0-9._~-].
 */
#ifndef CONCLAVE_ROUTE_H
#define CONCLAVE_ROUTE_H

#include <stddef.h>

struct http_request;

#define ROUTE_MAX_PARAMS 2
#define ROUTE_PARAM_MAX 64

typedef void (*route_handler)(struct http_request *req);

struct route_params {
    int count;
    const char *names[ROUTE_MAX_PARAMS];
    char values[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX + 1];
};

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/*
 * Finds the handler for method and path; fills params with the {name}
 * segments. ROUTE_BAD_METHOD when the path exists under another method.
 * ROUTE_NOT_FOUND sets *handler to the HTML "page not found" answer for a
 * GET outside /api/ and /static/, and leaves it alone otherwise (the caller
 * answers JSON).
 */
enum route_result route_find(const char *method, const char *path,
                             route_handler *handler, struct route_params *params);

#endif
