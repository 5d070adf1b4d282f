/*
 * sjson.h — strict JSON for the protocol (PROTOCOL §1): reading over jansson
 * with exact key sets, plain integers and strict hex, and a small writer that
 * produces one deterministic spelling of every document.
 *
 * Readers return PROTO_OK or the §10 reason of the first problem (PROTO_SHAPE
 * for structure and types, PROTO_HEX for a bad byte string).
 */
#ifndef CONCLAVE_SJSON_H
#define CONCLAVE_SJSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "proto.h"

/* --- reading ---------------------------------------------------------------- */

/* Parses len bytes of text (at most cap) as one JSON object: UTF-8, no
 * duplicate key, every number a plain integer. Returns a new reference the
 * caller json_decref()s, or NULL with *why set (PROTO_SHAPE; PROTO_INTERNAL
 * when out of memory is all jansson could say). */
json_t *sjson_parse(const char *text, size_t len, size_t cap, enum proto_reason *why);

/* PROTO_OK if obj is an object with exactly these n keys. */
enum proto_reason sjson_object_exact(const json_t *obj, const char *const *keys, size_t n);

/* obj[key] as an integer 0 .. 2^32-1. */
enum proto_reason sjson_get_u32(const json_t *obj, const char *key, uint32_t *out);

/* obj[key] as a string of at most max bytes (*s borrowed from obj). */
enum proto_reason sjson_get_str(const json_t *obj, const char *key, size_t max,
                                const char **s, size_t *len);

/* v (or obj[key]) as lowercase hex of exactly n bytes: PROTO_SHAPE if not a
 * string, PROTO_HEX if not such hex. */
enum proto_reason sjson_hex(const json_t *v, unsigned char *out, size_t n);
enum proto_reason sjson_get_hex(const json_t *obj, const char *key, unsigned char *out, size_t n);

/* obj[key] as an array of min .. max elements (*arr borrowed). */
enum proto_reason sjson_get_array(const json_t *obj, const char *key, size_t min, size_t max,
                                  const json_t **arr);

/* --- writing ---------------------------------------------------------------- */

#define SJSON_MAX_DEPTH 16

/* A document being written. Pretty mode is JSON.stringify(v, null, 2) (and
 * Python's json.dumps(v, indent=2, ensure_ascii=False)); compact mode is
 * JSON.stringify(v). Errors (memory, size cap, nesting) are sticky. */
struct sjson_out {
    char *buf;
    size_t len, cap, max;
    int pretty;
    int err;
    unsigned depth;
    size_t count[SJSON_MAX_DEPTH];
    int after_key;
};

/* Starts an empty document of at most max bytes. */
void sjson_out_init(struct sjson_out *o, int pretty, size_t max);

void sjson_out_begin_object(struct sjson_out *o);
void sjson_out_end_object(struct sjson_out *o);
void sjson_out_begin_array(struct sjson_out *o);
void sjson_out_end_array(struct sjson_out *o);
/* The key of the next member (an object must be open). */
void sjson_out_key(struct sjson_out *o, const char *key);
void sjson_out_string(struct sjson_out *o, const char *s, size_t len);
void sjson_out_u32(struct sjson_out *o, uint32_t v);
void sjson_out_bool(struct sjson_out *o, int v);
void sjson_out_null(struct sjson_out *o);
/* A string of 2n lowercase hex characters. */
void sjson_out_hex(struct sjson_out *o, const unsigned char *b, size_t n);
/* Raw bytes after the document (e.g. the final newline). */
void sjson_out_raw(struct sjson_out *o, const char *s, size_t len);

/* Hands over the NUL-terminated text (caller frees) and its length, or
 * returns NULL if anything failed. Frees the buffer on failure. */
char *sjson_out_finish(struct sjson_out *o, size_t *len);

/* Frees a document abandoned before finish. */
void sjson_out_free(struct sjson_out *o);

#endif
