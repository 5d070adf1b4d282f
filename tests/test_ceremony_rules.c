/*
 * test_ceremony_rules.c — the key ceremony's messages one by one, as the
 * bulletin board receives them (PROTOCOL-threshold T2–T4, codes of §10 and
 * T8): the vectors' setup, dealings and verdicts each changed in one field
 * and checked with ceremony_setup_parse, ceremony_dealing_parse and
 * ceremony_verdict_parse, with the code each change must give; the rounds
 * (one message per trustee, nothing after a round closes); and a verdict
 * against a dealer that did not deal.
 */
#include "harness.h"
#include "vectors.h"

#include "ceremony.h"
#include "trustee.h"
#include "sjson.h"

#define ZERO64 "0000000000000000000000000000000000000000000000000000000000000000"
#define ELL "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"
#define BIT255 "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2df6"
#define ODD "0100000000000000000000000000000000000000000000000000000000000000"

static json_t *tr;                      /* the vectors' transcript */

/* root[path] = value (stolen); path like "a.b[2].c" or "a[1]". */
static void set_at(json_t *root, const char *path, json_t *value)
{
    char parent[128];
    const char *dot = strrchr(path, '.'), *br = strrchr(path, '[');
    json_t *p;

    if (br != NULL && (dot == NULL || br > dot)) {
        snprintf(parent, sizeof parent, "%.*s", (int)(br - path), path);
        p = parent[0] != '\0' ? vec_at(root, parent) : root;
        if (strtoul(br + 1, NULL, 10) == json_array_size(p))
            json_array_append_new(p, value);
        else
            json_array_set_new(p, strtoul(br + 1, NULL, 10), value);
        return;
    }
    if (dot != NULL) {
        snprintf(parent, sizeof parent, "%.*s", (int)(dot - path), path);
        json_object_set_new(vec_at(root, parent), dot + 1, value);
    } else {
        json_object_set_new(root, path, value);
    }
}

/* A change: the member at path becomes the JSON value text (NULL: removed). */
struct change {
    const char *name;
    const char *path;
    const char *json;
    enum proto_reason want;
};

static char *changed(const json_t *obj, const struct change *ch)
{
    json_t *copy = json_deep_copy(obj), *v;
    char *text;

    if (ch->path != NULL && ch->json == NULL) {
        json_object_del(copy, ch->path);
    } else if (ch->path != NULL) {
        v = json_loads(ch->json, JSON_DECODE_ANY, NULL);
        if (v == NULL)
            v = json_string(ch->json);          /* a bare hex string */
        set_at(copy, ch->path, v);
    }
    text = vec_compact(copy);
    json_decref(copy);
    return text;
}

static void report(const char *kind, const struct change *ch, enum proto_reason got)
{
    char what[200];

    snprintf(what, sizeof what, "%s %s: want %s, got %s", kind, ch->name,
             proto_reason_code(ch->want), proto_reason_code(got));
    CHECK(got == ch->want, what);
}

static json_t *setup_json(void)
{
    json_t *s = json_object();

    json_object_set(s, "id", json_object_get(tr, "id"));
    json_object_set(s, "t", json_object_get(tr, "t"));
    json_object_set(s, "trustees", json_object_get(tr, "trustees"));
    return s;
}

static const struct change setup_changes[] = {
    { "unchanged", NULL, NULL, PROTO_OK },
    { "t = 0", "t", "0", PROTO_VALUE },
    { "t > n", "t", "6", PROTO_VALUE },
    { "t negative", "t", "-1", PROTO_SHAPE },
    { "t a string", "t", "\"3\"", PROTO_SHAPE },
    { "an empty name", "trustees[1].name", "\"\"", PROTO_VALUE },
    { "a name twice", "trustees[1].name", "\"trustee-ada\"", PROTO_VALUE },
    { "a key twice", "trustees[1].identity_key",
      "\"4cb16d19d64277103567704bbabadd5ae9cf43198eb2c73b97a7a66d409f4a73\"", PROTO_VALUE },
    { "an identity key", "trustees[1].identity_key", ZERO64, PROTO_IDENTITY },
    { "bit 255", "trustees[1].identity_key", BIT255, PROTO_POINT },
    { "not a point", "trustees[1].identity_key", ODD, PROTO_POINT },
    { "capitals", "trustees[1].identity_key",
      "4CB16D19D64277103567704BBABADD5AE9CF43198EB2C73B97A7A66D409F4A73", PROTO_HEX },
    { "c = l", "trustees[1].pok.c", ELL, PROTO_SCALAR },
    { "a name the proof does not bind", "trustees[1].name", "\"someone\"", PROTO_PROOF },
    { "another id", "id", "\"council-2027\"", PROTO_PROOF },
    { "an extra member", "n", "5", PROTO_SHAPE },
    { "no t", "t", NULL, PROTO_SHAPE },
    { "no trustees", "trustees", "[]", PROTO_VALUE },
};

static void test_setup(void)
{
    json_t *s = setup_json(), *big;
    struct ceremony *c;
    size_t i;
    char *text;

    for (i = 0; i < sizeof setup_changes / sizeof setup_changes[0]; i++) {
        text = changed(s, &setup_changes[i]);
        c = NULL;
        report("setup", &setup_changes[i], ceremony_setup_parse(text, strlen(text), &c));
        CHECK((c != NULL) == (setup_changes[i].want == PROTO_OK), "a ceremony only when valid");
        ceremony_free(c);
        free(text);
    }
    big = json_deep_copy(s);            /* 65 trustees: over the cap, before any proof */
    for (i = 0; i < 60; i++)
        json_array_append(json_object_get(big, "trustees"),
                          json_array_get(json_object_get(s, "trustees"), i % 5));
    text = vec_compact(big);
    CHECK(ceremony_setup_parse(text, strlen(text), &c) == PROTO_VALUE, "65 trustees: value");
    free(text);
    json_decref(big);
    json_decref(s);
}

/* T2: one registration at a time, as a trustee sends it. */
static void test_registrations(void)
{
    const char *id = vec_str(tr, "id");
    struct ceremony_identity reg;
    char name[64], tiny[4], *text, *back;
    json_t *e;
    size_t i, len;

    for (i = 0; i < 5; i++) {
        e = json_array_get(vec_at(tr, "trustees"), i);
        text = vec_compact(e);
        CHECK(ceremony_identity_parse(id, strlen(id), (uint32_t)i + 1, text, strlen(text), &reg,
                                      name, sizeof name) == PROTO_OK &&
              strcmp(reg.name, vec_str(e, "name")) == 0, "a registration reads");
        back = ceremony_identity_serialize(&reg, 0, &len);
        CHECK(back != NULL && strcmp(back, text) == 0, "and writes back byte for byte");
        CHECK(ceremony_identity_parse(id, strlen(id), (uint32_t)i + 2, text, strlen(text), &reg,
                                      name, sizeof name) == PROTO_PROOF,
              "as another trustee's: proof");
        CHECK(ceremony_identity_parse("x", 1, (uint32_t)i + 1, text, strlen(text), &reg, name,
                                      sizeof name) == PROTO_PROOF,
              "for another ceremony: proof");
        CHECK(ceremony_identity_parse(id, strlen(id), (uint32_t)i + 1, text, strlen(text), &reg,
                                      tiny, sizeof tiny) == PROTO_VALUE && reg.name == NULL,
              "a name longer than the buffer: value");
        free(back);
        free(text);
    }
    text = vec_compact(json_array_get(vec_at(tr, "trustees"), 0));
    text[strlen(text) - 1] = ',';
    CHECK(ceremony_identity_parse(id, strlen(id), 1, text, strlen(text), &reg, name,
                                  sizeof name) == PROTO_SHAPE, "not JSON: shape");
    free(text);
}

static struct ceremony *setup_ceremony(void)
{
    json_t *s = setup_json();
    char *text = vec_compact(s);
    struct ceremony *c = NULL;

    CHECK(ceremony_setup_parse(text, strlen(text), &c) == PROTO_OK, "the vectors' setup");
    free(text);
    json_decref(s);
    return c;
}

static const struct change dealing_changes[] = {
    { "unchanged", NULL, NULL, PROTO_OK },
    { "dealer 0", "dealer", "0", PROTO_VALUE },
    { "dealer 6", "dealer", "6", PROTO_VALUE },
    { "another dealer's number", "dealer", "2", PROTO_VALUE },
    { "t + 1 commitments", "commitments[3]", ZERO64, PROTO_SHAPE },
    { "a share to 6", "shares[4]", "{\"to\": 6, \"ct\": \"" ZERO64 "\"}", PROTO_SHAPE },
    { "a recipient changed", "shares[0].to", "3", PROTO_VALUE },
    { "a ciphertext not hex", "shares[0].ct", "00", PROTO_HEX },
    { "bit 255 in C_1", "commitments[1]", BIT255, PROTO_POINT },
    { "R not a point", "ephemeral", ODD, PROTO_POINT },
    { "s_eph = l", "proof.s_eph", ELL, PROTO_SCALAR },
    { "C_0 the identity", "commitments[0]", ZERO64, PROTO_IDENTITY },
    { "R the identity", "ephemeral", ZERO64, PROTO_IDENTITY },
    { "C_1 the identity (allowed, but signed otherwise)", "commitments[1]", ZERO64, PROTO_PROOF },
    { "a ciphertext changed", "shares[2].ct", ZERO64, PROTO_PROOF },
    { "s_poly = 0", "proof.s_poly", ZERO64, PROTO_PROOF },
    { "an extra member", "note", "1", PROTO_SHAPE },
    { "shares an object", "shares", "{}", PROTO_SHAPE },
    { "no proof", "proof", NULL, PROTO_SHAPE },
};

static void test_dealings(void)
{
    struct ceremony *c = setup_ceremony();
    struct ceremony_dealing d;
    const json_t *d0 = vec_at(tr, "dealings[0]");
    size_t i;
    char *text;

    if (c == NULL)
        return;
    for (i = 0; i < sizeof dealing_changes / sizeof dealing_changes[0]; i++) {
        text = changed(d0, &dealing_changes[i]);
        report("dealing", &dealing_changes[i], ceremony_dealing_parse(c, text, strlen(text), &d));
        free(text);
    }
    for (i = 0; i < 5; i++) {
        text = vec_compact(json_array_get(vec_at(tr, "dealings"), i));
        CHECK(ceremony_dealing_parse(c, text, strlen(text), &d) == PROTO_OK &&
              ceremony_dealing_add(c, &d) == PROTO_OK, "each vector dealing is accepted");
        CHECK(ceremony_dealing_add(c, &d) == PROTO_VALUE, "and only once");
        free(text);
    }
    CHECK(ceremony_dealing_count(c) == 5 && ceremony_dealings_digest(c) == NULL &&
          ceremony_dealings_close(c) == 0 && ceremony_dealings_digest(c) != NULL,
          "round 1 closes");
    CHECK(ceremony_dealing_add(c, &d) == PROTO_VALUE, "no dealing after the close");
    ceremony_free(c);
}

static const struct change verdict_changes[] = {
    { "unchanged", NULL, NULL, PROTO_OK },
    { "trustee 0", "trustee", "0", PROTO_VALUE },
    { "trustee 6", "trustee", "6", PROTO_VALUE },
    { "another dealings digest", "dealings", ZERO64, PROTO_DEALINGS },
    { "against oneself", "complaints[0].dealer", "2", PROTO_VALUE },
    { "against no trustee", "complaints[0].dealer", "9", PROTO_VALUE },
    { "an identity key", "complaints[0].key", ZERO64, PROTO_IDENTITY },
    { "a key not a point", "complaints[0].key", ODD, PROTO_POINT },
    { "a complaint twice", "complaints[1]",
      "{\"dealer\": 4, \"key\": "
      "\"081b17e38e8a3a683bbfb6fcceb4d87b7bccf89493a6e7b8efbd8d7afacaec1c\"}",
      PROTO_VALUE },
    { "the complaint dropped", "complaints", "[]", PROTO_PROOF },
    { "s = l", "proof.s", ELL, PROTO_SCALAR },
    { "complaints an object", "complaints", "{}", PROTO_SHAPE },
    { "an extra member", "note", "1", PROTO_SHAPE },
};

/* A ceremony with the vectors' dealings but dealer 5's, closed. */
static struct ceremony *without_dealer_5(void)
{
    struct ceremony *c = setup_ceremony();
    struct ceremony_dealing d;
    size_t i;
    char *text;

    for (i = 0; c != NULL && i < 4; i++) {
        text = vec_compact(json_array_get(vec_at(tr, "dealings"), i));
        CHECK(ceremony_dealing_parse(c, text, strlen(text), &d) == PROTO_OK &&
              ceremony_dealing_add(c, &d) == PROTO_OK, "dealing");
        free(text);
    }
    if (c != NULL)
        ceremony_dealings_close(c);
    return c;
}

static void test_verdicts(void)
{
    struct ceremony *open = setup_ceremony(), *c = NULL, *four = without_dealer_5();
    const json_t *v1 = vec_at(tr, "verdicts[1]");
    struct ceremony_verdict v;
    char where[64], *text;
    json_t *copy;
    size_t i;

    text = vec_compact(tr);
    CHECK(ceremony_transcript_parse(text, strlen(text), &c, where, sizeof where) == PROTO_OK,
          "the vectors' transcript");
    free(text);
    text = vec_compact(v1);
    CHECK(open != NULL && ceremony_verdict_parse(open, text, strlen(text), &v) == PROTO_VALUE,
          "a verdict while round 1 is open: value");
    free(text);
    for (i = 0; c != NULL && i < sizeof verdict_changes / sizeof verdict_changes[0]; i++) {
        text = changed(v1, &verdict_changes[i]);
        report("verdict", &verdict_changes[i], ceremony_verdict_parse(c, text, strlen(text), &v));
        free(text);
    }
    copy = json_deep_copy(vec_at(tr, "verdicts[0]"));   /* ada complains about dealer 5 */
    json_array_append_new(json_object_get(copy, "complaints"),
                          json_pack("{s:i, s:s}", "dealer", 5, "key",
                                    vec_str(tr, "trustees[0].identity_key")));
    if (four != NULL) {
        char hex[65];

        crypto_hex_encode(hex, ceremony_dealings_digest(four), 32);
        json_object_set_new(copy, "dealings", json_string(hex));
        text = vec_compact(copy);
        CHECK(ceremony_verdict_parse(four, text, strlen(text), &v) == PROTO_VALUE,
              "a complaint against a dealer with no dealing: value");
        free(text);
    }
    json_decref(copy);
    ceremony_free(four);
    ceremony_free(open);
    ceremony_free(c);
}

int main(void)
{
    json_t *root;

    if (crypto_init() != 0)
        return 1;
    root = vec_load("threshold/ceremony.json");
    tr = vec_at(root, "transcript");
    CHECK(tr != NULL, "ceremony.json");
    if (tr != NULL) {
        test_registrations();
        test_setup();
        test_dealings();
        test_verdicts();
    }
    json_decref(root);
    TEST_MAIN_END("test_ceremony_rules");
}
