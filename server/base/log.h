/*
 * log.h — one-line log records to stderr.
 *
 * Every line starts with the UTC time. Callers must never pass a ballot, a
 * password, a token, a cookie or anything that links a voter to a ballot.
 */
#ifndef CONCLAVE_LOG_H
#define CONCLAVE_LOG_H

/* Logs "TIME LEVEL message" (printf-style); LEVEL is "info", "warn" or "error". */
void log_msg(const char *level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_info(...)  log_msg("info", __VA_ARGS__)
#define log_warn(...)  log_msg("warn", __VA_ARGS__)
#define log_error(...) log_msg("error", __VA_ARGS__)

/* Logs one HTTP request: method, path (no query), status and duration. */
void log_request(const char *method, const char *path, unsigned status,
                 double millis);

/* Names the calling thread (at most 15 bytes) as ps, top -H and /proc show it,
 * so that an operator (and `make bench`) can tell the server's threads apart.
 * Best effort: a failure is ignored. */
void log_name_thread(const char *name);

#endif
