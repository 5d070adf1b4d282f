/*
 * test_proof.c — proofs of knowledge (pok.json), interval proofs (every branch
 * of every proof in ballots.json: draws, commitments, hash inputs,
 * challenges, responses) and decryption share proofs (tally.json), made by
 * replaying the vectors' rng streams and verified, plus tampered variants.
 */
#include <sodium.h>

#include "harness.h"
#include "vectors.h"

#include "proof.h"
#include "pubmul.h"

static void test_pok_holder(const json_t *h, const char *id)
{
    const char *name = vec_str(h, "name");
    uint32_t k = (uint32_t)vec_int(h, "k");
    unsigned char x[32], X[32], w[32], a[32], c[32], tap[512];
    struct crypto_rng_stream st;
    struct crypto_rng rng = vec_rng(&st, vec_str(h, "rng_seed"));
    struct proof_pair pok, bad;
    struct crypto_hash hh;

    CHECK_EQ_INT(proof_holder_keygen(id, strlen(id), k, name, strlen(name), &rng, x, X, &pok), 0,
                 "keygen");
    CHECK(vec_eq(h, "x", x, 32) && vec_eq(h, "X", X, 32), "x and X from the stream");
    CHECK(vec_eq(h, "c", pok.c, 32) && vec_eq(h, "s", pok.s, 32), "pok c and s");
    /* replay: x, then w; a = w·G; the framed challenge input */
    rng = vec_rng(&st, vec_str(h, "rng_seed"));
    crypto_rng_scalar_nonzero(&rng, x);
    crypto_rng_scalar(&rng, w);
    CHECK(vec_eq(h, "w", w, 32), "w is the second draw");
    CHECK(crypto_point_mul_base(a, w) == 0 && vec_eq(h, "a", a, 32), "a = w·G");
    crypto_hash_init_tap(&hh, CRYPTO_HS, "pok", tap, sizeof tap);
    crypto_hash_str(&hh, id, strlen(id));
    crypto_hash_u32(&hh, k);
    crypto_hash_str(&hh, name, strlen(name));
    crypto_hash_b32(&hh, X);
    crypto_hash_b32(&hh, a);
    CHECK(vec_eq_blob(h, "hash_input", tap, hh.tap_len), "pok hash input");
    CHECK(crypto_hash_final_scalar(&hh, c) == 0 && vec_eq(h, "c", c, 32), "pok challenge");
    CHECK_EQ_INT(proof_pok_verify(id, strlen(id), k, name, strlen(name), X, &pok), PROTO_OK,
                 "pok verifies");
    CHECK_EQ_INT(proof_pok_verify(id, strlen(id), k + 1, name, strlen(name), X, &pok), PROTO_PROOF,
                 "pok bound to k");
    CHECK_EQ_INT(proof_pok_verify("other", 5, k, name, strlen(name), X, &pok), PROTO_PROOF,
                 "pok bound to the poll id");
    CHECK_EQ_INT(proof_pok_verify(id, strlen(id), k, "x", 1, X, &pok), PROTO_PROOF,
                 "pok bound to the name");
    bad = pok;
    bad.s[0] ^= 1;
    CHECK_EQ_INT(proof_pok_verify(id, strlen(id), k, name, strlen(name), X, &bad), PROTO_PROOF,
                 "pok with a flipped s fails");
    sodium_memzero(x, sizeof x);
}

static void test_pok(void)
{
    json_t *root = vec_load("pok.json"), *polls = vec_at(root, "polls");
    size_t i, j;

    CHECK_EQ_INT(json_array_size(polls), 2, "pok.json has 2 polls");
    for (i = 0; i < json_array_size(polls); i++) {
        json_t *p = json_array_get(polls, i), *hs = vec_at(p, "holders");

        for (j = 0; j < json_array_size(hs); j++)
            test_pok_holder(json_array_get(hs, j), vec_str(p, "poll_id"));
    }
    json_decref(root);
}

/* Checks one proof trace of ballots.json against prove and verify. */
static void check_interval(const json_t *tr, const struct crypto_hash *prefix, const unsigned char *Y,
                           const unsigned char r[32], const struct crypto_rng *rng)
{
    uint32_t lo = (uint32_t)vec_int(tr, "lo"), hi = (uint32_t)vec_int(tr, "hi");
    uint32_t value = lo + (uint32_t)vec_int(tr, "real_index"), i, n = hi - lo + 1;
    unsigned char alpha[32], beta[32], commit[8 * 64], check[8 * 64], c[32];
    struct proof_pair pairs[8];
    const json_t *br = vec_at(tr, "branches");
    struct crypto_hash h = *prefix;
    char path[64];

    CHECK(n <= 8 && json_array_size(br) == n, "branch count");
    CHECK(vec_bytes(tr, "alpha", alpha, 32) == 0 && vec_bytes(tr, "beta", beta, 32) == 0,
          "statement");
    CHECK_EQ_INT(proof_interval_prove(prefix, Y, alpha, beta, lo, hi, value, r, rng, pairs, commit),
                 0, "prove");
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof path, "branches[%u]", (unsigned)i);
        CHECK(vec_eq(vec_at(tr, path), "c", pairs[i].c, 32), "branch c");
        CHECK(vec_eq(vec_at(tr, path), "s", pairs[i].s, 32), "branch s");
        CHECK(vec_eq(vec_at(tr, path), "a", commit + 64 * i, 32), "branch a");
        CHECK(vec_eq(vec_at(tr, path), "b", commit + 64 * i + 32, 32), "branch b");
    }
    CHECK_EQ_INT(proof_interval_verify(prefix, Y, alpha, beta, lo, hi, pairs, check), PROTO_OK,
                 "the proof verifies");
    CHECK_EQ_HEX(commit, check, 64 * n, "verifier recomputes the commitments");
    /* the framed challenge input: prefix, Y, α, β, a_0, b_0, ... */
    crypto_hash_b32(&h, Y);
    crypto_hash_b32(&h, alpha);
    crypto_hash_b32(&h, beta);
    for (i = 0; i < 2 * n; i++)
        crypto_hash_b32(&h, commit + 32 * i);
    CHECK(vec_eq_blob(tr, "hash_input", h.tap, h.tap_len), "challenge hash input");
    CHECK(crypto_hash_final_scalar(&h, c) == 0 && vec_eq(tr, "challenge", c, 32), "challenge");
    pairs[0].c[0] ^= 1;
    CHECK_EQ_INT(proof_interval_verify(prefix, Y, alpha, beta, lo, hi, pairs, NULL), PROTO_PROOF,
                 "flipped c fails");
    pairs[0].c[0] ^= 1;
    if (hi > lo) {
        CHECK_EQ_INT(proof_interval_verify(prefix, Y, alpha, beta, lo + 1, hi + 1, pairs, NULL),
                     PROTO_PROOF, "shifted interval fails");
    }
}

static void prefix_choice(struct crypto_hash *h, const unsigned char *fp, const unsigned char *tag,
                          uint32_t j, unsigned char *tap, size_t cap)
{
    crypto_hash_init_tap(h, CRYPTO_HS, "choice", tap, cap);
    crypto_hash_b32(h, fp);
    crypto_hash_b32(h, tag);
    crypto_hash_u32(h, j);
}

/* Replays one ballot's stream through the proof layer. */
static void test_ballot_proofs(const json_t *b)
{
    struct record *rec = vec_record(vec_str(b, "poll"));
    unsigned char rho[32], tag[32], r[8][32], rsum[32], tap[4096];
    struct crypto_rng_stream st;
    struct crypto_rng rng = vec_rng(&st, vec_str(b, "rng_seed"));
    uint32_t m, j;
    struct crypto_hash h;
    char path[64];

    CHECK(rec != NULL, "poll record of the ballot");
    if (rec == NULL)
        return;
    m = record_option_count(rec);
    crypto_rng_bytes(&rng, rho, 32);
    CHECK(vec_eq(b, "rho", rho, 32), "rho is the first draw");
    CHECK_EQ_INT(vec_bytes(b, "tag", tag, 32), 0, "tag");
    memset(rsum, 0, sizeof rsum);
    for (j = 0; j < m; j++) {
        crypto_rng_scalar_nonzero(&rng, r[j]);
        snprintf(path, sizeof path, "choices[%u].r", (unsigned)j);
        CHECK(vec_eq(b, path, r[j], 32), "r_j draws");
        crypto_core_ristretto255_scalar_add(rsum, rsum, r[j]);
    }
    for (j = 0; j < m; j++) {
        snprintf(path, sizeof path, "choices[%u].proof", (unsigned)j);
        prefix_choice(&h, record_fingerprint(rec), tag, j, tap, sizeof tap);
        check_interval(vec_at(b, path), &h, record_public_key(rec), r[j], &rng);
    }
    CHECK(vec_eq(b, "sum.r", rsum, 32), "r = Σ r_j");
    crypto_hash_init_tap(&h, CRYPTO_HS, "sum", tap, sizeof tap);
    crypto_hash_b32(&h, record_fingerprint(rec));
    crypto_hash_b32(&h, tag);
    for (j = 0; j < m; j++) {
        unsigned char ab[32];

        snprintf(path, sizeof path, "choices[%u].alpha", (unsigned)j);
        CHECK_EQ_INT(vec_bytes(b, path, ab, 32), 0, "alpha_j");
        crypto_hash_b32(&h, ab);
        snprintf(path, sizeof path, "choices[%u].beta", (unsigned)j);
        CHECK_EQ_INT(vec_bytes(b, path, ab, 32), 0, "beta_j");
        crypto_hash_b32(&h, ab);
    }
    check_interval(vec_at(b, "sum.proof"), &h, record_public_key(rec), rsum, &rng);
    record_free(rec);
}

static void test_intervals(void)
{
    json_t *root = vec_load("ballots.json"), *bs = vec_at(root, "ballots");
    size_t i;

    for (i = 0; i < json_array_size(bs); i++)
        test_ballot_proofs(json_array_get(bs, i));
    test_ballot_proofs(vec_at(root, "replacement"));
    json_decref(root);
}

static void check_share(const json_t *sh, const unsigned char *fp, const unsigned char *x,
                        const struct crypto_rng *rng)
{
    uint32_t k = (uint32_t)vec_int(sh, "k"), j = (uint32_t)vec_int(sh, "j");
    unsigned char X[32], A[32], w[32], ab[64], tap[1024], c[32];
    struct proof_share out, bad;
    struct crypto_hash h;

    CHECK(vec_bytes(sh, "X", X, 32) == 0 && vec_bytes(sh, "A", A, 32) == 0, "share statement");
    CHECK_EQ_INT(proof_share_create(fp, k, X, x, j, A, rng, &out), 0, "share create");
    CHECK(vec_eq(sh, "D", out.D, 32) && vec_eq(sh, "c", out.c, 32) && vec_eq(sh, "s", out.s, 32),
          "share D, c, s");
    CHECK_EQ_INT(vec_bytes(sh, "w", w, 32), 0, "share w");
    CHECK(crypto_point_mul_base(ab, w) == 0 && vec_eq(sh, "a", ab, 32), "a = w·G");
    CHECK(crypto_point_mul(ab + 32, w, A) == 0 && vec_eq(sh, "b", ab + 32, 32), "b = w·A");
    crypto_hash_init_tap(&h, CRYPTO_HS, "decrypt", tap, sizeof tap);
    crypto_hash_b32(&h, fp);
    crypto_hash_u32(&h, k);
    crypto_hash_b32(&h, X);
    crypto_hash_u32(&h, j);
    crypto_hash_b32(&h, A);
    crypto_hash_b32(&h, out.D);
    crypto_hash_b32(&h, ab);
    crypto_hash_b32(&h, ab + 32);
    CHECK(vec_eq_blob(sh, "hash_input", tap, h.tap_len), "decrypt hash input");
    CHECK(crypto_hash_final_scalar(&h, c) == 0 && memcmp(c, out.c, 32) == 0, "decrypt challenge");
    CHECK_EQ_INT(proof_share_verify(fp, k, X, j, A, &out), PROTO_OK, "share verifies");
    CHECK_EQ_INT(proof_share_verify(fp, k, X, j + 1, A, &out), PROTO_PROOF, "share bound to j");
    bad = out;
    bad.D[0] ^= 2;
    CHECK(crypto_point_check(bad.D) != PROTO_OK ||
          proof_share_verify(fp, k, X, j, A, &bad) == PROTO_PROOF, "altered D fails");
    bad = out;
    bad.s[3] ^= 1;
    CHECK_EQ_INT(proof_share_verify(fp, k, X, j, A, &bad), PROTO_PROOF, "altered s fails");
}

static void test_shares(void)
{
    json_t *root = vec_load("tally.json"), *els = vec_at(root, "elections");
    size_t i, n;

    for (i = 0; i < json_array_size(els); i++) {
        json_t *e = json_array_get(els, i), *shares = vec_at(e, "shares");
        struct crypto_rng_stream st;
        struct crypto_rng rng = vec_rng(&st, vec_str(e, "shares_rng_seed"));
        struct record *rec = NULL;

        CHECK_EQ_INT(record_from_json(vec_at(e, "poll"), &rec), PROTO_OK, "election record");
        if (rec == NULL)
            continue;
        for (n = 0; n < json_array_size(shares); n++) {
            json_t *sh = json_array_get(shares, n);
            unsigned char x[32];
            char path[64];

            snprintf(path, sizeof path, "holder_secrets[%lld].x", vec_int(sh, "k"));
            CHECK_EQ_INT(vec_bytes(e, path, x, 32), 0, "holder secret");
            check_share(sh, record_fingerprint(rec), x, &rng);
        }
        record_free(rec);
    }
    json_decref(root);
}

/* A rng whose first draw is zeros (a simulated branch's c_i = 0), then libsodium's. */
static void zero_first_fill(void *ctx, unsigned char *buf, size_t len)
{
    int *draws = ctx;

    if ((*draws)++ == 0)
        memset(buf, 0, len);
    else
        randombytes_buf(buf, len);
}

/* Issue 20: the variable-time verifier on edge values a prover may send: a
 * branch with c_i = 0 (libdecaf 1.0.2's base double multiplication gets that
 * wrong: tests/test_pubmul.c), scalars >= l, and the key's table against the
 * plain bytes form. */
static void test_interval_edges(void)
{
    unsigned char Y[32], r[32], alpha[32], beta[32], commit[2 * 64], commit2[2 * 64];
    static const unsigned char l[32] = {
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
        0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
    struct proof_pair pairs[2], bad[2];
    struct crypto_hash h;
    struct pubmul_key *k;
    int draws = 0;
    struct crypto_rng rng = { zero_first_fill, &draws };

    crypto_core_ristretto255_random(Y);
    crypto_core_ristretto255_scalar_random(r);
    CHECK_EQ_INT(crypto_point_mul_base(alpha, r), 0);
    CHECK_EQ_INT(crypto_point_mul(beta, r, Y), 0);
    CHECK_EQ_INT(crypto_point_add(beta, beta, crypto_point_base()), 0, "β = r·Y + G (a yes)");
    crypto_hash_init(&h, CRYPTO_HS, "choice");
    CHECK_EQ_INT(proof_interval_prove(&h, Y, alpha, beta, 0, 1, 1, r, &rng, pairs, commit), 0);
    CHECK(sodium_is_zero(pairs[0].c, 32), "the simulated branch has c_0 = 0");
    CHECK_EQ_INT(proof_interval_verify(&h, Y, alpha, beta, 0, 1, pairs, commit2), PROTO_OK,
                 "a proof with c_0 = 0 verifies");
    CHECK_EQ_HEX(commit2, commit, sizeof commit, "the verifier recomputes the prover's commitments");
    k = pubmul_key_new(Y);
    CHECK(k != NULL, "Y's table");
    CHECK_EQ_INT(proof_interval_verify_key(&h, k, alpha, beta, NULL, NULL, 0, 1, pairs, NULL),
                 PROTO_OK, "the same with the poll's table");
    memcpy(bad, pairs, sizeof bad);
    memcpy(bad[1].s, l, 32);
    CHECK_EQ_INT(proof_interval_verify_key(&h, k, alpha, beta, NULL, NULL, 0, 1, bad, NULL),
                 PROTO_SCALAR, "s = l: refused as a scalar");
    memcpy(bad, pairs, sizeof bad);
    bad[0].c[0] = 1;
    CHECK_EQ_INT(proof_interval_verify_key(&h, k, alpha, beta, NULL, NULL, 0, 1, bad, NULL),
                 PROTO_PROOF, "c_0 changed: the proof fails");
    pubmul_key_free(k);
}

int main(void)
{
    if (crypto_init() != 0)
        return 1;
    test_pok();
    test_intervals();
    test_shares();
    test_interval_edges();
    TEST_MAIN_END("test_proof");
}
