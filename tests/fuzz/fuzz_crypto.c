/*
 * fuzz_crypto.c — libFuzzer target: the decoders of crypto.h against
 * independent references (PROTOCOL §1).
 *
 *   hex:    crypto_hex_decode accepts exactly 2·n characters of [0-9a-f], and
 *           what it accepts encodes back to the same text;
 *   points: crypto_point_check accepts exactly what libsodium decodes with
 *           bit 255 clear; crypto_point_check_encoding accepts at least that,
 *           and what it accepts but the curve does not, arithmetic refuses;
 *           on accepted points p + p = 2·p, p − p = identity, n·p is a point;
 *   scalars: crypto_scalar_check accepts exactly the values below l, and
 *           reducing an accepted scalar changes nothing;
 *   group:  group_decode accepts exactly what crypto_point_check accepts, what
 *           it decodes encodes back, and its sums and differences encode as
 *           crypto_point_add and crypto_point_sub give.
 * Any disagreement is a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto.h"
#include "group.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* l = 2^252 + 27742317777372353535851937790883648493, little-endian */
static const unsigned char fuzz_l[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
    0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (crypto_init() != 0)
        abort();
    return 0;
}

static void fuzz_check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_crypto: %s\n", what);
        abort();
    }
}

static void fuzz_hex(const uint8_t *data, size_t size)
{
    unsigned char out[64];
    char back[129];
    size_t outlen, i;
    int valid = 1;

    for (i = 0; i < size; i++)
        valid &= (data[i] >= '0' && data[i] <= '9') || (data[i] >= 'a' && data[i] <= 'f');
    for (outlen = 1; outlen <= sizeof out; outlen *= 2) {
        int ok = crypto_hex_decode(out, outlen, (const char *)data, size) == 0;
        fuzz_check(ok == (valid && size == 2 * outlen), "hex: accepts what it must, only that");
        if (ok) {
            crypto_hex_encode(back, out, outlen);
            fuzz_check(memcmp(back, data, size) == 0 && back[size] == '\0',
                       "hex: decode then encode gives the text back");
        }
    }
}

/* 1 if s < l (both little-endian). */
static int fuzz_below_l(const unsigned char s[32])
{
    int i;

    for (i = 31; i >= 0; i--) {
        if (s[i] != fuzz_l[i])
            return s[i] < fuzz_l[i];
    }
    return 0;
}

static void fuzz_point(const unsigned char p[32], const unsigned char n[32])
{
    unsigned char a[32], b[32], two[32], zero[32] = {0}, q[32];
    int ok = crypto_point_check(p) == PROTO_OK;
    int ref = !(p[31] & 0x80) && crypto_core_ristretto255_is_valid_point(p) == 1;

    fuzz_check(ok == ref, "point: accepts exactly libsodium's points with bit 255 clear");
    if (ok)
        fuzz_check(crypto_point_check_encoding(p) == PROTO_OK,
                   "point: the encoding pre-check accepts every valid point");
    if (!ok) {
        /* The parsers check encodings (crypto_point_check_encoding) and leave
         * the curve to libsodium's decoding in the arithmetic: together they
         * must refuse every invalid point. (libsodium 1.0.18 alone ignores
         * bit 255, so arithmetic on a bad encoding proves nothing.) */
        if (crypto_point_check_encoding(p) == PROTO_OK)
            fuzz_check(crypto_point_add(a, p, p) != 0 && crypto_point_sub(a, p, p) != 0,
                       "point: arithmetic refuses a well-encoded point off the curve");
        return;
    }
    crypto_scalar_from_u32(two, 2);
    fuzz_check(crypto_point_add(a, p, p) == 0 && crypto_point_mul(b, two, p) == 0 &&
               memcmp(a, b, 32) == 0, "point: p + p = 2p");
    fuzz_check(crypto_point_sub(a, p, p) == 0 && memcmp(a, zero, 32) == 0 &&
               crypto_point_is_identity(a), "point: p - p = identity");
    if (crypto_scalar_check(n) == PROTO_OK) {
        fuzz_check(crypto_point_mul(q, n, p) == 0 && crypto_point_check(q) == PROTO_OK,
                   "point: n·p is a valid point");
        fuzz_check(crypto_point_mul_base(q, n) == 0 && crypto_point_check(q) == PROTO_OK,
                   "point: n·G is a valid point");
    }
}

static void fuzz_group(const unsigned char p[32], const unsigned char q[32])
{
    struct group_point P, Q, R;
    unsigned char got[32], want[32];
    int ok = crypto_point_check(p) == PROTO_OK;

    fuzz_check((group_decode(&P, p) == 0) == ok, "group: decodes exactly the valid points");
    if (!ok)
        return;
    group_encode(got, &P);
    fuzz_check(memcmp(got, p, 32) == 0, "group: decode then encode gives the point back");
    if (crypto_point_check(q) != PROTO_OK || group_decode(&Q, q) != 0)
        return;
    group_add(&R, &P, &Q);
    group_encode(got, &R);
    fuzz_check(crypto_point_add(want, p, q) == 0 && memcmp(got, want, 32) == 0,
               "group: p + q as libsodium gives");
    group_sub(&R, &P, &Q);
    group_encode(got, &R);
    fuzz_check(crypto_point_sub(want, p, q) == 0 && memcmp(got, want, 32) == 0,
               "group: p - q as libsodium gives");
}

static void fuzz_scalar(const unsigned char s[32])
{
    unsigned char wide[64] = {0}, red[32];
    int ok = crypto_scalar_check(s) == PROTO_OK;

    fuzz_check(ok == fuzz_below_l(s), "scalar: accepts exactly the values below l");
    memcpy(wide, s, 32);
    crypto_core_ristretto255_scalar_reduce(red, wide);
    if (ok)
        fuzz_check(memcmp(red, s, 32) == 0, "scalar: an accepted scalar is already reduced");
    else
        fuzz_check(crypto_scalar_check(red) == PROTO_OK, "scalar: a reduced scalar is accepted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char p[32] = {0}, n[32] = {0};

    fuzz_hex(data, size);
    memcpy(p, data, size < 32 ? size : 32);
    if (size > 32)
        memcpy(n, data + 32, size - 32 < 32 ? size - 32 : 32);
    fuzz_point(p, n);
    fuzz_group(p, n);
    fuzz_group(p, p);
    fuzz_scalar(p);
    fuzz_scalar(n);
    /* the text form as well: 64 hex characters of a point or a scalar */
    if (size == 64 && crypto_hex_decode(p, 32, (const char *)data, 64) == 0) {
        fuzz_point(p, n);
        fuzz_group(p, p);
        fuzz_scalar(p);
    }
    return 0;
}
