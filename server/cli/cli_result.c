/*
 * cli_result.c — `conclave result`: a closed poll's result, printed only
 * after its whole board has been verified (proofs, tally, decryptions,
 * counts, the signature with the server's key) and shown to be the asked
 * poll's.
 *
 * The result, the board and the server key are public after the close, so
 * no credentials are needed: the poll record is then the board's own (the
 * one its verified fingerprint hashes), and its id must be the asked one.
 * With a token, the record the server shows members is fetched and checked
 * too, and the board must carry its fingerprint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "board.h"
#include "cli.h"
#include "cli_voter.h"
#include "sjson.h"

static const char result_usage[] =
    "usage: conclave result --server URL [--token-file FILE] POLL_ID\n"
    "Prints a closed poll's result after verifying its whole board, the result's\n"
    "signature included. No token is needed (results are public after the close);\n"
    "with one, the board is also checked against the poll record members see.\n"
    VOTER_TOKEN_HELP;

/* Reads the poll record out of the verified board TEXT into v->rec: the
 * first "poll" member, which must hash to the board's fingerprint FP. */
static int result_board_record(struct voter *v, const char *text, size_t len,
                               const unsigned char fp[CRYPTO_BYTES])
{
    const char *p = strstr(text, "\"poll\"");
    json_t *poll = NULL;
    enum proto_reason why = PROTO_SHAPE;

    if (p != NULL) {
        for (p += 6; *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'; p++)
            ;
        if (*p == ':')
            poll = json_loadb(p + 1, len - (size_t)(p + 1 - text),
                              JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, NULL);
    }
    if (poll != NULL)
        why = record_from_json_kind(poll, RECORD_V1 | RECORD_THRESHOLD, &v->rec);
    json_decref(poll);
    if (why != PROTO_OK || memcmp(record_fingerprint(v->rec), fp, CRYPTO_BYTES) != 0) {
        snprintf(v->err, sizeof v->err, "cannot read the board's poll record");
        return -1;
    }
    return 0;
}

/* Fetches and verifies the board, and that it is poll v->poll_id's. */
static int result_board(struct voter *v, struct board_report *rep)
{
    struct cli_http_response board;
    char path[128];
    const char *id;
    size_t id_len;
    int rc = -1;

    snprintf(path, sizeof path, "/api/v1/polls/%s/board", v->poll_id);
    if (cli_voter_get(v, path, &board) != 0)
        return -1;
    if (board_verify(board.body, board.len, v->server_pk, 0, rep) != PROTO_OK) {
        snprintf(v->err, sizeof v->err, "the board does not verify: %s at %s",
                 proto_reason_code(rep->reason), rep->where);
    } else if (v->rec != NULL &&
               memcmp(rep->fingerprint, record_fingerprint(v->rec), CRYPTO_BYTES) != 0) {
        snprintf(v->err, sizeof v->err, "the board is another poll's: its fingerprint is not "
                 "the one of poll %.200s", v->poll_id);
    } else if (v->rec == NULL &&
               result_board_record(v, board.body, board.len, rep->fingerprint) != 0) {
        /* v->err set */
    } else if (id = record_id(v->rec, &id_len),
               id_len != strlen(v->poll_id) || memcmp(id, v->poll_id, id_len) != 0) {
        snprintf(v->err, sizeof v->err, "the board is another poll's than %.200s", v->poll_id);
    } else if (rep->partial) {
        snprintf(v->err, sizeof v->err, "the result is not published yet");
    } else {
        rc = 0;
    }
    free(board.body);
    return rc;
}

/* Prints the verified result; the board is checked before anything is shown. */
static int result_print(struct voter *v)
{
    struct board_report rep;
    char text[1024], fp[65];
    uint32_t j;

    if (result_board(v, &rep) != 0)
        return -1;
    printf("%s\n", cli_clean(record_question(v->rec, NULL), text, sizeof text));
    for (j = 0; j < rep.m; j++)
        printf("  %-40s %u\n", cli_clean(record_option(v->rec, j, NULL), text, sizeof text),
               rep.counts[j]);
    printf("ballots: %u of %u eligible\n", rep.ballots, record_roll_count(v->rec));
    printf("result: %s\n", rep.verdict == PROTO_VERDICT_PASSED ? "passed (two-thirds rule)"
                           : rep.verdict == PROTO_VERDICT_FAILED ? "failed (two-thirds rule)"
                           : "no rule");
    sodium_bin2hex(fp, sizeof fp, rep.fingerprint, CRYPTO_BYTES);
    printf("poll fingerprint: %s\n", fp);
    printf("board ok: %u ballots, every proof, the tally, the decryption and the "
           "signature verified\n", rep.ballots);
    return 0;
}

int cli_result_main(int argc, char **argv)
{
    struct cli_opt opts[] = {{"server", 1, 0, NULL}, {"token", 1, 0, NULL},
                             {"token-file", 1, 0, NULL}};
    struct cli_args a;
    struct voter v;
    int rc;

    if (cli_parse("result", argc - 1, argv + 1, opts, 3, &a) != 0 || a.help || a.npos != 1 ||
        !opts[0].set)
        return cli_usage(result_usage, a.help);
    rc = cli_voter_init(&v, opts[0].value, a.pos[0]) == 0 &&
         cli_voter_token(&v, &opts[1], &opts[2], 0) == 0 &&
         (v.token != NULL ? cli_voter_fetch(&v) : cli_voter_fetch_key(&v)) == 0 &&
         result_print(&v) == 0;
    cli_voter_free(&v);
    return rc ? CLI_EXIT_OK : cli_fail("result", v.err);
}
