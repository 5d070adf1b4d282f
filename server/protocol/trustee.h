/*
 * trustee.h — a trustee's own side of the key ceremony and of a poll's
 * decryption (PROTOCOL-threshold T2–T5, T7): the only code that holds a
 * trustee's secrets. Its identity key z_i (T2), the dealing it makes with a
 * fresh polynomial and ephemeral key (T3), its verdict with complaints
 * (T4), its key share x_j (T5), and its decryption shares (T7:
 * tally_threshold.h, which takes x_j).
 *
 * The caller (the trustee CLI) keeps z_i, its own share f_i(i) and later
 * x_j in a file only it can read and wipes its copies; every function here
 * wipes the secrets it derives (coefficients, r_i, K_ij, pads, opened
 * shares) before returning. Secret arithmetic is libsodium's constant-time
 * scalar code; the public parts (commitments, the messages) are checked
 * with ceremony.h.
 */
#ifndef CONCLAVE_TRUSTEE_H
#define CONCLAVE_TRUSTEE_H

#include <stddef.h>
#include <stdint.h>

#include "ceremony.h"
#include "crypto.h"
#include "proof.h"

/* A trustee's identity key (T2): z (secret), Z = z·G and the proof of
 * knowledge that registers it. */
struct trustee_identity {
    unsigned char z[CRYPTO_BYTES];
    unsigned char Z[CRYPTO_BYTES];
    struct proof_pair pok;
};

/* Makes trustee i's identity key for ceremony id, named name: draws z
 * (non-zero), then the proof's w. 0 or -1 (out wiped). */
int trustee_identity_create(const char *id, size_t idlen, uint32_t i, const char *name,
                            size_t namelen, const struct crypto_rng *rng,
                            struct trustee_identity *out);

/* Wipes an identity key (z and all). */
void trustee_identity_wipe(struct trustee_identity *id);

/* T3: trustee i's dealing under the setup c, with its identity key z
 * (z·G must be the setup's Z_i). Draws a_{i,0} (non-zero) .. a_{i,t−1},
 * r_i (non-zero), then the proof's w_id, w_poly, w_eph. Writes the dealing
 * to out and the trustee's own share f_i(i) to own_share (secret: keep it
 * until T5). 0, or -1 (z does not match, round 1 closed, failure). */
int trustee_deal(const struct ceremony *c, uint32_t i, const unsigned char z[CRYPTO_BYTES],
                 const struct crypto_rng *rng, struct ceremony_dealing *out,
                 unsigned char own_share[CRYPTO_BYTES]);

/* T4: trustee j's verdict on the closed round 1 of c (whose dealings all
 * passed ceremony_dealing_add). own, if not NULL, is the dealing j posted:
 * the board must hold exactly it (else PROTO_DEALINGS: post nothing, raise
 * the alarm). Opens every other dealer's share with K = z·R_i and complains
 * about each that is not good, revealing K; draws the proof's w.
 * PROTO_OK and *out; PROTO_VALUE if round 1 is open or z is not Z_j's key;
 * PROTO_INTERNAL on failure. */
enum proto_reason trustee_verdict(const struct ceremony *c, uint32_t j,
                                  const unsigned char z[CRYPTO_BYTES],
                                  const struct ceremony_dealing *own,
                                  const struct crypto_rng *rng, struct ceremony_verdict *out);

/* T5: trustee j's key share x_j = f_j(j) + Σ f_i(j) over the other members
 * of QUAL, opened with z, from a complete ceremony c and its own share.
 * Checks x_j·G = X_j. PROTO_OK and x (secret); PROTO_VALUE if j is not in
 * QUAL or c is not complete; PROTO_PROOF if x_j·G ≠ X_j (a wrong own share
 * or identity key). The caller then erases z (T2). */
enum proto_reason trustee_key_share(const struct ceremony *c, uint32_t j,
                                    const unsigned char z[CRYPTO_BYTES],
                                    const unsigned char own_share[CRYPTO_BYTES],
                                    unsigned char x[CRYPTO_BYTES]);

#endif
