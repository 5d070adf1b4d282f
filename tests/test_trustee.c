/*
 * test_trustee.c — whole ceremonies and polls with fresh randomness, as the
 * trustees' CLI and the server will run them (PROTOCOL-threshold T2–T8):
 * every message made by trustee.h, serialized, read back and checked by
 * the bulletin board (ceremony.h) as a server would; a 3-of-5 council with
 * a cheating dealer caught by its victim's complaint and left out of QUAL,
 * a 2-of-3 council, a false complaint that is not upheld, a 3-of-3 council
 * that a cheat leaves without quorum; then a poll sealed for the council,
 * ballots, every t-subset of QUAL decrypting to the same counts, and the
 * board built and verified (and refused with t − 1 trustees' shares).
 */
#include <sodium.h>

#include "harness.h"
#include "vectors.h"

#include "board.h"
#include "poly.h"
#include "record_threshold.h"
#include "tally_threshold.h"
#include "trustee.h"

#define NMAX 5

struct council {
    uint32_t n, t;
    struct trustee_identity id[NMAX + 1];
    unsigned char own[NMAX + 1][32];            /* f_i(i) */
    struct ceremony_dealing dealing[NMAX + 1];
    unsigned char x[NMAX + 1][32];              /* x_j */
    struct ceremony *c;                         /* the board's copy */
};

static struct crypto_rng rng;

/* A dealing with f_i(victim) + 1 in place of f_i(victim), properly signed:
 * a dealer's own code never cheats, so the test builds it from the parts. */
static void deal_cheating(struct council *k, uint32_t i, uint32_t victim)
{
    struct ceremony_dealing *d = &k->dealing[i];
    struct proof_dealing_statement st;
    unsigned char a[NMAX][32], r[32], K[32], pad[32], f[32], one[32];
    uint32_t j, m = 0, b;

    memset(d, 0, sizeof *d);
    d->dealer = i;
    d->t = k->t;
    for (j = 0; j < k->t; j++) {
        crypto_rng_scalar_nonzero(&rng, a[j]);
        CHECK(crypto_point_mul_base(d->C[j], a[j]) == 0, "C_k");
    }
    crypto_rng_scalar_nonzero(&rng, r);
    CHECK(crypto_point_mul_base(d->R, r) == 0, "R");
    crypto_scalar_from_u32(one, 1);
    for (j = 1; j <= k->n; j++) {
        if (j == i)
            continue;
        poly_eval((const unsigned char (*)[32])a, k->t, j, f);
        if (j == victim)
            crypto_core_ristretto255_scalar_add(f, f, one);
        CHECK(crypto_point_mul(K, r, ceremony_trustee_key(k->c, j)) == 0 &&
              ceremony_share_pad(k->c, i, j, d->R, K, pad) == 0, "pad");
        d->to[m] = j;
        for (b = 0; b < 32; b++)
            d->ct[m][b] = (unsigned char)(f[b] ^ pad[b]);
        m++;
    }
    d->nshares = m;
    poly_eval((const unsigned char (*)[32])a, k->t, i, k->own[i]);
    st = (struct proof_dealing_statement){ ceremony_setup_digest(k->c), i,
                                           ceremony_trustee_key(k->c, i),
                                           (const unsigned char (*)[32])d->C, d->t, d->R, d->to,
                                           (const unsigned char (*)[32])d->ct, d->nshares };
    CHECK(proof_dealing_create(&st, k->id[i].z, a[0], r, &rng, &d->proof, NULL) == 0,
          "the cheat signs its dealing");
    sodium_memzero(a, sizeof a);
    sodium_memzero(r, sizeof r);
}

/* T2: identities, and the setup the server makes, serialized and read back. */
static void council_setup(struct council *k, const char *id)
{
    struct ceremony_identity reg[NMAX];
    struct ceremony *made = NULL;
    char name[NMAX][32], got[NMAX][32];
    size_t len;
    char *text;
    uint32_t i;

    for (i = 1; i <= k->n; i++) {
        snprintf(name[i - 1], sizeof name[0], "member-%u", i);
        CHECK(trustee_identity_create(id, strlen(id), i, name[i - 1], strlen(name[i - 1]), &rng,
                                      &k->id[i]) == 0, "identity");
        reg[i - 1] = (struct ceremony_identity){ name[i - 1], strlen(name[i - 1]), { 0 },
                                                 k->id[i].pok };
        memcpy(reg[i - 1].Z, k->id[i].Z, 32);
        /* as the server takes it: the registration's JSON */
        text = ceremony_identity_serialize(&reg[i - 1], 0, &len);
        CHECK(text != NULL && ceremony_identity_parse(id, strlen(id), i, text, len, &reg[i - 1],
                                                      got[i - 1], sizeof got[0]) == PROTO_OK,
              "registration");
        free(text);
    }
    CHECK(ceremony_create(id, strlen(id), k->t, reg, k->n, &made) == PROTO_OK, "setup");
    text = made != NULL ? ceremony_setup_serialize(made, 1, &len) : NULL;
    CHECK(text != NULL && ceremony_setup_parse(text, len, &k->c) == PROTO_OK &&
          memcmp(ceremony_setup_digest(k->c), ceremony_setup_digest(made), 32) == 0,
          "the stored setup reads back");
    free(text);
    ceremony_free(made);
}

/* T3: every dealing, through its JSON, onto the board. */
static void council_deal(struct council *k, uint32_t cheat, uint32_t victim)
{
    struct ceremony_dealing got;
    size_t len;
    char *text;
    uint32_t i;

    for (i = 1; i <= k->n; i++) {
        if (i == cheat)
            deal_cheating(k, i, victim);
        else
            CHECK(trustee_deal(k->c, i, k->id[i].z, &rng, &k->dealing[i], k->own[i]) == 0,
                  "trustee_deal");
        CHECK(k->n == 1 ||
              trustee_deal(k->c, i, k->id[i % k->n + 1].z, &rng, &got, k->x[0]) == -1,
              "no dealing with another trustee's identity key");
        text = ceremony_dealing_serialize(&k->dealing[i], 0, &len);
        CHECK(text != NULL && ceremony_dealing_parse(k->c, text, len, &got) == PROTO_OK &&
              ceremony_dealing_add(k->c, &got) == PROTO_OK, "the board takes the dealing");
        free(text);
    }
    CHECK(ceremony_dealings_close(k->c) == 0, "round 1 closes");
}

/* T4: every verdict, through its JSON, onto the board. */
static void council_verdicts(struct council *k)
{
    struct ceremony_verdict v, got;
    size_t len;
    char *text;
    uint32_t j;

    for (j = 1; j <= k->n; j++) {
        CHECK(trustee_verdict(k->c, j, k->id[j].z, &k->dealing[j], &rng, &v) == PROTO_OK,
              "trustee_verdict");
        text = ceremony_verdict_serialize(&v, 0, &len);
        CHECK(text != NULL && ceremony_verdict_parse(k->c, text, len, &got) == PROTO_OK &&
              ceremony_verdict_add(k->c, &got) == PROTO_OK, "the board takes the verdict");
        free(text);
    }
}

/* T5: the outcome and every member's key share; the transcript as a verifier reads it. */
static enum proto_reason council_finish(struct council *k)
{
    enum proto_reason why = ceremony_finish(k->c);
    struct ceremony *again = NULL;
    size_t len;
    char *text;
    uint32_t q, j;

    for (q = 0; why == PROTO_OK && q < ceremony_qual_count(k->c); q++) {
        j = ceremony_qual_member(k->c, q);
        CHECK(trustee_key_share(k->c, j, k->id[j].z, k->own[j], k->x[j]) == PROTO_OK,
              "x_j·G = X_j");
    }
    text = ceremony_transcript_serialize(k->c, 1, &len);
    CHECK(text != NULL && ceremony_transcript_parse(text, len, &again, NULL, 0) == why &&
          (why != PROTO_OK || memcmp(ceremony_digest(again), ceremony_digest(k->c), 32) == 0),
          "a verifier reads the transcript to the same outcome");
    free(text);
    ceremony_free(again);
    return why;
}

static void council_free(struct council *k)
{
    uint32_t i;

    for (i = 0; i <= NMAX; i++)
        trustee_identity_wipe(&k->id[i]);
    sodium_memzero(k->own, sizeof k->own);
    sodium_memzero(k->x, sizeof k->x);
    ceremony_free(k->c);
}

static enum proto_reason council_run(struct council *k, uint32_t n, uint32_t t, uint32_t cheat,
                                     uint32_t victim, const char *id)
{
    memset(k, 0, sizeof *k);
    k->n = n;
    k->t = t;
    council_setup(k, id);
    if (k->c == NULL)
        return PROTO_INTERNAL;
    council_deal(k, cheat, victim);
    council_verdicts(k);
    return council_finish(k);
}

/* --- a poll sealed for the council ---------------------------------------------------- */

#define NBALLOTS 6

struct poll_run {
    struct record *rec;
    unsigned char x0[32];
    struct tally *t;
    struct ballot *b[NBALLOTS];
    unsigned char trackers[NBALLOTS][32];
    struct proof_share sh[NMAX + 1][2];         /* holder 0 and trustees 1..n */
    uint32_t yes;
};

static int cmp32(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

/* The record, six ballots cast as a server takes them, the aggregate. */
static void poll_open(struct poll_run *p, const struct council *k)
{
    static const char *const options[2] = { "Promote", "Do not promote" };
    static const char *const roll[8] = { "a", "b", "c", "d", "e", "f", "g", "h" };
    struct record_council_trustee tr[PROTO_MAX_TRUSTEES];
    struct record_council council;
    struct record_params rp = { "poll-e2e", "Promote?", options, 2, 1, 1,
                                "2026-01-01T00:00:00Z", "2026-01-08T00:00:00Z", roll, 8 };
    unsigned char rho[32];
    uint8_t votes[2];
    struct ballot *again;
    size_t i, len;
    char *text;

    memset(p, 0, sizeof *p);
    CHECK(record_council_of(k->c, &council, tr) == PROTO_OK &&
          record_create_threshold(&rp, &council, &rng, &p->rec, p->x0) == PROTO_OK,
          "a poll sealed for the council");
    if (p->rec == NULL)
        return;
    p->t = tally_new(2);
    for (i = 0; i < NBALLOTS; i++) {
        votes[0] = (uint8_t)(i % 3 != 2);       /* yes, yes, no, ... */
        votes[1] = (uint8_t)!votes[0];
        p->yes += votes[0];
        crypto_rng_bytes(&rng, rho, 32);
        CHECK(ballot_create(p->rec, votes, rho, NULL, &rng, &p->b[i]) == 0, "ballot");
        text = ballot_serialize(p->b[i], BALLOT_FORM_POST, 0, &len);
        again = NULL;
        CHECK(text != NULL && ballot_parse(text, len, BALLOT_FORM_POST, &again) == PROTO_OK &&
              ballot_verify(again, p->rec) == PROTO_OK && tally_add(p->t, again) == 0,
              "the ballot verifies against the threshold record");
        memcpy(p->trackers[i], ballot_tracker(p->b[i]), 32);
        ballot_free(again);
        free(text);
    }
    qsort(p->trackers, NBALLOTS, 32, cmp32);
}

/* Every t-subset of QUAL, with the server's shares, gives the counts. */
static void poll_subsets(struct poll_run *p, const struct council *k)
{
    struct tally_threshold_entry e[NMAX + 1];
    uint32_t q = ceremony_qual_count(k->c), mask, bits, i, n, counts[2];
    char what[96];

    for (mask = 0; mask < (1u << q); mask++) {
        for (bits = 0, i = 0; i < q; i++)
            bits += (mask >> i) & 1;
        if (bits != k->t)
            continue;
        e[0] = (struct tally_threshold_entry){ 0, p->sh[0] };
        for (n = 1, i = 0; i < q; i++)
            if ((mask >> i) & 1) {
                e[n].holder = ceremony_qual_member(k->c, i);
                e[n].shares = p->sh[e[n].holder];
                n++;
            }
        snprintf(what, sizeof what, "%u-of-%u, subset %#x: counts [%u, %u]", k->t, k->n, mask,
                 p->yes, NBALLOTS - p->yes);
        CHECK(tally_threshold_counts(p->rec, p->t, e, n, counts) == PROTO_OK &&
              counts[0] == p->yes && counts[1] == NBALLOTS - p->yes, what);
    }
}

/* The board with the server's and ntrustees members' shares (result iff
 * final, from the first t members' shares whatever the board lists). */
static char *poll_board(struct poll_run *p, const struct council *k, uint32_t ntrustees,
                        const struct sign_key *key, int final, size_t *len)
{
    struct tally_threshold_entry e[NMAX + 1];
    struct board_decryption dec[NMAX + 1];
    struct tally_result res;
    uint32_t i;

    dec[0] = (struct board_decryption){ 0, p->sh[0] };
    e[0] = (struct tally_threshold_entry){ 0, p->sh[0] };
    for (i = 0; i < ceremony_qual_count(k->c); i++) {
        dec[i + 1].holder = e[i + 1].holder = ceremony_qual_member(k->c, i);
        dec[i + 1].shares = e[i + 1].shares = p->sh[dec[i + 1].holder];
    }
    if (final)
        CHECK(tally_threshold_result_make(p->rec, p->t, e, k->t + 1,
                                          (const unsigned char (*)[32])p->trackers, key,
                                          &res) == PROTO_OK, "the signed result");
    return board_build_threshold(p->rec, k->c, (const struct ballot *const *)p->b, NBALLOTS,
                                 p->t, dec, ntrustees + 1, final ? &res : NULL, len);
}

static void poll_run(const struct council *k, const struct sign_key *key)
{
    struct board_trust trust = { sign_key_public(key), ceremony_digest(k->c) };
    struct board_report rep;
    struct poll_run p;
    uint32_t q, j;
    size_t len, i;
    char *text;

    poll_open(&p, k);
    if (p.rec == NULL)
        return;
    CHECK(tally_shares_create(p.rec, 0, p.x0, p.t, &rng, p.sh[0]) == 0, "the server's shares");
    for (q = 0; q < ceremony_qual_count(k->c); q++) {
        j = ceremony_qual_member(k->c, q);
        CHECK(tally_threshold_shares_create(p.rec, j, k->x[j], p.t, &rng, p.sh[j]) == 0 &&
              tally_threshold_shares_verify(p.rec, j, p.t, p.sh[j]) == PROTO_OK,
              "a member's shares");
    }
    poll_subsets(&p, k);
    text = poll_board(&p, k, ceremony_qual_count(k->c), key, 1, &len);
    CHECK(text != NULL && board_verify_against(text, len, &trust, 2, &rep) == PROTO_OK &&
          rep.counts[0] == p.yes && rep.ceremony_checked && rep.signature_checked,
          "the final board (every member's shares) verifies");
    free(text);
    text = poll_board(&p, k, k->t - 1, key, 1, &len);
    CHECK(text != NULL && board_verify_against(text, len, &trust, 2, &rep) == PROTO_QUORUM,
          "with t - 1 trustees' shares: quorum");
    free(text);
    text = poll_board(&p, k, 0, key, 0, &len);
    CHECK(text != NULL && board_verify_against(text, len, &trust, 2, &rep) == PROTO_OK &&
          rep.partial, "the partial board with the server's shares only");
    free(text);
    for (i = 0; i < NBALLOTS; i++)
        ballot_free(p.b[i]);
    sodium_memzero(p.x0, sizeof p.x0);
    tally_free(p.t);
    record_free(p.rec);
}

/* A false complaint: j reveals the true key of a good share; not upheld. */
static void test_false_complaint(const struct sign_key *key)
{
    struct council k;
    struct ceremony_verdict v;
    struct proof_verdict_statement st;
    const unsigned char *R[1];
    const unsigned char *K[1];
    uint32_t dealer = 1;

    memset(&k, 0, sizeof k);
    k.n = 3;
    k.t = 2;
    council_setup(&k, "council-false");
    if (k.c == NULL)
        return;
    council_deal(&k, 0, 0);
    memset(&v, 0, sizeof v);
    v.trustee = 2;
    v.q = 1;
    v.complaints[0].dealer = 1;
    memcpy(v.dealings, ceremony_dealings_digest(k.c), 32);
    CHECK(crypto_point_mul(v.complaints[0].K, k.id[2].z, k.dealing[1].R) == 0, "K");
    R[0] = k.dealing[1].R;
    K[0] = v.complaints[0].K;
    st = (struct proof_verdict_statement){ ceremony_setup_digest(k.c), v.dealings, 2, k.id[2].Z,
                                           1, &dealer, R, K };
    CHECK(proof_verdict_create(&st, k.id[2].z, &rng, &v.proof, NULL) == 0 &&
          ceremony_verdict_add(k.c, &v) == PROTO_OK, "the board takes the complaint");
    CHECK(trustee_verdict(k.c, 1, k.id[1].z, &k.dealing[1], &rng, &v) == PROTO_OK &&
          ceremony_verdict_add(k.c, &v) == PROTO_OK, "verdict 1");
    CHECK(trustee_verdict(k.c, 3, k.id[3].z, &k.dealing[3], &rng, &v) == PROTO_OK &&
          ceremony_verdict_add(k.c, &v) == PROTO_OK, "verdict 3");
    CHECK(council_finish(&k) == PROTO_OK && !ceremony_complaint_upheld(k.c, 2, 1) &&
          ceremony_qual_count(k.c) == 3, "a complaint about a good share is not upheld");
    poll_run(&k, key);
    council_free(&k);
}

int main(void)
{
    struct sign_key *key = NULL;
    struct council k;

    if (crypto_init() != 0 || sign_key_create(&key) != 0)
        return 1;
    rng = crypto_rng_system();
    CHECK(council_run(&k, 5, 3, 4, 2, "council-3of5") == PROTO_OK &&
          ceremony_complaint_upheld(k.c, 2, 4) && ceremony_qual_count(k.c) == 4 &&
          !ceremony_in_qual(k.c, 4), "3 of 5: the cheat (4 to 2) is caught and left out");
    poll_run(&k, key);
    council_free(&k);
    CHECK(council_run(&k, 3, 2, 0, 0, "council-2of3") == PROTO_OK &&
          ceremony_qual_count(k.c) == 3, "2 of 3, all honest");
    poll_run(&k, key);
    council_free(&k);
    CHECK(council_run(&k, 3, 3, 1, 3, "council-3of3") == PROTO_QUORUM &&
          ceremony_digest(k.c) != NULL && ceremony_council_key(k.c) == NULL,
          "3 of 3 with a cheat: no quorum, no key (the digest still computed)");
    council_free(&k);
    CHECK(council_run(&k, 1, 1, 0, 0, "council-1of1") == PROTO_OK, "1 of 1");
    poll_run(&k, key);
    council_free(&k);
    test_false_complaint(key);
    sign_key_free(key);
    TEST_MAIN_END("test_trustee");
}
