/*
 * route.h — the static table from (method, path pattern) to handler.
 *
 * Patterns are literal segments and {name} segments ("/api/v1/polls/{id}");
 * a {name} matches one non-empty segment of [A-Za-z0-9._~-].
 */
#ifndef CONCLAVE_ROUTE_H
#define CONCLAVE_ROUTE_H

#include <stddef.h>

#include "http_request_internal.h"     /* struct route_params */

typedef void (*route_handler)(struct http_request *req);

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
