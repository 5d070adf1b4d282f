/*
 * board_split.c — cutting a board's text into frame and ballot spans (see
 * board_split.h).
 *
 * One pass over the text that follows only strings (jscan_string_end: a
 * quote closes a string unless an odd run of backslashes precedes it, as in
 * JSON) and brackets.
 * The root "ballots" key is the first string at depth one that a colon and
 * a "[" follow. Anything unexpected returns -1 and the caller parses the
 * board whole, so this code decides nothing about validity: the frame and
 * every span are parsed strictly afterwards.
 */
#include <stdlib.h>
#include <string.h>

#include "board_split.h"
#include "jscan.h"

static int board_split_is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t board_split_skip_ws(const char *t, size_t len, size_t i)
{
    while (i < len && board_split_is_ws(t[i]))
        i++;
    return i;
}

/* The index just past the object opening at t[i]; LEN if it is not closed. */
static size_t board_split_value_end(const char *t, size_t len, size_t i)
{
    size_t depth = 0;

    for (; i < len; i++) {
        char c = t[i];

        if (c == '"') {
            if ((i = jscan_string_end(t, len, i)) >= len)
                return len;
            i--;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return i + 1;
        }
    }
    return len;
}

/* The index of the "[" that opens the root "ballots" array; LEN if none. */
static size_t board_split_find(const char *t, size_t len)
{
    size_t i, e, j, depth = 0;

    for (i = 0; i < len; i++) {
        char c = t[i];

        if (c == '"') {
            if ((e = jscan_string_end(t, len, i)) >= len)
                return len;
            if (depth == 1 && e - i == 9 && memcmp(t + i, "\"ballots\"", 9) == 0) {
                j = board_split_skip_ws(t, len, e);
                if (j < len && t[j] == ':' && (j = board_split_skip_ws(t, len, j + 1)) < len &&
                    t[j] == '[')
                    return j;
            }
            i = e - 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth-- == 0)
                return len;
        }
    }
    return len;
}

static int board_split_push(struct board_split *s, size_t *cap, size_t off, size_t n)
{
    struct board_span *grown;

    if (s->n == UINT32_MAX)
        return -1;
    if (s->n == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        if ((grown = realloc(s->spans, *cap * sizeof *grown)) == NULL)
            return -1;
        s->spans = grown;
    }
    s->spans[s->n].off = off;
    s->spans[s->n].len = n;
    s->n++;
    return 0;
}

/* The elements of the array opening at t[open], each an object; *close is
 * the index of its "]". 0 or -1. */
static int board_split_elements(const char *t, size_t len, size_t open, struct board_split *s,
                                size_t *close)
{
    size_t i = board_split_skip_ws(t, len, open + 1), e, cap = 0;

    if (i < len && t[i] == ']') {
        *close = i;
        return 0;
    }
    for (;;) {
        if (i >= len || t[i] != '{' || (e = board_split_value_end(t, len, i)) >= len ||
            board_split_push(s, &cap, i, e - i) != 0)
            return -1;
        i = board_split_skip_ws(t, len, e);
        if (i < len && t[i] == ']') {
            *close = i;
            return 0;
        }
        if (i >= len || t[i] != ',')
            return -1;
        i = board_split_skip_ws(t, len, i + 1);
    }
}

int board_split(const char *text, size_t len, struct board_split *out)
{
    size_t open, close;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if ((open = board_split_find(text, len)) >= len ||
        board_split_elements(text, len, open, out, &close) != 0)
        goto out;
    out->frame_len = open + 1 + (len - close);
    if ((out->frame = malloc(out->frame_len + 1)) == NULL)
        goto out;
    memcpy(out->frame, text, open + 1);
    memcpy(out->frame + open + 1, text + close, len - close);
    out->frame[out->frame_len] = '\0';
    rc = 0;
out:
    if (rc != 0)
        board_split_free(out);
    return rc;
}

void board_split_free(struct board_split *s)
{
    free(s->frame);
    free(s->spans);
    memset(s, 0, sizeof *s);
}
