/*
 * test_jwt.c — ID tokens (jwt.h) and the provider's keys (jwks.h).
 *
 * Everything is made here with OpenSSL: RSA-2048 and P-256 keys (and a few
 * that must not be used), their JWKS document, and tokens signed with them,
 * so each check changes one thing of a valid token and sees it refused with
 * the right reason: alg none and HMAC (the classic confusion, with the RSA
 * key's public PEM as the secret), another key under the same kid, an
 * unknown kid, iss, aud and azp, exp, iat, nonce, a tampered payload, base64
 * that only a lax decoder reads, sizes, ES256's raw signature length.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "harness.h"
#include "jwks.h"
#include "jwt.h"

#define NOW 1800000000LL
#define SKEW 60
#define ISS "https://idp.example.org/realms/core"
#define CLIENT "conclave"
#define NONCE "n-0S6_WzA2Mj"

static EVP_PKEY *rsa1, *rsa2, *rsa_small, *ec1, *ec2;
static struct jwks *keys;               /* rsa1 (kid "rsa1") and ec1 (kid "ec1") */

static const struct jwt_expect want = {
    .issuer = ISS, .client_id = CLIENT, .nonce = NONCE, .now = NOW, .skew = SKEW,
    .groups_claim = "groups",
};

/* --- building keys, documents and tokens --------------------------------- */

/* A malloc'd printf. */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, f);
    n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    s = malloc((size_t)n + 1);
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

static char *b64(const void *b, size_t n, int variant)
{
    size_t cap = sodium_base64_encoded_len(n, variant);
    char *s = malloc(cap);

    sodium_bin2base64(s, cap, b, n, variant);
    return s;
}

static char *b64url(const void *b, size_t n)
{
    return b64(b, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static char *b64url_str(const char *s)
{
    return b64url(s, strlen(s));
}

static char *bn_b64url(EVP_PKEY *k, const char *param)
{
    BIGNUM *bn = NULL;
    unsigned char buf[1024];
    int n;

    EVP_PKEY_get_bn_param(k, param, &bn);
    n = BN_bn2bin(bn, buf);
    BN_free(bn);
    return b64url(buf, (size_t)n);
}

/* One JWK of K: RSA (n, e) or EC P-256 (x, y); EXTRA are more members. */
static char *jwk(EVP_PKEY *k, const char *kid, const char *extra)
{
    unsigned char pub[65];
    size_t len = 0;
    char *a, *b, *out;

    if (EVP_PKEY_is_a(k, "RSA")) {
        a = bn_b64url(k, OSSL_PKEY_PARAM_RSA_N);
        b = bn_b64url(k, OSSL_PKEY_PARAM_RSA_E);
        out = fmt("{\"kty\":\"RSA\",\"kid\":\"%s\",\"n\":\"%s\",\"e\":\"%s\"%s}", kid, a, b, extra);
    } else {
        EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub,
                                        sizeof pub, &len);
        a = b64url(pub + 1, 32);
        b = b64url(pub + 33, 32);
        out = fmt("{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"%s}",
                  kid, a, b, extra);
    }
    free(a);
    free(b);
    return out;
}

static struct jwks *parse_doc(const char *doc, int *rc)
{
    struct jwks *k = NULL;

    *rc = jwks_parse(doc, strlen(doc), &k);
    return k;
}

/* The raw signature of MSG by K as JWS puts it: PKCS#1 v1.5 for RSA, r||s
 * (64 bytes) for P-256; *len its length. DER instead of r||s if der. */
static unsigned char *sign(EVP_PKEY *k, const char *msg, size_t *len, int der)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *sig, *raw;
    const unsigned char *p;
    ECDSA_SIG *es;
    size_t n = 0;

    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k);
    EVP_DigestSign(md, NULL, &n, (const unsigned char *)msg, strlen(msg));
    sig = malloc(n);
    EVP_DigestSign(md, sig, &n, (const unsigned char *)msg, strlen(msg));
    EVP_MD_CTX_free(md);
    *len = n;
    if (EVP_PKEY_is_a(k, "RSA") || der)
        return sig;
    p = sig;
    es = d2i_ECDSA_SIG(NULL, &p, (long)n);
    raw = malloc(64);
    BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
    ECDSA_SIG_free(es);
    free(sig);
    *len = 64;
    return raw;
}

/* HEADER64.PAYLOAD64.signature-by-K, the parts given already encoded. */
static char *token_parts(EVP_PKEY *k, const char *h64, const char *p64, int der)
{
    char *input = fmt("%s.%s", h64, p64), *s64, *tok;
    size_t n;
    unsigned char *sig = sign(k, input, &n, der);

    s64 = b64url(sig, n);
    tok = fmt("%s.%s", input, s64);
    free(sig);
    free(s64);
    free(input);
    return tok;
}

/* A token of HEADER and PAYLOAD (JSON text) signed by K. */
static char *token(EVP_PKEY *k, const char *header, const char *payload)
{
    char *h64 = b64url_str(header), *p64 = b64url_str(payload);
    char *tok = token_parts(k, h64, p64, 0);

    free(h64);
    free(p64);
    return tok;
}

/* The claims of a valid token, with EXTRA members appended. */
static char *claims(const char *extra)
{
    return fmt("{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT "\",\"sub\":\"248289761001\","
               "\"nonce\":\"" NONCE "\",\"exp\":%lld,\"iat\":%lld%s}", NOW + 300, NOW - 5, extra);
}

/* Claims written out whole: iss, aud (raw JSON), exp, iat, nonce, EXTRA. */
static char *claims_with(const char *iss, const char *aud, long long exp, long long iat,
                         const char *nonce, const char *extra)
{
    return fmt("{\"iss\":\"%s\",\"aud\":%s,\"sub\":\"u1\",\"nonce\":\"%s\",\"exp\":%lld,"
               "\"iat\":%lld%s}", iss, aud, nonce, exp, iat, extra);
}

/* Verifies TOK against KS and WANT; frees TOK; *out NULL must come with
 * every refusal. */
static enum jwt_result verify_with(char *tok, const struct jwks *ks, const struct jwt_expect *w,
                                   struct jwt_claims **out)
{
    struct jwt_claims *c = (struct jwt_claims *)(uintptr_t)1;
    enum jwt_result r = jwt_verify_id_token(tok, strlen(tok), ks, w, &c);

    CHECK(r == JWT_OK ? c != NULL : c == NULL, "*out set exactly when JWT_OK");
    if (out != NULL)
        *out = c;
    else
        jwt_claims_free(c);
    free(tok);
    return r;
}

static enum jwt_result verify(char *tok)
{
    return verify_with(tok, keys, &want, NULL);
}

/* A token of K under KID with PAYLOAD (freed). */
static char *signed_by(EVP_PKEY *k, const char *kid, char *payload)
{
    char *h = fmt("{\"alg\":\"%s\",\"kid\":\"%s\"}", EVP_PKEY_is_a(k, "RSA") ? "RS256" : "ES256",
                  kid);
    char *tok = token(k, h, payload);

    free(h);
    free(payload);
    return tok;
}

/* --- the tests ------------------------------------------------------------ */

static void test_valid_tokens(void)
{
    struct jwt_claims *c = NULL;

    CHECK_EQ_INT(verify_with(signed_by(rsa1, "rsa1", claims(
        ",\"email\":\"ada@example.org\",\"email_verified\":true,\"name\":\"Ada L\","
        "\"preferred_username\":\"ada\",\"groups\":[\"core\",\"voters\"]")), keys, &want, &c),
        JWT_OK, "RS256 token");
    if (c != NULL) {
        CHECK_EQ_STR(jwt_claims_sub(c), "248289761001");
        CHECK_EQ_STR(jwt_claims_email(c), "ada@example.org");
        CHECK_EQ_INT(jwt_claims_email_verified(c), 1);
        CHECK_EQ_STR(jwt_claims_name(c), "Ada L");
        CHECK_EQ_STR(jwt_claims_username(c), "ada");
        CHECK_EQ_INT(jwt_claims_in_group(c, "voters"), 1);
        CHECK_EQ_INT(jwt_claims_in_group(c, "core"), 1);
        CHECK_EQ_INT(jwt_claims_in_group(c, "admins"), 0);
        CHECK_EQ_INT(jwt_claims_in_group(c, "vote"), 0, "a prefix of a group is not it");
        jwt_claims_free(c);
    }
    CHECK_EQ_INT(verify_with(signed_by(ec1, "ec1", claims(",\"email_verified\":\"true\"")),
                             keys, &want, &c), JWT_OK, "ES256 token");
    if (c != NULL) {
        CHECK_EQ_STR(jwt_claims_sub(c), "248289761001");
        CHECK_EQ_STR(jwt_claims_email(c), NULL);
        CHECK_EQ_INT(jwt_claims_email_verified(c), 0, "only JSON true verifies an email");
        CHECK_EQ_STR(jwt_claims_name(c), NULL);
        CHECK_EQ_STR(jwt_claims_username(c), NULL);
        CHECK_EQ_INT(jwt_claims_in_group(c, "voters"), 0, "no groups claim, no group");
        jwt_claims_free(c);
    }
}

static void test_alg_refused(void)
{
    char *h64 = b64url_str("{\"alg\":\"none\"}"), *p = claims(""), *p64 = b64url_str(p);
    char *pem, *mac64;
    unsigned char mac[32];
    unsigned int maclen = 0;
    BIO *bio = BIO_new(BIO_s_mem());
    long pemlen;
    const char *algs[] = { "None", "NONE", "HS256", "HS512", "RS384", "PS256", "ES384", "EdDSA",
                           "rs256", "RS256 " };
    size_t i;

    CHECK_EQ_INT(verify(fmt("%s.%s.", h64, p64)), JWT_ALG_REFUSED, "alg none, empty signature");
    CHECK_EQ_INT(verify(fmt("%s.%s.c2ln", h64, p64)), JWT_ALG_REFUSED, "alg none, a signature");
    free(h64);
    for (i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        char *h = fmt("{\"alg\":\"%s\",\"kid\":\"rsa1\"}", algs[i]);

        CHECK_EQ_INT(verify(token(rsa1, h, p)), JWT_ALG_REFUSED, algs[i]);
        free(h);
    }
    CHECK_EQ_INT(verify(token(rsa1, "{\"kid\":\"rsa1\"}", p)), JWT_MALFORMED, "no alg");
    CHECK_EQ_INT(verify(token(rsa1, "{\"alg\":256,\"kid\":\"rsa1\"}", p)), JWT_MALFORMED,
                 "alg not a string");
    /* The confusion attack: HS256 keyed with the RSA key's public PEM. */
    PEM_write_bio_PUBKEY(bio, rsa1);
    pemlen = BIO_get_mem_data(bio, &pem);
    h64 = b64url_str("{\"alg\":\"HS256\",\"kid\":\"rsa1\"}");
    {
        char *input = fmt("%s.%s", h64, p64);

        HMAC(EVP_sha256(), pem, (int)pemlen, (const unsigned char *)input, strlen(input), mac,
             &maclen);
        mac64 = b64url(mac, maclen);
        CHECK_EQ_INT(verify(fmt("%s.%s", input, mac64)), JWT_ALG_REFUSED,
                     "HS256 with the RSA public key as the secret");
        free(mac64);
        free(input);
    }
    BIO_free(bio);
    free(h64);
    free(p64);
    free(p);
}

static void test_keys_and_signatures(void)
{
    char *p = claims("");
    size_t n;

    CHECK_EQ_INT(verify(signed_by(rsa2, "rsa1", claims(""))), JWT_BAD_SIGNATURE,
                 "RS256 by another key under the same kid");
    CHECK_EQ_SIZE(ERR_peek_error(), 0, "no OpenSSL error left for the next TLS read");
    CHECK_EQ_INT(verify(signed_by(ec2, "ec1", claims(""))), JWT_BAD_SIGNATURE,
                 "ES256 by another key under the same kid");
    CHECK_EQ_INT(verify(signed_by(rsa1, "rsa9", claims(""))), JWT_UNKNOWN_KID, "unknown kid");
    CHECK_EQ_INT(verify(signed_by(rsa1, "ec1", claims(""))), JWT_BAD_SIGNATURE,
                 "RS256 naming the EC key");
    CHECK_EQ_INT(verify(token(rsa1, "{\"alg\":\"RS256\"}", p)), JWT_OK,
                 "no kid: the only RSA key");
    CHECK_EQ_INT(verify(token(ec1, "{\"alg\":\"ES256\"}", p)), JWT_OK, "no kid: the only EC key");
    CHECK_EQ_INT(verify(token(rsa1, "{\"alg\":\"RS256\",\"kid\":7}", p)), JWT_MALFORMED,
                 "kid not a string");
    CHECK_EQ_INT(verify(token(rsa1, "{\"alg\":\"RS256\",\"kid\":\"rsa1\",\"crit\":[\"exp\"]}", p)),
                 JWT_MALFORMED, "crit header");
    CHECK_EQ_INT(verify(token(rsa1, "{\"alg\":\"RS256\",\"kid\":\"rsa1\",\"kid\":\"rsa2\"}", p)),
                 JWT_MALFORMED, "duplicate key in the header");
    CHECK_EQ_INT(verify(token(rsa1, "[\"RS256\"]", p)), JWT_MALFORMED, "header not an object");
    /* ES256's signature is r||s of 64 bytes: DER, or one byte short, is refused. */
    {
        char *h64 = b64url_str("{\"alg\":\"ES256\",\"kid\":\"ec1\"}"), *p64 = b64url_str(p);
        char *input = fmt("%s.%s", h64, p64), *s64;
        unsigned char *raw = sign(ec1, input, &n, 0);

        CHECK_EQ_INT(verify(token_parts(ec1, h64, p64, 1)), JWT_BAD_SIGNATURE,
                     "ES256 signature in DER");
        s64 = b64url(raw, 63);
        CHECK_EQ_INT(verify(fmt("%s.%s", input, s64)), JWT_BAD_SIGNATURE, "ES256 of 63 bytes");
        free(s64);
        s64 = b64url(raw, 64);
        CHECK_EQ_INT(verify(fmt("%s.%s", input, s64)), JWT_OK, "the same 64 bytes pass");
        free(s64);
        CHECK_EQ_INT(verify(fmt("%s.", input)), JWT_BAD_SIGNATURE, "ES256, empty signature");
        free(raw);
        free(input);
        free(h64);
        free(p64);
    }
    free(p);
}

/* The valid token with its payload part replaced by P64 (signature kept). */
static char *swap_payload(const char *tok, const char *p64)
{
    const char *d1 = strchr(tok, '.'), *d2 = strchr(d1 + 1, '.');

    return fmt("%.*s.%s%s", (int)(d1 - tok), tok, p64, d2);
}

static void test_tampering_and_encoding(void)
{
    char *tok = signed_by(rsa1, "rsa1", claims("")), *other = claims(",\"x\":1"), *p64;
    char *p = claims(",\"note\":\">>>???~~~\""), *h64 = b64url_str("{\"alg\":\"RS256\"}");
    char *std;

    p64 = b64url_str(other);
    CHECK_EQ_INT(verify(swap_payload(tok, p64)), JWT_BAD_SIGNATURE, "tampered payload");
    free(p64);
    /* Signed correctly, but encoded as only a lax decoder reads it. */
    std = b64(p, strlen(p), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    CHECK(strpbrk(std, "+/") != NULL, "the standard encoding has '+' or '/'");
    CHECK_EQ_INT(verify(token_parts(rsa1, h64, std, 0)), JWT_MALFORMED, "'+' and '/' in payload");
    p64 = b64url_str(p);
    CHECK_EQ_INT(verify(token_parts(rsa1, h64, p64, 0)), JWT_OK, "the same payload in base64url");
    {
        /* Padding: a payload whose length is not a multiple of 3, with '='. */
        char *q = claims(""), *q64;

        if (strlen(q) % 3 == 0) {
            free(q);
            q = claims(" ");
        }

        q64 = b64(q, strlen(q), sodium_base64_VARIANT_URLSAFE);
        CHECK(strchr(q64, '=') != NULL, "the padded encoding has '='");
        CHECK_EQ_INT(verify(token_parts(rsa1, h64, q64, 0)), JWT_MALFORMED, "padded payload");
        free(q64);
        free(q);
    }
    {
        /* Non-zero bits after the last byte: "xx" and "xy" decode alike to a lax decoder. */
        const char *hdr = "{\"alg\":\"RS256\"} ";    /* 16 bytes: 22 characters, 4 bits spare */
        char *hb = b64url_str(hdr);
        size_t last = strlen(hb) - 1;

        hb[last] = (char)(hb[last] + 1);
        CHECK_EQ_INT(verify(token_parts(rsa1, hb, p64, 0)), JWT_MALFORMED, "stray bits");
        free(hb);
    }
    CHECK_EQ_INT(verify(fmt(" %s", tok)), JWT_MALFORMED, "leading space");
    CHECK_EQ_INT(verify(fmt("%s.", tok)), JWT_MALFORMED, "four parts");
    CHECK_EQ_INT(verify(fmt("%s", strchr(tok, '.'))), JWT_MALFORMED, "empty header");
    CHECK_EQ_INT(verify(fmt("x")), JWT_MALFORMED, "one part");
    free(p64);
    free(h64);
    free(std);
    free(p);
    free(other);
    free(tok);
}

/* A token of rsa1 with these claims, verified against want. */
#define CLAIMS(iss, aud, exp, iat, nonce, extra) \
    verify(signed_by(rsa1, "rsa1", claims_with(iss, aud, exp, iat, nonce, extra)))
#define AUD1 "\"" CLIENT "\""

static void test_claims_iss_aud(void)
{
    const char *aud1 = AUD1, *aud2 = "[\"" CLIENT "\",\"other\"]";

    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 60, NOW, NONCE, ""), JWT_OK, "the baseline");
    CHECK_EQ_INT(CLAIMS("https://evil.example.org", aud1, NOW + 60, NOW, NONCE, ""),
                 JWT_BAD_ISSUER, "another issuer");
    CHECK_EQ_INT(CLAIMS(ISS "/", aud1, NOW + 60, NOW, NONCE, ""), JWT_BAD_ISSUER,
                 "the issuer with a trailing slash");
    CHECK_EQ_INT(CLAIMS(ISS, "\"other\"", NOW + 60, NOW, NONCE, ""), JWT_BAD_AUDIENCE,
                 "a token for another client");
    CHECK_EQ_INT(CLAIMS(ISS, "[\"other\"]", NOW + 60, NOW, NONCE, ""), JWT_BAD_AUDIENCE,
                 "aud array without the client");
    CHECK_EQ_INT(CLAIMS(ISS, "[\"" CLIENT "\"]", NOW + 60, NOW, NONCE, ""), JWT_OK,
                 "aud array of the client alone");
    CHECK_EQ_INT(CLAIMS(ISS, aud2, NOW + 60, NOW, NONCE, ""), JWT_BAD_AUDIENCE,
                 "several aud, no azp");
    CHECK_EQ_INT(CLAIMS(ISS, aud2, NOW + 60, NOW, NONCE, ",\"azp\":\"other\""), JWT_BAD_AUDIENCE,
                 "several aud, azp another client");
    CHECK_EQ_INT(CLAIMS(ISS, aud2, NOW + 60, NOW, NONCE, ",\"azp\":\"" CLIENT "\""), JWT_OK,
                 "several aud, azp the client");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 60, NOW, NONCE, ",\"azp\":\"other\""), JWT_BAD_AUDIENCE,
                 "one aud, azp another client");
    CHECK_EQ_INT(CLAIMS(ISS, "[]", NOW + 60, NOW, NONCE, ""), JWT_BAD_AUDIENCE, "empty aud");
    CHECK_EQ_INT(CLAIMS(ISS, "[1]", NOW + 60, NOW, NONCE, ""), JWT_MALFORMED, "aud of a number");
}

static void test_claims_time_nonce(void)
{
    const char *aud1 = AUD1;

    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW - SKEW, NOW - 300, NONCE, ""), JWT_EXPIRED,
                 "exp at now - skew");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW - SKEW + 1, NOW - 300, NONCE, ""), JWT_OK,
                 "exp within the skew");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 600, NOW + SKEW + 1, NONCE, ""), JWT_BAD_IAT,
                 "iat in the future beyond the skew");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 600, NOW + SKEW, NONCE, ""), JWT_OK,
                 "iat in the future within the skew");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 600, NOW - 601, NONCE, ""), JWT_BAD_IAT,
                 "iat over ten minutes old");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 600, NOW - 600, NONCE, ""), JWT_OK,
                 "iat ten minutes old");
    CHECK_EQ_INT(verify(signed_by(rsa1, "rsa1", fmt("{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT
        "\",\"sub\":\"u\",\"nonce\":\"" NONCE "\",\"exp\":%lld.5,\"iat\":%lld}", NOW - SKEW,
        NOW))), JWT_OK, "exp as a real, half a second within the skew");
    CHECK_EQ_INT(verify(signed_by(rsa1, "rsa1", fmt("{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT
        "\",\"sub\":\"u\",\"nonce\":\"" NONCE "\",\"exp\":\"%lld\",\"iat\":%lld}", NOW + 60,
        NOW))), JWT_MALFORMED, "exp as a string");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 600, NOW, NONCE, ",\"nbf\":1800000100"), JWT_BAD_IAT,
                 "nbf in the future");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 600, NOW, "n-0S6_WzA2Mk", ""), JWT_BAD_NONCE,
                 "another nonce");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 600, NOW, "n-0S6_WzA2M", ""), JWT_BAD_NONCE,
                 "a prefix of the nonce");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 600, NOW, NONCE "x", ""), JWT_BAD_NONCE,
                 "the nonce and more");
    CHECK_EQ_INT(verify(signed_by(rsa1, "rsa1", fmt("{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT
        "\",\"sub\":\"u\",\"exp\":%lld,\"iat\":%lld}", NOW + 60, NOW))), JWT_BAD_NONCE, "no nonce");
}

static void test_claims_shapes(void)
{
    const char *aud1 = AUD1;
    struct jwt_expect w = want;
    char sub[300];

    CHECK_EQ_INT(verify(signed_by(rsa1, "rsa1", fmt("{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT
        "\",\"nonce\":\"" NONCE "\",\"exp\":%lld,\"iat\":%lld}", NOW + 60, NOW))), JWT_MALFORMED,
        "no sub");
    CHECK_EQ_INT(verify(signed_by(rsa1, "rsa1", fmt("{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT
        "\",\"sub\":\"u\",\"nonce\":\"" NONCE "\",\"iat\":%lld}", NOW))), JWT_MALFORMED, "no exp");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 60, NOW, NONCE, ",\"exp\":1"), JWT_MALFORMED,
                 "duplicate exp in the claims");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 60, NOW, NONCE, ",\"email\":7"), JWT_MALFORMED,
                 "email not a string");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 60, NOW, NONCE, ",\"email\":null"), JWT_OK,
                 "email null is no email");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 60, NOW, NONCE, ",\"groups\":\"core\""), JWT_MALFORMED,
                 "groups not an array");
    CHECK_EQ_INT(CLAIMS(ISS, aud1, NOW + 60, NOW, NONCE, ",\"groups\":[\"a\",3]"), JWT_MALFORMED,
                 "a group not a string");
    w.groups_claim = NULL;
    CHECK_EQ_INT(verify_with(signed_by(rsa1, "rsa1", claims(",\"groups\":3")), keys, &w, NULL),
                 JWT_OK, "no groups claim configured: groups not read");
    memset(sub, 'a', 256);
    sub[256] = 0;
    CHECK_EQ_INT(verify(signed_by(rsa1, "rsa1", fmt("{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT
        "\",\"sub\":\"%s\",\"nonce\":\"" NONCE "\",\"exp\":%lld,\"iat\":%lld}", sub, NOW + 60,
        NOW))), JWT_MALFORMED, "sub of 256 bytes");
    sub[255] = 0;
    CHECK_EQ_INT(verify(signed_by(rsa1, "rsa1", fmt("{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT
        "\",\"sub\":\"%s\",\"nonce\":\"" NONCE "\",\"exp\":%lld,\"iat\":%lld}", sub, NOW + 60,
        NOW))), JWT_OK, "sub of 255 bytes");
}

static void test_sizes(void)
{
    char *big = malloc(JWT_MAX_BYTES + 2), *pad, *extra;
    struct jwt_claims *c;
    size_t n;

    memset(big, 'A', JWT_MAX_BYTES + 1);
    big[JWT_MAX_BYTES + 1] = 0;
    CHECK_EQ_INT(verify(big), JWT_MALFORMED, "a token over 16 KiB");
    /* A signed token just under and just over the cap. */
    for (n = 11000; n <= 12500; n += 1500) {
        char *tok;
        size_t len;

        pad = malloc(n + 1);
        memset(pad, 'g', n);
        pad[n] = 0;
        extra = fmt(",\"pad\":\"%s\"", pad);
        tok = signed_by(rsa1, "rsa1", claims(extra));
        len = strlen(tok);
        CHECK(n == 11000 ? len <= JWT_MAX_BYTES : len > JWT_MAX_BYTES, "the token's size");
        CHECK_EQ_INT(verify_with(tok, keys, &want, &c), n == 11000 ? JWT_OK : JWT_MALFORMED,
                     n == 11000 ? "under the cap" : "over the cap");
        jwt_claims_free(c);
        free(extra);
        free(pad);
    }
}

/* A JWKS document of the JWKs given (each freed). */
static char *doc(int n, ...)
{
    va_list ap;
    char *out = fmt("{\"keys\":["), *next, *k;
    int i;

    va_start(ap, n);
    for (i = 0; i < n; i++) {
        k = va_arg(ap, char *);
        next = fmt("%s%s%s", out, i ? "," : "", k);
        free(out);
        free(k);
        out = next;
    }
    va_end(ap);
    next = fmt("%s]}", out);
    free(out);
    return next;
}

/* Parses D (freed): the count kept, or -1 if refused. */
static long count_of(char *d)
{
    int rc;
    struct jwks *k = parse_doc(d, &rc);
    long n = rc == 0 ? (long)jwks_count(k) : -1;

    CHECK(rc == 0 ? k != NULL : k == NULL, "*out set exactly when 0");
    jwks_free(k);
    free(d);
    return n;
}

/* The JWK of EC1 with the last byte of y changed: a point off the curve. */
static char *jwk_off_curve(void)
{
    unsigned char pub[65];
    size_t len;
    char *x, *y, *out;

    EVP_PKEY_get_octet_string_param(ec1, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub, sizeof pub,
                                    &len);
    pub[64] ^= 1;
    x = b64url(pub + 1, 32);
    y = b64url(pub + 33, 32);
    out = fmt("{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"bad\",\"x\":\"%s\",\"y\":\"%s\"}", x, y);
    free(x);
    free(y);
    return out;
}

static void test_jwks(void)
{
    char *d, *big;
    struct jwks *k;
    int rc, i;

    CHECK_EQ_INT(count_of(doc(2, jwk(rsa1, "rsa1", ""), jwk(ec1, "ec1", ""))), 2, "two keys");
    CHECK_EQ_INT(count_of(doc(1, jwk(rsa_small, "small", ""))), -1, "RSA-1024 alone: no key");
    CHECK_EQ_INT(count_of(doc(2, jwk(rsa_small, "small", ""), jwk(rsa1, "rsa1", ""))), 1,
                 "RSA-1024 skipped");
    CHECK_EQ_INT(count_of(doc(1, jwk_off_curve())), -1, "a point off the curve: no key");
    CHECK_EQ_SIZE(ERR_peek_error(), 0, "no OpenSSL error left after a refused key");
    CHECK_EQ_INT(count_of(doc(2, jwk_off_curve(), jwk(ec1, "ec1", ""))), 1,
                 "a point off the curve skipped");
    CHECK_EQ_INT(count_of(doc(2, jwk(rsa1, "enc", ",\"use\":\"enc\""), jwk(ec1, "s", ",\"use\":\"sig\""))),
                 1, "use enc skipped, use sig kept");
    CHECK_EQ_INT(count_of(doc(2, jwk(rsa1, "a", ",\"alg\":\"PS256\""), jwk(rsa2, "b", ",\"alg\":\"RS256\""))),
                 1, "alg PS256 skipped, RS256 kept");
    CHECK_EQ_INT(count_of(doc(2, fmt("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AA\"}"),
                              jwk(ec1, "ec1", ""))), 1, "kty OKP skipped");
    CHECK_EQ_INT(count_of(doc(1, jwk(ec1, "ec1", ",\"crv\":\"P-384\""))), -1,
                 "duplicate crv in a key");
    CHECK_EQ_INT(count_of(doc(1, jwk(ec1, "ec1", ",\"use\":1"))), -1, "use not a string");
    CHECK_EQ_INT(count_of(doc(1, fmt("{\"n\":\"AQAB\"}"))), -1, "no kty");
    CHECK_EQ_INT(count_of(fmt("{\"keys\":{}}")), -1, "keys not an array");
    CHECK_EQ_INT(count_of(fmt("{\"keys\":[]}")), -1, "no keys");
    CHECK_EQ_INT(count_of(fmt("[]")), -1, "not an object");
    CHECK_EQ_INT(count_of(fmt("{\"keys\":[],\"keys\":[]}")), -1, "duplicate keys member");
    /* 32 keys are read, 33 are not. */
    d = fmt("{\"keys\":[");
    for (i = 0; i < 33; i++) {
        char *j = jwk(ec1, "ec", ""), *next = fmt("%s%s%s", d, i ? "," : "", j);

        free(j);
        free(d);
        d = next;
        if (i == 31) {
            char *whole = fmt("%s]}", d);

            CHECK_EQ_INT(count_of(whole), 32, "32 keys");
        }
    }
    big = fmt("%s]}", d);
    CHECK_EQ_INT(count_of(big), -1, "33 keys");
    free(d);
    /* A document over 64 KiB, even of valid keys and spaces. */
    d = doc(1, jwk(ec1, "ec1", ""));
    big = malloc(JWKS_MAX_BYTES + 2);
    memset(big, ' ', JWKS_MAX_BYTES + 1);
    memcpy(big, d, strlen(d));
    big[JWKS_MAX_BYTES + 1] = 0;
    k = parse_doc(big, &rc);
    CHECK_EQ_INT(rc, -1, "a document over 64 KiB");
    big[JWKS_MAX_BYTES] = 0;
    jwks_free(k);
    k = parse_doc(big, &rc);
    CHECK_EQ_INT(rc, 0, "a document of 64 KiB");
    jwks_free(k);
    free(big);
    free(d);
}

static void test_kid_choice(void)
{
    char *d = doc(3, jwk(rsa1, "rsa1", ""), jwk(rsa2, "rsa2", ""), jwk(ec1, "ec1", ""));
    struct jwks *two;
    int rc;
    char *p = claims("");

    two = parse_doc(d, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(verify_with(token(rsa2, "{\"alg\":\"RS256\",\"kid\":\"rsa2\"}", p), two, &want,
                             NULL), JWT_OK, "the second RSA key by its kid");
    CHECK_EQ_INT(verify_with(token(rsa1, "{\"alg\":\"RS256\"}", p), two, &want, NULL),
                 JWT_MALFORMED, "no kid and two RSA keys");
    CHECK_EQ_INT(verify_with(token(ec1, "{\"alg\":\"ES256\"}", p), two, &want, NULL), JWT_OK,
                 "no kid and one EC key");
    CHECK_EQ_INT(verify_with(signed_by(rsa_small, "small", claims("")), keys, &want, NULL),
                 JWT_UNKNOWN_KID, "a token of the skipped RSA-1024 key");
    jwks_free(two);
    free(d);
    free(p);
}

static void test_result_names(void)
{
    CHECK_EQ_STR(jwt_result_name(JWT_OK), "ok");
    CHECK_EQ_STR(jwt_result_name(JWT_MALFORMED), "malformed");
    CHECK_EQ_STR(jwt_result_name(JWT_ALG_REFUSED), "alg_refused");
    CHECK_EQ_STR(jwt_result_name(JWT_UNKNOWN_KID), "unknown_kid");
    CHECK_EQ_STR(jwt_result_name(JWT_BAD_SIGNATURE), "bad_signature");
    CHECK_EQ_STR(jwt_result_name(JWT_BAD_ISSUER), "bad_issuer");
    CHECK_EQ_STR(jwt_result_name(JWT_BAD_AUDIENCE), "bad_audience");
    CHECK_EQ_STR(jwt_result_name(JWT_EXPIRED), "expired");
    CHECK_EQ_STR(jwt_result_name(JWT_BAD_IAT), "bad_iat");
    CHECK_EQ_STR(jwt_result_name(JWT_BAD_NONCE), "bad_nonce");
}

int main(void)
{
    char *d;
    int rc;

    if (sodium_init() < 0)
        return 1;
    rsa1 = EVP_RSA_gen(2048);
    rsa2 = EVP_RSA_gen(2048);
    rsa_small = EVP_RSA_gen(1024);
    ec1 = EVP_EC_gen("P-256");
    ec2 = EVP_EC_gen("P-256");
    if (!rsa1 || !rsa2 || !rsa_small || !ec1 || !ec2)
        return 1;
    d = doc(3, jwk(rsa1, "rsa1", ""), jwk(ec1, "ec1", ""), jwk(rsa_small, "small", ""));
    keys = parse_doc(d, &rc);
    free(d);
    CHECK_EQ_INT(rc, 0, "the test's JWKS");
    CHECK_EQ_SIZE(jwks_count(keys), 2, "RSA-2048 and P-256 kept, RSA-1024 skipped");
    if (keys != NULL) {
        test_valid_tokens();
        test_alg_refused();
        test_keys_and_signatures();
        test_tampering_and_encoding();
        test_claims_iss_aud();
        test_claims_time_nonce();
        test_claims_shapes();
        test_sizes();
        test_kid_choice();
    }
    test_jwks();
    test_result_names();
    jwks_free(keys);
    EVP_PKEY_free(rsa1);
    EVP_PKEY_free(rsa2);
    EVP_PKEY_free(rsa_small);
    EVP_PKEY_free(ec1);
    EVP_PKEY_free(ec2);
    TEST_MAIN_END("test_jwt");
}
