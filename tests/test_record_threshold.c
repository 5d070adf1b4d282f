/*
 * test_record_threshold.c — the threshold poll record (PROTOCOL-threshold
 * T6) against tests/vectors/threshold/poll.json: made again from the
 * ceremony and the server's stream byte for byte (x_0, the record's JSON,
 * the fingerprint input field by field, the fingerprint, Y); read back as a
 * threshold record and refused by a v1 reader (shape); checked against the
 * transcript (code ceremony on every field changed); and T6's own rules
 * (value, identity, shape, hex, point, proof) on records changed one field
 * at a time.
 */
#include "harness.h"
#include "vectors.h"

#include "record_threshold.h"
#include "sjson.h"

static json_t *poll_vec;

/* The record of poll.json with one change made by edit, as compact text. */
static char *edited(void (*edit)(json_t *rec))
{
    json_t *copy = json_deep_copy(vec_at(poll_vec, "record"));
    char *text;

    edit(copy);
    text = vec_compact(copy);
    json_decref(copy);
    return text;
}

/* Adds G to the point at key of obj. */
static void add_g(json_t *obj, const char *key)
{
    unsigned char P[32];
    char hex[65];

    if (vec_bytes(obj, key, P, 32) != 0 || crypto_point_add(P, P, crypto_point_base()) != 0)
        return;
    crypto_hex_encode(hex, P, 32);
    json_object_set_new(obj, key, json_string(hex));
}

static json_t *th_of(json_t *rec) { return json_object_get(rec, "threshold"); }
static json_t *member(json_t *rec, size_t k)
{
    return json_array_get(json_object_get(th_of(rec), "trustees"), k);
}

static void e_digest(json_t *r)
{
    char hex[65];

    strcpy(hex, vec_str(th_of(r), "digest"));
    hex[63] = hex[63] == '0' ? '1' : '0';
    json_object_set_new(th_of(r), "digest", json_string(hex));
}
static void e_vkey(json_t *r) { add_g(member(r, 0), "verification_key"); }
static void e_t2(json_t *r) { json_object_set_new(th_of(r), "t", json_integer(2)); }
static void e_t0(json_t *r) { json_object_set_new(th_of(r), "t", json_integer(0)); }
static void e_t5(json_t *r) { json_object_set_new(th_of(r), "t", json_integer(5)); }
static void e_cid(json_t *r) { json_object_set_new(th_of(r), "ceremony", json_string("other")); }
static void e_name(json_t *r) { json_object_set_new(member(r, 1), "name", json_string("x")); }
static void e_dup_name(json_t *r)
{
    json_object_set(member(r, 1), "name", json_object_get(member(r, 0), "name"));
}
static void e_order(json_t *r)
{
    json_object_set_new(member(r, 1), "index", json_integer(3));
    json_object_set_new(member(r, 2), "index", json_integer(2));
}
static void e_index0(json_t *r) { json_object_set_new(member(r, 0), "index", json_integer(0)); }
static void e_both(json_t *r)       /* Y_T + G and Y + G: consistent, not the council's */
{
    add_g(th_of(r), "public_key");
    add_g(r, "public_key");
}
static void e_sum(json_t *r)
{
    json_object_set(r, "public_key", vec_at(r, "threshold.public_key"));
}
static void e_two_holders(json_t *r)
{
    json_t *h = json_deep_copy(json_array_get(json_object_get(r, "holders"), 0));

    json_object_set_new(h, "name", json_string("second"));
    json_array_append_new(json_object_get(r, "holders"), h);
}
#define ZERO64 "0000000000000000000000000000000000000000000000000000000000000000"
static void e_yt_identity(json_t *r)
{
    json_object_set_new(th_of(r), "public_key", json_string(ZERO64));
}
static void e_x_identity(json_t *r)
{
    json_object_set_new(member(r, 2), "verification_key", json_string(ZERO64));
}
static void e_extra(json_t *r) { json_object_set_new(th_of(r), "n", json_integer(5)); }
static void e_missing(json_t *r) { json_object_del(th_of(r), "digest"); }
static void e_hex(json_t *r) { json_object_set_new(th_of(r), "digest", json_string("ABCD")); }
static void e_point(json_t *r)
{
    char hex[65];

    strcpy(hex, vec_str(member(r, 0), "verification_key"));
    hex[62] = 'f';
    hex[63] = 'f';                  /* bit 255 set */
    json_object_set_new(member(r, 0), "verification_key", json_string(hex));
}
static void e_pok(json_t *r)
{
    json_t *pok = json_object_get(json_array_get(json_object_get(r, "holders"), 0), "pok");

    json_object_set(pok, "c", json_object_get(pok, "s"));
}
static void e_none(json_t *r) { (void)r; }

/* Made again from the ceremony and stream server/poll-t1. */
static struct record *test_create(const struct ceremony *c)
{
    const json_t *r = vec_at(poll_vec, "record");
    struct record_council_trustee tr[PROTO_MAX_TRUSTEES];
    const char *options[2], *roll[16];
    struct record_council council;
    struct record_params p;
    struct crypto_rng_stream st;
    struct crypto_rng rng = vec_trng(&st, "server/poll-t1");
    unsigned char x0[32], tap[4096], rtap[1024];
    struct record *rec = NULL;
    size_t i, flen = 0, rlen = 0, len = 0;
    char *text, *want;

    CHECK(record_council_of(c, &council, tr) == PROTO_OK && council.count == 4, "council");
    memset(&p, 0, sizeof p);
    p.id = vec_str(r, "id");
    p.question = vec_str(r, "question");
    for (i = 0; i < 2; i++)
        options[i] = json_string_value(json_array_get(vec_at(r, "options"), i));
    p.options = options;
    p.m = 2;
    p.min = p.max = 1;
    p.opens_at = vec_str(r, "opens_at");
    p.closes_at = vec_str(r, "closes_at");
    p.n = json_array_size(vec_at(r, "roll"));
    for (i = 0; i < p.n && i < 16; i++)
        roll[i] = json_string_value(json_array_get(vec_at(r, "roll"), i));
    p.roll = roll;
    CHECK(record_create_threshold(&p, &council, &rng, &rec, x0) == PROTO_OK, "create");
    if (rec == NULL)
        return NULL;
    CHECK(vec_eq(poll_vec, "server.x_0", x0, 32), "x_0");
    CHECK(vec_eq(poll_vec, "server.X_0", record_holder_key(rec, 0), 32), "X_0");
    CHECK(vec_eq(poll_vec, "fingerprint", record_fingerprint(rec), 32), "fingerprint");
    CHECK(vec_eq(poll_vec, "Y", record_public_key(rec), 32), "Y = X_0 + Y_T");
    CHECK(record_hash_inputs(rec, rtap, sizeof rtap, &rlen, tap, sizeof tap, &flen) == 0 &&
          vec_eq_blob(poll_vec, "fingerprint_input", tap, flen), "fingerprint input");
    text = record_serialize(rec, 0, &len);
    want = vec_compact(r);
    CHECK(text != NULL && want != NULL && strcmp(text, want) == 0, "record JSON byte for byte");
    free(text);
    free(want);
    return rec;
}

static void test_read(const struct record *made)
{
    char *text = edited(e_none);
    struct record *rec = NULL;
    json_t *v1 = vec_load("poll.json");
    char *v1text = vec_compact(vec_at(v1, "polls[0].record"));

    CHECK(record_parse_kind(text, strlen(text), RECORD_THRESHOLD, &rec) == PROTO_OK &&
          memcmp(record_fingerprint(rec), record_fingerprint(made), 32) == 0 &&
          record_threshold(rec) != NULL && record_threshold_t(record_threshold(rec)) == 3,
          "read as a threshold record");
    record_free(rec);
    CHECK(record_parse(text, strlen(text), &rec) == PROTO_SHAPE && rec == NULL,
          "a v1 reader refuses it: shape (field threshold)");
    CHECK(record_parse_kind(text, strlen(text), RECORD_V1 | RECORD_THRESHOLD, &rec) == PROTO_OK,
          "a reader of both reads it");
    record_free(rec);
    CHECK(record_parse_kind(v1text, strlen(v1text), RECORD_THRESHOLD, &rec) == PROTO_SHAPE,
          "a threshold-only reader refuses a v1 record: shape");
    CHECK(record_parse_kind(v1text, strlen(v1text), RECORD_V1 | RECORD_THRESHOLD, &rec) ==
              PROTO_OK && record_threshold(rec) == NULL, "a reader of both reads a v1 record");
    record_free(rec);
    free(v1text);
    json_decref(v1);
    free(text);
}

struct edit_case {
    const char *name;
    void (*edit)(json_t *rec);
    enum proto_reason parse;     /* of record_parse_kind */
    enum proto_reason check;     /* of record_threshold_check, when it parses */
};

static const struct edit_case edit_cases[] = {
    { "unchanged", e_none, PROTO_OK, PROTO_OK },
    { "digest", e_digest, PROTO_OK, PROTO_CEREMONY },
    { "verification key X_1 + G", e_vkey, PROTO_OK, PROTO_CEREMONY },
    { "t = 2", e_t2, PROTO_OK, PROTO_CEREMONY },
    { "ceremony id", e_cid, PROTO_OK, PROTO_CEREMONY },
    { "a member's name", e_name, PROTO_OK, PROTO_CEREMONY },
    { "Y_T + G and Y + G", e_both, PROTO_OK, PROTO_CEREMONY },
    { "Y = Y_T", e_sum, PROTO_VALUE, PROTO_OK },
    { "two holders", e_two_holders, PROTO_VALUE, PROTO_OK },
    { "t = 0", e_t0, PROTO_VALUE, PROTO_OK },
    { "t > |QUAL|", e_t5, PROTO_VALUE, PROTO_OK },
    { "indices out of order", e_order, PROTO_VALUE, PROTO_OK },
    { "index 0", e_index0, PROTO_VALUE, PROTO_OK },
    { "duplicate names", e_dup_name, PROTO_VALUE, PROTO_OK },
    { "Y_T identity", e_yt_identity, PROTO_IDENTITY, PROTO_OK },
    { "X_j identity", e_x_identity, PROTO_IDENTITY, PROTO_OK },
    { "extra member", e_extra, PROTO_SHAPE, PROTO_OK },
    { "missing member", e_missing, PROTO_SHAPE, PROTO_OK },
    { "digest not hex", e_hex, PROTO_HEX, PROTO_OK },
    { "bit 255 in X_j", e_point, PROTO_POINT, PROTO_OK },
    { "holder 0's proof", e_pok, PROTO_PROOF, PROTO_OK },
};

static void test_edits(const struct ceremony *c)
{
    char what[160];
    size_t i;

    for (i = 0; i < sizeof edit_cases / sizeof edit_cases[0]; i++) {
        const struct edit_case *e = &edit_cases[i];
        char *text = edited(e->edit);
        struct record *rec = NULL;
        enum proto_reason got = record_parse_kind(text, strlen(text), RECORD_THRESHOLD, &rec);
        enum proto_reason chk = rec != NULL ? record_threshold_check(rec, c) : PROTO_OK;

        snprintf(what, sizeof what, "%s: want %s then %s, got %s then %s", e->name,
                 proto_reason_code(e->parse), proto_reason_code(e->check),
                 proto_reason_code(got), proto_reason_code(chk));
        CHECK(got == e->parse && chk == e->check, what);
        record_free(rec);
        free(text);
    }
}

int main(void)
{
    struct ceremony *c;
    struct record *rec = NULL;

    if (crypto_init() != 0)
        return 1;
    poll_vec = vec_load("threshold/poll.json");
    c = vec_ceremony();
    CHECK(poll_vec != NULL && c != NULL, "vectors");
    if (c != NULL && (rec = test_create(c)) != NULL) {
        test_read(rec);
        test_edits(c);
        CHECK(record_threshold_check(rec, c) == PROTO_OK, "the made record matches the ceremony");
    }
    record_free(rec);
    ceremony_free(c);
    json_decref(poll_vec);
    TEST_MAIN_END("test_record_threshold");
}
