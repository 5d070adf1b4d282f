/*
 * cli_vote.c — `conclave vote`: a voter's client.
 *
 * Fetches the poll record, checks it (every rule of PROTOCOL §3), its
 * fingerprint and that it is the poll asked for, builds and proves the
 * ballot here, prints the tracker before casting, casts it, and checks the
 * signed receipt against the server's key. The ballot's secret ρ is kept
 * (cli_secrets.c) so that `--replace` can change the vote later; the choice
 * itself is never written anywhere. A ρ is written before its ballot is
 * sent, and stays when no answer comes back: that ballot may be in the box,
 * and `--replace` tries each kept secret until the server accepts one.
 *
 * The change code (INTERFACES: 64 hex digits in groups of 8) carries ρ to
 * another device: `--print-change-code` shows the one kept here, and
 * `--change-code` / `--change-code-file` replace the ballot with it from
 * anywhere. After any replacement the new ballot's ρ is the one kept, so an
 * older code no longer works.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ballot.h"
#include "cli.h"
#include "cli_secrets.h"
#include "cli_voter.h"
#include "sjson.h"

static const char vote_usage[] =
    "usage: conclave vote --server URL [--token-file FILE] POLL_ID yes|no [--replace]\n"
    "                     [--change-code-file FILE | --change-code CODE] [--state DIR]\n"
    "       conclave vote --server URL [--token-file FILE] POLL_ID --print-change-code\n"
    "Casts a sealed ballot: the ballot is encrypted and proved here; the server\n"
    "only sees the ciphertext. Prints the tracker, then checks the signed receipt.\n"
    "  --replace          replace the ballot you cast before (the last one counts)\n"
    "  --state DIR        where the ballot secrets are kept (default\n"
    "                     $XDG_DATA_HOME/conclave or ~/.local/share/conclave)\n"
    "  --print-change-code  print the change code of the ballot kept here, to\n"
    "                     change this vote from another device (line 1: the code)\n"
    "  --change-code-file FILE  replace your ballot with the change code on the\n"
    "                     first line of FILE (\"-\": stdin), from any device\n"
    "  --change-code CODE the same, but other users of this machine can read it in\n"
    "                     the process list\n"
    "A change code is as sensitive as your ballot: whoever has it can change this\n"
    "vote until the close and recognise your ballot on the board. Each new ballot\n"
    "gets a new code; the old one then stops working.\n"
    VOTER_TOKEN_HELP;

enum vote_outcome { VOTE_CAST, VOTE_REFUSED, VOTE_UNKNOWN };

struct vote {
    struct voter v;
    struct cli_secrets s;
    int refused_replaces;           /* the last refusal: "replaces" */
    int already_voted;              /* the last refusal: 409 already_voted */
    int with_code;                  /* code_rho holds a change code */
    unsigned char code_rho[32];
};

/* Reads a 4xx's error envelope once: refused_replaces if it refuses a
 * replacement whose replaced ballot is not the counted one ("invalid_ballot",
 * reason "replaces"), already_voted for "already_voted". */
static void vote_read_refusal(struct vote *t, const struct cli_http_response *r)
{
    json_t *j = r->body ? json_loads(r->body, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *reason = json_string_value(json_object_get(e, "reason"));

    t->refused_replaces = code != NULL && reason != NULL &&
                          strcmp(code, "invalid_ballot") == 0 && strcmp(reason, "replaces") == 0;
    t->already_voted = code != NULL && strcmp(code, "already_voted") == 0;
    json_decref(j);
}

/* Checks a 201's tracker and receipt; 0, or -1 with the reason in v->err. */
static int vote_check_receipt(struct voter *v, const struct ballot *b, const char *body)
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

/* POSTs the ballot. VOTE_CAST with a verified receipt; VOTE_REFUSED when
 * the server answered no with a 4xx (t->refused_replaces, t->already_voted
 * tell why); VOTE_UNKNOWN when no usable answer came (none, a 5xx, a bad
 * receipt): the ballot may be in the box. */
static enum vote_outcome vote_cast(struct vote *t, const struct ballot *b)
{
    struct voter *v = &t->v;
    struct cli_http_response r;
    char path[128], why[256];
    size_t len = 0;
    char *text = ballot_serialize(b, BALLOT_FORM_POST, 0, &len);
    enum vote_outcome out = VOTE_UNKNOWN;

    snprintf(path, sizeof path, "/api/v1/polls/%s/ballots", v->poll_id);
    if (text == NULL) {
        snprintf(v->err, sizeof v->err, "cannot serialize the ballot");
        return VOTE_REFUSED;
    }
    if (cli_http_request(v->server, path, v->token, text, &r, v->err, sizeof v->err) != 0)
        goto out;
    if (r.status == 201) {
        out = vote_check_receipt(v, b, r.body) == 0 ? VOTE_CAST : VOTE_UNKNOWN;
    } else {
        if (r.status >= 400 && r.status < 500) {
            out = VOTE_REFUSED;
            vote_read_refusal(t, &r);
        }
        snprintf(v->err, sizeof v->err, "the ballot was %s: %s",
                 out == VOTE_REFUSED ? "refused" : "not answered properly",
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
static enum vote_outcome vote_try(struct vote *t, const uint8_t votes[2],
                                  const unsigned char *old)
{
    struct voter *v = &t->v;
    unsigned char rho[32];
    struct crypto_rng rng = crypto_rng_system();
    struct ballot *b = NULL;
    char tracker[65];
    enum vote_outcome out = VOTE_REFUSED;

    t->refused_replaces = t->already_voted = 0;
    randombytes_buf(rho, sizeof rho);
    if (ballot_create(v->rec, votes, rho, old, &rng, &b) != 0) {
        snprintf(v->err, sizeof v->err, "cannot build the ballot");
        goto out;
    }
    if (cli_secrets_push(&t->s, rho) != 0) {
        snprintf(v->err, sizeof v->err, "cannot keep the ballot's secret in %.400s (or too "
                 "many unanswered ballots are kept there)", t->s.unconf_path);
        goto out;
    }
    crypto_hex_encode(tracker, ballot_tracker(b), 32);
    printf("tracker: %s\n", tracker);
    fflush(stdout);
    out = vote_cast(t, b);
    if (out == VOTE_REFUSED)                /* this ρ counts for nothing */
        cli_secrets_pop(&t->s);
    else if (out == VOTE_CAST && cli_secrets_confirm(&t->s, rho) != 0)
        fprintf(stderr, "conclave vote: warning: could not keep the ballot's secret\n");
out:
    sodium_memzero(rho, sizeof rho);
    ballot_free(b);
    return out;
}

/* A replacement: of the change code's ballot if one was given; else of the
 * confirmed secret, then each unconfirmed one, while the server answers
 * that the replaced ballot is not the counted one. */
static enum vote_outcome vote_replace(struct vote *t, const uint8_t votes[2])
{
    unsigned char cands[1 + SECRETS_UNCONFIRMED_MAX][32];
    size_t n = 0, i;
    enum vote_outcome out = VOTE_REFUSED;

    if (t->with_code)
        return vote_try(t, votes, t->code_rho);
    memcpy(cands, t->s.confirmed, t->s.nconfirmed * 32);
    n = t->s.nconfirmed;
    memcpy(cands[n], t->s.unconf, t->s.nunconf * 32);
    n += t->s.nunconf;
    if (n == 0)
        snprintf(t->v.err, sizeof t->v.err, "no earlier ballot of yours is kept here (%.400s); "
                 "to change your vote from this device, use --change-code-file FILE with the "
                 "change code printed where you voted (--print-change-code)", t->s.path);
    for (i = 0; i < n; i++) {
        out = vote_try(t, votes, cands[i]);
        if (out != VOTE_REFUSED || !t->refused_replaces)
            break;
    }
    sodium_memzero(cands, sizeof cands);
    return out;
}

/* "You have already voted": one line that says what to do, from what is kept here. */
static void vote_already_voted(struct vote *t)
{
    struct voter *v = &t->v;

    if (t->s.nconfirmed == 0 && t->s.nunconf > 0)
        snprintf(v->err, sizeof v->err, "you have already voted in poll %.200s (a ballot sent "
                 "from here got no answer, but was counted); to change your vote, run this "
                 "again with --replace", v->poll_id);
    else if (t->s.nconfirmed > 0)
        snprintf(v->err, sizeof v->err, "you have already voted in poll %.200s; to change "
                 "your vote, run this again with --replace", v->poll_id);
    else
        snprintf(v->err, sizeof v->err, "you have already voted in poll %.200s (from another "
                 "device or state directory); to change your vote, run this again there with "
                 "--replace, or here with --change-code-file FILE and the change code that "
                 "--print-change-code prints there", v->poll_id);
}

/* Why a cast did not succeed, as one line in v->err. */
static void vote_explain(struct vote *t, enum vote_outcome out)
{
    struct voter *v = &t->v;
    size_t len = strlen(v->err);

    if (out == VOTE_UNKNOWN)
        snprintf(v->err + len, sizeof v->err - len, "; the ballot may or may not be in the "
                 "box: its secret is kept, so --replace can change your vote either way");
    else if (out == VOTE_REFUSED && t->refused_replaces && t->with_code)
        snprintf(v->err, sizeof v->err, "the change code is not the one of your counted "
                 "ballot: a newer ballot replaced that one (its code no longer works), or the "
                 "code is another poll's or another member's");
    else if (out == VOTE_REFUSED && t->refused_replaces)
        snprintf(v->err + len, sizeof v->err - len, "; none of the secrets kept here is the "
                 "counted ballot's (if you have not voted yet, vote without --replace; if you "
                 "changed your vote elsewhere, use that device or its change code)");
    else if (out == VOTE_REFUSED && t->already_voted)
        vote_already_voted(t);
}

/* Builds the ballot for CHOICE (0 = yes, 1 = no), keeps ρ, casts it. */
static int vote_run(struct vote *t, int choice, int replace, const char *state)
{
    uint8_t votes[2] = {choice == 0, choice == 1};
    struct voter *v = &t->v;
    enum vote_outcome out;

    if (!record_is_promotion(v->rec)) {
        snprintf(v->err, sizeof v->err, "this is not a yes/no promotion poll");
        return -1;
    }
    if (cli_secrets_open(&t->s, state, record_fingerprint(v->rec), v->err,
                         sizeof v->err) != 0)
        return -1;
    replace = replace || t->with_code;
    if (v->closed) {                        /* no ballot to build: one clear line */
        snprintf(v->err, sizeof v->err, "poll %.200s is closed: it takes no more ballots "
                 "(conclave result shows its result)", v->poll_id);
        return -1;
    }
    if (!replace && v->voted) {
        vote_already_voted(t);
        return -1;
    }
    out = replace ? vote_replace(t, votes) : vote_try(t, votes, NULL);
    if (out == VOTE_CAST && replace)
        printf("the replaced ballot's change code no longer works; --print-change-code "
               "shows the new one\n");
    if (out != VOTE_CAST)
        vote_explain(t, out);
    return out == VOTE_CAST ? 0 : -1;
}

/* Prints the change code of the ballot kept here for this poll, and what it is. */
static int vote_print_code(struct vote *t, const char *state)
{
    struct voter *v = &t->v;
    char code[CHANGE_CODE_LEN + 1], fp[65], name[404];

    if (cli_secrets_open(&t->s, state, record_fingerprint(v->rec), v->err,
                         sizeof v->err) != 0)
        return -1;
    if (t->s.nconfirmed == 0 && t->s.nunconf > 0) {
        snprintf(v->err, sizeof v->err, "the answer to your last ballot from here was lost, "
                 "so which kept secret is the counted ballot's is not known: change your vote "
                 "here with --replace first (it finds it), then print the code");
        return -1;
    }
    if (t->s.nconfirmed == 0) {
        snprintf(v->err, sizeof v->err, "no ballot of yours for poll %.200s is kept here "
                 "(%.400s)", v->poll_id, t->s.path);
        return -1;
    }
    cli_change_code_format(t->s.confirmed[0], code);
    crypto_hex_encode(fp, record_fingerprint(v->rec), 32);
    printf("%s\n\nThe change code of your ballot in Conclave poll %s (nominee: %s).\n"
           "Poll fingerprint: %s\n"
           "With it, \"Change my vote\" in a browser or conclave vote --change-code-file FILE\n"
           "replaces your ballot from any device until the poll closes. Keep it as secret as\n"
           "your vote: whoever has it can change this vote until the close and can recognise\n"
           "your ballot on the board. A new ballot gets a new code; this one then stops "
           "working.\n", code, v->poll_id, cli_clean(v->nominee, name, sizeof name), fp);
    sodium_memzero(code, sizeof code);
    return 0;
}

/* The change code of --change-code CODE or of the first line of
 * --change-code-file FILE ("-": stdin) into t->code_rho. 0 or -1 (v->err). */
static int vote_read_code(struct vote *t, const struct cli_opt *code, const struct cli_opt *file)
{
    char line[1024] = "";
    FILE *f = NULL;
    int rc = -1;

    if (code->set && file->set) {
        snprintf(t->v.err, sizeof t->v.err, "give --change-code or --change-code-file, not both");
        return -1;
    }
    if (file->set && (f = strcmp(file->value, "-") == 0 ? stdin : fopen(file->value, "r")) ==
                         NULL) {
        snprintf(t->v.err, sizeof t->v.err, "cannot read the change code file %.300s: %s",
                 file->value, strerror(errno));
        return -1;
    }
    if (f != NULL && fgets(line, sizeof line, f) == NULL)
        line[0] = '\0';
    if (f != NULL && f != stdin)
        fclose(f);
    if (cli_change_code_parse(code->set ? code->value : line, t->code_rho) == 0) {
        t->with_code = 1;
        rc = 0;
    } else {
        snprintf(t->v.err, sizeof t->v.err, "a change code is 64 hexadecimal digits, in 8 "
                 "groups of 8%s", file->set ? " (on the file's first line)" : "");
    }
    sodium_memzero(line, sizeof line);
    return rc;
}

int cli_vote_main(int argc, char **argv)
{
    struct cli_opt opts[] = {{"server", 1, 0, NULL}, {"token", 1, 0, NULL},
                             {"replace", 0, 0, NULL}, {"state", 1, 0, NULL},
                             {"token-file", 1, 0, NULL}, {"change-code", 1, 0, NULL},
                             {"change-code-file", 1, 0, NULL},
                             {"print-change-code", 0, 0, NULL}};
    struct cli_args a;
    struct vote *t;
    int choice = -1, print = 0, rc;

    if (cli_parse("vote", argc - 1, argv + 1, opts, 8, &a) != 0 || a.help || !opts[0].set)
        return cli_usage(vote_usage, a.help);
    print = opts[7].set;
    if (print && (a.npos != 1 || opts[2].set || opts[5].set || opts[6].set))
        return cli_usage(vote_usage, 0);
    if (!print && (a.npos != 2 || (choice = strcmp(a.pos[1], "yes") == 0 ? 0 :
                                            strcmp(a.pos[1], "no") == 0 ? 1 : -1) < 0))
        return cli_usage(vote_usage, 0);
    if ((t = calloc(1, sizeof *t)) == NULL)
        return cli_fail("vote", "out of memory");
    t->s.lock_fd = -1;
    rc = cli_voter_init(&t->v, opts[0].value, a.pos[0]) == 0 &&
         ((!opts[5].set && !opts[6].set) || vote_read_code(t, &opts[5], &opts[6]) == 0) &&
         cli_voter_token(&t->v, &opts[1], &opts[4], 1) == 0 && cli_voter_fetch(&t->v) == 0 &&
         (print ? vote_print_code(t, opts[3].value)
                : vote_run(t, choice, opts[2].set, opts[3].value)) == 0;
    rc = rc ? CLI_EXIT_OK : cli_fail("vote", t->v.err);
    cli_secrets_close(&t->s);
    cli_voter_free(&t->v);
    sodium_memzero(t, sizeof *t);
    free(t);
    return rc;
}
