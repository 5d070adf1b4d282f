/*
 * cli_util.c — the conventions every admin subcommand follows: GNU-style
 * long options that may come before or after the positional arguments,
 * `--data DIR` and `--help` everywhere, one line on stderr per error, exit
 * codes 0 (done), 1 (failed), 2 (usage). Secrets read from stdin live only in
 * caller-owned buffers that the caller wipes.
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli_util.h"
#include "mail.h"
#include "store_outbox.h"

/* Finds "--name" or "--name=value" of ARG among OPTS; sets *inline_value. */
static struct cli_opt *cli_find(struct cli_opt *opts, size_t n, const char *arg,
                                const char **inline_value)
{
    size_t i, len;

    *inline_value = NULL;
    for (i = 0; i < n; i++) {
        len = strlen(opts[i].name);
        if (strncmp(arg + 2, opts[i].name, len) != 0)
            continue;
        if (arg[2 + len] == '\0')
            return &opts[i];
        if (arg[2 + len] == '=' && opts[i].takes_value) {
            *inline_value = arg + 3 + len;
            return &opts[i];
        }
    }
    return NULL;
}

/* Handles the option at argv[*i] (which starts with "--"). 0 / -1. */
static int cli_option(const char *cmd, int argc, char **argv, int *i,
                      struct cli_opt *opts, size_t n)
{
    const char *val;
    struct cli_opt *o = cli_find(opts, n, argv[*i], &val);

    if (o == NULL) {
        fprintf(stderr, "conclave %s: unknown option %s\n", cmd, argv[*i]);
        return -1;
    }
    if (o->takes_value && val == NULL) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "conclave %s: %s needs a value\n", cmd, argv[*i]);
            return -1;
        }
        val = argv[++*i];
    }
    if (o->set) {
        fprintf(stderr, "conclave %s: --%s given twice\n", cmd, o->name);
        return -1;
    }
    o->set = 1;
    o->value = val;
    return 0;
}

int cli_parse(const char *cmd, int argc, char **argv, struct cli_opt *opts, size_t n,
              struct cli_args *out)
{
    struct cli_opt common[2] = { { "data", 1, 0, NULL }, { "help", 0, 0, NULL } };
    const char *val;
    int i, only_pos = 0;

    memset(out, 0, sizeof *out);
    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        struct cli_opt *c;
        if (!only_pos && strcmp(a, "--") == 0) {
            only_pos = 1;
        } else if (!only_pos && strcmp(a, "-h") == 0) {
            out->help = 1;
        } else if (!only_pos && strncmp(a, "--", 2) == 0) {
            c = cli_find(common, 2, a, &val);
            if ((c != NULL && cli_option(cmd, argc, argv, &i, common, 2) != 0) ||
                (c == NULL && cli_option(cmd, argc, argv, &i, opts, n) != 0))
                goto usage;
        } else if (!only_pos && a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "conclave %s: unknown option %s\n", cmd, a);
            goto usage;
        } else if (out->npos == CLI_MAX_POS) {
            fprintf(stderr, "conclave %s: too many arguments\n", cmd);
            goto usage;
        } else {
            out->pos[out->npos++] = a;
        }
    }
    out->help = out->help || common[1].set;
    out->data_dir = common[0].set ? common[0].value : CLI_DEFAULT_DATA;
    if (out->data_dir[0] == '\0') {
        fprintf(stderr, "conclave %s: --data needs a directory\n", cmd);
        goto usage;
    }
    return 0;
usage:
    out->help = 0;          /* a usage error wins over --help: exit 2 */
    return -1;
}

const char *cli_actor(void)
{
    static char actor[STORE_ACTOR_MAX + 1];
    const struct passwd *pw = getpwuid(geteuid());

    if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0')
        snprintf(actor, sizeof actor, "cli:%s", pw->pw_name);
    else
        snprintf(actor, sizeof actor, "cli:uid %lu", (unsigned long)geteuid());
    return actor;
}

int cli_open(const char *data_dir, struct cli_ctx *ctx)
{
    char from[256], url[512];
    int serving;

    memset(ctx, 0, sizeof *ctx);
    /* Beside a running server, never migrate: it may be an older one. With
     * no server, the shared lock keeps one from starting until we are done. */
    if ((serving = store_dir_share(data_dir, &ctx->dir_fd)) < 0)
        return -1;
    if ((serving ? store_open_beside(data_dir, &ctx->st)
                 : store_open(data_dir, &ctx->st)) != 0) {
        cli_close(ctx);
        return -1;
    }
    if (auth_open(ctx->st, NULL, &ctx->auth) != 0) {
        fprintf(stderr, "conclave: cannot initialise the accounts module\n");
        cli_close(ctx);
        return -1;
    }
    if (store_mail_settings_get(ctx->st, from, url) == CV_OK &&
        mail_new(ctx->st, from, url, &ctx->mail) == 0)
        auth_set_mail(ctx->auth, ctx->mail);
    return 0;
}

void cli_close(struct cli_ctx *ctx)
{
    auth_close(ctx->auth);
    mail_free(ctx->mail);
    store_close(ctx->st);
    if (ctx->dir_fd >= 0)
        close(ctx->dir_fd);
    memset(ctx, 0, sizeof *ctx);
    ctx->dir_fd = -1;
}

int cli_read_password(char *buf, size_t cap)
{
    size_t n = 0;
    int c;

    while ((c = getchar()) != EOF && c != '\n') {
        if (c == '\0' || n + 1 >= cap || n >= AUTH_PASSWORD_MAX) {
            sodium_memzero(buf, cap);
            fputs(c == '\0' ? "conclave: password contains a NUL byte\n"
                            : "conclave: password is longer than 1024 bytes\n", stderr);
            return -1;
        }
        buf[n++] = (char)c;
    }
    if (ferror(stdin)) {
        sodium_memzero(buf, cap);
        fputs("conclave: cannot read the password from stdin\n", stderr);
        return -1;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return 0;
}

char *cli_clean(const char *in, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t n = 0;

    while (*p != '\0' && n + 1 < cap) {
        if (*p < 0x20 || *p == 0x7f) {
            out[n++] = '?';
            p++;
        } else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            out[n++] = '?';         /* C1, e.g. U+009B: a CSI to some terminals */
            p += 2;
        } else {
            out[n++] = (char)*p++;
        }
    }
    out[n] = '\0';
    return out;
}

int cli_fail(const char *cmd, const char *msg)
{
    char clean[1024];

    fprintf(stderr, "conclave %s: %s\n", cmd, cli_clean(msg, clean, sizeof clean));
    return CLI_EXIT_FAIL;
}

int cli_usage(const char *usage, int help)
{
    fputs(usage, help ? stdout : stderr);
    return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}
