/*
 * poll_decrypt.c — a poll sealed by a council of trustees, from its opening
 * to its result (PROTOCOL-threshold T6-T7) on the server's side.
 *
 * At the opening the record names the council (T6) and the server keeps a
 * fresh x_0 (holder 0) as for any poll. At the deadline the poll closes into
 * `decrypting`: the server publishes its own shares D_{0,o} = x_0·A_o with
 * the partial board, and waits. Each trustee posts its entry; the server
 * checks it against the aggregate, keeps it and republishes the partial
 * board with the shares present. With its own and t trustees' shares in, it
 * combines them (T7), signs the result as in v1, publishes the final board
 * and erases x_0, in one transaction; the page history is then compacted
 * (store_durable.h), as after any close.
 *
 * The aggregate is O(N) to sum from the ballots; the one the close made is
 * kept in memory (decrypt_cache) until the result, so a trustee's post
 * costs no more than its shares' check (and after a restart, one sum).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <sodium.h>

#include "board.h"
#include "board_stream.h"
#include "ceremony.h"
#include "log.h"
#include "poll_decrypt.h"
#include "poll_close.h"
#include "poll_result.h"
#include "store_council.h"
#include "store_decrypt.h"
#include "store_durable.h"
#include "tally_threshold.h"

/* --- the council ---------------------------------------------------------- */

/* A council's complete ceremony from its stored transcript. 0 or -1. */
static int decrypt_ceremony(struct store *st, const char *council, struct ceremony **cer)
{
    struct store_council c;
    char where[96] = "";
    enum proto_reason r = PROTO_INTERNAL;

    *cer = NULL;
    if (store_council_get(st, council, &c) != 0)
        return -1;
    if (c.transcript != NULL)
        r = ceremony_transcript_parse(c.transcript, strlen(c.transcript), cer, where,
                                      sizeof where);
    store_council_clear(&c);
    if (r != PROTO_OK) {
        log_error("council %s: transcript does not check (%s at %s)", council,
                  proto_reason_code(r), where);
        return -1;
    }
    return 0;
}

int poll_council_current(struct store *st, struct poll_council *out)
{
    char *id = NULL, *text = NULL;
    char where[96] = "";
    size_t len = 0;
    enum proto_reason r;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = store_council_current(st, &id, &text, &len)) != 0)
        return rc == CV_NOT_FOUND ? 1 : -1;
    rc = -1;
    if (strlen(id) >= sizeof out->id)
        goto out;
    memcpy(out->id, id, strlen(id) + 1);
    r = ceremony_transcript_parse(text, len, &out->cer, where, sizeof where);
    if (r == PROTO_OK)
        r = record_council_of(out->cer, &out->council, out->trustees);
    if (r != PROTO_OK) {
        log_error("council %s: transcript does not check (%s at %s)", id,
                  proto_reason_code(r), where);
        goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        poll_council_free(out);
    free(id);
    free(text);
    return rc;
}

void poll_council_free(struct poll_council *pc)
{
    ceremony_free(pc->cer);
    memset(pc, 0, sizeof *pc);
}

struct trustee_find {
    const char *username;
    uint32_t idx;
};

static int trustee_match(void *ctx, const struct store_council_trustee *tr)
{
    struct trustee_find *f = ctx;

    if (strcasecmp(tr->username, f->username) != 0)
        return 0;
    f->idx = tr->idx;
    return 1;
}

/* USERNAME's index in COUNCIL, or 0 if it is none of its trustees. -1. */
static int decrypt_trustee_index(struct store *st, const char *council, const char *username,
                                 uint32_t *j)
{
    struct trustee_find f = {username, 0};
    int rc = store_council_trustees(st, council, trustee_match, &f);

    *j = f.idx;
    return rc < 0 ? -1 : 0;
}

/* --- the aggregate kept from the close ------------------------------------ */

#define DECRYPT_CACHE 4

static struct {
    char id[STORE_POLL_ID_MAX + 1];
    struct tally *tally;
} decrypt_cache[DECRYPT_CACHE];
static unsigned decrypt_cache_next;
static pthread_mutex_t decrypt_cache_mu = PTHREAD_MUTEX_INITIALIZER;

static struct tally *tally_copy(const struct tally *t)
{
    struct tally *c = tally_new(tally_option_count(t));

    if (c != NULL && tally_merge(c, t) != 0) {
        tally_free(c);
        c = NULL;
    }
    return c;
}

/* A copy of poll ID's kept aggregate, or NULL. */
static struct tally *decrypt_cache_get(const char *id)
{
    struct tally *t = NULL;
    unsigned i;

    pthread_mutex_lock(&decrypt_cache_mu);
    for (i = 0; i < DECRYPT_CACHE && t == NULL; i++)
        if (decrypt_cache[i].tally != NULL && strcmp(decrypt_cache[i].id, id) == 0)
            t = tally_copy(decrypt_cache[i].tally);
    pthread_mutex_unlock(&decrypt_cache_mu);
    return t;
}

/* Keeps a copy of T for poll ID (T NULL: forgets ID's). */
static void decrypt_cache_put(const char *id, const struct tally *t)
{
    unsigned i, slot = DECRYPT_CACHE;

    pthread_mutex_lock(&decrypt_cache_mu);
    for (i = 0; i < DECRYPT_CACHE; i++)
        if (decrypt_cache[i].tally != NULL && strcmp(decrypt_cache[i].id, id) == 0) {
            tally_free(decrypt_cache[i].tally);
            decrypt_cache[i].tally = NULL;
            slot = i;
        }
    if (t != NULL) {
        if (slot == DECRYPT_CACHE) {
            slot = decrypt_cache_next++ % DECRYPT_CACHE;
            tally_free(decrypt_cache[slot].tally);
        }
        snprintf(decrypt_cache[slot].id, sizeof decrypt_cache[slot].id, "%s", id);
        decrypt_cache[slot].tally = tally_copy(t);
    }
    pthread_mutex_unlock(&decrypt_cache_mu);
}

/* --- boards --------------------------------------------------------------- */

/* Stores the board for cs with the entries DEC (NDEC) and RES (NULL: the
 * partial board): the poll's first state change (BEGIN_ENTRY, the server's
 * entry: into `decrypting`), a new partial board, or the result. */
struct decrypt_store {
    const char *id;
    const char *begin_entry;            /* store_decrypt_begin */
    const char *result;                 /* store_decrypt_publish */
};

static int decrypt_board_store(struct store *st, const struct close_state *cs,
                               const struct ceremony *cer, const struct board_decryption *dec,
                               size_t ndec, const struct tally_result *res,
                               const struct decrypt_store *how)
{
    const struct ballot *first[1] = {cs->first};
    char *board, *frame = NULL;
    size_t len, frame_len, split = 0;
    long at = -1;
    int rc = -1;

    board = board_build_threshold(cs->rec, cer, first, cs->n > 0 ? 1 : 0, cs->tally, dec, ndec,
                                  res, &len);
    if (board == NULL)
        goto out;
    if (cs->n > 0) {
        if (board_frame_make(board, len, &frame, &frame_len, &split) != 0)
            goto out;
        at = (long)split;
    }
    if (how->begin_entry != NULL)
        rc = store_decrypt_begin(st, how->id, frame ? frame : board, at, how->begin_entry);
    else if (how->result != NULL && cs->n == 0)
        rc = store_poll_finish(st, how->id, how->result, board, -1);
    else if (how->result != NULL)
        rc = store_decrypt_publish(st, how->id, how->result, frame, at);
    else
        rc = store_decrypt_board(st, how->id, frame ? frame : board, at);
out:
    free(board);
    free(frame);
    return rc == 0 ? 0 : -1;
}

static char *decrypt_result_json(const struct record *rec, const struct tally_result *r)
{
    struct poll_result res;

    return poll_result_make(rec, r, &res) == 0 ? poll_result_json(&res) : NULL;
}

/* --- the close ------------------------------------------------------------ */

/* No ballot: no decryption (T7); the result and final board at once. */
static int decrypt_close_empty(struct store *st, const struct sign_key *key,
                                            const char *id, struct close_state *cs,
                                            const struct ceremony *cer)
{
    struct tally_result res;
    struct decrypt_store how = {id, NULL, NULL};
    char *result = NULL;
    int rc = -1;

    if (tally_threshold_result_make(cs->rec, cs->tally, NULL, 0, NULL, key, &res) == PROTO_OK &&
        (result = decrypt_result_json(cs->rec, &res)) != NULL) {
        how.result = result;
        rc = decrypt_board_store(st, cs, cer, NULL, 0, &res, &how);
    }
    free(result);
    return rc;
}

int poll_decrypt_close(struct store *st, const struct sign_key *key,
                       const struct store_poll *p, struct close_state *cs)
{
    struct proof_share shares[PROTO_MAX_OPTIONS];
    struct board_decryption dec = {0, shares};
    struct decrypt_store how = {p->id, NULL, NULL};
    struct crypto_rng rng = crypto_rng_system();
    struct ceremony *cer = NULL;
    unsigned char x0[32];
    int rc = -1;
    char *entry = NULL;
    size_t len;

    if (decrypt_ceremony(st, p->council, &cer) != 0)
        return -1;
    if (cs->n == 0) {
        rc = decrypt_close_empty(st, key, p->id, cs, cer);
        goto out;
    }
    if (store_poll_secret(st, p->id, x0) != 0)
        goto out;
    if (tally_shares_create(cs->rec, 0, x0, cs->tally, &rng, shares) == 0 &&
        (entry = tally_threshold_entry_serialize(0, shares, record_option_count(cs->rec), 0,
                                                 &len)) != NULL) {
        how.begin_entry = entry;
        if (decrypt_board_store(st, cs, cer, &dec, 1, NULL, &how) == 0)
            rc = 0;
    }
    sodium_memzero(x0, sizeof x0);
    if (rc == 0)
        decrypt_cache_put(p->id, cs->tally);
out:
    free(entry);
    ceremony_free(cer);
    return rc;
}

/* --- a trustee's entry ---------------------------------------------------- */

/* The entries of a decrypting poll, read back from the store (each was
 * checked before it was kept): holder 0 first, then ascending. */
struct decrypt_entries {
    uint32_t m, n;
    uint32_t holders[PROTO_MAX_TRUSTEES + 1];
    struct proof_share *shares;         /* (PROTO_MAX_TRUSTEES + 1) × m */
};

static int decrypt_entry_read(void *ctx, uint32_t holder, const char *username,
                              const char *entry, size_t len)
{
    struct decrypt_entries *e = ctx;
    uint32_t h;

    (void)username;
    if (e->n > PROTO_MAX_TRUSTEES ||
        tally_threshold_entry_parse(entry, len, e->m, &h, e->shares + (size_t)e->n * e->m)
            != PROTO_OK || h != holder)
        return -1;
    e->holders[e->n++] = h;
    return 0;
}

/* After a new entry, inside the transaction: the result if the server's
 * and t trustees' shares are in (*published), else a new partial board. */
static int decrypt_advance(struct store *st, const struct sign_key *key, const char *id,
                           const struct close_state *cs, const struct ceremony *cer,
                           struct decrypt_outcome *out)
{
    struct decrypt_entries e = {record_option_count(cs->rec), 0, {0}, NULL};
    struct tally_threshold_entry te[PROTO_MAX_TRUSTEES + 1];
    struct board_decryption dec[PROTO_MAX_TRUSTEES + 1];
    struct decrypt_store how = {id, NULL, NULL};
    struct tally_result res;
    char *result = NULL;
    uint32_t k;
    int rc = -1;

    if ((e.shares = calloc((PROTO_MAX_TRUSTEES + 1) * (size_t)e.m, sizeof *e.shares)) == NULL ||
        store_decrypt_list(st, id, decrypt_entry_read, &e) != 0 || e.n == 0 || e.holders[0] != 0)
        goto out;
    for (k = 0; k < e.n; k++) {
        te[k].holder = dec[k].holder = e.holders[k];
        te[k].shares = dec[k].shares = e.shares + (size_t)k * e.m;
    }
    out->present = e.n - 1;
    if (out->present < out->t) {
        rc = decrypt_board_store(st, cs, cer, dec, e.n, NULL, &how);
        goto out;
    }
    if (tally_threshold_result_make(cs->rec, cs->tally, te, e.n,
                                    (const unsigned char (*)[CRYPTO_BYTES])cs->trackers, key,
                                    &res) != PROTO_OK ||
        (result = decrypt_result_json(cs->rec, &res)) == NULL)
        goto out;
    how.result = result;
    if ((rc = decrypt_board_store(st, cs, cer, dec, e.n, &res, &how)) == 0)
        out->published = 1;
out:
    free(result);
    free(e.shares);
    return rc;
}

/* The poll's state as a post sees it: CV_OK if it is decrypting. */
static enum cv_err decrypt_state(const struct store_poll *p)
{
    if (!p->council[0])
        return CV_NOT_SEALED;
    if (p->withdrawn)
        return CV_POLL_WITHDRAWN;
    if (!p->closed)
        return CV_POLL_OPEN;
    return p->decrypting ? CV_OK : CV_RESULT_PUBLISHED;
}

/* Checks the entry against the poll: who posts it, its shape, its proofs. */
static enum cv_err decrypt_check(struct store *st, const struct store_poll *p,
                                         const char *username, const char *entry, size_t len,
                                         struct close_state *cs, struct decrypt_outcome *out)
{
    struct proof_share shares[PROTO_MAX_OPTIONS];
    const struct record_threshold *th;
    uint32_t j, h;

    if (decrypt_trustee_index(st, p->council, username, &j) != 0)
        return CV_ERROR;
    if (j == 0)
        return CV_NOT_TRUSTEE;
    out->holder = j;
    if (record_parse_kind(p->record, strlen(p->record), RECORD_THRESHOLD, &cs->own_rec) != PROTO_OK)
        return CV_ERROR;
    cs->rec = cs->own_rec;
    th = record_threshold(cs->rec);
    out->t = record_threshold_t(th);
    if (record_threshold_key_of(th, j) == NULL)
        return CV_NOT_QUALIFIED;
    out->reason = tally_threshold_entry_parse(entry, len, record_option_count(cs->rec), &h, shares);
    snprintf(out->where, sizeof out->where, "entry");
    if (out->reason != PROTO_OK)
        return CV_BAD_SHARES;
    if (h != j)
        return CV_WRONG_HOLDER;
    cs->tally = decrypt_cache_get(p->id);
    if (poll_close_gather(st, NULL, p->id, cs) != 0)
        return CV_ERROR;
    out->reason = tally_threshold_shares_verify(cs->rec, j, cs->tally, shares);
    snprintf(out->where, sizeof out->where, "shares");
    return out->reason == PROTO_OK ? CV_OK : CV_BAD_SHARES;
}

/* Keeps the checked entry and moves on, in one transaction. */
static enum cv_err decrypt_keep(struct store *st, const struct sign_key *key,
                                        const struct store_poll *p, const char *username,
                                        const char *entry, const struct close_state *cs,
                                        struct decrypt_outcome *out)
{
    struct ceremony *cer = NULL;
    enum cv_err rc = CV_ERROR;
    int r;

    if (decrypt_ceremony(st, p->council, &cer) != 0 || store_begin(st) != 0) {
        ceremony_free(cer);
        return CV_ERROR;
    }
    r = store_decrypt_add(st, p->id, out->holder, username, entry);
    if (r == CV_CONFLICT)
        rc = CV_ALREADY_DECRYPTED;
    else if (r == CV_NOT_FOUND)
        rc = CV_RESULT_PUBLISHED;         /* published meanwhile */
    else if (r == 0 && decrypt_advance(st, key, p->id, cs, cer, out) == 0)
        rc = CV_OK;
    if (rc != CV_OK)
        store_rollback(st);
    else if (store_commit(st) != 0)
        rc = CV_ERROR;
    ceremony_free(cer);
    return rc;
}

enum cv_err poll_decrypt_post(struct store *st, const struct sign_key *key,
                                      const char *id, const char *username, const char *entry,
                                      size_t len, struct decrypt_outcome *out)
{
    struct close_state cs;
    struct store_poll p;
    enum cv_err rc;
    char what[STORE_POLL_ID_MAX + 8];
    int r;

    memset(out, 0, sizeof *out);
    memset(&cs, 0, sizeof cs);
    if ((r = store_poll_get(st, id, 1, &p)) != 0)
        return r == CV_NOT_FOUND ? CV_NOT_FOUND : CV_ERROR;
    if ((rc = decrypt_state(&p)) == CV_OK &&
        (rc = decrypt_check(st, &p, username, entry, len, &cs, out)) == CV_OK)
        rc = decrypt_keep(st, key, &p, username, entry, &cs, out);
    if (rc == CV_OK) {
        log_info("poll %s: trustee %u decrypted (%u of %u)", id, (unsigned)out->holder,
                 (unsigned)out->present, (unsigned)out->t);
        if (out->published) {
            decrypt_cache_put(id, NULL);
            log_info("poll %s: result published, the server's key share erased", id);
            snprintf(what, sizeof what, "poll %s", id);
            (void)store_durable_compact(st, what);
        }
    }
    poll_close_state_free(&cs);
    store_poll_clear(&p);
    return rc;
}

/* --- who seals a poll ----------------------------------------------------- */

static int seal_decrypted(void *ctx, uint32_t holder, const char *username, const char *entry,
                          size_t len)
{
    struct poll_seal *s = ctx;
    uint32_t k;

    (void)username, (void)entry, (void)len;
    for (k = 0; k < s->count; k++)
        if (s->trustees[k].index == holder && holder != 0) {
            s->trustees[k].decrypted = 1;
            s->decrypted++;
        }
    return 0;
}

/* The seal's JSON {"t", "trustees": [{"index", "name"}]} into *s. */
static int seal_parse(const char *text, struct poll_seal *s)
{
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, NULL), *list, *e;
    size_t k;
    int rc = -1;

    list = json_object_get(root, "trustees");
    if (!json_is_integer(json_object_get(root, "t")) || !json_is_array(list) ||
        json_array_size(list) == 0 || json_array_size(list) > PROTO_MAX_TRUSTEES)
        goto out;
    s->t = (uint32_t)json_integer_value(json_object_get(root, "t"));
    json_array_foreach(list, k, e) {
        const char *name = json_string_value(json_object_get(e, "name"));
        json_int_t idx = json_integer_value(json_object_get(e, "index"));

        if (name == NULL || idx < 1 || idx > PROTO_MAX_TRUSTEES)
            goto out;
        s->trustees[k].index = (uint32_t)idx;
        snprintf(s->trustees[k].name, sizeof s->trustees[k].name, "%s", name);
    }
    s->count = (uint32_t)json_array_size(list);
    rc = 0;
out:
    json_decref(root);
    return rc;
}

int poll_seal_read(struct store *st, const struct store_poll *p, struct poll_seal *out)
{
    memset(out, 0, sizeof *out);
    if (!p->council[0])
        return 0;
    out->sealed = 1;
    memcpy(out->council, p->council, sizeof out->council);
    if (p->seal == NULL || seal_parse(p->seal, out) != 0)
        return -1;
    if (p->closed && !p->withdrawn &&
        store_decrypt_list(st, p->id, seal_decrypted, out) != 0)
        return -1;
    return 0;
}

void poll_seal_text(const struct poll_seal *s, char *buf, size_t cap)
{
    size_t used;
    uint32_t k;

    if (!s->sealed) {
        snprintf(buf, cap, "sealed by the server only");
        return;
    }
    snprintf(buf, cap, "sealed by %u of %u trustees: ", (unsigned)s->t, (unsigned)s->count);
    for (k = 0; k < s->count; k++) {
        used = strlen(buf);
        snprintf(buf + used, cap - used, "%s%s", k > 0 ? ", " : "", s->trustees[k].name);
    }
}

/* The seal kept with a poll sealed for COUNCIL: {"t", "trustees"} (caller
 * frees), NULL when out of memory. */
char *poll_seal_json(const struct record_council *council)
{
    json_t *list = json_array(), *root;
    uint32_t k;
    char *text;

    for (k = 0; list != NULL && k < council->count; k++)
        json_array_append_new(list, json_pack("{s:I, s:s%}", "index",
                                              (json_int_t)council->trustees[k].index, "name",
                                              council->trustees[k].name,
                                              council->trustees[k].name_len));
    root = json_pack("{s:I, s:o}", "t", (json_int_t)council->t, "trustees", list);
    text = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    return text;
}
