/*
 * cli_vote.c — `conclave vote` and `conclave result`: a voter's client.
 *
 * vote: fetches the poll record, checks it (every rule of PROTOCOL §3) and
 * its fingerprint, builds and proves the ballot here, prints the tracker
 * before casting, casts it, and checks the signed receipt against the
 * server's key. The ballot's secret ρ is kept in a 0600 file named by the
 * poll's fingerprint under the voter's state directory, so that `--replace`
 * can change the vote later; the choice itself is never written anywhere.
 *
 * result: fetches the result and the board and verifies the whole board
 * (proofs, tally, decryptions, counts, signature) before printing it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ballot.h"
#include "board.h"
#include "cli.h"
#include "cli_http.h"
#include "cli_util.h"
#include "record.h"
#include "sign.h"

static const char vote_usage[] =
    "usage: conclave vote --server URL --token TOKEN POLL_ID yes|no [--replace]\n"
    "                     [--state DIR]\n"
    "Casts a sealed ballot: the ballot is encrypted and proved here; the server\n"
    "only sees the ciphertext. Prints the tracker, then checks the signed receipt.\n"
    "  --replace    replace the ballot you cast before (the last one counts)\n"
    "  --state DIR  where the ballot secrets are kept (default\n"
    "               $XDG_DATA_HOME/conclave or ~/.local/share/conclave)\n";

static const char result_usage[] =
    "usage: conclave result --server URL --token TOKEN POLL_ID\n"
    "Prints a closed poll's result after verifying its whole board.\n";

struct voter {
    const char *server;
    const char *token;
    const char *poll_id;
    struct record *rec;
    unsigned char server_pk[SIGN_PUBLIC_BYTES];
    char err[512];
};

/* GET path; 0 with the body on 200, else -1 with the reason in v->err. */
static int voter_get(struct voter *v, const char *path, struct cli_http_response *r)
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

/* Fetches and checks the poll record and its fingerprint, and the server key. */
static int voter_fetch(struct voter *v)
{
    struct cli_http_response r;
    char path[128], fp[65];
    json_t *view = NULL;
    const char *claimed;
    enum proto_reason why;
    int rc = -1;

    snprintf(path, sizeof path, "/api/v1/polls/%s", v->poll_id);
    if (voter_get(v, path, &r) != 0)
        return -1;
    view = json_loads(r.body, JSON_REJECT_DUPLICATES, NULL);
    free(r.body);
    claimed = json_string_value(json_object_get(view, "fingerprint"));
    if ((why = record_from_json(json_object_get(view, "record"), &v->rec)) != PROTO_OK) {
        snprintf(v->err, sizeof v->err, "the poll record is invalid (%s)", proto_reason_code(why));
        goto out;
    }
    crypto_hex_encode(fp, record_fingerprint(v->rec), 32);
    if (claimed == NULL || strcmp(claimed, fp) != 0) {
        snprintf(v->err, sizeof v->err, "the poll's fingerprint does not match its record");
        goto out;
    }
    if (voter_get(v, "/api/v1/server-key", &r) != 0)
        goto out;
    if (sign_public_from_pem(r.body, r.len, v->server_pk) != 0)
        snprintf(v->err, sizeof v->err, "the server key is not an Ed25519 PEM public key");
    else
        rc = 0;
    free(r.body);
out:
    json_decref(view);
    return rc;
}

/* mkdir -p with mode 0700 for the directories it creates. */
static int voter_mkdirs(char *path)
{
    char *p;

    for (p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            *p = '/';
            return -1;
        }
        *p = '/';
    }
    return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* The file that keeps ρ for this poll: STATE/ballots/<fingerprint>. */
static int voter_rho_path(const char *state, const struct record *rec, char *path,
                          size_t len)
{
    char fp[65], dir[1024];
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

    if (state != NULL)
        snprintf(dir, sizeof dir, "%s", state);
    else if (xdg != NULL && xdg[0] == '/')
        snprintf(dir, sizeof dir, "%s/conclave", xdg);
    else if (home != NULL)
        snprintf(dir, sizeof dir, "%s/.local/share/conclave", home);
    else
        return -1;
    crypto_hex_encode(fp, record_fingerprint(rec), 32);
    if ((size_t)snprintf(path, len, "%s/ballots", dir) >= len || voter_mkdirs(path) != 0 ||
        (size_t)snprintf(path, len, "%s/ballots/%s", dir, fp) >= len)
        return -1;
    return 0;
}

/* Writes ρ as hex to PATH (0600), durably, through a temporary file. */
static int voter_rho_save(const char *path, const unsigned char rho[32])
{
    char tmp[1400], hex[66];
    int fd, ok;

    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    crypto_hex_encode(hex, rho, 32);
    hex[64] = '\n';
    hex[65] = '\0';
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
        return -1;
    ok = write(fd, hex, 65) == 65 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    sodium_memzero(hex, sizeof hex);
    return ok && rename(tmp, path) == 0 ? 0 : -1;
}

static int voter_rho_load(const char *path, unsigned char rho[32])
{
    char hex[80];
    FILE *f = fopen(path, "r");
    int rc = -1;

    if (f == NULL)
        return -1;
    if (fgets(hex, sizeof hex, f) != NULL && strlen(hex) >= 64 &&
        crypto_hex_decode(rho, 32, hex, 64) == 0)
        rc = 0;
    fclose(f);
    sodium_memzero(hex, sizeof hex);
    return rc;
}

/* POSTs the ballot; checks the tracker and the receipt. */
static int voter_cast(struct voter *v, const struct ballot *b)
{
    struct cli_http_response r;
    unsigned char sig[SIGN_BYTES];
    char path[128], tracker[65], why[256];
    const char *got_tracker, *receipt;
    json_t *ans = NULL;
    size_t len;
    char *text = ballot_serialize(b, BALLOT_FORM_POST, 0, &len);
    int rc = -1;

    snprintf(path, sizeof path, "/api/v1/polls/%s/ballots", v->poll_id);
    if (text == NULL ||
        cli_http_request(v->server, path, v->token, text, &r, v->err, sizeof v->err) != 0)
        goto out;
    if (r.status != 201) {
        snprintf(v->err, sizeof v->err, "the ballot was refused: %s",
                 cli_http_error(&r, why, sizeof why));
        goto out_body;
    }
    ans = json_loads(r.body, 0, NULL);
    got_tracker = json_string_value(json_object_get(ans, "tracker"));
    receipt = json_string_value(json_object_get(ans, "receipt"));
    crypto_hex_encode(tracker, ballot_tracker(b), 32);
    if (got_tracker == NULL || strcmp(got_tracker, tracker) != 0 || receipt == NULL ||
        strlen(receipt) != 128 || crypto_hex_decode(sig, sizeof sig, receipt, 128) != 0 ||
        sign_receipt_verify(v->server_pk, record_fingerprint(v->rec), ballot_tracker(b),
                            sig) != 0) {
        snprintf(v->err, sizeof v->err, "the receipt does not verify with the server's key");
        goto out_body;
    }
    printf("receipt: %s\nreceipt verified: your ballot is in the box\n", receipt);
    rc = 0;
out_body:
    json_decref(ans);
    free(r.body);
out:
    free(text);
    return rc;
}

/* Builds the ballot for CHOICE (0 = yes, 1 = no), keeps ρ, casts it. */
static int voter_vote(struct voter *v, int choice, int replace, const char *state)
{
    unsigned char rho[32], old[32];
    uint8_t votes[2] = {choice == 0, choice == 1};
    struct crypto_rng rng = crypto_rng_system();
    struct ballot *b = NULL;
    char path[1200], pending[1300], tracker[65];
    int rc = -1;

    if (!record_is_promotion(v->rec)) {
        snprintf(v->err, sizeof v->err, "this is not a yes/no promotion poll");
        return -1;
    }
    if (voter_rho_path(state, v->rec, path, sizeof path) != 0) {
        snprintf(v->err, sizeof v->err, "cannot create the state directory");
        return -1;
    }
    if (replace && voter_rho_load(path, old) != 0) {
        snprintf(v->err, sizeof v->err, "no earlier ballot of yours is kept here (%.400s)", path);
        return -1;
    }
    snprintf(pending, sizeof pending, "%s.pending", path);
    randombytes_buf(rho, sizeof rho);
    if (ballot_create(v->rec, votes, rho, replace ? old : NULL, &rng, &b) != 0 ||
        voter_rho_save(pending, rho) != 0) {
        snprintf(v->err, sizeof v->err, "cannot build the ballot or keep its secret");
        goto out;
    }
    crypto_hex_encode(tracker, ballot_tracker(b), 32);
    printf("tracker: %s\n", tracker);
    fflush(stdout);
    if (voter_cast(v, b) != 0) {
        unlink(pending);    /* refused or unanswered: this ρ counts for nothing known */
        goto out;
    }
    if (rename(pending, path) != 0)
        fprintf(stderr, "conclave vote: warning: could not keep the ballot's secret\n");
    rc = 0;
out:
    sodium_memzero(rho, sizeof rho);
    sodium_memzero(old, sizeof old);
    ballot_free(b);
    return rc;
}

int cli_vote_main(int argc, char **argv)
{
    struct cli_opt opts[] = {{"server", 1, 0, NULL}, {"token", 1, 0, NULL},
                             {"replace", 0, 0, NULL}, {"state", 1, 0, NULL}};
    struct cli_args a;
    struct voter v;
    int choice, rc;

    if (cli_parse("vote", argc - 1, argv + 1, opts, 4, &a) != 0 || a.help || a.npos != 2 ||
        !opts[0].set || !opts[1].set)
        return cli_usage(vote_usage, a.help);
    if (strcmp(a.pos[1], "yes") == 0)
        choice = 0;
    else if (strcmp(a.pos[1], "no") == 0)
        choice = 1;
    else
        return cli_usage(vote_usage, 0);
    memset(&v, 0, sizeof v);
    v.server = opts[0].value;
    v.token = opts[1].value;
    v.poll_id = a.pos[0];
    rc = voter_fetch(&v) == 0 && voter_vote(&v, choice, opts[2].set, opts[3].value) == 0;
    record_free(v.rec);
    return rc ? CLI_EXIT_OK : cli_fail("vote", v.err);
}

/* Prints the verified result; the board is checked before anything is shown. */
static int voter_result(struct voter *v)
{
    struct cli_http_response board;
    struct board_report rep;
    char path[128];
    uint32_t j;

    snprintf(path, sizeof path, "/api/v1/polls/%s/board", v->poll_id);
    if (voter_get(v, path, &board) != 0)
        return -1;
    if (board_verify(board.body, board.len, v->server_pk, 0, &rep) != PROTO_OK) {
        snprintf(v->err, sizeof v->err, "the board does not verify: %s at %s",
                 proto_reason_code(rep.reason), rep.where);
        free(board.body);
        return -1;
    }
    free(board.body);
    if (rep.partial) {
        snprintf(v->err, sizeof v->err, "the result is not published yet");
        return -1;
    }
    printf("%s\n", record_question(v->rec, NULL));
    for (j = 0; j < rep.m; j++)
        printf("  %-40s %u\n", record_option(v->rec, j, NULL), rep.counts[j]);
    printf("ballots: %u of %u eligible\n", rep.ballots, record_roll_count(v->rec));
    printf("result: %s\n", rep.verdict == PROTO_VERDICT_PASSED ? "passed (two-thirds rule)"
                           : rep.verdict == PROTO_VERDICT_FAILED ? "failed (two-thirds rule)"
                           : "no rule");
    printf("board ok: %u ballots, every proof, the tally, the decryption and the "
           "signature verified\n", rep.ballots);
    return 0;
}

int cli_result_main(int argc, char **argv)
{
    struct cli_opt opts[] = {{"server", 1, 0, NULL}, {"token", 1, 0, NULL}};
    struct cli_args a;
    struct voter v;
    int rc;

    if (cli_parse("result", argc - 1, argv + 1, opts, 2, &a) != 0 || a.help || a.npos != 1 ||
        !opts[0].set || !opts[1].set)
        return cli_usage(result_usage, a.help);
    memset(&v, 0, sizeof v);
    v.server = opts[0].value;
    v.token = opts[1].value;
    v.poll_id = a.pos[0];
    rc = voter_fetch(&v) == 0 && voter_result(&v) == 0;
    record_free(v.rec);
    return rc ? CLI_EXIT_OK : cli_fail("result", v.err);
}
