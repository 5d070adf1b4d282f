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
#include "poll.h"

#define CLI_IMPORT_MAX (16L * 1024 * 1024)

static const char user_usage[] =
    "usage: conclave user COMMAND [--data DIR]\n"
    "  add USERNAME [--display-name NAME] [--email EMAIL] [--admin] [--password-stdin]\n"
    "                              add a member (without --password-stdin a strong\n"
    "                              one-time password is generated and printed once; with\n"
    "                              --email, when the server sends mail, an invitation is\n"
    "                              mailed instead)\n"
    "  list                        list members and the state of their accounts\n"
    "  deactivate USERNAME [--yes] stop a member's logins, sessions and tokens; a member\n"
    "                              on an open poll's roll (who could no longer vote, shown\n"
    "                              on the poll's page) only with --yes\n"
    "  activate USERNAME           undo deactivate\n"
    "  passwd USERNAME [--password-stdin]\n"
    "                              set a password (a one-time one is generated unless\n"
    "                              one is read from stdin)\n"
    "  invite USERNAME [--url URL] [--print]\n"
    "                              print a set-password link for the member (one use,\n"
    "                              72 hours); URL is the server's public address, e.g.\n"
    "                              https://vote.example.org (without it: the path). When\n"
    "                              the server sends mail (serve --smtp-url) and the member\n"
    "                              has an address, the link is mailed instead (--print:\n"
    "                              print it all the same)\n"
    "  import FILE.csv             add/update members from CSV: username,display name,email\n"
    "                              (optional header row; '-' reads stdin; all or nothing);\n"
    "                              when the server sends mail, new members with an\n"
    "                              address are invited by mail\n"
    "A generated password is one-time: the member logs in with it once and must choose\n"
    "their own; unused, it expires after 72 hours. A password read with --password-stdin\n"
    "is the member's own (for your own account, or scripts). Every change is written to\n"
    "the audit log as done by cli:USER (your system user).\n"
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
    int rc = CLI_EXIT_FAIL, generated, invite;

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
    n.one_time = generated;
    if (cli_open(a.data_dir, &ctx) != 0)
        goto out;
    /* with mail on, a generated password gives way to an invitation by mail */
    invite = generated && auth_mail_on(ctx.auth) && n.email != NULL && n.email[0] != '\0';
    if (invite)
        n.password = NULL;
    if (auth_member_add(ctx.auth, &n, cli_actor(), &why) != CV_OK) {
        cli_fail("user add", why != NULL ? why : "failed");
    } else {
        fprintf(stderr, "conclave: added member %s%s\n", n.username, n.admin ? " (admin)" : "");
        if (invite)
            fprintf(stderr, "conclave: invited by mail to %s (a set-password link, one use, "
                    "72 hours; the server sends it)\n", n.email);
        else if (generated)
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
    const int64_t *now = ctx;

    printf("%-39s  %-5s  %-25s  %s%s%s%s\n", m->username, m->is_admin ? "yes" : "no",
           auth_member_state_text(auth_member_state(m, *now)), m->display_name,
           m->email[0] ? " <" : "", m->email, m->email[0] ? ">" : "");
    return 0;
}

static int user_list(int argc, char **argv)
{
    struct cli_args a;
    struct cli_ctx ctx;
    int64_t now;
    int rc;

    if (cli_parse("user list", argc, argv, NULL, 0, &a) != 0 || a.help || a.npos != 0)
        return cli_usage(user_usage, a.help);
    if (cli_open(a.data_dir, &ctx) != 0)
        return CLI_EXIT_FAIL;
    now = auth_time(ctx.auth);
    printf("%-39s  %-5s  %-25s  %s\n", "USERNAME", "ADMIN", "STATE", "NAME");
    rc = store_member_roster(ctx.st, now, user_list_row, &now) == CV_OK
        ? CLI_EXIT_OK : cli_fail("user list", "database error");
    cli_close(&ctx);
    return rc;
}

/* Counts (PRINT 0) or prints (PRINT 1) one open poll whose roll holds the member. */
struct user_rolls {
    int print, n;
};

static int user_open_roll(void *arg, const struct store_open_roll *p)
{
    struct user_rolls *r = arg;
    char closes[21];

    r->n++;
    if (r->print) {
        poll_format_time(p->closes_at, closes);
        fprintf(stderr, "  %s  %s (closes %s)\n", p->poll_id, p->nominee, closes);
    }
    return 0;
}

/* 1 when deactivating USERNAME needs --yes: they are on an open poll's roll
 * (the polls are then listed on stderr); 0 when not; -1 on a database error. */
static int user_needs_confirmation(struct cli_ctx *ctx, const char *username)
{
    struct user_rolls r = {0, 0};

    if (store_member_open_rolls(ctx->st, username, user_open_roll, &r) != CV_OK)
        return -1;
    if (r.n == 0)
        return 0;
    fprintf(stderr, "conclave: %s is on the roll of %d open poll%s:\n", username, r.n,
            r.n == 1 ? "" : "s");
    r.print = 1;
    if (store_member_open_rolls(ctx->st, username, user_open_roll, &r) != CV_OK)
        return -1;
    fprintf(stderr, "Deactivated, they could no longer vote there, and each poll's page would "
            "say that a member of its roll was deactivated.\nRun again with --yes to "
            "deactivate.\n");
    return 1;
}

/* `user activate` and `user deactivate`. */
static int user_set_active(int argc, char **argv, int active)
{
    const char *cmd = active ? "user activate" : "user deactivate";
    struct cli_opt opts[] = { { "yes", 0, 0, NULL } };
    const char *why = NULL;
    struct cli_args a;
    struct cli_ctx ctx;
    int rc = CLI_EXIT_OK, ask;

    if (cli_parse(cmd, argc, argv, opts, active ? 0 : 1, &a) != 0 || a.help || a.npos != 1)
        return cli_usage(user_usage, a.help);
    if (cli_open(a.data_dir, &ctx) != 0)
        return CLI_EXIT_FAIL;
    if (!active && !opts[0].set &&
        (ask = user_needs_confirmation(&ctx, a.pos[0])) != 0)
        rc = ask < 0 ? cli_fail(cmd, "database error") : CLI_EXIT_FAIL;
    else if (auth_member_set_active(ctx.auth, a.pos[0], active, cli_actor(), &why) != CV_OK)
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
    if (auth_member_set_password(ctx.auth, a.pos[0], pw, generated, cli_actor(),
                                 &why) != CV_OK) {
        cli_fail("user passwd", why != NULL ? why : "failed");
    } else {
        fprintf(stderr, "conclave: password of %s set%s\n", a.pos[0],
                generated ? " (one-time: they choose their own at first login; it expires "
                            "in 72 hours)" : "");
        if (generated)
            user_print_password(a.pos[0], pw);
        rc = CLI_EXIT_OK;
    }
    cli_close(&ctx);
out:
    sodium_memzero(pw, sizeof pw);
    return rc;
}

/* 0 if URL is an http(s) address without spaces or controls; cuts one
 * trailing '/'. */
static int user_check_url(char *url)
{
    size_t n = strlen(url), i;

    if ((strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) || n > 512)
        return -1;
    for (i = 0; i < n; i++)
        if ((unsigned char)url[i] <= ' ' || url[i] == 0x7F || url[i] == '?' || url[i] == '#')
            return -1;
    if (url[n - 1] == '/')
        url[n - 1] = '\0';
    return 0;
}

/* With mail on and an address for USERNAME: the invitation by mail, *RC its
 * exit status; 0. -1 when it is not for mail (print the link instead). */
static int user_invite_mail(struct cli_ctx *ctx, const char *username, int *rc)
{
    struct store_member m;
    const char *why = NULL;

    if (!auth_mail_on(ctx->auth) || auth_check_username(username) != NULL ||
        store_member_get(ctx->st, username, &m) != CV_OK || m.email[0] == '\0')
        return -1;
    if (auth_invite(ctx->auth, username, cli_actor(), &why) != CV_OK) {
        cli_fail("user invite", why != NULL ? why : "failed");
        *rc = CLI_EXIT_FAIL;
    } else {
        fprintf(stderr, "conclave: invitation mailed to %s (a set-password link, one use, "
                "72 hours; the server sends it)\n", m.email);
        *rc = CLI_EXIT_OK;
    }
    sodium_memzero(&m, sizeof m);
    return 0;
}

static int user_invite(int argc, char **argv)
{
    struct cli_opt opts[] = { { "url", 1, 0, NULL }, { "print", 0, 0, NULL } };
    char link[AUTH_LINK_LEN + 1], url[520] = "";
    struct cli_args a;
    struct cli_ctx ctx;
    const char *why = NULL;
    int rc = CLI_EXIT_FAIL;

    if (cli_parse("user invite", argc, argv, opts, 2, &a) != 0 || a.help || a.npos != 1)
        return cli_usage(user_usage, a.help);
    if (opts[0].set && (strlen(opts[0].value) >= sizeof url ||
                        user_check_url(strcpy(url, opts[0].value)) != 0)) {
        fprintf(stderr, "conclave user invite: --url needs an address like "
                "https://vote.example.org\n");
        return CLI_EXIT_USAGE;
    }
    if (cli_open(a.data_dir, &ctx) != 0)
        return CLI_EXIT_FAIL;
    if (!opts[1].set && user_invite_mail(&ctx, a.pos[0], &rc) == 0) {
        cli_close(&ctx);
        return rc;
    }
    if (auth_link_create(ctx.auth, a.pos[0], cli_actor(), link, NULL, &why) != CV_OK) {
        cli_fail("user invite", why != NULL ? why : "failed");
    } else {
        fprintf(stderr, "conclave: set-password link for %s (one use, valid 72 hours; shown "
                "only this once%s):\n", a.pos[0],
                url[0] ? "" : "; put your server's address before it");
        printf("%s/set-password?link=%s\n", url, link);
        fflush(stdout);
        rc = CLI_EXIT_OK;
    }
    sodium_memzero(link, sizeof link);
    cli_close(&ctx);
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
        if (auth_import_csv(ctx.auth, csv, len, cli_actor(), &stats, err,
                            sizeof err) != CV_OK) {
            fprintf(stderr, "conclave user import: %s: %s (nothing imported)\n",
                    a.pos[0], err);
        } else {
            printf("imported %s: %d added, %d updated\n", a.pos[0], stats.created,
                   stats.updated);
            if (stats.created > 0 && auth_mail_on(ctx.auth))
                fprintf(stderr, "conclave: new members with an address are invited by mail "
                        "(the server sends it); give the others a set-password link\n");
            else if (stats.created > 0)
                fprintf(stderr, "conclave: new members have no password: give each a "
                        "set-password link\n  (conclave user invite USERNAME --url URL, or "
                        "\"Make a set-password link\" on /admin/members)\n");
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
    if (strcmp(sub, "invite") == 0)
        return user_invite(argc, argv);
    fprintf(stderr, "conclave user: unknown command '%s'\n", sub);
    return cli_usage(user_usage, 0);
}
