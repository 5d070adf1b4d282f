/*
 * cli_util.h — what the admin subcommands (cli_user.c, cli_token.c) share:
 * option parsing with one convention, opening the store and auth context,
 * reading a password from stdin, and the exit codes.
 */
#ifndef CONCLAVE_CLI_UTIL_H
#define CONCLAVE_CLI_UTIL_H

#include <stddef.h>

#include "auth.h"
#include "store.h"

#define CLI_EXIT_OK     0
#define CLI_EXIT_FAIL   1
#define CLI_EXIT_USAGE  2

#define CLI_DEFAULT_DATA "./var"
#define CLI_MAX_POS      4

/* An option a subcommand accepts: "--name VALUE" / "--name=VALUE" when
 * takes_value, else the flag "--name". Parsing fills set and value. */
struct cli_opt {
    const char *name;
    int takes_value;
    int set;
    const char *value;
};

/* The parse of one subcommand's arguments. --data and --help are always
 * accepted; "--" ends the options. */
struct cli_args {
    const char *data_dir;           /* --data, default CLI_DEFAULT_DATA */
    int help;                       /* --help or -h given */
    const char *pos[CLI_MAX_POS];   /* positional arguments */
    int npos;
};

/* Parses ARGV[0..ARGC) against OPTS (N of them). Returns 0, or -1 after
 * printing "conclave CMD: reason" to stderr (a usage error; out->help is then
 * 0, so `cli_usage(usage, out->help)` exits 2). */
int cli_parse(const char *cmd, int argc, char **argv, struct cli_opt *opts, size_t n,
              struct cli_args *out);

/* The store and auth context a subcommand works on. */
struct cli_ctx {
    struct store *st;
    struct auth *auth;
    int dir_fd;             /* the data directory's shared lock, or -1 */
    struct mail *mail;      /* the server's mail settings (mail.h); NULL: mail off */
};

/* Opens DATA_DIR's store and an auth context; prints why on failure. 0 / -1.
 * When the server on DATA_DIR was started with --smtp-url, mail is on for
 * the context too (ctx->mail): invitations are queued in the outbox, which
 * that server sends. */
int cli_open(const char *data_dir, struct cli_ctx *ctx);

/* Closes what cli_open opened. */
void cli_close(struct cli_ctx *ctx);

/* Who an admin command acts as, for the audit log: "cli:" and the operating
 * system's user ("cli:uid 1000" when it has no name). A static buffer. */
const char *cli_actor(void);

/* Reads a password from stdin into BUF (CAP bytes), dropping one trailing
 * newline (LF or CRLF). Prints why and returns -1 on a read error, a NUL byte
 * or more than AUTH_PASSWORD_MAX bytes. */
int cli_read_password(char *buf, size_t cap);

/* Copies IN into OUT (CAP > 0 bytes, truncated) with every C0 control, DEL
 * and C1 control (U+0080..U+009F) replaced by '?': text that came from a
 * server or a file, made safe to print on a terminal. Returns OUT. */
char *cli_clean(const char *in, char *out, size_t cap);

/* Prints "conclave CMD: MSG" (MSG through cli_clean) on stderr and returns
 * CLI_EXIT_FAIL. */
int cli_fail(const char *cmd, const char *msg);

/* Prints USAGE to stderr (exit 2) or, for --help, stdout (exit 0). */
int cli_usage(const char *usage, int help);

#endif
