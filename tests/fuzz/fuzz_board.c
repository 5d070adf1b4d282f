/*
 * fuzz_board.c — libFuzzer target: board parsing and verification (PROTOCOL
 * §7, §8), with the vectors' server key. The report must not depend on the
 * number of threads, and a board accepted piece by piece (board_verify's
 * split) must be accepted with the same report on its whole JSON tree;
 * anything else (or a sanitizer finding) is a crash.
 * Run from the project's root (the key comes from tests/vectors/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "sign.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char fuzz_pk[SIGN_PUBLIC_BYTES];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    FILE *f = fopen("tests/vectors/server.pem", "rb");
    char pem[1024];
    size_t n = f != NULL ? fread(pem, 1, sizeof pem, f) : 0;

    (void)argc;
    (void)argv;
    if (f != NULL)
        fclose(f);
    if (crypto_init() != 0 || sign_public_from_pem(pem, n, fuzz_pk) != 0) {
        fprintf(stderr, "fuzz_board: cannot load tests/vectors/server.pem (run from the root)\n");
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct board_report one, two;

    board_verify((const char *)data, size, fuzz_pk, 1, &one);
    if (one.reason == PROTO_OK) {
        /* accepted piece by piece: the whole JSON tree must accept it too */
        board_verify_whole((const char *)data, size, fuzz_pk, 1, &two);
        if (two.reason != PROTO_OK || memcmp(&one, &two, sizeof one) != 0)
            abort();
    }
    if (one.reason == PROTO_OK || one.ballots > 8) {
        /* worth a second run: many ballots, or a board that holds */
        board_verify((const char *)data, size, fuzz_pk, 3, &two);
        if (one.reason != two.reason || strcmp(one.where, two.where) != 0)
            abort();
    }
    return 0;
}
