/*
 * cli_voter.h — what the voter's commands (`conclave vote`, `conclave result`)
 * share: the server's URL (https, or plain http only to this machine), the
 * API token from its sources, and the poll record and server key fetched and
 * checked before anything is built or shown.
 */
#ifndef CONCLAVE_CLI_VOTER_H
#define CONCLAVE_CLI_VOTER_H

#include "cli_http.h"
#include "cli_util.h"
#include "record.h"
#include "sign.h"

/* Longest API token accepted from any of its sources. */
#define VOTER_TOKEN_MAX 256

#define VOTER_TOKEN_HELP \
    "The API token: $CONCLAVE_TOKEN, or the first line of --token-file FILE\n" \
    "(\"-\": stdin), which wins over it; --token TOKEN wins over both, but other\n" \
    "users of this machine can read it in the process list.\n" \
    "--server is an https:// URL; plain http:// is refused except to this machine\n" \
    "(localhost, 127.0.0.0/8, ::1), as it would carry the token unencrypted.\n"

struct voter {
    const char *server;
    const char *token;              /* token_buf, or NULL: no credentials */
    char token_buf[VOTER_TOKEN_MAX + 2];
    const char *poll_id;
    struct record *rec;             /* the checked poll record */
    int voted;                      /* the poll's view: the caller has voted */
    int closed;                     /* the poll's view: "state" is "closed" */
    char nominee[404];              /* the poll's view: its nominee, as sent */
    unsigned char server_pk[SIGN_PUBLIC_BYTES];
    char err[1024];                 /* why the last call failed */
};

/* Starts V for SERVER and POLL_ID (borrowed): refuses a URL that is not
 * https://, or http:// to a loopback host. 0, or -1 with v->err. */
int cli_voter_init(struct voter *v, const char *server, const char *poll_id);

/* Sets v->token from --token TOKEN, else the first line of --token-file FILE,
 * else $CONCLAVE_TOKEN. None given: -1 with v->err when REQUIRED, else 0 with
 * v->token NULL. Empty or longer than VOTER_TOKEN_MAX: -1. */
int cli_voter_token(struct voter *v, const struct cli_opt *token, const struct cli_opt *file,
                    int required);

/* GET PATH: 0 with the body (caller frees r->body) on 200, else -1 with the
 * server's error in v->err. */
int cli_voter_get(struct voter *v, const char *path, struct cli_http_response *r);

/* Fetches the server's public key into v->server_pk. 0 or -1 (v->err). */
int cli_voter_fetch_key(struct voter *v);

/* Fetches the poll (with v->token), checks its record (every rule of
 * PROTOCOL §3), that it is poll v->poll_id and that its fingerprint matches,
 * into v->rec; then the server key. 0 or -1 (v->err). */
int cli_voter_fetch(struct voter *v);

/* Frees v->rec and wipes the token. */
void cli_voter_free(struct voter *v);

#endif
