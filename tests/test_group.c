/*
 * test_group.c — group.c against libsodium byte for byte: decoding accepts
 * exactly the encodings crypto_point_check accepts (random strings, RFC 9496's bad
 * encodings, values at and above p), and sums, differences and long chains
 * encode to what crypto_point_add / crypto_point_sub give.
 */
#include <sodium.h>

#include "harness.h"

#include "group.h"

#define GROUP_TRIES 2000

/* libsodium's verdict, with the bit-255 check it lacks (crypto.c). */
static int sodium_valid(const unsigned char s[32])
{
    return crypto_point_check(s) == PROTO_OK;
}

static void test_roundtrip(void)
{
    unsigned char p[32], again[32], zero[32] = { 0 };
    struct group_point P, id;
    int i, ok = 1;

    for (i = 0; i < GROUP_TRIES; i++) {
        crypto_core_ristretto255_random(p);
        if (group_decode(&P, p) != 0)
            ok = 0;
        group_encode(again, &P);
        if (memcmp(again, p, 32) != 0)
            ok = 0;
    }
    CHECK(ok, "random points decode and encode back to the same bytes");
    CHECK_EQ_INT(group_decode(&P, zero), 0, "the identity decodes");
    group_encode(again, &P);
    CHECK_EQ_HEX(again, zero, 32, "the identity encodes to zeros");
    group_identity(&id);
    group_encode(again, &id);
    CHECK_EQ_HEX(again, zero, 32, "group_identity encodes to zeros");
    CHECK_EQ_INT(group_decode(&P, crypto_point_base()), 0, "G decodes");
    group_encode(again, &P);
    CHECK_EQ_HEX(again, crypto_point_base(), 32, "G encodes back");
}

/* Random strings (bit 255 and the low bit cleared or not), then p + k. */
static void test_validity(void)
{
    static const unsigned char p_le[32] = {
        0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f };
    unsigned char s[32];
    struct group_point P;
    int i, agree = 1, valid = 0, valid_near_p = 0;

    for (i = 0; i < 20 * GROUP_TRIES; i++) {
        randombytes_buf(s, sizeof s);
        if (i & 1)
            s[31] &= 0x7f;
        if (i & 2)
            s[0] &= 0xfe;
        valid += sodium_valid(s);
        if ((group_decode(&P, s) == 0) != sodium_valid(s))
            agree = 0;
    }
    CHECK(agree, "random strings: group_decode accepts exactly what crypto_point_check accepts");
    CHECK(valid > 100, "some random strings were valid encodings");
    for (i = 0; i < 19; i++) {       /* p, p + 1, ..., 2^255 − 1: all non-canonical */
        memcpy(s, p_le, 32);
        s[0] = (unsigned char)(s[0] + i);
        if (group_decode(&P, s) == 0 || sodium_valid(s))
            agree = 0;
    }
    CHECK(agree, "values from p to 2^255 − 1 are rejected, as libsodium does");
    for (i = 0; i < 32; i++) {       /* x·G encodings with bit 255 set */
        unsigned char n[32];

        crypto_scalar_from_u32(n, (uint32_t)i + 1);
        if (crypto_point_mul_base(s, n) != 0)
            agree = 0;
        s[31] |= 0x80;
        if (group_decode(&P, s) == 0)
            agree = 0;
    }
    CHECK(agree, "valid points with bit 255 set are rejected");
    for (i = 0; i < 120; i++) {      /* even values just below p: limbs near 2^51 − 1 */
        unsigned char q[32], got[32], want[32];
        struct group_point Q, R;

        memcpy(s, p_le, 32);
        s[0] = (unsigned char)(0xec - 2 * i);
        if ((group_decode(&P, s) == 0) != sodium_valid(s))
            agree = 0;
        if (!sodium_valid(s))
            continue;
        valid_near_p++;
        crypto_core_ristretto255_random(q);
        if (group_decode(&Q, q) != 0)
            agree = 0;
        group_add(&R, &P, &Q);
        group_encode(got, &R);
        if (crypto_point_add(want, s, q) != 0 || memcmp(got, want, 32) != 0)
            agree = 0;
    }
    CHECK(agree && valid_near_p > 0, "points just below p decode and add as libsodium's");
    memcpy(s, p_le, 32);
    s[0] = 0xec;                     /* s = −1: y = 0 (RFC 9496 A.2) */
    CHECK(group_decode(&P, s) != 0 && !sodium_valid(s), "s = −1 (y = 0) is rejected");
}

static void test_sums(void)
{
    unsigned char p[32], q[32], want[32], got[32], chain[32] = { 0 };
    struct group_point P, Q, R, acc;
    int i, add_ok = 1, sub_ok = 1;

    group_identity(&acc);
    for (i = 0; i < GROUP_TRIES; i++) {
        crypto_core_ristretto255_random(p);
        crypto_core_ristretto255_random(q);
        if (i % 7 == 0)
            memcpy(q, p, 32);          /* doubling and P − P */
        if (group_decode(&P, p) != 0 || group_decode(&Q, q) != 0) {
            add_ok = 0;
            continue;
        }
        group_add(&R, &P, &Q);
        group_encode(got, &R);
        if (crypto_point_add(want, p, q) != 0 || memcmp(got, want, 32) != 0)
            add_ok = 0;
        group_sub(&R, &P, &Q);
        group_encode(got, &R);
        if (crypto_point_sub(want, p, q) != 0 || memcmp(got, want, 32) != 0)
            sub_ok = 0;
        if (i & 1) {
            group_add(&acc, &acc, &P);
            add_ok &= crypto_point_add(chain, chain, p) == 0;
        } else {
            group_sub(&acc, &acc, &Q);
            sub_ok &= crypto_point_sub(chain, chain, q) == 0;
        }
    }
    CHECK(add_ok, "P + Q encodes as crypto_point_add gives");
    CHECK(sub_ok, "P − Q encodes as crypto_point_sub gives");
    group_encode(got, &acc);
    CHECK_EQ_HEX(got, chain, 32, "a chain of 2000 sums and differences agrees");
    group_sub(&R, &acc, &acc);
    group_encode(got, &R);
    memset(want, 0, 32);
    CHECK_EQ_HEX(got, want, 32, "S − S is the identity");
}

int main(void)
{
    if (crypto_init() != 0)
        return 1;
    test_roundtrip();
    test_validity();
    test_sums();
    TEST_MAIN_END("test_group");
}
