/*
 * test_record.c — poll records: poll.json parsed and reproduced (roll digest
 * and fingerprint inputs byte for byte, Y), records created from the vectors'
 * streams equal the vectors, every invalid-polls.json case rejected with its
 * code, times, roll lookups, serialization round trips.
 */
#include <sodium.h>

#include "harness.h"
#include "vectors.h"

static void test_poll_vector(const json_t *p)
{
    unsigned char roll_in[4096], fp_in[8192];
    size_t roll_len = 0, fp_len = 0, text_len = 0;
    struct record *rec = NULL, *again = NULL;
    char *text, *text2;

    CHECK_EQ_INT(record_from_json(vec_at(p, "record"), &rec), PROTO_OK, vec_str(p, "name"));
    if (rec == NULL)
        return;
    CHECK(vec_eq(p, "roll_digest", record_roll_digest(rec), 32), "roll_digest");
    CHECK(vec_eq(p, "Y", record_public_key(rec), 32), "Y");
    CHECK(vec_eq(p, "fingerprint", record_fingerprint(rec), 32), "fingerprint");
    CHECK_EQ_INT(record_hash_inputs(rec, roll_in, sizeof roll_in, &roll_len, fp_in, sizeof fp_in,
                                    &fp_len), 0, "hash inputs");
    CHECK(vec_eq_blob(p, "roll_digest_input", roll_in, roll_len), "roll digest input");
    CHECK(vec_eq_blob(p, "fingerprint_input", fp_in, fp_len), "fingerprint input");
    text = record_serialize(rec, 0, &text_len);
    CHECK(text != NULL && record_parse(text, text_len, &again) == PROTO_OK, "round trip");
    if (again != NULL) {
        CHECK_EQ_HEX(record_fingerprint(again), record_fingerprint(rec), 32,
                     "round trip keeps the fingerprint");
        text2 = record_serialize(again, 0, NULL);
        CHECK(text2 != NULL && strcmp(text, text2) == 0, "serialization is deterministic");
        free(text2);
    }
    free(text);
    record_free(again);
    record_free(rec);
}

static void test_polls(void)
{
    json_t *root = vec_load("poll.json"), *polls = vec_at(root, "polls");
    size_t i;

    CHECK_EQ_INT(json_array_size(polls), 3, "poll.json has 3 polls");
    for (i = 0; i < json_array_size(polls); i++)
        test_poll_vector(json_array_get(polls, i));
    json_decref(root);
}

/* The C strings of a JSON array of strings (borrowed). */
static size_t strings_of(const json_t *arr, const char **out, size_t cap)
{
    size_t i;

    for (i = 0; i < json_array_size(arr) && i < cap; i++)
        out[i] = json_string_value(json_array_get(arr, i));
    return i;
}

/* record_create from the vectors' streams gives the vectors' records. */
static void test_create_vector(const json_t *p)
{
    const json_t *r = vec_at(p, "record");
    const char *options[8], *roll[16];
    struct record_trustee trustees[4];
    struct record_params params;
    struct crypto_rng_stream st;
    struct crypto_rng rng;
    struct record *rec = NULL;
    unsigned char x0[32];
    char path[64];
    size_t k, K = json_array_size(vec_at(r, "holders"));

    memset(&params, 0, sizeof params);
    params.id = vec_str(r, "id");
    params.question = vec_str(r, "question");
    params.options = options;
    params.m = strings_of(vec_at(r, "options"), options, 8);
    params.min = (uint32_t)vec_int(r, "min");
    params.max = (uint32_t)vec_int(r, "max");
    params.opens_at = vec_str(r, "opens_at");
    params.closes_at = vec_str(r, "closes_at");
    params.roll = roll;
    params.n = strings_of(vec_at(r, "roll"), roll, 16);
    for (k = 1; k < K && k <= 4; k++) {
        snprintf(path, sizeof path, "holders[%u]", (unsigned)k);
        trustees[k - 1].name = vec_str(vec_at(r, path), "name");
        CHECK(vec_bytes(vec_at(r, path), "public_key", trustees[k - 1].X, 32) == 0 &&
              vec_bytes(vec_at(r, path), "pok.c", trustees[k - 1].pok.c, 32) == 0 &&
              vec_bytes(vec_at(r, path), "pok.s", trustees[k - 1].pok.s, 32) == 0, "trustee");
    }
    snprintf(path, sizeof path, "holders/%s/0", params.id);
    rng = vec_rng(&st, path);
    CHECK_EQ_INT(record_create(&params, trustees, K - 1, &rng, &rec, x0), PROTO_OK,
                 "record_create");
    if (rec == NULL)
        return;
    CHECK(vec_eq(p, "holder_secrets[0].x", x0, 32), "x_0 returned");
    CHECK(vec_eq(p, "fingerprint", record_fingerprint(rec), 32), "created record's fingerprint");
    CHECK(vec_eq(p, "record.holders[0].pok.c", record_holder_pok(rec, 0)->c, 32), "holder 0 pok");
    record_free(rec);
}

static void test_create(void)
{
    json_t *root = vec_load("poll.json"), *polls = vec_at(root, "polls");
    size_t i;

    for (i = 0; i < json_array_size(polls); i++)
        test_create_vector(json_array_get(polls, i));
    json_decref(root);
}

static void test_invalid_polls(void)
{
    json_t *root = vec_load("invalid-polls.json"), *cases = vec_at(root, "cases");
    size_t i;

    CHECK_EQ_INT(json_array_size(cases), 28, "invalid-polls.json has 28 cases");
    for (i = 0; i < json_array_size(cases); i++) {
        const json_t *c = json_array_get(cases, i);
        struct record *rec = NULL;
        enum proto_reason why;
        char *text = NULL;
        char what[160];

        if (vec_at(c, "record_text") != NULL) {
            const char *t = vec_str(c, "record_text");

            why = record_parse(t, strlen(t), &rec);
        } else {
            text = vec_compact(vec_at(c, "record"));
            why = record_parse(text, strlen(text), &rec);
        }
        snprintf(what, sizeof what, "%s: want %s, got %s", vec_str(c, "name"),
                 vec_str(c, "reason"), proto_reason_code(why));
        CHECK(rec == NULL && strcmp(proto_reason_code(why), vec_str(c, "reason")) == 0, what);
        record_free(rec);
        free(text);
    }
    json_decref(root);
}

static void test_times(void)
{
    static const char *const good[] = {
        "2025-03-03T09:00:00Z", "2024-02-29T00:00:00Z", "2000-02-29T23:59:59Z",
        "1999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
    };
    static const char *const bad[] = {
        "2025-02-29T09:00:00Z", "2100-02-29T09:00:00Z", "2025-04-31T09:00:00Z",
        "2025-13-01T09:00:00Z", "2025-00-01T09:00:00Z", "2025-01-00T09:00:00Z",
        "2025-01-01T24:00:00Z", "2025-01-01T23:60:00Z", "2025-01-01T23:59:60Z",
        "2025-01-01 09:00:00Z", "2025-01-01T09:00:00z", "2025-01-01T09:00:00",
        "2025-01-01T09:00:00.0Z", "2025-1-01T09:00:00Z", "+025-01-01T09:00:00Z",
    };
    size_t i;

    for (i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK_EQ_INT(record_check_time(good[i], strlen(good[i])), 0, good[i]);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_NE_INT(record_check_time(bad[i], strlen(bad[i])), 0, bad[i]);
}

static void test_lookup_and_create_errors(void)
{
    struct record *rec = vec_record("poll-3");
    static const char *const opts[] = { "yes", "no" }, *const dup[] = { "a", "a" };
    static const char *const roll[] = { "b", "a" };
    struct record_params p;
    struct crypto_rng rng = crypto_rng_system();
    struct record *made = NULL;
    unsigned char x0[32];

    CHECK(rec != NULL, "poll-3");
    if (rec != NULL) {
        CHECK(record_roll_contains(rec, "zo\xc3\xab", 4), "zoë is on the roll");
        CHECK(record_roll_contains(rec, "Manuel", 6), "first entry");
        CHECK(record_roll_contains(rec, "\xc3\xa9mile", 6), "last entry");
        CHECK(!record_roll_contains(rec, "manuel", 6), "byte comparison");
        CHECK(!record_roll_contains(rec, "bas", 3), "a prefix is not on the roll");
        CHECK(record_is_promotion(rec), "poll-3 is a promotion poll");
        record_free(rec);
    }
    memset(&p, 0, sizeof p);
    p.id = "p";
    p.question = "q?";
    p.options = opts;
    p.m = 2;
    p.min = 1;
    p.max = 1;
    p.opens_at = "2025-01-01T00:00:00Z";
    p.closes_at = "2025-01-08T00:00:00Z";
    p.roll = opts + 1;
    p.n = 1;
    CHECK_EQ_INT(record_create(&p, NULL, 0, &rng, &made, x0), PROTO_OK, "create with system rng");
    record_free(made);
    p.roll = roll;
    p.n = 2;
    CHECK(record_create(&p, NULL, 0, &rng, &made, x0) == PROTO_VALUE && made == NULL,
          "unsorted roll refused");
    CHECK(sodium_is_zero(x0, 32), "x0 wiped on failure");
    p.n = 1;
    p.options = dup;
    CHECK_EQ_INT(record_create(&p, NULL, 0, &rng, &made, x0), PROTO_VALUE,
                 "duplicate options refused");
    p.options = opts;
    p.closes_at = p.opens_at;
    CHECK_EQ_INT(record_create(&p, NULL, 0, &rng, &made, x0), PROTO_VALUE, "empty period refused");
}

int main(void)
{
    if (crypto_init() != 0)
        return 1;
    test_polls();
    test_create();
    test_invalid_polls();
    test_times();
    test_lookup_and_create_errors();
    TEST_MAIN_END("test_record");
}
