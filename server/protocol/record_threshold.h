/*
 * record_threshold.h — the threshold poll record (PROTOCOL-threshold T6): a
 * poll record whose only holder is the server (holder 0, a fresh X_0) and
 * whose new field "threshold" names the council that shares the rest of
 * the key: the ceremony's id and digest, t, QUAL with each member's name
 * and verification key X_j, and the council key Y_T; Y = X_0 + Y_T.
 *
 * Such a record is a struct record (record.h) like any other: read it with
 * record_parse_kind(..., RECORD_THRESHOLD, ...), whose checks include T6's
 * rules, and reach its field with record_threshold(rec). Its values are
 * checked against the ceremony's transcript by record_threshold_check
 * (code PROTO_CEREMONY), which a board verifier and a trustee run; a
 * record alone cannot show that Y_T is the council's.
 */
#ifndef CONCLAVE_RECORD_THRESHOLD_H
#define CONCLAVE_RECORD_THRESHOLD_H

#include <stddef.h>
#include <stdint.h>

#include "ceremony.h"
#include "record.h"

/* One member of QUAL as the record lists it. */
struct record_council_trustee {
    uint32_t index;                         /* j */
    const char *name;
    size_t name_len;
    unsigned char X[CRYPTO_BYTES];          /* X_j */
};

/* The "threshold" field's values: what a server copies from a complete
 * ceremony into each poll it seals for that council (record_council_of). */
struct record_council {
    const char *ceremony;                   /* the ceremony's id */
    size_t ceremony_len;
    unsigned char digest[CRYPTO_BYTES];     /* ceremony_digest */
    uint32_t t;
    uint32_t count;                         /* |QUAL| */
    const struct record_council_trustee *trustees;  /* ascending index */
    unsigned char Y_T[CRYPTO_BYTES];
};

/* The council of a complete ceremony, borrowing its strings: out and
 * trustees[PROTO_MAX_TRUSTEES] are filled. PROTO_OK, or PROTO_QUORUM if the
 * ceremony is not complete. */
enum proto_reason record_council_of(const struct ceremony *c, struct record_council *out,
                                    struct record_council_trustee *trustees);

/* A new threshold record for poll p sealed for the council: draws x_0 then
 * its proof's w (holder 0 "server", §3), Y = X_0 + Y_T. As record_create:
 * PROTO_OK, *out and the server's secret x0 (the caller stores it and wipes
 * its copy), or the broken rule's code. */
enum proto_reason record_create_threshold(const struct record_params *p,
                                          const struct record_council *council,
                                          const struct crypto_rng *rng, struct record **out,
                                          unsigned char x0[CRYPTO_BYTES]);

/* T6 "every value must be the one derived in T5 from the transcript": the
 * record's threshold field against the complete ceremony c. PROTO_OK, or
 * PROTO_CEREMONY if any value differs (PROTO_VALUE for a v1 record). */
enum proto_reason record_threshold_check(const struct record *rec, const struct ceremony *c);

/* Accessors (borrowed). Members are numbered 0..count−1 in ascending index. */
const char *record_threshold_ceremony(const struct record_threshold *th, size_t *len);
const unsigned char *record_threshold_digest(const struct record_threshold *th);
uint32_t record_threshold_t(const struct record_threshold *th);
uint32_t record_threshold_count(const struct record_threshold *th);
uint32_t record_threshold_index(const struct record_threshold *th, uint32_t k);
const char *record_threshold_name(const struct record_threshold *th, uint32_t k, size_t *len);
const unsigned char *record_threshold_key(const struct record_threshold *th, uint32_t k);
const unsigned char *record_threshold_public_key(const struct record_threshold *th);  /* Y_T */

/* X_j of trustee j, or NULL if j is not listed. */
const unsigned char *record_threshold_key_of(const struct record_threshold *th, uint32_t j);

#endif
