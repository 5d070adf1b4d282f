/*
 * board_stream.c — a closed poll's board as frame + ballot rows (see
 * board_stream.h): cutting the frame at the close, re-indenting stored
 * ballots into the board's layout, and reading the board a page of rows at a
 * time.
 *
 * The re-indentation mirrors sjson's pretty writer for the compact text the
 * same writer made: a line break and two spaces per level before every
 * member and element, ": " after a key, empty containers as "{}" and "[]".
 * Strings are copied as they are (their escapes never contain a structural
 * character outside quotes).
 */
#include <stdlib.h>
#include <string.h>

#include "board_stream.h"
#include "store_poll.h"

#define BOARD_PAGE 64                   /* ballot rows read per store visit */
#define BOARD_BALLOT_DEPTH 2            /* root object, then "ballots" array */

static const char board_key[] = "\n  \"ballots\": [";
static const char board_end[] = "\n  ]";

int board_buf_put(struct board_buf *b, const char *s, size_t n)
{
    char *grown;
    size_t cap;

    if (n > b->cap - b->len || b->data == NULL) {
        cap = b->cap ? b->cap : 4096;
        while (cap - b->len < n)
            cap *= 2;
        if ((grown = realloc(b->data, cap)) == NULL)
            return -1;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

void board_buf_free(struct board_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* The first occurrence of NEEDLE (N bytes) in HAY (LEN bytes) at or after
 * FROM, as an offset; LEN when absent. */
static size_t board_find(const char *hay, size_t len, size_t from, const char *needle, size_t n)
{
    size_t i;

    for (i = from; n <= len && i <= len - n; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0)
            return i;
    return len;
}

/* The ballots array is the root's "ballots" member: the first line with that
 * key at depth one (deeper keys are indented further, and strings never hold
 * a raw line break). Its elements end at the first "]" at depth one. */
int board_frame_make(const char *text, size_t len, char **frame, size_t *frame_len,
                     size_t *split)
{
    size_t head = board_find(text, len, 0, board_key, sizeof board_key - 1);
    size_t tail;

    if (head == len)
        return -1;
    head += sizeof board_key - 1;
    tail = board_find(text, len, head, board_end, sizeof board_end - 1);
    if (tail == len || len - head < 6 || memcmp(text + head, "\n    {", 6) != 0)
        return -1;
    if ((*frame = malloc(head + (len - tail) + 1)) == NULL)
        return -1;
    memcpy(*frame, text, head);
    memcpy(*frame + head, text + tail, len - tail);
    *frame_len = head + (len - tail);
    (*frame)[*frame_len] = '\0';
    *split = head;
    return 0;
}

/* A line break and two spaces per level. */
static int board_newline(struct board_buf *b, unsigned depth)
{
    static const char spaces[] = "                                                  ";
    unsigned i;

    if (board_buf_put(b, "\n", 1) != 0)
        return -1;
    for (i = 0; i < depth; i++)
        if (board_buf_put(b, spaces, 2) != 0)
            return -1;
    return 0;
}

/* The index of the quote that closes the string opening at s[i]; LEN if none. */
static size_t board_string_end(const char *s, size_t len, size_t i)
{
    for (i++; i < len && s[i] != '"'; i++)
        if (s[i] == '\\')
            i++;
    return i < len ? i : len;
}

/* Re-indents compact JSON S (LEN bytes) at nesting DEPTH into b. */
static int board_reindent(struct board_buf *b, const char *s, size_t len, unsigned depth)
{
    size_t i, end;
    int rc = 0;

    for (i = 0; i < len && rc == 0; i++) {
        char c = s[i];

        if (c == '"') {
            if ((end = board_string_end(s, len, i)) == len)
                return -1;
            rc = board_buf_put(b, s + i, end - i + 1);
            i = end;
        } else if ((c == '{' || c == '[') && i + 1 < len && s[i + 1] == (c == '{' ? '}' : ']')) {
            rc = board_buf_put(b, s + i, 2);
            i++;
        } else if (c == '{' || c == '[') {
            rc = board_buf_put(b, &c, 1) || board_newline(b, ++depth);
        } else if (c == '}' || c == ']') {
            rc = depth == 0 || board_newline(b, --depth) || board_buf_put(b, &c, 1);
        } else if (c == ',') {
            rc = board_buf_put(b, ",", 1) || board_newline(b, depth);
        } else if (c == ':') {
            rc = board_buf_put(b, ": ", 2);
        } else {
            rc = board_buf_put(b, &c, 1);
        }
    }
    return rc ? -1 : 0;
}

int board_frame_put_ballot(struct board_buf *b, const char *ballot, size_t len, size_t index)
{
    if (index > 0 && board_buf_put(b, ",", 1) != 0)
        return -1;
    if (board_newline(b, BOARD_BALLOT_DEPTH) != 0)
        return -1;
    return board_reindent(b, ballot, len, BOARD_BALLOT_DEPTH);
}

/* --- the stream ---------------------------------------------------------------- */

struct board_stream {
    struct store *st;
    char id[STORE_POLL_ID_MAX + 1];
    char *frame;
    size_t frame_len, split;    /* the ballots go at split (= frame_len: none) */
    size_t pos;                 /* bytes of the frame sent */
    int rows_done;              /* every ballot row rendered */
    struct board_buf pend;      /* rendered ballots not yet sent */
    size_t pend_pos;
    size_t index;               /* ballots rendered so far */
    unsigned char last[32];     /* tracker of the last one */
};

int board_stream_open(struct store *st, const char *id, struct board_stream **out)
{
    struct board_stream *bs = calloc(1, sizeof *bs);
    long split = -1;
    int rc;

    if (bs == NULL)
        return -1;
    if (strlen(id) > STORE_POLL_ID_MAX) {
        free(bs);
        return CV_NOT_FOUND;
    }
    rc = store_poll_board_frame(st, id, &bs->frame, &bs->frame_len, &split);
    if (rc != 0) {
        free(bs);
        return rc;
    }
    bs->st = st;
    memcpy(bs->id, id, strlen(id) + 1);
    bs->split = split < 0 ? bs->frame_len : (size_t)split;
    bs->rows_done = split < 0;  /* a board stored whole (before frames) */
    *out = bs;
    return 0;
}

/* store_poll_ballots_after callback: renders one row into the pending text. */
static int board_stream_row(void *ctx, const unsigned char *tracker, const char *ballot,
                            size_t len)
{
    struct board_stream *bs = ctx;

    if (board_frame_put_ballot(&bs->pend, ballot, len, bs->index) != 0)
        return -1;
    bs->index++;
    memcpy(bs->last, tracker, sizeof bs->last);
    return 0;
}

/* Renders the next page of rows; marks the end when there are none. */
static int board_stream_fill(struct board_stream *bs)
{
    size_t before = bs->index;

    bs->pend.len = 0;
    bs->pend_pos = 0;
    if (store_poll_ballots_after(bs->st, bs->id, bs->index ? bs->last : NULL, BOARD_PAGE,
                                 board_stream_row, bs) != 0)
        return -1;
    bs->rows_done = bs->index - before < BOARD_PAGE;   /* a short page is the last */
    return 0;
}

/* Copies up to MAX bytes from [*at, end) of SRC; returns the count. */
static size_t board_take(char *buf, size_t max, const char *src, size_t *at, size_t end)
{
    size_t n = end - *at < max ? end - *at : max;

    memcpy(buf, src + *at, n);
    *at += n;
    return n;
}

long board_stream_read(struct board_stream *bs, char *buf, size_t max)
{
    size_t n = 0;

    while (n < max) {
        if (bs->pos < bs->split) {
            n += board_take(buf + n, max - n, bs->frame, &bs->pos, bs->split);
        } else if (bs->pend_pos < bs->pend.len) {
            n += board_take(buf + n, max - n, bs->pend.data, &bs->pend_pos, bs->pend.len);
        } else if (!bs->rows_done) {
            if (board_stream_fill(bs) != 0)
                return -1;
        } else if (bs->pos < bs->frame_len) {
            n += board_take(buf + n, max - n, bs->frame, &bs->pos, bs->frame_len);
        } else {
            break;
        }
    }
    return (long)n;
}

void board_stream_close(struct board_stream *bs)
{
    if (bs == NULL)
        return;
    free(bs->frame);
    board_buf_free(&bs->pend);
    free(bs);
}

int board_stream_text(struct store *st, const char *id, char **text, size_t *len)
{
    struct board_stream *bs = NULL;
    struct board_buf all = {NULL, 0, 0};
    char chunk[64 * 1024];
    long n;
    int rc = board_stream_open(st, id, &bs);

    if (rc != 0)
        return rc;
    while ((n = board_stream_read(bs, chunk, sizeof chunk)) > 0)
        if (board_buf_put(&all, chunk, (size_t)n) != 0)
            n = -1;
    board_stream_close(bs);
    if (n < 0 || board_buf_put(&all, "", 1) != 0) {
        board_buf_free(&all);
        return -1;
    }
    *text = all.data;
    *len = all.len - 1;
    return 0;
}
