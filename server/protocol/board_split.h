/*
 * board_split.h — a board's JSON text cut into its frame and its ballots, so
 * that `conclave verify` parses each ballot on the worker thread that checks
 * it instead of parsing the whole board on one thread first.
 *
 * The frame is the board with the elements of its root "ballots" array taken
 * out ("ballots": []); a span is where one element's text lies. Cutting only
 * follows strings and brackets: it does not validate. The text is valid JSON
 * only if the frame parses, every span parses and the cut succeeded (between
 * the elements there is nothing but whitespace and commas), which is what
 * board_verify then checks.
 */
#ifndef CONCLAVE_BOARD_SPLIT_H
#define CONCLAVE_BOARD_SPLIT_H

#include <stddef.h>
#include <stdint.h>

/* Where one ballot lies in the board text. */
struct board_span {
    size_t off, len;
};

struct board_split {
    char *frame;                /* NUL-terminated, caller frees with board_split_free */
    size_t frame_len;
    struct board_span *spans;   /* n spans, in board order */
    uint32_t n;
};

/* Cuts TEXT (LEN bytes) into frame and ballot spans. 0, or -1 if the text
 * does not look like a board whose ballots are all objects (the caller then
 * parses it whole) or memory ran out. */
int board_split(const char *text, size_t len, struct board_split *out);

/* Frees what board_split allocated (a zeroed struct is fine). */
void board_split_free(struct board_split *s);

#endif
