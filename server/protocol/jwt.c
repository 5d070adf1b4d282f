/*
 * jwt.c — an OpenID Connect ID token checked (OpenID Connect Core §3.1.3.7;
 * RFC 7515 compact JWS, RFC 7519 claims) against the provider's keys.
 *
 * The order is the safe one: the token's size is capped, it is cut into its
 * three parts and the header decoded; its alg is read before anything else
 * and only RS256 and ES256 go further (alg "none", HMAC and everything else
 * are refused there, so no key of the JWKS is ever used as an HMAC secret,
 * and a header's jwk, jku or x5u is never looked at: keys come from the
 * JWKS alone); a header with "crit" is malformed (no extension is
 * understood). Then the key is found by kid, the signature over the first
 * two parts is checked with OpenSSL (ES256's raw r||s of 64 bytes is turned
 * into the DER form OpenSSL takes), and only then is the payload parsed and
 * its claims checked: iss, aud and azp, exp, iat, nbf, nonce, sub. Every
 * base64url part is decoded strictly (no padding, no '+' or '/', no stray
 * bits); JSON with a duplicate key, in the header or the claims, is
 * malformed. The claims kept are copied, each capped, into struct
 * jwt_claims.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <sodium.h>

#include "jscan.h"
#include "jwks_int.h"
#include "jwt.h"

#define JWT_MAX_DEPTH 16
#define JWT_MAX_SIG 1024            /* an RSA-8192 signature */
#define JWT_MAX_AUD 16
#define JWT_MAX_SUB 255
#define JWT_MAX_EMAIL 320
#define JWT_MAX_NAME 512
#define JWT_MAX_USERNAME 256
#define JWT_MAX_GROUPS 1024
#define JWT_MAX_GROUP 256

struct jwt_claims {
    char *sub, *email, *name, *username;
    int email_verified;
    size_t ngroups;
    char **groups;
};

/* The three dot-separated parts of a compact JWS. */
struct jwt_parts {
    const char *part[3];
    size_t len[3];
};

static enum jwt_result jwt_split(const char *token, size_t len, struct jwt_parts *p)
{
    size_t i, start = 0, n = 0;

    for (i = 0; i <= len; i++) {
        if (i < len && token[i] != '.')
            continue;
        /* A fourth part, or an empty header or payload. An empty signature
         * is let through so that alg "none" is refused as such. */
        if (n == 3 || (i == start && n < 2))
            return JWT_MALFORMED;
        p->part[n] = token + start;
        p->len[n++] = i - start;
        start = i + 1;
    }
    return n == 3 ? JWT_OK : JWT_MALFORMED;
}

/* The JSON object in base64url TEXT, or NULL if anything is wrong with it. */
static json_t *jwt_json(const char *text, size_t len)
{
    size_t max = len / 4 * 3 + 3, n;
    unsigned char *buf = malloc(max);
    struct jscan_info scan;
    json_t *root = NULL;

    if (buf == NULL || jwks_b64url_decode(buf, max, &n, text, len) != 0)
        goto out;
    jscan_text((const char *)buf, n, &scan);
    if (scan.depth > JWT_MAX_DEPTH)
        goto out;
    root = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, NULL);
    if (root != NULL && !json_is_object(root)) {
        json_decref(root);
        root = NULL;
    }
out:
    free(buf);
    return root;
}

/* 1 if V is a JSON string of exactly the bytes of WANT. */
static int jwt_str_is(const json_t *v, const char *want)
{
    return json_is_string(v) && json_string_length(v) == strlen(want) &&
           memcmp(json_string_value(v), want, strlen(want)) == 0;
}

/* The header's alg and kid: JWT_OK with *kty, *has_kid and KID (a
 * NUL-terminated copy without NUL inside; "" without a kid). */
static enum jwt_result jwt_header(const struct jwt_parts *p, enum jwks_kty *kty,
                                  char kid[JWKS_MAX_KID + 1], int *has_kid)
{
    json_t *h = jwt_json(p->part[0], p->len[0]);
    const json_t *alg, *k;
    enum jwt_result r = JWT_MALFORMED;

    if (h == NULL)
        return JWT_MALFORMED;
    alg = json_object_get(h, "alg");
    k = json_object_get(h, "kid");
    if (!json_is_string(alg) || json_object_get(h, "crit") != NULL)
        goto out;
    r = JWT_ALG_REFUSED;
    if (jwt_str_is(alg, "RS256"))
        *kty = JWKS_RSA;
    else if (jwt_str_is(alg, "ES256"))
        *kty = JWKS_EC;
    else
        goto out;
    r = JWT_MALFORMED;
    *has_kid = k != NULL;
    if (k != NULL && (!json_is_string(k) || json_string_length(k) > JWKS_MAX_KID ||
                      strlen(json_string_value(k)) != json_string_length(k)))
        goto out;
    memcpy(kid, k != NULL ? json_string_value(k) : "", k != NULL ? json_string_length(k) + 1 : 1);
    r = JWT_OK;
out:
    json_decref(h);
    return r;
}

/* ES256's raw r||s (RFC 7518 §3.4) as the DER ECDSA-Sig-Value OpenSSL
 * verifies: 0 and *der (caller OPENSSL_free()s), or -1. */
static int jwt_es256_der(const unsigned char sig[64], unsigned char **der, size_t *derlen)
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32, 32, NULL);
    int n = -1;

    *der = NULL;
    if (es != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(es, r, s) == 1) {
        r = s = NULL;                   /* owned by es now */
        n = i2d_ECDSA_SIG(es, der);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    if (n <= 0)
        return -1;
    *derlen = (size_t)n;
    return 0;
}

/* The signature of the token's first two parts by KEY. */
static enum jwt_result jwt_check_signature(const struct jwt_parts *p,
                                           const struct jwks_key *key)
{
    unsigned char sig[JWT_MAX_SIG], *der = NULL;
    const unsigned char *s = sig;
    size_t siglen, slen;
    EVP_MD_CTX *md = NULL;
    enum jwt_result r = JWT_MALFORMED;

    if (jwks_b64url_decode(sig, sizeof sig, &siglen, p->part[2], p->len[2]) != 0)
        return JWT_MALFORMED;
    slen = siglen;
    r = JWT_BAD_SIGNATURE;
    if (key->kty == JWKS_EC) {
        if (siglen != 64 || jwt_es256_der(sig, &der, &slen) != 0)
            goto out;
        s = der;
    }
    md = EVP_MD_CTX_new();
    if (md != NULL && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
        EVP_DigestVerify(md, s, slen, (const unsigned char *)p->part[0],
                         p->len[0] + 1 + p->len[1]) == 1)
        r = JWT_OK;
out:
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    /* A failed check leaves errors in this thread's OpenSSL queue, where a
     * later TLS read (libcurl) would take them for its own. */
    ERR_clear_error();
    return r;
}

/* A NumericDate (RFC 7519 §2: seconds, an integer or not): 1 and *t, 0 if
 * absent, -1 if not a number. A double holds every integer time exactly up
 * to 2^53 and keeps the order of larger ones, which is all the checks need. */
static int jwt_time(const json_t *claims, const char *name, double *t)
{
    const json_t *v = json_object_get(claims, name);

    if (v == NULL)
        return 0;
    if (!json_is_number(v))
        return -1;
    *t = json_number_value(v);
    return 1;
}

/* aud holds the client (a string, or an array of 1 .. JWT_MAX_AUD strings),
 * and azp, if present or if aud has several values, is the client. */
static enum jwt_result jwt_check_audience(const json_t *claims, const char *client_id)
{
    const json_t *aud = json_object_get(claims, "aud"), *azp = json_object_get(claims, "azp");
    size_t i, n;
    int found = 0;

    if (json_is_string(aud)) {
        n = 1;
        found = jwt_str_is(aud, client_id);
    } else if (json_is_array(aud) && json_array_size(aud) <= JWT_MAX_AUD) {
        n = json_array_size(aud);
        for (i = 0; i < n; i++) {
            if (!json_is_string(json_array_get(aud, i)))
                return JWT_MALFORMED;
            found |= jwt_str_is(json_array_get(aud, i), client_id);
        }
    } else {
        return JWT_MALFORMED;
    }
    if (azp != NULL && !json_is_string(azp))
        return JWT_MALFORMED;
    if (!found || ((n > 1 || azp != NULL) && !jwt_str_is(azp, client_id)))
        return JWT_BAD_AUDIENCE;
    return JWT_OK;
}

/* exp, iat and nbf against the clock (iat and exp required). */
static enum jwt_result jwt_check_times(const json_t *claims, const struct jwt_expect *want)
{
    double exp, iat, nbf;
    int has_nbf;

    if (jwt_time(claims, "exp", &exp) != 1 || jwt_time(claims, "iat", &iat) != 1 ||
        (has_nbf = jwt_time(claims, "nbf", &nbf)) < 0)
        return JWT_MALFORMED;
    if (!(exp > (double)(want->now - want->skew)))
        return JWT_EXPIRED;
    if (iat > (double)(want->now + want->skew) || iat < (double)(want->now - JWT_MAX_IAT_AGE) ||
        (has_nbf && nbf > (double)(want->now + want->skew)))
        return JWT_BAD_IAT;
    return JWT_OK;
}

/* The nonce, compared in constant time (it is the login's secret). */
static enum jwt_result jwt_check_nonce(const json_t *claims, const char *nonce)
{
    const json_t *v = json_object_get(claims, "nonce");
    size_t n = strlen(nonce);

    if (v != NULL && !json_is_string(v))
        return JWT_MALFORMED;
    if (v == NULL || json_string_length(v) != n ||
        sodium_memcmp(json_string_value(v), nonce, n) != 0)
        return JWT_BAD_NONCE;
    return JWT_OK;
}

static enum jwt_result jwt_check_claims(const json_t *claims, const struct jwt_expect *want)
{
    const json_t *iss = json_object_get(claims, "iss");
    enum jwt_result r;

    if (!json_is_string(iss))
        return JWT_MALFORMED;
    if (!jwt_str_is(iss, want->issuer))
        return JWT_BAD_ISSUER;
    if ((r = jwt_check_audience(claims, want->client_id)) != JWT_OK ||
        (r = jwt_check_times(claims, want)) != JWT_OK)
        return r;
    return jwt_check_nonce(claims, want->nonce);
}

/* A copy of string V of 1 .. MAX bytes without NUL: 0 and *out, -1 if not
 * such a string or out of memory. */
static int jwt_copy(const json_t *v, size_t max, char **out)
{
    size_t n = json_string_length(v);

    if (!json_is_string(v) || n == 0 || n > max || strlen(json_string_value(v)) != n)
        return -1;
    if ((*out = malloc(n + 1)) == NULL)
        return -1;
    memcpy(*out, json_string_value(v), n + 1);
    return 0;
}

/* An optional string claim: absent or null leaves *out NULL. */
static int jwt_copy_optional(const json_t *claims, const char *name, size_t max, char **out)
{
    const json_t *v = json_object_get(claims, name);

    *out = NULL;
    return v == NULL || json_is_null(v) ? 0 : jwt_copy(v, max, out);
}

/* The groups claim NAME: an array of strings (absent or null: no group). */
static int jwt_copy_groups(const json_t *claims, const char *name, struct jwt_claims *c)
{
    const json_t *v = name != NULL ? json_object_get(claims, name) : NULL;
    size_t i, n;

    if (v == NULL || json_is_null(v))
        return 0;
    n = json_array_size(v);
    if (!json_is_array(v) || n > JWT_MAX_GROUPS)
        return -1;
    if (n > 0 && (c->groups = calloc(n, sizeof *c->groups)) == NULL)
        return -1;
    for (i = 0; i < n; i++, c->ngroups++)
        if (jwt_copy(json_array_get(v, i), JWT_MAX_GROUP, &c->groups[i]) != 0)
            return -1;
    return 0;
}

/* The claims kept, copied into a new struct jwt_claims, or NULL if one has
 * the wrong type or length (or out of memory). */
static struct jwt_claims *jwt_claims_read(const json_t *claims, const char *groups_claim)
{
    struct jwt_claims *c = calloc(1, sizeof *c);

    if (c == NULL)
        return NULL;
    if (jwt_copy(json_object_get(claims, "sub"), JWT_MAX_SUB, &c->sub) != 0 ||
        jwt_copy_optional(claims, "email", JWT_MAX_EMAIL, &c->email) != 0 ||
        jwt_copy_optional(claims, "name", JWT_MAX_NAME, &c->name) != 0 ||
        jwt_copy_optional(claims, "preferred_username", JWT_MAX_USERNAME, &c->username) != 0 ||
        jwt_copy_groups(claims, groups_claim, c) != 0) {
        jwt_claims_free(c);
        return NULL;
    }
    c->email_verified = json_is_true(json_object_get(claims, "email_verified"));
    return c;
}

enum jwt_result jwt_verify_id_token(const char *token, size_t len,
        const struct jwks *keys, const struct jwt_expect *want,
        struct jwt_claims **out)
{
    struct jwt_parts p;
    enum jwks_kty kty;
    char kid[JWKS_MAX_KID + 1];
    int has_kid, why;
    const struct jwks_key *key;
    json_t *claims;
    enum jwt_result r = JWT_MALFORMED;

    *out = NULL;
    if (len > JWT_MAX_BYTES || (r = jwt_split(token, len, &p)) != JWT_OK ||
        (r = jwt_header(&p, &kty, kid, &has_kid)) != JWT_OK)
        return r;
    key = jwks_find(keys, kty, has_kid ? kid : NULL, strlen(kid), &why);
    if (key == NULL)
        return why == 1 ? JWT_MALFORMED : why == 2 ? JWT_BAD_SIGNATURE : JWT_UNKNOWN_KID;
    if ((r = jwt_check_signature(&p, key)) != JWT_OK)
        return r;
    if ((claims = jwt_json(p.part[1], p.len[1])) == NULL)
        return JWT_MALFORMED;
    r = jwt_check_claims(claims, want);
    if (r == JWT_OK && (*out = jwt_claims_read(claims, want->groups_claim)) == NULL)
        r = JWT_MALFORMED;
    json_decref(claims);
    return r;
}

const char *jwt_result_name(enum jwt_result r)
{
    static const char *const names[] = { "ok", "malformed", "alg_refused", "unknown_kid",
        "bad_signature", "bad_issuer", "bad_audience", "expired", "bad_iat", "bad_nonce" };

    return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "unknown";
}

const char *jwt_claims_sub(const struct jwt_claims *c) { return c->sub; }
const char *jwt_claims_email(const struct jwt_claims *c) { return c->email; }
int jwt_claims_email_verified(const struct jwt_claims *c) { return c->email_verified; }
const char *jwt_claims_name(const struct jwt_claims *c) { return c->name; }
const char *jwt_claims_username(const struct jwt_claims *c) { return c->username; }

int jwt_claims_in_group(const struct jwt_claims *c, const char *group)
{
    size_t i;

    for (i = 0; i < c->ngroups; i++)
        if (strcmp(c->groups[i], group) == 0)
            return 1;
    return 0;
}

void jwt_claims_free(struct jwt_claims *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < c->ngroups; i++)
        free(c->groups[i]);
    free(c->groups);
    free(c->sub);
    free(c->email);
    free(c->name);
    free(c->username);
    free(c);
}
