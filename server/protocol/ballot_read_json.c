/*
 * ballot_read_json.c — the JSON lexer under the one-pass ballot reader
 * (ballot_read.c): jansson's grammar as ballot_read.c's header states it
 * (valid UTF-8, escapes, paired surrogates, no \u0000, no key twice in any
 * object, at most RD_DEPTH_MAX levels, PROTOCOL §1's plain integers), read
 * without a tree and without recursion. Split off ballot_read.c for size; it
 * shares ballot_read_int.h.
 */
#include <stdlib.h>
#include <string.h>

#include "ballot_read_int.h"

void rd_fail(struct rd *r, uint32_t rank, enum proto_reason why)
{
    if (rank < r->rank) {
        r->rank = rank;
        r->why = why;
    }
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

int rd_string(struct rd *r, struct rd_str *s)
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

size_t rd_decode(const struct rd_str *s, char *buf, size_t cap)
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

int rd_skip(struct rd *r)
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

int rd_object(struct rd *r, const char *const *names, int n, rd_member_fn fn, void *ctx,
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

int rd_array(struct rd *r, rd_elem_fn fn, void *ctx, uint32_t *n)
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
