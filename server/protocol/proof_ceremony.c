/*
 * proof_ceremony.c — a dealing's proof (PROTOCOL-threshold T3) and a
 * verdict's batched Chaum–Pedersen proof (T4), on ristretto255.
 *
 * Both are Schnorr-type proofs whose challenge hashes the whole statement
 * (every commitment and ciphertext of the dealing; every complaint with its
 * R_i, K_i and b_i) under its own label, so neither can be replayed as the
 * other or as a §3 / T2 proof made with the same key. Nonces are wiped.
 */
#include <string.h>

#include <sodium.h>

#include "proof_ceremony.h"

/* The dealing's challenge over the statement and the commitments (96 bytes). */
static int proof_dealing_challenge(const struct proof_dealing_statement *st,
                                   const unsigned char commit[3 * CRYPTO_BYTES],
                                   unsigned char c[CRYPTO_BYTES])
{
    struct crypto_hash h;
    uint32_t k;

    crypto_hash_init(&h, CRYPTO_HS, "t-dealing");
    crypto_hash_b32(&h, st->setup_digest);
    crypto_hash_u32(&h, st->dealer);
    crypto_hash_b32(&h, st->Z);
    for (k = 0; k < st->t; k++)
        crypto_hash_b32(&h, st->C[k]);
    crypto_hash_b32(&h, st->R);
    for (k = 0; k < st->nshares; k++) {
        crypto_hash_u32(&h, st->to[k]);
        crypto_hash_b32(&h, st->ct[k]);
    }
    for (k = 0; k < 3; k++)
        crypto_hash_b32(&h, commit + (size_t)k * CRYPTO_BYTES);
    return crypto_hash_final_scalar(&h, c);
}

/* s = w + c·x */
static void proof_respond(unsigned char s[CRYPTO_BYTES], const unsigned char w[CRYPTO_BYTES],
                          const unsigned char c[CRYPTO_BYTES], const unsigned char x[CRYPTO_BYTES])
{
    crypto_core_ristretto255_scalar_mul(s, c, x);
    crypto_core_ristretto255_scalar_add(s, s, w);
}

int proof_dealing_create(const struct proof_dealing_statement *st,
                         const unsigned char z[CRYPTO_BYTES], const unsigned char a0[CRYPTO_BYTES],
                         const unsigned char r[CRYPTO_BYTES], const struct crypto_rng *rng,
                         struct proof_dealing *out, unsigned char *commit)
{
    unsigned char w[3][CRYPTO_BYTES], abc[3 * CRYPTO_BYTES];
    int rc = -1, k;

    for (k = 0; k < 3; k++)             /* w_id, w_poly, w_eph */
        crypto_rng_scalar(rng, w[k]);
    for (k = 0; k < 3; k++)
        if (crypto_point_mul_base(abc + (size_t)k * CRYPTO_BYTES, w[k]) != 0)
            goto out;
    if (proof_dealing_challenge(st, abc, out->c) != 0)
        goto out;
    proof_respond(out->s_id, w[0], out->c, z);
    proof_respond(out->s_poly, w[1], out->c, a0);
    proof_respond(out->s_eph, w[2], out->c, r);
    if (commit != NULL)
        memcpy(commit, abc, sizeof abc);
    rc = 0;
out:
    sodium_memzero(w, sizeof w);
    return rc;
}

enum proto_reason proof_dealing_verify(const struct proof_dealing_statement *st,
                                       const struct proof_dealing *proof)
{
    unsigned char abc[3 * CRYPTO_BYTES], c[CRYPTO_BYTES];

    if (proof_lincomb(abc, proof->s_id, NULL, proof->c, st->Z) != 0 ||
        proof_lincomb(abc + CRYPTO_BYTES, proof->s_poly, NULL, proof->c, st->C[0]) != 0 ||
        proof_lincomb(abc + 2 * CRYPTO_BYTES, proof->s_eph, NULL, proof->c, st->R) != 0)
        return PROTO_INTERNAL;
    if (proof_dealing_challenge(st, abc, c) != 0)
        return PROTO_INTERNAL;
    return memcmp(c, proof->c, CRYPTO_BYTES) == 0 ? PROTO_OK : PROTO_PROOF;
}

/* The verdict's challenge; b holds q points b_i, a the last commitment. */
static int proof_verdict_challenge(const struct proof_verdict_statement *st,
                                   const unsigned char *b, const unsigned char a[CRYPTO_BYTES],
                                   unsigned char c[CRYPTO_BYTES])
{
    struct crypto_hash h;
    uint32_t k;

    crypto_hash_init(&h, CRYPTO_HS, "t-verdict");
    crypto_hash_b32(&h, st->setup_digest);
    crypto_hash_b32(&h, st->dealings_digest);
    crypto_hash_u32(&h, st->trustee);
    crypto_hash_b32(&h, st->Z);
    crypto_hash_u32(&h, st->q);
    for (k = 0; k < st->q; k++) {
        crypto_hash_u32(&h, st->dealers[k]);
        crypto_hash_b32(&h, st->R[k]);
        crypto_hash_b32(&h, st->K[k]);
        crypto_hash_b32(&h, b + (size_t)k * CRYPTO_BYTES);
    }
    crypto_hash_b32(&h, a);
    return crypto_hash_final_scalar(&h, c);
}

int proof_verdict_create(const struct proof_verdict_statement *st,
                         const unsigned char z[CRYPTO_BYTES], const struct crypto_rng *rng,
                         struct proof_pair *out, unsigned char *commit)
{
    unsigned char w[CRYPTO_BYTES], a[CRYPTO_BYTES];
    unsigned char b[PROTO_MAX_TRUSTEES][CRYPTO_BYTES];
    uint32_t k;
    int rc = -1;

    if (st->q > PROTO_MAX_TRUSTEES)
        return -1;
    crypto_rng_scalar(rng, w);
    if (crypto_point_mul_base(a, w) != 0)
        goto out;
    for (k = 0; k < st->q; k++)             /* b_i = w·R_i */
        if (crypto_point_mul(b[k], w, st->R[k]) != 0)
            goto out;
    if (proof_verdict_challenge(st, &b[0][0], a, out->c) != 0)
        goto out;
    proof_respond(out->s, w, out->c, z);
    if (commit != NULL) {
        memcpy(commit, a, CRYPTO_BYTES);
        if (st->q > 0)
            memcpy(commit + CRYPTO_BYTES, b, (size_t)st->q * CRYPTO_BYTES);
    }
    rc = 0;
out:
    sodium_memzero(w, sizeof w);
    return rc;
}

enum proto_reason proof_verdict_verify(const struct proof_verdict_statement *st,
                                       const struct proof_pair *proof)
{
    unsigned char a[CRYPTO_BYTES], c[CRYPTO_BYTES];
    unsigned char b[PROTO_MAX_TRUSTEES][CRYPTO_BYTES];
    uint32_t k;

    if (st->q > PROTO_MAX_TRUSTEES)
        return PROTO_INTERNAL;
    if (proof_lincomb(a, proof->s, NULL, proof->c, st->Z) != 0)
        return PROTO_INTERNAL;
    for (k = 0; k < st->q; k++)
        if (proof_lincomb(b[k], proof->s, st->R[k], proof->c, st->K[k]) != 0)
            return PROTO_INTERNAL;
    if (proof_verdict_challenge(st, &b[0][0], a, c) != 0)
        return PROTO_INTERNAL;
    return memcmp(c, proof->c, CRYPTO_BYTES) == 0 ? PROTO_OK : PROTO_PROOF;
}
