/*
 * vectors.h — helpers the protocol tests share: loading the files of tests/vectors/,
 * walking them by path, decoding and comparing hex, and the poll records.
 *
 * Include after harness.h. Everything is static inline so a test uses what
 * it needs. Vector files are trusted test input: a missing value is a test
 * failure (the helpers return NULL / -1 and the test's CHECK reports it).
 */
#ifndef CONCLAVE_VECTORS_H
#define CONCLAVE_VECTORS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ceremony.h"
#include "crypto.h"
#include "record.h"

#define VEC_DIR "tests/vectors/"

/* Loads tests/vectors/<name> (e.g. "ballots.json"); NULL on error. */
static inline json_t *vec_load(const char *name)
{
    char path[256];
    json_error_t err;
    json_t *root;

    snprintf(path, sizeof path, VEC_DIR "%s", name);
    root = json_load_file(path, 0, &err);
    if (root == NULL)
        fprintf(stderr, "vectors: %s: %s (line %d)\n", path, err.text, err.line);
    return root;
}

/* Reads tests/vectors/<name> as text (caller frees). */
static inline char *vec_text(const char *name, size_t *len)
{
    char path[256];

    snprintf(path, sizeof path, VEC_DIR "%s", name);
    return harness_read_file(path, len);
}

/* Walks a path such as "ballots[0].choices[1].alpha" from v; NULL if absent. */
static inline json_t *vec_at(const json_t *v, const char *path)
{
    char key[128];
    const char *p = path;

    while (v != NULL && *p != '\0') {
        size_t n = 0;

        if (*p == '.')
            p++;
        if (*p == '[') {
            v = json_array_get(v, strtoul(p + 1, NULL, 10));
            p = strchr(p, ']');
            if (p == NULL)
                return NULL;
            p++;
            continue;
        }
        while (p[n] != '\0' && p[n] != '.' && p[n] != '[' && n < sizeof key - 1)
            n++;
        memcpy(key, p, n);
        key[n] = '\0';
        v = json_object_get(v, key);
        p += n;
    }
    return (json_t *)(uintptr_t)v;
}

static inline const char *vec_str(const json_t *v, const char *path)
{
    const char *s = json_string_value(vec_at(v, path));

    return s != NULL ? s : "";
}

static inline long long vec_int(const json_t *v, const char *path)
{
    return (long long)json_integer_value(vec_at(v, path));
}

/* Decodes the hex string at path into out (exactly n bytes). 0 or -1. */
static inline int vec_bytes(const json_t *v, const char *path, unsigned char *out, size_t n)
{
    const char *s = json_string_value(vec_at(v, path));

    if (s == NULL)
        return -1;
    return crypto_hex_decode(out, n, s, strlen(s));
}

/* 1 if the n bytes equal the hex string at path. */
static inline int vec_eq(const json_t *v, const char *path, const unsigned char *bytes, size_t n)
{
    const char *s = json_string_value(vec_at(v, path));
    char hex[4096];

    if (s == NULL || 2 * n + 1 > sizeof hex)
        return 0;
    crypto_hex_encode(hex, bytes, n);
    if (strcmp(hex, s) != 0) {
        fprintf(stderr, "  %s:\n    want %s\n    got  %s\n", path, s, hex);
        return 0;
    }
    return 1;
}

/* A hex string of any even length, decoded into a malloc'd buffer. */
static inline unsigned char *vec_blob(const json_t *v, const char *path, size_t *n)
{
    const char *s = json_string_value(vec_at(v, path));
    unsigned char *out;

    if (s == NULL || strlen(s) % 2 != 0)
        return NULL;
    *n = strlen(s) / 2;
    out = malloc(*n ? *n : 1);
    if (out != NULL && crypto_hex_decode(out, *n, s, strlen(s)) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* 1 if the n bytes equal the (long) hex string at path. */
static inline int vec_eq_blob(const json_t *v, const char *path, const unsigned char *bytes,
                              size_t n)
{
    size_t len = 0;
    unsigned char *want = vec_blob(v, path, &len);
    int ok = want != NULL && len == n && memcmp(want, bytes, n) == 0;

    if (!ok)
        fprintf(stderr, "  %s: %zu bytes differ (want %zu)\n", path, n, len);
    free(want);
    return ok;
}

/* JSON text of a vector value, compact (JSON.stringify spelling for the
 * ASCII-only values of ballots); caller frees. */
static inline char *vec_compact(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

/* The poll record named id ("poll-1", ...) from poll.json; NULL on error. */
static inline struct record *vec_record(const char *id)
{
    json_t *root = vec_load("poll.json"), *polls = vec_at(root, "polls");
    struct record *rec = NULL;
    size_t i;

    for (i = 0; i < json_array_size(polls); i++) {
        json_t *r = vec_at(json_array_get(polls, i), "record");

        if (strcmp(vec_str(r, "id"), id) == 0 && record_from_json(r, &rec) != PROTO_OK)
            rec = NULL;
    }
    json_decref(root);
    return rec;
}

/* Draws the vectors' stream name into an rng (st must outlive rng). */
static inline struct crypto_rng vec_rng(struct crypto_rng_stream *st, const char *name)
{
    if (crypto_rng_stream_init(st, name) != 0)
        fprintf(stderr, "vectors: stream name too long: %s\n", name);
    return crypto_rng_stream_rng(st);
}

/* The complete ceremony of tests/vectors/threshold/ceremony.json (its
 * transcript, checked whole); NULL on error. */
static inline struct ceremony *vec_ceremony(void)
{
    json_t *root = vec_load("threshold/ceremony.json");
    char *text = vec_compact(vec_at(root, "transcript"));
    struct ceremony *c = NULL;

    if (text == NULL || ceremony_transcript_parse(text, strlen(text), &c, NULL, 0) != PROTO_OK)
        c = NULL;
    free(text);
    json_decref(root);
    return c;
}

/* The same for the threshold vectors (tests/vectors/threshold/), whose
 * streams live under "conclave/ristretto255/v1/threshold test vectors/". */
static inline struct crypto_rng vec_trng(struct crypto_rng_stream *st, const char *name)
{
    if (crypto_rng_stream_init_domain(st, "conclave/ristretto255/v1/threshold test vectors/",
                                      name) != 0)
        fprintf(stderr, "vectors: stream name too long: %s\n", name);
    return crypto_rng_stream_rng(st);
}

#endif
