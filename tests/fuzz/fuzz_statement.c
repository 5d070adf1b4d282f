/*
 * fuzz_statement.c — libFuzzer target: a statement's Markdown to HTML
 * (statement.h). Whatever the input, the rendering succeeds and holds no raw
 * HTML (no tag cmark does not write itself: no script, no comment), no image
 * but this site's /static/ ones, and no link whose address has another
 * scheme than http, https or mailto.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "statement.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 if the address starting at URL (up to the closing quote) is allowed: a
 * browser reads a scheme only as an ASCII letter and then letters, digits,
 * '+', '-' or '.' up to a ':' (the URL standard's scheme state). */
static int href_ok(const char *url)
{
    size_t scheme = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789+-.");

    if (scheme == 0 || url[scheme] != ':' || !((url[0] | 0x20) >= 'a' && (url[0] | 0x20) <= 'z'))
        return 1;                       /* empty, or relative */
    return (scheme == 4 && strncasecmp(url, "http", 4) == 0) ||
           (scheme == 5 && strncasecmp(url, "https", 5) == 0) ||
           (scheme == 6 && strncasecmp(url, "mailto", 6) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *html = NULL;
    const char *p;

    if (size > 20000)
        return 0;
    if (statement_render((const char *)data, size, &html) != 0)
        abort();
    if (strstr(html, "<script") || strstr(html, "<!--") || strstr(html, "<iframe") ||
        strstr(html, "<div") || strstr(html, "<h1") || strstr(html, "<h2"))
        abort();
    for (p = html; (p = strstr(p, "<img ")) != NULL; p++)
        if (strncmp(p, "<img src=\"/static/", 18) != 0)
            abort();
    for (p = html; (p = strstr(p, " href=\"")) != NULL; p++)
        if (!href_ok(p + 7))
            abort();
    free(html);
    return 0;
}
