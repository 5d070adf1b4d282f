/*
 * jwks.c — an OpenID provider's JWKS document (RFC 7517, RFC 7518 §6) read
 * into OpenSSL public keys.
 *
 * The document is read strictly (at most JWKS_MAX_BYTES, no duplicate key,
 * at most JWKS_MAX_KEYS keys, nesting capped before jansson recurses) but
 * keys this server cannot use are skipped rather than refused, since a
 * provider lists encryption keys, other curves and other algorithms beside
 * its signing keys: a key is kept if its kty is RSA (n odd and of 2048 to
 * 8192 bits, e odd and above 1) or EC on P-256 (x and y of 32 bytes each, a
 * point on the curve, checked by OpenSSL's public-key check), its use is
 * "sig" or absent and its alg, if given, is RS256 or ES256. A member of the
 * wrong JSON type is malformed; a value that does not make a usable key
 * (bad base64url, a short modulus, a point off the curve) skips the key.
 * Keys are built with OpenSSL 3's EVP_PKEY_fromdata from their parameters.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include "jscan.h"
#include "jwks_int.h"

#define JWKS_MAX_DEPTH 8
#define JWKS_RSA_MIN_BITS 2048
#define JWKS_RSA_MAX_BYTES 1024     /* 8192 bits: a longer modulus is skipped */
#define JWKS_RSA_MAX_E 8
#define JWKS_P256_BYTES 32

int jwks_b64url_decode(unsigned char *out, size_t max, size_t *outlen,
                       const char *text, size_t len)
{
    /* libsodium stops at the first byte past MAX, so a long TEXT costs little. */
    *outlen = 0;
    return sodium_base642bin(out, max, text, len, NULL, outlen, NULL,
                             sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 ? 0 : -1;
}

/* JK[NAME] as a string: 1 and *s, 0 if absent, -1 if not a string. */
static int jwks_member(const json_t *jk, const char *name, const char **s, size_t *len)
{
    const json_t *v = json_object_get(jk, name);

    if (v == NULL)
        return 0;
    if (!json_is_string(v))
        return -1;
    *s = json_string_value(v);
    *len = json_string_length(v);
    return 1;
}

/* 1 if the string member NAME holds exactly WANT. */
static int jwks_member_is(const json_t *jk, const char *name, const char *want)
{
    const char *s;
    size_t len;

    return jwks_member(jk, name, &s, &len) == 1 && len == strlen(want) &&
           memcmp(s, want, len) == 0;
}

/* The base64url member NAME of JK, decoded into at most MAX bytes: 0, or -1
 * if absent, not a string or not strict base64url of at most MAX bytes. */
static int jwks_member_b64(const json_t *jk, const char *name, unsigned char *out,
                           size_t max, size_t *outlen)
{
    const char *s;
    size_t len;

    if (jwks_member(jk, name, &s, &len) != 1)
        return -1;
    return jwks_b64url_decode(out, max, outlen, s, len);
}

static EVP_PKEY *jwks_fromdata(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *pkey = NULL;

    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

/* An RSA public key from n and e, or NULL if they make no usable key. */
static EVP_PKEY *jwks_rsa(const json_t *jk)
{
    unsigned char nb[JWKS_RSA_MAX_BYTES], eb[JWKS_RSA_MAX_E];
    size_t nlen, elen;
    BIGNUM *n = NULL, *e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    EVP_PKEY *pkey = NULL;

    if (jwks_member_b64(jk, "n", nb, sizeof nb, &nlen) != 0 ||
        jwks_member_b64(jk, "e", eb, sizeof eb, &elen) != 0)
        return NULL;
    n = BN_bin2bn(nb, (int)nlen, NULL);
    e = BN_bin2bn(eb, (int)elen, NULL);
    if (n == NULL || e == NULL || BN_num_bits(n) < JWKS_RSA_MIN_BITS || !BN_is_odd(n) ||
        !BN_is_odd(e) || BN_is_one(e))
        goto out;
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
        goto out;
    pkey = jwks_fromdata("RSA", bld);
out:
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return pkey;
}

/* 1 if OpenSSL's full public-key check passes (for EC: on the curve, not
 * the point at infinity, of the group's order). */
static int jwks_public_check(EVP_PKEY *pkey)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok = ctx != NULL && EVP_PKEY_public_check(ctx) == 1;

    EVP_PKEY_CTX_free(ctx);
    return ok;
}

/* A P-256 public key from x and y, or NULL if they make no usable key. */
static EVP_PKEY *jwks_ec(const json_t *jk)
{
    unsigned char pub[1 + 2 * JWKS_P256_BYTES];
    size_t xlen, ylen;
    OSSL_PARAM_BLD *bld;
    EVP_PKEY *pkey = NULL;

    if (!jwks_member_is(jk, "crv", "P-256") ||
        jwks_member_b64(jk, "x", pub + 1, JWKS_P256_BYTES, &xlen) != 0 ||
        jwks_member_b64(jk, "y", pub + 1 + JWKS_P256_BYTES, JWKS_P256_BYTES, &ylen) != 0 ||
        xlen != JWKS_P256_BYTES || ylen != JWKS_P256_BYTES)
        return NULL;
    pub[0] = 0x04;                          /* SEC 1 uncompressed point */
    bld = OSSL_PARAM_BLD_new();
    if (bld != NULL &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub))
        pkey = jwks_fromdata("EC", bld);
    OSSL_PARAM_BLD_free(bld);
    if (pkey != NULL && !jwks_public_check(pkey)) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

/* The kty, use, alg and kid of JK, checked: 1 and *kty if the key may be
 * kept, 0 if it is to be skipped, -1 if a member has the wrong type. */
static int jwks_key_header(const json_t *jk, enum jwks_kty *kty, const char **kid,
                           size_t *kidlen)
{
    const char *s;
    size_t len;
    int r;

    if (!json_is_object(jk) || jwks_member(jk, "kty", &s, &len) != 1 ||
        jwks_member(jk, "use", &s, &len) < 0 || jwks_member(jk, "alg", &s, &len) < 0 ||
        (r = jwks_member(jk, "kid", kid, kidlen)) < 0)
        return -1;
    if (r == 0)
        *kid = NULL;
    else if (*kidlen > JWKS_MAX_KID || strlen(*kid) != *kidlen)
        return -1;
    if (json_object_get(jk, "use") != NULL && !jwks_member_is(jk, "use", "sig"))
        return 0;
    if (jwks_member_is(jk, "kty", "RSA"))
        *kty = JWKS_RSA;
    else if (jwks_member_is(jk, "kty", "EC"))
        *kty = JWKS_EC;
    else
        return 0;
    if (json_object_get(jk, "alg") != NULL &&
        !jwks_member_is(jk, "alg", *kty == JWKS_RSA ? "RS256" : "ES256"))
        return 0;
    return 1;
}

/* Adds JK to K if usable: 0 (added or skipped), -1 if malformed or out of memory. */
static int jwks_add(struct jwks *k, const json_t *jk)
{
    struct jwks_key *key = &k->key[k->n];
    const char *kid;
    size_t kidlen;
    int r = jwks_key_header(jk, &key->kty, &kid, &kidlen);

    if (r <= 0)
        return r;
    key->pkey = key->kty == JWKS_RSA ? jwks_rsa(jk) : jwks_ec(jk);
    if (key->pkey == NULL)
        return 0;
    key->kid = NULL;
    if (kid != NULL && (key->kid = strdup(kid)) == NULL) {
        EVP_PKEY_free(key->pkey);
        return -1;
    }
    k->n++;
    return 0;
}

int jwks_parse(const char *json, size_t len, struct jwks **out)
{
    struct jscan_info scan;
    json_t *root = NULL;
    const json_t *keys;
    struct jwks *k = NULL;
    size_t i;

    *out = NULL;
    if (len > JWKS_MAX_BYTES)
        return -1;
    jscan_text(json, len, &scan);
    if (scan.depth > JWKS_MAX_DEPTH ||
        (root = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
        return -1;
    keys = json_object_get(root, "keys");
    if (!json_is_object(root) || !json_is_array(keys) || json_array_size(keys) > JWKS_MAX_KEYS ||
        (k = calloc(1, sizeof *k)) == NULL)
        goto fail;
    for (i = 0; i < json_array_size(keys); i++)
        if (jwks_add(k, json_array_get(keys, i)) != 0)
            goto fail;
    if (k->n == 0)
        goto fail;
    json_decref(root);
    ERR_clear_error();      /* the skipped keys' errors, which would mislead libcurl's TLS */
    *out = k;
    return 0;
fail:
    jwks_free(k);
    json_decref(root);
    ERR_clear_error();
    return -1;
}

void jwks_free(struct jwks *k)
{
    size_t i;

    if (k == NULL)
        return;
    for (i = 0; i < k->n; i++) {
        EVP_PKEY_free(k->key[i].pkey);
        free(k->key[i].kid);
    }
    free(k);
}

size_t jwks_count(const struct jwks *k)
{
    return k == NULL ? 0 : k->n;
}

const struct jwks_key *jwks_find(const struct jwks *k, enum jwks_kty kty,
                                 const char *kid, size_t kidlen, int *why)
{
    const struct jwks_key *found = NULL;
    size_t i;

    *why = 0;
    for (i = 0; i < k->n; i++) {
        const struct jwks_key *key = &k->key[i];

        if (kid != NULL) {
            if (key->kid == NULL || strlen(key->kid) != kidlen || memcmp(key->kid, kid, kidlen) != 0)
                continue;
            if (key->kty == kty)
                return key;
            *why = 2;
        } else if (key->kty == kty) {
            if (found != NULL) {
                *why = 1;
                return NULL;
            }
            found = key;
        }
    }
    return found;
}
