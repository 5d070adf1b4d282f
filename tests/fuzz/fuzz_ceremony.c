/*
 * fuzz_ceremony.c — libFuzzer target: a key ceremony's transcript and setup
 * (PROTOCOL-threshold T2–T5) as a verifier or a trustee reads them from a
 * server it need not trust. A transcript that parses must serialize, parse
 * again and keep its digests, QUAL, Y_T and every X_j; a setup likewise its
 * setup digest; anything else (or a sanitizer finding) is a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony.h"
#include "crypto.h"

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

/* The outcome of a and b is the same. */
static int fuzz_same(const struct ceremony *a, const struct ceremony *b)
{
    uint32_t k, j;

    if (memcmp(ceremony_digest(a), ceremony_digest(b), CRYPTO_BYTES) != 0 ||
        memcmp(ceremony_council_key(a), ceremony_council_key(b), CRYPTO_BYTES) != 0 ||
        ceremony_qual_count(a) != ceremony_qual_count(b) ||
        ceremony_qual_count(a) < ceremony_t(a))
        return 0;
    for (k = 0; k < ceremony_qual_count(a); k++) {
        j = ceremony_qual_member(a, k);
        if (j != ceremony_qual_member(b, k) ||
            memcmp(ceremony_verification_key(a, j), ceremony_verification_key(b, j),
                   CRYPTO_BYTES) != 0)
            return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ceremony *c = NULL, *again = NULL;
    char where[96];
    size_t len = 0;
    char *text;

    if (ceremony_transcript_parse((const char *)data, size, &c, where, sizeof where) == PROTO_OK) {
        text = ceremony_transcript_serialize(c, (int)(size & 1), &len);
        if (text == NULL || ceremony_transcript_parse(text, len, &again, NULL, 0) != PROTO_OK ||
            !ceremony_is_complete(c) || !fuzz_same(c, again))
            abort();
        free(text);
        ceremony_free(again);
        ceremony_free(c);
        again = c = NULL;
    }
    if (ceremony_setup_parse((const char *)data, size, &c) == PROTO_OK) {
        text = ceremony_setup_serialize(c, (int)(size & 1), &len);
        if (text == NULL || ceremony_setup_parse(text, len, &again) != PROTO_OK ||
            memcmp(ceremony_setup_digest(c), ceremony_setup_digest(again), CRYPTO_BYTES) != 0)
            abort();
        free(text);
        ceremony_free(again);
        ceremony_free(c);
    }
    return 0;
}
