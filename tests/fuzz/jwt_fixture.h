/*
 * jwt_fixture.h — what fuzz_jwt.c and fuzz_jwks.c share: a fixed provider
 * (a P-256 key whose private half signs tokens here, an RSA-2048 public key
 * beside it), its JWKS document, and signing a token with the P-256 key.
 * The keys were made once with `openssl genpkey` for these targets alone.
 */
#ifndef CONCLAVE_JWT_FIXTURE_H
#define CONCLAVE_JWT_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#define FIX_NOW 1800000000LL
#define FIX_ISS "https://idp.example.org"
#define FIX_CLIENT "conclave"
#define FIX_NONCE "fuzz-nonce"

static const char fix_ec_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgduAV5octqzp8DS3F\n"
    "75tJ77z2KAgfhnavenJ8lw0+If2hRANCAAQkceTBfc9Z9i9wYG+ZcIODJOz61JAe\n"
    "X466oWakZK2zAi4DDfY6c01C5j9Nq4H+dG04XGN63LL/w2ZRGRQ0oU+C\n"
    "-----END PRIVATE KEY-----\n";

static const char fix_jwks[] =
    "{\"keys\":["
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"ec1\",\"use\":\"sig\","
    "\"x\":\"JHHkwX3PWfYvcGBvmXCDgyTs-tSQHl-OuqFmpGStswI\","
    "\"y\":\"LgMN9jpzTULmP02rgf50bThcY3rcsv_DZlEZFDShT4I\"},"
    "{\"kty\":\"RSA\",\"kid\":\"rsa1\",\"alg\":\"RS256\",\"e\":\"AQAB\",\"n\":\""
    "tjSHp3l26REhJ-glTPJ9U8k_txQFKfj3YMYIkXpzVegXimHE6hKWGfXGUrwTHTcBeKnuzUr5dm5FARBEkHdpO53F"
    "qWfVX-i_Ms06o7caRvZmWUIK4V9klgFohgkPvQSanbwVs-8CdVRkXTl8Hr8CwkA9rea6sDnp-ejkRdejxQ0awua6"
    "u9vjCrPGyJ0RdvllEFLxf0e0Qi9nALWy8Zf8MOr7B4ew6Y4rclQ9RyLnUZJ84mLYDnJp1MLsZvoL2Meq58lMxWrt"
    "j_J77g9zkxDfmZ6VWIdUqpFsIKbxKToRmRp8kjBhOd_1j6k1G9Dhabrf7bg26NXD6PuYR2Kl13jDDw\"}]}";

static EVP_PKEY *fix_load_ec(void)
{
    BIO *bio = BIO_new_mem_buf(fix_ec_pem, -1);
    EVP_PKEY *k = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;

    BIO_free(bio);
    if (k == NULL)
        abort();
    return k;
}

/* base64url (no padding) of N bytes into a new string. */
static char *fix_b64url(const void *b, size_t n)
{
    size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *s = malloc(cap);

    if (s == NULL)
        abort();
    return sodium_bin2base64(s, cap, b, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* The compact token of HEADER and CLAIMS (bytes, any content) signed ES256
 * by KEY; *len its length; the caller frees it. */
static char *fix_sign(EVP_PKEY *key, const void *header, size_t hlen, const void *claims,
                      size_t clen, size_t *len)
{
    char *h = fix_b64url(header, hlen), *c = fix_b64url(claims, clen), *s, *tok;
    size_t ilen = strlen(h) + 1 + strlen(c), n = 0;
    unsigned char der[80], raw[64];
    const unsigned char *p = der;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    ECDSA_SIG *es;

    tok = malloc(ilen + 1 + 87 + 1);
    if (tok == NULL || md == NULL)
        abort();
    memcpy(tok, h, strlen(h));
    tok[strlen(h)] = '.';
    memcpy(tok + strlen(h) + 1, c, strlen(c) + 1);
    n = sizeof der;
    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
        EVP_DigestSign(md, der, &n, (const unsigned char *)tok, ilen) != 1 ||
        (es = d2i_ECDSA_SIG(NULL, &p, (long)n)) == NULL)
        abort();
    BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
    ECDSA_SIG_free(es);
    EVP_MD_CTX_free(md);
    s = fix_b64url(raw, 64);
    tok[ilen] = '.';
    memcpy(tok + ilen + 1, s, strlen(s) + 1);
    *len = strlen(tok);
    free(s);
    free(h);
    free(c);
    return tok;
}

#endif
