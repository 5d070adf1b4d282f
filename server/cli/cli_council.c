/*
 * cli_council.c — `conclave council ...`: councils of trustees from the
 * command line, on the data directory like `conclave user` (create, list,
 * show, use). A council's ceremony itself runs between the server and the
 * trustees' own machines (`conclave trustee`, cli_trustee.c); these commands
 * only start it, follow it and, once it is complete, make it the council new
 * polls are sealed for. Creating and using a council are written to the
 * audit log as done by cli:USER.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_util.h"
#include "council.h"
#include "poll.h"

static const char council_usage[] =
    "usage: conclave council COMMAND [--data DIR]\n"
    "  create NAME --threshold T --trustee USERNAME [--trustee USERNAME ...]\n"
    "         [--round-hours H]   start a council's key ceremony: T of the listed members\n"
    "                             (1 <= T <= n <= 64) will be needed to decrypt; each round\n"
    "                             (registration, dealings, verdicts) lasts H hours (default\n"
    "                             72); prints the council's id\n"
    "  list                       the councils, newest first, with their state\n"
    "  show ID                    a council's ceremony: who registered, dealt, gave a\n"
    "                             verdict; the deadline; QUAL and the ceremony digest\n"
    "  use ID                     seal new polls for council ID (its ceremony complete)\n"
    "Trustees run `conclave trustee keygen|deal|verdict` on their own machines.\n"
    "Options: --data DIR (default ./var), --help\n";

/* Takes every "--trustee U" (or --trustee=U) out of ARGV into NAMES; the
 * rest stays in ARGV (*ARGC updated). -1 on a missing value or too many. */
static int council_take_trustees(int *argc, char **argv, const char **names, uint32_t *n)
{
    int i, k = 0;

    *n = 0;
    for (i = 0; i < *argc; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--trustee") == 0) {
            if (i + 1 >= *argc)
                return -1;
            v = argv[++i];
        } else if (strncmp(argv[i], "--trustee=", 10) == 0) {
            v = argv[i] + 10;
        } else {
            argv[k++] = argv[i];
            continue;
        }
        if (*n >= PROTO_MAX_TRUSTEES)
            return -1;
        names[(*n)++] = v;
    }
    *argc = k;
    return 0;
}

/* A positive whole number of hours, at most COUNCIL_ROUND_HOURS_MAX. */
static int council_hours(const char *s, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < 1 || v > COUNCIL_ROUND_HOURS_MAX)
        return -1;
    *out = v;
    return 0;
}

static int council_create_cmd(int argc, char **argv)
{
    struct cli_opt opts[] = { { "threshold", 1, 0, NULL }, { "round-hours", 1, 0, NULL } };
    const char *names[PROTO_MAX_TRUSTEES], *why = "";
    char id[STORE_COUNCIL_ID_MAX + 1], *end;
    struct cli_args a;
    struct cli_ctx ctx;
    uint32_t n;
    long t, hours = COUNCIL_ROUND_HOURS_DEFAULT;
    enum cv_err r;

    if (council_take_trustees(&argc, argv, names, &n) != 0) {
        fprintf(stderr, "conclave council create: --trustee needs a username (at most 64)\n");
        return cli_usage(council_usage, 0);
    }
    if (cli_parse("council create", argc, argv, opts, 2, &a) != 0 || a.help || a.npos != 1)
        return cli_usage(council_usage, a.help);
    if (!opts[0].set || n == 0) {
        fprintf(stderr, "conclave council create: --threshold and --trustee are required\n");
        return cli_usage(council_usage, 0);
    }
    t = strtol(opts[0].value, &end, 10);
    if (*opts[0].value == '\0' || *end != '\0' || t < 1 || t > (long)n)
        return cli_fail("council create", "--threshold must be between 1 and the number of "
                                          "trustees");
    if (opts[1].set && council_hours(opts[1].value, &hours) != 0)
        return cli_fail("council create", "--round-hours must be a whole number of hours "
                                          "from 1 to 2160");
    if (cli_open(a.data_dir, &ctx) != 0)
        return CLI_EXIT_FAIL;
    r = council_create(ctx.st, a.pos[0], (uint32_t)t, names, n, (int64_t)hours * 3600,
                       cli_actor(), (int64_t)time(NULL), id, &why);
    cli_close(&ctx);
    if (r == CV_INVALID)
        return cli_fail("council create", why);
    if (r != CV_OK)
        return cli_fail("council create", "database error");
    fprintf(stderr, "conclave: council %s created (%ld of %u); its trustees now run\n"
                    "  conclave trustee keygen --server URL %s\n",
            id, t, n, id);
    printf("%s\n", id);
    return CLI_EXIT_OK;
}

static int council_list_row(void *ctx, const struct store_council *c)
{
    char closes[21] = "-";

    if (c->round_closes_at > 0)
        poll_format_time(c->round_closes_at, closes);
    printf("%-16s  %-11s  %2u of %-2u  %-20s  %s%s\n", c->id, c->state, c->t, c->n, closes,
           c->name, c->current ? "  (current)" : "");
    return 0;
}

static int council_list_cmd(int argc, char **argv)
{
    struct cli_args a;
    struct cli_ctx ctx;
    int rc;

    if (cli_parse("council list", argc, argv, NULL, 0, &a) != 0 || a.help || a.npos != 0)
        return cli_usage(council_usage, a.help);
    if (cli_open(a.data_dir, &ctx) != 0)
        return CLI_EXIT_FAIL;
    printf("%-16s  %-11s  %-8s  %-20s  %s\n", "ID", "STATE", "T OF N", "ROUND CLOSES", "NAME");
    rc = store_council_list(ctx.st, council_list_row, NULL) == CV_OK
        ? CLI_EXIT_OK : cli_fail("council list", "database error");
    cli_close(&ctx);
    return rc;
}

/* Prints V for `council show`. */
static void council_print(const struct council_view *v)
{
    const struct store_council *r = &v->row;
    char closes[21], when[3][21];
    uint32_t i, k;

    printf("council   %s  %s\n", r->id, r->name);
    printf("state     %s%s  (%u of %u)\n", r->state, r->current ? ", current" : "", r->t, r->n);
    if (r->round_closes_at > 0) {
        poll_format_time(r->round_closes_at, closes);
        printf("round     %s, closes at %s\n", council_round_name(r->state), closes);
    }
    if (r->failure[0])
        printf("failure   %s\n", r->failure);
    printf("%-5s  %-39s  %-20s  %-20s  %-20s  %s\n", "INDEX", "TRUSTEE", "REGISTERED", "DEALT",
           "VERDICT", "QUAL");
    for (i = 0; i < v->n; i++) {
        const struct council_member *m = &v->m[i];
        const int64_t at[3] = { m->registered_at, m->dealt_at, m->verdict_at };
        for (k = 0; k < 3; k++) {
            if (at[k] > 0)
                poll_format_time(at[k], when[k]);
            else
                strcpy(when[k], "-");
        }
        printf("%-5u  %-39s  %-20s  %-20s  %-20s  %s%s%s\n", m->idx, m->username, when[0],
               when[1], when[2], r->digest[0] ? (m->in_qual ? "yes" : "no") : "-",
               m->upheld_against ? " (an upheld complaint)" : "",
               m->complained ? " (complained)" : "");
    }
    if (r->digest[0])
        printf("digest    %s\n", r->digest);
}

static int council_show_cmd(int argc, char **argv)
{
    struct council_view v;
    struct cli_args a;
    struct cli_ctx ctx;
    enum cv_err r;

    if (cli_parse("council show", argc, argv, NULL, 0, &a) != 0 || a.help || a.npos != 1)
        return cli_usage(council_usage, a.help);
    if (cli_open(a.data_dir, &ctx) != 0)
        return CLI_EXIT_FAIL;
    r = council_load(ctx.st, a.pos[0], (int64_t)time(NULL), &v);
    cli_close(&ctx);
    if (r == CV_NOT_FOUND)
        return cli_fail("council show", "no such council");
    if (r != CV_OK)
        return cli_fail("council show", "database error");
    council_print(&v);
    council_view_free(&v);
    return CLI_EXIT_OK;
}

static int council_use_cmd(int argc, char **argv)
{
    struct cli_args a;
    struct cli_ctx ctx;
    enum cv_err r;

    if (cli_parse("council use", argc, argv, NULL, 0, &a) != 0 || a.help || a.npos != 1)
        return cli_usage(council_usage, a.help);
    if (cli_open(a.data_dir, &ctx) != 0)
        return CLI_EXIT_FAIL;
    r = council_use(ctx.st, a.pos[0], cli_actor(), (int64_t)time(NULL));
    cli_close(&ctx);
    if (r == CV_NOT_FOUND)
        return cli_fail("council use", "no such council");
    if (r == CV_NOT_COMPLETE)
        return cli_fail("council use", "its ceremony is not complete (conclave council show)");
    if (r != CV_OK)
        return cli_fail("council use", "database error");
    fprintf(stderr, "conclave: new polls will be sealed for council %s\n", a.pos[0]);
    return CLI_EXIT_OK;
}

int cli_council_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cli_usage(council_usage, argc >= 2);
    if (strcmp(argv[1], "create") == 0)
        return council_create_cmd(argc - 2, argv + 2);
    if (strcmp(argv[1], "list") == 0)
        return council_list_cmd(argc - 2, argv + 2);
    if (strcmp(argv[1], "show") == 0)
        return council_show_cmd(argc - 2, argv + 2);
    if (strcmp(argv[1], "use") == 0)
        return council_use_cmd(argc - 2, argv + 2);
    fprintf(stderr, "conclave council: unknown command '%s'\n", argv[1]);
    return cli_usage(council_usage, 0);
}
