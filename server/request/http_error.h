/*
 * http_error.h — the one table from an outcome (enum cv_err, err.h) to what
 * a client sees: the HTTP status, the API's error code and its message.
 *
 * Every API handler answers a failure with http_error_respond instead of a
 * switch of its own, and every page takes its status from http_error_status,
 * so one outcome is one status and one code everywhere (as sqlite3_errstr
 * gives one text per result code). A handler may give a message of its own
 * where the context says more ("no such poll"); status and code stay the
 * table's.
 */
#ifndef CONCLAVE_HTTP_ERROR_H
#define CONCLAVE_HTTP_ERROR_H

#include <stddef.h>

#include "err.h"

struct http_request;

struct http_error {
    enum cv_err err;
    unsigned status;            /* HTTP status */
    const char *code;           /* the API's "code" (NULL for CV_OK) */
    const char *message;        /* the API's "message" when the handler gives none */
};

/* ERR's row; an unknown value gets CV_ERROR's (500 internal). Never NULL. */
const struct http_error *http_error_of(enum cv_err err);

/* ERR's HTTP status (for the pages: the status of their error page). */
unsigned http_error_status(enum cv_err err);

/* The whole table, *n rows, one per value of enum cv_err (for tests). */
const struct http_error *http_error_table(size_t *n);

/*
 * Answers ERR (not CV_OK) as the API's error envelope: the table's status
 * and code, MESSAGE or else the table's message. REASON, when not NULL, is
 * the protocol's reason code carried beside (CV_BAD_BALLOT). 0 / -1 as
 * http_respond_error.
 */
int http_error_respond(struct http_request *req, enum cv_err err, const char *message);
int http_error_respond_reason(struct http_request *req, enum cv_err err, const char *message,
                              const char *reason);

#endif
