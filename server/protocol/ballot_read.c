/*
 * ballot_read.c — a ballot's JSON text read into a struct ballot in one pass,
 * without a JSON tree: the one reader of ballot text, in both forms, for a
 * request's body, the stored rows and the boards.
 *
 * For every text it answers what sjson_parse and ballot_from_json answered
 * together, and in the same order. JSON errors first, all PROTO_SHAPE:
 * jansson's grammar (valid UTF-8, escapes, paired surrogates, no \u0000, no
 * key twice in any object, at most 2048 levels) with PROTOCOL §1's plain
 * integers. Then the root's key set and shapes (PROTO_SHAPE). Then the fields
 * in ballot_from_json's order: fingerprint, tag, each choice (its keys, its
 * proof array, α, β, each proof pair: keys, c, s, the scalars; α not the
 * identity), each sum-proof pair, replaces or tracker. The text brings them
 * in its own order, so each failing check is kept with its rank in that
 * order, and the lowest wins. tests/test_ballot_read.c and fuzz_ballot
 * compare the two readers on the vectors and on a great many altered texts.
 *
 * Objects outside the schema are read iteratively (no recursion however deep
 * the text), and their keys kept to find duplicates, which jansson refuses.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ballot_read_int.h"

/* --- the ballot's fields ---------------------------------------------------- */

/* A field of 64 lowercase hex digits into OUT, its failure (not a string:
 * shape; else hex) kept at RANK. 1 decoded, 0 failed, -1 bad. */
static int rd_hex(struct rd *r, uint32_t rank, unsigned char out[CRYPTO_BYTES])
{
    char buf[2 * CRYPTO_BYTES];
    struct rd_str s;
    size_t n;

    if (rd_peek(r) != '"') {
        rd_fail(r, rank, PROTO_SHAPE);
        return rd_skip(r);
    }
    if (rd_string(r, &s) != 0)
        return -1;
    n = s.esc ? rd_decode(&s, buf, sizeof buf) : s.n;
    if (n > sizeof buf || crypto_hex_decode(out, CRYPTO_BYTES, s.esc ? buf : s.p, n) != 0) {
        rd_fail(r, rank, PROTO_HEX);
        return 0;
    }
    return 1;
}

/* A point's encoding (α, β), its failures kept at RANK. As rd_hex. */
static int rd_point(struct rd *r, uint32_t rank, unsigned char out[CRYPTO_BYTES])
{
    enum proto_reason why;
    int ok = rd_hex(r, rank, out);

    if (ok == 1 && (why = crypto_point_check_encoding(out)) != PROTO_OK) {
        rd_fail(r, rank, why);
        ok = 0;
    }
    return ok;
}

struct rd_pair {
    struct proof_pair *out;
    uint32_t base;                  /* the rank of its first check */
};

static int rd_pair_member(struct rd *r, void *ctx, int index)
{
    struct rd_pair *c = ctx;
    unsigned char *v = index == 0 ? c->out->c : c->out->s;
    int ok = rd_hex(r, c->base + PR_C_HEX + (uint32_t)index, v);

    if (ok == 1 && crypto_scalar_check(v) != PROTO_OK)
        rd_fail(r, c->base + PR_C_SCALAR + (uint32_t)index, PROTO_SCALAR);
    return ok < 0 ? -1 : 0;
}

/* A proof pair {"c", "s"} into OUT, its checks ranked from BASE. */
static int rd_pair(struct rd *r, struct proof_pair *out, uint32_t base)
{
    struct rd_pair c = {out, base};
    unsigned seen;
    int others;

    if (rd_peek(r) != '{') {
        rd_fail(r, base + PR_KEYS, PROTO_SHAPE);
        return rd_skip(r);
    }
    if ((others = rd_object(r, ballot_pair_keys, 2, rd_pair_member, &c, &seen)) < 0)
        return -1;
    if (others > 0 || seen != 3)
        rd_fail(r, base + PR_KEYS, PROTO_SHAPE);
    return 0;
}

struct rd_choice {
    struct ballot_choice *ch;
    uint32_t j;
};

static int rd_proof_elem(struct rd *r, void *ctx, uint32_t i)
{
    struct rd_choice *c = ctx;

    if (i >= 2)
        return rd_skip(r);          /* too many: the proof's own check fails */
    return rd_pair(r, &c->ch->proof[i], RD_RANK(ST_CHOICE, c->j, CH_PAIR0 + PR_CHECKS * i));
}

static int rd_choice_member(struct rd *r, void *ctx, int index)
{
    struct rd_choice *c = ctx;
    uint32_t n;
    int ok;

    if (index == 0) {
        ok = rd_point(r, RD_RANK(ST_CHOICE, c->j, CH_ALPHA), c->ch->alpha);
        if (ok == 1 && crypto_point_is_identity(c->ch->alpha))
            rd_fail(r, RD_RANK(ST_CHOICE, c->j, CH_IDENTITY), PROTO_IDENTITY);
        return ok < 0 ? -1 : 0;
    }
    if (index == 1)
        return rd_point(r, RD_RANK(ST_CHOICE, c->j, CH_BETA), c->ch->beta) < 0 ? -1 : 0;
    if (rd_peek(r) != '[') {
        rd_fail(r, RD_RANK(ST_CHOICE, c->j, CH_PROOF), PROTO_SHAPE);
        return rd_skip(r);
    }
    if (rd_array(r, rd_proof_elem, c, &n) != 0)
        return -1;
    if (n != 2)
        rd_fail(r, RD_RANK(ST_CHOICE, c->j, CH_PROOF), PROTO_SHAPE);
    return 0;
}

/* Element J of "choices". */
static int rd_choice(struct rd *r, void *ctx, uint32_t j)
{
    struct rd_choice c = {NULL, j};
    unsigned seen;
    int others;

    (void)ctx;
    if (j >= PROTO_MAX_OPTIONS)
        return rd_skip(r);          /* too many: the root's shape fails */
    c.ch = &r->ch[j];
    if (rd_peek(r) != '{') {
        rd_fail(r, RD_RANK(ST_CHOICE, j, CH_KEYS), PROTO_SHAPE);
        return rd_skip(r);
    }
    if ((others = rd_object(r, ballot_choice_keys, 3, rd_choice_member, &c, &seen)) < 0)
        return -1;
    if (others > 0 || seen != 7)
        rd_fail(r, RD_RANK(ST_CHOICE, j, CH_KEYS), PROTO_SHAPE);
    return 0;
}

/* Element J of "sum_proof". */
static int rd_sum(struct rd *r, void *ctx, uint32_t j)
{
    (void)ctx;
    if (j > PROTO_MAX_OPTIONS)
        return rd_skip(r);
    return rd_pair(r, &r->sum[j], RD_RANK(ST_SUM, j, 0));
}

/* "poll": a string of at most PROTO_MAX_STRING bytes, decoded. */
static int rd_poll(struct rd *r)
{
    struct rd_str s;

    if (rd_peek(r) != '"') {
        r->shape = 1;
        return rd_skip(r);
    }
    if (rd_string(r, &s) != 0)
        return -1;
    r->poll = s.esc ? r->poll_buf : s.p;
    r->poll_len = s.esc ? rd_decode(&s, r->poll_buf, sizeof r->poll_buf) : s.n;
    r->shape |= r->poll_len > PROTO_MAX_STRING;
    return 0;
}

/* "choices" or "sum_proof": an array of 1 to MAX elements read by FN. */
static int rd_list(struct rd *r, rd_elem_fn fn, uint32_t max, uint32_t *n)
{
    if (rd_peek(r) != '[') {
        r->shape = 1;
        return rd_skip(r);
    }
    if (rd_array(r, fn, NULL, n) != 0)
        return -1;
    r->shape |= *n < 1 || *n > max;
    return 0;
}

static int rd_root_member(struct rd *r, void *ctx, int index)
{
    (void)ctx;
    switch (index) {
    case K_POLL:
        return rd_poll(r);
    case K_FINGERPRINT:
        return rd_hex(r, RD_RANK(ST_FINGERPRINT, 0, 0), r->fingerprint) < 0 ? -1 : 0;
    case K_TAG:
        return rd_hex(r, RD_RANK(ST_TAG, 0, 0), r->tag) < 0 ? -1 : 0;
    case K_CHOICES:
        return rd_list(r, rd_choice, PROTO_MAX_OPTIONS, &r->m);
    case K_SUM:
        return rd_list(r, rd_sum, PROTO_MAX_OPTIONS + 1, &r->nsum);
    default:                        /* "replaces" (POST) or "tracker" (board) */
        return rd_hex(r, RD_RANK(r->form == BALLOT_FORM_POST ? ST_REPLACES : ST_TRACKER, 0, 0),
                      r->last) < 0 ? -1 : 0;
    }
}

/* The whole text: one object, then only whitespace. 0, or -1 (bad). */
static int rd_root(struct rd *r)
{
    const char *const *keys = r->form == BALLOT_FORM_POST ? ballot_keys_post
                                                          : ballot_keys_board;
    unsigned need = r->form == BALLOT_FORM_POST ? 0x1fu : 0x3fu;
    int others;

    if (rd_peek(r) != '{')
        return rd_bad(r);           /* not an object: the shape, whatever the rest */
    if ((others = rd_object(r, keys, K_COUNT, rd_root_member, NULL, &r->seen)) < 0)
        return -1;
    if (others > 0 || (r->seen & need) != need)
        r->shape = 1;
    if (rd_peek(r) != '\0' || r->p != r->end)
        return rd_bad(r);
    return 0;
}

static int rd_key_cmp(const void *a, const void *b)
{
    const struct rd_key *x = a, *y = b;
    int c;

    if (x->obj != y->obj)
        return x->obj < y->obj ? -1 : 1;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    return (c = memcmp(x->p, y->p, x->n)) < 0 ? -1 : c > 0;
}

/* 1 if an object outside the schema (or a schema object's other keys) has a
 * key twice, which jansson refuses. */
static int rd_duplicates(struct rd *r)
{
    size_t i;

    if (r->n_keys < 2)
        return 0;
    qsort(r->keys, r->n_keys, sizeof *r->keys, rd_key_cmp);
    for (i = 1; i < r->n_keys; i++)
        if (rd_key_cmp(&r->keys[i - 1], &r->keys[i]) == 0)
            return 1;
    return 0;
}

/* The ballot from a text read to its end: the first failure in
 * ballot_from_json's order, or PROTO_OK and *OUT. */
static enum proto_reason rd_finish(struct rd *r, struct ballot **out)
{
    struct ballot *b;

    if (rd_duplicates(r))
        return PROTO_SHAPE;
    if (r->shape)
        return PROTO_SHAPE;
    if ((b = ballot_alloc(r->m, r->nsum, r->poll, r->poll_len)) == NULL)
        return PROTO_INTERNAL;
    if (r->rank != RD_NONE) {
        ballot_free(b);
        return r->why;
    }
    memcpy(b->fingerprint, r->fingerprint, CRYPTO_BYTES);
    memcpy(b->tag, r->tag, CRYPTO_BYTES);
    memcpy(b->choices, r->ch, r->m * sizeof *r->ch);
    memcpy(b->sum, r->sum, r->nsum * sizeof *r->sum);
    b->has_claimed_tracker = r->form == BALLOT_FORM_BOARD;
    b->has_replaces = r->form == BALLOT_FORM_POST && (r->seen & 1u << K_LAST) != 0;
    if (b->has_replaces)
        memcpy(b->replaces, r->last, CRYPTO_BYTES);
    else if (b->has_claimed_tracker)
        memcpy(b->claimed_tracker, r->last, CRYPTO_BYTES);
    if (ballot_compute_tracker(b) != 0) {
        ballot_free(b);
        return PROTO_INTERNAL;
    }
    *out = b;
    return PROTO_OK;
}

enum proto_reason ballot_parse_body(const char *text, size_t len, enum ballot_form form,
                                    struct ballot **out, int *depth)
{
    struct rd r;
    enum proto_reason why = PROTO_SHAPE;
    size_t i;

    *out = NULL;
    if (depth != NULL)
        *depth = -1;
    if (len > PROTO_MAX_BALLOT)
        return PROTO_SHAPE;
    memset(&r, 0, offsetof(struct rd, ch));     /* the arrays are written as read */
    r.p = text;
    r.end = text + len;
    r.rank = RD_NONE;
    r.form = form;
    if (rd_root(&r) != 0) {
        why = r.oom ? PROTO_INTERNAL : PROTO_SHAPE;
    } else {
        if (depth != NULL)
            *depth = (int)r.max_open;
        why = rd_finish(&r, out);
    }
    for (i = 0; i < r.n_keys; i++)
        free(r.keys[i].owned);
    free(r.keys);
    sodium_memzero(r.last, sizeof r.last);      /* a replaced ballot's ρ */
    return why;
}

enum proto_reason ballot_parse(const char *text, size_t len, enum ballot_form form,
                               struct ballot **out)
{
    return ballot_parse_body(text, len, form, out, NULL);
}

int ballot_read_board(const char *text, size_t len, struct ballot **out)
{
    return ballot_parse(text, len, BALLOT_FORM_BOARD, out) == PROTO_OK ? 0 : -1;
}
