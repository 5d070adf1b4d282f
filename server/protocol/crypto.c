/*
 * crypto.c — strict encodings, ristretto255 arithmetic, Hs / Hd framing and
 * injected randomness (PROTOCOL §1, §2), on libsodium.
 *
 * Two libsodium 1.0.18 behaviours shape this file. is_valid_point accepts an
 * encoding with bit 255 set, so crypto_point_check tests that bit itself.
 * scalarmult returns -1 both for an invalid input point and for an identity
 * result; the wrappers tell the two apart (the identity is a legitimate
 * result wherever PROTOCOL §1 accepts it) and fail only on the former.
 * Nothing here keeps state: the rng streams live in caller-owned structs.
 */
#include <string.h>

#include <sodium.h>

#include "crypto.h"

/* struct crypto_hash keeps libsodium's hash states in bytes of its own. */
_Static_assert(sizeof(crypto_hash_sha512_state) <= CRYPTO_HASH_STATE_BYTES &&
               sizeof(crypto_hash_sha256_state) <= CRYPTO_HASH_STATE_BYTES,
               "CRYPTO_HASH_STATE_BYTES holds libsodium's hash states");
_Static_assert(_Alignof(crypto_hash_sha512_state) <= _Alignof(uint64_t) &&
               _Alignof(crypto_hash_sha256_state) <= _Alignof(uint64_t),
               "struct crypto_hash aligns libsodium's hash states");

/* The hash's state as libsodium's SHA-512 / SHA-256 state (only libsodium
 * reads and writes it through these pointers). */
static crypto_hash_sha512_state *crypto_s512(struct crypto_hash *h)
{
    return (crypto_hash_sha512_state *)(void *)h->st.bytes;
}

static crypto_hash_sha256_state *crypto_s256(struct crypto_hash *h)
{
    return (crypto_hash_sha256_state *)(void *)h->st.bytes;
}

#define CRYPTO_DOMAIN "conclave/ristretto255/v1/"
#define CRYPTO_STREAM_DOMAIN "conclave/ristretto255/v1 test vectors/"

/* l = 2^252 + 27742317777372353535851937790883648493, little-endian. */
static const unsigned char crypto_order[CRYPTO_BYTES] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2,
    0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10
};

/* The ristretto255 encoding of the standard base point G. */
static const unsigned char crypto_base[CRYPTO_BYTES] = {
    0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61,
    0xc5, 0x00, 0x51, 0x5f, 0x58, 0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd, 0x8d,
    0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76
};

int crypto_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

/* --- hex ----------------------------------------------------------------- */

/* 1 + the value of each lowercase hex digit; 0 for every other byte. A
 * table, because every ballot and board decodes thousands of digits. */
static const unsigned char crypto_hex_value[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
    ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
    ['f'] = 16
};

int crypto_hex_decode(unsigned char *out, size_t outlen, const char *hex, size_t hexlen)
{
    unsigned hi, lo, bad = 0;
    size_t i;

    if (outlen > SIZE_MAX / 2 || hexlen != 2 * outlen)
        return -1;
    for (i = 0; i < outlen; i++) {
        hi = crypto_hex_value[(unsigned char)hex[2 * i]];
        lo = crypto_hex_value[(unsigned char)hex[2 * i + 1]];
        bad |= (hi == 0) | (lo == 0);
        out[i] = (unsigned char)(((hi - 1) << 4 | (lo - 1)) & 0xff);
    }
    return bad ? -1 : 0;
}

void crypto_hex_encode(char *out, const unsigned char *in, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

/* --- points and scalars ---------------------------------------------------- */

enum proto_reason crypto_point_check(const unsigned char p[CRYPTO_BYTES])
{
    /* PROTOCOL §1: libsodium 1.0.18 accepts bit 255 set; we must not. */
    if (p[31] & 0x80)
        return PROTO_POINT;
    if (crypto_core_ristretto255_is_valid_point(p) != 1)
        return PROTO_POINT;
    return PROTO_OK;
}

enum proto_reason crypto_point_check_encoding(const unsigned char p[CRYPTO_BYTES])
{
    size_t i;

    /* RFC 9496 §4.3.1: s < p = 2^255 − 19 and s non-negative (even). */
    if ((p[31] & 0x80) || (p[0] & 1))
        return PROTO_POINT;
    if (p[31] != 0x7f)
        return PROTO_OK;
    for (i = 30; i > 0; i--)
        if (p[i] != 0xff)
            return PROTO_OK;
    return p[0] < 0xed ? PROTO_OK : PROTO_POINT;
}

enum proto_reason crypto_scalar_check_secret(const unsigned char s[CRYPTO_BYTES])
{
    /* sodium_compare: little-endian, constant time; -1 iff s < l */
    return sodium_compare(s, crypto_order, CRYPTO_BYTES) == -1 ? PROTO_OK : PROTO_SCALAR;
}

int crypto_point_is_identity(const unsigned char p[CRYPTO_BYTES])
{
    return sodium_is_zero(p, CRYPTO_BYTES) == 1;
}

enum proto_reason crypto_scalar_check(const unsigned char s[CRYPTO_BYTES])
{
    size_t i = CRYPTO_BYTES;

    /* Public data (a proof's c or s), so a variable-time compare is fine. */
    while (i-- > 0) {
        if (s[i] < crypto_order[i])
            return PROTO_OK;
        if (s[i] > crypto_order[i])
            return PROTO_SCALAR;
    }
    return PROTO_SCALAR; /* s == l */
}

int crypto_point_mul(unsigned char q[CRYPTO_BYTES], const unsigned char n[CRYPTO_BYTES],
                     const unsigned char p[CRYPTO_BYTES])
{
    unsigned char t[CRYPTO_BYTES];

    /* A rejected input leaves t untouched (non-zero); an identity result
     * writes zeros and returns -1, which PROTOCOL §1 says is legitimate. */
    memset(t, 0xff, sizeof t);
    if (crypto_scalarmult_ristretto255(t, n, p) != 0 && !crypto_point_is_identity(t))
        return -1;
    memcpy(q, t, CRYPTO_BYTES);
    return 0;
}

int crypto_point_mul_base(unsigned char q[CRYPTO_BYTES], const unsigned char n[CRYPTO_BYTES])
{
    unsigned char t[CRYPTO_BYTES];

    memset(t, 0xff, sizeof t);
    if (crypto_scalarmult_ristretto255_base(t, n) != 0 && !crypto_point_is_identity(t))
        return -1;
    memcpy(q, t, CRYPTO_BYTES);
    return 0;
}

int crypto_point_add(unsigned char r[CRYPTO_BYTES], const unsigned char p[CRYPTO_BYTES],
                     const unsigned char q[CRYPTO_BYTES])
{
    return crypto_core_ristretto255_add(r, p, q) == 0 ? 0 : -1;
}

int crypto_point_sub(unsigned char r[CRYPTO_BYTES], const unsigned char p[CRYPTO_BYTES],
                     const unsigned char q[CRYPTO_BYTES])
{
    return crypto_core_ristretto255_sub(r, p, q) == 0 ? 0 : -1;
}

const unsigned char *crypto_point_base(void)
{
    return crypto_base;
}

void crypto_scalar_from_u32(unsigned char out[CRYPTO_BYTES], uint32_t v)
{
    memset(out, 0, CRYPTO_BYTES);
    out[0] = (unsigned char)(v & 0xff);
    out[1] = (unsigned char)(v >> 8 & 0xff);
    out[2] = (unsigned char)(v >> 16 & 0xff);
    out[3] = (unsigned char)(v >> 24 & 0xff);
}

int crypto_point_mul_base_u32(unsigned char q[CRYPTO_BYTES], uint32_t v)
{
    unsigned char n[CRYPTO_BYTES];

    if (v == 1) {
        memcpy(q, crypto_base, CRYPTO_BYTES);
        return 0;
    }
    crypto_scalar_from_u32(n, v);
    return crypto_point_mul_base(q, n);
}

/* --- Hs / Hd -------------------------------------------------------------- */

static void crypto_hash_update(struct crypto_hash *h, const unsigned char *in, size_t len)
{
    if (h->tap != NULL) {
        if (len > h->tap_cap - h->tap_len) {
            h->err = 1;
        } else {
            memcpy(h->tap + h->tap_len, in, len);
            h->tap_len += len;
        }
    }
    if (h->kind == CRYPTO_HS) {
        if (crypto_hash_sha512_update(crypto_s512(h), in, len) != 0)
            h->err = 1;
    } else if (crypto_hash_sha256_update(crypto_s256(h), in, len) != 0) {
        h->err = 1;
    }
}

void crypto_hash_init_tap(struct crypto_hash *h, enum crypto_hash_kind kind, const char *label,
                          unsigned char *tap, size_t cap)
{
    size_t dlen = strlen(CRYPTO_DOMAIN), llen = strlen(label);
    unsigned char tag[128];

    memset(h, 0, sizeof *h);
    h->kind = kind;
    h->tap = tap;
    h->tap_cap = tap != NULL ? cap : 0;
    if (kind == CRYPTO_HS) {
        if (crypto_hash_sha512_init(crypto_s512(h)) != 0)
            h->err = 1;
    } else if (crypto_hash_sha256_init(crypto_s256(h)) != 0) {
        h->err = 1;
    }
    if (dlen + llen > sizeof tag) {
        h->err = 1;
        return;
    }
    memcpy(tag, CRYPTO_DOMAIN, dlen);
    memcpy(tag + dlen, label, llen);
    crypto_hash_str(h, (const char *)tag, dlen + llen);
}

void crypto_hash_init(struct crypto_hash *h, enum crypto_hash_kind kind, const char *label)
{
    crypto_hash_init_tap(h, kind, label, NULL, 0);
}

void crypto_hash_u32(struct crypto_hash *h, uint32_t v)
{
    unsigned char b[4];

    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16 & 0xff);
    b[2] = (unsigned char)(v >> 8 & 0xff);
    b[3] = (unsigned char)(v & 0xff);
    crypto_hash_update(h, b, sizeof b);
}

void crypto_hash_str(struct crypto_hash *h, const char *s, size_t len)
{
    if (len > UINT32_MAX) {
        h->err = 1;
        return;
    }
    crypto_hash_u32(h, (uint32_t)len);
    crypto_hash_update(h, (const unsigned char *)s, len);
}

void crypto_hash_b32(struct crypto_hash *h, const unsigned char b[CRYPTO_BYTES])
{
    crypto_hash_update(h, b, CRYPTO_BYTES);
}

int crypto_hash_final_scalar(struct crypto_hash *h, unsigned char out[CRYPTO_BYTES])
{
    unsigned char d[crypto_hash_sha512_BYTES];
    int rc = -1;

    if (h->kind != CRYPTO_HS || h->err)
        goto out;
    if (crypto_hash_sha512_final(crypto_s512(h), d) != 0)
        goto out;
    crypto_core_ristretto255_scalar_reduce(out, d);
    rc = 0;
out:
    sodium_memzero(d, sizeof d);
    return rc;
}

int crypto_hash_final_digest(struct crypto_hash *h, unsigned char out[CRYPTO_BYTES])
{
    if (h->kind != CRYPTO_HD || h->err)
        return -1;
    return crypto_hash_sha256_final(crypto_s256(h), out) == 0 ? 0 : -1;
}

/* --- randomness ------------------------------------------------------------- */

static void crypto_rng_system_fill(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx;
    randombytes_buf(buf, len);
}

struct crypto_rng crypto_rng_system(void)
{
    struct crypto_rng rng = { crypto_rng_system_fill, NULL };

    return rng;
}

static void crypto_rng_stream_fill(void *ctx, unsigned char *buf, size_t len)
{
    struct crypto_rng_stream *st = ctx;
    unsigned char block[crypto_hash_sha512_BYTES];
    crypto_hash_sha512_state hs;
    unsigned char ctr[4];
    size_t done = 0, n;

    /* One draw is one block; a longer request (never made by the protocol
     * code) continues into the following blocks. */
    while (done < len) {
        ctr[0] = (unsigned char)(st->counter >> 24);
        ctr[1] = (unsigned char)(st->counter >> 16 & 0xff);
        ctr[2] = (unsigned char)(st->counter >> 8 & 0xff);
        ctr[3] = (unsigned char)(st->counter & 0xff);
        st->counter++;
        if (crypto_hash_sha512_init(&hs) != 0 ||
            crypto_hash_sha512_update(&hs, st->prefix, st->prefix_len) != 0 ||
            crypto_hash_sha512_update(&hs, ctr, sizeof ctr) != 0 ||
            crypto_hash_sha512_final(&hs, block) != 0)
            memset(block, 0, sizeof block); /* cannot happen; keeps output defined */
        n = len - done < sizeof block ? len - done : sizeof block;
        memcpy(buf + done, block, n);
        done += n;
    }
    sodium_memzero(block, sizeof block);
}

int crypto_rng_stream_init_domain(struct crypto_rng_stream *st, const char *domain,
                                  const char *name)
{
    size_t dlen = strlen(domain), nlen = strlen(name);

    memset(st, 0, sizeof *st);
    if (dlen > sizeof st->prefix || nlen > sizeof st->prefix - dlen)
        return -1;
    memcpy(st->prefix, domain, dlen);
    memcpy(st->prefix + dlen, name, nlen);
    st->prefix_len = dlen + nlen;
    return 0;
}

int crypto_rng_stream_init(struct crypto_rng_stream *st, const char *name)
{
    return crypto_rng_stream_init_domain(st, CRYPTO_STREAM_DOMAIN, name);
}

struct crypto_rng crypto_rng_stream_rng(struct crypto_rng_stream *st)
{
    struct crypto_rng rng = { crypto_rng_stream_fill, st };

    return rng;
}

void crypto_rng_bytes(const struct crypto_rng *rng, unsigned char *out, size_t len)
{
    rng->fill(rng->ctx, out, len);
}

void crypto_rng_scalar(const struct crypto_rng *rng, unsigned char out[CRYPTO_BYTES])
{
    unsigned char wide[crypto_core_ristretto255_NONREDUCEDSCALARBYTES];

    rng->fill(rng->ctx, wide, sizeof wide);
    crypto_core_ristretto255_scalar_reduce(out, wide);
    sodium_memzero(wide, sizeof wide);
}

void crypto_rng_scalar_nonzero(const struct crypto_rng *rng, unsigned char out[CRYPTO_BYTES])
{
    do {
        crypto_rng_scalar(rng, out);
    } while (sodium_is_zero(out, CRYPTO_BYTES));
}
