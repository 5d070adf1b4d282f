/*
 * fuzz_ceremony_message.c — libFuzzer target: what a trustee posts to the
 * server (PROTOCOL-threshold T2, T3, T4, T7): a registration (as trustee 1
 * of the vectors' ceremony); a dealing, checked against the vectors' setup;
 * a verdict, against the vectors' closed round 1; a decryption entry
 * {"holder", "shares"}. A message accepted must serialize
 * and parse again to the same message (a dealing: and be added to a
 * ceremony exactly once); anything else is a crash. Run from the project's
 * root (the ceremony comes from tests/vectors/threshold/ceremony.json).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ceremony.h"
#include "crypto.h"
#include "tally_threshold.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ceremony *fuzz_closed;      /* the vectors' transcript, whole */
static char *fuzz_setup_text;
static size_t fuzz_setup_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_t *root = json_load_file("tests/vectors/threshold/ceremony.json", 0, NULL);
    char *text = root != NULL ? json_dumps(json_object_get(root, "transcript"), JSON_COMPACT |
                                           JSON_PRESERVE_ORDER) : NULL;

    (void)argc;
    (void)argv;
    if (crypto_init() != 0 || text == NULL ||
        ceremony_transcript_parse(text, strlen(text), &fuzz_closed, NULL, 0) != PROTO_OK ||
        (fuzz_setup_text = ceremony_setup_serialize(fuzz_closed, 0, &fuzz_setup_len)) == NULL) {
        fprintf(stderr, "fuzz_ceremony_message: cannot load the vectors (run from the root)\n");
        abort();
    }
    free(text);
    json_decref(root);
    return 0;
}

static void fuzz_dealing(const char *data, size_t size)
{
    struct ceremony_dealing d, again;
    struct ceremony *c = NULL;
    size_t len;
    char *text;

    if (ceremony_setup_parse(fuzz_setup_text, fuzz_setup_len, &c) != PROTO_OK)
        abort();
    if (ceremony_dealing_parse(c, data, size, &d) == PROTO_OK) {
        text = ceremony_dealing_serialize(&d, (int)(size & 1), &len);
        if (text == NULL || ceremony_dealing_parse(c, text, len, &again) != PROTO_OK ||
            memcmp(&d, &again, sizeof d) != 0 || ceremony_dealing_add(c, &d) != PROTO_OK ||
            ceremony_dealing_add(c, &d) != PROTO_VALUE)
            abort();
        free(text);
    }
    ceremony_free(c);
}

static void fuzz_verdict(const char *data, size_t size)
{
    struct ceremony_verdict v, again;
    size_t len;
    char *text;

    if (ceremony_verdict_parse(fuzz_closed, data, size, &v) != PROTO_OK)
        return;
    text = ceremony_verdict_serialize(&v, (int)(size & 1), &len);
    if (text == NULL || ceremony_verdict_parse(fuzz_closed, text, len, &again) != PROTO_OK ||
        memcmp(&v, &again, sizeof v) != 0)
        abort();
    free(text);
}

static void fuzz_entry(const char *data, size_t size)
{
    struct proof_share sh[2], again[2];
    uint32_t holder, holder2;
    size_t len;
    char *text;

    if (tally_threshold_entry_parse(data, size, 2, &holder, sh) != PROTO_OK)
        return;
    text = tally_threshold_entry_serialize(holder, sh, 2, (int)(size & 1), &len);
    if (text == NULL || tally_threshold_entry_parse(text, len, 2, &holder2, again) != PROTO_OK ||
        holder2 != holder || memcmp(sh, again, sizeof sh) != 0)
        abort();
    free(text);
}

static void fuzz_registration(const char *data, size_t size)
{
    struct ceremony_identity reg, again;
    char name[256], name2[256];
    size_t idlen, len;
    const char *id = ceremony_id(fuzz_closed, &idlen);
    char *text;

    if (ceremony_identity_parse(id, idlen, 1, data, size, &reg, name, sizeof name) != PROTO_OK)
        return;
    text = ceremony_identity_serialize(&reg, (int)(size & 1), &len);
    if (text == NULL ||
        ceremony_identity_parse(id, idlen, 1, text, len, &again, name2, sizeof name2) !=
            PROTO_OK || again.name_len != reg.name_len ||
        memcmp(again.name, reg.name, reg.name_len) != 0 ||
        memcmp(again.Z, reg.Z, CRYPTO_BYTES) != 0 || memcmp(&again.pok, &reg.pok, sizeof reg.pok))
        abort();
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_registration((const char *)data, size);
    fuzz_dealing((const char *)data, size);
    fuzz_verdict((const char *)data, size);
    fuzz_entry((const char *)data, size);
    return 0;
}
