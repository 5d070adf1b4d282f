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

static int rd_skip(struct rd *r);

/* --- the lexer ------------------------------------------------------------- */

static int rd_bad(struct rd *r)
{
    r->bad = 1;
    return -1;
}

/* Keeps the failure of the check of RANK if it comes first. */
static void rd_fail(struct rd *r, uint32_t rank, enum proto_reason why)
{
    if (rank < r->rank) {
        r->rank = rank;
        r->why = why;
    }
}

/* Whitespace, then the next byte, not consumed ('\0' at the end). */
static char rd_peek(struct rd *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r'))
        r->p++;
    return r->p < r->end ? *r->p : '\0';
}

static void rd_open(struct rd *r)
{
    r->p++;
    if (++r->open > r->max_open)
        r->max_open = r->open;
}

/* The length of the valid UTF-8 sequence of 2 to 4 bytes at P, or 0. */
static size_t rd_utf8(const unsigned char *p, const unsigned char *end)
{
    uint32_t v;
    size_t n, i;

    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2, v = p[0] & 0x1fu;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3, v = p[0] & 0x0fu;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4, v = p[0] & 0x07u;
    else
        return 0;
    if ((size_t)(end - p) < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3fu);
    }
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) || (n == 3 && v < 0x800) ||
        (n == 4 && v < 0x10000))
        return 0;
    return n;
}

/* The value of the 4 hex digits at P (either case), or -1. */
static long rd_hex4(const char *p)
{
    long v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/* The escape at *PP (its backslash), as jansson reads it: its code point in
 * *CP and *PP past it; -1 for an unknown escape, a lone or unpaired
 * surrogate, \u0000. */
static int rd_escape(const char **pp, const char *end, uint32_t *cp)
{
    static const char simple[] = "\"\\/bfnrt", value[] = "\"\\/\b\f\n\r\t";
    const char *p = *pp + 1, *s;
    long hi, lo;

    if (p == end)
        return -1;
    if (*p != 'u') {
        if (*p == '\0' || (s = strchr(simple, *p)) == NULL)
            return -1;
        *cp = (uint32_t)(unsigned char)value[s - simple];
        *pp = p + 1;
        return 0;
    }
    if (end - p < 5 || (hi = rd_hex4(p + 1)) < 0 || (hi >= 0xdc00 && hi <= 0xdfff))
        return -1;
    p += 5;
    if (hi >= 0xd800 && hi <= 0xdbff) {
        if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || (lo = rd_hex4(p + 2)) < 0xdc00 ||
            lo > 0xdfff)
            return -1;
        hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
        p += 6;
    }
    if (hi == 0)
        return -1;
    *cp = (uint32_t)hi;
    *pp = p;
    return 0;
}

/* A string whose quote is next: its raw bytes in *S. 0, or -1 (bad). */
static int rd_string(struct rd *r, struct rd_str *s)
{
    const char *p = r->p + 1;
    uint32_t cp;
    size_t n;

    s->p = p;
    s->esc = 0;
    while (p < r->end && *p != '"') {
        unsigned char c = (unsigned char)*p;

        if (c < 0x20)
            return rd_bad(r);
        if (c >= 0x80) {
            if ((n = rd_utf8((const unsigned char *)p, (const unsigned char *)r->end)) == 0)
                return rd_bad(r);
            p += n;
        } else if (c == '\\') {
            s->esc = 1;
            if (rd_escape(&p, r->end, &cp) != 0)
                return rd_bad(r);
        } else {
            p++;
        }
    }
    if (p == r->end)
        return rd_bad(r);
    s->n = (size_t)(p - s->p);
    r->p = p + 1;
    return 0;
}

/* S (checked by rd_string) decoded into BUF: its length, or CAP + 1 if it
 * does not fit in CAP bytes. */
static size_t rd_decode(const struct rd_str *s, char *buf, size_t cap)
{
    const char *p = s->p, *end = s->p + s->n;
    unsigned char u[4];
    size_t n = 0, k, i;
    uint32_t cp;

    while (p < end) {
        if (*p != '\\') {
            if (n == cap)
                return cap + 1;
            buf[n++] = *p++;
            continue;
        }
        (void)rd_escape(&p, end, &cp);
        k = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        for (i = k - 1; i > 0; i--, cp >>= 6)       /* UTF-8: continuation bytes, */
            u[i] = (unsigned char)(0x80 | (cp & 0x3f));
        u[0] = (unsigned char)(k == 1 ? cp : (0xf00u >> k & 0xff) | cp);    /* then the lead */
        if (k > cap - n)
            return cap + 1;
        memcpy(buf + n, u, k);
        n += k;
    }
    return n;
}

/* A plain integer (PROTOCOL §1: 0, or 1-9 then digits) that jansson reads:
 * at most INT64_MAX, no fraction, no exponent. 0, or -1 (bad). */
static int rd_number(struct rd *r)
{
    const char *p = r->p;
    uint64_t v = 0;

    if (*p == '0') {
        p++;
    } else {
        for (; p < r->end && *p >= '0' && *p <= '9'; p++) {
            unsigned d = (unsigned)(*p - '0');
            if (v > (uint64_t)(INT64_MAX - d) / 10)
                return rd_bad(r);
            v = v * 10 + d;
        }
    }
    if (p < r->end && ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' ||
                       *p == '+' || *p == '-'))
        return rd_bad(r);
    r->p = p;
    return 0;
}

/* A value that is neither an object nor an array: a string, a plain
 * integer, true, false or null. 0, or -1 (bad). */
static int rd_scalar(struct rd *r)
{
    const char *q = r->p;
    struct rd_str s;
    size_t n;

    if (*q == '"')
        return rd_string(r, &s);
    if (*q >= '0' && *q <= '9')
        return rd_number(r);
    while (q < r->end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
        q++;
    n = (size_t)(q - r->p);
    if ((n == 4 && (memcmp(r->p, "true", 4) == 0 || memcmp(r->p, "null", 4) == 0)) ||
        (n == 5 && memcmp(r->p, "false", 5) == 0)) {
        r->p = q;
        return 0;
    }
    return rd_bad(r);
}

/* --- objects, arrays and keys --------------------------------------------- */

/* Keeps key S of object OBJ, one that is not the schema's, for duplicates. */
static int rd_keep_key(struct rd *r, uint32_t obj, const struct rd_str *s)
{
    struct rd_key *k;

    if (r->n_keys == r->cap_keys) {
        size_t cap = r->cap_keys ? 2 * r->cap_keys : 16;
        if ((k = realloc(r->keys, cap * sizeof *k)) == NULL)
            goto oom;
        r->keys = k;
        r->cap_keys = cap;
    }
    k = &r->keys[r->n_keys];
    k->obj = obj;
    k->owned = NULL;
    k->p = s->p;
    k->n = s->n;
    if (s->esc) {
        if ((k->owned = malloc(s->n + 1)) == NULL)
            goto oom;
        k->n = rd_decode(s, k->owned, s->n);
        k->p = k->owned;
    }
    r->n_keys++;
    return 0;
oom:
    r->oom = 1;
    return rd_bad(r);
}

/* A member's key and its colon, in object OBJ: *INDEX its place in NAMES
 * (N names; each once, else bad: *SEEN has their bits), or -1 for another
 * key, which is kept. 0, or -1 (bad). */
static int rd_key(struct rd *r, uint32_t obj, const char *const *names, int n, unsigned *seen,
                  int *index)
{
    char buf[RD_KEY_MAX];
    const char *k;
    struct rd_str s;
    size_t kn;
    int i;

    if (rd_peek(r) != '"' || rd_string(r, &s) != 0)
        return rd_bad(r);
    k = s.esc ? buf : s.p;
    kn = s.esc ? rd_decode(&s, buf, sizeof buf) : s.n;
    for (*index = -1, i = 0; i < n && *index < 0; i++)
        if (kn == strlen(names[i]) && memcmp(k, names[i], kn) == 0)
            *index = i;
    if (*index >= 0) {
        if (*seen & 1u << *index)
            return rd_bad(r);       /* a key twice: jansson refuses the text */
        *seen |= 1u << *index;
    } else if (rd_keep_key(r, obj, &s) != 0) {
        return -1;
    }
    if (rd_peek(r) != ':')
        return rd_bad(r);
    r->p++;
    return 0;
}

/* The key and colon of a member of object OBJ outside the schema. */
static int rd_key_other(struct rd *r, uint32_t obj)
{
    unsigned seen = 0;
    int index;

    return rd_key(r, obj, NULL, 0, &seen, &index);
}

/* After a value inside a container opened by rd_skip (TOP levels, OBJ the
 * ids): the next member or element (1), or the containers' ends (0 when
 * none is left open). -1 (bad). */
static int rd_skip_next(struct rd *r, const uint32_t *obj, unsigned *top)
{
    char c;

    while (*top > 0) {
        c = rd_peek(r);
        if (c == ',') {
            r->p++;
            return obj[*top - 1] != 0 && rd_key_other(r, obj[*top - 1]) != 0 ? -1 : 1;
        }
        if (c != (obj[*top - 1] != 0 ? '}' : ']'))
            return rd_bad(r);
        r->p++;
        r->open--;
        (*top)--;
    }
    return 0;
}

/* One value of any shape, outside the schema: checked as jansson checks
 * it, its objects' keys kept for duplicates; iterative, however deep. 0, or
 * -1 (bad). */
static int rd_skip(struct rd *r)
{
    uint32_t obj[RD_DEPTH_MAX];     /* each level it opened: an object's id, 0 for an array */
    unsigned top = 0;
    int next;
    char c;

    for (;;) {
        if (r->open >= RD_DEPTH_MAX)
            return rd_bad(r);       /* jansson's depth limit */
        if ((c = rd_peek(r)) == '{' || c == '[') {
            rd_open(r);
            obj[top++] = c == '{' ? ++r->objects : 0;
            if (rd_peek(r) != (c == '{' ? '}' : ']')) {
                if (c == '{' && rd_key_other(r, obj[top - 1]) != 0)
                    return -1;
                continue;           /* its first member or element */
            }
            r->p++;
            r->open--;
            top--;
        } else if (c == '\0' || rd_scalar(r) != 0) {
            return rd_bad(r);
        }
        if ((next = rd_skip_next(r, obj, &top)) <= 0)
            return next;
    }
}

/* The members of an object whose '{' is next: FN reads the value of a key
 * of NAMES (N), by its index; the values of other keys are skipped. *SEEN
 * has the bits of NAMES found. The number of other keys, or -1 (bad). */
static int rd_object(struct rd *r, const char *const *names, int n, rd_member_fn fn, void *ctx,
                     unsigned *seen)
{
    uint32_t obj = ++r->objects;
    int others = 0, index;
    char c;

    rd_open(r);
    *seen = 0;
    if (rd_peek(r) == '}') {
        r->p++;
        r->open--;
        return 0;
    }
    for (;;) {
        if (rd_key(r, obj, names, n, seen, &index) != 0)
            return -1;
        others += index < 0;
        if ((index < 0 ? rd_skip(r) : fn(r, ctx, index)) != 0)
            return -1;
        if ((c = rd_peek(r)) == ',') {
            r->p++;
            continue;
        }
        if (c != '}')
            return rd_bad(r);
        r->p++;
        r->open--;
        return others;
    }
}

/* The elements of an array whose '[' is next, element i read by FN; *N
 * their number. 0, or -1 (bad). */
static int rd_array(struct rd *r, rd_elem_fn fn, void *ctx, uint32_t *n)
{
    char c;

    rd_open(r);
    *n = 0;
    if (rd_peek(r) == ']') {
        r->p++;
        r->open--;
        return 0;
    }
    for (;;) {
        if (fn(r, ctx, (*n)++) != 0)
            return -1;
        if ((c = rd_peek(r)) == ',') {
            r->p++;
            continue;
        }
        if (c != ']')
            return rd_bad(r);
        r->p++;
        r->open--;
        return 0;
    }
}

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
