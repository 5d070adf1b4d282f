/*
 * fuzz_record.c — libFuzzer target: poll records (PROTOCOL §3) as a client
 * reads them from a server it need not trust (`conclave vote` parses the
 * record the server sends) and as the ballot box reads its stored ones. A
 * record that parses must serialize, parse again and keep its fingerprint,
 * roll digest and public key; anything else is a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "record.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct record *rec = NULL, *again = NULL;
    size_t len = 0, i;
    char *text;

    if (record_parse((const char *)data, size, &rec) != PROTO_OK)
        return 0;
    for (i = 0; i < record_roll_count(rec); i++) {
        size_t n;
        const char *v = record_roll_entry(rec, (uint32_t)i, &n);
        if (!record_roll_contains(rec, v, n))
            abort();        /* every roll entry is on the roll */
    }
    text = record_serialize(rec, (int)(size & 1), &len);
    if (text == NULL || record_parse(text, len, &again) != PROTO_OK ||
        memcmp(record_fingerprint(rec), record_fingerprint(again), CRYPTO_BYTES) != 0 ||
        memcmp(record_roll_digest(rec), record_roll_digest(again), CRYPTO_BYTES) != 0 ||
        memcmp(record_public_key(rec), record_public_key(again), CRYPTO_BYTES) != 0)
        abort();
    free(text);
    record_free(again);
    record_free(rec);
    return 0;
}
