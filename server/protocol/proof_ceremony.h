/*
 * proof_ceremony.h — the two proofs of the trustees' key ceremony
 * (PROTOCOL-threshold T3, T4): a dealing's proof, which signs the dealing
 * with the dealer's identity key and proves knowledge of a_{i,0} and r_i,
 * and a verdict's proof, which signs the verdict and shows every complaint
 * key K_i = z_j·R_i (a batched Chaum–Pedersen proof).
 *
 * A statement lists the public values the challenge hashes, in the order
 * of the addendum; the caller has decoded and checked every point and
 * scalar (crypto_point_check, crypto_scalar_check). Provers take the
 * secrets, wipe their nonces, and draw from rng in the vectors' order.
 * Verifiers return PROTO_OK or PROTO_PROOF (PROTO_INTERNAL if a point that
 * should have been checked is not one).
 */
#ifndef CONCLAVE_PROOF_CEREMONY_H
#define CONCLAVE_PROOF_CEREMONY_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "proof.h"

/* What a dealing's challenge covers (T3):
 * Hs("t-dealing", setup_digest, u32(i), Z_i, C_0..C_{t-1}, R_i,
 *    (u32(j), ct_j) for each recipient, w_id·G, w_poly·G, w_eph·G). */
struct proof_dealing_statement {
    const unsigned char *setup_digest;          /* 32 bytes */
    uint32_t dealer;                            /* i */
    const unsigned char *Z;                     /* Z_i */
    const unsigned char (*C)[CRYPTO_BYTES];     /* t commitments */
    uint32_t t;
    const unsigned char *R;                     /* R_i */
    const uint32_t *to;                         /* recipients, ascending */
    const unsigned char (*ct)[CRYPTO_BYTES];    /* their ciphertexts */
    uint32_t nshares;
};

/* A dealing's proof: (c, s_id, s_poly, s_eph). */
struct proof_dealing {
    unsigned char c[CRYPTO_BYTES];
    unsigned char s_id[CRYPTO_BYTES];
    unsigned char s_poly[CRYPTO_BYTES];
    unsigned char s_eph[CRYPTO_BYTES];
};

/* Proves the statement with the dealer's z_i, a_{i,0} and r_i, drawing
 * w_id, w_poly, w_eph in that order. If commit is not NULL it receives the
 * three commitments w_id·G, w_poly·G, w_eph·G (96 bytes). 0 or -1. */
int proof_dealing_create(const struct proof_dealing_statement *st,
                         const unsigned char z[CRYPTO_BYTES], const unsigned char a0[CRYPTO_BYTES],
                         const unsigned char r[CRYPTO_BYTES], const struct crypto_rng *rng,
                         struct proof_dealing *out, unsigned char *commit);

/* Recomputes s_id·G − c·Z_i, s_poly·G − c·C_0, s_eph·G − c·R_i and compares
 * the challenge. */
enum proto_reason proof_dealing_verify(const struct proof_dealing_statement *st,
                                       const struct proof_dealing *proof);

/* What a verdict's challenge covers (T4):
 * Hs("t-verdict", setup_digest, dealings_digest, u32(j), Z_j, u32(q),
 *    (u32(i), R_i, K_i, b_i) for each complaint, a). */
struct proof_verdict_statement {
    const unsigned char *setup_digest;          /* 32 bytes */
    const unsigned char *dealings_digest;       /* 32 bytes */
    uint32_t trustee;                           /* j */
    const unsigned char *Z;                     /* Z_j */
    uint32_t q;                                 /* complaints */
    const uint32_t *dealers;                    /* q dealers, ascending */
    const unsigned char *const *R;              /* q points R_i */
    const unsigned char *const *K;              /* q complaint keys */
};

/* Proves the statement with z_j (draws w). commit, if not NULL, receives a
 * then b_0..b_{q-1} (32·(q+1) bytes). 0 or -1. */
int proof_verdict_create(const struct proof_verdict_statement *st,
                         const unsigned char z[CRYPTO_BYTES], const struct crypto_rng *rng,
                         struct proof_pair *out, unsigned char *commit);

/* Recomputes a' = s·G − c·Z_j and b_i' = s·R_i − c·K_i and compares c. */
enum proto_reason proof_verdict_verify(const struct proof_verdict_statement *st,
                                       const struct proof_pair *proof);

#endif
