/*
 * ceremony_json.c — the key ceremony's messages as JSON (PROTOCOL-threshold
 * T2–T5): strict readers for the setup, a dealing, a verdict and the whole
 * transcript, and writers with the member order of the vectors.
 *
 * Readers check only what the text shows (exact keys, types, counts: shape;
 * hex; canonical points; scalars below l) and leave the rules to
 * ceremony_check.c; the text entry points run both. Counts are capped
 * before anything is allocated: at most PROTO_MAX_TRUSTEES trustees, and a
 * message's text at most CEREMONY_MAX_MESSAGE bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony_internal.h"
#include "ceremony_json.h"
#include "sjson.h"

#define CEREMONY_MAX_MESSAGE    (1024u * 1024u)         /* a setup, dealing or verdict */
#define CEREMONY_MAX_TRANSCRIPT (64u * 1024u * 1024u)

static const char *const ceremony_setup_keys[] = { "id", "t", "trustees" };
static const char *const ceremony_transcript_keys[] = {
    "id", "t", "trustees", "dealings", "verdicts"
};
static const char *const ceremony_trustee_keys[] = { "name", "identity_key", "pok" };
static const char *const ceremony_pok_keys[] = { "c", "s" };
static const char *const ceremony_dealing_keys[] = {
    "dealer", "commitments", "ephemeral", "shares", "proof"
};
static const char *const ceremony_share_keys[] = { "to", "ct" };
static const char *const ceremony_dproof_keys[] = { "c", "s_id", "s_poly", "s_eph" };
static const char *const ceremony_verdict_keys[] = { "trustee", "dealings", "complaints", "proof" };
static const char *const ceremony_complaint_keys[] = { "dealer", "key" };

/* --- reading ------------------------------------------------------------------------- */

static enum proto_reason ceremony_point(const json_t *v, unsigned char out[CRYPTO_BYTES])
{
    enum proto_reason why = sjson_hex(v, out, CRYPTO_BYTES);

    return why != PROTO_OK ? why : crypto_point_check(out);
}

static enum proto_reason ceremony_scalar(const json_t *v, unsigned char out[CRYPTO_BYTES])
{
    enum proto_reason why = sjson_hex(v, out, CRYPTO_BYTES);

    return why != PROTO_OK ? why : crypto_scalar_check(out);
}

/* A setup entry {"name", "identity_key", "pok": {"c", "s"}}; the name is
 * borrowed from the tree. */
static enum proto_reason ceremony_trustee_from_json(const json_t *e, struct ceremony_identity *r)
{
    const json_t *pok = json_object_get(e, "pok");
    enum proto_reason why;

    if ((why = sjson_object_exact(e, ceremony_trustee_keys, 3)) != PROTO_OK ||
        (why = sjson_object_exact(pok, ceremony_pok_keys, 2)) != PROTO_OK ||
        (why = sjson_get_str(e, "name", SIZE_MAX, &r->name, &r->name_len)) != PROTO_OK ||
        (why = ceremony_point(json_object_get(e, "identity_key"), r->Z)) != PROTO_OK ||
        (why = ceremony_scalar(json_object_get(pok, "c"), r->pok.c)) != PROTO_OK)
        return why;
    return ceremony_scalar(json_object_get(pok, "s"), r->pok.s);
}

/* The setup's fields of obj (whose key set the caller checked), then T2. */
static enum proto_reason ceremony_setup_fields(const json_t *obj, struct ceremony **out)
{
    struct ceremony_identity reg;
    const json_t *arr = json_object_get(obj, "trustees");
    enum proto_reason why;
    struct ceremony *c;
    const char *id;
    size_t idlen, i;
    uint32_t t;

    *out = NULL;
    if ((why = sjson_get_str(obj, "id", SIZE_MAX, &id, &idlen)) != PROTO_OK ||
        (why = sjson_get_u32(obj, "t", &t)) != PROTO_OK)
        return why;
    if (!json_is_array(arr))
        return PROTO_SHAPE;
    if (json_array_size(arr) > PROTO_MAX_TRUSTEES || idlen > PROTO_MAX_STRING)
        return PROTO_VALUE;
    if ((c = ceremony_alloc(id, idlen, t, (uint32_t)json_array_size(arr))) == NULL)
        return PROTO_INTERNAL;
    for (i = 0; i < c->n; i++) {
        why = ceremony_trustee_from_json(json_array_get(arr, i), &reg);
        if (why == PROTO_OK && reg.name_len > PROTO_MAX_STRING)
            why = PROTO_VALUE;
        if (why == PROTO_OK && ceremony_set_trustee(c, (uint32_t)i + 1, &reg) != 0)
            why = PROTO_INTERNAL;
        if (why != PROTO_OK)
            break;
    }
    if (why == PROTO_OK)
        why = ceremony_setup_check(c);
    if (why != PROTO_OK) {
        ceremony_free(c);
        return why;
    }
    *out = c;
    return PROTO_OK;
}

enum proto_reason ceremony_setup_from_json(const json_t *obj, struct ceremony **out)
{
    enum proto_reason why = sjson_object_exact(obj, ceremony_setup_keys, 3);

    *out = NULL;
    return why != PROTO_OK ? why : ceremony_setup_fields(obj, out);
}

static enum proto_reason ceremony_shares_from_json(const json_t *arr,
                                                   struct ceremony_dealing *out)
{
    enum proto_reason why;
    uint32_t k;

    for (k = 0; k < out->nshares; k++) {
        const json_t *e = json_array_get(arr, k);

        if ((why = sjson_object_exact(e, ceremony_share_keys, 2)) != PROTO_OK ||
            (why = sjson_get_u32(e, "to", &out->to[k])) != PROTO_OK ||
            (why = sjson_get_hex(e, "ct", out->ct[k], CRYPTO_BYTES)) != PROTO_OK)
            return why;
    }
    return PROTO_OK;
}

enum proto_reason ceremony_dealing_from_json(const struct ceremony *c, const json_t *obj,
                                             struct ceremony_dealing *out)
{
    const json_t *com, *shares, *proof = json_object_get(obj, "proof");
    enum proto_reason why;
    uint32_t k;

    memset(out, 0, sizeof *out);
    if ((why = sjson_object_exact(obj, ceremony_dealing_keys, 5)) != PROTO_OK ||
        (why = sjson_get_u32(obj, "dealer", &out->dealer)) != PROTO_OK ||
        (why = sjson_get_array(obj, "commitments", c->t, c->t, &com)) != PROTO_OK)
        return why;
    out->t = c->t;
    for (k = 0; k < out->t; k++)
        if ((why = ceremony_point(json_array_get(com, k), out->C[k])) != PROTO_OK)
            return why;
    if ((why = ceremony_point(json_object_get(obj, "ephemeral"), out->R)) != PROTO_OK ||
        (why = sjson_get_array(obj, "shares", c->n - 1, c->n - 1, &shares)) != PROTO_OK)
        return why;
    out->nshares = c->n - 1;
    if ((why = ceremony_shares_from_json(shares, out)) != PROTO_OK ||
        (why = sjson_object_exact(proof, ceremony_dproof_keys, 4)) != PROTO_OK ||
        (why = ceremony_scalar(json_object_get(proof, "c"), out->proof.c)) != PROTO_OK ||
        (why = ceremony_scalar(json_object_get(proof, "s_id"), out->proof.s_id)) != PROTO_OK ||
        (why = ceremony_scalar(json_object_get(proof, "s_poly"), out->proof.s_poly)) != PROTO_OK)
        return why;
    return ceremony_scalar(json_object_get(proof, "s_eph"), out->proof.s_eph);
}

enum proto_reason ceremony_verdict_from_json(const json_t *obj, struct ceremony_verdict *out)
{
    const json_t *arr, *proof = json_object_get(obj, "proof");
    enum proto_reason why;
    uint32_t k;

    memset(out, 0, sizeof *out);
    if ((why = sjson_object_exact(obj, ceremony_verdict_keys, 4)) != PROTO_OK ||
        (why = sjson_get_u32(obj, "trustee", &out->trustee)) != PROTO_OK ||
        (why = sjson_get_hex(obj, "dealings", out->dealings, CRYPTO_BYTES)) != PROTO_OK ||
        (why = sjson_get_array(obj, "complaints", 0, PROTO_MAX_TRUSTEES - 1, &arr)) != PROTO_OK)
        return why;
    out->q = (uint32_t)json_array_size(arr);
    for (k = 0; k < out->q; k++) {
        const json_t *e = json_array_get(arr, k);

        if ((why = sjson_object_exact(e, ceremony_complaint_keys, 2)) != PROTO_OK ||
            (why = sjson_get_u32(e, "dealer", &out->complaints[k].dealer)) != PROTO_OK ||
            (why = ceremony_point(json_object_get(e, "key"), out->complaints[k].K)) != PROTO_OK)
            return why;
    }
    if ((why = sjson_object_exact(proof, ceremony_pok_keys, 2)) != PROTO_OK ||
        (why = ceremony_scalar(json_object_get(proof, "c"), out->proof.c)) != PROTO_OK)
        return why;
    return ceremony_scalar(json_object_get(proof, "s"), out->proof.s);
}

/* Records where a transcript failed and returns why. */
static enum proto_reason ceremony_fail(char *where, size_t wcap, enum proto_reason why,
                                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum proto_reason ceremony_fail(char *where, size_t wcap, enum proto_reason why,
                                       const char *fmt, ...)
{
    va_list ap;

    if (where != NULL && wcap > 0) {
        va_start(ap, fmt);
        vsnprintf(where, wcap, fmt, ap);
        va_end(ap);
    }
    return why;
}

/* The transcript's dealings (strictly ascending dealers), then round 1 closes. */
static enum proto_reason ceremony_dealings_from_json(struct ceremony *c, const json_t *arr,
                                                     char *where, size_t wcap)
{
    struct ceremony_dealing *d = malloc(sizeof *d);
    enum proto_reason why = PROTO_OK;
    uint32_t k, prev = 0;

    if (d == NULL)
        return ceremony_fail(where, wcap, PROTO_INTERNAL, "ceremony.dealings");
    for (k = 0; why == PROTO_OK && k < json_array_size(arr); k++) {
        if ((why = ceremony_dealing_from_json(c, json_array_get(arr, k), d)) == PROTO_OK)
            why = d->dealer <= prev ? PROTO_VALUE : ceremony_dealing_add(c, d);
        if (why != PROTO_OK)            /* (dealers strictly ascending) */
            ceremony_fail(where, wcap, why, "ceremony.dealings[%u]", k);
        prev = d->dealer;
    }
    free(d);
    if (why == PROTO_OK && ceremony_dealings_close(c) != 0)
        why = ceremony_fail(where, wcap, PROTO_INTERNAL, "ceremony.dealings");
    return why;
}

static enum proto_reason ceremony_verdicts_from_json(struct ceremony *c, const json_t *arr,
                                                     char *where, size_t wcap)
{
    struct ceremony_verdict *v = malloc(sizeof *v);
    enum proto_reason why = PROTO_OK;
    uint32_t k, prev = 0;

    if (v == NULL)
        return ceremony_fail(where, wcap, PROTO_INTERNAL, "ceremony.verdicts");
    for (k = 0; why == PROTO_OK && k < json_array_size(arr); k++) {
        if ((why = ceremony_verdict_from_json(json_array_get(arr, k), v)) == PROTO_OK)
            why = v->trustee <= prev ? PROTO_VALUE : ceremony_verdict_add(c, v);
        if (why != PROTO_OK)            /* (trustees strictly ascending) */
            ceremony_fail(where, wcap, why, "ceremony.verdicts[%u]", k);
        prev = v->trustee;
    }
    free(v);
    return why;
}

enum proto_reason ceremony_from_json(const json_t *obj, struct ceremony **out, char *where,
                                     size_t wcap)
{
    const json_t *dealings = json_object_get(obj, "dealings");
    const json_t *verdicts = json_object_get(obj, "verdicts");
    enum proto_reason why;
    struct ceremony *c = NULL;

    *out = NULL;
    if ((why = sjson_object_exact(obj, ceremony_transcript_keys, 5)) != PROTO_OK)
        return ceremony_fail(where, wcap, why, "ceremony");
    if ((why = ceremony_setup_fields(obj, &c)) != PROTO_OK)
        return ceremony_fail(where, wcap, why, "ceremony.trustees");
    if (!json_is_array(dealings) || !json_is_array(verdicts))
        why = ceremony_fail(where, wcap, PROTO_SHAPE, "ceremony");
    else if (json_array_size(dealings) > c->n || json_array_size(verdicts) > c->n)
        why = ceremony_fail(where, wcap, PROTO_VALUE, "ceremony");
    if (why == PROTO_OK && (why = ceremony_dealings_from_json(c, dealings, where, wcap)) ==
                               PROTO_OK &&
        (why = ceremony_verdicts_from_json(c, verdicts, where, wcap)) == PROTO_OK &&
        (why = ceremony_finish(c)) != PROTO_OK)
        ceremony_fail(where, wcap, why, "ceremony");
    if (why != PROTO_OK) {
        ceremony_free(c);
        return why;
    }
    *out = c;
    return PROTO_OK;
}

/* --- the text entry points ------------------------------------------------------------------ */

enum proto_reason ceremony_identity_parse(const char *id, size_t idlen, uint32_t i,
                                          const char *text, size_t len,
                                          struct ceremony_identity *out, char *name_buf,
                                          size_t cap)
{
    enum proto_reason why;
    json_t *root = sjson_parse(text, len, CEREMONY_MAX_MESSAGE, &why);

    memset(out, 0, sizeof *out);
    if (root == NULL)
        return why;
    if ((why = ceremony_trustee_from_json(root, out)) == PROTO_OK) {
        if (out->name_len >= cap) {
            why = PROTO_VALUE;
        } else {
            memcpy(name_buf, out->name, out->name_len);
            name_buf[out->name_len] = '\0';
            out->name = name_buf;
            why = ceremony_identity_check(id, idlen, i, out);
        }
    }
    if (why != PROTO_OK)
        memset(out, 0, sizeof *out);
    json_decref(root);
    return why;
}

static void ceremony_write_identity(struct sjson_out *o, const char *name, size_t name_len,
                                    const unsigned char Z[CRYPTO_BYTES],
                                    const struct proof_pair *pok)
{
    sjson_out_begin_object(o);
    sjson_out_key(o, "name");
    sjson_out_string(o, name, name_len);
    sjson_out_key(o, "identity_key");
    sjson_out_hex(o, Z, CRYPTO_BYTES);
    sjson_out_key(o, "pok");
    sjson_out_begin_object(o);
    sjson_out_key(o, "c");
    sjson_out_hex(o, pok->c, CRYPTO_BYTES);
    sjson_out_key(o, "s");
    sjson_out_hex(o, pok->s, CRYPTO_BYTES);
    sjson_out_end_object(o);
    sjson_out_end_object(o);
}

char *ceremony_identity_serialize(const struct ceremony_identity *reg, int pretty, size_t *len)
{
    struct sjson_out o;

    sjson_out_init(&o, pretty, CEREMONY_MAX_MESSAGE);
    ceremony_write_identity(&o, reg->name, reg->name_len, reg->Z, &reg->pok);
    return sjson_out_finish(&o, len);
}

enum proto_reason ceremony_setup_parse(const char *text, size_t len, struct ceremony **out)
{
    enum proto_reason why;
    json_t *root = sjson_parse(text, len, CEREMONY_MAX_MESSAGE, &why);

    *out = NULL;
    if (root == NULL)
        return why;
    why = ceremony_setup_from_json(root, out);
    json_decref(root);
    return why;
}

enum proto_reason ceremony_dealing_parse(const struct ceremony *c, const char *text, size_t len,
                                         struct ceremony_dealing *out)
{
    enum proto_reason why;
    json_t *root = sjson_parse(text, len, CEREMONY_MAX_MESSAGE, &why);

    if (root == NULL)
        return why;
    if ((why = ceremony_dealing_from_json(c, root, out)) == PROTO_OK)
        why = ceremony_dealing_check(c, out);
    json_decref(root);
    return why;
}

enum proto_reason ceremony_verdict_parse(const struct ceremony *c, const char *text, size_t len,
                                         struct ceremony_verdict *out)
{
    enum proto_reason why;
    json_t *root = sjson_parse(text, len, CEREMONY_MAX_MESSAGE, &why);

    if (root == NULL)
        return why;
    if ((why = ceremony_verdict_from_json(root, out)) == PROTO_OK)
        why = ceremony_verdict_check(c, out);
    json_decref(root);
    return why;
}

enum proto_reason ceremony_transcript_parse(const char *text, size_t len, struct ceremony **out,
                                            char *where, size_t wcap)
{
    enum proto_reason why;
    json_t *root = sjson_parse(text, len, CEREMONY_MAX_TRANSCRIPT, &why);

    *out = NULL;
    if (root == NULL)
        return ceremony_fail(where, wcap, why, "ceremony");
    why = ceremony_from_json(root, out, where, wcap);
    json_decref(root);
    return why;
}

/* --- writing --------------------------------------------------------------------------------- */

static void ceremony_write_trustees(const struct ceremony *c, struct sjson_out *o)
{
    uint32_t i;

    sjson_out_key(o, "id");
    sjson_out_string(o, c->id, c->id_len);
    sjson_out_key(o, "t");
    sjson_out_u32(o, c->t);
    sjson_out_key(o, "trustees");
    sjson_out_begin_array(o);
    for (i = 0; i < c->n; i++)
        ceremony_write_identity(o, c->trustees[i].name, c->trustees[i].name_len,
                                c->trustees[i].Z, &c->trustees[i].pok);
    sjson_out_end_array(o);
}

void ceremony_setup_write(const struct ceremony *c, struct sjson_out *o)
{
    sjson_out_begin_object(o);
    ceremony_write_trustees(c, o);
    sjson_out_end_object(o);
}

static void ceremony_write_hex_member(struct sjson_out *o, const char *key,
                                      const unsigned char b[CRYPTO_BYTES])
{
    sjson_out_key(o, key);
    sjson_out_hex(o, b, CRYPTO_BYTES);
}

void ceremony_dealing_write(const struct ceremony_dealing *d, struct sjson_out *o)
{
    uint32_t k;

    sjson_out_begin_object(o);
    sjson_out_key(o, "dealer");
    sjson_out_u32(o, d->dealer);
    sjson_out_key(o, "commitments");
    sjson_out_begin_array(o);
    for (k = 0; k < d->t; k++)
        sjson_out_hex(o, d->C[k], CRYPTO_BYTES);
    sjson_out_end_array(o);
    ceremony_write_hex_member(o, "ephemeral", d->R);
    sjson_out_key(o, "shares");
    sjson_out_begin_array(o);
    for (k = 0; k < d->nshares; k++) {
        sjson_out_begin_object(o);
        sjson_out_key(o, "to");
        sjson_out_u32(o, d->to[k]);
        ceremony_write_hex_member(o, "ct", d->ct[k]);
        sjson_out_end_object(o);
    }
    sjson_out_end_array(o);
    sjson_out_key(o, "proof");
    sjson_out_begin_object(o);
    ceremony_write_hex_member(o, "c", d->proof.c);
    ceremony_write_hex_member(o, "s_id", d->proof.s_id);
    ceremony_write_hex_member(o, "s_poly", d->proof.s_poly);
    ceremony_write_hex_member(o, "s_eph", d->proof.s_eph);
    sjson_out_end_object(o);
    sjson_out_end_object(o);
}

void ceremony_verdict_write(const struct ceremony_verdict *v, struct sjson_out *o)
{
    uint32_t k;

    sjson_out_begin_object(o);
    sjson_out_key(o, "trustee");
    sjson_out_u32(o, v->trustee);
    ceremony_write_hex_member(o, "dealings", v->dealings);
    sjson_out_key(o, "complaints");
    sjson_out_begin_array(o);
    for (k = 0; k < v->q; k++) {
        sjson_out_begin_object(o);
        sjson_out_key(o, "dealer");
        sjson_out_u32(o, v->complaints[k].dealer);
        ceremony_write_hex_member(o, "key", v->complaints[k].K);
        sjson_out_end_object(o);
    }
    sjson_out_end_array(o);
    sjson_out_key(o, "proof");
    sjson_out_begin_object(o);
    ceremony_write_hex_member(o, "c", v->proof.c);
    ceremony_write_hex_member(o, "s", v->proof.s);
    sjson_out_end_object(o);
    sjson_out_end_object(o);
}

void ceremony_transcript_write(const struct ceremony *c, struct sjson_out *o)
{
    uint32_t i;

    sjson_out_begin_object(o);
    ceremony_write_trustees(c, o);
    sjson_out_key(o, "dealings");
    sjson_out_begin_array(o);
    for (i = 0; i < c->n; i++)
        if (c->dealings[i] != NULL)
            ceremony_dealing_write(c->dealings[i], o);
    sjson_out_end_array(o);
    sjson_out_key(o, "verdicts");
    sjson_out_begin_array(o);
    for (i = 0; i < c->n; i++)
        if (c->verdicts[i] != NULL)
            ceremony_verdict_write(c->verdicts[i], o);
    sjson_out_end_array(o);
    sjson_out_end_object(o);
}

char *ceremony_setup_serialize(const struct ceremony *c, int pretty, size_t *len)
{
    struct sjson_out o;

    sjson_out_init(&o, pretty, CEREMONY_MAX_MESSAGE);
    ceremony_setup_write(c, &o);
    return sjson_out_finish(&o, len);
}

char *ceremony_dealing_serialize(const struct ceremony_dealing *d, int pretty, size_t *len)
{
    struct sjson_out o;

    sjson_out_init(&o, pretty, CEREMONY_MAX_MESSAGE);
    ceremony_dealing_write(d, &o);
    return sjson_out_finish(&o, len);
}

char *ceremony_verdict_serialize(const struct ceremony_verdict *v, int pretty, size_t *len)
{
    struct sjson_out o;

    sjson_out_init(&o, pretty, CEREMONY_MAX_MESSAGE);
    ceremony_verdict_write(v, &o);
    return sjson_out_finish(&o, len);
}

char *ceremony_transcript_serialize(const struct ceremony *c, int pretty, size_t *len)
{
    struct sjson_out o;

    sjson_out_init(&o, pretty, CEREMONY_MAX_TRANSCRIPT);
    ceremony_transcript_write(c, &o);
    return sjson_out_finish(&o, len);
}
