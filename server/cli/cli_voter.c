/*
 * cli_voter.c — the voter's side of the API, shared by `conclave vote` and
 * `conclave result`: the server's URL checked before any request (https, or
 * plain http only to this machine, so a token never crosses a network
 * unencrypted), the API token read from its sources, and the poll record and
 * the server key fetched and checked before anything is built or shown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli_voter.h"
#include "sjson.h"

int cli_voter_init(struct voter *v, const char *server, const char *poll_id)
{
    memset(v, 0, sizeof *v);
    v->server = server;
    v->poll_id = poll_id;
    return cli_http_check_server(server, v->err, sizeof v->err);
}

/* The first line of FILE ("-": stdin) into v->token_buf. 0, or -1 (v->err). */
static int voter_token_file(struct voter *v, const char *file)
{
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    int ok;

    if (f == NULL) {
        snprintf(v->err, sizeof v->err, "cannot read the token file %.300s: %s", file,
                 strerror(errno));
        return -1;
    }
    ok = fgets(v->token_buf, sizeof v->token_buf, f) != NULL;
    if (f != stdin)
        fclose(f);
    if (!ok)
        snprintf(v->err, sizeof v->err, "no token in %.300s", file);
    return ok ? 0 : -1;
}

int cli_voter_token(struct voter *v, const struct cli_opt *token, const struct cli_opt *file,
                    int required)
{
    const char *env = getenv("CONCLAVE_TOKEN");
    size_t n;

    if (!token->set && !file->set && env == NULL) {
        v->token = NULL;
        if (!required)
            return 0;
        snprintf(v->err, sizeof v->err, "no API token: set CONCLAVE_TOKEN, or give "
                 "--token-file FILE (see --help)");
        return -1;
    }
    v->token = v->token_buf;
    if (token->set || !file->set) {
        n = strlen(token->set ? token->value : env);
        if (n > VOTER_TOKEN_MAX)
            goto too_long;
        memcpy(v->token_buf, token->set ? token->value : env, n + 1);
    } else if (voter_token_file(v, file->value) != 0) {
        return -1;
    }
    n = strcspn(v->token_buf, "\r\n");
    if (v->token_buf[n] == '\0' && n > VOTER_TOKEN_MAX)
        goto too_long;
    v->token_buf[n] = '\0';
    if (n == 0) {
        snprintf(v->err, sizeof v->err, "the API token is empty");
        return -1;
    }
    return 0;
too_long:
    snprintf(v->err, sizeof v->err, "the API token is longer than %d bytes", VOTER_TOKEN_MAX);
    return -1;
}

int cli_voter_get(struct voter *v, const char *path, struct cli_http_response *r)
{
    char why[256];

    if (cli_http_request(v->server, path, v->token, NULL, r, v->err, sizeof v->err) != 0)
        return -1;
    if (r->status == 200)
        return 0;
    snprintf(v->err, sizeof v->err, "GET %s: %s", path, cli_http_error(r, why, sizeof why));
    free(r->body);
    r->body = NULL;
    return -1;
}

int cli_voter_fetch_key(struct voter *v)
{
    struct cli_http_response r;
    int rc = -1;

    if (cli_voter_get(v, "/api/v1/server-key", &r) != 0)
        return -1;
    if (sign_public_from_pem(r.body, r.len, v->server_pk) != 0)
        snprintf(v->err, sizeof v->err, "the server key is not an Ed25519 PEM public key");
    else
        rc = 0;
    free(r.body);
    return rc;
}

int cli_voter_fetch(struct voter *v)
{
    struct cli_http_response r;
    char path[128], fp[65];
    json_t *view = NULL;
    const char *claimed, *id, *state;
    enum proto_reason why;
    size_t id_len;
    int rc = -1;

    snprintf(path, sizeof path, "/api/v1/polls/%s", v->poll_id);
    if (cli_voter_get(v, path, &r) != 0)
        return -1;
    view = json_loads(r.body, JSON_REJECT_DUPLICATES, NULL);
    free(r.body);
    claimed = json_string_value(json_object_get(view, "fingerprint"));
    state = json_string_value(json_object_get(view, "state"));
    v->voted = json_is_true(json_object_get(view, "voted"));
    v->closed = state != NULL && strcmp(state, "closed") == 0;
    if (state != NULL && strcmp(state, "withdrawn") == 0) {
        snprintf(v->err, sizeof v->err, "poll %.40s was withdrawn before anyone voted: it "
                 "takes no ballots", v->poll_id);
        goto out;
    }
    snprintf(v->nominee, sizeof v->nominee, "%s",
             json_string_value(json_object_get(view, "nominee")) ?
             json_string_value(json_object_get(view, "nominee")) : "");
    /* a poll sealed by trustees (PROTOCOL-threshold T6) or by the server alone */
    if ((why = record_from_json_kind(json_object_get(view, "record"),
                                     RECORD_V1 | RECORD_THRESHOLD, &v->rec)) != PROTO_OK) {
        snprintf(v->err, sizeof v->err, "the poll record is invalid (%s)", proto_reason_code(why));
        goto out;
    }
    id = record_id(v->rec, &id_len);
    if (id_len != strlen(v->poll_id) || memcmp(id, v->poll_id, id_len) != 0) {
        snprintf(v->err, sizeof v->err, "the server answered with the record of another poll "
                 "than %.200s", v->poll_id);
        goto out;
    }
    crypto_hex_encode(fp, record_fingerprint(v->rec), 32);
    if (claimed == NULL || strcmp(claimed, fp) != 0) {
        snprintf(v->err, sizeof v->err, "the poll's fingerprint does not match its record");
        goto out;
    }
    rc = cli_voter_fetch_key(v);
out:
    json_decref(view);
    return rc;
}

void cli_voter_free(struct voter *v)
{
    record_free(v->rec);
    v->rec = NULL;
    sodium_memzero(v->token_buf, sizeof v->token_buf);
}
