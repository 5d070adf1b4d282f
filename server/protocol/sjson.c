/*
 * sjson.c — strict JSON reading over jansson, and a deterministic writer.
 *
 * jansson already rejects malformed UTF-8, lone surrogate escapes, \u0000 and
 * (with JSON_REJECT_DUPLICATES) duplicate keys, but it reads "1.0" and "1e2"
 * as reals and "-0" as the integer 0; PROTOCOL §1 allows plain integers only,
 * so the raw text is scanned for number tokens first (jscan.h). The writer emits one
 * spelling per document, the one the reference implementation's
 * JSON.stringify produces, so a board has the same bytes wherever it is built.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "jscan.h"
#include "sjson.h"

/* --- reading ---------------------------------------------------------------- */

json_t *sjson_parse(const char *text, size_t len, size_t cap, enum proto_reason *why)
{
    struct jscan_info scan;
    json_error_t jerr;
    json_t *root;

    *why = PROTO_SHAPE;
    if (len > cap)
        return NULL;
    jscan_text(text, len, &scan);
    if (!scan.integers_only)
        return NULL;
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        if (json_error_code(&jerr) == json_error_out_of_memory)
            *why = PROTO_INTERNAL;
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return NULL;
    }
    *why = PROTO_OK;
    return root;
}

enum proto_reason sjson_object_exact(const json_t *obj, const char *const *keys, size_t n)
{
    size_t i;

    if (!json_is_object(obj) || json_object_size(obj) != n)
        return PROTO_SHAPE;
    /* Keys are distinct (duplicates were rejected), so n hits mean equality. */
    for (i = 0; i < n; i++)
        if (json_object_get(obj, keys[i]) == NULL)
            return PROTO_SHAPE;
    return PROTO_OK;
}

enum proto_reason sjson_get_u32(const json_t *obj, const char *key, uint32_t *out)
{
    const json_t *v = json_object_get(obj, key);
    json_int_t n;

    if (!json_is_integer(v))
        return PROTO_SHAPE;
    n = json_integer_value(v);
    if (n < 0 || n > (json_int_t)UINT32_MAX)
        return PROTO_SHAPE;
    *out = (uint32_t)n;
    return PROTO_OK;
}

enum proto_reason sjson_get_str(const json_t *obj, const char *key, size_t max,
                                const char **s, size_t *len)
{
    const json_t *v = json_object_get(obj, key);

    if (!json_is_string(v) || json_string_length(v) > max)
        return PROTO_SHAPE;
    *s = json_string_value(v);
    *len = json_string_length(v);
    return PROTO_OK;
}

enum proto_reason sjson_hex(const json_t *v, unsigned char *out, size_t n)
{
    if (!json_is_string(v))
        return PROTO_SHAPE;
    if (crypto_hex_decode(out, n, json_string_value(v), json_string_length(v)) != 0)
        return PROTO_HEX;
    return PROTO_OK;
}

enum proto_reason sjson_get_hex(const json_t *obj, const char *key, unsigned char *out, size_t n)
{
    return sjson_hex(json_object_get(obj, key), out, n);
}

enum proto_reason sjson_get_array(const json_t *obj, const char *key, size_t min, size_t max,
                                  const json_t **arr)
{
    const json_t *v = json_object_get(obj, key);

    if (!json_is_array(v) || json_array_size(v) < min || json_array_size(v) > max)
        return PROTO_SHAPE;
    *arr = v;
    return PROTO_OK;
}

/* --- writing ---------------------------------------------------------------- */

void sjson_out_init(struct sjson_out *o, int pretty, size_t max)
{
    memset(o, 0, sizeof *o);
    o->pretty = pretty;
    o->max = max;
}

static void sjson_out_put(struct sjson_out *o, const char *s, size_t len)
{
    size_t need, ncap;
    char *nbuf;

    if (o->err)
        return;
    if (len > o->max || o->len > o->max - len) {
        o->err = 1;
        return;
    }
    need = o->len + len + 1;
    if (need > o->cap) {
        ncap = o->cap ? o->cap : 256;
        while (ncap < need)
            ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
        nbuf = realloc(o->buf, ncap);
        if (nbuf == NULL) {
            o->err = 1;
            return;
        }
        o->buf = nbuf;
        o->cap = ncap;
    }
    if (len > 0)
        memcpy(o->buf + o->len, s, len);
    o->len += len;
    o->buf[o->len] = '\0';
}

static void sjson_out_newline(struct sjson_out *o, unsigned depth)
{
    static const char spaces[] = "                                ";
    unsigned i;

    sjson_out_put(o, "\n", 1);
    for (i = 0; i < depth; i++)
        sjson_out_put(o, spaces, 2);
}

/* Separator and indentation before a value or a key. */
static void sjson_out_before(struct sjson_out *o)
{
    if (o->after_key) {
        o->after_key = 0;
        return;
    }
    if (o->depth == 0)
        return;
    if (o->count[o->depth - 1]++ > 0)
        sjson_out_put(o, ",", 1);
    if (o->pretty)
        sjson_out_newline(o, o->depth);
}

static void sjson_out_open(struct sjson_out *o, const char *bracket)
{
    sjson_out_before(o);
    if (o->depth >= SJSON_MAX_DEPTH) {
        o->err = 1;
        return;
    }
    sjson_out_put(o, bracket, 1);
    o->count[o->depth++] = 0;
}

static void sjson_out_close(struct sjson_out *o, const char *bracket)
{
    if (o->depth == 0 || o->after_key) {
        o->err = 1;
        return;
    }
    o->depth--;
    if (o->pretty && o->count[o->depth] > 0)
        sjson_out_newline(o, o->depth);
    sjson_out_put(o, bracket, 1);
}

void sjson_out_begin_object(struct sjson_out *o) { sjson_out_open(o, "{"); }
void sjson_out_end_object(struct sjson_out *o) { sjson_out_close(o, "}"); }
void sjson_out_begin_array(struct sjson_out *o) { sjson_out_open(o, "["); }
void sjson_out_end_array(struct sjson_out *o) { sjson_out_close(o, "]"); }

static void sjson_out_quoted(struct sjson_out *o, const char *s, size_t len)
{
    size_t i, run = 0;
    char esc[8];

    sjson_out_put(o, "\"", 1);
    if (len == 0) {
        sjson_out_put(o, "\"", 1);
        return;
    }
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        const char *rep = NULL;

        switch (ch) {
        case '"':  rep = "\\\""; break;
        case '\\': rep = "\\\\"; break;
        case '\b': rep = "\\b"; break;
        case '\f': rep = "\\f"; break;
        case '\n': rep = "\\n"; break;
        case '\r': rep = "\\r"; break;
        case '\t': rep = "\\t"; break;
        default:
            if (ch < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", (unsigned)ch);
                rep = esc;
            }
        }
        if (rep == NULL) {
            run++;
            continue;
        }
        sjson_out_put(o, s + i - run, run);
        run = 0;
        sjson_out_put(o, rep, strlen(rep));
    }
    sjson_out_put(o, s + len - run, run);
    sjson_out_put(o, "\"", 1);
}

void sjson_out_key(struct sjson_out *o, const char *key)
{
    if (o->depth == 0 || o->after_key) {
        o->err = 1;
        return;
    }
    sjson_out_before(o);
    sjson_out_quoted(o, key, strlen(key));
    sjson_out_put(o, o->pretty ? ": " : ":", o->pretty ? 2 : 1);
    o->after_key = 1;
}

void sjson_out_string(struct sjson_out *o, const char *s, size_t len)
{
    sjson_out_before(o);
    sjson_out_quoted(o, s, len);
}

void sjson_out_u32(struct sjson_out *o, uint32_t v)
{
    char num[16];
    int n = snprintf(num, sizeof num, "%u", (unsigned)v);

    sjson_out_before(o);
    sjson_out_put(o, num, (size_t)n);
}

void sjson_out_bool(struct sjson_out *o, int v)
{
    sjson_out_before(o);
    sjson_out_put(o, v ? "true" : "false", v ? 4 : 5);
}

void sjson_out_null(struct sjson_out *o)
{
    sjson_out_before(o);
    sjson_out_put(o, "null", 4);
}

void sjson_out_hex(struct sjson_out *o, const unsigned char *b, size_t n)
{
    char hex[2 * 64 + 1];

    if (n > 64) {
        o->err = 1;
        return;
    }
    crypto_hex_encode(hex, b, n);
    sjson_out_before(o);
    sjson_out_put(o, "\"", 1);
    sjson_out_put(o, hex, 2 * n);
    sjson_out_put(o, "\"", 1);
}

void sjson_out_raw(struct sjson_out *o, const char *s, size_t len)
{
    sjson_out_put(o, s, len);
}

char *sjson_out_finish(struct sjson_out *o, size_t *len)
{
    char *text;

    if (o->depth != 0 || o->after_key)
        o->err = 1;
    if (!o->err && o->buf == NULL)
        sjson_out_put(o, "", 0);
    if (o->err) {
        sjson_out_free(o);
        return NULL;
    }
    text = o->buf;
    if (len != NULL)
        *len = o->len;
    o->buf = NULL;
    o->len = o->cap = 0;
    return text;
}

void sjson_out_free(struct sjson_out *o)
{
    free(o->buf);
    o->buf = NULL;
    o->len = o->cap = 0;
}
