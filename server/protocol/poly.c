/*
 * poly.c — Shamir polynomials over Z_l and Feldman commitments to them
 * (PROTOCOL-threshold T3–T5, T7).
 *
 * poly_eval evaluates a dealer's secret polynomial by Horner's rule with
 * libsodium's scalar multiplication and addition, whose time does not
 * depend on the values. poly_eval_commitments (Horner in the group) and
 * poly_lagrange work on public indices and points only.
 */
#include <string.h>

#include <sodium.h>

#include "poly.h"

void poly_eval(const unsigned char (*a)[CRYPTO_BYTES], uint32_t t, uint32_t x,
               unsigned char out[CRYPTO_BYTES])
{
    unsigned char xs[CRYPTO_BYTES], acc[CRYPTO_BYTES];
    uint32_t k;

    crypto_scalar_from_u32(xs, x);
    memcpy(acc, a[t - 1], CRYPTO_BYTES);
    for (k = t - 1; k-- > 0;) {
        crypto_core_ristretto255_scalar_mul(acc, acc, xs);
        crypto_core_ristretto255_scalar_add(acc, acc, a[k]);
    }
    memcpy(out, acc, CRYPTO_BYTES);
    sodium_memzero(acc, sizeof acc);
}

int poly_eval_commitments(const unsigned char (*C)[CRYPTO_BYTES], uint32_t t, uint32_t x,
                          unsigned char out[CRYPTO_BYTES])
{
    unsigned char xs[CRYPTO_BYTES], acc[CRYPTO_BYTES];
    uint32_t k;

    if (crypto_point_check(C[t - 1]) != PROTO_OK)
        return -1;
    crypto_scalar_from_u32(xs, x);
    memcpy(acc, C[t - 1], CRYPTO_BYTES);
    for (k = t - 1; k-- > 0;)
        if (crypto_point_mul(acc, xs, acc) != 0 || crypto_point_add(acc, acc, C[k]) != 0)
            return -1;
    memcpy(out, acc, CRYPTO_BYTES);
    return 0;
}

int poly_lagrange(const uint32_t *S, uint32_t n, uint32_t j, unsigned char out[CRYPTO_BYTES])
{
    unsigned char num[CRYPTO_BYTES], den[CRYPTO_BYTES], ks[CRYPTO_BYTES], js[CRYPTO_BYTES];
    uint32_t i, k, found = 0;

    for (i = 0; i < n; i++)
        for (k = 0; k < i; k++)
            if (S[i] == S[k])
                return -1;
    crypto_scalar_from_u32(num, 1);
    crypto_scalar_from_u32(den, 1);
    crypto_scalar_from_u32(js, j);
    for (i = 0; i < n; i++) {
        if (S[i] == j) {
            found++;
            continue;
        }
        if (S[i] == 0)
            return -1;
        crypto_scalar_from_u32(ks, S[i]);
        crypto_core_ristretto255_scalar_mul(num, num, ks);
        crypto_core_ristretto255_scalar_sub(ks, ks, js);        /* k − j */
        crypto_core_ristretto255_scalar_mul(den, den, ks);
    }
    if (found != 1 || j == 0 || crypto_core_ristretto255_scalar_invert(den, den) != 0)
        return -1;
    crypto_core_ristretto255_scalar_mul(out, num, den);
    return 0;
}
