/*
 * cli_vote.c — `conclave vote` and `conclave result`: a voter's client.
 *
 * vote: fetches the poll record, checks it (every rule of PROTOCOL §3), its
 * fingerprint and that it is the poll asked for, builds and proves the
 * ballot here, prints the tracker before casting, casts it, and checks the
 * signed receipt against the server's key. The ballot's secret ρ is kept in a 0600 file named by the
 * poll's fingerprint under the voter's state directory, so that `--replace`
 * can change the vote later; the choice itself is never written anywhere.
 * A ballot's ρ is written (to FILE.unconfirmed) before the ballot is sent, and
 * stays there when no answer comes back: that ballot may be in the box, and
 * `--replace` tries each kept secret until the server accepts one.
 *
 * result: fetches the board and verifies the whole of it (proofs, tally,
 * decryptions, counts, signature) and that it is the asked poll's (its
 * fingerprint is the record's) before printing it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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

#define VOTER_TOKEN_HELP \
    "The API token: $CONCLAVE_TOKEN, or the first line of --token-file FILE\n" \
    "(\"-\": stdin), which wins over it; --token TOKEN wins over both, but other\n" \
    "users of this machine can read it in the process list.\n"

static const char vote_usage[] =
    "usage: conclave vote --server URL [--token-file FILE] POLL_ID yes|no [--replace]\n"
    "                     [--state DIR]\n"
    "Casts a sealed ballot: the ballot is encrypted and proved here; the server\n"
    "only sees the ciphertext. Prints the tracker, then checks the signed receipt.\n"
    "  --replace    replace the ballot you cast before (the last one counts)\n"
    "  --state DIR  where the ballot secrets are kept (default\n"
    "               $XDG_DATA_HOME/conclave or ~/.local/share/conclave)\n"
    VOTER_TOKEN_HELP;

static const char result_usage[] =
    "usage: conclave result --server URL [--token-file FILE] POLL_ID\n"
    "Prints a closed poll's result after verifying its whole board.\n"
    VOTER_TOKEN_HELP;

/* Longest API token accepted from any of its sources. */
#define VOTER_TOKEN_MAX 256

/* At most this many secrets of unanswered ballots are kept per poll. */
#define VOTER_UNCONFIRMED_MAX 64

enum voter_outcome { VOTER_CAST, VOTER_REFUSED, VOTER_UNKNOWN };

struct voter {
    const char *server;
    const char *token;              /* token_buf */
    char token_buf[VOTER_TOKEN_MAX + 2];
    const char *poll_id;
    struct record *rec;
    unsigned char server_pk[SIGN_PUBLIC_BYTES];
    int refused_replaces;           /* the last refusal: "replaces" */
    int already_voted;              /* the last refusal: 409 already_voted */
    char err[1024];
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
    const char *claimed, *id, *state;
    enum proto_reason why;
    size_t id_len;
    int rc = -1;

    snprintf(path, sizeof path, "/api/v1/polls/%s", v->poll_id);
    if (voter_get(v, path, &r) != 0)
        return -1;
    view = json_loads(r.body, JSON_REJECT_DUPLICATES, NULL);
    free(r.body);
    claimed = json_string_value(json_object_get(view, "fingerprint"));
    state = json_string_value(json_object_get(view, "state"));
    if (state != NULL && strcmp(state, "withdrawn") == 0) {
        snprintf(v->err, sizeof v->err, "poll %.40s was withdrawn before anyone voted: it "
                 "takes no ballots", v->poll_id);
        goto out;
    }
    if ((why = record_from_json(json_object_get(view, "record"), &v->rec)) != PROTO_OK) {
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

/* Writes N secrets as hex lines to PATH (0600), durably, through a
 * temporary file; N = 0 removes PATH. 0 or -1. */
static int voter_rhos_save(const char *path, const unsigned char (*rhos)[32], size_t n)
{
    char tmp[1400], hex[66];
    size_t i;
    int fd, ok = 1;

    if (n == 0)
        return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    /* A new file of our own: not one left by a crash, nor a link planted in
     * a shared --state directory. */
    if ((unlink(tmp) != 0 && errno != ENOENT) ||
        (fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
        return -1;
    for (i = 0; i < n && ok; i++) {
        crypto_hex_encode(hex, rhos[i], 32);
        hex[64] = '\n';
        ok = write(fd, hex, 65) == 65;
    }
    ok = ok && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    sodium_memzero(hex, sizeof hex);
    if (ok && rename(tmp, path) == 0)
        return 0;
    unlink(tmp);
    return -1;
}

/* Reads at most MAX secrets (hex lines) from PATH; their number, 0 without
 * the file. */
static size_t voter_rhos_load(const char *path, unsigned char (*rhos)[32], size_t max)
{
    char hex[80];
    FILE *f = fopen(path, "r");
    size_t n = 0;

    if (f == NULL)
        return 0;
    while (n < max && fgets(hex, sizeof hex, f) != NULL)
        if (strlen(hex) >= 64 && crypto_hex_decode(rhos[n], 32, hex, 64) == 0)
            n++;
    fclose(f);
    sodium_memzero(hex, sizeof hex);
    return n;
}

/* The secrets kept for one poll: the ballot the server confirmed (PATH), and
 * those of ballots sent without a usable answer (PATH.unconfirmed), any of
 * which may be the one in the box. */
struct voter_state {
    char path[1200], unconf_path[1300];
    unsigned char confirmed[1][32];
    size_t nconfirmed;
    unsigned char unconf[VOTER_UNCONFIRMED_MAX][32];
    size_t nunconf;
    int lock_fd;                    /* flock of PATH.lock, held until the end */
};

/* Takes PATH.lock exclusively (waiting, with a word, for another `conclave
 * vote` of the same poll), so two of them cannot lose each other's secrets
 * in their read-modify-write of PATH.unconfirmed. 0, or -1 (no lock fd). */
static int voter_lock(struct voter_state *s)
{
    char lock[1400];

    snprintf(lock, sizeof lock, "%s.lock", s->path);
    if ((s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
        return -1;
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    if (errno == EWOULDBLOCK) {
        fprintf(stderr, "conclave vote: waiting for another conclave vote of this poll\n");
        if (flock(s->lock_fd, LOCK_EX) == 0)
            return 0;
    }
    close(s->lock_fd);
    s->lock_fd = -1;
    return -1;
}

static int voter_state_load(struct voter *v, const char *state, struct voter_state *s)
{
    memset(s, 0, sizeof *s);
    s->lock_fd = -1;
    if (voter_rho_path(state, v->rec, s->path, sizeof s->path) != 0) {
        snprintf(v->err, sizeof v->err, "cannot create the state directory");
        return -1;
    }
    snprintf(s->unconf_path, sizeof s->unconf_path, "%s.unconfirmed", s->path);
    if (voter_lock(s) != 0) {
        snprintf(v->err, sizeof v->err, "cannot lock %.400s.lock", s->path);
        return -1;
    }
    s->nconfirmed = voter_rhos_load(s->path, s->confirmed, 1);
    s->nunconf = voter_rhos_load(s->unconf_path, s->unconf, VOTER_UNCONFIRMED_MAX);
    return 0;
}

/* Reads a 4xx's error envelope once: v->refused_replaces if it refuses a
 * replacement whose replaced ballot is not the counted one ("invalid_ballot",
 * reason "replaces"), v->already_voted for "already_voted". */
static void voter_read_refusal(struct voter *v, const struct cli_http_response *r)
{
    json_t *j = r->body ? json_loads(r->body, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *reason = json_string_value(json_object_get(e, "reason"));

    v->refused_replaces = code != NULL && reason != NULL &&
                          strcmp(code, "invalid_ballot") == 0 && strcmp(reason, "replaces") == 0;
    v->already_voted = code != NULL && strcmp(code, "already_voted") == 0;
    json_decref(j);
}

/* Checks a 201's tracker and receipt; 0, or -1 with the reason in v->err. */
static int voter_check_receipt(struct voter *v, const struct ballot *b, const char *body)
{
    unsigned char sig[SIGN_BYTES];
    char tracker[65];
    json_t *ans = json_loads(body, 0, NULL);
    const char *got_tracker = json_string_value(json_object_get(ans, "tracker"));
    const char *receipt = json_string_value(json_object_get(ans, "receipt"));
    int rc = -1;

    crypto_hex_encode(tracker, ballot_tracker(b), 32);
    if (got_tracker == NULL || strcmp(got_tracker, tracker) != 0 || receipt == NULL ||
        strlen(receipt) != 128 || crypto_hex_decode(sig, sizeof sig, receipt, 128) != 0 ||
        sign_receipt_verify(v->server_pk, record_fingerprint(v->rec), ballot_tracker(b),
                            sig) != 0) {
        snprintf(v->err, sizeof v->err, "the receipt does not verify with the server's key");
    } else {
        printf("receipt: %s\nreceipt verified: your ballot is in the box\n", receipt);
        rc = 0;
    }
    json_decref(ans);
    return rc;
}

/* POSTs the ballot. VOTER_CAST with a verified receipt; VOTER_REFUSED when
 * the server answered no with a 4xx (v->refused_replaces tells why);
 * VOTER_UNKNOWN when no usable answer came (none, a 5xx, a bad receipt): the
 * ballot may be in the box. */
static enum voter_outcome voter_cast(struct voter *v, const struct ballot *b)
{
    struct cli_http_response r;
    char path[128], why[256];
    size_t len = 0;
    char *text = ballot_serialize(b, BALLOT_FORM_POST, 0, &len);
    enum voter_outcome out = VOTER_UNKNOWN;

    snprintf(path, sizeof path, "/api/v1/polls/%s/ballots", v->poll_id);
    if (text == NULL) {
        snprintf(v->err, sizeof v->err, "cannot serialize the ballot");
        return VOTER_REFUSED;
    }
    if (cli_http_request(v->server, path, v->token, text, &r, v->err, sizeof v->err) != 0)
        goto out;
    if (r.status == 201) {
        out = voter_check_receipt(v, b, r.body) == 0 ? VOTER_CAST : VOTER_UNKNOWN;
    } else {
        if (r.status >= 400 && r.status < 500) {
            out = VOTER_REFUSED;
            voter_read_refusal(v, &r);
        }
        snprintf(v->err, sizeof v->err, "the ballot was %s: %s",
                 out == VOTER_REFUSED ? "refused" : "not answered properly",
                 cli_http_error(&r, why, sizeof why));
    }
    free(r.body);
out:
    sodium_memzero(text, len);  /* a replacement carries the replaced ballot's ρ */
    free(text);
    return out;
}

/* One ballot for VOTES replacing the one of secret OLD (NULL: a first vote).
 * Its secret joins the unconfirmed ones before it is sent; it becomes the
 * confirmed one on a receipt, and is dropped on a refusal. */
static enum voter_outcome voter_try(struct voter *v, const uint8_t votes[2],
                                    const unsigned char *old, struct voter_state *s)
{
    unsigned char rho[32];
    struct crypto_rng rng = crypto_rng_system();
    struct ballot *b = NULL;
    char tracker[65];
    enum voter_outcome out = VOTER_REFUSED;

    v->refused_replaces = v->already_voted = 0;
    randombytes_buf(rho, sizeof rho);
    if (s->nunconf == VOTER_UNCONFIRMED_MAX ||
        ballot_create(v->rec, votes, rho, old, &rng, &b) != 0) {
        snprintf(v->err, sizeof v->err, "cannot build the ballot (or too many unanswered "
                 "ballots are kept in %.400s)", s->unconf_path);
        goto out;
    }
    memcpy(s->unconf[s->nunconf++], rho, sizeof rho);
    if (voter_rhos_save(s->unconf_path, s->unconf, s->nunconf) != 0) {
        s->nunconf--;
        snprintf(v->err, sizeof v->err, "cannot keep the ballot's secret");
        goto out;
    }
    crypto_hex_encode(tracker, ballot_tracker(b), 32);
    printf("tracker: %s\n", tracker);
    fflush(stdout);
    out = voter_cast(v, b);
    if (out == VOTER_REFUSED) {             /* this ρ counts for nothing */
        s->nunconf--;
        (void)voter_rhos_save(s->unconf_path, s->unconf, s->nunconf);
    } else if (out == VOTER_CAST) {         /* the box holds this one, no other */
        memcpy(s->confirmed[0], rho, sizeof rho);
        s->nconfirmed = 1;
        s->nunconf = 0;
        if (voter_rhos_save(s->path, s->confirmed, 1) != 0 ||
            voter_rhos_save(s->unconf_path, s->unconf, 0) != 0)
            fprintf(stderr, "conclave vote: warning: could not keep the ballot's secret\n");
    }
out:
    sodium_memzero(rho, sizeof rho);
    ballot_free(b);
    return out;
}

/* A replacement: tries the confirmed secret, then each unconfirmed one,
 * while the server answers that the replaced ballot is not the counted one. */
static enum voter_outcome voter_replace(struct voter *v, const uint8_t votes[2],
                                        struct voter_state *s)
{
    unsigned char cands[1 + VOTER_UNCONFIRMED_MAX][32];
    size_t n = 0, i;
    enum voter_outcome out = VOTER_REFUSED;

    memcpy(cands, s->confirmed, s->nconfirmed * 32);
    n = s->nconfirmed;
    memcpy(cands[n], s->unconf, s->nunconf * 32);
    n += s->nunconf;
    if (n == 0)
        snprintf(v->err, sizeof v->err, "no earlier ballot of yours is kept here (%.400s)",
                 s->path);
    for (i = 0; i < n; i++) {
        out = voter_try(v, votes, cands[i], s);
        if (out != VOTER_REFUSED || !v->refused_replaces)
            break;
    }
    sodium_memzero(cands, sizeof cands);
    return out;
}

/* Builds the ballot for CHOICE (0 = yes, 1 = no), keeps ρ, casts it. */
static int voter_vote(struct voter *v, int choice, int replace, const char *state)
{
    uint8_t votes[2] = {choice == 0, choice == 1};
    struct voter_state s;
    enum voter_outcome out = VOTER_REFUSED;
    size_t len;

    if (!record_is_promotion(v->rec)) {
        snprintf(v->err, sizeof v->err, "this is not a yes/no promotion poll");
        return -1;
    }
    if (voter_state_load(v, state, &s) != 0)
        return -1;
    out = replace ? voter_replace(v, votes, &s) : voter_try(v, votes, NULL, &s);
    len = strlen(v->err);
    if (out == VOTER_UNKNOWN)
        snprintf(v->err + len, sizeof v->err - len, "; the ballot may or may not be in the "
                 "box: its secret is kept, so --replace can change your vote either way");
    else if (out == VOTER_REFUSED && v->refused_replaces)
        snprintf(v->err + len, sizeof v->err - len, "; none of the secrets kept here is the "
                 "counted ballot's (if you have not voted yet, vote without --replace)");
    else if (out == VOTER_REFUSED && v->already_voted && s.nunconf > 0)
        snprintf(v->err + len, sizeof v->err - len, "; an earlier ballot sent from here got "
                 "no answer but was counted: use --replace to change it");
    else if (out == VOTER_REFUSED && v->already_voted)
        snprintf(v->err + len, sizeof v->err - len, "; to change your vote, run this again "
                 "with --replace (where your ballot's secret is kept)");
    close(s.lock_fd);
    sodium_memzero(&s, sizeof s);
    return out == VOTER_CAST ? 0 : -1;
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

/*
 * Sets v->token from --token TOKEN, else the first line of --token-file
 * FILE, else $CONCLAVE_TOKEN; a trailing newline is dropped. 0, or -1 with
 * v->err set (none given, empty, or longer than VOTER_TOKEN_MAX).
 */
static int voter_token(struct voter *v, const struct cli_opt *token, const struct cli_opt *file)
{
    const char *env = getenv("CONCLAVE_TOKEN");
    size_t n;

    v->token = v->token_buf;
    if (token->set || (!file->set && env != NULL)) {
        n = strlen(token->set ? token->value : env);
        if (n > VOTER_TOKEN_MAX)
            goto too_long;
        memcpy(v->token_buf, token->set ? token->value : env, n + 1);
    } else if (!file->set) {
        snprintf(v->err, sizeof v->err, "no API token: set CONCLAVE_TOKEN, or give "
                 "--token-file FILE (see --help)");
        return -1;
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

int cli_vote_main(int argc, char **argv)
{
    struct cli_opt opts[] = {{"server", 1, 0, NULL}, {"token", 1, 0, NULL},
                             {"replace", 0, 0, NULL}, {"state", 1, 0, NULL},
                             {"token-file", 1, 0, NULL}};
    struct cli_args a;
    struct voter v;
    int choice, rc;

    if (cli_parse("vote", argc - 1, argv + 1, opts, 5, &a) != 0 || a.help || a.npos != 2 ||
        !opts[0].set)
        return cli_usage(vote_usage, a.help);
    if (strcmp(a.pos[1], "yes") == 0)
        choice = 0;
    else if (strcmp(a.pos[1], "no") == 0)
        choice = 1;
    else
        return cli_usage(vote_usage, 0);
    memset(&v, 0, sizeof v);
    v.server = opts[0].value;
    v.poll_id = a.pos[0];
    rc = voter_token(&v, &opts[1], &opts[4]) == 0 && voter_fetch(&v) == 0 &&
         voter_vote(&v, choice, opts[2].set, opts[3].value) == 0;
    record_free(v.rec);
    sodium_memzero(v.token_buf, sizeof v.token_buf);
    return rc ? CLI_EXIT_OK : cli_fail("vote", v.err);
}

/* Prints the verified result; the board is checked before anything is shown. */
static int voter_result(struct voter *v)
{
    struct cli_http_response board;
    struct board_report rep;
    char path[128], text[1024];
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
    if (memcmp(rep.fingerprint, record_fingerprint(v->rec), CRYPTO_BYTES) != 0) {
        snprintf(v->err, sizeof v->err, "the board is another poll's: its fingerprint is not "
                 "the one of poll %.200s", v->poll_id);
        return -1;
    }
    if (rep.partial) {
        snprintf(v->err, sizeof v->err, "the result is not published yet");
        return -1;
    }
    printf("%s\n", cli_clean(record_question(v->rec, NULL), text, sizeof text));
    for (j = 0; j < rep.m; j++)
        printf("  %-40s %u\n", cli_clean(record_option(v->rec, j, NULL), text, sizeof text),
               rep.counts[j]);
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
    struct cli_opt opts[] = {{"server", 1, 0, NULL}, {"token", 1, 0, NULL},
                             {"token-file", 1, 0, NULL}};
    struct cli_args a;
    struct voter v;
    int rc;

    if (cli_parse("result", argc - 1, argv + 1, opts, 3, &a) != 0 || a.help || a.npos != 1 ||
        !opts[0].set)
        return cli_usage(result_usage, a.help);
    memset(&v, 0, sizeof v);
    v.server = opts[0].value;
    v.poll_id = a.pos[0];
    rc = voter_token(&v, &opts[1], &opts[2]) == 0 && voter_fetch(&v) == 0 &&
         voter_result(&v) == 0;
    record_free(v.rec);
    sodium_memzero(v.token_buf, sizeof v.token_buf);
    return rc ? CLI_EXIT_OK : cli_fail("result", v.err);
}
