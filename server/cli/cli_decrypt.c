/*
 * cli_decrypt.c — a trustee's side of a poll's decryption
 * (PROTOCOL-threshold T7, T10): `conclave trustee decrypt --server URL POLL
 * --roster FILE` for one poll, and `conclave trustee watch --server URL
 * --roster FILE`, a foreground agent (fit for a systemd user unit) that
 * does the same for every poll of its council that enters `decrypting`.
 *
 * Before it computes a share it fetches the whole partial board and
 * verifies it (board.h: the ceremony against the digest in the key file,
 * the record, every ballot, the tally, the server's shares), then applies
 * every rule of T10: the clock past the deadline, the roll equal to the
 * roster it was given, at least --min-ballots ballots, and never two
 * tallies of one fingerprint (a list kept beside the key file, written
 * before the upload). Any rule broken: it refuses, says why, and exits
 * with that rule's own status. Nothing of the key share leaves this
 * process but the shares D_{j,o} = x_j·A_o with their proofs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "board.h"
#include "cli.h"
#include "cli_trustee_key.h"
#include "cli_voter.h"
#include "record_threshold.h"
#include "tally_threshold.h"

#define DECRYPT_USAGE_EXITS \
    "Exit status:\n" \
    "  0  shares posted, or nothing to do (already posted, result published,\n" \
    "     no ballot)\n" \
    "  1  failure (network, server error, unreadable key file or roster)\n" \
    "  2  usage error\n" \
    "  3  refused: the partial board does not verify, or its ceremony is not the\n" \
    "     one whose digest the key file holds\n" \
    "  4  refused: the poll's deadline has not passed (by this machine's clock,\n" \
    "     or the server says it is open)\n" \
    "  5  refused: the poll's roll is not the roster given (--roster)\n" \
    "  6  refused: fewer ballots than --min-ballots\n" \
    "  7  refused: another tally of this poll's fingerprint was decrypted already\n" \
    "     (the server showed two different sets of ballots: raise the alarm)\n" \
    "  8  refused: this key is not one of the poll's trustees (another council,\n" \
    "     outside QUAL, or a share that does not match its verification key)\n"

static const char decrypt_usage[] =
    "usage: conclave trustee decrypt --server URL POLL --roster FILE [--key FILE]\n"
    "                                [--min-ballots N] [--token-file FILE]\n"
    "\n"
    "Decrypts your part of a closed poll sealed by your council (PROTOCOL-threshold\n"
    "T7): fetches its partial board, verifies all of it, checks the rules a trustee\n"
    "must check (T10), and posts your decryption shares, or refuses and says why.\n"
    "  --roster FILE     the members who may vote, one username a line (as the\n"
    "                    council published them): the poll's roll must be exactly\n"
    "                    this list\n"
    "  --key FILE        your key file (default:\n"
    "                    $XDG_CONFIG_HOME/conclave/trustee-COUNCIL.json)\n"
    "  --min-ballots N   refuse a poll with fewer ballots (default 5): few ballots\n"
    "                    with their counts reveal votes\n"
    "The tallies you decrypted are listed in KEYFILE.tallies (fingerprint, ballots\n"
    "digest, ballots): publish each line out of band.\n"
    VOTER_TOKEN_HELP DECRYPT_USAGE_EXITS;

static const char watch_usage[] =
    "usage: conclave trustee watch --server URL --roster FILE [--key FILE]\n"
    "                              [--min-ballots N] [--interval SECONDS] [--token-file FILE]\n"
    "\n"
    "Runs in the foreground (fit for a systemd user unit) and acts as `conclave\n"
    "trustee decrypt` on every poll of your council that enters `decrypting`: one\n"
    "line on stdout per poll decrypted or refused (a refusal is not retried).\n"
    "Asks the server every --interval seconds (default 5). SIGINT or SIGTERM\n"
    "stop it (exit 0). --key defaults to the only trustee-*.json key file in\n"
    "$XDG_CONFIG_HOME/conclave. Options as for decrypt.\n"
    VOTER_TOKEN_HELP
    "Exit status: 0 stopped by a signal; 1 failure at start (key file, roster,\n"
    "server); 2 usage error.\n";

/* --- the key file (cli_trustee_key.h) ------------------------------------ */

/* The default key file of COUNCIL, or (council NULL) the only one there. */
static int key_default(const char *council, char *out, size_t cap, char *err, size_t ecap)
{
    char pattern[CLI_TRUSTEE_KEY_PATH_MAX];
    glob_t g;
    int rc = -1;

    if (cli_trustee_key_path(NULL, council != NULL ? council : "*", 0,
                             council != NULL ? out : pattern,
                             council != NULL ? cap : sizeof pattern) != 0) {
        snprintf(err, ecap, "no key file: give --key FILE (neither XDG_CONFIG_HOME nor HOME "
                 "is set)");
        return -1;
    }
    if (council != NULL)
        return 0;
    if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc == 1 && strlen(g.gl_pathv[0]) < cap) {
        memcpy(out, g.gl_pathv[0], strlen(g.gl_pathv[0]) + 1);
        rc = 0;
    } else {
        snprintf(err, ecap, "give --key FILE: not exactly one key file %.300s", pattern);
    }
    globfree(&g);
    return rc;
}

/* --- the roster (T10 rule 3) ---------------------------------------------- */

struct roster {
    char **names;           /* byte order */
    size_t n;
};

static void roster_free(struct roster *r)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        free(r->names[i]);
    free(r->names);
    memset(r, 0, sizeof *r);
}

static int roster_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One username a line; blank lines and lines starting with '#' are skipped,
 * a trailing CR dropped; nothing else is changed (the roll is compared byte
 * for byte). 0, or -1 with err. */
static int roster_load(const char *path, struct roster *r, char *err, size_t cap)
{
    FILE *f = fopen(path, "r");
    char line[4200];
    size_t cap_n = 0, len;
    char **grown;

    memset(r, 0, sizeof *r);
    if (f == NULL) {
        snprintf(err, cap, "cannot read the roster %.300s: %s", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        len = strcspn(line, "\r\n");
        line[len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        if (r->n == cap_n) {
            cap_n = cap_n ? 2 * cap_n : 64;
            if ((grown = realloc(r->names, cap_n * sizeof *grown)) == NULL)
                goto fail;
            r->names = grown;
        }
        if ((r->names[r->n] = strdup(line)) == NULL)
            goto fail;
        r->n++;
    }
    fclose(f);
    qsort(r->names, r->n, sizeof *r->names, roster_cmp);
    return 0;
fail:
    fclose(f);
    roster_free(r);
    snprintf(err, cap, "out of memory reading the roster");
    return -1;
}

/* 0 if the roll of REC is exactly R; else 1 with why (the first name that
 * differs each way and the counts). */
static int roster_compare(const struct record *rec, const struct roster *r, char *why,
                          size_t cap)
{
    uint32_t n = record_roll_count(rec), i = 0, extra = 0, missing = 0;
    size_t k = 0, len;
    char first_extra[128] = "", first_missing[128] = "";
    const char *e;
    int c;

    while (i < n || k < r->n) {
        e = i < n ? record_roll_entry(rec, i, &len) : NULL;
        c = e == NULL ? 1 : k >= r->n ? -1 : strcmp(e, r->names[k]);
        if (c == 0) {
            i++, k++;
        } else if (c < 0) {             /* on the roll, not in the roster */
            if (extra++ == 0)
                cli_clean(e, first_extra, sizeof first_extra);
            i++;
        } else {
            if (missing++ == 0)
                cli_clean(r->names[k], first_missing, sizeof first_missing);
            k++;
        }
    }
    if (extra == 0 && missing == 0)
        return 0;
    snprintf(why, cap, "refused: the poll's roll is not the roster: %u on the roll but not in the "
             "roster%s%s%s, %u in the roster but not on the roll%s%s%s", (unsigned)extra,
             extra ? " (first: " : "", first_extra, extra ? ")" : "", (unsigned)missing,
             missing ? " (first: " : "", first_missing, missing ? ")" : "");
    return 1;
}

/* --- the tallies decrypted (T10 rule 5) ----------------------------------- */

/* KEYFILE.tallies: one line "FINGERPRINT BALLOTS_DIGEST N POLL" per tally
 * decrypted. 0 if FP has no line or only lines with BD; 1 if a line gives
 * it another ballots digest; -1 on a read error. */
static int tallies_check(const char *path, const char *fp, const char *bd, char *other,
                         size_t cap)
{
    FILE *f = fopen(path, "r");
    char line[512], lfp[65], lbd[65];

    if (f == NULL)
        return errno == ENOENT ? 0 : -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "%64s %64s", lfp, lbd) != 2 || strcmp(lfp, fp) != 0)
            continue;
        if (strcmp(lbd, bd) != 0) {
            snprintf(other, cap, "%s", lbd);
            fclose(f);
            return 1;
        }
    }
    fclose(f);
    return 0;
}

/* Appends the line, durably, before any share leaves. 0 or -1. */
static int tallies_add(const char *path, const char *line)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    size_t len = strlen(line);
    int rc;

    if (fd < 0)
        return -1;
    rc = write(fd, line, len) == (ssize_t)len && fsync(fd) == 0 ? 0 : -1;
    close(fd);
    return rc;
}

/* --- one poll ------------------------------------------------------------- */

enum {
    DX_OK = 0, DX_FAIL = 1, DX_USAGE = 2, DX_BOARD = 3, DX_EARLY = 4, DX_ROSTER = 5,
    DX_FEW = 6, DX_TWICE = 7, DX_KEY = 8
};

struct decrypt_run {
    struct voter v;                     /* the server, the token */
    struct cli_trustee_key key;
    struct roster roster;
    uint32_t min_ballots;
    char tallies[CLI_TRUSTEE_KEY_PATH_MAX + 16];   /* KEYFILE.tallies */
    char msg[1400];                     /* what happened, one line */
};

static int poll_id_ok(const char *id)
{
    size_t n = strlen(id), i;

    for (i = 0; i < n; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'z') ||
              (id[i] >= 'A' && id[i] <= 'Z') || id[i] == '-' || id[i] == '_'))
            return 0;
    return n > 0 && n <= 64;
}

/* The "code" of an error answer into buf ("" if none). */
static const char *answer_code(const struct cli_http_response *resp, char *buf, size_t cap)
{
    json_t *j = resp->body ? json_loads(resp->body, 0, NULL) : NULL;
    const char *code = json_string_value(json_object_get(json_object_get(j, "error"), "code"));

    snprintf(buf, cap, "%s", code ? code : "");
    json_decref(j);
    return buf;
}

/* What it did with POLL, one line: prefixed "poll ID: " unless it says so. */
static void say(FILE *f, const char *poll, const char *text)
{
    char msg[1400];

    cli_clean(text, msg, sizeof msg);       /* it may quote the server */
    if (strncmp(msg, "poll ", 5) == 0)
        fprintf(f, "%s\n", msg);
    else
        fprintf(f, "poll %s: %s\n", poll, msg);
    fflush(f);
}

/* GET the poll's board into *resp: DX_OK, DX_EARLY (open), DX_FAIL. */
static int run_fetch(struct decrypt_run *r, const char *poll, struct cli_http_response *resp)
{
    char path[160], err[512], code[128], why[600];

    snprintf(path, sizeof path, "/api/v1/polls/%s/board", poll);
    if (cli_http_request(r->v.server, path, r->v.token, NULL, resp, err, sizeof err) != 0) {
        snprintf(r->msg, sizeof r->msg, "%s", err);
        return DX_FAIL;
    }
    if (resp->status == 200)
        return DX_OK;
    answer_code(resp, code, sizeof code);
    if (resp->status == 409 && strcmp(code, "poll_open") == 0) {
        snprintf(r->msg, sizeof r->msg, "refused: poll %s is still open (the server says so): "
                 "no share before the deadline", poll);
        return DX_EARLY;
    }
    snprintf(r->msg, sizeof r->msg, "cannot fetch the board of poll %s: %s", poll,
             cli_http_error(resp, why, sizeof why));
    return DX_FAIL;
}

/* T10 rule 1 beyond the board's own checks: this key is trustee j of it. */
static int run_rule_key(struct decrypt_run *r, const struct record *rec)
{
    const struct record_threshold *th = record_threshold(rec);
    const unsigned char *X;
    size_t len;
    const char *cer = record_threshold_ceremony(th, &len);

    if (len != strlen(r->key.council) || memcmp(cer, r->key.council, len) != 0) {
        snprintf(r->msg, sizeof r->msg, "refused: the poll is sealed by another council than "
                 "this key's (%s)", r->key.council);
        return DX_KEY;
    }
    X = record_threshold_key_of(th, r->key.index);
    if (X == NULL || sodium_memcmp(X, r->key.verification_key, CRYPTO_BYTES) != 0) {
        snprintf(r->msg, sizeof r->msg, "refused: trustee %u is not in the poll's qualified "
                 "set with this key's verification key", (unsigned)r->key.index);
        return DX_KEY;
    }
    return DX_OK;
}

/* T10 rule 2: this machine's clock at or past closes_at. */
static int run_rule_clock(struct decrypt_run *r, const struct record *rec)
{
    struct tm tm;
    const char *s = record_closes_at(rec);
    time_t closes = (time_t)-1;
    char z = 0;

    memset(&tm, 0, sizeof tm);
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) == 7 && z == 'Z') {
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        closes = timegm(&tm);
    }
    if (closes == (time_t)-1 || time(NULL) < closes) {
        snprintf(r->msg, sizeof r->msg, "refused: the poll closes at %s by its record, and "
                 "this machine's clock has not reached it: a share now would decrypt an "
                 "interim count", s);
        return DX_EARLY;
    }
    return DX_OK;
}

/* T10 rule 5: never two tallies of one fingerprint; the line is kept (and
 * printed for publication) before the shares leave. */
static int run_rule_once(struct decrypt_run *r, const char *poll, const struct board_kept *k,
                         uint32_t n)
{
    char fp[65], bd[65], other[65], line[256];
    int seen;

    sodium_bin2hex(fp, sizeof fp, record_fingerprint(k->rec), CRYPTO_BYTES);
    sodium_bin2hex(bd, sizeof bd, k->ballots_digest, CRYPTO_BYTES);
    if ((seen = tallies_check(r->tallies, fp, bd, other, sizeof other)) < 0) {
        snprintf(r->msg, sizeof r->msg, "cannot read %.1000s", r->tallies);
        return DX_FAIL;
    }
    if (seen) {
        snprintf(r->msg, sizeof r->msg, "refused: you decrypted another tally of this poll's "
                 "fingerprint %s (ballots digest %s, now %s): the server showed two sets of "
                 "ballots; publish both and raise the alarm", fp, other, bd);
        return DX_TWICE;
    }
    snprintf(line, sizeof line, "%s %s %u %s\n", fp, bd, (unsigned)n, poll);
    if (tallies_add(r->tallies, line) != 0) {
        snprintf(r->msg, sizeof r->msg, "cannot write %.1000s: no share sent", r->tallies);
        return DX_FAIL;
    }
    printf("poll %s: publish out of band: fingerprint %s ballots_digest %s ballots %u\n",
           poll, fp, bd, (unsigned)n);
    return DX_OK;
}

/* T10 rules 1 (the key's part) to 5, on a verified partial board. */
static int run_rules(struct decrypt_run *r, const char *poll, const struct board_report *rep,
                     const struct board_kept *k)
{
    uint32_t i;
    int rc;

    if ((rc = run_rule_key(r, k->rec)) != DX_OK || (rc = run_rule_clock(r, k->rec)) != DX_OK)
        return rc;
    if (roster_compare(k->rec, &r->roster, r->msg, sizeof r->msg) != 0)
        return DX_ROSTER;
    if (rep->ballots < r->min_ballots) {
        snprintf(r->msg, sizeof r->msg, "refused: %u ballots, fewer than --min-ballots %u: "
                 "the counts would reveal votes", (unsigned)rep->ballots,
                 (unsigned)r->min_ballots);
        return DX_FEW;
    }
    for (i = 0; i < rep->holders_present; i++)
        if (rep->present[i] == r->key.index) {
            snprintf(r->msg, sizeof r->msg, "poll %s: your shares are on the board already",
                     poll);
            return -1;              /* nothing to do */
        }
    return run_rule_once(r, poll, k, rep->ballots);
}

/* Makes and posts the shares (T7). DX_OK or DX_FAIL. */
static int run_post(struct decrypt_run *r, const char *poll, const struct board_kept *k)
{
    struct proof_share shares[PROTO_MAX_OPTIONS];
    struct crypto_rng rng = crypto_rng_system();
    struct cli_http_response resp = {0, NULL, 0};
    char path[160], err[512], code[128], why[600], *entry = NULL;
    json_t *ans = NULL;
    size_t len;
    int rc = DX_FAIL;

    if (tally_threshold_shares_create(k->rec, r->key.index, r->key.share, k->tally, &rng,
                                      shares) != 0 ||
        (entry = tally_threshold_entry_serialize(r->key.index, shares,
                                                 record_option_count(k->rec), 0, &len)) == NULL) {
        snprintf(r->msg, sizeof r->msg, "cannot compute the shares");
        return DX_FAIL;
    }
    snprintf(path, sizeof path, "/api/v1/polls/%s/decryptions", poll);
    if (cli_http_request(r->v.server, path, r->v.token, entry, &resp, err, sizeof err) != 0) {
        snprintf(r->msg, sizeof r->msg, "%s", err);
        goto out;
    }
    answer_code(&resp, code, sizeof code);
    if (resp.status == 201 && (ans = json_loads(resp.body, 0, NULL)) != NULL) {
        snprintf(r->msg, sizeof r->msg, "poll %s: trustee %u's shares posted (%lld of %lld "
                 "trustees in)%s", poll, (unsigned)r->key.index,
                 (long long)json_integer_value(json_object_get(ans, "trustees_in")),
                 (long long)json_integer_value(json_object_get(ans, "trustees_needed")),
                 json_is_true(json_object_get(ans, "published")) ? "; result published" : "");
        rc = DX_OK;
    } else if (resp.status == 409 && (strcmp(code, "already_decrypted") == 0 ||
                                      strcmp(code, "result_published") == 0)) {
        snprintf(r->msg, sizeof r->msg, "poll %s: nothing to do (%s)", poll, code);
        rc = DX_OK;
    } else {
        snprintf(r->msg, sizeof r->msg, "poll %s: the server refused the shares: %s", poll,
                 cli_http_error(&resp, why, sizeof why));
    }
out:
    json_decref(ans);
    free(resp.body);
    free(entry);
    return rc;
}

/* The whole of `decrypt` for one poll: r->msg says what happened. */
static int decrypt_poll(struct decrypt_run *r, const char *poll)
{
    struct cli_http_response resp = {0, NULL, 0};
    struct board_trust trust = {NULL, r->key.ceremony_digest};
    struct board_report rep;
    struct board_kept kept;
    int rc;

    memset(&kept, 0, sizeof kept);
    if (!poll_id_ok(poll)) {
        snprintf(r->msg, sizeof r->msg, "not a poll id");
        return DX_USAGE;
    }
    if ((rc = run_fetch(r, poll, &resp)) != DX_OK)
        goto out;
    /* T10 rule 1: the whole partial board, its ceremony against the key's digest */
    rc = DX_BOARD;
    if (board_verify_keep(resp.body, resp.len, &trust, 0, &rep, &kept) != PROTO_OK) {
        snprintf(r->msg, sizeof r->msg, "refused: the board of poll %s does not verify: %s: %s%s",
                 poll, rep.where, proto_reason_code(rep.reason),
                 rep.reason == PROTO_CEREMONY ? " (not the ceremony of your key's digest)" : "");
    } else if (!rep.threshold) {
        snprintf(r->msg, sizeof r->msg, "refused: poll %s is sealed by the server only", poll);
    } else if (!rep.partial) {
        snprintf(r->msg, sizeof r->msg, "poll %s: the result is published already", poll);
        rc = DX_OK;
    } else if (rep.ballots == 0) {
        snprintf(r->msg, sizeof r->msg, "poll %s: no ballot, nothing to decrypt", poll);
        rc = DX_OK;
    } else if ((rc = run_rules(r, poll, &rep, &kept)) == DX_OK) {
        rc = run_post(r, poll, &kept);
    } else if (rc < 0) {
        rc = DX_OK;
    }
out:
    board_kept_free(&kept);
    free(resp.body);
    return rc;
}

/* --- the commands --------------------------------------------------------- */

enum { OPT_SERVER, OPT_ROSTER, OPT_KEY, OPT_MIN, OPT_TOKEN, OPT_TOKEN_FILE, OPT_INTERVAL,
       OPT_COUNT };

/* The council sealing POLL, from the poll's view (GET /api/v1/polls/POLL). */
static int poll_council_of(struct decrypt_run *r, const char *poll, char *out, size_t cap)
{
    struct cli_http_response resp = {0, NULL, 0};
    char path[160];
    json_t *v = NULL;
    const char *c;
    int rc = -1;

    snprintf(path, sizeof path, "/api/v1/polls/%s", poll);
    if (cli_voter_get(&r->v, path, &resp) != 0) {
        snprintf(r->msg, sizeof r->msg, "%s", r->v.err);
        return -1;
    }
    v = json_loads(resp.body, 0, NULL);
    c = json_string_value(json_object_get(json_object_get(v, "sealed_by"), "council"));
    if (c != NULL && strlen(c) < cap && poll_id_ok(c)) {
        memcpy(out, c, strlen(c) + 1);
        rc = 0;
    } else {
        snprintf(r->msg, sizeof r->msg, "poll %s is sealed by the server only: no trustee "
                 "decrypts it", poll);
    }
    json_decref(v);
    free(resp.body);
    return rc;
}

/* Options, token, key file, roster. POLL (NULL for watch) names the council
 * of the default key file. 0, or -1 with r->msg. */
static int run_setup(struct decrypt_run *r, struct cli_opt *o, const char *poll)
{
    char council[64], path[CLI_TRUSTEE_KEY_PATH_MAX], *end;
    unsigned long v = 5;

    if (o[OPT_MIN].set && ((v = strtoul(o[OPT_MIN].value, &end, 10)) > 1000000 ||
                           *end != '\0' || o[OPT_MIN].value[0] == '\0')) {
        snprintf(r->msg, sizeof r->msg, "--min-ballots wants a number");
        return -1;
    }
    r->min_ballots = (uint32_t)v;
    if (cli_voter_init(&r->v, o[OPT_SERVER].value, poll) != 0 ||
        cli_voter_token(&r->v, &o[OPT_TOKEN], &o[OPT_TOKEN_FILE], 1) != 0) {
        snprintf(r->msg, sizeof r->msg, "%s", r->v.err);
        return -1;
    }
    if (o[OPT_KEY].set) {
        snprintf(path, sizeof path, "%s", o[OPT_KEY].value);
    } else if (poll != NULL ? poll_council_of(r, poll, council, sizeof council) != 0 ||
                              key_default(council, path, sizeof path, r->msg, sizeof r->msg) != 0
                            : key_default(NULL, path, sizeof path, r->msg, sizeof r->msg) != 0) {
        return -1;
    }
    if (cli_trustee_key_load(path, &r->key) != 0) {
        snprintf(r->msg, sizeof r->msg, "%s", r->key.err);
        return -1;
    }
    if (roster_load(o[OPT_ROSTER].value, &r->roster, r->msg, sizeof r->msg) != 0)
        return -1;
    snprintf(r->tallies, sizeof r->tallies, "%s.tallies", path);
    return 0;
}

static void run_free(struct decrypt_run *r)
{
    cli_trustee_key_wipe(&r->key);
    roster_free(&r->roster);
    cli_voter_free(&r->v);
}

static int run_parse(const char *cmd, int argc, char **argv, struct cli_opt *o, size_t n,
                     struct cli_args *a)
{
    return cli_parse(cmd, argc - 1, argv + 1, o, n, a);
}

int cli_trustee_decrypt_main(int argc, char **argv)
{
    struct cli_opt o[OPT_COUNT] = {{"server", 1, 0, NULL}, {"roster", 1, 0, NULL},
                                   {"key", 1, 0, NULL}, {"min-ballots", 1, 0, NULL},
                                   {"token", 1, 0, NULL}, {"token-file", 1, 0, NULL},
                                   {"interval", 1, 0, NULL}};
    struct decrypt_run r;
    struct cli_args a;
    int rc;

    memset(&r, 0, sizeof r);
    if (run_parse("trustee decrypt", argc, argv, o, OPT_COUNT - 1, &a) != 0 || a.help ||
        a.npos != 1 || !o[OPT_SERVER].set || !o[OPT_ROSTER].set)
        return cli_usage(decrypt_usage, a.help);
    if (crypto_init() != 0 || run_setup(&r, o, a.pos[0]) != 0) {
        rc = cli_fail("trustee decrypt", r.msg);
    } else {
        rc = decrypt_poll(&r, a.pos[0]);
        if (rc == DX_OK) {
            say(stdout, a.pos[0], r.msg);
        } else {
            fprintf(stderr, "conclave trustee decrypt: ");
            say(stderr, a.pos[0], r.msg);
        }
    }
    run_free(&r);
    return rc;
}

/* --- watch ---------------------------------------------------------------- */

#define WATCH_DONE_MAX 4096

static volatile sig_atomic_t watch_stop;

static void watch_signal(int sig)
{
    (void)sig;
    watch_stop = 1;
}

struct watch_state {
    char (*done)[65];                   /* polls decrypted or refused */
    size_t ndone;
};

static int watch_done(const struct watch_state *w, const char *id)
{
    size_t i;

    for (i = 0; i < w->ndone; i++)
        if (strcmp(w->done[i], id) == 0)
            return 1;
    return 0;
}

/* Whether an entry of GET /api/v1/decryptions (a poll waiting for its
 * trustees) waits for this trustee's shares. */
static int watch_wants(const struct decrypt_run *r, json_t *poll)
{
    const char *council = json_string_value(json_object_get(poll, "council"));
    json_t *t;
    size_t i;

    if (council == NULL || strcmp(council, r->key.council) != 0)
        return 0;
    json_array_foreach(json_object_get(poll, "trustees"), i, t)
        if (json_integer_value(json_object_get(t, "index")) == (json_int_t)r->key.index)
            return !json_is_true(json_object_get(t, "decrypted"));
    return 0;
}

/* One look at the server: the light list of the polls waiting for this
 * key's council (GET /api/v1/decryptions, no record, no board); the whole
 * board is fetched only for a poll that waits for us, and acted on. */
static void watch_round(struct decrypt_run *r, struct watch_state *w)
{
    struct cli_http_response resp = {0, NULL, 0};
    char path[128];
    json_t *v, *p;
    const char *id;
    size_t i;
    int rc;

    snprintf(path, sizeof path, "/api/v1/decryptions?council=%s", r->key.council);
    if (cli_voter_get(&r->v, path, &resp) != 0) {
        fprintf(stderr, "conclave trustee watch: %s (trying again)\n", r->v.err);
        return;
    }
    v = json_loads(resp.body, 0, NULL);
    free(resp.body);
    json_array_foreach(json_object_get(v, "decryptions"), i, p) {
        id = json_string_value(json_object_get(p, "id"));
        if (watch_stop || id == NULL || !poll_id_ok(id) || watch_done(w, id) ||
            !watch_wants(r, p))
            continue;
        rc = decrypt_poll(r, id);
        say(stdout, id, r->msg);
        /* a refusal is final for this poll; a failure is retried next round */
        if (rc != DX_FAIL && w->ndone < WATCH_DONE_MAX)
            snprintf(w->done[w->ndone++], 65, "%s", id);
    }
    json_decref(v);
}

static void watch_sleep(unsigned seconds)
{
    struct timespec ts = {0, 100 * 1000000L};
    unsigned i;

    for (i = 0; i < seconds * 10 && !watch_stop; i++)
        nanosleep(&ts, NULL);
}

int cli_trustee_watch_main(int argc, char **argv)
{
    struct cli_opt o[OPT_COUNT] = {{"server", 1, 0, NULL}, {"roster", 1, 0, NULL},
                                   {"key", 1, 0, NULL}, {"min-ballots", 1, 0, NULL},
                                   {"token", 1, 0, NULL}, {"token-file", 1, 0, NULL},
                                   {"interval", 1, 0, NULL}};
    struct watch_state w = {NULL, 0};
    struct sigaction sa;
    struct decrypt_run r;
    struct cli_args a;
    unsigned long interval = 5;
    char *end;

    memset(&r, 0, sizeof r);
    if (run_parse("trustee watch", argc, argv, o, OPT_COUNT, &a) != 0 || a.help ||
        a.npos != 0 || !o[OPT_SERVER].set || !o[OPT_ROSTER].set ||
        (o[OPT_INTERVAL].set && ((interval = strtoul(o[OPT_INTERVAL].value, &end, 10)) < 1 ||
                                 interval > 3600 || *end != '\0')))
        return cli_usage(watch_usage, a.help);
    if (crypto_init() != 0)
        snprintf(r.msg, sizeof r.msg, "cannot initialise libsodium");
    else if (run_setup(&r, o, NULL) == 0 && !poll_id_ok(r.key.council))
        snprintf(r.msg, sizeof r.msg, "the key file's council id is malformed");
    if (r.msg[0] || (w.done = calloc(WATCH_DONE_MAX, sizeof *w.done)) == NULL) {
        int rc = cli_fail("trustee watch", r.msg);
        run_free(&r);
        return rc;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = watch_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    printf("watching %s for council %s as trustee %u\n", r.v.server, r.key.council,
           (unsigned)r.key.index);
    fflush(stdout);
    while (!watch_stop) {
        watch_round(&r, &w);
        watch_sleep((unsigned)interval);
    }
    free(w.done);
    run_free(&r);
    return 0;
}
