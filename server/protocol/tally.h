/*
 * tally.h — aggregation, decryption and the result (PROTOCOL §6, §9).
 *
 * A struct tally is a poll's running aggregate A_j = Σ α_j, B_j = Σ β_j over
 * the counted ballots (the identity when there are none) and their number N;
 * the server keeps one per open poll and adds or removes a ballot as it is
 * counted or replaced. After the close each holder k publishes shares
 * D_kj = x_k·A_j with proofs; with every holder's shares the counts follow,
 * then the rule, the ballots digest and the signed result.
 */
#ifndef CONCLAVE_TALLY_H
#define CONCLAVE_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "ballot.h"
#include "crypto.h"
#include "proof.h"
#include "record.h"
#include "sign.h"

struct tally;

/* The signed result of PROTOCOL §8/§9 ("result" of the board). */
struct tally_result {
    uint32_t m;
    uint32_t counts[PROTO_MAX_OPTIONS];
    uint32_t ballots;                         /* N */
    uint32_t eligible;                        /* n */
    enum proto_verdict verdict;               /* rule "two-thirds" unless NONE */
    unsigned char ballots_digest[CRYPTO_BYTES];
    unsigned char signature[SIGN_BYTES];
};

/* An empty aggregate for m options (1 <= m <= PROTO_MAX_OPTIONS), or NULL. */
struct tally *tally_new(uint32_t m);
void tally_free(struct tally *t);

/* Counts / uncounts a ballot with m choices (the caller verified it).
 * 0, or -1 (wrong m, arithmetic failure; t unchanged). */
int tally_add(struct tally *t, const struct ballot *b);
int tally_remove(struct tally *t, const struct ballot *b);

/* tally_add from the points ballot_verify_points decoded (no decoding: a
 * fraction of a microsecond a choice instead of ~8). 0, or -1 (wrong m, N at
 * its maximum; t unchanged). */
int tally_add_points(struct tally *t, const struct ballot_points *p);

/* dst += src (same m). 0 or -1. */
int tally_merge(struct tally *dst, const struct tally *src);

uint32_t tally_option_count(const struct tally *t);
uint32_t tally_ballot_count(const struct tally *t);                     /* N */
/* The encodings of A_j and B_j into out (computed on each call: about 4 µs). */
void tally_A(const struct tally *t, uint32_t j, unsigned char out[CRYPTO_BYTES]);
void tally_B(const struct tally *t, uint32_t j, unsigned char out[CRYPTO_BYTES]);

/* Holder k's shares D_kj = x_k·A_j with proofs, j = 0..m-1 (one w drawn per
 * option, in order) into out[m]. 0 or -1. */
int tally_shares_create(const struct record *rec, uint32_t k, const unsigned char x[CRYPTO_BYTES],
                        const struct tally *t, const struct crypto_rng *rng,
                        struct proof_share *out);

/* Checks holder k's m shares against the aggregate: PROTO_OK or PROTO_PROOF
 * (PROTO_IDENTITY is impossible: D may be the identity). */
enum proto_reason tally_shares_verify(const struct record *rec, uint32_t k,
                                      const struct tally *t, const struct proof_share *shares);

/* Counts t_j from every holder's (verified) shares: shares[k][j] for
 * k < K. N = 0 gives zeros without shares. PROTO_OK, or PROTO_COUNT if some
 * T_j is not t·G for 0 <= t <= N or the sum check min·N <= Σ t_j <= max·N fails. */
enum proto_reason tally_counts(const struct record *rec, const struct tally *t,
                               const struct proof_share *const *shares, uint32_t *counts);

/* The same from the combined decryptions D_j = y·A_j (m entries; NULL when
 * N = 0): T_j = B_j − D_j. The threshold combination (T7) gives D_j this
 * way (tally_threshold.h). */
enum proto_reason tally_counts_decrypted(const struct record *rec, const struct tally *t,
                                         const unsigned char (*D)[CRYPTO_BYTES],
                                         uint32_t *counts);

/* The rule of PROTOCOL §6: NONE unless a promotion poll; then PASSED iff
 * yes + no > 0 and 3·yes >= 2·(yes + no). */
enum proto_verdict tally_verdict(const struct record *rec, const uint32_t *counts);

/* ballots_digest = Hd("ballots", fingerprint, u32(N), tracker_1..tracker_N),
 * trackers strictly ascending (else -1). 0 or -1. */
int tally_ballots_digest(const unsigned char fingerprint[CRYPTO_BYTES],
                         const unsigned char (*trackers)[CRYPTO_BYTES], uint32_t n,
                         unsigned char out[CRYPTO_BYTES]);

/* The complete signed result from the aggregate, every holder's verified
 * shares (as for tally_counts), the counted ballots' trackers in ascending
 * order and the server key. PROTO_OK and *out, or the failing reason. */
enum proto_reason tally_result_make(const struct record *rec, const struct tally *t,
                                    const struct proof_share *const *shares,
                                    const unsigned char (*trackers)[CRYPTO_BYTES],
                                    const struct sign_key *key, struct tally_result *out);

/* The same from the combined decryptions D_j (as tally_counts_decrypted). */
enum proto_reason tally_result_make_decrypted(const struct record *rec, const struct tally *t,
                                              const unsigned char (*D)[CRYPTO_BYTES],
                                              const unsigned char (*trackers)[CRYPTO_BYTES],
                                              const struct sign_key *key,
                                              struct tally_result *out);

/* The sign_result view of a result (borrows from rec and r). */
void tally_result_view(const struct record *rec, const struct tally_result *r,
                       struct sign_result *view);

#endif
