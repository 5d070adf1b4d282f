/*
 * fuzz_record_threshold.c — libFuzzer target: poll records of either kind
 * (PROTOCOL §3, PROTOCOL-threshold T6) as `conclave vote` and a trustee read
 * them from a server they need not trust. A record that parses must
 * serialize and parse again to the same fingerprint, roll digest and key;
 * a v1 reader must refuse a threshold record as shape; checking one against
 * the vectors' ceremony must give ok or ceremony. Anything else is a crash.
 * Run from the project's root (tests/vectors/threshold/ceremony.json).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "record_threshold.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ceremony *fuzz_cer;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_t *root = json_load_file("tests/vectors/threshold/ceremony.json", 0, NULL);
    char *text = root != NULL ? json_dumps(json_object_get(root, "transcript"), JSON_COMPACT |
                                           JSON_PRESERVE_ORDER) : NULL;

    (void)argc;
    (void)argv;
    if (crypto_init() != 0 || text == NULL ||
        ceremony_transcript_parse(text, strlen(text), &fuzz_cer, NULL, 0) != PROTO_OK) {
        fprintf(stderr, "fuzz_record_threshold: cannot load the vectors (run from the root)\n");
        abort();
    }
    free(text);
    json_decref(root);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct record *rec = NULL, *again = NULL;
    enum proto_reason why;
    size_t len = 0;
    char *text;

    if (record_parse_kind((const char *)data, size, RECORD_V1 | RECORD_THRESHOLD, &rec) !=
        PROTO_OK)
        return 0;
    text = record_serialize(rec, (int)(size & 1), &len);
    if (text == NULL ||
        record_parse_kind(text, len, RECORD_V1 | RECORD_THRESHOLD, &again) != PROTO_OK ||
        memcmp(record_fingerprint(rec), record_fingerprint(again), CRYPTO_BYTES) != 0 ||
        memcmp(record_roll_digest(rec), record_roll_digest(again), CRYPTO_BYTES) != 0 ||
        memcmp(record_public_key(rec), record_public_key(again), CRYPTO_BYTES) != 0 ||
        (record_threshold(rec) == NULL) != (record_threshold(again) == NULL))
        abort();
    record_free(again);
    again = NULL;
    if (record_threshold(rec) != NULL) {
        if (record_parse(text, len, &again) != PROTO_SHAPE || again != NULL)
            abort();        /* T6: a v1 reader refuses it */
        why = record_threshold_check(rec, fuzz_cer);
        if (why != PROTO_OK && why != PROTO_CEREMONY)
            abort();
    }
    free(text);
    record_free(rec);
    return 0;
}
