/*
 * jscan.c — one scanner of JSON text for the three places that look at it
 * before, or instead of, a parser (see jscan.h): the API's nesting cap
 * (api.c, api_ballot.c), the protocol's plain integers (sjson.c) and the
 * cut of a board into ballots (board_split.c).
 *
 * Strings are skipped with memchr to the next quote, then the backslashes
 * before it are counted: a board is mostly long hex strings (1.8 kB per
 * ballot, 180 MB at 100,000), which this crosses at memchr's speed.
 */
#include <string.h>

#include "jscan.h"

size_t jscan_string_end(const char *text, size_t len, size_t i)
{
    const char *q;
    size_t from = i + 1, k;

    while (from < len && (q = memchr(text + from, '"', len - from)) != NULL) {
        size_t at = (size_t)(q - text);

        for (k = 0; at - k > i + 1 && text[at - k - 1] == '\\'; k++)
            ;
        if (k % 2 == 0)
            return at + 1;
        from = at + 1;
    }
    return len;
}

static int jscan_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Characters a number token is made of (JSON's, plus '+' to catch "1e+5"). */
static int jscan_is_number_char(char c)
{
    return jscan_is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* The number token at TEXT[I] (a '-' or a digit): the index past it; clears
 * *integer unless it is a plain integer. */
static size_t jscan_number(const char *text, size_t len, size_t i, int *integer)
{
    size_t start = i;

    for (; i < len && jscan_is_number_char(text[i]); i++)
        if (!jscan_is_digit(text[i]))
            *integer = 0;
    if (text[start] == '0' && i - start > 1)
        *integer = 0;
    return i;
}

void jscan_text(const char *text, size_t len, struct jscan_info *out)
{
    size_t i = 0;
    int depth = 0;
    char c;

    out->depth = 0;
    out->integers_only = 1;
    while (i < len) {
        c = text[i];
        if (c == '"') {
            i = jscan_string_end(text, len, i);
        } else if (c == '-' || jscan_is_digit(c)) {
            i = jscan_number(text, len, i, &out->integers_only);
        } else if (c == '{' || c == '[') {
            if (++depth > out->depth)
                out->depth = depth;
            i++;
        } else {
            if ((c == '}' || c == ']') && depth > 0)
                depth--;
            i++;
        }
    }
}
