/*
 * fuzz_jwks.c — libFuzzer target: JWKS documents (jwks.h). Whatever the
 * input: jwks_parse answers 0 with 1 .. JWKS_MAX_KEYS keys or -1 with no
 * set, the same twice over; and a token signed by the fixture's P-256 key
 * (jwt_fixture.h) is checked against whatever set came out without harm:
 * accepted, or refused as JWT_UNKNOWN_KID or JWT_BAD_SIGNATURE (the token
 * itself is valid and names its kid, so no other answer can be right).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jwks.h"
#include "jwt.h"
#include "jwt_fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *fuzz_token;
static size_t fuzz_token_len;

static const struct jwt_expect fuzz_want = {
    .issuer = FIX_ISS, .client_id = FIX_CLIENT, .nonce = FIX_NONCE, .now = FIX_NOW,
    .skew = 60, .groups_claim = NULL,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char header[] = "{\"alg\":\"ES256\",\"kid\":\"ec1\"}";
    static const char claims[] = "{\"iss\":\"" FIX_ISS "\",\"aud\":\"" FIX_CLIENT "\","
        "\"sub\":\"s\",\"nonce\":\"" FIX_NONCE "\",\"exp\":1800000300,\"iat\":1800000000}";
    EVP_PKEY *ec;

    (void)argc;
    (void)argv;
    if (sodium_init() < 0)
        abort();
    ec = fix_load_ec();
    fuzz_token = fix_sign(ec, header, strlen(header), claims, strlen(claims), &fuzz_token_len);
    EVP_PKEY_free(ec);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jwks *k = (struct jwks *)(uintptr_t)1, *again = NULL;
    struct jwt_claims *c = NULL;
    int rc = jwks_parse((const char *)data, size, &k);
    enum jwt_result r;

    if (rc == 0 ? (k == NULL || jwks_count(k) < 1 || jwks_count(k) > JWKS_MAX_KEYS)
                : (rc != -1 || k != NULL))
        abort();
    if (jwks_parse((const char *)data, size, &again) != rc ||
        jwks_count(again) != jwks_count(k))
        abort();
    jwks_free(again);
    if (k == NULL)
        return 0;
    r = jwt_verify_id_token(fuzz_token, fuzz_token_len, k, &fuzz_want, &c);
    if (r != JWT_OK && r != JWT_UNKNOWN_KID && r != JWT_BAD_SIGNATURE)
        abort();
    jwt_claims_free(c);
    jwks_free(k);
    return 0;
}
