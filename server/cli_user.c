/*
 * cli_user.c — `conclave user ...`: the roster from the command line (add,
 * list, deactivate, activate, passwd, import). It works on the same database
 * as a running server; every change is one transaction.
 *
 * A generated password is printed once, alone on stdout (so scripts can take
 * it), with a note on stderr; passwords given with --password-stdin are read
 * from stdin, never from argv, where other users could see them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "cli_util.h"

#define CLI_IMPORT_MAX (16L * 1024 * 1024)

static const char user_usage[] =
    "usage: conclave user COMMAND [--data DIR]\n"
    "  add USERNAME [--display-name NAME] [--email EMAIL] [--admin] [--password-stdin]\n"
    "                              add a member (without --password-stdin a strong\n"
    "                              password is generated and printed once)\n"
    "  list                        list members\n"
    "  deactivate USERNAME         stop a member's logins, sessions and tokens\n"
    "  activate USERNAME           undo deactivate\n"
    "  passwd USERNAME [--password-stdin]\n"
    "                              set a password (generated unless read from stdin)\n"
    "  import FILE.csv             add/update members from CSV: username,display name,email\n"
    "                              (optional header row; '-' reads stdin; all or nothing)\n"
    "Options: --data DIR (default ./var), --help\n";

/* Sets or generates a password; the generated one is printed once. */
static int user_password_arg(int from_stdin, char *buf, size_t cap, int *generated)
{
    *generated = !from_stdin;
    if (from_stdin)
        return cli_read_password(buf, cap);
    auth_password_generate(buf);
    return 0;
}

/* Prints a generated password for USERNAME: the password alone on stdout. */
static void user_print_password(const char *username, const char *pw)
{
    fprintf(stderr, "conclave: password for %s (shown only this once):\n", username);
    printf("%s\n", pw);
    fflush(stdout);
}

static int user_add(int argc, char **argv)
{
    struct cli_opt opts[] = { { "display-name", 1, 0, NULL }, { "email", 1, 0, NULL },
                              { "admin", 0, 0, NULL }, { "password-stdin", 0, 0, NULL } };
    struct auth_member_new n;
    struct cli_args a;
    struct cli_ctx ctx;
    char pw[AUTH_PASSWORD_MAX + 2];
    const char *why = NULL;
    int rc = CLI_EXIT_FAIL, generated;

    if (cli_parse("user add", argc, argv, opts, 4, &a) != 0 || a.help || a.npos != 1)
        return cli_usage(user_usage, a.help);
    if (user_password_arg(opts[3].set, pw, sizeof pw, &generated) != 0)
        return CLI_EXIT_FAIL;
    memset(&n, 0, sizeof n);
    n.username = a.pos[0];
    n.display_name = opts[0].value;
    n.email = opts[1].value;
    n.admin = opts[2].set;
    n.password = pw;
    if (cli_open(a.data_dir, &ctx) != 0)
        goto out;
    if (auth_member_add(ctx.auth, &n, &why) != AUTH_OK) {
        cli_fail("user add", why != NULL ? why : "failed");
    } else {
        fprintf(stderr, "conclave: added member %s%s\n", n.username, n.admin ? " (admin)" : "");
        if (generated)
            user_print_password(n.username, pw);
        rc = CLI_EXIT_OK;
    }
    cli_close(&ctx);
out:
    sodium_memzero(pw, sizeof pw);
    return rc;
}

/* Prints one row of `user list`. */
static int user_list_row(void *ctx, const struct store_member *m)
{
    (void)ctx;
    printf("%-39s  %-5s  %-6s  %-8s  %s%s%s%s\n", m->username, m->is_admin ? "yes" : "no",
           m->active ? "yes" : "no", m->password_hash[0] ? "set" : "none", m->display_name,
           m->email[0] ? " <" : "", m->email, m->email[0] ? ">" : "");
    return 0;
}

static int user_list(int argc, char **argv)
{
    struct cli_args a;
    struct cli_ctx ctx;
    int rc;

    if (cli_parse("user list", argc, argv, NULL, 0, &a) != 0 || a.help || a.npos != 0)
        return cli_usage(user_usage, a.help);
    if (cli_open(a.data_dir, &ctx) != 0)
        return CLI_EXIT_FAIL;
    printf("%-39s  %-5s  %-6s  %-8s  %s\n", "USERNAME", "ADMIN", "ACTIVE", "PASSWORD", "NAME");
    rc = store_member_list(ctx.st, user_list_row, NULL) == STORE_OK
        ? CLI_EXIT_OK : cli_fail("user list", "database error");
    cli_close(&ctx);
    return rc;
}

/* `user activate` and `user deactivate`. */
static int user_set_active(int argc, char **argv, int active)
{
    const char *cmd = active ? "user activate" : "user deactivate";
    const char *why = NULL;
    struct cli_args a;
    struct cli_ctx ctx;
    int rc = CLI_EXIT_OK;

    if (cli_parse(cmd, argc, argv, NULL, 0, &a) != 0 || a.help || a.npos != 1)
        return cli_usage(user_usage, a.help);
    if (cli_open(a.data_dir, &ctx) != 0)
        return CLI_EXIT_FAIL;
    if (auth_member_set_active(ctx.auth, a.pos[0], active, &why) != AUTH_OK)
        rc = cli_fail(cmd, why != NULL ? why : "failed");
    else
        fprintf(stderr, "conclave: %s %s\n", active ? "activated" : "deactivated", a.pos[0]);
    cli_close(&ctx);
    return rc;
}

static int user_passwd(int argc, char **argv)
{
    struct cli_opt opts[] = { { "password-stdin", 0, 0, NULL } };
    struct cli_args a;
    struct cli_ctx ctx;
    char pw[AUTH_PASSWORD_MAX + 2];
    const char *why = NULL;
    int rc = CLI_EXIT_FAIL, generated;

    if (cli_parse("user passwd", argc, argv, opts, 1, &a) != 0 || a.help || a.npos != 1)
        return cli_usage(user_usage, a.help);
    if (user_password_arg(opts[0].set, pw, sizeof pw, &generated) != 0)
        return CLI_EXIT_FAIL;
    if (cli_open(a.data_dir, &ctx) != 0)
        goto out;
    if (auth_member_set_password(ctx.auth, a.pos[0], pw, &why) != AUTH_OK) {
        cli_fail("user passwd", why != NULL ? why : "failed");
    } else {
        fprintf(stderr, "conclave: password of %s set\n", a.pos[0]);
        if (generated)
            user_print_password(a.pos[0], pw);
        rc = CLI_EXIT_OK;
    }
    cli_close(&ctx);
out:
    sodium_memzero(pw, sizeof pw);
    return rc;
}

/* Reads PATH ("-" = stdin) whole, up to CLI_IMPORT_MAX bytes. */
static char *user_read_file(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, got;

    if (f == NULL)
        return NULL;
    if ((buf = malloc((size_t)CLI_IMPORT_MAX + 1)) == NULL)
        goto out;
    while (n <= (size_t)CLI_IMPORT_MAX &&
           (got = fread(buf + n, 1, (size_t)CLI_IMPORT_MAX + 1 - n, f)) > 0)
        n += got;
    if (ferror(f) || n > (size_t)CLI_IMPORT_MAX) {
        free(buf);
        buf = NULL;
        goto out;
    }
    *len = n;
out:
    if (f != stdin)
        fclose(f);
    return buf;
}

static int user_import(int argc, char **argv)
{
    struct auth_import_stats stats;
    struct cli_args a;
    struct cli_ctx ctx;
    char err[256];
    char *csv;
    size_t len = 0;
    int rc = CLI_EXIT_FAIL;

    if (cli_parse("user import", argc, argv, NULL, 0, &a) != 0 || a.help || a.npos != 1)
        return cli_usage(user_usage, a.help);
    if ((csv = user_read_file(a.pos[0], &len)) == NULL) {
        fprintf(stderr, "conclave user import: cannot read %s (missing, unreadable or "
                "larger than 16 MiB)\n", a.pos[0]);
        return CLI_EXIT_FAIL;
    }
    if (cli_open(a.data_dir, &ctx) == 0) {
        if (auth_import_csv(ctx.auth, csv, len, &stats, err, sizeof err) != AUTH_OK) {
            fprintf(stderr, "conclave user import: %s: %s (nothing imported)\n",
                    a.pos[0], err);
        } else {
            printf("imported %s: %d added, %d updated\n", a.pos[0], stats.created,
                   stats.updated);
            rc = CLI_EXIT_OK;
        }
        cli_close(&ctx);
    }
    free(csv);
    return rc;
}

int cli_user_main(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;

    if (sub == NULL)
        return cli_usage(user_usage, 0);
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0)
        return cli_usage(user_usage, 1);
    argc -= 2;
    argv += 2;
    if (strcmp(sub, "add") == 0)
        return user_add(argc, argv);
    if (strcmp(sub, "list") == 0)
        return user_list(argc, argv);
    if (strcmp(sub, "deactivate") == 0)
        return user_set_active(argc, argv, 0);
    if (strcmp(sub, "activate") == 0)
        return user_set_active(argc, argv, 1);
    if (strcmp(sub, "passwd") == 0)
        return user_passwd(argc, argv);
    if (strcmp(sub, "import") == 0)
        return user_import(argc, argv);
    fprintf(stderr, "conclave user: unknown command '%s'\n", sub);
    return cli_usage(user_usage, 0);
}
