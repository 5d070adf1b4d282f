/*
 * pubmul.h — the verifiers' multiplications: s·P − c·Q for public scalars
 * and points, in variable time (PROTOCOL §3, §4, §6 recompute every
 * commitment this way).
 *
 * Every verification equation has this form with P fixed: G, or a poll's
 * public key Y. Both run on group.c's Straus (one chain of doublings for
 * s and c, width-w NAF digits) with a table of P's odd multiples made once:
 * G's when first needed, Y's when a poll's record is made or read (struct
 * pubmul_key, kept with the record). A proof of two branches or more splits
 * its scalars at 2^127 (tables of P and 2^127·P, and of Q and 2^127·Q made
 * once for the proof): half the doublings per equation. Not constant-time:
 * never pass a secret.
 * Provers stay on libsodium (crypto_point_mul*).
 *
 * tests/test_pubmul.c and tests/fuzz/fuzz_pubmul.c check every result
 * against libsodium and libdecaf byte for byte, and that exactly the
 * encodings crypto_point_check rejects and the scalars >= l are refused.
 */
#ifndef CONCLAVE_PUBMUL_H
#define CONCLAVE_PUBMUL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "group.h"

/* A fixed point with its tables (P and 2^127·P, 10 KB each): a poll's public key. */
struct pubmul_key;

/* The key for P (a valid point, the identity included). NULL if P is not a
 * point or out of memory. Free with pubmul_key_free (NULL is fine). */
struct pubmul_key *pubmul_key_new(const unsigned char P[CRYPTO_BYTES]);
void pubmul_key_free(struct pubmul_key *k);

/* P's encoding (borrowed). */
const unsigned char *pubmul_key_point(const struct pubmul_key *k);

/* out_i = s_i·G − c_i·Q for i < n, Q decoded (group_decode): s_i at
 * s + i·istride, c_i at c + i·istride, out_i at out + i·ostride. 0, or -1 if
 * a scalar is not below l (out unspecified). */
int pubmul_base_n(unsigned char *out, size_t ostride, const unsigned char *s,
                  const unsigned char *c, size_t istride, uint32_t n, const struct group_point *Q);

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
