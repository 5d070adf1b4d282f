/*
 * trustee.c — a trustee's secrets through the key ceremony
 * (PROTOCOL-threshold T2–T5): its identity key, its dealing, its verdict and
 * its key share.
 *
 * Every secret lives in a local buffer or the caller's and is wiped on
 * every path out: the polynomial and r_i once the dealing is made, each
 * K_ij, pad and opened share once used. Secret values only meet libsodium's
 * constant-time scalar and point arithmetic; branches depend on public
 * values (indices, whether a share is good, which a complaint reveals
 * anyway) only.
 */
#include <string.h>

#include <sodium.h>

#include "poly.h"
#include "proof_ceremony.h"
#include "trustee.h"

int trustee_identity_create(const char *id, size_t idlen, uint32_t i, const char *name,
                            size_t namelen, const struct crypto_rng *rng,
                            struct trustee_identity *out)
{
    /* T2: z non-zero, Z = z·G, then the proof's w */
    crypto_rng_scalar_nonzero(rng, out->z);
    if (crypto_point_mul_base(out->Z, out->z) != 0 ||
        proof_identity_create(id, idlen, i, name, namelen, out->z, out->Z, rng, &out->pok) != 0) {
        trustee_identity_wipe(out);
        return -1;
    }
    return 0;
}

void trustee_identity_wipe(struct trustee_identity *id)
{
    sodium_memzero(id, sizeof *id);
}

/* 1 if z·G is trustee i's identity key in c. */
static int trustee_owns(const struct ceremony *c, uint32_t i, const unsigned char z[CRYPTO_BYTES])
{
    const unsigned char *Z = ceremony_trustee_key(c, i);
    unsigned char P[CRYPTO_BYTES];

    return Z != NULL && crypto_point_mul_base(P, z) == 0 && memcmp(P, Z, CRYPTO_BYTES) == 0;
}

/*
 * TEST ONLY: CONCLAVE_TEST_BAD_SHARE_TO=J makes this dealer encrypt f_i(J)
 * with its lowest bit flipped to trustee J (a cheating dealer, signed as an
 * honest dealing would be), so that tests/integration/test_council.py can
 * check that J's complaint is upheld and the dealer left out of QUAL.
 * Compiled only into the test build (-DCONCLAVE_TEST: `conclave-test`,
 * Makefile); the production binary reads no such variable.
 */
#ifdef CONCLAVE_TEST
#include <stdlib.h>
static void trustee_test_cheat(uint32_t j, unsigned char f[CRYPTO_BYTES])
{
    const char *v = getenv("CONCLAVE_TEST_BAD_SHARE_TO");

    if (v != NULL && strtoul(v, NULL, 10) == j)
        f[0] ^= 1;
}
#else
static void trustee_test_cheat(uint32_t j, unsigned char f[CRYPTO_BYTES]) { (void)j; (void)f; }
#endif

/* The ciphertexts of a dealing: for each j ≠ i ascending, K = r·Z_j,
 * ct_ij = LE32(f_i(j)) ⊕ pad_ij. */
static int trustee_encrypt_shares(const struct ceremony *c, uint32_t i,
                                  const unsigned char (*a)[CRYPTO_BYTES],
                                  const unsigned char r[CRYPTO_BYTES],
                                  struct ceremony_dealing *out)
{
    unsigned char K[CRYPTO_BYTES], pad[CRYPTO_BYTES], f[CRYPTO_BYTES];
    uint32_t j, k = 0, b;
    int rc = -1;

    for (j = 1; j <= ceremony_n(c); j++) {
        if (j == i)
            continue;
        if (crypto_point_mul(K, r, ceremony_trustee_key(c, j)) != 0 ||
            ceremony_share_pad(c, i, j, out->R, K, pad) != 0)
            goto out;
        poly_eval(a, out->t, j, f);
        trustee_test_cheat(j, f);
        out->to[k] = j;
        for (b = 0; b < CRYPTO_BYTES; b++)
            out->ct[k][b] = (unsigned char)(f[b] ^ pad[b]);
        k++;
    }
    out->nshares = k;
    rc = 0;
out:
    sodium_memzero(K, sizeof K);
    sodium_memzero(pad, sizeof pad);
    sodium_memzero(f, sizeof f);
    return rc;
}

static int trustee_prove_dealing(const struct ceremony *c, const unsigned char z[CRYPTO_BYTES],
                                 const unsigned char a0[CRYPTO_BYTES],
                                 const unsigned char r[CRYPTO_BYTES],
                                 const struct crypto_rng *rng, struct ceremony_dealing *out)
{
    struct proof_dealing_statement st;

    st.setup_digest = ceremony_setup_digest(c);
    st.dealer = out->dealer;
    st.Z = ceremony_trustee_key(c, out->dealer);
    st.C = (const unsigned char (*)[CRYPTO_BYTES])out->C;
    st.t = out->t;
    st.R = out->R;
    st.to = out->to;
    st.ct = (const unsigned char (*)[CRYPTO_BYTES])out->ct;
    st.nshares = out->nshares;
    return proof_dealing_create(&st, z, a0, r, rng, &out->proof, NULL);
}

int trustee_deal(const struct ceremony *c, uint32_t i, const unsigned char z[CRYPTO_BYTES],
                 const struct crypto_rng *rng, struct ceremony_dealing *out,
                 unsigned char own_share[CRYPTO_BYTES])
{
    unsigned char a[PROTO_MAX_TRUSTEES][CRYPTO_BYTES], r[CRYPTO_BYTES];
    uint32_t k, t = ceremony_t(c);
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (ceremony_dealings_digest(c) != NULL || !trustee_owns(c, i, z))
        return -1;
    /* T3: a_{i,0} non-zero, a_{i,1} .. a_{i,t−1}, then r_i non-zero */
    crypto_rng_scalar_nonzero(rng, a[0]);
    for (k = 1; k < t; k++)
        crypto_rng_scalar(rng, a[k]);
    crypto_rng_scalar_nonzero(rng, r);
    out->dealer = i;
    out->t = t;
    for (k = 0; k < t; k++)
        if (crypto_point_mul_base(out->C[k], a[k]) != 0)
            goto out;
    if (crypto_point_mul_base(out->R, r) != 0 ||
        trustee_encrypt_shares(c, i, (const unsigned char (*)[CRYPTO_BYTES])a, r, out) != 0 ||
        trustee_prove_dealing(c, z, a[0], r, rng, out) != 0)
        goto out;
    poly_eval((const unsigned char (*)[CRYPTO_BYTES])a, t, i, own_share);
    rc = 0;
out:
    sodium_memzero(a, sizeof a);
    sodium_memzero(r, sizeof r);
    if (rc != 0)
        memset(out, 0, sizeof *out);
    return rc;
}

/* 1 if the two dealings are the same message. */
static int trustee_same_dealing(const struct ceremony_dealing *x, const struct ceremony_dealing *y)
{
    return x->dealer == y->dealer && x->t == y->t && x->nshares == y->nshares &&
           x->t <= PROTO_MAX_TRUSTEES && x->nshares <= PROTO_MAX_TRUSTEES &&
           memcmp(x->C, y->C, (size_t)x->t * CRYPTO_BYTES) == 0 &&
           memcmp(x->R, y->R, CRYPTO_BYTES) == 0 &&
           memcmp(x->to, y->to, (size_t)x->nshares * sizeof x->to[0]) == 0 &&
           memcmp(x->ct, y->ct, (size_t)x->nshares * CRYPTO_BYTES) == 0 &&
           memcmp(&x->proof, &y->proof, sizeof x->proof) == 0;
}

/* T4: the complaints — for each other dealer, K = z·R_i opens the share;
 * a share that is not good is complained about with K. */
static int trustee_find_complaints(const struct ceremony *c, uint32_t j,
                                   const unsigned char z[CRYPTO_BYTES],
                                   struct ceremony_verdict *out)
{
    unsigned char K[CRYPTO_BYTES], u[CRYPTO_BYTES];
    const struct ceremony_dealing *d;
    uint32_t i;
    int rc = -1;

    for (i = 1; i <= ceremony_n(c); i++) {
        if (i == j || (d = ceremony_dealing_of(c, i)) == NULL)
            continue;
        if (crypto_point_mul(K, z, d->R) != 0 || ceremony_share_open(c, i, j, K, u) != 0)
            goto out;
        if (!ceremony_share_good(c, i, j, u)) {
            out->complaints[out->q].dealer = i;
            memcpy(out->complaints[out->q].K, K, CRYPTO_BYTES);
            out->q++;
        }
    }
    rc = 0;
out:
    sodium_memzero(K, sizeof K);
    sodium_memzero(u, sizeof u);
    return rc;
}

static int trustee_prove_verdict(const struct ceremony *c, const unsigned char z[CRYPTO_BYTES],
                                 const struct crypto_rng *rng, struct ceremony_verdict *out)
{
    const unsigned char *R[PROTO_MAX_TRUSTEES], *K[PROTO_MAX_TRUSTEES];
    uint32_t dealers[PROTO_MAX_TRUSTEES], k;
    struct proof_verdict_statement st;

    for (k = 0; k < out->q; k++) {
        dealers[k] = out->complaints[k].dealer;
        R[k] = ceremony_dealing_of(c, dealers[k])->R;
        K[k] = out->complaints[k].K;
    }
    st.setup_digest = ceremony_setup_digest(c);
    st.dealings_digest = out->dealings;
    st.trustee = out->trustee;
    st.Z = ceremony_trustee_key(c, out->trustee);
    st.q = out->q;
    st.dealers = dealers;
    st.R = R;
    st.K = K;
    return proof_verdict_create(&st, z, rng, &out->proof, NULL);
}

enum proto_reason trustee_verdict(const struct ceremony *c, uint32_t j,
                                  const unsigned char z[CRYPTO_BYTES],
                                  const struct ceremony_dealing *own,
                                  const struct crypto_rng *rng, struct ceremony_verdict *out)
{
    const struct ceremony_dealing *mine = ceremony_dealing_of(c, j);

    memset(out, 0, sizeof *out);
    if (ceremony_dealings_digest(c) == NULL || !trustee_owns(c, j, z))
        return PROTO_VALUE;
    if (own != NULL && (mine == NULL || !trustee_same_dealing(own, mine)))
        return PROTO_DEALINGS;          /* the board lost or changed our dealing */
    out->trustee = j;
    memcpy(out->dealings, ceremony_dealings_digest(c), CRYPTO_BYTES);
    if (trustee_find_complaints(c, j, z, out) != 0 || trustee_prove_verdict(c, z, rng, out) != 0) {
        sodium_memzero(out, sizeof *out);
        return PROTO_INTERNAL;
    }
    return PROTO_OK;
}

enum proto_reason trustee_key_share(const struct ceremony *c, uint32_t j,
                                    const unsigned char z[CRYPTO_BYTES],
                                    const unsigned char own_share[CRYPTO_BYTES],
                                    unsigned char x[CRYPTO_BYTES])
{
    unsigned char K[CRYPTO_BYTES], u[CRYPTO_BYTES], X[CRYPTO_BYTES];
    enum proto_reason why = PROTO_INTERNAL;
    uint32_t k, i;

    if (!ceremony_is_complete(c) || !ceremony_in_qual(c, j))
        return PROTO_VALUE;             /* T5: outside QUAL, no key */
    memcpy(x, own_share, CRYPTO_BYTES);
    for (k = 0; k < ceremony_qual_count(c); k++) {
        if ((i = ceremony_qual_member(c, k)) == j)
            continue;
        if (crypto_point_mul(K, z, ceremony_dealing_of(c, i)->R) != 0 ||
            ceremony_share_open(c, i, j, K, u) != 0)
            goto out;
        crypto_core_ristretto255_scalar_add(x, x, u);
    }
    why = PROTO_PROOF;                  /* T5: x_j·G = X_j */
    if (crypto_point_mul_base(X, x) == 0 &&
        memcmp(X, ceremony_verification_key(c, j), CRYPTO_BYTES) == 0)
        why = PROTO_OK;
out:
    sodium_memzero(K, sizeof K);
    sodium_memzero(u, sizeof u);
    if (why != PROTO_OK)
        sodium_memzero(x, CRYPTO_BYTES);
    return why;
}
