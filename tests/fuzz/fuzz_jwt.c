/*
 * fuzz_jwt.c — libFuzzer target: ID tokens (jwt.h) against a fixed JWKS
 * (jwt_fixture.h). The input's first byte chooses how the rest is read:
 *
 *   even: a compact token, verified as it is;
 *   odd:  HEADER '\n' CLAIMS, any bytes, which the target encodes and signs
 *         with the fixture's P-256 key before verifying, so that the checks
 *         after the signature (the JSON of the claims, iss, aud, times,
 *         nonce, the claims copied) are reached too.
 *
 * Whatever the input: *out is set exactly on JWT_OK, the result has a name;
 * and a token accepted has alg ES256 or RS256 in its header, the expected
 * iss, aud and nonce, an exp after now - skew, and the sub the claims give
 * (all read again here with jansson from the token's own parts).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jwks.h"
#include "jwt.h"
#include "jwt_fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct jwks *fuzz_keys;
static EVP_PKEY *fuzz_ec;

static const struct jwt_expect fuzz_want = {
    .issuer = FIX_ISS, .client_id = FIX_CLIENT, .nonce = FIX_NONCE, .now = FIX_NOW,
    .skew = 60, .groups_claim = "groups",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0 || jwks_parse(fix_jwks, strlen(fix_jwks), &fuzz_keys) != 0 ||
        jwks_count(fuzz_keys) != 2)
        abort();
    fuzz_ec = fix_load_ec();
    return 0;
}

/* Part I of TOK decoded and parsed (it verified, so it must parse). */
static json_t *part_json(const char *tok, int i)
{
    const char *start = tok, *end;
    unsigned char buf[16384];
    size_t n;
    json_t *j;

    while (i-- > 0)
        start = strchr(start, '.') + 1;
    end = strchr(start, '.');
    if (sodium_base642bin(buf, sizeof buf, start, (size_t)(end - start), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        (j = json_loadb((const char *)buf, n, 0, NULL)) == NULL)
        abort();
    return j;
}

static int str_is(const json_t *v, const char *want)
{
    return json_is_string(v) && strcmp(json_string_value(v), want) == 0 &&
           json_string_length(v) == strlen(want);
}

/* What an accepted token must be. */
static void check_accepted(const char *tok, const struct jwt_claims *c)
{
    json_t *h = part_json(tok, 0), *p = part_json(tok, 1);
    const json_t *aud = json_object_get(p, "aud"), *exp = json_object_get(p, "exp");
    size_t i;
    int found = str_is(aud, FIX_CLIENT);

    for (i = 0; i < json_array_size(aud); i++)
        found |= str_is(json_array_get(aud, i), FIX_CLIENT);
    if (!(str_is(json_object_get(h, "alg"), "ES256") || str_is(json_object_get(h, "alg"), "RS256")) ||
        !str_is(json_object_get(p, "iss"), FIX_ISS) || !found ||
        !str_is(json_object_get(p, "nonce"), FIX_NONCE) ||
        !str_is(json_object_get(p, "sub"), jwt_claims_sub(c)) || strlen(jwt_claims_sub(c)) > 255 ||
        !json_is_number(exp) || json_number_value(exp) <= (double)(FIX_NOW - 60))
        abort();
    json_decref(h);
    json_decref(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jwt_claims *c = (struct jwt_claims *)(uintptr_t)1;
    const uint8_t *nl;
    char *tok;
    size_t len;
    enum jwt_result r;

    if (size < 1 || size > 20000)
        return 0;
    if (data[0] & 1) {
        nl = memchr(data + 1, '\n', size - 1);
        if (nl == NULL)
            return 0;
        tok = fix_sign(fuzz_ec, data + 1, (size_t)(nl - data - 1), nl + 1,
                       size - (size_t)(nl + 1 - data), &len);
    } else {
        len = size - 1;
        if ((tok = malloc(len + 1)) == NULL)
            abort();
        memcpy(tok, data + 1, len);
        tok[len] = 0;
    }
    r = jwt_verify_id_token(tok, len, fuzz_keys, &fuzz_want, &c);
    if ((r == JWT_OK) != (c != NULL) || strcmp(jwt_result_name(r), "unknown") == 0)
        abort();
    if (c != NULL) {
        check_accepted(tok, c);
        (void)jwt_claims_email(c);
        (void)jwt_claims_name(c);
        (void)jwt_claims_username(c);
        (void)jwt_claims_email_verified(c);
        (void)jwt_claims_in_group(c, "core");
        jwt_claims_free(c);
    }
    free(tok);
    return 0;
}
