/*
 * record_internal.h — the inside of struct record, shared by record.c and
 * record_threshold.c only (the threshold record is a poll record with one
 * more field, PROTOCOL-threshold T6). Everyone else uses record.h and
 * record_threshold.h.
 */
#ifndef CONCLAVE_RECORD_INTERNAL_H
#define CONCLAVE_RECORD_INTERNAL_H

#include "record.h"
#include "sjson.h"

struct record_str {
    char *s;
    size_t len;
};

struct record_holder {
    struct record_str name;
    unsigned char X[CRYPTO_BYTES];
    struct proof_pair pok;
};

struct record {
    struct record_str id, question;
    uint32_t m, min, max, n, K;
    struct record_str *options;     /* m */
    struct record_str opens_at, closes_at;
    struct record_str *roll;        /* n */
    struct record_holder *holders;  /* K */
    struct record_threshold *th;    /* the T6 field, NULL in a v1 record */
    unsigned char Y[CRYPTO_BYTES];
    struct pubmul_key *Ykey;        /* Y's table for the verifiers, made by record_validate */
    unsigned char roll_digest[CRYPTO_BYTES];
    unsigned char fingerprint[CRYPTO_BYTES];
};

/* dst = a NUL-terminated copy of len bytes. 0 or -1. */
int record_str_set(struct record_str *dst, const char *s, size_t len);

/* Byte order of PROTOCOL §1: memcmp, a proper prefix first. */
int record_str_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* record_create with, when th is not NULL, the threshold field th (owned
 * by the record from then on, freed on failure too) and Y = X_0 + Y_T. */
enum proto_reason record_create_with(const struct record_params *p,
                                     const struct record_trustee *trustees, size_t ntrustees,
                                     struct record_threshold *th, const struct crypto_rng *rng,
                                     struct record **out, unsigned char x0[CRYPTO_BYTES]);

/* --- record_threshold.c, for record.c's hooks ---------------------------------------- */

/* Reads the "threshold" object (shape, hex, point); *out to free with
 * record_threshold_free. */
enum proto_reason record_threshold_from_json(const json_t *obj, struct record_threshold **out);

/* PROTO_IDENTITY if Y_T or an X_j is the identity. */
enum proto_reason record_threshold_check_points(const struct record_threshold *th);

/* T6's values: exactly one holder, the field's own rules, Y = X_0 + Y_T
 * (PROTO_VALUE). */
enum proto_reason record_threshold_check_values(const struct record *rec);

/* Appends the field's part of the fingerprint: str(ceremony), digest,
 * u32(t), u32(|QUAL|), (u32(j), str(name_j), X_j) for each, Y_T. */
void record_threshold_hash(const struct record_threshold *th, struct crypto_hash *h);

void record_threshold_write(const struct record_threshold *th, struct sjson_out *o);
void record_threshold_free(struct record_threshold *th);

#endif
