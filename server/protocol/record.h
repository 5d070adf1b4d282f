/*
 * record.h — a poll record (PROTOCOL §3): the poll's fixed fields, roll,
 * key holders and public key, validated, with its roll digest and
 * fingerprint.
 *
 * A struct record is immutable once made and is only ever valid: every
 * constructor runs all the §1 and §3 rules and hands out a record only if
 * they hold. It is safe to read from several threads.
 */
#ifndef CONCLAVE_RECORD_H
#define CONCLAVE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "proof.h"

struct json_t;          /* jansson's json_t (sjson.h), for record_from_json only */
struct sjson_out;

struct record;
struct record_threshold;        /* record_threshold.h */

/* The forms a reader accepts (record_parse_kind): a v1 record (PROTOCOL §3)
 * and a threshold record (PROTOCOL-threshold T6: one more field,
 * "threshold", and its own fingerprint). Ballots (§4–§5) verify against
 * either: they use only the fingerprint and Y. */
#define RECORD_V1        1u
#define RECORD_THRESHOLD 2u

/* The poll fields a server chooses when a poll opens; strings are UTF-8 and
 * NUL-terminated, the roll strictly ascending in byte order. */
struct record_params {
    const char *id;
    const char *question;
    const char *const *options;
    size_t m;
    uint32_t min, max;
    const char *opens_at, *closes_at;   /* YYYY-MM-DDTHH:MM:SSZ */
    const char *const *roll;
    size_t n;
};

/* A trustee's registration (PROTOCOL §7): name, X_k and its proof of
 * knowledge, made with proof_holder_keygen on the trustee's machine. */
struct record_trustee {
    const char *name;
    unsigned char X[CRYPTO_BYTES];
    struct proof_pair pok;
};

/* Makes a record with a fresh server key as holder 0 (named "server") and the
 * trustees as holders 1..K-1, drawing x_0 then its w from rng. On PROTO_OK
 * *out is the new record and x0 the server's secret (the caller stores it and
 * wipes its copy); otherwise the reason the parameters break §1/§3. */
enum proto_reason record_create(const struct record_params *p,
                                const struct record_trustee *trustees, size_t ntrustees,
                                const struct crypto_rng *rng, struct record **out,
                                unsigned char x0[CRYPTO_BYTES]);

/* Parses and validates a record in board form (JSON text of len bytes).
 * PROTO_OK and *out, or the first broken rule's reason (PROTOCOL §10). */
enum proto_reason record_parse(const char *text, size_t len, struct record **out);

/* The same from an already parsed JSON object (a board's "poll"). */
enum proto_reason record_from_json(const struct json_t *obj, struct record **out);

/* record_parse and record_from_json accept a v1 record only: a threshold
 * record is PROTO_SHAPE there (T6: field "threshold"). These accept the
 * kinds given (RECORD_V1 | RECORD_THRESHOLD); a kind not accepted is
 * PROTO_SHAPE (an extra or a missing field). */
enum proto_reason record_parse_kind(const char *text, size_t len, unsigned kinds,
                                    struct record **out);
enum proto_reason record_from_json_kind(const struct json_t *obj, unsigned kinds, struct record **out);

/* Writes the record as the board-form JSON object (PROTOCOL §8 "poll"). */
void record_write(const struct record *rec, struct sjson_out *o);

/* The record as JSON text (pretty: two-space indent), caller frees; NULL on
 * failure. */
char *record_serialize(const struct record *rec, int pretty, size_t *len);

void record_free(struct record *rec);

/* Accessors. Strings are borrowed, NUL-terminated, with their byte length. */
const char *record_id(const struct record *rec, size_t *len);
const char *record_question(const struct record *rec, size_t *len);
uint32_t record_option_count(const struct record *rec);                 /* m */
const char *record_option(const struct record *rec, uint32_t j, size_t *len);
uint32_t record_min(const struct record *rec);
uint32_t record_max(const struct record *rec);
const char *record_opens_at(const struct record *rec);
const char *record_closes_at(const struct record *rec);
uint32_t record_roll_count(const struct record *rec);                   /* n */
const char *record_roll_entry(const struct record *rec, uint32_t i, size_t *len);
uint32_t record_holder_count(const struct record *rec);                 /* K */
const char *record_holder_name(const struct record *rec, uint32_t k, size_t *len);
const unsigned char *record_holder_key(const struct record *rec, uint32_t k);    /* X_k */
const struct proof_pair *record_holder_pok(const struct record *rec, uint32_t k);
const unsigned char *record_public_key(const struct record *rec);       /* Y */
/* Y with its table for the verifiers (pubmul.h), made once when the record
 * was made or read. */
const struct pubmul_key *record_public_key_table(const struct record *rec);
const unsigned char *record_roll_digest(const struct record *rec);
const unsigned char *record_fingerprint(const struct record *rec);
/* The threshold field of a threshold record (record_threshold.h), NULL for
 * a v1 record. */
const struct record_threshold *record_threshold(const struct record *rec);

/* 1 if voter (len bytes) is on the roll (binary search), else 0. */
int record_roll_contains(const struct record *rec, const char *voter, size_t len);

/* 1 for a promotion poll (m = 2, min = max = 1: rule "two-thirds"), else 0. */
int record_is_promotion(const struct record *rec);

/* For tests: the complete framed inputs of roll_digest and fingerprint
 * (PROTOCOL §3) copied into the buffers, with their lengths. 0 or -1. */
int record_hash_inputs(const struct record *rec, unsigned char *roll_buf, size_t roll_cap,
                       size_t *roll_len, unsigned char *fp_buf, size_t fp_cap, size_t *fp_len);

/* 0 if s (len bytes) is a valid time of PROTOCOL §1, else -1. */
int record_check_time(const char *s, size_t len);

#endif
