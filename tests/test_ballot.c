/*
 * test_ballot.c — ballots: the vectors' ballots parsed, verified and made
 * again byte for byte from their streams (tag, tracker and their hash
 * inputs, the sum statement), the replacement, every invalid-ballots.json
 * case rejected with its code, every byte of a valid ballot flipped in turn,
 * and random ballots made by this code for every allowed choice.
 */
#include "harness.h"
#include "vectors.h"

#include "ballot.h"

static void check_tag_and_tracker(const json_t *v, const struct ballot *b)
{
    unsigned char rho[32], tag[32], tap[8192], out[32];
    struct crypto_hash h;
    uint32_t j, i;

    CHECK_EQ_INT(vec_bytes(v, "rho", rho, 32), 0, "rho");
    CHECK(ballot_tag_from_rho(ballot_fingerprint(b), rho, tag) == 0 && vec_eq(v, "tag", tag, 32),
          "tag = Hd(tag, fingerprint, rho)");
    crypto_hash_init_tap(&h, CRYPTO_HD, "tag", tap, sizeof tap);
    crypto_hash_b32(&h, ballot_fingerprint(b));
    crypto_hash_b32(&h, rho);
    CHECK(vec_eq_blob(v, "tag_hash_input", tap, h.tap_len), "tag hash input");
    CHECK(vec_eq(v, "tracker", ballot_tracker(b), 32), "tracker");
    crypto_hash_init_tap(&h, CRYPTO_HD, "ballot", tap, sizeof tap);
    crypto_hash_b32(&h, ballot_fingerprint(b));
    crypto_hash_b32(&h, ballot_tag(b));
    for (j = 0; j < ballot_choice_count(b); j++) {
        crypto_hash_b32(&h, ballot_alpha(b, j));
        crypto_hash_b32(&h, ballot_beta(b, j));
        for (i = 0; i < 2; i++) {
            crypto_hash_b32(&h, ballot_choice_proof(b, j)[i].c);
            crypto_hash_b32(&h, ballot_choice_proof(b, j)[i].s);
        }
    }
    for (i = 0; i < ballot_sum_count(b); i++) {
        crypto_hash_b32(&h, ballot_sum_proof(b)[i].c);
        crypto_hash_b32(&h, ballot_sum_proof(b)[i].s);
    }
    CHECK(vec_eq_blob(v, "tracker_hash_input", tap, h.tap_len), "tracker hash input");
    CHECK(crypto_hash_final_digest(&h, out) == 0 && memcmp(out, ballot_tracker(b), 32) == 0,
          "tracker digest");
}

/* α = Σ α_j and β = Σ β_j, the sum proof's statement. */
static void check_sum_statement(const json_t *v, const struct ballot *b)
{
    unsigned char a[32], s[32];
    uint32_t j;

    memset(a, 0, 32);
    memset(s, 0, 32);
    for (j = 0; j < ballot_choice_count(b); j++) {
        CHECK(crypto_point_add(a, a, ballot_alpha(b, j)) == 0 &&
              crypto_point_add(s, s, ballot_beta(b, j)) == 0, "sums");
    }
    CHECK(vec_eq(v, "sum.proof.alpha", a, 32) && vec_eq(v, "sum.proof.beta", s, 32),
          "sum statement");
}

/* Makes the vector ballot again from its stream; compares the JSON text. */
static void check_create(const json_t *v, const struct record *rec, const unsigned char *replaces)
{
    const json_t *votes = vec_at(v, "votes");
    char *want = vec_compact(vec_at(v, "ballot")), *got, *board;
    struct crypto_rng_stream st;
    struct crypto_rng rng = vec_rng(&st, vec_str(v, "rng_seed"));
    unsigned char rho[32];
    uint8_t vv[8];
    struct ballot *b = NULL;
    size_t j;

    for (j = 0; j < json_array_size(votes) && j < 8; j++)
        vv[j] = (uint8_t)json_integer_value(json_array_get(votes, j));
    crypto_rng_bytes(&rng, rho, 32);
    CHECK_EQ_INT(ballot_create(rec, vv, rho, replaces, &rng, &b), 0, "ballot_create");
    if (b == NULL) {
        free(want);
        return;
    }
    got = ballot_serialize(b, BALLOT_FORM_POST, 0, NULL);
    CHECK(got != NULL && want != NULL && strcmp(got, want) == 0, "created ballot, byte for byte");
    board = ballot_serialize(b, BALLOT_FORM_BOARD, 0, NULL);
    CHECK(board != NULL && strstr(board, vec_str(v, "tracker")) != NULL, "board form has tracker");
    CHECK_EQ_INT(ballot_verify(b, rec), PROTO_OK, "created ballot verifies");
    free(got);
    free(board);
    free(want);
    ballot_free(b);
}

static void test_valid_one(const json_t *v, const unsigned char *replaces)
{
    struct record *rec = vec_record(vec_str(v, "poll"));
    char *text = vec_compact(vec_at(v, "ballot"));
    struct ballot *b = NULL;
    unsigned char tag[32];

    CHECK(rec != NULL && text != NULL, "ballot vector");
    if (rec == NULL || text == NULL)
        goto out;
    CHECK_EQ_INT(ballot_parse(text, strlen(text), BALLOT_FORM_POST, &b), PROTO_OK,
                 vec_str(v, "name"));
    if (b == NULL)
        goto out;
    CHECK_EQ_INT(ballot_verify(b, rec), PROTO_OK, "vector ballot verifies");
    check_tag_and_tracker(v, b);
    check_sum_statement(v, b);
    check_create(v, rec, replaces);
    if (replaces != NULL) {
        CHECK(ballot_replaces(b) != NULL && memcmp(ballot_replaces(b), replaces, 32) == 0,
              "replaces decoded");
        CHECK(ballot_replaces_tag(b, tag) == 0 && vec_eq(v, "replaces_tag", tag, 32),
              "replaced tag = Hd(tag, fingerprint, rho_old)");
    } else {
        CHECK(ballot_replaces(b) == NULL && ballot_replaces_tag(b, tag) != 0, "replaces nothing");
    }
out:
    free(text);
    ballot_free(b);
    record_free(rec);
}

static void test_valid(void)
{
    json_t *root = vec_load("ballots.json"), *bs = vec_at(root, "ballots");
    unsigned char rho_yes[32];
    size_t i;

    CHECK_EQ_INT(json_array_size(bs), 4, "ballots.json has 4 ballots");
    for (i = 0; i < json_array_size(bs); i++)
        test_valid_one(json_array_get(bs, i), NULL);
    CHECK_EQ_INT(vec_bytes(root, "ballots[0].rho", rho_yes, 32), 0, "rho of yes");
    test_valid_one(vec_at(root, "replacement"), rho_yes);
    json_decref(root);
}

static enum proto_reason check_text(const char *text, size_t len, const struct record *rec)
{
    struct ballot *b = NULL;
    enum proto_reason why = ballot_parse(text, len, BALLOT_FORM_POST, &b);

    if (why == PROTO_OK)
        why = ballot_verify(b, rec);
    ballot_free(b);
    return why;
}

static void test_invalid(void)
{
    json_t *root = vec_load("invalid-ballots.json"), *cases = vec_at(root, "cases");
    struct record *polls[2] = { vec_record("poll-1"), vec_record("poll-2") };
    size_t i;

    CHECK_EQ_INT(json_array_size(cases), 33, "invalid-ballots.json has 33 cases");
    for (i = 0; i < json_array_size(cases) && polls[0] && polls[1]; i++) {
        const json_t *c = json_array_get(cases, i);
        const struct record *rec = strcmp(vec_str(c, "poll"), "poll-2") == 0 ? polls[1] : polls[0];
        char *text = vec_at(c, "ballot_text") ? strdup(vec_str(c, "ballot_text"))
                                               : vec_compact(vec_at(c, "ballot"));
        enum proto_reason why = check_text(text, strlen(text), rec);
        char what[160];

        snprintf(what, sizeof what, "%s: want %s, got %s", vec_str(c, "name"),
                 vec_str(c, "reason"), proto_reason_code(why));
        CHECK_EQ_STR(proto_reason_code(why), vec_str(c, "reason"), what);
        free(text);
    }
    record_free(polls[0]);
    record_free(polls[1]);
    json_decref(root);
}

/* Every byte of the yes ballot's text altered in turn: never accepted. */
static void test_flips(void)
{
    static const unsigned char masks[] = { 0x01, 0x20, 0x80 };
    json_t *root = vec_load("ballots.json");
    struct record *rec = vec_record("poll-1");
    char *text = vec_compact(vec_at(root, "ballots[0].ballot"));
    size_t i, len, m, accepted = 0, tried = 0;

    CHECK(rec != NULL && text != NULL && check_text(text, strlen(text), rec) == PROTO_OK,
          "unaltered ballot verifies");
    len = text != NULL ? strlen(text) : 0;
    for (i = 0; rec != NULL && i < len; i++)
        for (m = 0; m < sizeof masks; m++) {
            text[i] = (char)(text[i] ^ masks[m]);
            if (check_text(text, len, rec) == PROTO_OK) {
                accepted++;
                fprintf(stderr, "  accepted with byte %zu ^ 0x%02x\n", i, masks[m]);
            }
            tried++;
            text[i] = (char)(text[i] ^ masks[m]);
        }
    CHECK(tried == 3 * len && accepted == 0, "every altered byte rejected");
    free(text);
    record_free(rec);
    json_decref(root);
}

/* Ballots for every allowed choice of a poll, made with the system rng. */
static void random_for(const char *poll)
{
    struct record *rec = vec_record(poll);
    struct crypto_rng rng = crypto_rng_system();
    uint32_t m, mask, j, total;
    unsigned char rho[32];

    CHECK(rec != NULL, poll);
    if (rec == NULL)
        return;
    m = record_option_count(rec);
    for (mask = 0; mask < (1u << m); mask++) {
        struct ballot *b = NULL, *again = NULL;
        uint8_t votes[8];
        char *text;
        size_t len = 0;

        for (j = 0, total = 0; j < m; j++)
            total += votes[j] = (uint8_t)(mask >> j & 1);
        crypto_rng_bytes(&rng, rho, 32);
        if (total < record_min(rec) || total > record_max(rec)) {
            CHECK_NE_INT(ballot_create(rec, votes, rho, NULL, &rng, &b), 0,
                         "disallowed choice refused");
            continue;
        }
        CHECK_EQ_INT(ballot_create(rec, votes, rho, NULL, &rng, &b), 0, "random ballot made");
        if (b == NULL)
            continue;
        CHECK_EQ_INT(ballot_verify(b, rec), PROTO_OK, "random ballot verifies");
        text = ballot_serialize(b, BALLOT_FORM_BOARD, 1, &len);
        CHECK(text != NULL && ballot_parse(text, len, BALLOT_FORM_BOARD, &again) == PROTO_OK &&
              ballot_verify(again, rec) == PROTO_OK && ballot_check_tracker(again) == PROTO_OK,
              "board form round trip");
        free(text);
        ballot_free(again);
        ballot_free(b);
    }
    record_free(rec);
}

static void test_random(void)
{
    random_for("poll-1");
    random_for("poll-2");
    random_for("poll-3");
}

static void test_forms(void)
{
    json_t *root = vec_load("ballots.json");
    struct record *rec = vec_record("poll-1");
    char *post = vec_compact(vec_at(root, "ballots[0].ballot"));
    char *repl = vec_compact(vec_at(root, "replacement.ballot"));
    struct ballot *b = NULL;
    char *board;

    CHECK_EQ_INT(ballot_parse(post, strlen(post), BALLOT_FORM_BOARD, &b), PROTO_SHAPE,
                 "board form needs a tracker");
    CHECK_EQ_INT(ballot_parse(repl, strlen(repl), BALLOT_FORM_POST, &b), PROTO_OK, "replacement");
    board = b ? ballot_serialize(b, BALLOT_FORM_BOARD, 0, NULL) : NULL;
    CHECK(board != NULL && strstr(board, "replaces") == NULL, "board form drops replaces");
    ballot_free(b);
    b = NULL;
    CHECK(board != NULL && ballot_parse(board, strlen(board), BALLOT_FORM_POST, &b) == PROTO_SHAPE,
          "POST form refuses a tracker");
    if (board != NULL) {
        char *t = strstr(board, "\"tracker\":\"");

        t[11] = t[11] == '0' ? '1' : '0';
        CHECK(ballot_parse(board, strlen(board), BALLOT_FORM_BOARD, &b) == PROTO_OK &&
              ballot_check_tracker(b) == PROTO_TRACKER, "altered tracker");
        ballot_free(b);
    }
    CHECK_EQ_INT(ballot_parse(post, PROTO_MAX_BALLOT + 1, BALLOT_FORM_POST, &b), PROTO_SHAPE,
                 "size cap");
    (void)rec;
    free(board);
    free(post);
    free(repl);
    record_free(rec);
    json_decref(root);
}

int main(void)
{
    if (crypto_init() != 0)
        return 1;
    test_valid();
    test_invalid();
    test_forms();
    test_random();
    test_flips();
    TEST_MAIN_END("test_ballot");
}
