/*
 * poly.h — polynomials over the scalars mod l and their commitments, as the
 * threshold addendum uses them (PROTOCOL-threshold T3–T5, T7): a dealer's
 * f_i(j), the check u·G = Σ_k j^k·C_{i,k}, and the Lagrange coefficients
 * that combine t decryption shares.
 *
 * Arguments are small trustee indices (1..64) and 32-byte scalars and
 * points. poly_eval runs on secrets and uses only libsodium's constant-time
 * scalar arithmetic; the other two work on public values.
 */
#ifndef CONCLAVE_POLY_H
#define CONCLAVE_POLY_H

#include <stdint.h>

#include "crypto.h"

/* out = f(x) = a_0 + a_1·x + … + a_{t-1}·x^{t-1} mod l (t >= 1). */
void poly_eval(const unsigned char (*a)[CRYPTO_BYTES], uint32_t t, uint32_t x,
               unsigned char out[CRYPTO_BYTES]);

/* out = Σ_k x^k·C_k over t valid points (the identity is a possible
 * result). 0, or -1 if some C_k is not a valid point. */
int poly_eval_commitments(const unsigned char (*C)[CRYPTO_BYTES], uint32_t t, uint32_t x,
                          unsigned char out[CRYPTO_BYTES]);

/* out = λ_j = Π_{k∈S, k≠j} k·(k − j)^{−1} mod l for the n distinct non-zero
 * indices S (j among them). 0, or -1 if j is not in S or two are equal. */
int poly_lagrange(const uint32_t *S, uint32_t n, uint32_t j, unsigned char out[CRYPTO_BYTES]);

#endif
