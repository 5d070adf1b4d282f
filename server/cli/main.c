/*
 * main.c — the `conclave` command: finds the subcommand in a static table
 * and hands it argv from the subcommand's name on.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "serve.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"serve",  serve_main,     "run the server in the foreground"},
    {"user",   cli_user_main,  "manage members (add, list, deactivate, import...)"},
    {"token",  cli_token_main, "manage API tokens (create, list, revoke)"},
    {"council", cli_council_main, "councils of trustees: create, list, show, use"},
    {"trustee", cli_trustee_main, "a trustee's side: keygen, show, deal, verdict; decrypt, watch"},
    {"backup", cli_backup_main, "back up the data directory while the server runs"},
    {"vote",   cli_vote_main,  "cast a sealed ballot (yes/no) from the command line"},
    {"result", cli_result_main, "print a closed poll's verified result"},
    {"verify", cli_verify_main, "check a poll's board (proofs, tally, result, signature)"},
};

static void usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: conclave COMMAND [options]   (conclave COMMAND --help)\n\n");
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "conclave: libsodium failed to initialise\n");
        return 1;
    }
#ifdef CONCLAVE_TEST
    if (strcmp(argv[1], "test-seed-council") == 0)      /* cli_testseed.c */
        return cli_testseed_main(argc - 1, argv + 1);
#endif
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "conclave: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
