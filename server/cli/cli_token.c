/*
 * cli_token.c — `conclave token ...`: API tokens for scripts and for members
 * who log in without a password (create, list, revoke).
 *
 * A new token is printed once, alone on stdout; the database keeps only its
 * SHA-256, so a lost token cannot be shown again, only revoked and replaced.
 * Token ids (shown by create and list) are what revoke takes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cli.h"
#include "cli_util.h"

static const char token_usage[] =
    "usage: conclave token COMMAND [--data DIR]\n"
    "  create USERNAME [--label LABEL]   create an API token (printed once)\n"
    "  list USERNAME                     list a member's tokens\n"
    "  revoke ID                         revoke a token for good\n"
    "Use a token as the header 'Authorization: Bearer TOKEN'. Members make their own\n"
    "on the page /account/tokens; tokens made here for others go to the audit log.\n"
    "Options: --data DIR (default ./var), --help\n";

static int token_create(int argc, char **argv)
{
    struct cli_opt opts[] = { { "label", 1, 0, NULL } };
    struct cli_args a;
    struct cli_ctx ctx;
    char token[AUTH_TOKEN_LEN + 1];
    const char *why = NULL;
    int64_t id = 0;
    int rc = CLI_EXIT_OK;

    if (cli_parse("token create", argc, argv, opts, 1, &a) != 0 || a.help || a.npos != 1)
        return cli_usage(token_usage, a.help);
    if (cli_open(a.data_dir, &ctx) != 0)
        return CLI_EXIT_FAIL;
    if (auth_token_create(ctx.auth, a.pos[0], opts[0].value, cli_actor(), token, &id, &why) != CV_OK) {
        rc = cli_fail("token create", why != NULL ? why : "failed");
    } else {
        fprintf(stderr, "conclave: token %lld for %s (shown only this once):\n",
                (long long)id, a.pos[0]);
        printf("%s\n", token);
        fflush(stdout);
    }
    sodium_memzero(token, sizeof token);
    cli_close(&ctx);
    return rc;
}

/* Formats unix time T as UTC "YYYY-MM-DD HH:MM:SSZ". */
static void token_time(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, cap, "%Y-%m-%d %H:%M:%SZ", &tm) == 0)
        snprintf(buf, cap, "%lld", (long long)t);
}

/* Prints one row of `token list`. */
static int token_list_row(void *ctx, const struct store_token *t)
{
    char created[32];

    (void)ctx;
    token_time(t->created_at, created, sizeof created);
    printf("%-6lld  %-20s  %-7s  %s\n", (long long)t->id, created,
           t->revoked_at ? "revoked" : "active", t->label);
    return 0;
}

static int token_list(int argc, char **argv)
{
    struct store_member m;
    struct cli_args a;
    struct cli_ctx ctx;
    int rc = CLI_EXIT_FAIL, found;

    if (cli_parse("token list", argc, argv, NULL, 0, &a) != 0 || a.help || a.npos != 1)
        return cli_usage(token_usage, a.help);
    if (cli_open(a.data_dir, &ctx) != 0)
        return CLI_EXIT_FAIL;
    found = store_member_get(ctx.st, a.pos[0], &m);
    if (found == CV_NOT_FOUND) {
        cli_fail("token list", "no such member");
    } else if (found != CV_OK) {
        cli_fail("token list", "database error");
    } else {
        printf("%-6s  %-20s  %-7s  %s\n", "ID", "CREATED", "STATUS", "LABEL");
        rc = store_token_list(ctx.st, m.id, token_list_row, NULL) == CV_OK
            ? CLI_EXIT_OK : cli_fail("token list", "database error");
    }
    sodium_memzero(&m, sizeof m);
    cli_close(&ctx);
    return rc;
}

/* Parses a token id: decimal digits only, 1 .. 2^63-1. 0 / -1. */
static int token_parse_id(const char *s, int64_t *out)
{
    char *end;
    long long v;

    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v <= 0)
        return -1;
    *out = (int64_t)v;
    return 0;
}

static int token_revoke(int argc, char **argv)
{
    struct cli_args a;
    struct cli_ctx ctx;
    const char *why = NULL;
    int64_t id;
    int rc = CLI_EXIT_OK;

    if (cli_parse("token revoke", argc, argv, NULL, 0, &a) != 0 || a.help || a.npos != 1)
        return cli_usage(token_usage, a.help);
    if (token_parse_id(a.pos[0], &id) != 0) {
        fprintf(stderr, "conclave token revoke: '%s' is not a token id\n", a.pos[0]);
        return cli_usage(token_usage, 0);
    }
    if (cli_open(a.data_dir, &ctx) != 0)
        return CLI_EXIT_FAIL;
    if (auth_token_revoke(ctx.auth, id, cli_actor(), &why) != CV_OK)
        rc = cli_fail("token revoke", why != NULL ? why : "failed");
    else
        fprintf(stderr, "conclave: token %lld revoked\n", (long long)id);
    cli_close(&ctx);
    return rc;
}

int cli_token_main(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;

    if (sub == NULL)
        return cli_usage(token_usage, 0);
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0)
        return cli_usage(token_usage, 1);
    argc -= 2;
    argv += 2;
    if (strcmp(sub, "create") == 0)
        return token_create(argc, argv);
    if (strcmp(sub, "list") == 0)
        return token_list(argc, argv);
    if (strcmp(sub, "revoke") == 0)
        return token_revoke(argc, argv);
    fprintf(stderr, "conclave token: unknown command '%s'\n", sub);
    return cli_usage(token_usage, 0);
}
