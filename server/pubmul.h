/*
 * pubmul.h — the verifiers' multiplications: s·P − c·Q for public scalars
 * and points, in variable time (PROTOCOL §3, §4, §6 recompute every
 * commitment this way).
 *
 * Every verification equation has this form with P fixed: G, or a poll's
 * public key Y. s·G − c·Q runs on libdecaf (its ristretto255 is byte for
 * byte libsodium's) with its precomputed table for G
 * (decaf_255_base_double_scalarmul_non_secret); s·Y − c·Q on group.c with a
 * table of Y's multiples made once per poll (struct pubmul_key, kept with the
 * poll's record) and Straus's method. Neither is constant-time: never pass
 * a secret. Provers stay on libsodium (crypto_point_mul*).
 *
 * Points come as canonical encodings and are decoded here with the rules of
 * crypto_point_check (tests/test_pubmul.c and tests/fuzz/fuzz_pubmul.c
 * compare both libraries with libsodium byte for byte); scalars must be
 * below l (crypto_scalar_check): a larger one gives -1.
 */
#ifndef CONCLAVE_PUBMUL_H
#define CONCLAVE_PUBMUL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "group.h"

/* A fixed point with its table (10 KB): a poll's public key. */
struct pubmul_key;

/* The key for P (a valid point, the identity included). NULL if P is not a
 * point or out of memory. Free with pubmul_key_free (NULL is fine). */
struct pubmul_key *pubmul_key_new(const unsigned char P[CRYPTO_BYTES]);
void pubmul_key_free(struct pubmul_key *k);

/* P's encoding (borrowed). */
const unsigned char *pubmul_key_point(const struct pubmul_key *k);

/* out_i = s_i·G − c_i·Q for i < n: s_i at s + i·istride, c_i at c + i·istride,
 * out_i at out + i·ostride. 0, or -1 if Q is not a valid point or a scalar
 * is not below l (out unspecified). */
int pubmul_base_n(unsigned char *out, size_t ostride, const unsigned char *s,
                  const unsigned char *c, size_t istride, uint32_t n,
                  const unsigned char Q[CRYPTO_BYTES]);

/* out_i = s_i·P − c_i·(Q − (lo + i)·G) for i < n, P the key's point and Q
 * decoded (group_decode): the b_i of an interval proof (PROTOCOL §4).
 * Strides as for pubmul_base_n. 0, or -1 if a scalar is not below l. */
int pubmul_key_steps(unsigned char *out, size_t ostride, const struct pubmul_key *k,
                     const unsigned char *s, const unsigned char *c, size_t istride, uint32_t n,
                     const struct group_point *Q, uint32_t lo);

/* out = s·P − c·Q, P = NULL standing for G. 0, or -1 if P or Q is not a
 * valid point or a scalar is not below l. */
int pubmul_lincomb(unsigned char out[CRYPTO_BYTES], const unsigned char s[CRYPTO_BYTES],
                   const unsigned char *P, const unsigned char c[CRYPTO_BYTES],
                   const unsigned char Q[CRYPTO_BYTES]);

#endif
