/*
 * bench_reference.c — the reference verifier of `make bench` (issue 20): a
 * yes/no ballot's proofs verified the plain way, as the project did until
 * its verifiers moved to variable-time arithmetic: every equation of
 * PROTOCOL §4 as two libsodium scalar multiplications
 * (crypto_scalarmult_ristretto255, _base for G) and a subtraction, the
 * sums of α_j and β_j and each β − M·G by libsodium's additions on
 * encodings. The fixed yardstick of the ratios in BENCHMARKS.md: keep it
 * unchanged.
 *
 * It checks the proofs only (the few comparisons before them, a few µs of
 * ballot_verify, are left out: they favour the reference). Hashing uses
 * crypto.h's framing, as ballot_verify does.
 */
#include <string.h>

#include <sodium.h>

#include "bench.h"
#include "ballot.h"
#include "record.h"

/* q = n·P (P = NULL: G) as crypto_point_mul did: an identity result is
 * legitimate (libsodium writes zeros and says -1 for it). */
static int ref_mul(unsigned char q[32], const unsigned char n[32], const unsigned char *P)
{
    unsigned char t[32];

    memset(t, 0xff, sizeof t);
    if ((P == NULL ? crypto_scalarmult_ristretto255_base(t, n)
                   : crypto_scalarmult_ristretto255(t, n, P)) != 0 && !sodium_is_zero(t, 32))
        return -1;
    memcpy(q, t, 32);
    return 0;
}

/* out = s·P − c·Q, P = NULL standing for G. */
static int ref_lincomb(unsigned char out[32], const unsigned char s[32], const unsigned char *P,
                       const unsigned char c[32], const unsigned char Q[32])
{
    unsigned char sp[32], cq[32];

    if (ref_mul(sp, s, P) != 0 || ref_mul(cq, c, Q) != 0)
        return -1;
    return crypto_core_ristretto255_sub(out, sp, cq);
}

static int ref_interval(const struct crypto_hash *prefix, const unsigned char Y[32],
                        const unsigned char alpha[32], const unsigned char beta[32],
                        uint32_t lo, uint32_t hi, const struct proof_pair *pairs)
{
    const unsigned char *G = crypto_point_base();
    unsigned char beta_m[32], lg[32], n[32], sum[32], c[32], ab[64];
    struct crypto_hash h = *prefix;
    uint32_t i;

    memcpy(beta_m, beta, 32);
    if (lo > 0) {               /* β − lo·G */
        crypto_scalar_from_u32(n, lo);
        if (lo == 1)
            memcpy(lg, G, 32);
        else if (ref_mul(lg, n, NULL) != 0)
            return -1;
        if (crypto_core_ristretto255_sub(beta_m, beta, lg) != 0)
            return -1;
    }
    memset(sum, 0, sizeof sum);
    crypto_hash_b32(&h, Y);
    crypto_hash_b32(&h, alpha);
    crypto_hash_b32(&h, beta);
    for (i = 0; i <= hi - lo; i++) {
        if (i > 0 && crypto_core_ristretto255_sub(beta_m, beta_m, G) != 0)
            return -1;
        if (ref_lincomb(ab, pairs[i].s, NULL, pairs[i].c, alpha) != 0 ||
            ref_lincomb(ab + 32, pairs[i].s, Y, pairs[i].c, beta_m) != 0)
            return -1;
        crypto_hash_b32(&h, ab);
        crypto_hash_b32(&h, ab + 32);
        crypto_core_ristretto255_scalar_add(sum, sum, pairs[i].c);
    }
    if (crypto_hash_final_scalar(&h, c) != 0)
        return -1;
    return memcmp(c, sum, 32) == 0 ? 0 : -1;
}

int bench_reference_verify(const struct ballot *b, const struct record *rec)
{
    const unsigned char *fp = record_fingerprint(rec), *Y = record_public_key(rec);
    unsigned char alpha[32], beta[32];
    uint32_t j, m = ballot_choice_count(b);
    struct crypto_hash h;

    for (j = 0; j < m; j++) {
        crypto_hash_init(&h, CRYPTO_HS, "choice");
        crypto_hash_b32(&h, fp);
        crypto_hash_b32(&h, ballot_tag(b));
        crypto_hash_u32(&h, j);
        if (ref_interval(&h, Y, ballot_alpha(b, j), ballot_beta(b, j), 0, 1,
                         ballot_choice_proof(b, j)) != 0)
            return -1;
    }
    crypto_hash_init(&h, CRYPTO_HS, "sum");
    crypto_hash_b32(&h, fp);
    crypto_hash_b32(&h, ballot_tag(b));
    memcpy(alpha, ballot_alpha(b, 0), 32);
    memcpy(beta, ballot_beta(b, 0), 32);
    for (j = 0; j < m; j++) {
        crypto_hash_b32(&h, ballot_alpha(b, j));
        crypto_hash_b32(&h, ballot_beta(b, j));
        if (j > 0 && (crypto_core_ristretto255_add(alpha, alpha, ballot_alpha(b, j)) != 0 ||
                      crypto_core_ristretto255_add(beta, beta, ballot_beta(b, j)) != 0))
            return -1;
    }
    return ref_interval(&h, Y, alpha, beta, record_min(rec), record_max(rec),
                        ballot_sum_proof(b));
}
