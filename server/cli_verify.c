/*
 * cli_verify.c — `conclave verify BOARD.json [--server-key server.pem]`: an
 * independent check of a published board (PROTOCOL §8), for anyone.
 *
 * Reads the board (a file, or "-" for stdin, capped at PROTO_MAX_BOARD),
 * verifies everything on every core and prints one line. Exit 0 when the
 * board holds, 1 with the first failure and its reason code on stderr,
 * 2 for a usage error. Needs no data directory and no server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "cli.h"
#include "sign.h"

static void cli_verify_usage(FILE *f)
{
    fprintf(f,
            "usage: conclave verify BOARD.json [--server-key server.pem] [--threads N]\n"
            "\n"
            "Checks a poll's board: the poll record and fingerprint, every ballot's\n"
            "proofs and tracker, order and duplicates, the tally, every decryption\n"
            "share, the counts, the rule and the result; with --server-key also the\n"
            "result's signature. BOARD.json may be - for standard input.\n"
            "Exit status: 0 board ok, 1 board rejected (reason on stderr), 2 usage.\n");
}

/* Reads a whole file ("-": stdin) of at most cap bytes; caller frees. */
static char *cli_verify_slurp(const char *path, size_t cap, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t n = 0, size = 1 << 16, got;
    char *buf = NULL, *nbuf;

    if (f == NULL)
        return NULL;
    for (;;) {
        if ((nbuf = realloc(buf, size + 1)) == NULL)
            goto fail;
        buf = nbuf;
        got = fread(buf + n, 1, size - n, f);
        n += got;
        if (n < size)
            break;
        if (size >= cap || size > SIZE_MAX / 4)
            goto fail;            /* larger than any board we accept */
        size = size * 2 > cap ? cap + 1 : size * 2;
    }
    if (ferror(f))
        goto fail;
    buf[n] = '\0';
    *len = n;
    if (f != stdin)
        fclose(f);
    return buf;
fail:
    free(buf);
    if (f != stdin)
        fclose(f);
    return NULL;
}

static int cli_verify_key(const char *path, unsigned char pk[SIGN_PUBLIC_BYTES])
{
    size_t len;
    char *pem = cli_verify_slurp(path, 64 * 1024, &len);
    int rc = pem != NULL ? sign_public_from_pem(pem, len, pk) : -1;

    free(pem);
    return rc;
}

static void cli_verify_print(const struct board_report *rep)
{
    uint32_t j;

    if (rep->partial) {
        printf("board ok (partial: result not yet published): %u ballots, shares of %u of %u "
               "holders\n", (unsigned)rep->ballots, (unsigned)rep->holders_present,
               (unsigned)rep->holders);
        return;
    }
    printf("board ok: %u ballots, counts [", (unsigned)rep->ballots);
    for (j = 0; j < rep->m; j++)
        printf(j > 0 ? ", %u" : "%u", (unsigned)rep->counts[j]);
    printf("] passed=%s\n", rep->verdict == PROTO_VERDICT_NONE ? "none"
                            : rep->verdict == PROTO_VERDICT_PASSED ? "true" : "false");
}

/* Parses argv; 0, or 2 for a usage error (printed), or -1 for --help. */
static int cli_verify_args(int argc, char **argv, const char **board, const char **key,
                           unsigned *threads)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return -1;
        if (strcmp(argv[i], "--server-key") == 0 && i + 1 < argc) {
            *key = argv[++i];
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);

            if (*end != '\0' || v < 1 || v > 64)
                goto usage;
            *threads = (unsigned)v;
        } else if ((argv[i][0] != '-' || strcmp(argv[i], "-") == 0) && *board == NULL) {
            *board = argv[i];
        } else {
            goto usage;
        }
    }
    if (*board != NULL)
        return 0;
usage:
    cli_verify_usage(stderr);
    return 2;
}

int cli_verify_main(int argc, char **argv)
{
    unsigned char pk[SIGN_PUBLIC_BYTES];
    const char *board = NULL, *key = NULL;
    struct board_report rep;
    unsigned threads = 0;
    size_t len = 0;
    char *text;
    int rc;

    if ((rc = cli_verify_args(argc, argv, &board, &key, &threads)) != 0) {
        if (rc < 0)
            cli_verify_usage(stdout);
        return rc < 0 ? 0 : rc;
    }
    if (crypto_init() != 0) {
        fprintf(stderr, "conclave verify: libsodium failed to initialise\n");
        return 1;
    }
    if (key != NULL && cli_verify_key(key, pk) != 0) {
        fprintf(stderr, "conclave verify: %s: not an Ed25519 PEM public key\n", key);
        return 1;
    }
    if ((text = cli_verify_slurp(board, PROTO_MAX_BOARD, &len)) == NULL) {
        fprintf(stderr, "conclave verify: %s: cannot read (or larger than %u bytes)\n", board,
                (unsigned)PROTO_MAX_BOARD);
        return 1;
    }
    board_verify(text, len, key != NULL ? pk : NULL, threads, &rep);
    free(text);
    if (rep.reason != PROTO_OK) {
        fprintf(stderr, "board rejected: %s: %s\n", rep.where, proto_reason_code(rep.reason));
        return 1;
    }
    cli_verify_print(&rep);
    if (key == NULL && !rep.partial)
        fprintf(stderr, "note: result signature not checked (no --server-key)\n");
    return 0;
}
