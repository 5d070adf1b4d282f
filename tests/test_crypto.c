/*
 * test_crypto.c — hex, points, scalars, Hs/Hd framing (hashes.json byte for
 * byte), the vectors' rng streams, and the strict JSON reader and writer.
 */
#include <sodium.h>

#include "harness.h"
#include "vectors.h"

#include "sjson.h"

static void test_hex(void)
{
    unsigned char b[4];
    char out[9];

    CHECK(crypto_hex_decode(b, 4, "00ff10ab", 8) == 0 && b[1] == 0xff && b[3] == 0xab,
          "hex decodes lowercase");
    CHECK_NE_INT(crypto_hex_decode(b, 4, "00FF10ab", 8), 0, "hex rejects uppercase");
    CHECK_NE_INT(crypto_hex_decode(b, 4, "00ff10a", 7), 0, "hex rejects odd length");
    CHECK_NE_INT(crypto_hex_decode(b, 4, "00ff10ab00", 10), 0, "hex rejects extra bytes");
    CHECK_NE_INT(crypto_hex_decode(b, 4, "00ff10a ", 8), 0, "hex rejects whitespace");
    CHECK_NE_INT(crypto_hex_decode(b, 4, "00ff10ag", 8), 0, "hex rejects non-hex");
    CHECK_EQ_INT(crypto_hex_decode(b, 0, "", 0), 0, "hex of nothing");
    b[0] = 0xde, b[1] = 0xad, b[2] = 0x01, b[3] = 0xf0;
    crypto_hex_encode(out, b, 4);
    CHECK_EQ_STR(out, "dead01f0", "hex encodes lowercase");
}

static void test_points(void)
{
    static const char *const invalid[] = {
        /* RFC 9496 A.2: non-canonical, negative, not on curve */
        "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
    };
    unsigned char p[32], q[32], s[32], id[32];
    size_t i;

    memset(id, 0, sizeof id);
    CHECK_EQ_INT(crypto_point_check(id), PROTO_OK, "identity decodes");
    CHECK(crypto_point_is_identity(id), "identity recognised");
    CHECK_EQ_INT(crypto_point_check(crypto_point_base()), PROTO_OK, "G decodes");
    memcpy(p, crypto_point_base(), 32);
    p[31] |= 0x80;
    CHECK_EQ_INT(crypto_core_ristretto255_is_valid_point(p), 1,
                 "libsodium accepts bit 255 (why we check)");
    CHECK_EQ_INT(crypto_point_check(p), PROTO_POINT, "bit 255 set rejected");
    for (i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        CHECK(crypto_hex_decode(p, 32, invalid[i], 64) == 0 && crypto_point_check(p) == PROTO_POINT,
              invalid[i]);
    }
    /* the cheap encoding check: canonical field elements only */
    CHECK_EQ_INT(crypto_point_check_encoding(crypto_point_base()), PROTO_OK, "G's encoding");
    CHECK_EQ_INT(crypto_point_check_encoding(id), PROTO_OK, "identity's encoding");
    CHECK(crypto_hex_decode(p, 32, invalid[3], 64) == 0 &&
          crypto_point_check_encoding(p) == PROTO_POINT, "p itself is not canonical");
    CHECK(crypto_hex_decode(p, 32, invalid[4], 64) == 0 &&
          crypto_point_check_encoding(p) == PROTO_POINT, "odd (negative) rejected");
    CHECK(crypto_hex_decode(p, 32, invalid[1], 64) == 0 &&
          crypto_point_check_encoding(p) == PROTO_POINT, "2^255 - 1 rejected");
    CHECK(crypto_hex_decode(p, 32, invalid[6], 64) == 0 &&
          crypto_point_check_encoding(p) == PROTO_OK && crypto_point_check(p) == PROTO_POINT,
          "off the curve: canonical encoding, not a point");
    memcpy(p, crypto_point_base(), 32);
    p[31] |= 0x80;
    CHECK_EQ_INT(crypto_point_check_encoding(p), PROTO_POINT,
                 "bit 255 rejected by the cheap check");
    memset(p, 0xff, 31);
    p[0] = 0xec;
    p[31] = 0x7f;
    CHECK_EQ_INT(crypto_point_check_encoding(p), PROTO_OK, "p - 1 is a canonical field element");
    /* identity results are legitimate */
    memset(s, 0, sizeof s);
    CHECK(crypto_point_mul_base(q, s) == 0 && crypto_point_is_identity(q), "0·G = identity");
    crypto_scalar_from_u32(s, 7);
    CHECK(crypto_point_mul(q, s, id) == 0 && crypto_point_is_identity(q), "7·identity = identity");
    CHECK(crypto_point_mul_base_u32(q, 2) == 0 && crypto_point_add(p, crypto_point_base(),
          crypto_point_base()) == 0 && memcmp(p, q, 32) == 0, "2·G = G + G");
    CHECK(crypto_point_sub(p, p, q) == 0 && crypto_point_is_identity(p), "P − P = identity");
    memset(p, 0xff, 32);
    CHECK_NE_INT(crypto_point_mul(q, s, p), 0, "mul rejects an invalid point");
    CHECK_NE_INT(crypto_point_add(q, p, crypto_point_base()), 0, "add rejects an invalid point");
}

static void test_scalars(void)
{
    static const char *l_hex = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
    unsigned char s[32];

    CHECK_EQ_INT(crypto_hex_decode(s, 32, l_hex, 64), 0, "l decodes");
    CHECK_EQ_INT(crypto_scalar_check(s), PROTO_SCALAR, "l rejected");
    s[0]--;
    CHECK_EQ_INT(crypto_scalar_check(s), PROTO_OK, "l - 1 accepted");
    s[0] += 2;
    CHECK_EQ_INT(crypto_scalar_check(s), PROTO_SCALAR, "l + 1 rejected");
    memset(s, 0xff, 32);
    CHECK_EQ_INT(crypto_scalar_check(s), PROTO_SCALAR, "2^256 - 1 rejected");
    memset(s, 0, 32);
    CHECK_EQ_INT(crypto_scalar_check(s), PROTO_OK, "0 accepted");
    s[31] = 0x10;
    CHECK_EQ_INT(crypto_scalar_check(s), PROTO_OK, "2^252 < l accepted");
}

/* One field of hashes.json into the hash. */
static void hash_field(struct crypto_hash *h, const json_t *f)
{
    const char *kind = vec_str(f, "kind");
    unsigned char b[32];

    if (strcmp(kind, "u32") == 0) {
        crypto_hash_u32(h, (uint32_t)vec_int(f, "value"));
    } else if (strcmp(kind, "str") == 0) {
        const char *s = vec_str(f, "value");

        crypto_hash_str(h, s, strlen(s));
    } else {
        CHECK_EQ_INT(vec_bytes(f, "hex", b, 32), 0, "fixed field is 32 bytes");
        crypto_hash_b32(h, b);
    }
}

static void test_hashes(void)
{
    json_t *root = vec_load("hashes.json"), *ex = vec_at(root, "examples");
    size_t i, j;

    CHECK_EQ_INT(json_array_size(ex), 7, "hashes.json has 7 examples");
    for (i = 0; i < json_array_size(ex); i++) {
        const json_t *e = json_array_get(ex, i), *fields = vec_at(e, "fields");
        int hs = strcmp(vec_str(e, "function"), "Hs") == 0;
        unsigned char tap[1024], out[32], d512[64];
        struct crypto_hash h, tag;

        crypto_hash_init_tap(&tag, hs ? CRYPTO_HS : CRYPTO_HD, vec_str(e, "label"), tap, sizeof tap);
        CHECK(vec_eq_blob(e, "tag_hex", tap, tag.tap_len), vec_str(e, "name"));
        crypto_hash_init_tap(&h, hs ? CRYPTO_HS : CRYPTO_HD, vec_str(e, "label"), tap, sizeof tap);
        for (j = 0; j < json_array_size(fields); j++) {
            size_t before = h.tap_len;

            hash_field(&h, json_array_get(fields, j));
            CHECK(vec_eq_blob(json_array_get(fields, j), "hex", tap + before, h.tap_len - before),
                  "field bytes");
        }
        CHECK(vec_eq_blob(e, "input_hex", tap, h.tap_len), "framed input");
        if (hs) {
            crypto_hash_sha512(d512, tap, h.tap_len);
            CHECK(vec_eq(e, "sha512", d512, 64), "SHA-512 of the input");
            CHECK(crypto_hash_final_scalar(&h, out) == 0 && vec_eq(e, "output", out, 32), "Hs");
            CHECK_NE_INT(crypto_hash_final_digest(&h, out), 0, "Hs has no digest");
        } else {
            CHECK(crypto_hash_final_digest(&h, out) == 0 && vec_eq(e, "output", out, 32), "Hd");
        }
    }
    json_decref(root);
}

static void test_hash_tap_overflow(void)
{
    unsigned char tap[8], out[32];
    struct crypto_hash h;

    crypto_hash_init_tap(&h, CRYPTO_HD, "roll", tap, sizeof tap);
    CHECK_NE_INT(crypto_hash_final_digest(&h, out), 0, "a tap too small fails the hash");
}

static void test_rng(void)
{
    struct crypto_rng_stream st;
    struct crypto_rng rng = vec_rng(&st, "receipt/server-signing-key");
    json_t *b = vec_load("ballots.json");
    unsigned char seed[32], block[64], again[64];
    struct crypto_hash_sha512_state hs;
    unsigned char ctr[4] = { 0, 0, 0, 1 };
    const char *prefix = "conclave/ristretto255/v1 test vectors/receipt/server-signing-key";

    crypto_rng_bytes(&rng, seed, 32);
    CHECK(vec_eq(b, "receipt.signing_seed", seed, 32), "32-byte draw is block 0's head");
    crypto_rng_bytes(&rng, block, 64);
    crypto_hash_sha512_init(&hs);
    crypto_hash_sha512_update(&hs, (const unsigned char *)prefix, strlen(prefix));
    crypto_hash_sha512_update(&hs, ctr, 4);
    crypto_hash_sha512_final(&hs, again);
    CHECK_EQ_HEX(block, again, 64, "draw 1 is SHA-512(prefix || u32be(1))");
    rng = crypto_rng_system();
    crypto_rng_bytes(&rng, block, 64);
    crypto_rng_bytes(&rng, again, 64);
    CHECK(memcmp(block, again, 64) != 0, "system rng differs between draws");
    crypto_rng_scalar(&rng, seed);
    CHECK_EQ_INT(crypto_scalar_check(seed), PROTO_OK, "scalar draw is reduced");
    json_decref(b);
}

static enum proto_reason parse_reason(const char *text)
{
    enum proto_reason why;
    json_t *v = sjson_parse(text, strlen(text), 1 << 20, &why);

    json_decref(v);
    return why;
}

static void test_sjson_read(void)
{
    static const char *const bad[] = {
        "{\"a\":1.0}", "{\"a\":-0}", "{\"a\":-1}", "{\"a\":1e2}", "{\"a\":1E2}", "{\"a\":01}",
        "{\"a\":1,\"a\":1}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00x\"}", "{\"a\":\"\xff\"}",
        "{\"a\":\"\xc0\xaf\"}", "{\"a\":\"\xed\xa0\x80\"}", "[1]", "\"x\"", "{\"a\":1} x",
        "{\"a\":\"\\u0000\"}", "", "{\"a\":+1}", "{\"a\":.5}",
    };
    static const char *const good[] = {
        "{\"a\":0}", "{\"a\":4294967295}", "{\"a\":\"1.0 -0 1e2\"}", "{\"a\":\"\\\"1.5\"}",
        "{\"a\":\"\\ud83d\\uddf3\"}", "{\"a\":[true,false,null]}", " {\"e\" : 10 } ",
    };
    const char *keys[] = { "a", "b" };
    uint32_t u;
    size_t i;
    json_t *v;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_INT(parse_reason(bad[i]), PROTO_SHAPE, bad[i]);
    for (i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK_EQ_INT(parse_reason(good[i]), PROTO_OK, good[i]);
    CHECK_EQ_INT(parse_reason("{\"a\":1}"), PROTO_OK, "small document");
    v = json_pack("{s:i,s:I}", "a", 1, "b", (json_int_t)4294967296LL);
    CHECK_EQ_INT(sjson_object_exact(v, keys, 2), PROTO_OK, "exact keys");
    CHECK_EQ_INT(sjson_object_exact(v, keys, 1), PROTO_SHAPE, "extra key");
    CHECK(sjson_get_u32(v, "a", &u) == PROTO_OK && u == 1, "u32");
    CHECK_EQ_INT(sjson_get_u32(v, "b", &u), PROTO_SHAPE, "u32 above 2^32 - 1");
    CHECK_EQ_INT(sjson_get_u32(v, "c", &u), PROTO_SHAPE, "missing u32");
    json_decref(v);
    {
        enum proto_reason why;

        CHECK(sjson_parse("{\"a\":1}", 7, 6, &why) == NULL && why == PROTO_SHAPE, "size cap");
    }
}

static void test_sjson_write(void)
{
    static const char want_pretty[] =
        "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    1,\n    \"x\\u001f\\n\\\"\\\\/é\"\n  ],\n"
        "  \"d\": null,\n  \"e\": true\n}";
    static const char want_compact[] = "{\"a\":[],\"b\":{},\"c\":[1,\"x\\u001f\\n\\\"\\\\/é\"],"
                                       "\"d\":null,\"e\":true}";
    const char str[] = "x\x1f\n\"\\/é";
    int pretty;

    for (pretty = 0; pretty <= 1; pretty++) {
        struct sjson_out o;
        char *text;

        sjson_out_init(&o, pretty, 1 << 20);
        sjson_out_begin_object(&o);
        sjson_out_key(&o, "a");
        sjson_out_begin_array(&o);
        sjson_out_end_array(&o);
        sjson_out_key(&o, "b");
        sjson_out_begin_object(&o);
        sjson_out_end_object(&o);
        sjson_out_key(&o, "c");
        sjson_out_begin_array(&o);
        sjson_out_u32(&o, 1);
        sjson_out_string(&o, str, strlen(str));
        sjson_out_end_array(&o);
        sjson_out_key(&o, "d");
        sjson_out_null(&o);
        sjson_out_key(&o, "e");
        sjson_out_bool(&o, 1);
        sjson_out_end_object(&o);
        text = sjson_out_finish(&o, NULL);
        CHECK(text != NULL && strcmp(text, pretty ? want_pretty : want_compact) == 0,
              pretty ? "pretty writer" : "compact writer");
        free(text);
    }
    {
        struct sjson_out o;

        sjson_out_init(&o, 0, 4);
        sjson_out_begin_array(&o);
        sjson_out_string(&o, "long", 4);
        sjson_out_end_array(&o);
        CHECK(sjson_out_finish(&o, NULL) == NULL, "writer size cap");
        sjson_out_init(&o, 0, 100);
        sjson_out_begin_array(&o);
        CHECK(sjson_out_finish(&o, NULL) == NULL, "unclosed document fails");
    }
}

int main(void)
{
    if (crypto_init() != 0)
        return 1;
    test_hex();
    test_points();
    test_scalars();
    test_hashes();
    test_hash_tap_overflow();
    test_rng();
    test_sjson_read();
    test_sjson_write();
    TEST_MAIN_END("test_crypto");
}
