/*
 * log.c — request and event logging to stderr, systemd style (the journal
 * adds its own metadata; we add a UTC time so plain stderr is readable too).
 *
 * One fprintf per record, so lines from concurrent threads never interleave.
 * The request line holds the method, the path without its query string, the
 * status and the duration; never a body, a header, a cookie or a token.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

static void log_time(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;

    if (gmtime_r(&now, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, len, "-");
}

void log_msg(const char *level, const char *fmt, ...)
{
    char when[32], text[1024];
    va_list ap;

    log_time(when, sizeof when);
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %s %s\n", when, level, text);
}

void log_request(const char *method, const char *path, unsigned status,
                 double millis)
{
    char when[32];
    char safe[256];
    size_t i, j = 0;

    /* A path is client-controlled: keep it printable and short. */
    for (i = 0; path[i] != '\0' && j < sizeof safe - 1; i++)
        safe[j++] = (path[i] >= 0x20 && path[i] < 0x7f) ? path[i] : '?';
    safe[j] = '\0';
    log_time(when, sizeof when);
    fprintf(stderr, "%s http %s %s %u %.1fms\n", when, method, safe, status, millis);
}
