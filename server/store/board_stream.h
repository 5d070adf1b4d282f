/*
 * board_stream.h — a closed poll's board kept as a frame plus its ballot rows,
 * and served as a stream, so that neither the close nor a request ever holds
 * a whole board (about 1.8 kB per ballot) in memory.
 *
 * The frame is the board that board_build writes for the real record, tally,
 * decryptions and result with only the first ballot (by tracker), minus that
 * ballot: everything before the "ballots" array's first element ("head") and
 * everything after its last ("tail"). The counted ballots, stored as compact
 * board-form JSON in the ballots table, go between them in tracker order,
 * each re-indented exactly as board_build's two-space layout writes it. So
 * head + ballots + tail is byte for byte the board board_build would make
 * with every ballot, and the same bytes on every request (the rows of a
 * closed poll never change).
 */
#ifndef CONCLAVE_BOARD_STREAM_H
#define CONCLAVE_BOARD_STREAM_H

#include <stddef.h>

#include "store.h"

/* A growing text buffer. */
struct board_buf {
    char *data;
    size_t len, cap;
};

/* Appends N bytes of S. 0, or -1 when out of memory. */
int board_buf_put(struct board_buf *b, const char *s, size_t n);

/* Frees the buffer's text; the struct may be reused. */
void board_buf_free(struct board_buf *b);

/* Cuts the frame out of TEXT (LEN bytes), a board that board_build made with
 * exactly one ballot: *frame (malloc'd, *frame_len bytes) is TEXT without
 * that ballot and *split where the ballots go. 0, or -1 if TEXT does not
 * have that layout (or out of memory). */
int board_frame_make(const char *text, size_t len, char **frame, size_t *frame_len,
                     size_t *split);

/* Appends the ballot BALLOT (compact board-form JSON, LEN bytes, as
 * ballot_serialize writes it) as element INDEX of a board's "ballots" array:
 * the separator, the line break and the ballot in the two-space layout.
 * 0, or -1 when out of memory. */
int board_frame_put_ballot(struct board_buf *b, const char *ballot, size_t len, size_t index);

struct board_stream;

/* Opens the board of poll ID for reading. 0 and *out; CV_NOT_FOUND when
 * there is no such poll or it is still open; -1 on a store error. */
int board_stream_open(struct store *st, const char *id, struct board_stream **out);

/* Copies the next bytes of the board into BUF (at most MAX): the number
 * copied, 0 at the end, -1 on a store or memory error. The store's lock is
 * taken only while a page of ballot rows is read. */
long board_stream_read(struct board_stream *bs, char *buf, size_t max);

/* Frees the stream; NULL is a no-op. */
void board_stream_close(struct board_stream *bs);

/* The whole board of poll ID as one text (malloc'd, *len bytes), for the
 * callers that need it all; return values as board_stream_open. */
int board_stream_text(struct store *st, const char *id, char **text, size_t *len);

#endif
