/*
 * board_threshold.c — what a threshold board changes in the board's
 * verification (PROTOCOL-threshold T8), called by board.c at its steps:
 * (1) the ceremony's transcript, checked whole (T2–T5) and compared with the
 * digest its trustees published, if the caller has it; (2) the record's
 * "threshold" field against that outcome (code ceremony); (4) the
 * decryption entries — the server first, then members of QUAL strictly
 * ascending, each share's proof, and on a final board the server's entry
 * and at least t trustees (quorum) — and the combination over S (T7) that
 * gives the counts. Step (3), the ballots and the tally, is v1's.
 */
#include <stdlib.h>
#include <string.h>

#include "board_internal.h"
#include "ceremony_json.h"
#include "record_threshold.h"
#include "sjson.h"
#include "tally_threshold.h"

enum proto_reason board_threshold_read_ceremony(struct board_doc *d, struct board_report *rep)
{
    char where[64];
    enum proto_reason why;

    strcpy(where, "ceremony");
    why = ceremony_from_json(json_object_get(d->root, "ceremony"), &d->cer, where, sizeof where);
    if (why != PROTO_OK)
        return board_fail(rep, why, "%s", where);
    memcpy(rep->ceremony_digest, ceremony_digest(d->cer), CRYPTO_BYTES);
    rep->t = ceremony_t(d->cer);
    rep->qual = ceremony_qual_count(d->cer);
    if (d->trust->ceremony_digest == NULL)
        return PROTO_OK;
    /* T8 (1): the digest the trustees confirmed out of band (T5) */
    if (memcmp(d->trust->ceremony_digest, ceremony_digest(d->cer), CRYPTO_BYTES) != 0)
        return board_fail(rep, PROTO_CEREMONY, "ceremony (not the digest given)");
    rep->ceremony_checked = 1;
    return PROTO_OK;
}

enum proto_reason board_threshold_check_record(struct board_doc *d, struct board_report *rep)
{
    enum proto_reason why = record_threshold_check(d->rec, d->cer);

    return why == PROTO_OK ? PROTO_OK : board_fail(rep, why, "poll.threshold");
}

/* Entry i: its holder number and m shares (no rule on the number yet), read
 * as the server reads a trustee's posted entry. */
static enum proto_reason board_threshold_read_entry(struct board_doc *d, const json_t *e,
                                                    uint32_t i, struct board_report *rep)
{
    enum proto_reason why;
    uint32_t at;

    why = tally_threshold_entry_from_json(e, d->m, &d->holder[i],
                                          &d->shares[(size_t)i * d->m], &at);
    if (why == PROTO_OK)
        return PROTO_OK;
    if (at == d->m)
        return board_fail(rep, why, "decryptions[%u]", i);
    return board_fail(rep, why, "decryptions[%u].shares[%u]", i, at);
}

enum proto_reason board_threshold_read_decryptions(struct board_doc *d,
                                                   struct board_report *rep)
{
    enum proto_reason why;
    const json_t *arr;
    uint32_t i;

    if ((why = sjson_get_array(d->root, "decryptions", 0, BOARD_MAX_ENTRIES, &arr)) != PROTO_OK)
        return board_fail(rep, why, "decryptions");
    d->ndec = (uint32_t)json_array_size(arr);
    if (d->N == 0 && d->ndec != 0)      /* T7: no decryption when N = 0 */
        return board_fail(rep, PROTO_SHAPE, "decryptions");
    d->shares = calloc((size_t)(d->ndec ? d->ndec : 1) * d->m, sizeof *d->shares);
    if (d->shares == NULL)
        return board_fail(rep, PROTO_INTERNAL, "decryptions");
    for (i = 0; i < d->ndec; i++)
        if ((why = board_threshold_read_entry(d, json_array_get(arr, i), i, rep)) != PROTO_OK)
            return why;
    return PROTO_OK;
}

/* T8 (4): order and membership of the entries. */
static enum proto_reason board_threshold_check_entries(const struct board_doc *d,
                                                       struct board_report *rep)
{
    const struct record_threshold *th = record_threshold(d->rec);
    uint32_t i;

    for (i = 0; i < d->ndec; i++) {
        if (i > 0 && d->holder[i] <= d->holder[i - 1])
            return board_fail(rep, PROTO_VALUE, "decryptions[%u].holder", i);
        if (d->holder[i] != 0 && record_threshold_key_of(th, d->holder[i]) == NULL)
            return board_fail(rep, PROTO_VALUE, "decryptions[%u].holder", i);   /* not QUAL */
    }
    return PROTO_OK;
}

/* One share's proof: the server's as §6, a trustee's as T7. */
static enum proto_reason board_threshold_check_share(const struct board_doc *d, uint32_t h,
                                                     uint32_t o,
                                                     const unsigned char A[CRYPTO_BYTES],
                                                     const struct proof_share *sh)
{
    const unsigned char *fp = record_fingerprint(d->rec);

    if (h == 0)
        return proof_share_verify(fp, 0, record_holder_key(d->rec, 0), o, A, sh);
    return proof_tshare_verify(fp, h, record_threshold_key_of(record_threshold(d->rec), h), o, A,
                               sh);
}

enum proto_reason board_threshold_check_shares(const struct board_doc *d, const struct tally *t,
                                               struct board_report *rep)
{
    unsigned char A[PROTO_MAX_OPTIONS][CRYPTO_BYTES];
    enum proto_reason why;
    uint32_t i, o, trustees = 0;

    if ((why = board_threshold_check_entries(d, rep)) != PROTO_OK)
        return why;
    for (o = 0; o < d->m; o++)
        tally_A(t, o, A[o]);
    for (i = 0; i < d->ndec; i++) {
        for (o = 0; o < d->m; o++) {
            why = board_threshold_check_share(d, d->holder[i], o, A[o],
                                              &d->shares[(size_t)i * d->m + o]);
            if (why != PROTO_OK)
                return board_fail(rep, why, "decryptions[%u].shares[%u]", i, o);
        }
        trustees += d->holder[i] != 0;
    }
    /* T8: a final board needs the server's entry and t trustees' */
    if (d->has_result && d->N > 0 &&
        (d->ndec == 0 || d->holder[0] != 0 ||
         trustees < record_threshold_t(record_threshold(d->rec))))
        return board_fail(rep, PROTO_QUORUM, "decryptions");
    return PROTO_OK;
}

enum proto_reason board_threshold_counts(const struct board_doc *d, const struct tally *t,
                                         uint32_t *counts)
{
    struct tally_threshold_entry entries[BOARD_MAX_ENTRIES];
    uint32_t i;

    for (i = 0; i < d->ndec; i++) {
        entries[i].holder = d->holder[i];
        entries[i].shares = &d->shares[(size_t)i * d->m];
    }
    return tally_threshold_counts(d->rec, t, entries, d->ndec, counts);
}
