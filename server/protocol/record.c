/*
 * record.c — poll records (PROTOCOL §3): parse the board form, create one for
 * a new poll, validate every §1/§3 rule, roll digest and fingerprint. A
 * threshold record (PROTOCOL-threshold T6) is the same record with a
 * "threshold" field; what differs (that field, its rules, its part of the
 * fingerprint) is record_threshold.c's, called from the hooks here.
 *
 * Invariant: a struct record handed to a caller has passed record_validate,
 * and its roll_digest and fingerprint are computed from its fields. Checks
 * run in the order of PROTOCOL §10's table where a record can break several
 * rules: shape, hex, point, scalar (while parsing), then identity, value,
 * and last the proofs of knowledge (the only expensive step).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pubmul.h"
#include "record_internal.h"
#include "record_threshold.h"
#include "sjson.h"
#include "utf8.h"

static const char *const record_keys[] = {
    "id", "question", "options", "min", "max", "opens_at", "closes_at", "roll", "holders",
    "public_key", "threshold"       /* the last only in a threshold record (T6) */
};
static const char *const record_holder_keys[] = { "name", "public_key", "pok" };
static const char *const record_pok_keys[] = { "c", "s" };

/* --- strings, times ----------------------------------------------------------- */

int record_str_set(struct record_str *dst, const char *s, size_t len)
{
    dst->s = malloc(len + 1);
    if (dst->s == NULL)
        return -1;
    if (len > 0)
        memcpy(dst->s, s, len);
    dst->s[len] = '\0';
    dst->len = len;
    return 0;
}

int record_str_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);

    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static int record_digits(const char *s, size_t n, unsigned *out)
{
    size_t i;

    *out = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *out = *out * 10 + (unsigned)(s[i] - '0');
    }
    return 0;
}

int record_check_time(const char *s, size_t len)
{
    static const unsigned mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    unsigned y, mo, d, h, mi, se, dim;

    /* YYYY-MM-DDTHH:MM:SSZ, exactly 20 characters */
    if (len != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != 'Z')
        return -1;
    if (record_digits(s, 4, &y) || record_digits(s + 5, 2, &mo) ||
        record_digits(s + 8, 2, &d) || record_digits(s + 11, 2, &h) ||
        record_digits(s + 14, 2, &mi) || record_digits(s + 17, 2, &se))
        return -1;
    if (mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 59)
        return -1;
    dim = mdays[mo - 1];
    if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        dim = 29;
    return d >= 1 && d <= dim ? 0 : -1;
}

/* --- digests ----------------------------------------------------------------- */

static int record_digest_roll(const struct record *rec, unsigned char *tap, size_t cap,
                              size_t *taplen, unsigned char out[CRYPTO_BYTES])
{
    struct crypto_hash h;
    uint32_t i;

    /* roll_digest = Hd("roll", u32(n), str(v_1), ..., str(v_n)) */
    crypto_hash_init_tap(&h, CRYPTO_HD, "roll", tap, cap);
    crypto_hash_u32(&h, rec->n);
    for (i = 0; i < rec->n; i++)
        crypto_hash_str(&h, rec->roll[i].s, rec->roll[i].len);
    if (taplen != NULL)
        *taplen = h.tap_len;
    return crypto_hash_final_digest(&h, out);
}

static int record_digest_poll(const struct record *rec, unsigned char *tap, size_t cap,
                              size_t *taplen, unsigned char out[CRYPTO_BYTES])
{
    struct crypto_hash h;
    uint32_t i;

    /* PROTOCOL §3, or "t-poll" (PROTOCOL-threshold T6) */
    crypto_hash_init_tap(&h, CRYPTO_HD, rec->th != NULL ? "t-poll" : "poll", tap, cap);
    crypto_hash_str(&h, rec->id.s, rec->id.len);
    crypto_hash_str(&h, rec->question.s, rec->question.len);
    crypto_hash_u32(&h, rec->m);
    for (i = 0; i < rec->m; i++)
        crypto_hash_str(&h, rec->options[i].s, rec->options[i].len);
    crypto_hash_u32(&h, rec->min);
    crypto_hash_u32(&h, rec->max);
    crypto_hash_str(&h, rec->opens_at.s, rec->opens_at.len);
    crypto_hash_str(&h, rec->closes_at.s, rec->closes_at.len);
    crypto_hash_u32(&h, rec->n);
    crypto_hash_b32(&h, rec->roll_digest);
    if (rec->th == NULL)
        crypto_hash_u32(&h, rec->K);
    for (i = 0; i < rec->K; i++) {
        crypto_hash_str(&h, rec->holders[i].name.s, rec->holders[i].name.len);
        crypto_hash_b32(&h, rec->holders[i].X);
    }
    if (rec->th != NULL)
        record_threshold_hash(rec->th, &h);
    crypto_hash_b32(&h, rec->Y);
    if (taplen != NULL)
        *taplen = h.tap_len;
    return crypto_hash_final_digest(&h, out);
}

int record_hash_inputs(const struct record *rec, unsigned char *roll_buf, size_t roll_cap,
                       size_t *roll_len, unsigned char *fp_buf, size_t fp_cap, size_t *fp_len)
{
    unsigned char d[CRYPTO_BYTES];

    if (record_digest_roll(rec, roll_buf, roll_cap, roll_len, d) != 0)
        return -1;
    return record_digest_poll(rec, fp_buf, fp_cap, fp_len, d);
}

/* --- validation -------------------------------------------------------------- */

static int record_str_ok(const struct record_str *s, int nonempty)
{
    return s->len <= PROTO_MAX_STRING && (!nonempty || s->len > 0) &&
           utf8_check(s->s, s->len) == 0;
}

/* PROTOCOL §3: question, options, min/max, times. */
static enum proto_reason record_check_fields(const struct record *rec)
{
    uint32_t i, j;

    if (!record_str_ok(&rec->id, 0) || !record_str_ok(&rec->question, 1))
        return PROTO_VALUE;
    if (rec->m < 2 || rec->m > PROTO_MAX_OPTIONS)
        return PROTO_VALUE;
    for (i = 0; i < rec->m; i++) {
        if (!record_str_ok(&rec->options[i], 1))
            return PROTO_VALUE;
        for (j = 0; j < i; j++)
            if (record_str_cmp(rec->options[i].s, rec->options[i].len, rec->options[j].s,
                               rec->options[j].len) == 0)
                return PROTO_VALUE;
    }
    if (rec->min > rec->max || rec->max > rec->m || rec->max < 1)
        return PROTO_VALUE;
    if (record_check_time(rec->opens_at.s, rec->opens_at.len) != 0 ||
        record_check_time(rec->closes_at.s, rec->closes_at.len) != 0 ||
        strcmp(rec->opens_at.s, rec->closes_at.s) >= 0)
        return PROTO_VALUE;
    return PROTO_OK;
}

/* PROTOCOL §3: roll non-empty, strictly ascending; holders distinct. */
static enum proto_reason record_check_lists(const struct record *rec)
{
    uint32_t i, j;

    if (rec->n < 1 || rec->n > PROTO_MAX_ROLL)
        return PROTO_VALUE;
    for (i = 0; i < rec->n; i++) {
        if (!record_str_ok(&rec->roll[i], 0))
            return PROTO_VALUE;
        if (i > 0 && record_str_cmp(rec->roll[i - 1].s, rec->roll[i - 1].len, rec->roll[i].s,
                                    rec->roll[i].len) >= 0)
            return PROTO_VALUE;
    }
    if (rec->K < 1 || rec->K > PROTO_MAX_HOLDERS)
        return PROTO_VALUE;
    for (i = 0; i < rec->K; i++) {
        if (!record_str_ok(&rec->holders[i].name, 0))
            return PROTO_VALUE;
        for (j = 0; j < i; j++)
            if (record_str_cmp(rec->holders[i].name.s, rec->holders[i].name.len,
                               rec->holders[j].name.s, rec->holders[j].name.len) == 0)
                return PROTO_VALUE;
    }
    return PROTO_OK;
}

/* Y = Σ X_k. */
static enum proto_reason record_check_keys(const struct record *rec)
{
    unsigned char sum[CRYPTO_BYTES];
    uint32_t k;

    memset(sum, 0, sizeof sum);
    for (k = 0; k < rec->K; k++)
        if (crypto_point_add(sum, sum, rec->holders[k].X) != 0)
            return PROTO_INTERNAL;
    return memcmp(sum, rec->Y, CRYPTO_BYTES) == 0 ? PROTO_OK : PROTO_VALUE;
}

/* Runs every rule, then fills in roll_digest and fingerprint. */
static enum proto_reason record_validate(struct record *rec)
{
    enum proto_reason why;
    uint32_t k;

    if (crypto_point_is_identity(rec->Y))
        return PROTO_IDENTITY;
    for (k = 0; k < rec->K; k++)
        if (crypto_point_is_identity(rec->holders[k].X))
            return PROTO_IDENTITY;
    if (rec->th != NULL && (why = record_threshold_check_points(rec->th)) != PROTO_OK)
        return why;
    if ((why = record_check_fields(rec)) != PROTO_OK ||
        (why = record_check_lists(rec)) != PROTO_OK)
        return why;
    why = rec->th != NULL ? record_threshold_check_values(rec) : record_check_keys(rec);
    if (why != PROTO_OK)
        return why;
    for (k = 0; k < rec->K; k++) {
        why = proof_pok_verify(rec->id.s, rec->id.len, k, rec->holders[k].name.s,
                               rec->holders[k].name.len, rec->holders[k].X,
                               &rec->holders[k].pok);
        if (why != PROTO_OK)
            return why;
    }
    if (record_digest_roll(rec, NULL, 0, NULL, rec->roll_digest) != 0 ||
        record_digest_poll(rec, NULL, 0, NULL, rec->fingerprint) != 0)
        return PROTO_INTERNAL;
    pubmul_key_free(rec->Ykey);
    if ((rec->Ykey = pubmul_key_new(rec->Y)) == NULL)  /* once per loaded record */
        return PROTO_INTERNAL;
    return PROTO_OK;
}

/* --- construction -------------------------------------------------------------- */

void record_free(struct record *rec)
{
    uint32_t i;

    if (rec == NULL)
        return;
    free(rec->id.s);
    free(rec->question.s);
    free(rec->opens_at.s);
    free(rec->closes_at.s);
    for (i = 0; rec->options != NULL && i < rec->m; i++)
        free(rec->options[i].s);
    for (i = 0; rec->roll != NULL && i < rec->n; i++)
        free(rec->roll[i].s);
    for (i = 0; rec->holders != NULL && i < rec->K; i++)
        free(rec->holders[i].name.s);
    free(rec->options);
    free(rec->roll);
    free(rec->holders);
    record_threshold_free(rec->th);
    pubmul_key_free(rec->Ykey);
    free(rec);
}

/* Allocates a record with room for m options, n roll entries, K holders
 * (all strings NULL, so record_free works at any point of filling). */
static struct record *record_alloc(size_t m, size_t n, size_t K)
{
    struct record *rec = calloc(1, sizeof *rec);

    if (rec == NULL)
        return NULL;
    rec->m = (uint32_t)m;
    rec->n = (uint32_t)n;
    rec->K = (uint32_t)K;
    rec->options = calloc(m ? m : 1, sizeof *rec->options);
    rec->roll = calloc(n ? n : 1, sizeof *rec->roll);
    rec->holders = calloc(K ? K : 1, sizeof *rec->holders);
    if (rec->options == NULL || rec->roll == NULL || rec->holders == NULL) {
        record_free(rec);
        return NULL;
    }
    return rec;
}

static int record_set_cstr(struct record_str *dst, const char *s)
{
    return record_str_set(dst, s, s != NULL ? strlen(s) : 0);
}

/* Copies the caller's fields (everything but the keys). */
static int record_fill_params(struct record *rec, const struct record_params *p)
{
    size_t i;

    if (p->id == NULL || p->question == NULL || p->opens_at == NULL || p->closes_at == NULL)
        return -1;
    if (record_set_cstr(&rec->id, p->id) || record_set_cstr(&rec->question, p->question) ||
        record_set_cstr(&rec->opens_at, p->opens_at) ||
        record_set_cstr(&rec->closes_at, p->closes_at))
        return -1;
    for (i = 0; i < p->m; i++)
        if (p->options[i] == NULL || record_set_cstr(&rec->options[i], p->options[i]))
            return -1;
    for (i = 0; i < p->n; i++)
        if (p->roll[i] == NULL || record_set_cstr(&rec->roll[i], p->roll[i]))
            return -1;
    rec->min = p->min;
    rec->max = p->max;
    return 0;
}

/* Holder 0 from a fresh key, holders 1.. from the trustees, Y = Σ X_k. */
static int record_fill_holders(struct record *rec, const struct record_trustee *trustees,
                               const struct crypto_rng *rng, unsigned char x0[CRYPTO_BYTES])
{
    uint32_t k;

    if (record_set_cstr(&rec->holders[0].name, "server") != 0)
        return -1;
    if (proof_holder_keygen(rec->id.s, rec->id.len, 0, "server", 6, rng, x0,
                            rec->holders[0].X, &rec->holders[0].pok) != 0)
        return -1;
    memcpy(rec->Y, rec->holders[0].X, CRYPTO_BYTES);
    for (k = 1; k < rec->K; k++) {
        const struct record_trustee *t = &trustees[k - 1];

        if (t->name == NULL || record_set_cstr(&rec->holders[k].name, t->name) != 0)
            return -1;
        memcpy(rec->holders[k].X, t->X, CRYPTO_BYTES);
        rec->holders[k].pok = t->pok;
        if (crypto_point_check(t->X) != PROTO_OK || crypto_point_add(rec->Y, rec->Y, t->X) != 0)
            return -1;
    }
    return 0;
}

enum proto_reason record_create_with(const struct record_params *p,
                                     const struct record_trustee *trustees, size_t ntrustees,
                                     struct record_threshold *th, const struct crypto_rng *rng,
                                     struct record **out, unsigned char x0[CRYPTO_BYTES])
{
    enum proto_reason why = PROTO_VALUE;
    struct record *rec = NULL;

    *out = NULL;
    if (p->m > PROTO_MAX_OPTIONS || p->n > PROTO_MAX_ROLL || ntrustees >= PROTO_MAX_HOLDERS) {
        record_threshold_free(th);
        goto fail;
    }
    why = PROTO_INTERNAL;
    rec = record_alloc(p->m, p->n, ntrustees + 1);
    if (rec == NULL) {
        record_threshold_free(th);
        goto fail;
    }
    rec->th = th;                       /* owned by rec from here on */
    why = PROTO_VALUE;
    if (record_fill_params(rec, p) != 0 || record_fill_holders(rec, trustees, rng, x0) != 0)
        goto fail;
    /* T6: Y = X_0 + Y_T */
    if (th != NULL && crypto_point_add(rec->Y, rec->Y, record_threshold_public_key(th)) != 0)
        goto fail;
    if ((why = record_validate(rec)) != PROTO_OK)
        goto fail;
    *out = rec;
    return PROTO_OK;
fail:
    sodium_memzero(x0, CRYPTO_BYTES);
    record_free(rec);
    return why;
}

enum proto_reason record_create(const struct record_params *p,
                                const struct record_trustee *trustees, size_t ntrustees,
                                const struct crypto_rng *rng, struct record **out,
                                unsigned char x0[CRYPTO_BYTES])
{
    return record_create_with(p, trustees, ntrustees, NULL, rng, out, x0);
}

/* --- parsing ------------------------------------------------------------------ */

static enum proto_reason record_get_str(const json_t *obj, const char *key,
                                        struct record_str *dst)
{
    enum proto_reason why;
    const char *s;
    size_t len;

    if ((why = sjson_get_str(obj, key, SIZE_MAX, &s, &len)) != PROTO_OK)
        return why;
    return record_str_set(dst, s, len) == 0 ? PROTO_OK : PROTO_INTERNAL;
}

static enum proto_reason record_str_at(const json_t *arr, size_t i, struct record_str *dst)
{
    const json_t *v = json_array_get(arr, i);

    if (!json_is_string(v))
        return PROTO_SHAPE;
    if (record_str_set(dst, json_string_value(v), json_string_length(v)) != 0)
        return PROTO_INTERNAL;
    return PROTO_OK;
}

/* A point field that must decode (the identity is judged later). */
static enum proto_reason record_get_point(const json_t *obj, const char *key,
                                          unsigned char out[CRYPTO_BYTES])
{
    enum proto_reason why = sjson_get_hex(obj, key, out, CRYPTO_BYTES);

    return why != PROTO_OK ? why : crypto_point_check(out);
}

static enum proto_reason record_get_scalar(const json_t *obj, const char *key,
                                           unsigned char out[CRYPTO_BYTES])
{
    enum proto_reason why = sjson_get_hex(obj, key, out, CRYPTO_BYTES);

    return why != PROTO_OK ? why : crypto_scalar_check(out);
}

static enum proto_reason record_parse_holder(const json_t *h, struct record_holder *dst)
{
    enum proto_reason why;
    const json_t *pok;

    if ((why = sjson_object_exact(h, record_holder_keys, 3)) != PROTO_OK)
        return why;
    pok = json_object_get(h, "pok");
    if ((why = sjson_object_exact(pok, record_pok_keys, 2)) != PROTO_OK)
        return why;
    if ((why = record_get_str(h, "name", &dst->name)) != PROTO_OK ||
        (why = record_get_point(h, "public_key", dst->X)) != PROTO_OK ||
        (why = record_get_scalar(pok, "c", dst->pok.c)) != PROTO_OK ||
        (why = record_get_scalar(pok, "s", dst->pok.s)) != PROTO_OK)
        return why;
    return PROTO_OK;
}

/* The lists' JSON types; sizes past our caps are PROTO_VALUE. */
static enum proto_reason record_list_sizes(const json_t *obj, size_t *m, size_t *n, size_t *K)
{
    const json_t *o = json_object_get(obj, "options"), *r = json_object_get(obj, "roll");
    const json_t *h = json_object_get(obj, "holders");

    if (!json_is_array(o) || !json_is_array(r) || !json_is_array(h))
        return PROTO_SHAPE;
    *m = json_array_size(o);
    *n = json_array_size(r);
    *K = json_array_size(h);
    if (*m > PROTO_MAX_OPTIONS || *n > PROTO_MAX_ROLL || *K > PROTO_MAX_HOLDERS)
        return PROTO_VALUE;
    return PROTO_OK;
}

static enum proto_reason record_parse_fields(const json_t *obj, struct record *rec)
{
    const json_t *opts = json_object_get(obj, "options"), *roll = json_object_get(obj, "roll");
    const json_t *holders = json_object_get(obj, "holders");
    enum proto_reason why;
    uint32_t i;

    if ((why = record_get_str(obj, "id", &rec->id)) != PROTO_OK ||
        (why = record_get_str(obj, "question", &rec->question)) != PROTO_OK ||
        (why = sjson_get_u32(obj, "min", &rec->min)) != PROTO_OK ||
        (why = sjson_get_u32(obj, "max", &rec->max)) != PROTO_OK ||
        (why = record_get_str(obj, "opens_at", &rec->opens_at)) != PROTO_OK ||
        (why = record_get_str(obj, "closes_at", &rec->closes_at)) != PROTO_OK)
        return why;
    for (i = 0; i < rec->m; i++)
        if ((why = record_str_at(opts, i, &rec->options[i])) != PROTO_OK)
            return why;
    for (i = 0; i < rec->n; i++)
        if ((why = record_str_at(roll, i, &rec->roll[i])) != PROTO_OK)
            return why;
    for (i = 0; i < rec->K; i++)
        if ((why = record_parse_holder(json_array_get(holders, i), &rec->holders[i])) != PROTO_OK)
            return why;
    return record_get_point(obj, "public_key", rec->Y);
}

enum proto_reason record_from_json_kind(const json_t *obj, unsigned kinds, struct record **out)
{
    int threshold = json_object_get(obj, "threshold") != NULL;
    enum proto_reason why;
    struct record *rec = NULL;
    size_t m, n, K;

    *out = NULL;
    /* A v1 reader rejects the field "threshold" as shape (T6), a threshold
     * reader its absence. */
    if (!(kinds & (threshold ? RECORD_THRESHOLD : RECORD_V1)))
        return PROTO_SHAPE;
    if ((why = sjson_object_exact(obj, record_keys, threshold ? 11 : 10)) != PROTO_OK ||
        (why = record_list_sizes(obj, &m, &n, &K)) != PROTO_OK)
        return why;
    rec = record_alloc(m, n, K);
    if (rec == NULL)
        return PROTO_INTERNAL;
    if ((why = record_parse_fields(obj, rec)) != PROTO_OK ||
        (threshold && (why = record_threshold_from_json(json_object_get(obj, "threshold"),
                                                        &rec->th)) != PROTO_OK) ||
        (why = record_validate(rec)) != PROTO_OK) {
        record_free(rec);
        return why;
    }
    *out = rec;
    return PROTO_OK;
}

enum proto_reason record_from_json(const json_t *obj, struct record **out)
{
    return record_from_json_kind(obj, RECORD_V1, out);
}

enum proto_reason record_parse_kind(const char *text, size_t len, unsigned kinds,
                                    struct record **out)
{
    enum proto_reason why;
    json_t *root = sjson_parse(text, len, PROTO_MAX_RECORD, &why);

    *out = NULL;
    if (root == NULL)
        return why;
    why = record_from_json_kind(root, kinds, out);
    json_decref(root);
    return why;
}

enum proto_reason record_parse(const char *text, size_t len, struct record **out)
{
    return record_parse_kind(text, len, RECORD_V1, out);
}

/* --- output -------------------------------------------------------------------- */

void record_write(const struct record *rec, struct sjson_out *o)
{
    uint32_t i;

    sjson_out_begin_object(o);
    sjson_out_key(o, "id");
    sjson_out_string(o, rec->id.s, rec->id.len);
    sjson_out_key(o, "question");
    sjson_out_string(o, rec->question.s, rec->question.len);
    sjson_out_key(o, "options");
    sjson_out_begin_array(o);
    for (i = 0; i < rec->m; i++)
        sjson_out_string(o, rec->options[i].s, rec->options[i].len);
    sjson_out_end_array(o);
    sjson_out_key(o, "min");
    sjson_out_u32(o, rec->min);
    sjson_out_key(o, "max");
    sjson_out_u32(o, rec->max);
    sjson_out_key(o, "opens_at");
    sjson_out_string(o, rec->opens_at.s, rec->opens_at.len);
    sjson_out_key(o, "closes_at");
    sjson_out_string(o, rec->closes_at.s, rec->closes_at.len);
    sjson_out_key(o, "roll");
    sjson_out_begin_array(o);
    for (i = 0; i < rec->n; i++)
        sjson_out_string(o, rec->roll[i].s, rec->roll[i].len);
    sjson_out_end_array(o);
    sjson_out_key(o, "holders");
    sjson_out_begin_array(o);
    for (i = 0; i < rec->K; i++) {
        sjson_out_begin_object(o);
        sjson_out_key(o, "name");
        sjson_out_string(o, rec->holders[i].name.s, rec->holders[i].name.len);
        sjson_out_key(o, "public_key");
        sjson_out_hex(o, rec->holders[i].X, CRYPTO_BYTES);
        sjson_out_key(o, "pok");
        sjson_out_begin_object(o);
        sjson_out_key(o, "c");
        sjson_out_hex(o, rec->holders[i].pok.c, CRYPTO_BYTES);
        sjson_out_key(o, "s");
        sjson_out_hex(o, rec->holders[i].pok.s, CRYPTO_BYTES);
        sjson_out_end_object(o);
        sjson_out_end_object(o);
    }
    sjson_out_end_array(o);
    if (rec->th != NULL) {
        sjson_out_key(o, "threshold");
        record_threshold_write(rec->th, o);
    }
    sjson_out_key(o, "public_key");
    sjson_out_hex(o, rec->Y, CRYPTO_BYTES);
    sjson_out_end_object(o);
}

char *record_serialize(const struct record *rec, int pretty, size_t *len)
{
    struct sjson_out o;

    sjson_out_init(&o, pretty, PROTO_MAX_RECORD);
    record_write(rec, &o);
    return sjson_out_finish(&o, len);
}

/* --- accessors ----------------------------------------------------------------- */

const char *record_id(const struct record *rec, size_t *len)
{
    if (len != NULL)
        *len = rec->id.len;
    return rec->id.s;
}

const char *record_question(const struct record *rec, size_t *len)
{
    if (len != NULL)
        *len = rec->question.len;
    return rec->question.s;
}

uint32_t record_option_count(const struct record *rec) { return rec->m; }
uint32_t record_min(const struct record *rec) { return rec->min; }
uint32_t record_max(const struct record *rec) { return rec->max; }
uint32_t record_roll_count(const struct record *rec) { return rec->n; }
uint32_t record_holder_count(const struct record *rec) { return rec->K; }
const char *record_opens_at(const struct record *rec) { return rec->opens_at.s; }
const char *record_closes_at(const struct record *rec) { return rec->closes_at.s; }
const unsigned char *record_public_key(const struct record *rec) { return rec->Y; }
const struct pubmul_key *record_public_key_table(const struct record *rec) { return rec->Ykey; }
const unsigned char *record_roll_digest(const struct record *rec) { return rec->roll_digest; }
const unsigned char *record_fingerprint(const struct record *rec) { return rec->fingerprint; }
const struct record_threshold *record_threshold(const struct record *rec) { return rec->th; }

const char *record_option(const struct record *rec, uint32_t j, size_t *len)
{
    if (len != NULL)
        *len = rec->options[j].len;
    return rec->options[j].s;
}

const char *record_roll_entry(const struct record *rec, uint32_t i, size_t *len)
{
    if (len != NULL)
        *len = rec->roll[i].len;
    return rec->roll[i].s;
}

const char *record_holder_name(const struct record *rec, uint32_t k, size_t *len)
{
    if (len != NULL)
        *len = rec->holders[k].name.len;
    return rec->holders[k].name.s;
}

const unsigned char *record_holder_key(const struct record *rec, uint32_t k)
{
    return rec->holders[k].X;
}

const struct proof_pair *record_holder_pok(const struct record *rec, uint32_t k)
{
    return &rec->holders[k].pok;
}

int record_roll_contains(const struct record *rec, const char *voter, size_t len)
{
    size_t lo = 0, hi = rec->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = record_str_cmp(rec->roll[mid].s, rec->roll[mid].len, voter, len);

        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int record_is_promotion(const struct record *rec)
{
    return rec->m == 2 && rec->min == 1 && rec->max == 1;
}
