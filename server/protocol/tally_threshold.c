/*
 * tally_threshold.c — a threshold poll's decryption shares and their
 * combination (PROTOCOL-threshold T7).
 *
 * Any t members of QUAL hold y_T on one committed polynomial, so every
 * t-subset combines to the same D_o (T9); S, the t smallest trustee
 * indices present, only fixes which shares enter the computation. Shares
 * beyond S are verified by the board (each must hold) but not used. The
 * Lagrange coefficients are public; the only secret here is a trustee's
 * x_j, which meets libsodium's constant-time multiplication only.
 */
#include <string.h>

#include "poly.h"
#include "record_threshold.h"
#include "tally_threshold.h"
#include "sjson.h"

#define TALLY_THRESHOLD_MAX_ENTRY (64u * 1024u)

static const char *const tally_threshold_entry_keys[] = { "holder", "shares" };
static const char *const tally_threshold_share_keys[] = { "D", "c", "s" };

static enum proto_reason tally_threshold_share_from_json(const json_t *e, struct proof_share *sh)
{
    enum proto_reason why;

    if ((why = sjson_object_exact(e, tally_threshold_share_keys, 3)) != PROTO_OK ||
        (why = sjson_get_hex(e, "D", sh->D, CRYPTO_BYTES)) != PROTO_OK ||
        (why = crypto_point_check(sh->D)) != PROTO_OK ||
        (why = sjson_get_hex(e, "c", sh->c, CRYPTO_BYTES)) != PROTO_OK ||
        (why = sjson_get_hex(e, "s", sh->s, CRYPTO_BYTES)) != PROTO_OK ||
        (why = crypto_scalar_check(sh->c)) != PROTO_OK)
        return why;
    return crypto_scalar_check(sh->s);
}

enum proto_reason tally_threshold_entry_from_json(const json_t *e, uint32_t m, uint32_t *holder,
                                                  struct proof_share *out, uint32_t *at)
{
    enum proto_reason why;
    const json_t *arr;
    uint32_t o;

    *at = m;
    if ((why = sjson_object_exact(e, tally_threshold_entry_keys, 2)) != PROTO_OK ||
        (why = sjson_get_u32(e, "holder", holder)) != PROTO_OK ||
        (why = sjson_get_array(e, "shares", m, m, &arr)) != PROTO_OK)
        return why;
    for (o = 0; o < m; o++)
        if ((why = tally_threshold_share_from_json(json_array_get(arr, o), &out[o])) != PROTO_OK) {
            *at = o;
            return why;
        }
    return PROTO_OK;
}

enum proto_reason tally_threshold_entry_parse(const char *text, size_t len, uint32_t m,
                                              uint32_t *holder, struct proof_share *out)
{
    enum proto_reason why;
    json_t *root = sjson_parse(text, len, TALLY_THRESHOLD_MAX_ENTRY, &why);
    uint32_t at;

    if (root == NULL)
        return why;
    why = tally_threshold_entry_from_json(root, m, holder, out, &at);
    json_decref(root);
    return why;
}

char *tally_threshold_entry_serialize(uint32_t holder, const struct proof_share *shares,
                                      uint32_t m, int pretty, size_t *len)
{
    struct sjson_out o;
    uint32_t k;

    sjson_out_init(&o, pretty, TALLY_THRESHOLD_MAX_ENTRY);
    sjson_out_begin_object(&o);
    sjson_out_key(&o, "holder");
    sjson_out_u32(&o, holder);
    sjson_out_key(&o, "shares");
    sjson_out_begin_array(&o);
    for (k = 0; k < m; k++) {
        sjson_out_begin_object(&o);
        sjson_out_key(&o, "D");
        sjson_out_hex(&o, shares[k].D, CRYPTO_BYTES);
        sjson_out_key(&o, "c");
        sjson_out_hex(&o, shares[k].c, CRYPTO_BYTES);
        sjson_out_key(&o, "s");
        sjson_out_hex(&o, shares[k].s, CRYPTO_BYTES);
        sjson_out_end_object(&o);
    }
    sjson_out_end_array(&o);
    sjson_out_end_object(&o);
    return sjson_out_finish(&o, len);
}

int tally_threshold_shares_create(const struct record *rec, uint32_t j,
                                  const unsigned char x[CRYPTO_BYTES], const struct tally *t,
                                  const struct crypto_rng *rng, struct proof_share *out)
{
    const struct record_threshold *th = record_threshold(rec);
    const unsigned char *X = th != NULL ? record_threshold_key_of(th, j) : NULL;
    unsigned char A[CRYPTO_BYTES], P[CRYPTO_BYTES];
    uint32_t o;

    if (X == NULL || tally_option_count(t) != record_option_count(rec))
        return -1;
    if (crypto_point_mul_base(P, x) != 0 || memcmp(P, X, CRYPTO_BYTES) != 0)
        return -1;              /* not this trustee's key share */
    for (o = 0; o < tally_option_count(t); o++) {
        tally_A(t, o, A);
        if (proof_tshare_create(record_fingerprint(rec), j, X, x, o, A, rng, &out[o]) != 0)
            return -1;
    }
    return 0;
}

enum proto_reason tally_threshold_shares_verify(const struct record *rec, uint32_t h,
                                                const struct tally *t,
                                                const struct proof_share *shares)
{
    const struct record_threshold *th = record_threshold(rec);
    const unsigned char *X;
    unsigned char A[CRYPTO_BYTES];
    enum proto_reason why;
    uint32_t o;

    if (th == NULL || tally_option_count(t) != record_option_count(rec))
        return PROTO_VALUE;
    X = h == 0 ? record_holder_key(rec, 0) : record_threshold_key_of(th, h);
    if (X == NULL)
        return PROTO_VALUE;             /* T8: an entry outside QUAL */
    for (o = 0; o < tally_option_count(t); o++) {
        if (crypto_point_check(shares[o].D) != PROTO_OK)
            return PROTO_POINT;
        if (crypto_scalar_check(shares[o].c) != PROTO_OK ||
            crypto_scalar_check(shares[o].s) != PROTO_OK)
            return PROTO_SCALAR;
        tally_A(t, o, A);
        why = h == 0 ? proof_share_verify(record_fingerprint(rec), 0, X, o, A, &shares[o])
                     : proof_tshare_verify(record_fingerprint(rec), h, X, o, A, &shares[o]);
        if (why != PROTO_OK)
            return why;
    }
    return PROTO_OK;
}

/* S: the first t trustee entries, after checking the order and members. */
static enum proto_reason tally_threshold_pick(const struct record_threshold *th,
                                              const struct tally_threshold_entry *entries,
                                              uint32_t n, uint32_t *S)
{
    uint32_t k, tt = record_threshold_t(th), got = 0;

    for (k = 0; k < n; k++) {
        if (k > 0 && entries[k].holder <= entries[k - 1].holder)
            return PROTO_VALUE;         /* holder 0 first, then ascending */
        if (entries[k].holder != 0 && record_threshold_key_of(th, entries[k].holder) == NULL)
            return PROTO_VALUE;
        if (entries[k].holder != 0 && got < tt)
            S[got++] = entries[k].holder;
    }
    if (n == 0 || entries[0].holder != 0 || got < tt)
        return PROTO_QUORUM;
    return PROTO_OK;
}

enum proto_reason tally_threshold_combine(const struct record *rec, const struct tally *t,
                                          const struct tally_threshold_entry *entries,
                                          uint32_t n, unsigned char (*D)[CRYPTO_BYTES])
{
    const struct record_threshold *th = record_threshold(rec);
    unsigned char lambda[PROTO_MAX_TRUSTEES][CRYPTO_BYTES], P[CRYPTO_BYTES];
    uint32_t S[PROTO_MAX_TRUSTEES], tt, k, o, m = tally_option_count(t);
    enum proto_reason why;

    if (th == NULL)
        return PROTO_VALUE;
    if ((why = tally_threshold_pick(th, entries, n, S)) != PROTO_OK)
        return why;
    tt = record_threshold_t(th);
    for (k = 0; k < tt; k++)            /* λ_j = Π_{k≠j} k·(k − j)^{−1} */
        if (poly_lagrange(S, tt, S[k], lambda[k]) != 0)
            return PROTO_INTERNAL;
    for (o = 0; o < m; o++) {
        memcpy(D[o], entries[0].shares[o].D, CRYPTO_BYTES);
        for (k = 0; k < tt; k++)        /* entries 1..t are S, in order */
            if (crypto_point_mul(P, lambda[k], entries[k + 1].shares[o].D) != 0 ||
                crypto_point_add(D[o], D[o], P) != 0)
                return PROTO_INTERNAL;
    }
    return PROTO_OK;
}

enum proto_reason tally_threshold_counts(const struct record *rec, const struct tally *t,
                                         const struct tally_threshold_entry *entries,
                                         uint32_t n, uint32_t *counts)
{
    unsigned char D[PROTO_MAX_OPTIONS][CRYPTO_BYTES];
    enum proto_reason why;

    memset(counts, 0, (size_t)tally_option_count(t) * sizeof *counts);
    if (tally_ballot_count(t) == 0)
        return tally_counts_decrypted(rec, t, NULL, counts);
    if ((why = tally_threshold_combine(rec, t, entries, n, D)) != PROTO_OK)
        return why;
    return tally_counts_decrypted(rec, t, (const unsigned char (*)[CRYPTO_BYTES])D, counts);
}

enum proto_reason tally_threshold_result_make(const struct record *rec, const struct tally *t,
                                              const struct tally_threshold_entry *entries,
                                              uint32_t n,
                                              const unsigned char (*trackers)[CRYPTO_BYTES],
                                              const struct sign_key *key,
                                              struct tally_result *out)
{
    unsigned char D[PROTO_MAX_OPTIONS][CRYPTO_BYTES];
    enum proto_reason why;

    memset(out, 0, sizeof *out);
    if (tally_ballot_count(t) > 0 &&
        (why = tally_threshold_combine(rec, t, entries, n, D)) != PROTO_OK)
        return why;
    return tally_result_make_decrypted(rec, t, (const unsigned char (*)[CRYPTO_BYTES])D, trackers,
                                       key, out);
}
