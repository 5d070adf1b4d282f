/*
 * cli_verify.c — `conclave verify BOARD.json [--server-key server.pem]
 * [--ceremony-digest HEX]`: an independent check of a published board
 * (PROTOCOL §8; a poll sealed by trustees: PROTOCOL-threshold T8), for
 * anyone.
 *
 * Reads the board (a file, or "-" for stdin, capped at PROTO_MAX_BOARD),
 * verifies everything on every core and prints one line. Exit 0 only when
 * the whole claim was checked: a complete board whose result's signature
 * verified and, for a threshold board, whose ceremony is the one its
 * trustees published. A board that holds as far as it goes but has no
 * result yet (partial) exits 3; a threshold board whose ceremony digest
 * was not compared (no --ceremony-digest) exits 5; a complete board whose
 * signature was not checked (no --server-key) exits 4 — in that order,
 * unless the caller accepts each with --allow-partial /
 * --no-ceremony-digest / --no-signature. 1 is a rejected board (a digest
 * given for a board sealed by the server only included), 2 a usage error.
 * A partial board carries no signed result, so it is 3 (or, accepted, 0)
 * with or without a key. Needs no data directory and no server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "cli.h"
#include "sign.h"

#define VERIFY_EXIT_OK        0
#define VERIFY_EXIT_INVALID   1
#define VERIFY_EXIT_USAGE     2
#define VERIFY_EXIT_PARTIAL   3
#define VERIFY_EXIT_UNSIGNED  4
#define VERIFY_EXIT_CEREMONY  5

struct verify_args {
    const char *board, *key;
    unsigned threads;
    int allow_partial, no_signature, no_ceremony;
    int has_digest;
    unsigned char digest[CRYPTO_BYTES];
};

static void cli_verify_usage(FILE *f)
{
    fprintf(f,
            "usage: conclave verify BOARD.json [--server-key server.pem]\n"
            "                       [--ceremony-digest HEX] [--threads N]\n"
            "                       [--allow-partial] [--no-signature] [--no-ceremony-digest]\n"
            "\n"
            "Checks a poll's board: the poll record and fingerprint, every ballot's\n"
            "proofs and tracker, order and duplicates, the tally, every decryption\n"
            "share, the counts, the rule and the result; with --server-key also the\n"
            "result's signature. A poll sealed by trustees also carries its key\n"
            "ceremony, checked whole, and the record against it. BOARD.json may be -\n"
            "for standard input.\n"
            "  --server-key FILE  the server's Ed25519 public key (PEM), to check the\n"
            "                     result's signature (GET /api/v1/server-key)\n"
            "  --ceremony-digest HEX  the ceremony digest the trustees published out\n"
            "                     of band (64 hex digits): a board sealed by any other\n"
            "                     ceremony, or by the server only, is rejected\n"
            "  --allow-partial    exit 0 for a board without its result yet\n"
            "  --no-signature     exit 0 without checking the signature (no key)\n"
            "  --no-ceremony-digest  exit 0 for a trustees' board without comparing\n"
            "                     its ceremony digest\n"
            "  --threads N        verifying threads (default: one per core)\n"
            "Exit status:\n"
            "  0  the board holds: complete, its signature verified and, sealed by\n"
            "     trustees, its ceremony digest compared (or accepted without:\n"
            "     --allow-partial, --no-signature, --no-ceremony-digest)\n"
            "  1  the board is rejected (the first failure and its reason on stderr)\n"
            "  2  usage error\n"
            "  3  partial: what is there holds, but the decryptions and the result are\n"
            "     not (all) there, so there is no result to trust yet; a partial board\n"
            "     has no signed result, so this holds with or without --server-key\n"
            "  4  complete and consistent, but the signature was not checked (no\n"
            "     --server-key): anyone could have made such a board\n"
            "  5  sealed by trustees and consistent, but its ceremony digest was not\n"
            "     compared with the one they published (no --ceremony-digest): the\n"
            "     server could have run a ceremony of its own (checked before 4)\n");
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

/* "; sealed by 3 of 4 trustees (...), shares of the server and trustees
 * 1, 3, 5" (threshold boards). */
static void cli_verify_print_holders(const struct board_report *rep)
{
    uint32_t i, trustees = 0;
    const char *sep;

    printf("; sealed by %u of %u trustees (ceremony digest ", (unsigned)rep->t,
           (unsigned)rep->qual);
    for (i = 0; i < CRYPTO_BYTES; i++)
        printf("%02x", rep->ceremony_digest[i]);
    printf(")");
    if (rep->holders_present == 0) {
        printf(", no shares yet\n");
        return;
    }
    for (i = 0; i < rep->holders_present; i++)
        trustees += rep->present[i] != 0;
    sep = trustees == 1 ? " and trustee " : " and trustees ";
    if (rep->present[0] == 0)
        printf(", shares of the server");
    else
        sep = trustees == 1 ? ", shares of trustee " : ", shares of trustees ";
    for (i = 0; i < rep->holders_present; i++) {
        if (rep->present[i] == 0)
            continue;
        printf("%s%u", sep, (unsigned)rep->present[i]);
        sep = ", ";
    }
    printf("\n");
}

static void cli_verify_print(const struct board_report *rep)
{
    uint32_t j;

    if (rep->threshold) {
        if (rep->partial)
            printf("board ok (partial: result not yet published): %u ballots",
                   (unsigned)rep->ballots);
        else
            printf("board ok: %u ballots, counts [", (unsigned)rep->ballots);
        for (j = 0; !rep->partial && j < rep->m; j++)
            printf(j > 0 ? ", %u" : "%u", (unsigned)rep->counts[j]);
        if (!rep->partial)
            printf("] passed=%s", rep->verdict == PROTO_VERDICT_NONE ? "none"
                                  : rep->verdict == PROTO_VERDICT_PASSED ? "true" : "false");
        cli_verify_print_holders(rep);
        return;
    }
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

/* 64 hex digits (either case) into out. 0, or -1 (printed). */
static int cli_verify_digest(const char *hex, unsigned char out[CRYPTO_BYTES])
{
    char lower[2 * CRYPTO_BYTES + 1];
    size_t i, n = strlen(hex);

    for (i = 0; i < n && i < sizeof lower - 1; i++)
        lower[i] = (char)(hex[i] >= 'A' && hex[i] <= 'F' ? hex[i] - 'A' + 'a' : hex[i]);
    lower[i] = '\0';
    if (n != 2 * CRYPTO_BYTES || crypto_hex_decode(out, CRYPTO_BYTES, lower, n) != 0) {
        fprintf(stderr, "conclave verify: --ceremony-digest wants 64 hex digits\n");
        return -1;
    }
    return 0;
}

/* Parses argv; 0, or 2 for a usage error (printed), or -1 for --help. */
static int cli_verify_args(int argc, char **argv, struct verify_args *a)
{
    int i;

    memset(a, 0, sizeof *a);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return -1;
        if (strcmp(argv[i], "--server-key") == 0 && i + 1 < argc && a->key == NULL) {
            a->key = argv[++i];
        } else if (strcmp(argv[i], "--ceremony-digest") == 0 && i + 1 < argc && !a->has_digest) {
            if (cli_verify_digest(argv[++i], a->digest) != 0)
                goto usage;
            a->has_digest = 1;
        } else if (strcmp(argv[i], "--no-ceremony-digest") == 0) {
            a->no_ceremony = 1;
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);

            if (*end != '\0' || v < 1 || v > 64)
                goto usage;
            a->threads = (unsigned)v;
        } else if (strcmp(argv[i], "--allow-partial") == 0) {
            a->allow_partial = 1;
        } else if (strcmp(argv[i], "--no-signature") == 0) {
            a->no_signature = 1;
        } else if ((argv[i][0] != '-' || strcmp(argv[i], "-") == 0) && a->board == NULL) {
            a->board = argv[i];
        } else {
            goto usage;
        }
    }
    if (a->key != NULL && a->no_signature) {
        fprintf(stderr, "conclave verify: --no-signature and --server-key contradict each "
                "other\n");
        goto usage;
    }
    if (a->has_digest && a->no_ceremony) {
        fprintf(stderr, "conclave verify: --no-ceremony-digest and --ceremony-digest "
                "contradict each other\n");
        goto usage;
    }
    if (a->board != NULL)
        return 0;
usage:
    cli_verify_usage(stderr);
    return VERIFY_EXIT_USAGE;
}

/* The exit status of a board that verified as far as it goes. */
static int cli_verify_status(const struct verify_args *a, const struct board_report *rep)
{
    if (rep->partial && !a->allow_partial) {
        fprintf(stderr, "conclave verify: partial board: no result yet (exit 3; "
                "--allow-partial accepts it)\n");
        return VERIFY_EXIT_PARTIAL;
    }
    if (rep->threshold && !rep->ceremony_checked && !a->no_ceremony) {
        fprintf(stderr, "conclave verify: the ceremony digest was not compared with the one "
                "the trustees published: give --ceremony-digest HEX (exit 5; "
                "--no-ceremony-digest accepts it)\n");
        return VERIFY_EXIT_CEREMONY;
    }
    if (!rep->partial && a->key == NULL && !a->no_signature) {
        fprintf(stderr, "conclave verify: the result's signature was not checked: give "
                "--server-key server.pem (exit 4; --no-signature accepts it)\n");
        return VERIFY_EXIT_UNSIGNED;
    }
    return VERIFY_EXIT_OK;
}

int cli_verify_main(int argc, char **argv)
{
    unsigned char pk[SIGN_PUBLIC_BYTES];
    struct board_trust trust;
    struct verify_args a;
    struct board_report rep;
    size_t len = 0;
    char *text;
    int rc;

    if ((rc = cli_verify_args(argc, argv, &a)) != 0) {
        if (rc < 0)
            cli_verify_usage(stdout);
        return rc < 0 ? VERIFY_EXIT_OK : rc;
    }
    if (crypto_init() != 0) {
        fprintf(stderr, "conclave verify: libsodium failed to initialise\n");
        return VERIFY_EXIT_INVALID;
    }
    if (a.key != NULL && cli_verify_key(a.key, pk) != 0) {
        fprintf(stderr, "conclave verify: %s: not an Ed25519 PEM public key\n", a.key);
        return VERIFY_EXIT_INVALID;
    }
    if ((text = cli_verify_slurp(a.board, PROTO_MAX_BOARD, &len)) == NULL) {
        fprintf(stderr, "conclave verify: %s: cannot read (or larger than %u bytes)\n", a.board,
                (unsigned)PROTO_MAX_BOARD);
        return VERIFY_EXIT_INVALID;
    }
    trust.server_pk = a.key != NULL ? pk : NULL;
    trust.ceremony_digest = a.has_digest ? a.digest : NULL;
    board_verify_against(text, len, &trust, a.threads, &rep);
    free(text);
    if (rep.reason != PROTO_OK) {
        fprintf(stderr, "board rejected: %s: %s\n", rep.where, proto_reason_code(rep.reason));
        return VERIFY_EXIT_INVALID;
    }
    if (a.has_digest && !rep.threshold) {
        fprintf(stderr, "board rejected: protocol: ceremony (sealed by the server only, not "
                "by the trustees of the ceremony digest given)\n");
        return VERIFY_EXIT_INVALID;
    }
    cli_verify_print(&rep);
    return cli_verify_status(&a, &rep);
}
