/*
 * test_ceremony.c — the trustees' key ceremony (PROTOCOL-threshold T2–T5)
 * against tests/vectors/threshold/ceremony.json, byte for byte, both sides:
 * every trustee's identity key, dealing, verdict and key share replayed
 * from the vectors' streams (trustee.h), and the bulletin board's checks,
 * digests, judged complaints, QUAL and keys (ceremony.h); then every
 * "ceremony" case of invalid.json with its code, and message-level
 * rejections the vectors do not cover.
 */
#include "harness.h"
#include "vectors.h"

#include "ceremony.h"
#include "poly.h"
#include "proof_ceremony.h"
#include "trustee.h"
#include "sjson.h"

#define N_TRUSTEES 5

struct vec_ceremony {
    json_t *root, *tr, *trace;
    struct trustee_identity id[N_TRUSTEES + 1];         /* 1-based */
    unsigned char own[N_TRUSTEES + 1][32];              /* f_i(i) */
    struct ceremony_dealing dealing[N_TRUSTEES + 1];
    struct ceremony *c;
};

static void check_eq(const char *what, const char *want, const char *got)
{
    CHECK(want != NULL && got != NULL && strcmp(want, got) == 0, what);
    if (want == NULL || got == NULL || strcmp(want, got) != 0)
        fprintf(stderr, "  %s:\n    want %.300s\n    got  %.300s\n", what,
                want ? want : "(null)", got ? got : "(null)");
}

/* T2: identity keys from streams identity/<i>, and the setup. */
static void test_identities(struct vec_ceremony *v)
{
    struct ceremony_identity reg[N_TRUSTEES];
    struct crypto_rng_stream st;
    char name[64], path[128], *text, *want;
    const char *id = vec_str(v->tr, "id");
    struct crypto_rng rng;
    size_t len;
    uint32_t i;

    for (i = 1; i <= N_TRUSTEES; i++) {
        const char *nm;

        snprintf(path, sizeof path, "trustees[%u].name", i - 1);
        nm = vec_str(v->tr, path);
        snprintf(name, sizeof name, "identity/%u", i);
        rng = vec_trng(&st, name);
        CHECK(trustee_identity_create(id, strlen(id), i, nm, strlen(nm), &rng, &v->id[i]) == 0,
              "trustee_identity_create");
        snprintf(path, sizeof path, "trustees[%u].z", i - 1);
        CHECK(vec_eq(v->trace, path, v->id[i].z, 32), "z_i");
        snprintf(path, sizeof path, "trustees[%u].identity_key", i - 1);
        CHECK(vec_eq(v->tr, path, v->id[i].Z, 32), "Z_i");
        snprintf(path, sizeof path, "trustees[%u].pok.c", i - 1);
        CHECK(vec_eq(v->tr, path, v->id[i].pok.c, 32), "identity proof c");
        snprintf(path, sizeof path, "trustees[%u].pok.s", i - 1);
        CHECK(vec_eq(v->tr, path, v->id[i].pok.s, 32), "identity proof s");
        reg[i - 1].name = nm;
        reg[i - 1].name_len = strlen(nm);
        memcpy(reg[i - 1].Z, v->id[i].Z, 32);
        reg[i - 1].pok = v->id[i].pok;
        CHECK(ceremony_identity_check(id, strlen(id), i, &reg[i - 1]) == PROTO_OK,
              "a registration checks");
    }
    CHECK(ceremony_create(id, strlen(id), 3, reg, N_TRUSTEES, &v->c) == PROTO_OK, "setup");
    if (v->c == NULL)
        return;
    CHECK(vec_eq(v->trace, "setup_digest", ceremony_setup_digest(v->c), 32), "setup_digest");
    /* the setup's JSON: the transcript's first three members */
    text = ceremony_setup_serialize(v->c, 0, &len);
    want = vec_compact(v->tr);
    CHECK(text != NULL && want != NULL && strncmp(want, text, len - 1) == 0 &&
          want[len - 1] == ',', "setup JSON is the transcript's prefix");
    free(text);
    free(want);
}

/* Trace checks of one dealing's shares: f_i(j), K, pad, ct. */
static void test_dealing_trace(struct vec_ceremony *v, uint32_t i, const json_t *tr)
{
    unsigned char a[3][32], r[32], f[32], K[32], pad[32];
    char path[96];
    uint32_t k;

    for (k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "coefficients[%u]", k);
        CHECK(vec_bytes(tr, path, a[k], 32) == 0, "coefficient");
    }
    CHECK(vec_bytes(tr, "r", r, 32) == 0, "r");
    for (k = 0; k < N_TRUSTEES - 1; k++) {
        uint32_t j = (uint32_t)vec_int(tr, (snprintf(path, sizeof path, "shares[%u].to", k), path));

        poly_eval((const unsigned char (*)[32])a, 3, j, f);
        snprintf(path, sizeof path, "shares[%u].f_of_j", k);
        CHECK(vec_eq(tr, path, f, 32), "f_i(j)");
        CHECK(crypto_point_mul(K, r, ceremony_trustee_key(v->c, j)) == 0, "K = r·Z_j");
        snprintf(path, sizeof path, "shares[%u].K", k);
        CHECK(vec_eq(tr, path, K, 32), "K_ij");
        CHECK(ceremony_share_pad(v->c, i, j, v->dealing[i].R, K, pad) == 0, "pad");
        snprintf(path, sizeof path, "shares[%u].pad", k);
        CHECK(vec_eq(tr, path, pad, 32), "pad_ij");
        snprintf(path, sizeof path, "shares[%u].valid", k);
        if (!json_is_true(vec_at(tr, path)))
            continue;                   /* the cheat's share: test_cheat */
        snprintf(path, sizeof path, "shares[%u].ct", k);
        CHECK(vec_eq(tr, path, v->dealing[i].ct[k], 32), "ct_ij");
    }
}

/* The cheating dealer of the vectors: f_4(2) + 1 for trustee 2, made from
 * the building blocks (a dealer's own code never cheats). */
static void test_cheat(struct vec_ceremony *v, uint32_t i, const json_t *tr)
{
    struct ceremony_dealing *d = &v->dealing[i];
    struct proof_dealing_statement st;
    struct crypto_rng_stream s;
    struct crypto_rng rng;
    unsigned char a0[32], r[32], plain[32], K[32], pad[32], commit[96];
    char name[32];
    uint32_t b, k = 1;          /* trustee 2 is the second recipient of dealer 4 */

    CHECK(vec_bytes(tr, "coefficients[0]", a0, 32) == 0 && vec_bytes(tr, "r", r, 32) == 0,
          "a_0, r");
    CHECK(vec_bytes(tr, "shares[1].plaintext", plain, 32) == 0 && d->to[k] == 2, "plaintext");
    CHECK(crypto_point_mul(K, r, ceremony_trustee_key(v->c, 2)) == 0 &&
          ceremony_share_pad(v->c, i, 2, d->R, K, pad) == 0, "pad to 2");
    for (b = 0; b < 32; b++)
        d->ct[k][b] = (unsigned char)(plain[b] ^ pad[b]);
    CHECK(vec_eq(tr, "shares[1].ct", d->ct[k], 32), "the cheat's ct");
    snprintf(name, sizeof name, "dealing/%u", i);
    rng = vec_trng(&s, name);
    for (b = 0; b < 4; b++)     /* a_0, a_1, a_2, r: none is zero in this stream */
        crypto_rng_scalar(&rng, K);
    st.setup_digest = ceremony_setup_digest(v->c);
    st.dealer = i;
    st.Z = ceremony_trustee_key(v->c, i);
    st.C = (const unsigned char (*)[32])d->C;
    st.t = d->t;
    st.R = d->R;
    st.to = d->to;
    st.ct = (const unsigned char (*)[32])d->ct;
    st.nshares = d->nshares;
    CHECK(proof_dealing_create(&st, v->id[i].z, a0, r, &rng, &d->proof, commit) == 0,
          "cheating dealing's proof");
    CHECK(vec_eq(tr, "proof.a_id", commit, 32) && vec_eq(tr, "proof.a_poly", commit + 32, 32) &&
          vec_eq(tr, "proof.a_eph", commit + 64, 32), "dealing proof commitments");
}

/* T3: every dealing from stream dealing/<i>. */
static void test_dealings(struct vec_ceremony *v)
{
    struct crypto_rng_stream st;
    struct crypto_rng rng;
    char name[32], path[64], *text, *want;
    size_t len;
    uint32_t i;

    for (i = 1; i <= N_TRUSTEES; i++) {
        const json_t *tr = json_array_get(vec_at(v->trace, "dealings"), i - 1);

        snprintf(name, sizeof name, "dealing/%u", i);
        rng = vec_trng(&st, name);
        CHECK(trustee_deal(v->c, i, v->id[i].z, &rng, &v->dealing[i], v->own[i]) == 0,
              "trustee_deal");
        test_dealing_trace(v, i, tr);
        if (i == 4)
            test_cheat(v, i, tr);
        CHECK(vec_eq(tr, "proof.c", v->dealing[i].proof.c, 32), "dealing proof c");
        text = ceremony_dealing_serialize(&v->dealing[i], 0, &len);
        snprintf(path, sizeof path, "dealings[%u]", i - 1);
        want = vec_compact(vec_at(v->tr, path));
        check_eq("dealing JSON", want, text);
        CHECK(text != NULL && ceremony_dealing_add(v->c, &v->dealing[i]) == PROTO_OK,
              "the board accepts the dealing");
        free(text);
        free(want);
    }
    CHECK(ceremony_dealing_add(v->c, &v->dealing[1]) == PROTO_VALUE, "one dealing per trustee");
    CHECK(ceremony_dealings_close(v->c) == 0 &&
          vec_eq(v->trace, "dealings_digest", ceremony_dealings_digest(v->c), 32),
          "dealings_digest");
    CHECK(ceremony_dealing_add(v->c, &v->dealing[1]) == PROTO_VALUE, "round 1 closed");
}

/* T4: every verdict from stream verdict/<j>. */
static void test_verdicts(struct vec_ceremony *v)
{
    struct ceremony_verdict verdict;
    struct crypto_rng_stream st;
    struct crypto_rng rng;
    char name[32], path[64], *text, *want;
    size_t len;
    uint32_t j;

    for (j = 1; j <= N_TRUSTEES; j++) {
        snprintf(name, sizeof name, "verdict/%u", j);
        rng = vec_trng(&st, name);
        CHECK(trustee_verdict(v->c, j, v->id[j].z, &v->dealing[j], &rng, &verdict) == PROTO_OK,
              "trustee_verdict");
        CHECK(verdict.q == (j == 2 ? 1u : 0u), "only trustee 2 complains (against 4)");
        text = ceremony_verdict_serialize(&verdict, 0, &len);
        snprintf(path, sizeof path, "verdicts[%u]", j - 1);
        want = vec_compact(vec_at(v->tr, path));
        check_eq("verdict JSON", want, text);
        CHECK(ceremony_verdict_add(v->c, &verdict) == PROTO_OK, "the board accepts the verdict");
        CHECK(ceremony_verdict_add(v->c, &verdict) == PROTO_VALUE, "one verdict per trustee");
        free(text);
        free(want);
    }
}

/* T5: the outcome and every key share. */
static void test_outcome(struct vec_ceremony *v)
{
    unsigned char x[32];
    char path[64], *text, *want;
    size_t len;
    uint32_t k, j;

    CHECK(ceremony_finish(v->c) == PROTO_OK && ceremony_is_complete(v->c), "finish");
    CHECK(ceremony_complaint_upheld(v->c, 2, 4) && !ceremony_complaint_upheld(v->c, 4, 2),
          "grace's complaint against dealer 4 is upheld");
    CHECK(ceremony_qual_count(v->c) == 4 && ceremony_qual_member(v->c, 0) == 1 &&
          ceremony_qual_member(v->c, 1) == 2 && ceremony_qual_member(v->c, 2) == 3 &&
          ceremony_qual_member(v->c, 3) == 5 && !ceremony_in_qual(v->c, 4), "QUAL = 1, 2, 3, 5");
    CHECK(vec_eq(v->trace, "Y_T", ceremony_council_key(v->c), 32), "Y_T");
    CHECK(vec_eq(v->trace, "ceremony_digest", ceremony_digest(v->c), 32), "ceremony_digest");
    for (k = 0; k < 4; k++) {
        j = ceremony_qual_member(v->c, k);
        snprintf(path, sizeof path, "verification_keys[%u].X", k);
        CHECK(vec_eq(v->trace, path, ceremony_verification_key(v->c, j), 32), "X_j");
        CHECK(trustee_key_share(v->c, j, v->id[j].z, v->own[j], x) == PROTO_OK, "x_j");
        snprintf(path, sizeof path, "verification_keys[%u].x", k);
        CHECK(vec_eq(v->trace, path, x, 32), "x_j = Σ f_i(j)");
    }
    CHECK(trustee_key_share(v->c, 4, v->id[4].z, v->own[4], x) == PROTO_VALUE,
          "dealer 4, outside QUAL, holds no key");
    CHECK(trustee_key_share(v->c, 1, v->id[1].z, v->own[2], x) == PROTO_PROOF,
          "a wrong own share fails x_j·G = X_j");
    text = ceremony_transcript_serialize(v->c, 0, &len);
    want = vec_compact(v->tr);
    check_eq("transcript JSON", want, text);
    free(text);
    free(want);
}

/* The transcript read back whole, compact and pretty. */
static void test_transcript_parse(struct vec_ceremony *v)
{
    struct ceremony *c = NULL;
    char where[96], *text = vec_compact(v->tr);
    size_t len;

    CHECK(ceremony_transcript_parse(text, strlen(text), &c, where, sizeof where) == PROTO_OK &&
          memcmp(ceremony_digest(c), ceremony_digest(v->c), 32) == 0, "transcript parses");
    free(text);
    if (c != NULL) {
        text = ceremony_transcript_serialize(c, 1, &len);
        ceremony_free(c);
        c = NULL;
        CHECK(text != NULL && ceremony_transcript_parse(text, len, &c, NULL, 0) == PROTO_OK &&
              memcmp(ceremony_digest(c), ceremony_digest(v->c), 32) == 0, "pretty round trip");
        free(text);
        ceremony_free(c);
    }
}

/* Every "ceremony" case of invalid.json, with its code. */
static void test_invalid(void)
{
    json_t *root = vec_load("threshold/invalid.json");
    json_t *cases = vec_at(root, "cases");
    char where[96], what[160];
    size_t i, n = 0;

    for (i = 0; i < json_array_size(cases); i++) {
        const json_t *cs = json_array_get(cases, i);
        const char *want = vec_str(cs, "reason");
        struct ceremony *c = NULL;
        enum proto_reason got;
        char *text;

        if (vec_at(cs, "ceremony") == NULL)
            continue;
        n++;
        text = vec_compact(vec_at(cs, "ceremony"));
        strcpy(where, "-");
        got = ceremony_transcript_parse(text, strlen(text), &c, where, sizeof where);
        snprintf(what, sizeof what, "invalid %s: want %s, got %s (at %s)", vec_str(cs, "name"),
                 want, proto_reason_code(got), where);
        CHECK(strcmp(proto_reason_code(got), want) == 0 && c == NULL, what);
        ceremony_free(c);
        free(text);
    }
    CHECK(n == 9, "nine ceremony cases");
    json_decref(root);
}

int main(void)
{
    struct vec_ceremony v;
    uint32_t i;

    memset(&v, 0, sizeof v);
    if (crypto_init() != 0)
        return 1;
    v.root = vec_load("threshold/ceremony.json");
    v.tr = vec_at(v.root, "transcript");
    v.trace = vec_at(v.root, "trace");
    CHECK(v.tr != NULL && v.trace != NULL, "ceremony.json");
    test_identities(&v);
    if (v.c != NULL) {
        test_dealings(&v);
        test_verdicts(&v);
        test_outcome(&v);
        test_transcript_parse(&v);
    }
    test_invalid();
    for (i = 0; i <= N_TRUSTEES; i++)
        trustee_identity_wipe(&v.id[i]);
    ceremony_free(v.c);
    json_decref(v.root);
    TEST_MAIN_END("test_ceremony");
}
