/*
 * tally_threshold.h — decryption of a threshold poll (PROTOCOL-threshold
 * T7): a trustee's shares D_{j,o} = x_j·A_o with their "t-decrypt" proofs,
 * checking any holder's shares (the server's as §6, holder 0), and the
 * combination with Lagrange coefficients over S, the t smallest trustee
 * indices present, into the counts and the signed result of §6 and §9.
 *
 * The record must be a threshold record (record_threshold(rec) != NULL);
 * the aggregate t is the poll's (tally.h). The server's own shares are
 * tally_shares_create(rec, 0, x_0, ...), unchanged from v1.
 */
#ifndef CONCLAVE_TALLY_THRESHOLD_H
#define CONCLAVE_TALLY_THRESHOLD_H

#include <stdint.h>

#include "record.h"
#include "sjson.h"
#include "tally.h"

/* One holder's published shares: holder 0 (the server) or a trustee j of
 * QUAL, with m shares in option order. */
struct tally_threshold_entry {
    uint32_t holder;
    const struct proof_share *shares;
};

/* A holder's decryption entry {"holder": h, "shares": [{"D", "c", "s"}, … m]},
 * as a trustee posts it and the board lists it, read from a parsed object:
 * shape, hex, point (canonical D), scalar (c, s). PROTO_OK, *holder and
 * out[m]; otherwise the code, and *at is the failing share (m: the entry
 * itself). Whether the shares hold is tally_threshold_shares_verify's. */
enum proto_reason tally_threshold_entry_from_json(const json_t *e, uint32_t m, uint32_t *holder,
                                                  struct proof_share *out, uint32_t *at);

/* The same from JSON text (at most 64 KiB). */
enum proto_reason tally_threshold_entry_parse(const char *text, size_t len, uint32_t m,
                                              uint32_t *holder, struct proof_share *out);

/* The entry as JSON text (caller frees), NULL on failure. */
char *tally_threshold_entry_serialize(uint32_t holder, const struct proof_share *shares,
                                      uint32_t m, int pretty, size_t *len);

/* Trustee j's m shares with key share x (secret) against the aggregate:
 * one w drawn per option, in order. 0, or -1 (not a threshold record, j
 * not in its QUAL, x·G ≠ X_j, failure). */
int tally_threshold_shares_create(const struct record *rec, uint32_t j,
                                  const unsigned char x[CRYPTO_BYTES], const struct tally *t,
                                  const struct crypto_rng *rng, struct proof_share *out);

/* Checks holder h's m shares against the aggregate: h = 0 with §6's proof
 * and X_0, a trustee with T7's and X_j. PROTO_OK, PROTO_PROOF, or
 * PROTO_VALUE if h is neither 0 nor a member of QUAL. D, c, s must have
 * passed the encoding checks (PROTO_POINT / PROTO_SCALAR otherwise). */
enum proto_reason tally_threshold_shares_verify(const struct record *rec, uint32_t h,
                                                const struct tally *t,
                                                const struct proof_share *shares);

/* T7's combination: entries (verified, holder 0 first, then trustees
 * strictly ascending) give D_o = D_{0,o} + Σ_{j∈S} λ_j·D_{j,o} for every
 * option into D[m], S the first t trustee entries. PROTO_OK; PROTO_QUORUM
 * without holder 0 or with fewer than t trustees; PROTO_VALUE for entries
 * out of order or outside QUAL. */
enum proto_reason tally_threshold_combine(const struct record *rec, const struct tally *t,
                                          const struct tally_threshold_entry *entries,
                                          uint32_t n, unsigned char (*D)[CRYPTO_BYTES]);

/* The counts (tally_counts_decrypted) of the combination; N = 0 gives
 * zeros without entries. */
enum proto_reason tally_threshold_counts(const struct record *rec, const struct tally *t,
                                         const struct tally_threshold_entry *entries,
                                         uint32_t n, uint32_t *counts);

/* The complete signed result (tally_result_make_decrypted) of the
 * combination. */
enum proto_reason tally_threshold_result_make(const struct record *rec, const struct tally *t,
                                              const struct tally_threshold_entry *entries,
                                              uint32_t n,
                                              const unsigned char (*trackers)[CRYPTO_BYTES],
                                              const struct sign_key *key,
                                              struct tally_result *out);

#endif
