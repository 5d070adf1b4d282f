/*
 * fuzz_pubmul.c — libFuzzer target: the verifiers' variable-time arithmetic
 * (pubmul.c, group.c's Straus) against libsodium and libdecaf, byte for byte.
 *
 * The input is read as P, Q, s, c (32 bytes each, zero-padded; a shorter
 * input leaves the rest zero) and, when more bytes follow, two table widths.
 *   - decoding: pubmul_key_new(P), pubmul_lincomb with P or Q, and libdecaf's
 *     decaf_255_point_decode accept exactly what crypto_point_check accepts;
 *   - scalars: pubmul_lincomb refuses s or c >= l, and computes otherwise;
 *   - values: s·P − c·Q and s·G − c·Q (pubmul_lincomb, group_double_mul at the
 *     given widths) equal libsodium's, and s·G − c·Q equals libdecaf's
 *     decaf_255_base_double_scalarmul_non_secret for c ≠ 0 (libdecaf 1.0.2
 *     gets c = 0 wrong: tests/test_pubmul.c).
 * Any disagreement is a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <decaf/point_255.h>

#include "crypto.h"
#include "group.h"
#include "pubmul.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
        fprintf(stderr, "fuzz_pubmul: %s\n", what);
        abort();
    }
}

/* s·P − c·Q with libsodium (P = NULL: G). */
static int fuzz_ref(unsigned char out[32], const unsigned char s[32], const unsigned char *P,
                    const unsigned char c[32], const unsigned char Q[32])
{
    unsigned char sp[32], cq[32];

    if ((P == NULL ? crypto_point_mul_base(sp, s) : crypto_point_mul(sp, s, P)) != 0 ||
        crypto_point_mul(cq, c, Q) != 0)
        return -1;
    return crypto_point_sub(out, sp, cq);
}

static void fuzz_decoders(const unsigned char p[32])
{
    int valid = crypto_point_check(p) == PROTO_OK;
    struct pubmul_key *k = pubmul_key_new(p);
    decaf_255_point_t dp;
    unsigned char enc[32];

    fuzz_check((k != NULL) == valid, "pubmul_key_new accepts exactly the valid points");
    pubmul_key_free(k);
    fuzz_check((decaf_255_point_decode(dp, p, DECAF_TRUE) == DECAF_SUCCESS) == valid,
               "libdecaf accepts exactly the valid points");
    if (valid) {
        decaf_255_point_encode(enc, dp);
        fuzz_check(memcmp(enc, p, 32) == 0, "libdecaf encodes a decoded point back");
    }
}

/* s·G − c·Q by libdecaf; -1 if a scalar is >= l. */
static int fuzz_decaf(unsigned char out[32], const unsigned char s[32],
                      const unsigned char c[32], const unsigned char Q[32])
{
    decaf_255_scalar_t ds, dc, dnc;
    decaf_255_point_t q, r;

    if (decaf_255_scalar_decode(ds, s) != DECAF_SUCCESS ||
        decaf_255_scalar_decode(dc, c) != DECAF_SUCCESS)
        return -1;
    if (decaf_255_point_decode(q, Q, DECAF_TRUE) != DECAF_SUCCESS)
        return -1;
    decaf_255_scalar_sub(dnc, decaf_255_scalar_zero, dc);
    decaf_255_base_double_scalarmul_non_secret(r, ds, q, dnc);
    decaf_255_point_encode(out, r);
    return 0;
}

static void fuzz_values(const unsigned char P[32], const unsigned char Q[32],
                        const unsigned char s[32], const unsigned char c[32], unsigned wp,
                        unsigned wq)
{
    static struct group_table tp, tq;
    unsigned char got[32], want[32], dec[32];
    struct group_point gp, gq, r;
    int scalars = crypto_scalar_check(s) == PROTO_OK && crypto_scalar_check(c) == PROTO_OK;

    fuzz_check((pubmul_lincomb(got, s, NULL, c, Q) == 0) == scalars,
               "s·G − c·Q: computed exactly for scalars below l");
    if (!scalars)
        return;
    fuzz_check(fuzz_ref(want, s, NULL, c, Q) == 0 && memcmp(got, want, 32) == 0,
               "s·G − c·Q as libsodium gives");
    if (!sodium_is_zero(c, 32))
        fuzz_check(fuzz_decaf(dec, s, c, Q) == 0 && memcmp(dec, want, 32) == 0,
                   "s·G − c·Q as libdecaf gives");
    fuzz_check(pubmul_lincomb(got, s, P, c, Q) == 0 && fuzz_ref(want, s, P, c, Q) == 0 &&
               memcmp(got, want, 32) == 0, "s·P − c·Q as libsodium gives");
    if (group_decode(&gp, P) != 0 || group_decode(&gq, Q) != 0)
        abort();
    group_table_init(&tp, &gp, wp);
    group_table_init(&tq, &gq, wq);
    group_double_mul(&r, &tp, s, &tq, c);
    group_encode(got, &r);
    fuzz_check(memcmp(got, want, 32) == 0, "group_double_mul at any width as libsodium gives");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char in[130] = {0};
    const unsigned char *P = in, *Q = in + 32, *s = in + 64, *c = in + 96;
    unsigned char out[32];

    memcpy(in, data, size < sizeof in ? size : sizeof in);
    fuzz_decoders(P);
    fuzz_decoders(Q);
    if (crypto_point_check(P) != PROTO_OK || crypto_point_check(Q) != PROTO_OK) {
        fuzz_check(pubmul_lincomb(out, s, P, c, Q) == -1, "an invalid point is refused");
        if (crypto_point_check(Q) != PROTO_OK)
            fuzz_check(pubmul_lincomb(out, s, NULL, c, Q) == -1, "an invalid Q is refused");
        return 0;
    }
    fuzz_values(P, Q, s, c, 2u + in[128] % 7u, 2u + in[129] % 7u);
    return 0;
}
