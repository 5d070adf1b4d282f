/*
 * cli_http.h — the small HTTP client of the voting commands (`conclave vote`,
 * `conclave result`), over libcurl so that https:// servers work too.
 */
#ifndef CONCLAVE_CLI_HTTP_H
#define CONCLAVE_CLI_HTTP_H

#include <stddef.h>

#define CLI_HTTP_MAX_BODY (256u * 1024u * 1024u)   /* a 100,000-ballot board fits */

struct cli_http_response {
    long status;
    char *body;         /* NUL-terminated, malloc'd; caller frees */
    size_t len;
};

/* 0 if SERVER is a URL the voting commands may use: https://, or plain
 * http:// to a loopback host (localhost, 127.0.0.0/8, ::1); else -1 with a
 * one-line reason in err. */
int cli_http_check_server(const char *server, char *err, size_t errlen);

/*
 * GET (body NULL) or POST (body JSON text) SERVER + PATH with
 * "Authorization: Bearer TOKEN" when token is not NULL. 0 and *out on any
 * HTTP answer, or -1 with a one-line reason in err (a server that
 * cli_http_check_server refuses, connection failure, answer over
 * CLI_HTTP_MAX_BODY).
 */
int cli_http_request(const char *server, const char *path, const char *token,
                     const char *body, struct cli_http_response *out,
                     char *err, size_t errlen);

/* The "code" (and "reason", if any) of an error envelope, or "" (borrowed
 * from a static buffer of the caller: writes into buf). */
const char *cli_http_error(const struct cli_http_response *r, char *buf, size_t len);

#endif
