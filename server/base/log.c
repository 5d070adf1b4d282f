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
#include <sys/prctl.h>
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

/* Copies client-controlled TEXT into OUT (CAP bytes) printable and short:
 * no escape sequence, carriage return or newline reaches the log. */
static void log_printable(const char *text, char *out, size_t cap)
{
    size_t i, j = 0;

    for (i = 0; text[i] != '\0' && j < cap - 1; i++)
        out[j++] = (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : '?';
    out[j] = '\0';
}

void log_request(const char *method, const char *path, unsigned status,
                 double millis)
{
    char when[32];
    char safe[256], verb[16];

    /* The path and the method are both the client's (libmicrohttpd passes a
     * method with ESC or CR in it through to us). */
    log_printable(path, safe, sizeof safe);
    log_printable(method, verb, sizeof verb);
    log_time(when, sizeof when);
    fprintf(stderr, "%s http %s %s %u %.1fms\n", when, verb, safe, status, millis);
}

void log_name_thread(const char *name)
{
    (void)prctl(PR_SET_NAME, name, 0, 0, 0);
}
