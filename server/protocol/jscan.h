/*
 * jscan.h — scanning JSON text without parsing it: where a string ends, how
 * deep the brackets nest, whether every number is a plain integer. It runs
 * before a parser (a cap on nesting before jansson recurses; PROTOCOL §1's
 * integers, which jansson would read as reals) and where a whole parse is
 * not wanted (cutting a board into its ballots, board_split.c).
 *
 * Nothing here validates: text that is not JSON still gets an answer, and
 * the parser that runs afterwards decides. Strings are followed as JSON
 * writes them (a quote ends one unless an odd run of backslashes precedes
 * it); an unclosed string runs to the end of the text.
 */
#ifndef CONCLAVE_JSCAN_H
#define CONCLAVE_JSCAN_H

#include <stddef.h>

/* What one pass over the text outside strings found. */
struct jscan_info {
    int depth;              /* the deepest nesting of {} and [] */
    int integers_only;      /* 1 if every number token is 0 or 1-9 then digits
                               (no sign, fraction, exponent or leading zero) */
};

/* One pass over the LEN bytes of TEXT into *out. */
void jscan_text(const char *text, size_t len, struct jscan_info *out);

/* The index just past the quote that closes the string opening at TEXT[I]
 * (a quote); LEN if the string is not closed. */
size_t jscan_string_end(const char *text, size_t len, size_t i);

#endif
