/*
 * proof.c — Fiat–Shamir sigma proofs on ristretto255 (PROTOCOL §3, §4, §6),
 * and the two of the threshold addendum that share their form: a trustee's
 * identity proof (T2, as §3 under label "t-identity") and a trustee's
 * decryption share (T7, as §6 under "t-decrypt").
 *
 * Every challenge hashes the whole statement, all commitments and a context
 * (PROTOCOL §2); the callers of the interval proof pass the label and context
 * as a hash prefix. Verification is the cost centre of the whole server (one
 * ballot is several interval proofs): the verifiers recompute each
 * commitment s·P − c·Q in variable time (pubmul.h: libdecaf's table for G,
 * the poll's own table for Y), decoding α and β once per proof and walking
 * β − M·G from branch to branch in extended coordinates. Provers stay on
 * libsodium's constant-time code (proof_lincomb included: which branches a
 * prover simulates depends on the vote). Secrets (w, r, x) are wiped after
 * use.
 */
#include <string.h>

#include <sodium.h>

#include "proof.h"
#include "pubmul.h"

int proof_lincomb(unsigned char out[CRYPTO_BYTES], const unsigned char s[CRYPTO_BYTES],
                         const unsigned char *P, const unsigned char c[CRYPTO_BYTES],
                         const unsigned char Q[CRYPTO_BYTES])
{
    unsigned char sp[CRYPTO_BYTES], cq[CRYPTO_BYTES];

    if (P == NULL ? crypto_point_mul_base(sp, s) : crypto_point_mul(sp, s, P))
        return -1;
    if (crypto_point_mul(cq, c, Q) != 0)
        return -1;
    return crypto_point_sub(out, sp, cq);
}

void proof_response(unsigned char s[CRYPTO_BYTES], const unsigned char c[CRYPTO_BYTES],
                    const unsigned char x[CRYPTO_BYTES], const unsigned char w[CRYPTO_BYTES])
{
    unsigned char cx[CRYPTO_BYTES];

    crypto_core_ristretto255_scalar_mul(cx, c, x);
    crypto_core_ristretto255_scalar_add(s, cx, w);
    sodium_memzero(cx, sizeof cx);      /* with c, it gives x away */
}

/* beta_m = beta − lo·G, the point the first branch's b_0 refers to. */
static int proof_beta_start(unsigned char beta_m[CRYPTO_BYTES],
                            const unsigned char beta[CRYPTO_BYTES], uint32_t lo)
{
    unsigned char lg[CRYPTO_BYTES];

    if (lo == 0) {
        memcpy(beta_m, beta, CRYPTO_BYTES);
        return 0;
    }
    if (crypto_point_mul_base_u32(lg, lo) != 0)
        return -1;
    return crypto_point_sub(beta_m, beta, lg);
}

static void proof_absorb_statement(struct crypto_hash *h, const unsigned char Y[CRYPTO_BYTES],
                                   const unsigned char alpha[CRYPTO_BYTES],
                                   const unsigned char beta[CRYPTO_BYTES])
{
    crypto_hash_b32(h, Y);
    crypto_hash_b32(h, alpha);
    crypto_hash_b32(h, beta);
}

/* Branch i of a proof: simulated (c_i, s_i drawn) or real (w drawn). */
static int proof_prove_branch(const unsigned char Y[CRYPTO_BYTES],
                              const unsigned char alpha[CRYPTO_BYTES],
                              const unsigned char beta_m[CRYPTO_BYTES], int real,
                              const struct crypto_rng *rng, struct proof_pair *pair,
                              unsigned char w[CRYPTO_BYTES], unsigned char ab[2 * CRYPTO_BYTES])
{
    if (real) {
        /* PROTOCOL §4 step 2 */
        crypto_rng_scalar(rng, w);
        if (crypto_point_mul_base(ab, w) != 0 || crypto_point_mul(ab + CRYPTO_BYTES, w, Y) != 0)
            return -1;
        return 0;
    }
    /* PROTOCOL §4 step 1 */
    crypto_rng_scalar(rng, pair->c);
    crypto_rng_scalar(rng, pair->s);
    if (proof_lincomb(ab, pair->s, NULL, pair->c, alpha) != 0)
        return -1;
    return proof_lincomb(ab + CRYPTO_BYTES, pair->s, Y, pair->c, beta_m);
}

int proof_interval_prove(const struct crypto_hash *prefix, const unsigned char Y[CRYPTO_BYTES],
                         const unsigned char alpha[CRYPTO_BYTES],
                         const unsigned char beta[CRYPTO_BYTES], uint32_t lo, uint32_t hi,
                         uint32_t value, const unsigned char r[CRYPTO_BYTES],
                         const struct crypto_rng *rng, struct proof_pair *out,
                         unsigned char *commit)
{
    unsigned char beta_m[CRYPTO_BYTES], w[CRYPTO_BYTES], c[CRYPTO_BYTES];
    unsigned char others[CRYPTO_BYTES], ab[2 * CRYPTO_BYTES];
    struct crypto_hash h = *prefix;
    uint32_t i, real = value - lo;
    int rc = -1;

    memset(others, 0, sizeof others);
    if (lo > hi || hi - lo > PROTO_MAX_OPTIONS || value < lo || value > hi ||
        proof_beta_start(beta_m, beta, lo) != 0)
        goto out;
    proof_absorb_statement(&h, Y, alpha, beta);
    for (i = 0; i <= hi - lo; i++) {
        if (i > 0 && crypto_point_sub(beta_m, beta_m, crypto_point_base()) != 0)
            goto out;
        if (proof_prove_branch(Y, alpha, beta_m, i == real, rng, &out[i], w, ab) != 0)
            goto out;
        if (i != real)
            crypto_core_ristretto255_scalar_add(others, others, out[i].c);
        crypto_hash_b32(&h, ab);
        crypto_hash_b32(&h, ab + CRYPTO_BYTES);
        if (commit != NULL)
            memcpy(commit + (size_t)i * 2 * CRYPTO_BYTES, ab, sizeof ab);
    }
    /* PROTOCOL §4 steps 3 and 4 */
    if (crypto_hash_final_scalar(&h, c) != 0)
        goto out;
    crypto_core_ristretto255_scalar_sub(out[real].c, c, others);
    proof_response(out[real].s, out[real].c, r, w);
    rc = 0;
out:
    sodium_memzero(w, sizeof w);
    sodium_memzero(&h, sizeof h);
    return rc;
}

enum proto_reason proof_interval_verify_key(const struct crypto_hash *prefix,
                                            const struct pubmul_key *Y,
                                            const unsigned char alpha[CRYPTO_BYTES],
                                            const unsigned char beta[CRYPTO_BYTES],
                                            const struct group_point *alpha_pt,
                                            const struct group_point *beta_pt, uint32_t lo,
                                            uint32_t hi, const struct proof_pair *pairs,
                                            unsigned char *commit)
{
    unsigned char sum[CRYPTO_BYTES], c[CRYPTO_BYTES];
    unsigned char ab[(PROTO_MAX_OPTIONS + 1) * 2 * CRYPTO_BYTES];
    struct crypto_hash h = *prefix;
    struct group_point ap, bp;
    uint32_t i, n;

    if (lo > hi || hi - lo > PROTO_MAX_OPTIONS)
        return PROTO_INTERNAL;
    n = hi - lo + 1;
    for (i = 0; i < n; i++)
        if (crypto_scalar_check(pairs[i].c) != PROTO_OK ||
            crypto_scalar_check(pairs[i].s) != PROTO_OK)
            return PROTO_SCALAR;
    if (beta_pt == NULL) {
        if (group_decode(&bp, beta) != 0)
            return PROTO_POINT;
        beta_pt = &bp;
    }
    if (alpha_pt == NULL) {
        if (group_decode(&ap, alpha) != 0)
            return PROTO_POINT;
        alpha_pt = &ap;
    }
    /* a_i = s_i·G − c_i·α, b_i = s_i·Y − c_i·(β − M_i·G): all a_i, then
     * all b_i (the scalars are checked: neither can fail) */
    if (pubmul_base_n(ab, 2 * CRYPTO_BYTES, pairs[0].s, pairs[0].c, sizeof *pairs, n,
                      alpha_pt) != 0 ||
        pubmul_key_steps(ab + CRYPTO_BYTES, 2 * CRYPTO_BYTES, Y, pairs[0].s, pairs[0].c,
                         sizeof *pairs, n, beta_pt, lo) != 0)
        return PROTO_INTERNAL;
    memset(sum, 0, sizeof sum);
    proof_absorb_statement(&h, pubmul_key_point(Y), alpha, beta);
    for (i = 0; i < n; i++) {
        crypto_hash_b32(&h, ab + (size_t)i * 2 * CRYPTO_BYTES);
        crypto_hash_b32(&h, ab + (size_t)i * 2 * CRYPTO_BYTES + CRYPTO_BYTES);
        crypto_core_ristretto255_scalar_add(sum, sum, pairs[i].c);
    }
    if (commit != NULL)
        memcpy(commit, ab, (size_t)n * 2 * CRYPTO_BYTES);
    if (crypto_hash_final_scalar(&h, c) != 0)
        return PROTO_INTERNAL;
    return memcmp(c, sum, CRYPTO_BYTES) == 0 ? PROTO_OK : PROTO_PROOF;
}

enum proto_reason proof_interval_verify(const struct crypto_hash *prefix,
                                        const unsigned char Y[CRYPTO_BYTES],
                                        const unsigned char alpha[CRYPTO_BYTES],
                                        const unsigned char beta[CRYPTO_BYTES],
                                        uint32_t lo, uint32_t hi,
                                        const struct proof_pair *pairs, unsigned char *commit)
{
    struct pubmul_key *k = pubmul_key_new(Y);
    enum proto_reason why;

    if (k == NULL)
        return PROTO_INTERNAL;          /* the callers' Y is a valid point */
    why = proof_interval_verify_key(prefix, k, alpha, beta, NULL, NULL, lo, hi, pairs, commit);
    pubmul_key_free(k);
    return why;
}

/* c = Hs(label, str(id), u32(k), str(name), X, a): label "pok" (PROTOCOL §3)
 * or "t-identity" (PROTOCOL-threshold T2). */
static int proof_pok_challenge(const char *label, const char *id, size_t idlen, uint32_t k,
                               const char *name, size_t namelen,
                               const unsigned char X[CRYPTO_BYTES],
                               const unsigned char a[CRYPTO_BYTES], unsigned char c[CRYPTO_BYTES])
{
    struct crypto_hash h;

    crypto_hash_init(&h, CRYPTO_HS, label);
    crypto_hash_str(&h, id, idlen);
    crypto_hash_u32(&h, k);
    crypto_hash_str(&h, name, namelen);
    crypto_hash_b32(&h, X);
    crypto_hash_b32(&h, a);
    return crypto_hash_final_scalar(&h, c);
}

static int proof_pok_make(const char *label, const char *id, size_t idlen, uint32_t k,
                          const char *name, size_t namelen, const unsigned char x[CRYPTO_BYTES],
                          const unsigned char X[CRYPTO_BYTES], const struct crypto_rng *rng,
                          struct proof_pair *out)
{
    unsigned char w[CRYPTO_BYTES], a[CRYPTO_BYTES];
    int rc = -1;

    crypto_rng_scalar(rng, w);
    if (crypto_point_mul_base(a, w) != 0)
        goto out;
    if (proof_pok_challenge(label, id, idlen, k, name, namelen, X, a, out->c) != 0)
        goto out;
    proof_response(out->s, out->c, x, w);
    rc = 0;
out:
    sodium_memzero(w, sizeof w);
    return rc;
}

static enum proto_reason proof_pok_check(const char *label, const char *id, size_t idlen,
                                         uint32_t k, const char *name, size_t namelen,
                                         const unsigned char X[CRYPTO_BYTES],
                                         const struct proof_pair *pok)
{
    unsigned char a[CRYPTO_BYTES], c[CRYPTO_BYTES];

    if (pubmul_lincomb(a, pok->s, NULL, pok->c, X) != 0)
        return PROTO_INTERNAL;
    if (proof_pok_challenge(label, id, idlen, k, name, namelen, X, a, c) != 0)
        return PROTO_INTERNAL;
    return memcmp(c, pok->c, CRYPTO_BYTES) == 0 ? PROTO_OK : PROTO_PROOF;
}

int proof_pok_create(const char *id, size_t idlen, uint32_t k, const char *name, size_t namelen,
                     const unsigned char x[CRYPTO_BYTES], const unsigned char X[CRYPTO_BYTES],
                     const struct crypto_rng *rng, struct proof_pair *out)
{
    return proof_pok_make("pok", id, idlen, k, name, namelen, x, X, rng, out);
}

enum proto_reason proof_pok_verify(const char *id, size_t idlen, uint32_t k, const char *name,
                                   size_t namelen, const unsigned char X[CRYPTO_BYTES],
                                   const struct proof_pair *pok)
{
    return proof_pok_check("pok", id, idlen, k, name, namelen, X, pok);
}

int proof_identity_create(const char *id, size_t idlen, uint32_t i, const char *name,
                          size_t namelen, const unsigned char z[CRYPTO_BYTES],
                          const unsigned char Z[CRYPTO_BYTES], const struct crypto_rng *rng,
                          struct proof_pair *out)
{
    return proof_pok_make("t-identity", id, idlen, i, name, namelen, z, Z, rng, out);
}

enum proto_reason proof_identity_verify(const char *id, size_t idlen, uint32_t i,
                                        const char *name, size_t namelen,
                                        const unsigned char Z[CRYPTO_BYTES],
                                        const struct proof_pair *pok)
{
    return proof_pok_check("t-identity", id, idlen, i, name, namelen, Z, pok);
}

int proof_holder_keygen(const char *id, size_t idlen, uint32_t k, const char *name,
                        size_t namelen, const struct crypto_rng *rng,
                        unsigned char x[CRYPTO_BYTES], unsigned char X[CRYPTO_BYTES],
                        struct proof_pair *pok)
{
    crypto_rng_scalar_nonzero(rng, x);
    if (crypto_point_mul_base(X, x) != 0 ||
        proof_pok_create(id, idlen, k, name, namelen, x, X, rng, pok) != 0) {
        sodium_memzero(x, CRYPTO_BYTES);
        return -1;
    }
    return 0;
}

/* c = Hs(label, fingerprint, u32(k), X_k, u32(j), A_j, D_kj, a, b): label
 * "decrypt" (PROTOCOL §6) or "t-decrypt" (PROTOCOL-threshold T7). */
static int proof_share_challenge(const char *label, const unsigned char fp[CRYPTO_BYTES],
                                 uint32_t k,
                                 const unsigned char X[CRYPTO_BYTES], uint32_t j,
                                 const unsigned char A[CRYPTO_BYTES],
                                 const unsigned char D[CRYPTO_BYTES],
                                 const unsigned char ab[2 * CRYPTO_BYTES],
                                 unsigned char c[CRYPTO_BYTES])
{
    struct crypto_hash h;

    crypto_hash_init(&h, CRYPTO_HS, label);
    crypto_hash_b32(&h, fp);
    crypto_hash_u32(&h, k);
    crypto_hash_b32(&h, X);
    crypto_hash_u32(&h, j);
    crypto_hash_b32(&h, A);
    crypto_hash_b32(&h, D);
    crypto_hash_b32(&h, ab);
    crypto_hash_b32(&h, ab + CRYPTO_BYTES);
    return crypto_hash_final_scalar(&h, c);
}

static int proof_share_make(const char *label, const unsigned char fingerprint[CRYPTO_BYTES],
                            uint32_t k, const unsigned char X[CRYPTO_BYTES],
                            const unsigned char x[CRYPTO_BYTES], uint32_t j,
                            const unsigned char A[CRYPTO_BYTES], const struct crypto_rng *rng,
                            struct proof_share *out)
{
    unsigned char w[CRYPTO_BYTES], ab[2 * CRYPTO_BYTES];
    int rc = -1;

    crypto_rng_scalar(rng, w);
    if (crypto_point_mul(out->D, x, A) != 0)
        goto out;
    if (crypto_point_mul_base(ab, w) != 0 || crypto_point_mul(ab + CRYPTO_BYTES, w, A) != 0)
        goto out;
    if (proof_share_challenge(label, fingerprint, k, X, j, A, out->D, ab, out->c) != 0)
        goto out;
    proof_response(out->s, out->c, x, w);
    rc = 0;
out:
    sodium_memzero(w, sizeof w);
    return rc;
}

static enum proto_reason proof_share_check(const char *label,
                                           const unsigned char fingerprint[CRYPTO_BYTES],
                                           uint32_t k, const unsigned char X[CRYPTO_BYTES],
                                           uint32_t j, const unsigned char A[CRYPTO_BYTES],
                                           const struct proof_share *share)
{
    unsigned char ab[2 * CRYPTO_BYTES], c[CRYPTO_BYTES];

    /* a' = s·G − c·X, b' = s·A − c·D (A, D and both may be the identity) */
    if (pubmul_lincomb(ab, share->s, NULL, share->c, X) != 0 ||
        pubmul_lincomb(ab + CRYPTO_BYTES, share->s, A, share->c, share->D) != 0)
        return PROTO_INTERNAL;
    if (proof_share_challenge(label, fingerprint, k, X, j, A, share->D, ab, c) != 0)
        return PROTO_INTERNAL;
    return memcmp(c, share->c, CRYPTO_BYTES) == 0 ? PROTO_OK : PROTO_PROOF;
}

int proof_share_create(const unsigned char fingerprint[CRYPTO_BYTES], uint32_t k,
                       const unsigned char X[CRYPTO_BYTES], const unsigned char x[CRYPTO_BYTES],
                       uint32_t j, const unsigned char A[CRYPTO_BYTES],
                       const struct crypto_rng *rng, struct proof_share *out)
{
    return proof_share_make("decrypt", fingerprint, k, X, x, j, A, rng, out);
}

enum proto_reason proof_share_verify(const unsigned char fingerprint[CRYPTO_BYTES], uint32_t k,
                                     const unsigned char X[CRYPTO_BYTES], uint32_t j,
                                     const unsigned char A[CRYPTO_BYTES],
                                     const struct proof_share *share)
{
    return proof_share_check("decrypt", fingerprint, k, X, j, A, share);
}

int proof_tshare_create(const unsigned char fingerprint[CRYPTO_BYTES], uint32_t j,
                        const unsigned char X[CRYPTO_BYTES], const unsigned char x[CRYPTO_BYTES],
                        uint32_t o, const unsigned char A[CRYPTO_BYTES],
                        const struct crypto_rng *rng, struct proof_share *out)
{
    return proof_share_make("t-decrypt", fingerprint, j, X, x, o, A, rng, out);
}

enum proto_reason proof_tshare_verify(const unsigned char fingerprint[CRYPTO_BYTES], uint32_t j,
                                      const unsigned char X[CRYPTO_BYTES], uint32_t o,
                                      const unsigned char A[CRYPTO_BYTES],
                                      const struct proof_share *share)
{
    return proof_share_check("t-decrypt", fingerprint, j, X, o, A, share);
}
