/*
 * cli_trustee.c — `conclave trustee ...`: a trustee's side of a council's
 * key ceremony (PROTOCOL-threshold T2–T5), run on the trustee's own
 * machine against the server's bulletin board (api_council.c).
 *
 *   keygen   makes the identity key z_j (kept in the key file, never sent)
 *            and registers Z_j with its proof;
 *   show     prints the line to publish to the other trustees out of band;
 *   deal     checks the setup (against the published names and keys with
 *            --trustees), deals, keeps f_j(j), posts the dealing;
 *   verdict  checks every dealing, complains about bad shares, posts the
 *            verdict; once the ceremony is complete, computes x_j, checks it
 *            against X_j, rewrites the key file to its final form with z_j
 *            erased, and prints the ceremony digest to publish.
 *
 * Every secret (z_j, f_j(j), x_j) lives in the key file (0600) and in local
 * buffers wiped after use; the server gets only the public messages. Each
 * step writes the key file before it posts, so a lost answer is retried with
 * the same message (the server takes the same message again).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "cli_trustee_key.h"
#include "cli_trustee_setup.h"
#include "cli_voter.h"
#include "trustee.h"

static const char trustee_usage[] =
    "usage: conclave trustee COMMAND [options] COUNCIL\n"
    "  keygen --server URL COUNCIL   make this trustee's identity key (kept in the key\n"
    "                                file, never sent) and register its public half\n"
    "  show COUNCIL                  print the line to publish to the other trustees\n"
    "                                (name and identity key; after the ceremony: the\n"
    "                                ceremony digest and keys)\n"
    "  deal --server URL COUNCIL [--trustees FILE] [--wait]\n"
    "                                check the setup against FILE (the lines the trustees\n"
    "                                published: NAME IDENTITY_KEY, and optionally\n"
    "                                'threshold T'), then deal (round 1)\n"
    "  verdict --server URL COUNCIL [--wait]\n"
    "                                check the dealings and give the verdict (round 2);\n"
    "                                once the ceremony is complete, keep the key share,\n"
    "                                erase the identity key and print the ceremony digest\n"
    "                                to publish (run it again, or with --wait, until then)\n"
    "  decrypt --server URL POLL --roster FILE [--min-ballots N]\n"
    "                                after a poll sealed by the council closes: verify its\n"
    "                                board, check the rules a trustee must (T10), post\n"
    "                                this trustee's decryption shares (conclave trustee\n"
    "                                decrypt --help: the exit codes of its refusals)\n"
    "  watch --server URL --roster FILE [--min-ballots N] [--interval SECONDS]\n"
    "                                the same for every poll of the council, as it closes\n"
    "                                (a foreground agent, fit for a systemd user unit)\n"
    "--wait polls the server until the round opens (or the ceremony ends).\n"
    "--key FILE: the key file (default $XDG_CONFIG_HOME/conclave/trustee-COUNCIL.json,\n"
    "else ~/.config/conclave/...), mode 0600; one that others can read is refused.\n"
    VOTER_TOKEN_HELP;

/* One command's state. */
struct tr {
    const char *cmd;
    const char *council;
    struct voter v;
    char path[CLI_TRUSTEE_KEY_PATH_MAX];
    json_t *key;            /* the key file's object */
    json_t *view;           /* the council as the server showed it last */
    int wait;
};

static const char *const key_secrets[] = { "identity_secret", "own_share", "share", NULL };

static int tr_fail(struct tr *t, const char *msg)
{
    return cli_fail(t->cmd, msg);
}

static void tr_free(struct tr *t)
{
    cli_trustee_key_wipe_json(t->key, key_secrets);
    json_decref(t->key);
    json_decref(t->view);
    t->key = t->view = NULL;
    if (t->v.server != NULL)
        cli_voter_free(&t->v);
}

/* A council id as the server makes them: 1..64 of [A-Za-z0-9_-]. */
static int tr_id_ok(const char *id)
{
    size_t i, n = strlen(id);

    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)id[i]) && id[i] != '-' && id[i] != '_')
            return 0;
    return n >= 1 && n <= CLI_TRUSTEE_KEY_COUNCIL_MAX;
}

/* Reads the key file into t->key: 0, 1 (none), -1 (printed). */
static int tr_key_read(struct tr *t)
{
    char err[1024];
    int rc = cli_trustee_key_read(t->path, &t->key, err, sizeof err);

    if (rc < 0)
        tr_fail(t, err);
    return rc;
}

static int tr_key_write(struct tr *t)
{
    char err[1024];

    return cli_trustee_key_write(t->path, t->key, err, sizeof err) == 0 ? 0 : tr_fail(t, err);
}

static const char *tr_str(const json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

/* 32 bytes of hex member NAME of O into OUT: 0 or -1. */
static int tr_hex(const json_t *o, const char *name, unsigned char out[32])
{
    const char *s = tr_str(o, name);

    return s != NULL && strlen(s) == 64 && crypto_hex_decode(out, 32, s, 64) == 0 ? 0 : -1;
}

static void tr_set_hex(json_t *o, const char *name, const unsigned char b[32])
{
    char hex[65];

    crypto_hex_encode(hex, b, 32);
    json_object_set_new(o, name, json_string(hex));
    sodium_memzero(hex, sizeof hex);
}

/* GET the council into t->view. 0 or -1 (printed). */
static int tr_fetch(struct tr *t)
{
    struct cli_http_response r;
    char path[128];

    snprintf(path, sizeof path, "/api/v1/councils/%s", t->council);
    if (cli_voter_get(&t->v, path, &r) != 0)
        return tr_fail(t, t->v.err), -1;
    json_decref(t->view);
    t->view = json_loadb(r.body, r.len, JSON_REJECT_DUPLICATES, NULL);
    free(r.body);
    if (!json_is_object(t->view))
        return tr_fail(t, "the server's answer is not a council"), -1;
    return 0;
}

/* Fetches until the council leaves state WHILE (with --wait; else once). */
static int tr_fetch_past(struct tr *t, const char *while_state)
{
    for (;;) {
        if (tr_fetch(t) != 0)
            return -1;
        if (!t->wait || strcmp(tr_str(t->view, "state"), while_state) != 0)
            return 0;
        sleep(1);
    }
}

/* POSTs the message object MSG to /api/v1/councils/ID/WHAT; the answer
 * (the council) into t->view. 0 or -1 (printed). */
static int tr_post(struct tr *t, const char *what, const json_t *msg)
{
    struct cli_http_response r;
    char path[160], why[1024], line[1200];
    char *text = json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int rc;

    if (text == NULL)
        return tr_fail(t, "out of memory"), -1;
    snprintf(path, sizeof path, "/api/v1/councils/%s/%s", t->council, what);
    rc = cli_http_request(t->v.server, path, t->v.token, text, &r, t->v.err, sizeof t->v.err);
    free(text);
    if (rc != 0)
        return tr_fail(t, t->v.err), -1;
    if (r.status != 200 && r.status != 201) {
        snprintf(line, sizeof line, "the server refused the %s: %s", what,
                 cli_http_error(&r, why, sizeof why));
        free(r.body);
        return tr_fail(t, line), -1;
    }
    json_decref(t->view);
    t->view = json_loadb(r.body, r.len, JSON_REJECT_DUPLICATES, NULL);
    free(r.body);
    return json_is_object(t->view) ? 0 : (tr_fail(t, "the server's answer is not a council"), -1);
}

/* Parses the options shared by the commands into T. */
static int tr_start(struct tr *t, const char *cmd, int argc, char **argv, struct cli_opt *opts,
                    size_t n, int need_server)
{
    struct cli_args a;
    /* opts: 0 server, 1 token, 2 token-file, 3 key, then the command's own */
    memset(t, 0, sizeof *t);
    t->cmd = cmd;
    if (cli_parse(cmd, argc, argv, opts, n, &a) != 0 || a.help || a.npos != 1)
        return cli_usage(trustee_usage, a.help) == CLI_EXIT_OK ? 1 : 2;
    t->council = a.pos[0];
    if (!tr_id_ok(t->council))
        return tr_fail(t, "COUNCIL must be a council's id (letters, digits, - and _)"), -1;
    if (cli_trustee_key_path(opts[3].value, t->council, 1, t->path, sizeof t->path) != 0)
        return tr_fail(t, "no key file path: give --key FILE (HOME is not set)"), -1;
    if (!need_server)
        return 0;
    if (!opts[0].set)
        return fprintf(stderr, "conclave %s: --server URL is required\n", cmd),
               cli_usage(trustee_usage, 0), 2;
    if (cli_voter_init(&t->v, opts[0].value, t->council) != 0 ||
        cli_voter_token(&t->v, &opts[1], &opts[2], 1) != 0)
        return tr_fail(t, t->v.err), -1;
    return 0;
}

/* The exit status of tr_start's non-zero answers: 1 --help, 2 usage, -1 failure. */
static int tr_start_exit(int rc)
{
    return rc == 1 ? CLI_EXIT_OK : rc == 2 ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
}

#define TR_OPTS \
    { "server", 1, 0, NULL }, { "token", 1, 0, NULL }, { "token-file", 1, 0, NULL }, \
    { "key", 1, 0, NULL }

/* --- keygen ------------------------------------------------------------------------- */

/* A new identity key for trustee IDX named NAME, kept in the key file, and
 * its registration (T2) in *reg_out (new reference). 0 or -1 (printed). */
static int tr_make_identity(struct tr *t, uint32_t idx, const char *name, json_t **reg_out)
{
    struct crypto_rng rng = crypto_rng_system();
    struct trustee_identity id;
    struct ceremony_identity reg;
    char *text;
    size_t len;
    int rc = -1;

    if (trustee_identity_create(t->council, strlen(t->council), idx, name, strlen(name), &rng,
                                &id) != 0)
        return tr_fail(t, "cannot make an identity key"), -1;
    reg.name = name;
    reg.name_len = strlen(name);
    memcpy(reg.Z, id.Z, CRYPTO_BYTES);
    reg.pok = id.pok;
    text = ceremony_identity_serialize(&reg, 0, &len);
    *reg_out = text != NULL ? json_loads(text, JSON_PRESERVE_ORDER, NULL) : NULL;
    free(text);
    t->key = json_pack("{s:i, s:s, s:s, s:s, s:I, s:s}", "conclave_trustee_key", 1, "stage",
                       "registered", "server", t->v.server, "council", t->council, "index",
                       (json_int_t)idx, "name", name);
    if (*reg_out != NULL && t->key != NULL) {
        tr_set_hex(t->key, "identity_key", id.Z);
        tr_set_hex(t->key, "identity_secret", id.z);
        json_object_set(t->key, "registration", *reg_out);
        rc = tr_key_write(t) == 0 ? 0 : -1;
    } else {
        tr_fail(t, "out of memory");
    }
    trustee_identity_wipe(&id);
    return rc;
}

static int tr_keygen(int argc, char **argv)
{
    struct cli_opt opts[] = { TR_OPTS };
    const json_t *you, *who;
    json_t *reg = NULL;
    struct tr t;
    int rc = tr_start(&t, "trustee keygen", argc, argv, opts, 4, 1), exit = CLI_EXIT_FAIL;

    if (rc != 0)
        return tr_start_exit(rc);
    if ((rc = tr_key_read(&t)) < 0)
        goto out;
    if (rc == 0) {
        /* a retry: the same registration again, if that is all this file holds */
        if (strcmp(tr_str(t.key, "stage") ? tr_str(t.key, "stage") : "", "registered") != 0 ||
            (reg = json_incref(json_object_get(t.key, "registration"))) == NULL) {
            tr_fail(&t, "a key file for this council exists already: keygen runs once per "
                        "ceremony (each ceremony needs a fresh identity key)");
            goto out;
        }
    } else {
        if (tr_fetch(&t) != 0)
            goto out;
        you = json_object_get(t.view, "you");
        if (strcmp(tr_str(t.view, "state"), "registering") != 0) {
            tr_fail(&t, "the council does not take registrations any more (conclave council "
                        "show, or ask its admin)");
            goto out;
        }
        if (!json_is_integer(you) || json_integer_value(you) < 1) {
            tr_fail(&t, "you (the token's member) are not a trustee of this council");
            goto out;
        }
        who = json_array_get(json_object_get(t.view, "trustees"),
                             (size_t)json_integer_value(you) - 1);
        if (tr_str(who, "username") == NULL ||
            tr_make_identity(&t, (uint32_t)json_integer_value(you), tr_str(who, "username"),
                             &reg) != 0)
            goto out;
    }
    if (tr_post(&t, "registration", reg) != 0)
        goto out;
    fprintf(stderr, "conclave: registered as trustee %lld of council %s; the key file is %s.\n"
                    "Publish this line to the other trustees (e.g. a signed commit), and\n"
                    "collect theirs into a file for `conclave trustee deal --trustees FILE`:\n",
            (long long)json_integer_value(json_object_get(t.key, "index")), t.council, t.path);
    printf("%s %s\n", tr_str(t.key, "name"), tr_str(t.key, "identity_key"));
    exit = CLI_EXIT_OK;
out:
    json_decref(reg);
    tr_free(&t);
    return exit;
}

/* --- show --------------------------------------------------------------------------- */

static int tr_show(int argc, char **argv)
{
    struct cli_opt opts[] = { TR_OPTS };
    struct tr t;
    int rc = tr_start(&t, "trustee show", argc, argv, opts, 4, 0), exit = CLI_EXIT_FAIL;

    if (rc != 0)
        return tr_start_exit(rc);
    if ((rc = tr_key_read(&t)) != 0) {
        if (rc == 1)
            tr_fail(&t, "no key file for this council: run `conclave trustee keygen` first");
        goto out;
    }
    if (tr_str(t.key, "identity_key") != NULL && tr_str(t.key, "name") != NULL) {
        printf("%s %s\n", tr_str(t.key, "name"), tr_str(t.key, "identity_key"));
    } else if (tr_str(t.key, "ceremony_digest") != NULL) {
        printf("council %s\nindex %lld\nceremony_digest %s\ncouncil_key %s\n", t.council,
               (long long)json_integer_value(json_object_get(t.key, "index")),
               tr_str(t.key, "ceremony_digest"),
               tr_str(t.key, "council_key") ? tr_str(t.key, "council_key") : "-");
        if (tr_str(t.key, "verification_key") != NULL)
            printf("verification_key %s\n", tr_str(t.key, "verification_key"));
    } else {
        tr_fail(&t, "the key file holds neither an identity key nor a finished ceremony");
        goto out;
    }
    exit = CLI_EXIT_OK;
out:
    tr_free(&t);
    return exit;
}

/* --- deal --------------------------------------------------------------------------- */

/* The setup the server shows, checked (T2: every proof), as a ceremony. */
static struct ceremony *tr_setup(struct tr *t)
{
    struct ceremony *c = NULL;
    char *text = json_dumps(json_object_get(t->view, "setup"), JSON_COMPACT | JSON_PRESERVE_ORDER);
    enum proto_reason why;
    char msg[160];

    if (text == NULL) {
        tr_fail(t, "the server shows no setup");
        return NULL;
    }
    why = ceremony_setup_parse(text, strlen(text), &c);
    free(text);
    if (why != PROTO_OK) {
        snprintf(msg, sizeof msg, "the setup the server shows is invalid (%s): do not deal; "
                 "tell the other trustees", proto_reason_code(why));
        tr_fail(t, msg);
        return NULL;
    }
    return c;
}

/* 0 if C's id is our council and its trustee IDX is this key file's name
 * and identity key. */
static int tr_setup_is_ours(struct tr *t, const struct ceremony *c, uint32_t idx)
{
    unsigned char Z[32];
    const char *name = tr_str(t->key, "name"), *cname;
    size_t len, idlen;
    const char *id = ceremony_id(c, &idlen);

    cname = ceremony_trustee_name(c, idx, &len);
    if (idlen != strlen(t->council) || memcmp(id, t->council, idlen) != 0 || cname == NULL ||
        name == NULL || len != strlen(name) || memcmp(cname, name, len) != 0 ||
        tr_hex(t->key, "identity_key", Z) != 0 ||
        memcmp(ceremony_trustee_key(c, idx), Z, 32) != 0)
        return tr_fail(t, "the setup does not hold your own name and identity key at your "
                          "index: do not deal; tell the other trustees"), -1;
    return 0;
}

/* T3: deals under C, keeps f_j(j) and the dealing in the key file. */
static int tr_make_dealing(struct tr *t, const struct ceremony *c, uint32_t idx, json_t **out)
{
    struct crypto_rng rng = crypto_rng_system();
    struct ceremony_dealing *d = malloc(sizeof *d);
    unsigned char z[32], own[32];
    char *text = NULL;
    size_t len;
    int rc = -1;

    *out = NULL;
    if (d == NULL || tr_hex(t->key, "identity_secret", z) != 0) {
        tr_fail(t, d == NULL ? "out of memory" : "the key file holds no identity key");
        goto out;
    }
    if (trustee_deal(c, idx, z, &rng, d, own) != 0) {
        tr_fail(t, "cannot deal: the identity key is not the one the setup holds");
        goto out;
    }
    text = ceremony_dealing_serialize(d, 0, &len);
    if (text == NULL || (*out = json_loads(text, JSON_PRESERVE_ORDER, NULL)) == NULL) {
        tr_fail(t, "out of memory");
        goto out;
    }
    tr_set_hex(t->key, "own_share", own);
    tr_set_hex(t->key, "setup_digest", ceremony_setup_digest(c));
    json_object_set(t->key, "dealing", *out);
    json_object_set_new(t->key, "stage", json_string("dealt"));
    rc = tr_key_write(t);
out:
    sodium_memzero(z, sizeof z);
    sodium_memzero(own, sizeof own);
    free(text);
    free(d);
    return rc;
}

static int tr_deal(int argc, char **argv)
{
    struct cli_opt opts[] = { TR_OPTS, { "trustees", 1, 0, NULL }, { "wait", 0, 0, NULL } };
    struct ceremony *c = NULL;
    json_t *dealing = NULL;
    const char *stage;
    uint32_t idx;
    struct tr t;
    int rc = tr_start(&t, "trustee deal", argc, argv, opts, 6, 1), exit = CLI_EXIT_FAIL;

    if (rc != 0)
        return tr_start_exit(rc);
    t.wait = opts[5].set;
    if ((rc = tr_key_read(&t)) != 0) {
        if (rc == 1)
            tr_fail(&t, "no key file for this council: run `conclave trustee keygen` first");
        goto out;
    }
    stage = tr_str(t.key, "stage") ? tr_str(t.key, "stage") : "";
    idx = (uint32_t)json_integer_value(json_object_get(t.key, "index"));
    if (strcmp(stage, "dealt") == 0) {
        dealing = json_incref(json_object_get(t.key, "dealing"));  /* a retry */
    } else if (strcmp(stage, "registered") != 0) {
        tr_fail(&t, "this key file is past round 1");
        goto out;
    } else {
        if (tr_fetch_past(&t, "registering") != 0)
            goto out;
        if (strcmp(tr_str(t.view, "state"), "dealing") != 0) {
            tr_fail(&t, strcmp(tr_str(t.view, "state"), "registering") == 0
                        ? "round 1 has not opened: not every trustee has registered yet "
                          "(try again later, or with --wait)"
                        : "the council is past round 1 (conclave council show)");
            goto out;
        }
        if ((c = tr_setup(&t)) == NULL || tr_setup_is_ours(&t, c, idx) != 0)
            goto out;
        if (opts[4].set && cli_trustee_setup_check(c, opts[4].value, t.v.err, sizeof t.v.err) != 0) {
            tr_fail(&t, t.v.err);
            goto out;
        }
        if (!opts[4].set)
            cli_trustee_setup_print(c, stderr);
        if (tr_make_dealing(&t, c, idx, &dealing) != 0)
            goto out;
    }
    if (tr_post(&t, "dealings", dealing) != 0)
        goto out;
    fprintf(stderr, "conclave: dealing posted for council %s (round 1); next: `conclave trustee "
                    "verdict` once round 1 closes\n", t.council);
    exit = CLI_EXIT_OK;
out:
    ceremony_free(c);
    json_decref(dealing);
    tr_free(&t);
    return exit;
}

/* --- verdict and the end of the ceremony ---------------------------------------------- */

/* The council's frozen dealings added to the setup C and round 1 closed;
 * the dealings digest must be the server's. 0 or -1 (printed). */
static int tr_add_dealings(struct tr *t, struct ceremony *c)
{
    struct ceremony_dealing *d = malloc(sizeof *d);
    json_t *all = json_object_get(t->view, "dealings"), *one;
    unsigned char dd[32];
    size_t k;
    int rc = -1;

    if (d == NULL || !json_is_array(all))
        return free(d), tr_fail(t, "the server shows no dealings"), -1;
    json_array_foreach(all, k, one) {
        char *text = json_dumps(one, JSON_COMPACT | JSON_PRESERVE_ORDER);
        enum proto_reason why = text == NULL ? PROTO_INTERNAL
                                : ceremony_dealing_parse(c, text, strlen(text), d);
        free(text);
        if (why != PROTO_OK || ceremony_dealing_add(c, d) != PROTO_OK) {
            tr_fail(t, "a dealing on the board does not verify: post nothing, raise the alarm");
            goto out;
        }
    }
    if (ceremony_dealings_close(c) != 0 || tr_hex(t->view, "dealings_digest", dd) != 0 ||
        memcmp(dd, ceremony_dealings_digest(c), 32) != 0) {
        tr_fail(t, "the server's dealings digest is not the digest of its dealings");
        goto out;
    }
    rc = 0;
out:
    free(d);
    return rc;
}

/* T4: the verdict on the frozen dealings, kept in the key file. */
static int tr_make_verdict(struct tr *t, uint32_t idx, json_t **out)
{
    struct crypto_rng rng = crypto_rng_system();
    struct ceremony_dealing *own = malloc(sizeof *own);
    struct ceremony_verdict *v = malloc(sizeof *v);
    struct ceremony *c = NULL;
    unsigned char z[32], sd[32];
    char *text = NULL;
    size_t len;
    int rc = -1;

    *out = NULL;
    if (own == NULL || v == NULL || (c = tr_setup(t)) == NULL)
        goto out;
    if (tr_hex(t->key, "setup_digest", sd) != 0 || memcmp(sd, ceremony_setup_digest(c), 32) != 0) {
        tr_fail(t, "the setup changed since you dealt: post nothing, raise the alarm");
        goto out;
    }
    if (tr_add_dealings(t, c) != 0)
        goto out;
    text = json_dumps(json_object_get(t->key, "dealing"), JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text == NULL || ceremony_dealing_parse(c, text, strlen(text), own) != PROTO_OK ||
        tr_hex(t->key, "identity_secret", z) != 0) {
        tr_fail(t, "the key file's own dealing or identity key is unreadable");
        goto out;
    }
    free(text);
    text = NULL;
    if (trustee_verdict(c, idx, z, own, &rng, v) != PROTO_OK) {
        tr_fail(t, "your own dealing is not on the board as you posted it: post nothing, "
                   "raise the alarm with the other trustees");
        goto out;
    }
    if ((text = ceremony_verdict_serialize(v, 0, &len)) == NULL ||
        (*out = json_loads(text, JSON_PRESERVE_ORDER, NULL)) == NULL)
        goto out;
    json_object_set(t->key, "verdict", *out);
    json_object_set_new(t->key, "stage", json_string("judged"));
    if ((rc = tr_key_write(t)) == 0 && v->q > 0)
        fprintf(stderr, "conclave: %u dealer(s) sent you a bad share: your verdict complains "
                        "about them, so anyone can judge it\n", v->q);
out:
    sodium_memzero(z, sizeof z);
    ceremony_free(c);
    free(text);
    free(own);
    free(v);
    return rc;
}

/* A failed ceremony: the identity key is erased (it serves this ceremony
 * only) and the key file says why. */
static int tr_end_failed(struct tr *t)
{
    json_t *o = json_pack("{s:i, s:s, s:s, s:O, s:s}", "conclave_trustee_key", 1,
                          "server", t->v.server, "council", t->council, "index",
                          json_object_get(t->key, "index"), "failed",
                          tr_str(t->view, "failure") ? tr_str(t->view, "failure") : "failed");
    char msg[400];

    if (o == NULL)
        return tr_fail(t, "out of memory"), -1;
    cli_trustee_key_wipe_json(t->key, key_secrets);
    json_decref(t->key);
    t->key = o;
    if (tr_key_write(t) != 0)
        return -1;
    snprintf(msg, sizeof msg, "the ceremony failed (%s); your identity key is erased; the admin "
             "starts a new council", tr_str(o, "failed"));
    return tr_fail(t, msg), -1;
}

/* The final key file (cli_trustee_key.h) from a complete ceremony C. */
static json_t *tr_final(struct tr *t, const struct ceremony *c, uint32_t idx,
                        const unsigned char x[32])
{
    json_t *o = json_pack("{s:i, s:s, s:s, s:I}", "conclave_trustee_key", 1, "server",
                          t->v.server, "council", t->council, "index", (json_int_t)idx);

    if (o == NULL)
        return NULL;
    if (x != NULL) {
        tr_set_hex(o, "share", x);
        tr_set_hex(o, "verification_key", ceremony_verification_key(c, idx));
    }
    tr_set_hex(o, "ceremony_digest", ceremony_digest(c));
    tr_set_hex(o, "council_key", ceremony_council_key(c));
    return o;
}

/* T5: x_j from the complete transcript, checked against X_j; the key file
 * rewritten with z_j erased; the digest printed to publish. */
static int tr_finish(struct tr *t, uint32_t idx)
{
    char *text = json_dumps(json_object_get(t->view, "transcript"), JSON_COMPACT | JSON_PRESERVE_ORDER);
    unsigned char z[32], own[32], x[32], sd[32];
    struct ceremony *c = NULL;
    char where[128], hex[65];
    json_t *fin = NULL;
    int in_qual, rc = -1;

    if (text == NULL || ceremony_transcript_parse(text, strlen(text), &c, where, sizeof where)
                            != PROTO_OK) {
        tr_fail(t, "the transcript the server shows does not verify: raise the alarm");
        goto out;
    }
    if (tr_hex(t->key, "setup_digest", sd) != 0 || memcmp(sd, ceremony_setup_digest(c), 32) != 0) {
        tr_fail(t, "the transcript's setup is not the one you dealt under: raise the alarm");
        goto out;
    }
    in_qual = ceremony_in_qual(c, idx);
    if (tr_hex(t->key, "identity_secret", z) != 0 || tr_hex(t->key, "own_share", own) != 0 ||
        (in_qual && trustee_key_share(c, idx, z, own, x) != PROTO_OK)) {
        tr_fail(t, "your key share does not match your verification key: raise the alarm");
        goto out;
    }
    if ((fin = tr_final(t, c, idx, in_qual ? x : NULL)) == NULL)
        goto out;
    cli_trustee_key_wipe_json(t->key, key_secrets);
    json_decref(t->key);
    t->key = fin;                       /* z_j is erased with the old file (T2) */
    if (tr_key_write(t) != 0)
        goto out;
    crypto_hex_encode(hex, ceremony_digest(c), 32);
    fprintf(stderr, "conclave: the ceremony of council %s is complete; %s\n"
                    "Your identity key is erased; back up %s (it holds your key share).\n"
                    "Publish the ceremony digest below beside your identity key:\n",
            t->council, in_qual ? "you hold a key share" : "you are NOT in QUAL: you hold no key",
            t->path);
    printf("%s\n", hex);
    rc = 0;
out:
    sodium_memzero(z, sizeof z);
    sodium_memzero(own, sizeof own);
    sodium_memzero(x, sizeof x);
    ceremony_free(c);
    free(text);
    return rc;
}

/* After the verdict: finish if the ceremony is over, else say what is next. */
static int tr_after_verdict(struct tr *t, uint32_t idx)
{
    const char *state;

    if (tr_fetch_past(t, "verdicts") != 0)
        return -1;
    state = tr_str(t->view, "state");
    if (strcmp(state, "complete") == 0)
        return tr_finish(t, idx);
    if (strcmp(state, "failed") == 0)
        return tr_end_failed(t);
    fprintf(stderr, "conclave: your verdict is in; the ceremony ends when every dealer has "
                    "given one, or at %s. Run `conclave trustee verdict` again then (or with "
                    "--wait) to keep your key share\n",
            tr_str(t->view, "round_closes_at") ? tr_str(t->view, "round_closes_at") : "?");
    return 0;
}

static int tr_verdict(int argc, char **argv)
{
    struct cli_opt opts[] = { TR_OPTS, { "wait", 0, 0, NULL } };
    json_t *verdict = NULL;
    const char *stage, *state;
    uint32_t idx;
    struct tr t;
    int rc = tr_start(&t, "trustee verdict", argc, argv, opts, 5, 1), exit = CLI_EXIT_FAIL;

    if (rc != 0)
        return tr_start_exit(rc);
    t.wait = opts[4].set;
    if ((rc = tr_key_read(&t)) != 0) {
        if (rc == 1)
            tr_fail(&t, "no key file for this council: run `conclave trustee keygen` first");
        goto out;
    }
    stage = tr_str(t.key, "stage") ? tr_str(t.key, "stage") : "";
    idx = (uint32_t)json_integer_value(json_object_get(t.key, "index"));
    if (tr_str(t.key, "identity_secret") == NULL) {
        tr_fail(&t, tr_str(t.key, "ceremony_digest") ? "the ceremony is over: this key file is "
                "final (conclave trustee show)" : "the key file holds no identity key");
        goto out;
    }
    if (strcmp(stage, "registered") == 0) {
        tr_fail(&t, "you have not dealt: run `conclave trustee deal` first");
        goto out;
    }
    if (strcmp(stage, "dealt") == 0) {
        if (tr_fetch_past(&t, "dealing") != 0)
            goto out;
        state = tr_str(t.view, "state");
        if (strcmp(state, "failed") == 0) {
            tr_end_failed(&t);
            goto out;
        }
        if (strcmp(state, "verdicts") != 0) {
            tr_fail(&t, strcmp(state, "dealing") == 0
                        ? "round 1 is still open: not every trustee has dealt and its deadline "
                          "has not passed (try again later, or with --wait)"
                        : "the council is past round 2: your verdict can no longer be given");
            goto out;
        }
        if (tr_make_verdict(&t, idx, &verdict) != 0)
            goto out;
    } else if (strcmp(stage, "judged") == 0) {
        verdict = json_incref(json_object_get(t.key, "verdict"));     /* a retry */
    } else {
        tr_fail(&t, "the key file's stage is unknown");
        goto out;
    }
    if (tr_post(&t, "verdicts", verdict) != 0 && strcmp(stage, "judged") != 0)
        goto out;
    exit = tr_after_verdict(&t, idx) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
out:
    json_decref(verdict);
    tr_free(&t);
    return exit;
}

int cli_trustee_main(int argc, char **argv)
{
    cli_trustee_key_wipe_allocs();      /* before any JSON holds a secret */
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0)
        return cli_usage(trustee_usage, argc >= 2);
    if (strcmp(argv[1], "keygen") == 0)
        return tr_keygen(argc - 2, argv + 2);
    if (strcmp(argv[1], "show") == 0)
        return tr_show(argc - 2, argv + 2);
    if (strcmp(argv[1], "deal") == 0)
        return tr_deal(argc - 2, argv + 2);
    if (strcmp(argv[1], "verdict") == 0)
        return tr_verdict(argc - 2, argv + 2);
    if (strcmp(argv[1], "decrypt") == 0)            /* a poll's decryption: cli_decrypt.c */
        return cli_trustee_decrypt_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "watch") == 0)
        return cli_trustee_watch_main(argc - 1, argv + 1);
    fprintf(stderr, "conclave trustee: unknown command '%s'\n", argv[1]);
    return cli_usage(trustee_usage, 0);
}
