/*
 * board.c — build and verify the board of a closed poll (PROTOCOL §7, §8),
 * and a threshold poll's board (PROTOCOL-threshold T8).
 *
 * Verification first reads everything but the ballots (on a threshold
 * board first the ceremony's transcript; record, fingerprint, tally,
 * decryptions, result: cheap, and any shape error stops it early), then
 * checks the ballots on worker threads (board_ballots.c), then the
 * board-wide rules in the order of PROTOCOL §8: order, duplicate tags and
 * alphas, the tally, the shares, counts and sum check, the result's fields,
 * its digest and its signature. What a threshold board changes (the
 * ceremony, the record against it, the decryption entries, the
 * combination) is board_threshold.c's, called at those points.
 *
 * board_verify first cuts the text into frame and ballots (board_split.h):
 * only the frame becomes a JSON tree and each worker parses its own ballots,
 * so no core waits for a whole-board parse. That path only ever accepts; a
 * board it rejects is verified again on its whole JSON tree
 * (board_verify_whole), which alone decides the reason and the place.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_internal.h"
#include "ceremony_json.h"
#include "sjson.h"

static const char *const board_keys[] = {
    "protocol", "poll", "fingerprint", "ballots", "tally", "decryptions", "result",
    "ceremony"                      /* the last only on a threshold board (T8) */
};
static const char *const board_tally_keys[] = { "A", "B" };
static const char *const board_dec_keys[] = { "holder", "shares" };
static const char *const board_share_keys[] = { "D", "c", "s" };
static const char *const board_result_keys[] = {
    "counts", "ballots", "eligible", "rule", "passed", "ballots_digest", "signature"
};

enum proto_reason board_fail(struct board_report *rep, enum proto_reason why, const char *fmt,
                             ...)
{
    va_list ap;

    rep->reason = why;
    if (why != PROTO_OK) {
        va_start(ap, fmt);
        vsnprintf(rep->where, sizeof rep->where, fmt, ap);
        va_end(ap);
    }
    return why;
}

/* --- building ----------------------------------------------------------------- */

static int board_cmp_ballot(const void *a, const void *b)
{
    const struct ballot *const *x = a, *const *y = b;

    return memcmp(ballot_tracker(*x), ballot_tracker(*y), CRYPTO_BYTES);
}

static void board_write_share(struct sjson_out *o, const struct proof_share *sh)
{
    sjson_out_begin_object(o);
    sjson_out_key(o, "D");
    sjson_out_hex(o, sh->D, CRYPTO_BYTES);
    sjson_out_key(o, "c");
    sjson_out_hex(o, sh->c, CRYPTO_BYTES);
    sjson_out_key(o, "s");
    sjson_out_hex(o, sh->s, CRYPTO_BYTES);
    sjson_out_end_object(o);
}

static void board_write_tally(struct sjson_out *o, const struct tally *t, uint32_t N,
                              const struct board_decryption *dec, size_t ndec)
{
    unsigned char A[CRYPTO_BYTES], B[CRYPTO_BYTES];
    uint32_t j, m = tally_option_count(t);
    size_t k;

    sjson_out_key(o, "tally");
    sjson_out_begin_array(o);
    for (j = 0; j < m; j++) {
        tally_A(t, j, A);
        tally_B(t, j, B);
        sjson_out_begin_object(o);
        sjson_out_key(o, "A");
        sjson_out_hex(o, A, CRYPTO_BYTES);
        sjson_out_key(o, "B");
        sjson_out_hex(o, B, CRYPTO_BYTES);
        sjson_out_end_object(o);
    }
    sjson_out_end_array(o);
    sjson_out_key(o, "decryptions");
    sjson_out_begin_array(o);
    for (k = 0; N > 0 && k < ndec; k++) {
        sjson_out_begin_object(o);
        sjson_out_key(o, "holder");
        sjson_out_u32(o, dec[k].holder);
        sjson_out_key(o, "shares");
        sjson_out_begin_array(o);
        for (j = 0; j < m; j++)
            board_write_share(o, &dec[k].shares[j]);
        sjson_out_end_array(o);
        sjson_out_end_object(o);
    }
    sjson_out_end_array(o);
}

static void board_write_result(struct sjson_out *o, const struct record *rec,
                               const struct tally_result *r)
{
    uint32_t j;

    sjson_out_key(o, "result");
    if (r == NULL) {
        sjson_out_null(o);
        return;
    }
    sjson_out_begin_object(o);
    sjson_out_key(o, "counts");
    sjson_out_begin_array(o);
    for (j = 0; j < r->m; j++)
        sjson_out_u32(o, r->counts[j]);
    sjson_out_end_array(o);
    sjson_out_key(o, "ballots");
    sjson_out_u32(o, r->ballots);
    sjson_out_key(o, "eligible");
    sjson_out_u32(o, r->eligible);
    sjson_out_key(o, "rule");
    sjson_out_string(o, record_is_promotion(rec) ? "two-thirds" : "none",
                     record_is_promotion(rec) ? 10 : 4);
    sjson_out_key(o, "passed");
    if (r->verdict == PROTO_VERDICT_NONE)
        sjson_out_null(o);
    else
        sjson_out_bool(o, r->verdict == PROTO_VERDICT_PASSED);
    sjson_out_key(o, "ballots_digest");
    sjson_out_hex(o, r->ballots_digest, CRYPTO_BYTES);
    sjson_out_key(o, "signature");
    sjson_out_hex(o, r->signature, SIGN_BYTES);
    sjson_out_end_object(o);
}

char *board_build_threshold(const struct record *rec, const struct ceremony *cer,
                            const struct ballot *const *ballots, size_t n, const struct tally *t,
                            const struct board_decryption *dec, size_t ndec,
                            const struct tally_result *result, size_t *len)
{
    const char *proto = cer != NULL ? PROTO_ID_THRESHOLD : PROTO_ID;
    const struct ballot **sorted = NULL;
    struct sjson_out o;
    char *text = NULL;
    size_t i;

    if (n > UINT32_MAX || tally_option_count(t) != record_option_count(rec) ||
        (result != NULL && result->m != record_option_count(rec)) ||
        (cer != NULL) != (record_threshold(rec) != NULL))
        return NULL;
    sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (sorted == NULL)
        return NULL;
    if (n > 0) {                /* ballots may be NULL when there are none */
        memcpy(sorted, ballots, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, board_cmp_ballot);
    }
    sjson_out_init(&o, 1, PROTO_MAX_BOARD);
    sjson_out_begin_object(&o);
    sjson_out_key(&o, "protocol");
    sjson_out_string(&o, proto, strlen(proto));
    sjson_out_key(&o, "poll");
    record_write(rec, &o);
    if (cer != NULL) {
        sjson_out_key(&o, "ceremony");
        ceremony_transcript_write(cer, &o);
    }
    sjson_out_key(&o, "fingerprint");
    sjson_out_hex(&o, record_fingerprint(rec), CRYPTO_BYTES);
    sjson_out_key(&o, "ballots");
    sjson_out_begin_array(&o);
    for (i = 0; i < n; i++)
        ballot_write(sorted[i], BALLOT_FORM_BOARD, &o);
    sjson_out_end_array(&o);
    board_write_tally(&o, t, (uint32_t)n, dec, ndec);
    board_write_result(&o, rec, result);
    sjson_out_end_object(&o);
    sjson_out_raw(&o, "\n", 1);
    text = sjson_out_finish(&o, len);
    free(sorted);
    return text;
}

char *board_build(const struct record *rec, const struct ballot *const *ballots, size_t n,
                  const struct tally *t, const struct board_decryption *dec, size_t ndec,
                  const struct tally_result *result, size_t *len)
{
    return board_build_threshold(rec, NULL, ballots, n, t, dec, ndec, result, len);
}

/* --- reading the board (all but its ballots) --------------------------------------- */

/* The protocol: v1, or the threshold board (with a "ceremony" member). */
static enum proto_reason board_read_protocol(struct board_doc *d, struct board_report *rep)
{
    const json_t *p = json_object_get(d->root, "protocol");
    enum proto_reason why;
    const char *proto;
    size_t plen;

    /* the protocol decides the member set */
    d->threshold = json_is_string(p) && strcmp(json_string_value(p), PROTO_ID_THRESHOLD) == 0 &&
                   json_string_length(p) == strlen(PROTO_ID_THRESHOLD);
    rep->threshold = d->threshold;
    if ((why = sjson_object_exact(d->root, board_keys, d->threshold ? 8 : 7)) != PROTO_OK)
        return board_fail(rep, why, "board");
    if ((why = sjson_get_str(d->root, "protocol", 64, &proto, &plen)) != PROTO_OK)
        return board_fail(rep, why, "protocol");
    if (!d->threshold && (plen != strlen(PROTO_ID) || memcmp(proto, PROTO_ID, plen) != 0))
        return board_fail(rep, PROTO_VALUE, "protocol");
    return PROTO_OK;
}

static enum proto_reason board_read_top(struct board_doc *d, struct board_report *rep)
{
    unsigned char fp[CRYPTO_BYTES];
    enum proto_reason why;

    if ((why = board_read_protocol(d, rep)) != PROTO_OK ||
        (d->threshold && (why = board_threshold_read_ceremony(d, rep)) != PROTO_OK))
        return why;
    if ((why = record_from_json_kind(json_object_get(d->root, "poll"),
                                     d->threshold ? RECORD_THRESHOLD : RECORD_V1, &d->rec)) !=
        PROTO_OK)
        return board_fail(rep, why, "poll");
    if (d->threshold && (why = board_threshold_check_record(d, rep)) != PROTO_OK)
        return why;
    if ((why = sjson_get_hex(d->root, "fingerprint", fp, CRYPTO_BYTES)) != PROTO_OK)
        return board_fail(rep, why, "fingerprint");
    if (memcmp(fp, record_fingerprint(d->rec), CRYPTO_BYTES) != 0)
        return board_fail(rep, PROTO_FINGERPRINT, "fingerprint");
    d->m = record_option_count(d->rec);
    d->K = record_holder_count(d->rec);
    if ((why = sjson_get_array(d->root, "ballots", 0, UINT32_MAX, &d->ballots)) != PROTO_OK)
        return board_fail(rep, why, "ballots");
    d->N = (uint32_t)json_array_size(d->ballots);
    if (d->split != NULL) {
        if (d->N != 0)          /* the cut went wrong: the whole-tree path decides */
            return board_fail(rep, PROTO_SHAPE, "ballots");
        d->N = d->split->n;
    }
    if (d->N > record_roll_count(d->rec))
        return board_fail(rep, PROTO_COUNT, "ballots");   /* PROTOCOL §8: N <= n */
    return PROTO_OK;
}

static enum proto_reason board_get_point(const json_t *obj, const char *key,
                                         unsigned char out[CRYPTO_BYTES])
{
    enum proto_reason why = sjson_get_hex(obj, key, out, CRYPTO_BYTES);

    return why != PROTO_OK ? why : crypto_point_check(out);
}

static enum proto_reason board_read_tally(struct board_doc *d, struct board_report *rep)
{
    enum proto_reason why;
    const json_t *arr;
    uint32_t j;

    if ((why = sjson_get_array(d->root, "tally", d->m, d->m, &arr)) != PROTO_OK)
        return board_fail(rep, why, "tally");
    for (j = 0; j < d->m; j++) {
        const json_t *e = json_array_get(arr, j);

        if ((why = sjson_object_exact(e, board_tally_keys, 2)) != PROTO_OK ||
            (why = board_get_point(e, "A", d->A[j])) != PROTO_OK ||
            (why = board_get_point(e, "B", d->B[j])) != PROTO_OK)
            return board_fail(rep, why, "tally[%u]", j);
    }
    return PROTO_OK;
}

static enum proto_reason board_read_share(const json_t *e, struct proof_share *sh)
{
    enum proto_reason why;

    if ((why = sjson_object_exact(e, board_share_keys, 3)) != PROTO_OK ||
        (why = board_get_point(e, "D", sh->D)) != PROTO_OK ||
        (why = sjson_get_hex(e, "c", sh->c, CRYPTO_BYTES)) != PROTO_OK ||
        (why = sjson_get_hex(e, "s", sh->s, CRYPTO_BYTES)) != PROTO_OK ||
        (why = crypto_scalar_check(sh->c)) != PROTO_OK)
        return why;
    return crypto_scalar_check(sh->s);
}

/* Entry i of "decryptions": its holder number and m shares. */
static enum proto_reason board_read_entry(struct board_doc *d, const json_t *e, uint32_t i,
                                          uint32_t *prev, struct board_report *rep)
{
    enum proto_reason why;
    const json_t *arr;
    uint32_t k, j;

    if ((why = sjson_object_exact(e, board_dec_keys, 2)) != PROTO_OK ||
        (why = sjson_get_u32(e, "holder", &k)) != PROTO_OK ||
        (why = sjson_get_array(e, "shares", d->m, d->m, &arr)) != PROTO_OK)
        return board_fail(rep, why, "decryptions[%u]", i);
    /* Full board: entry k is holder k. Partial: ascending holders (§7). */
    if (k >= d->K || (d->has_result && k != i) || (i > 0 && k <= *prev))
        return board_fail(rep, PROTO_SHAPE, "decryptions[%u].holder", i);
    *prev = k;
    d->holder[i] = k;
    for (j = 0; j < d->m; j++) {
        why = board_read_share(json_array_get(arr, j), &d->shares[(size_t)i * d->m + j]);
        if (why != PROTO_OK)
            return board_fail(rep, why, "decryptions[%u].shares[%u]", i, j);
    }
    return PROTO_OK;
}

static enum proto_reason board_read_decryptions(struct board_doc *d, struct board_report *rep)
{
    enum proto_reason why;
    const json_t *arr;
    uint32_t i, prev = 0;
    size_t want;

    if (d->threshold)
        return board_threshold_read_decryptions(d, rep);
    if ((why = sjson_get_array(d->root, "decryptions", 0, d->K, &arr)) != PROTO_OK)
        return board_fail(rep, why, "decryptions");
    d->ndec = (uint32_t)json_array_size(arr);
    /* §8: [] if N = 0, otherwise K entries once the result is out. */
    want = d->N == 0 ? 0 : d->K;
    if ((d->N == 0 && d->ndec != 0) || (d->has_result && d->ndec != want))
        return board_fail(rep, PROTO_SHAPE, "decryptions");
    d->shares = calloc((size_t)(d->ndec ? d->ndec : 1) * d->m, sizeof *d->shares);
    if (d->shares == NULL)
        return board_fail(rep, PROTO_INTERNAL, "decryptions");
    for (i = 0; i < d->ndec; i++)
        if ((why = board_read_entry(d, json_array_get(arr, i), i, &prev, rep)) != PROTO_OK)
            return why;
    return PROTO_OK;
}

static enum proto_reason board_read_result_fields(struct board_doc *d, const json_t *r)
{
    const json_t *counts = json_object_get(r, "counts"), *passed = json_object_get(r, "passed");
    enum proto_reason why;
    const char *rule;
    size_t rlen;
    uint32_t j;

    if (!json_is_array(counts) || json_array_size(counts) != d->m)
        return PROTO_SHAPE;
    for (j = 0; j < d->m; j++) {
        json_int_t v = json_integer_value(json_array_get(counts, j));

        if (!json_is_integer(json_array_get(counts, j)) || v < 0 || v > (json_int_t)UINT32_MAX)
            return PROTO_SHAPE;
        d->result.counts[j] = (uint32_t)v;
    }
    if ((why = sjson_get_u32(r, "ballots", &d->result.ballots)) != PROTO_OK ||
        (why = sjson_get_u32(r, "eligible", &d->result.eligible)) != PROTO_OK ||
        (why = sjson_get_str(r, "rule", 64, &rule, &rlen)) != PROTO_OK)
        return why;
    if (!json_is_boolean(passed) && !json_is_null(passed))
        return PROTO_SHAPE;
    d->passed = json_is_null(passed) ? -1 : json_is_true(passed);
    if (rlen == 10 && memcmp(rule, "two-thirds", 10) == 0)
        d->rule_two_thirds = 1;
    else if (!(rlen == 4 && memcmp(rule, "none", 4) == 0))
        return PROTO_RESULT;
    if ((why = sjson_get_hex(r, "ballots_digest", d->result.ballots_digest, CRYPTO_BYTES)) !=
        PROTO_OK)
        return why;
    return sjson_get_hex(r, "signature", d->result.signature, SIGN_BYTES);
}

static enum proto_reason board_read_result(struct board_doc *d, struct board_report *rep)
{
    const json_t *r = json_object_get(d->root, "result");
    enum proto_reason why;

    d->has_result = !json_is_null(r);
    if (!d->has_result)
        return PROTO_OK;
    d->result.m = d->m;
    if ((why = sjson_object_exact(r, board_result_keys, 7)) != PROTO_OK ||
        (why = board_read_result_fields(d, r)) != PROTO_OK)
        return board_fail(rep, why, "result");
    return PROTO_OK;
}


/* --- board-wide checks --------------------------------------------------------------- */

/* PROTOCOL §8: the tally against the ballots. */
static enum proto_reason board_check_tally(const struct board_doc *d, const struct tally *t,
                                           struct board_report *rep)
{
    unsigned char A[CRYPTO_BYTES], B[CRYPTO_BYTES];
    uint32_t j;

    for (j = 0; j < d->m; j++) {
        tally_A(t, j, A);
        tally_B(t, j, B);
        if (memcmp(d->A[j], A, CRYPTO_BYTES) != 0 || memcmp(d->B[j], B, CRYPTO_BYTES) != 0)
            return board_fail(rep, PROTO_TALLY, "tally[%u]", j);
    }
    return PROTO_OK;
}

/* PROTOCOL §6: every share present, against the recomputed A_j. */
static enum proto_reason board_check_shares(const struct board_doc *d, const struct tally *t,
                                            struct board_report *rep)
{
    unsigned char A[PROTO_MAX_OPTIONS][CRYPTO_BYTES];
    const uint32_t *holders = d->holder;
    enum proto_reason why;
    uint32_t i, j;

    if (d->threshold)
        return board_threshold_check_shares(d, t, rep);
    for (j = 0; j < d->m; j++)
        tally_A(t, j, A[j]);            /* once per option, not per share */
    for (i = 0; i < d->ndec; i++)
        for (j = 0; j < d->m; j++) {
            const struct proof_share *sh = &d->shares[(size_t)i * d->m + j];

            why = proof_share_verify(record_fingerprint(d->rec), holders[i],
                                     record_holder_key(d->rec, holders[i]), j, A[j], sh);
            if (why != PROTO_OK)
                return board_fail(rep, why, "decryptions[%u].shares[%u]", i, j);
        }
    return PROTO_OK;
}

/* PROTOCOL §6, §8, §9: counts, sum check, rule, passed, ballots, eligible,
 * ballots_digest and, given the key, the signature. */
static enum proto_reason board_check_result(const struct board_doc *d, const struct tally *t,
                                            const unsigned char digest[CRYPTO_BYTES],
                                            const unsigned char *pk, struct board_report *rep)
{
    const struct proof_share *rows[BOARD_MAX_ENTRIES];
    uint32_t counts[PROTO_MAX_OPTIONS], k;
    enum proto_verdict verdict;
    struct sign_result view;

    for (k = 0; k < d->ndec; k++)
        rows[k] = &d->shares[(size_t)k * d->m];
    if ((d->threshold ? board_threshold_counts(d, t, counts)
                      : tally_counts(d->rec, t, rows, counts)) != PROTO_OK)
        return board_fail(rep, PROTO_COUNT, "result.counts");
    if (memcmp(counts, d->result.counts, (size_t)d->m * sizeof *counts) != 0)
        return board_fail(rep, PROTO_COUNT, "result.counts");
    if (d->result.ballots != d->N)
        return board_fail(rep, PROTO_RESULT, "result.ballots");
    if (d->result.eligible != record_roll_count(d->rec))
        return board_fail(rep, PROTO_RESULT, "result.eligible");
    verdict = tally_verdict(d->rec, counts);
    if (d->rule_two_thirds != record_is_promotion(d->rec))
        return board_fail(rep, PROTO_RESULT, "result.rule");
    if (d->passed != (verdict == PROTO_VERDICT_NONE ? -1 : verdict == PROTO_VERDICT_PASSED))
        return board_fail(rep, PROTO_RESULT, "result.passed");
    if (memcmp(digest, d->result.ballots_digest, CRYPTO_BYTES) != 0)
        return board_fail(rep, PROTO_DIGEST, "result.ballots_digest");
    memcpy(rep->counts, counts, (size_t)d->m * sizeof *counts);   /* the rest stays 0 */
    rep->verdict = verdict;
    if (pk == NULL)
        return PROTO_OK;
    tally_result_view(d->rec, &d->result, &view);
    view.verdict = verdict;
    if (sign_result_verify(pk, &view, d->result.signature) != 0)
        return board_fail(rep, PROTO_SIGNATURE, "result.signature");
    rep->signature_checked = 1;
    return PROTO_OK;
}

/* Reads everything but the ballots: from the frame when split. */
static enum proto_reason board_read(struct board_doc *d, const char *text, size_t len,
                                    struct board_report *rep)
{
    enum proto_reason why;

    if (d->split != NULL)
        d->root = sjson_parse(d->split->frame, d->split->frame_len, PROTO_MAX_BOARD, &why);
    else
        d->root = sjson_parse(text, len, PROTO_MAX_BOARD, &why);
    if (d->root == NULL)
        return board_fail(rep, why, "board");
    if ((why = board_read_top(d, rep)) != PROTO_OK ||
        (why = board_read_tally(d, rep)) != PROTO_OK ||
        (why = board_read_result(d, rep)) != PROTO_OK ||
        (why = board_read_decryptions(d, rep)) != PROTO_OK)
        return why;
    return PROTO_OK;
}

/* The whole verification, with the ballots in the JSON tree (split NULL)
 * or parsed from their spans on the workers. */
static enum proto_reason board_verify_doc(const char *text, size_t len,
                                          const struct board_split *split,
                                          const struct board_trust *trust, unsigned threads,
                                          struct board_report *rep, struct board_kept *keep)
{
    unsigned char digest[CRYPTO_BYTES];
    struct tally *total = NULL;
    struct board_doc d;
    enum proto_reason why;

    memset(rep, 0, sizeof *rep);
    memset(&d, 0, sizeof d);
    d.text = text;
    d.split = split;
    d.trust = trust;
    if ((why = board_read(&d, text, len, rep)) != PROTO_OK)
        goto out;
    memcpy(rep->fingerprint, record_fingerprint(d.rec), CRYPTO_BYTES);
    rep->partial = !d.has_result;
    rep->holders = d.threshold ? 1 + ceremony_qual_count(d.cer) : d.K;
    rep->holders_present = d.ndec;
    memcpy(rep->present, d.holder, sizeof rep->present);
    rep->ballots = d.N;
    rep->m = d.m;
    if ((total = tally_new(d.m)) == NULL) {
        why = board_fail(rep, PROTO_INTERNAL, "tally");
        goto out;
    }
    if ((why = board_check_ballots(&d, threads, total, digest, rep)) != PROTO_OK ||
        (why = board_check_tally(&d, total, rep)) != PROTO_OK ||
        (why = board_check_shares(&d, total, rep)) != PROTO_OK)
        goto out;
    if (d.has_result)
        why = board_check_result(&d, total, digest, trust->server_pk, rep);
    if (why == PROTO_OK && keep != NULL) {         /* hand over what was verified */
        keep->rec = d.rec;
        keep->tally = total;
        memcpy(keep->ballots_digest, digest, CRYPTO_BYTES);
        d.rec = NULL;
        total = NULL;
    }
out:
    tally_free(total);
    free(d.shares);
    record_free(d.rec);
    ceremony_free(d.cer);
    json_decref(d.root);
    rep->reason = why;
    return why;
}

/* Split, the board is parsed piece by piece on every core; but a piece that
 * fails cannot tell which failure PROTOCOL §8's order reports first (an
 * invalid JSON text anywhere comes before everything else), so any
 * rejection is found again on the whole JSON tree, the one path that
 * defines the report. An accepted board is accepted by both: the frame and
 * every ballot were parsed strictly and the rest of the checks are shared.
 * keep, if not NULL, receives what was verified. */
static enum proto_reason board_verify_run(const char *text, size_t len,
                                          const struct board_trust *trust, unsigned threads,
                                          struct board_report *rep, struct board_kept *keep)
{
    struct board_split split;
    enum proto_reason why = PROTO_INTERNAL;

    if (len <= PROTO_MAX_BOARD && board_split(text, len, &split) == 0) {
        why = board_verify_doc(text, len, &split, trust, threads, rep, keep);
        board_split_free(&split);
    }
    if (why != PROTO_OK)
        why = board_verify_doc(text, len, NULL, trust, threads, rep, keep);
    return why;
}

enum proto_reason board_verify_against(const char *text, size_t len,
                                       const struct board_trust *trust, unsigned threads,
                                       struct board_report *rep)
{
    return board_verify_run(text, len, trust, threads, rep, NULL);
}

enum proto_reason board_verify_keep(const char *text, size_t len,
                                    const struct board_trust *trust, unsigned threads,
                                    struct board_report *rep, struct board_kept *kept)
{
    memset(kept, 0, sizeof *kept);
    return board_verify_run(text, len, trust, threads, rep, kept);
}

void board_kept_free(struct board_kept *kept)
{
    record_free(kept->rec);
    tally_free(kept->tally);
    memset(kept, 0, sizeof *kept);
}

enum proto_reason board_verify_whole_against(const char *text, size_t len,
                                             const struct board_trust *trust, unsigned threads,
                                             struct board_report *rep)
{
    return board_verify_doc(text, len, NULL, trust, threads, rep, NULL);
}

enum proto_reason board_verify(const char *text, size_t len, const unsigned char *server_pk,
                               unsigned threads, struct board_report *rep)
{
    struct board_trust trust = { server_pk, NULL };

    return board_verify_against(text, len, &trust, threads, rep);
}

enum proto_reason board_verify_whole(const char *text, size_t len, const unsigned char *server_pk,
                                     unsigned threads, struct board_report *rep)
{
    struct board_trust trust = { server_pk, NULL };

    return board_verify_whole_against(text, len, &trust, threads, rep);
}
