/*
 * crypto.h — the primitives every protocol module builds on (PROTOCOL §1, §2):
 * strict hex, ristretto255 points and scalars with the protocol's decoding
 * rules, the Hs / Hd hash framing, and injected randomness.
 *
 * Points and scalars are plain 32-byte arrays in their canonical encoding.
 * Arithmetic wraps libsodium and accepts the identity wherever PROTOCOL §1
 * does; callers reject it where the protocol says non-identity.
 * Call crypto_init() once before anything else (it is idempotent).
 */
#ifndef CONCLAVE_CRYPTO_H
#define CONCLAVE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define CRYPTO_BYTES 32 /* a point, a scalar, a digest */

/* Initialises libsodium; 0 on success, -1 if it cannot be used. */
int crypto_init(void);

/* --- hex (PROTOCOL §1: lowercase, exact length) -------------------------- */

/* Decodes exactly `outlen` bytes from `hexlen` characters of lowercase hex.
 * 0 on success; -1 (out unspecified) for a wrong length or any character
 * outside [0-9a-f]. */
int crypto_hex_decode(unsigned char *out, size_t outlen, const char *hex, size_t hexlen);

/* Writes 2*len lowercase hex characters and a NUL to out (2*len+1 bytes). */
void crypto_hex_encode(char *out, const unsigned char *in, size_t len);

/* --- points and scalars --------------------------------------------------- */

/* PROTO_OK if p is a canonical ristretto255 encoding (the identity included),
 * PROTO_POINT otherwise (bit 255 set, non-canonical, not on the curve). */
enum proto_reason crypto_point_check(const unsigned char p[CRYPTO_BYTES]);

/* The cheap half of crypto_point_check: PROTO_OK if p is a canonical field
 * element encoding as ristretto255 requires (bit 255 clear, below 2^255 − 19,
 * even), PROTO_POINT otherwise. Whether it is on the curve is left to the
 * first arithmetic on it (which then fails). */
enum proto_reason crypto_point_check_encoding(const unsigned char p[CRYPTO_BYTES]);

/* The same as crypto_scalar_check in constant time, for a secret scalar (a
 * decrypted share that must be < l, PROTOCOL-threshold T4). */
enum proto_reason crypto_scalar_check_secret(const unsigned char s[CRYPTO_BYTES]);

/* 1 if p is the identity encoding (32 zero bytes), else 0. */
int crypto_point_is_identity(const unsigned char p[CRYPTO_BYTES]);

/* PROTO_OK if s < l, PROTO_SCALAR otherwise. */
enum proto_reason crypto_scalar_check(const unsigned char s[CRYPTO_BYTES]);

/* q = n·p for a valid point p and a scalar n < l; an identity result is
 * legitimate (PROTOCOL §1). 0 on success, -1 if p is not a valid point.
 * q may alias n or p. */
int crypto_point_mul(unsigned char q[CRYPTO_BYTES], const unsigned char n[CRYPTO_BYTES],
                     const unsigned char p[CRYPTO_BYTES]);

/* q = n·G for a scalar n < l (the identity when n = 0). 0, or -1 on failure. */
int crypto_point_mul_base(unsigned char q[CRYPTO_BYTES], const unsigned char n[CRYPTO_BYTES]);

/* r = p + q, r = p − q for valid points. 0, or -1 if an input is invalid. */
int crypto_point_add(unsigned char r[CRYPTO_BYTES], const unsigned char p[CRYPTO_BYTES],
                     const unsigned char q[CRYPTO_BYTES]);
int crypto_point_sub(unsigned char r[CRYPTO_BYTES], const unsigned char p[CRYPTO_BYTES],
                     const unsigned char q[CRYPTO_BYTES]);

/* The generator G's encoding and v·G for a small integer v (0 gives the identity). */
const unsigned char *crypto_point_base(void);
int crypto_point_mul_base_u32(unsigned char q[CRYPTO_BYTES], uint32_t v);

/* out = the scalar v (little-endian, v < l trivially). */
void crypto_scalar_from_u32(unsigned char out[CRYPTO_BYTES], uint32_t v);

/* --- Hs / Hd (PROTOCOL §2) ------------------------------------------------- */

enum crypto_hash_kind {
    CRYPTO_HS,  /* SHA-512 reduced mod l: challenges */
    CRYPTO_HD   /* SHA-256: digests */
};

/* Room for libsodium's SHA-512 or SHA-256 state (208 and 104 bytes in
 * libsodium 1.0.18; crypto.c checks at compile time that they fit), so that
 * this header needs no <sodium.h>. */
#define CRYPTO_HASH_STATE_BYTES 256

/* A framed hash in progress. Errors are sticky and reported by the final call.
 * A copy of the struct continues independently (used to share a prefix). */
struct crypto_hash {
    enum crypto_hash_kind kind;
    int err;
    union {
        unsigned char bytes[CRYPTO_HASH_STATE_BYTES];  /* libsodium's state */
        uint64_t align;
    } st;
    unsigned char *tap;     /* optional copy of the framed input (tests) */
    size_t tap_len, tap_cap;
};

/* Starts Hs or Hd with the domain tag str("conclave/ristretto255/v1/" + label). */
void crypto_hash_init(struct crypto_hash *h, enum crypto_hash_kind kind, const char *label);

/* The same, also copying the whole framed input (tag included) into tap
 * (cap bytes; a longer input makes the final call fail). For tests. */
void crypto_hash_init_tap(struct crypto_hash *h, enum crypto_hash_kind kind, const char *label,
                          unsigned char *tap, size_t cap);

/* Appends u32(v), str(s) (len bytes of UTF-8), or 32 fixed bytes. */
void crypto_hash_u32(struct crypto_hash *h, uint32_t v);
void crypto_hash_str(struct crypto_hash *h, const char *s, size_t len);
void crypto_hash_b32(struct crypto_hash *h, const unsigned char b[CRYPTO_BYTES]);

/* Finishes Hs (the 64-byte digest reduced mod l) or Hd (the SHA-256 digest)
 * into out. 0 on success, -1 if any step failed or the kind does not match. */
int crypto_hash_final_scalar(struct crypto_hash *h, unsigned char out[CRYPTO_BYTES]);
int crypto_hash_final_digest(struct crypto_hash *h, unsigned char out[CRYPTO_BYTES]);

/* --- randomness ----------------------------------------------------------- */

/* Injected randomness: fill(ctx, buf, len) writes len bytes; every call is one
 * "draw" (the vectors' streams consume one block per draw, len <= 64). */
struct crypto_rng {
    void (*fill)(void *ctx, unsigned char *buf, size_t len);
    void *ctx;
};

/* The production generator (randombytes_buf). */
struct crypto_rng crypto_rng_system(void);

/* The vectors' deterministic stream rng(NAME): draw i is
 * SHA-512(UTF-8("conclave/ristretto255/v1 test vectors/" + NAME) || u32be(i)). */
struct crypto_rng_stream {
    unsigned char prefix[256];
    size_t prefix_len;
    uint32_t counter;
};

/* 0, or -1 if the name is too long. */
int crypto_rng_stream_init(struct crypto_rng_stream *st, const char *name);

/* The same stream under another domain string in place of
 * "conclave/ristretto255/v1 test vectors/" (the threshold vectors use
 * "conclave/ristretto255/v1/threshold test vectors/"). 0, or -1 if too long. */
int crypto_rng_stream_init_domain(struct crypto_rng_stream *st, const char *domain,
                                  const char *name);
struct crypto_rng crypto_rng_stream_rng(struct crypto_rng_stream *st);

/* One draw of len bytes (rho, a signing seed). */
void crypto_rng_bytes(const struct crypto_rng *rng, unsigned char *out, size_t len);

/* One scalar draw: 64 bytes read little-endian, reduced mod l. */
void crypto_rng_scalar(const struct crypto_rng *rng, unsigned char out[CRYPTO_BYTES]);

/* Scalar draws until one is non-zero (x_k, r_j). */
void crypto_rng_scalar_nonzero(const struct crypto_rng *rng, unsigned char out[CRYPTO_BYTES]);

#endif
