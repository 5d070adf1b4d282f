/*
 * ballot_read_int.h — what the two files of the one-pass ballot reader share:
 * ballot_read.c (the ballot's fields, in ballot_from_json's order) and
 * ballot_read_json.c (the JSON lexer under it: strings, numbers, objects,
 * arrays, skipping what is no field of ours). Nobody else includes it.
 */
#ifndef CONCLAVE_BALLOT_READ_INT_H
#define CONCLAVE_BALLOT_READ_INT_H

#include <stddef.h>
#include <stdint.h>

#include "ballot_int.h"


#define RD_DEPTH_MAX 2048           /* jansson's JSON_PARSER_MAX_DEPTH */
#define RD_KEY_MAX 16               /* longer keys are none of ours */
#define RD_NONE UINT32_MAX          /* no field check failed */

/* The rank of a check in ballot_from_json's order (lower: earlier). */
#define RD_RANK(stage, j, sub) ((uint32_t)(stage) << 20 | (uint32_t)(j) << 8 | (uint32_t)(sub))
enum { ST_FINGERPRINT = 1, ST_TAG, ST_CHOICE, ST_SUM, ST_REPLACES, ST_TRACKER };
/* A choice's checks, and a proof pair's from its base. */
enum { CH_KEYS, CH_PROOF, CH_ALPHA, CH_BETA, CH_PAIR0, CH_IDENTITY = CH_PAIR0 + 10 };
enum { PR_KEYS, PR_C_HEX, PR_S_HEX, PR_C_SCALAR, PR_S_SCALAR, PR_CHECKS };
/* The root's keys, as in ballot_keys_post / ballot_keys_board. */
enum { K_POLL, K_FINGERPRINT, K_TAG, K_CHOICES, K_SUM, K_LAST, K_COUNT };

/* A string's raw bytes, between its quotes; ESC if it holds an escape. */
struct rd_str {
    const char *p;
    size_t n;
    int esc;
};

/* A key outside the schema, decoded, with the id of its object. */
struct rd_key {
    uint32_t obj;
    size_t n;
    const char *p;
    char *owned;                    /* the decoded copy, when it had escapes */
};

struct rd {
    const char *p, *end;
    unsigned open, max_open;        /* containers open now, at most */
    int bad;                        /* not JSON as jansson reads it */
    int oom;
    int shape;                      /* the root's keys or shapes are wrong */
    uint32_t rank;                  /* the first failing field check, or RD_NONE */
    enum proto_reason why;          /* its reason */
    enum ballot_form form;
    uint32_t objects;               /* object ids handed out */
    struct rd_key *keys;
    size_t n_keys, cap_keys;
    const char *poll;
    size_t poll_len;
    unsigned seen;                  /* the root's keys found (bits of K_*) */
    unsigned char fingerprint[CRYPTO_BYTES], tag[CRYPTO_BYTES], last[CRYPTO_BYTES];
    uint32_t m, nsum;
    struct ballot_choice ch[PROTO_MAX_OPTIONS];
    struct proof_pair sum[PROTO_MAX_OPTIONS + 1];
    char poll_buf[PROTO_MAX_STRING];
};

typedef int (*rd_member_fn)(struct rd *r, void *ctx, int index);
typedef int (*rd_elem_fn)(struct rd *r, void *ctx, uint32_t i);

static inline int rd_bad(struct rd *r)
{
    r->bad = 1;
    return -1;
}

/* Whitespace, then the next byte, not consumed ('\0' at the end). */
static inline char rd_peek(struct rd *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r'))
        r->p++;
    return r->p < r->end ? *r->p : '\0';
}

/* Keeps the failure of the check of RANK if it comes first. */
void rd_fail(struct rd *r, uint32_t rank, enum proto_reason why);

/* A string whose quote is next: its raw bytes in *S. 0, or -1 (bad). */
int rd_string(struct rd *r, struct rd_str *s);

/* S (checked by rd_string) decoded into BUF: its length, or CAP + 1 if it
 * does not fit in CAP bytes. */
size_t rd_decode(const struct rd_str *s, char *buf, size_t cap);

/* One value of any shape, outside the schema: checked as jansson checks
 * it, its objects' keys kept for duplicates; iterative, however deep. 0, or
 * -1 (bad). */
int rd_skip(struct rd *r);

/* The members of an object whose '{' is next: FN reads the value of a key
 * of NAMES (N), by its index; the values of other keys are skipped. *SEEN
 * has the bits of NAMES found. The number of other keys, or -1 (bad). */
int rd_object(struct rd *r, const char *const *names, int n, rd_member_fn fn, void *ctx,
              unsigned *seen);

/* The elements of an array whose '[' is next, element i read by FN; *N
 * their number. 0, or -1 (bad). */
int rd_array(struct rd *r, rd_elem_fn fn, void *ctx, uint32_t *n);

#endif
