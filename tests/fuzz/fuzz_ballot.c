/*
 * fuzz_ballot.c — libFuzzer target: ballot parsing and stateless
 * verification (PROTOCOL §5, §10) against the vectors' poll-1 and poll-2, in
 * both forms. The one-pass reader (ballot_parse, ballot_read.c) must give
 * the reason that jansson's tree read by ballot_from_json gives, and the same
 * ballot. A ballot that is accepted must survive serialize → parse → verify
 * with the same tracker; anything else is a crash.
 * Run from the project's root (the records come from tests/vectors/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ballot.h"
#include "record.h"
#include "sjson.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct record *fuzz_polls[2];

static struct record *fuzz_load(size_t index)
{
    FILE *f = fopen("tests/vectors/poll.json", "rb");
    json_t *root = f != NULL ? json_loadf(f, 0, NULL) : NULL;
    struct record *rec = NULL;

    if (f != NULL)
        fclose(f);
    if (record_from_json(json_object_get(json_array_get(json_object_get(root, "polls"), index),
                                         "record"), &rec) != PROTO_OK)
        rec = NULL;
    json_decref(root);
    return rec;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (crypto_init() != 0 || (fuzz_polls[0] = fuzz_load(0)) == NULL ||
        (fuzz_polls[1] = fuzz_load(1)) == NULL) {
        fprintf(stderr, "fuzz_ballot: cannot load tests/vectors/poll.json (run from the root)\n");
        abort();
    }
    return 0;
}

/* The reader ballot_parse replaced: jansson's tree, then ballot_from_json. */
static enum proto_reason fuzz_tree_parse(const char *text, size_t len, enum ballot_form form,
                                         struct ballot **out)
{
    enum proto_reason why;
    json_t *root = sjson_parse(text, len, PROTO_MAX_BALLOT, &why);

    *out = NULL;
    if (root == NULL)
        return why;
    why = ballot_from_json(root, form, out);
    json_decref(root);
    return why;
}

/* Both readers agree on TEXT (the one-pass reader's B, reason WHY). */
static void fuzz_same_reading(const char *text, size_t len, enum ballot_form form,
                              enum proto_reason why, const struct ballot *b)
{
    struct ballot *t = NULL;
    char *x, *y;

    if (fuzz_tree_parse(text, len, form, &t) != why)
        abort();
    if (why == PROTO_OK) {
        x = ballot_serialize(b, BALLOT_FORM_POST, 0, NULL);
        y = ballot_serialize(t, BALLOT_FORM_POST, 0, NULL);
        if (x == NULL || y == NULL || strcmp(x, y) != 0 ||
            memcmp(ballot_tracker(b), ballot_tracker(t), CRYPTO_BYTES) != 0 ||
            ballot_check_tracker(b) != ballot_check_tracker(t))
            abort();
        free(x);
        free(y);
    }
    ballot_free(t);
}

static void fuzz_roundtrip(const struct ballot *b, enum ballot_form form, const struct record *rec)
{
    struct ballot *again = NULL;
    size_t len = 0;
    char *text = ballot_serialize(b, form, (int)(ballot_choice_count(b) & 1), &len);

    if (text == NULL || ballot_parse(text, len, form, &again) != PROTO_OK ||
        ballot_verify(again, rec) != PROTO_OK ||
        memcmp(ballot_tracker(again), ballot_tracker(b), CRYPTO_BYTES) != 0)
        abort();
    free(text);
    ballot_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    int f, p;

    for (f = 0; f < 2; f++) {
        enum ballot_form form = f ? BALLOT_FORM_BOARD : BALLOT_FORM_POST;
        struct ballot *b = NULL;
        enum proto_reason why = ballot_parse(text, size, form, &b);

        fuzz_same_reading(text, size, form, why, b);
        if (why != PROTO_OK)
            continue;
        for (p = 0; p < 2; p++)
            if (ballot_verify(b, fuzz_polls[p]) == PROTO_OK)
                fuzz_roundtrip(b, form, fuzz_polls[p]);
        ballot_free(b);
    }
    return 0;
}
