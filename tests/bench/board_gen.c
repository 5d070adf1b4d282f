/*
 * board_gen.c — writes a signed board of N yes/no ballots and its server key:
 *
 *   board_gen N BOARD.json SERVER.pem
 *
 * tests/e2e/booth.mjs times the browser's verifyBoard on 1,000 ballots with it.
 * Exit 0, 2 on bad arguments, 1 on failure.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "crypto.h"

int main(int argc, char **argv)
{
    long n;

    if (argc != 4 || (n = atol(argv[1])) < 1 || n > 1000000) {
        fprintf(stderr, "usage: board_gen N BOARD.json SERVER.pem\n");
        return 2;
    }
    if (crypto_init() != 0 || bench_board_make((size_t)n, argv[2], argv[3]) != 0) {
        fprintf(stderr, "board_gen: could not make the board\n");
        return 1;
    }
    return 0;
}
