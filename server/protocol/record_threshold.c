/*
 * record_threshold.c — the "threshold" field of a threshold poll record
 * (PROTOCOL-threshold T6): reading, its rules, its part of the fingerprint,
 * writing, making it from a complete ceremony, and checking it against the
 * ceremony's transcript.
 *
 * record.c calls the hooks of record_internal.h at the points where a
 * threshold record differs from a v1 one; everything else about the record
 * (the poll's fields, holder 0's proof, the roll) is record.c's and holds
 * unchanged. Rules run in record.c's order: identity, then value.
 */
#include <stdlib.h>
#include <string.h>

#include "record_internal.h"
#include "record_threshold.h"
#include "utf8.h"

struct record_threshold_member {
    uint32_t index;
    struct record_str name;
    unsigned char X[CRYPTO_BYTES];
};

struct record_threshold {
    struct record_str ceremony;
    unsigned char digest[CRYPTO_BYTES];
    uint32_t t, count;
    struct record_threshold_member *members;    /* count, ascending index */
    unsigned char Y_T[CRYPTO_BYTES];
};

static const char *const record_threshold_keys[] = {
    "ceremony", "digest", "t", "trustees", "public_key"
};
static const char *const record_threshold_member_keys[] = {
    "index", "name", "verification_key"
};

void record_threshold_free(struct record_threshold *th)
{
    uint32_t k;

    if (th == NULL)
        return;
    for (k = 0; th->members != NULL && k < th->count; k++)
        free(th->members[k].name.s);
    free(th->members);
    free(th->ceremony.s);
    free(th);
}

static struct record_threshold *record_threshold_alloc(uint32_t count)
{
    struct record_threshold *th = calloc(1, sizeof *th);

    if (th == NULL)
        return NULL;
    th->count = count;
    if ((th->members = calloc(count ? count : 1, sizeof *th->members)) == NULL) {
        free(th);
        return NULL;
    }
    return th;
}

/* --- reading ------------------------------------------------------------------------- */

static enum proto_reason record_threshold_point(const json_t *v, unsigned char out[CRYPTO_BYTES])
{
    enum proto_reason why = sjson_hex(v, out, CRYPTO_BYTES);

    return why != PROTO_OK ? why : crypto_point_check(out);
}

static enum proto_reason record_threshold_member_from_json(const json_t *e,
                                                           struct record_threshold_member *m)
{
    enum proto_reason why;
    const char *s;
    size_t len;

    if ((why = sjson_object_exact(e, record_threshold_member_keys, 3)) != PROTO_OK ||
        (why = sjson_get_u32(e, "index", &m->index)) != PROTO_OK ||
        (why = sjson_get_str(e, "name", SIZE_MAX, &s, &len)) != PROTO_OK)
        return why;
    if (record_str_set(&m->name, s, len) != 0)
        return PROTO_INTERNAL;
    return record_threshold_point(json_object_get(e, "verification_key"), m->X);
}

static enum proto_reason record_threshold_fields(const json_t *obj, struct record_threshold *th)
{
    const json_t *arr = json_object_get(obj, "trustees");
    enum proto_reason why;
    const char *s;
    size_t len;
    uint32_t k;

    if ((why = sjson_get_str(obj, "ceremony", SIZE_MAX, &s, &len)) != PROTO_OK)
        return why;
    if (record_str_set(&th->ceremony, s, len) != 0)
        return PROTO_INTERNAL;
    if ((why = sjson_get_hex(obj, "digest", th->digest, CRYPTO_BYTES)) != PROTO_OK ||
        (why = sjson_get_u32(obj, "t", &th->t)) != PROTO_OK)
        return why;
    for (k = 0; k < th->count; k++)
        if ((why = record_threshold_member_from_json(json_array_get(arr, k), &th->members[k])) !=
            PROTO_OK)
            return why;
    return record_threshold_point(json_object_get(obj, "public_key"), th->Y_T);
}

enum proto_reason record_threshold_from_json(const json_t *obj, struct record_threshold **out)
{
    const json_t *arr = json_object_get(obj, "trustees");
    struct record_threshold *th;
    enum proto_reason why;

    *out = NULL;
    if ((why = sjson_object_exact(obj, record_threshold_keys, 5)) != PROTO_OK)
        return why;
    if (!json_is_array(arr))
        return PROTO_SHAPE;
    if (json_array_size(arr) > PROTO_MAX_TRUSTEES)
        return PROTO_VALUE;             /* a cap, as record.c's */
    if ((th = record_threshold_alloc((uint32_t)json_array_size(arr))) == NULL)
        return PROTO_INTERNAL;
    if ((why = record_threshold_fields(obj, th)) != PROTO_OK) {
        record_threshold_free(th);
        return why;
    }
    *out = th;
    return PROTO_OK;
}

/* --- rules --------------------------------------------------------------------------- */

enum proto_reason record_threshold_check_points(const struct record_threshold *th)
{
    uint32_t k;

    if (crypto_point_is_identity(th->Y_T))
        return PROTO_IDENTITY;
    for (k = 0; k < th->count; k++)
        if (crypto_point_is_identity(th->members[k].X))
            return PROTO_IDENTITY;
    return PROTO_OK;
}

/* A name or id: well-formed UTF-8 within the cap, non-empty if asked. */
static int record_threshold_str_ok(const struct record_str *s, int nonempty)
{
    return s->len <= PROTO_MAX_STRING && (!nonempty || s->len > 0) &&
           utf8_check(s->s, s->len) == 0;
}

/* QUAL as listed: 1 <= t <= |QUAL| <= 64, indices strictly ascending in
 * 1..64, names non-empty and distinct. */
static enum proto_reason record_threshold_check_members(const struct record_threshold *th)
{
    const struct record_threshold_member *m = th->members;
    uint32_t k, i;

    if (th->t < 1 || th->t > th->count || th->count > PROTO_MAX_TRUSTEES)
        return PROTO_VALUE;
    for (k = 0; k < th->count; k++) {
        if (m[k].index < 1 || m[k].index > PROTO_MAX_TRUSTEES ||
            (k > 0 && m[k].index <= m[k - 1].index) || !record_threshold_str_ok(&m[k].name, 1))
            return PROTO_VALUE;
        for (i = 0; i < k; i++)
            if (record_str_cmp(m[k].name.s, m[k].name.len, m[i].name.s, m[i].name.len) == 0)
                return PROTO_VALUE;
    }
    return PROTO_OK;
}

enum proto_reason record_threshold_check_values(const struct record *rec)
{
    const struct record_threshold *th = rec->th;
    unsigned char sum[CRYPTO_BYTES];
    enum proto_reason why;

    if (rec->K != 1)
        return PROTO_VALUE;             /* T6: holder 0, the server, alone */
    if (!record_threshold_str_ok(&th->ceremony, 0))
        return PROTO_VALUE;
    if ((why = record_threshold_check_members(th)) != PROTO_OK)
        return why;
    if (crypto_point_add(sum, rec->holders[0].X, th->Y_T) != 0)
        return PROTO_INTERNAL;
    return memcmp(sum, rec->Y, CRYPTO_BYTES) == 0 ? PROTO_OK : PROTO_VALUE;
}

/* --- fingerprint, writing ------------------------------------------------------------------ */

void record_threshold_hash(const struct record_threshold *th, struct crypto_hash *h)
{
    uint32_t k;

    crypto_hash_str(h, th->ceremony.s, th->ceremony.len);
    crypto_hash_b32(h, th->digest);
    crypto_hash_u32(h, th->t);
    crypto_hash_u32(h, th->count);
    for (k = 0; k < th->count; k++) {
        crypto_hash_u32(h, th->members[k].index);
        crypto_hash_str(h, th->members[k].name.s, th->members[k].name.len);
        crypto_hash_b32(h, th->members[k].X);
    }
    crypto_hash_b32(h, th->Y_T);
}

void record_threshold_write(const struct record_threshold *th, struct sjson_out *o)
{
    uint32_t k;

    sjson_out_begin_object(o);
    sjson_out_key(o, "ceremony");
    sjson_out_string(o, th->ceremony.s, th->ceremony.len);
    sjson_out_key(o, "digest");
    sjson_out_hex(o, th->digest, CRYPTO_BYTES);
    sjson_out_key(o, "t");
    sjson_out_u32(o, th->t);
    sjson_out_key(o, "trustees");
    sjson_out_begin_array(o);
    for (k = 0; k < th->count; k++) {
        sjson_out_begin_object(o);
        sjson_out_key(o, "index");
        sjson_out_u32(o, th->members[k].index);
        sjson_out_key(o, "name");
        sjson_out_string(o, th->members[k].name.s, th->members[k].name.len);
        sjson_out_key(o, "verification_key");
        sjson_out_hex(o, th->members[k].X, CRYPTO_BYTES);
        sjson_out_end_object(o);
    }
    sjson_out_end_array(o);
    sjson_out_key(o, "public_key");
    sjson_out_hex(o, th->Y_T, CRYPTO_BYTES);
    sjson_out_end_object(o);
}

/* --- councils ------------------------------------------------------------------------------ */

enum proto_reason record_council_of(const struct ceremony *c, struct record_council *out,
                                    struct record_council_trustee *trustees)
{
    uint32_t k, j;

    memset(out, 0, sizeof *out);
    if (!ceremony_is_complete(c))
        return PROTO_QUORUM;
    out->ceremony = ceremony_id(c, &out->ceremony_len);
    memcpy(out->digest, ceremony_digest(c), CRYPTO_BYTES);
    out->t = ceremony_t(c);
    out->count = ceremony_qual_count(c);
    for (k = 0; k < out->count; k++) {
        j = ceremony_qual_member(c, k);
        trustees[k].index = j;
        trustees[k].name = ceremony_trustee_name(c, j, &trustees[k].name_len);
        memcpy(trustees[k].X, ceremony_verification_key(c, j), CRYPTO_BYTES);
    }
    out->trustees = trustees;
    memcpy(out->Y_T, ceremony_council_key(c), CRYPTO_BYTES);
    return PROTO_OK;
}

enum proto_reason record_create_threshold(const struct record_params *p,
                                          const struct record_council *council,
                                          const struct crypto_rng *rng, struct record **out,
                                          unsigned char x0[CRYPTO_BYTES])
{
    struct record_threshold *th;
    uint32_t k;

    *out = NULL;
    if (council->count > PROTO_MAX_TRUSTEES)
        return PROTO_VALUE;
    if ((th = record_threshold_alloc(council->count)) == NULL ||
        record_str_set(&th->ceremony, council->ceremony, council->ceremony_len) != 0) {
        record_threshold_free(th);
        return PROTO_INTERNAL;
    }
    memcpy(th->digest, council->digest, CRYPTO_BYTES);
    th->t = council->t;
    memcpy(th->Y_T, council->Y_T, CRYPTO_BYTES);
    for (k = 0; k < council->count; k++) {
        th->members[k].index = council->trustees[k].index;
        memcpy(th->members[k].X, council->trustees[k].X, CRYPTO_BYTES);
        if (record_str_set(&th->members[k].name, council->trustees[k].name,
                           council->trustees[k].name_len) != 0) {
            record_threshold_free(th);
            return PROTO_INTERNAL;
        }
    }
    if (crypto_point_check(th->Y_T) != PROTO_OK) {
        record_threshold_free(th);
        return PROTO_POINT;
    }
    return record_create_with(p, NULL, 0, th, rng, out, x0);
}

enum proto_reason record_threshold_check(const struct record *rec, const struct ceremony *c)
{
    const struct record_threshold *th = rec->th;
    const struct record_threshold_member *m;
    size_t len;
    const char *s;
    uint32_t k;

    if (th == NULL)
        return PROTO_VALUE;
    if (!ceremony_is_complete(c))
        return PROTO_CEREMONY;
    s = ceremony_id(c, &len);
    if (record_str_cmp(th->ceremony.s, th->ceremony.len, s, len) != 0 ||
        memcmp(th->digest, ceremony_digest(c), CRYPTO_BYTES) != 0 || th->t != ceremony_t(c) ||
        th->count != ceremony_qual_count(c) ||
        memcmp(th->Y_T, ceremony_council_key(c), CRYPTO_BYTES) != 0)
        return PROTO_CEREMONY;
    for (k = 0; k < th->count; k++) {
        m = &th->members[k];
        s = ceremony_trustee_name(c, m->index, &len);
        if (m->index != ceremony_qual_member(c, k) || s == NULL ||
            record_str_cmp(m->name.s, m->name.len, s, len) != 0 ||
            memcmp(m->X, ceremony_verification_key(c, m->index), CRYPTO_BYTES) != 0)
            return PROTO_CEREMONY;
    }
    return PROTO_OK;
}

/* --- accessors ----------------------------------------------------------------------------- */

const char *record_threshold_ceremony(const struct record_threshold *th, size_t *len)
{
    if (len != NULL)
        *len = th->ceremony.len;
    return th->ceremony.s;
}

const unsigned char *record_threshold_digest(const struct record_threshold *th)
{
    return th->digest;
}

uint32_t record_threshold_t(const struct record_threshold *th) { return th->t; }
uint32_t record_threshold_count(const struct record_threshold *th) { return th->count; }

uint32_t record_threshold_index(const struct record_threshold *th, uint32_t k)
{
    return th->members[k].index;
}

const char *record_threshold_name(const struct record_threshold *th, uint32_t k, size_t *len)
{
    if (len != NULL)
        *len = th->members[k].name.len;
    return th->members[k].name.s;
}

const unsigned char *record_threshold_key(const struct record_threshold *th, uint32_t k)
{
    return th->members[k].X;
}

const unsigned char *record_threshold_public_key(const struct record_threshold *th)
{
    return th->Y_T;
}

const unsigned char *record_threshold_key_of(const struct record_threshold *th, uint32_t j)
{
    uint32_t k;

    for (k = 0; k < th->count; k++)
        if (th->members[k].index == j)
            return th->members[k].X;
    return NULL;
}
