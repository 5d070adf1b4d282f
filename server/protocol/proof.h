/*
 * proof.h — the protocol's zero-knowledge proofs: the interval proof every
 * ballot proof is made of (PROTOCOL §4), a key holder's proof of knowledge
 * (§3) and a decryption share's proof (§6); and their threshold forms
 * (PROTOCOL-threshold T2, T7; the ceremony's own proofs: proof_ceremony.h).
 *
 * All values are 32-byte encodings; inputs that the caller decoded from
 * untrusted text must already have passed crypto_point_check (the interval
 * verifier: crypto_point_check_encoding for α, β) and crypto_scalar_check.
 * Verifiers return PROTO_OK or PROTO_PROOF (PROTO_INTERNAL if libsodium
 * fails on an input it should accept).
 */
#ifndef CONCLAVE_PROOF_H
#define CONCLAVE_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "group.h"
#include "pubmul.h"

/* One branch of an interval proof, or a proof of knowledge: (c, s). */
struct proof_pair {
    unsigned char c[CRYPTO_BYTES];
    unsigned char s[CRYPTO_BYTES];
};

/* A decryption share of holder k for option j with its proof. */
struct proof_share {
    unsigned char D[CRYPTO_BYTES];
    unsigned char c[CRYPTO_BYTES];
    unsigned char s[CRYPTO_BYTES];
};

/* out = s·P − c·Q, P = NULL standing for G: a sigma proof's commitment
 * recomputed (PROTOCOL §4 "a_i = s_i·G − c_i·α"), in libsodium's constant
 * time: for provers (a simulated branch), since which branches are simulated
 * depends on the vote. Verifiers use pubmul_lincomb. 0, or -1 if P or Q is
 * not a valid point. */
int proof_lincomb(unsigned char out[CRYPTO_BYTES], const unsigned char s[CRYPTO_BYTES],
                  const unsigned char *P, const unsigned char c[CRYPTO_BYTES],
                  const unsigned char Q[CRYPTO_BYTES]);

/* The response of every proof made here: s = w + c·x (mod ℓ), for the
 * secret x, the nonce w and the challenge c (PROTOCOL §3, §4 step 4, §6). */
void proof_response(unsigned char s[CRYPTO_BYTES], const unsigned char c[CRYPTO_BYTES],
                    const unsigned char x[CRYPTO_BYTES], const unsigned char w[CRYPTO_BYTES]);

/* PROTOCOL §4: proves that (alpha, beta) = (r·G, value·G + r·Y) with
 * lo <= value <= hi. prefix holds Hs(LABEL, CONTEXT...) so far and is not
 * changed. Writes hi-lo+1 pairs to out and, if commit is not NULL, the
 * commitments a_0, b_0, ..., a_t, b_t (64 bytes per branch). Randomness is
 * drawn in the vectors' order (per branch: c_i then s_i, or w). 0 or -1. */
int proof_interval_prove(const struct crypto_hash *prefix, const unsigned char Y[CRYPTO_BYTES],
                         const unsigned char alpha[CRYPTO_BYTES],
                         const unsigned char beta[CRYPTO_BYTES], uint32_t lo, uint32_t hi,
                         uint32_t value, const unsigned char r[CRYPTO_BYTES],
                         const struct crypto_rng *rng, struct proof_pair *out,
                         unsigned char *commit);

/* PROTOCOL §4: verifies hi-lo+1 pairs; commit as for prove (recomputed
 * commitments, written even when the proof fails). alpha and beta need only
 * have canonical encodings: PROTO_POINT if either is not on the curve. */
enum proto_reason proof_interval_verify(const struct crypto_hash *prefix,
                                        const unsigned char Y[CRYPTO_BYTES],
                                        const unsigned char alpha[CRYPTO_BYTES],
                                        const unsigned char beta[CRYPTO_BYTES],
                                        uint32_t lo, uint32_t hi,
                                        const struct proof_pair *pairs, unsigned char *commit);

/* The same with the poll's key Y (its table made once, pubmul.h) and, where
 * alpha_pt or beta_pt is not NULL, α or β already decoded (alpha and beta
 * still give their encodings); PROTO_SCALAR if a pair's c or s is not
 * below l. */
enum proto_reason proof_interval_verify_key(const struct crypto_hash *prefix,
                                            const struct pubmul_key *Y,
                                            const unsigned char alpha[CRYPTO_BYTES],
                                            const unsigned char beta[CRYPTO_BYTES],
                                            const struct group_point *alpha_pt,
                                            const struct group_point *beta_pt, uint32_t lo,
                                            uint32_t hi, const struct proof_pair *pairs,
                                            unsigned char *commit);

/* PROTOCOL §3: X = x·G and a proof of knowledge of x for holder k named name
 * in poll id (draws w). 0 or -1. */
int proof_pok_create(const char *id, size_t idlen, uint32_t k, const char *name, size_t namelen,
                     const unsigned char x[CRYPTO_BYTES], const unsigned char X[CRYPTO_BYTES],
                     const struct crypto_rng *rng, struct proof_pair *out);

enum proto_reason proof_pok_verify(const char *id, size_t idlen, uint32_t k, const char *name,
                                   size_t namelen, const unsigned char X[CRYPTO_BYTES],
                                   const struct proof_pair *pok);

/* A new holder key: x (non-zero draw, then w) and X = x·G with its proof of
 * knowledge, as a trustee makes it on its own machine. 0 or -1. */
int proof_holder_keygen(const char *id, size_t idlen, uint32_t k, const char *name,
                        size_t namelen, const struct crypto_rng *rng,
                        unsigned char x[CRYPTO_BYTES], unsigned char X[CRYPTO_BYTES],
                        struct proof_pair *pok);

/* PROTOCOL §6: D = x·A and its proof for holder k (public key X), option j,
 * in the poll with this fingerprint (draws w). 0 or -1. */
int proof_share_create(const unsigned char fingerprint[CRYPTO_BYTES], uint32_t k,
                       const unsigned char X[CRYPTO_BYTES], const unsigned char x[CRYPTO_BYTES],
                       uint32_t j, const unsigned char A[CRYPTO_BYTES],
                       const struct crypto_rng *rng, struct proof_share *out);

enum proto_reason proof_share_verify(const unsigned char fingerprint[CRYPTO_BYTES], uint32_t k,
                                     const unsigned char X[CRYPTO_BYTES], uint32_t j,
                                     const unsigned char A[CRYPTO_BYTES],
                                     const struct proof_share *share);

/* PROTOCOL-threshold T2: the proof of knowledge of a trustee's identity key
 * z (Z = z·G), trustee i named name, ceremony id: §3's proof under label
 * "t-identity" (draws w). 0 or -1; the verifier PROTO_OK or PROTO_PROOF. */
int proof_identity_create(const char *id, size_t idlen, uint32_t i, const char *name,
                          size_t namelen, const unsigned char z[CRYPTO_BYTES],
                          const unsigned char Z[CRYPTO_BYTES], const struct crypto_rng *rng,
                          struct proof_pair *out);
enum proto_reason proof_identity_verify(const char *id, size_t idlen, uint32_t i,
                                        const char *name, size_t namelen,
                                        const unsigned char Z[CRYPTO_BYTES],
                                        const struct proof_pair *pok);

/* PROTOCOL-threshold T7: trustee j's share D = x_j·A for option o with §6's
 * proof under label "t-decrypt", against its verification key X_j (draws
 * w). 0 or -1; the verifier PROTO_OK or PROTO_PROOF (PROTO_INTERNAL if an
 * input is not a point). */
int proof_tshare_create(const unsigned char fingerprint[CRYPTO_BYTES], uint32_t j,
                        const unsigned char X[CRYPTO_BYTES], const unsigned char x[CRYPTO_BYTES],
                        uint32_t o, const unsigned char A[CRYPTO_BYTES],
                        const struct crypto_rng *rng, struct proof_share *out);
enum proto_reason proof_tshare_verify(const unsigned char fingerprint[CRYPTO_BYTES], uint32_t j,
                                      const unsigned char X[CRYPTO_BYTES], uint32_t o,
                                      const unsigned char A[CRYPTO_BYTES],
                                      const struct proof_share *share);

#endif
