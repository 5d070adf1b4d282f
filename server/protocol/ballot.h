/*
 * ballot.h — an encrypted ballot (PROTOCOL §5): parse, verify against a poll
 * record, tag, tracker, creation, serialization.
 *
 * A struct ballot is immutable once made. Parsing checks what the ballot
 * alone can show cheaply (shape, hex, point encodings, scalar, identity);
 * ballot_verify adds that every point is on the curve (PROTO_POINT) and
 * everything that needs the poll record (shape counts, poll, fingerprint,
 * duplicate_alpha, proof). Use a ballot's points only after ballot_verify. The server's state checks (poll_closed,
 * not_on_roll, already_voted, replaces, duplicate_tag, a used alpha) stay
 * with the server, which reads the tag and alphas through the accessors.
 */
#ifndef CONCLAVE_BALLOT_H
#define CONCLAVE_BALLOT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "proof.h"
#include "record.h"

struct ballot;
struct json_t;          /* jansson's json_t (sjson.h), for ballot_from_json only */
struct sjson_out;

enum ballot_form {
    BALLOT_FORM_POST,   /* as a client POSTs it: optional "replaces", no "tracker" */
    BALLOT_FORM_BOARD   /* as on the board (§8): "tracker", never "replaces" */
};

/* Parses a ballot from JSON text (at most PROTO_MAX_BALLOT bytes) in one
 * pass that builds no JSON tree (ballot_read.c). PROTO_OK and *out (caller
 * frees), or the reason (PROTO_SHAPE, _HEX, _POINT, _SCALAR, _IDENTITY;
 * PROTO_INTERNAL when out of memory): for every text the reason that
 * sjson_parse and ballot_from_json give together. */
enum proto_reason ballot_parse(const char *text, size_t len, enum ballot_form form,
                               struct ballot **out);

/* As ballot_parse, for a request's body: also *DEPTH, the deepest nesting of
 * {} and [] in TEXT, or -1 when the reader stopped before TEXT's end (it is
 * not JSON, or not an object): count it otherwise, as api_json_depth does. */
enum proto_reason ballot_parse_body(const char *text, size_t len, enum ballot_form form,
                                    struct ballot **out, int *depth);

/* The same from a parsed JSON object (a board's ballot, when the whole
 * board was parsed into a tree). */
enum proto_reason ballot_from_json(const struct json_t *obj, enum ballot_form form,
                                   struct ballot **out);

/* ballot_parse of the board form, for board.c: 0 and *out (caller frees),
 * or -1 if the text is not a valid board-form ballot; -1 says nothing about
 * why: ballot_parse gives the reason. */
int ballot_read_board(const char *text, size_t len, struct ballot **out);

/* Every stateless rule of PROTOCOL §10 against the poll record: PROTO_OK or
 * PROTO_SHAPE (counts), _POLL, _FINGERPRINT, _DUPLICATE_ALPHA, _POINT (a
 * point off the curve), _PROOF. */
enum proto_reason ballot_verify(const struct ballot *b, const struct record *rec);

/* A ballot's ciphertexts α_j, β_j decoded (group.h's points), as verifying
 * it decodes them: what tally_add_points counts without decoding them again. */
struct ballot_points;
struct group_point;

/* ballot_verify, and when PROTO_OK, *out = the ballot's decoded α_j, β_j
 * (caller frees with ballot_points_free); else *out = NULL. PROTO_INTERNAL
 * when out of memory. */
enum proto_reason ballot_verify_points(const struct ballot *b, const struct record *rec,
                                       struct ballot_points **out);
void ballot_points_free(struct ballot_points *p);
uint32_t ballot_points_count(const struct ballot_points *p);            /* m */
/* α_j and β_j, j < m (owned by p). */
const struct group_point *ballot_points_alpha(const struct ballot_points *p, uint32_t j);
const struct group_point *ballot_points_beta(const struct ballot_points *p, uint32_t j);

/* Board form: PROTO_TRACKER if the ballot's "tracker" is not its recomputed
 * tracker, else PROTO_OK (always PROTO_OK for the POST form). */
enum proto_reason ballot_check_tracker(const struct ballot *b);

/* Makes a ballot for rec selecting votes[j] in {0, 1} (m entries, min <= Σ <= max)
 * with secret rho (tag = Hd("tag", fingerprint, rho)), drawing r_0..r_{m-1},
 * then the choice proofs, then the sum proof from rng. replaces_rho, if not
 * NULL, is the rho of the ballot this one replaces. 0 and *out, or -1. */
int ballot_create(const struct record *rec, const uint8_t *votes,
                  const unsigned char rho[CRYPTO_BYTES], const unsigned char *replaces_rho,
                  const struct crypto_rng *rng, struct ballot **out);

/* tag = Hd("tag", fingerprint, rho). 0 or -1. */
int ballot_tag_from_rho(const unsigned char fingerprint[CRYPTO_BYTES],
                        const unsigned char rho[CRYPTO_BYTES], unsigned char tag[CRYPTO_BYTES]);

/* Writes the ballot as a JSON object in the given form. */
void ballot_write(const struct ballot *b, enum ballot_form form, struct sjson_out *o);

/* The ballot as JSON text, compact (JSON.stringify) or pretty; caller frees. */
char *ballot_serialize(const struct ballot *b, enum ballot_form form, int pretty, size_t *len);

void ballot_free(struct ballot *b);

/* Accessors (borrowed). */
const char *ballot_poll(const struct ballot *b, size_t *len);
const unsigned char *ballot_fingerprint(const struct ballot *b);
const unsigned char *ballot_tag(const struct ballot *b);
const unsigned char *ballot_tracker(const struct ballot *b);   /* recomputed */
uint32_t ballot_choice_count(const struct ballot *b);
const unsigned char *ballot_alpha(const struct ballot *b, uint32_t j);
const unsigned char *ballot_beta(const struct ballot *b, uint32_t j);
const struct proof_pair *ballot_choice_proof(const struct ballot *b, uint32_t j); /* 2 pairs */
uint32_t ballot_sum_count(const struct ballot *b);
const struct proof_pair *ballot_sum_proof(const struct ballot *b);
/* hex(rho_old) decoded, or NULL when the ballot replaces nothing. */
const unsigned char *ballot_replaces(const struct ballot *b);

/* The tag of the ballot this one replaces: Hd("tag", fingerprint, rho_old).
 * 0, or -1 when the ballot has no "replaces". */
int ballot_replaces_tag(const struct ballot *b, unsigned char tag[CRYPTO_BYTES]);

#endif
