/*
 * ceremony.c — a key ceremony's setup, rounds and digests
 * (PROTOCOL-threshold T2, T3, T5): making and checking the setup, adding
 * dealings and verdicts in their rounds, the setup, dealings and ceremony
 * digests, and the pads that encrypt the shares.
 *
 * Invariant: everything stored in a struct ceremony passed its checks
 * (ceremony_check.c), so the digests and the outcome are computed only
 * from valid messages; a rejected message leaves the ceremony unchanged.
 * The rules themselves are in ceremony_check.c, the JSON in
 * ceremony_json.c.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ceremony_internal.h"
#include "poly.h"

/* --- lifetime ------------------------------------------------------------------------ */

struct ceremony *ceremony_alloc(const char *id, size_t idlen, uint32_t t, uint32_t n)
{
    struct ceremony *c;

    if (n > PROTO_MAX_TRUSTEES || idlen > PROTO_MAX_STRING || (c = calloc(1, sizeof *c)) == NULL)
        return NULL;
    if ((c->id = malloc(idlen + 1)) == NULL) {
        free(c);
        return NULL;
    }
    if (idlen > 0)
        memcpy(c->id, id, idlen);
    c->id[idlen] = '\0';
    c->id_len = idlen;
    c->t = t;
    c->n = n;
    c->round = CEREMONY_ROUND_DEALINGS;
    return c;
}

void ceremony_free(struct ceremony *c)
{
    uint32_t i;

    if (c == NULL)
        return;
    for (i = 0; i < PROTO_MAX_TRUSTEES; i++) {
        free(c->trustees[i].name);
        free(c->dealings[i]);
        free(c->verdicts[i]);
    }
    free(c->id);
    free(c);
}

int ceremony_set_trustee(struct ceremony *c, uint32_t i, const struct ceremony_identity *reg)
{
    struct ceremony_member *m;

    if (i < 1 || i > c->n || reg->name_len > PROTO_MAX_STRING)
        return -1;
    m = &c->trustees[i - 1];
    free(m->name);
    if ((m->name = malloc(reg->name_len + 1)) == NULL)
        return -1;
    if (reg->name_len > 0)
        memcpy(m->name, reg->name, reg->name_len);
    m->name[reg->name_len] = '\0';
    m->name_len = reg->name_len;
    memcpy(m->Z, reg->Z, CRYPTO_BYTES);
    m->pok = reg->pok;
    return 0;
}

enum proto_reason ceremony_create(const char *id, size_t idlen, uint32_t t,
                                  const struct ceremony_identity *trustees, uint32_t n,
                                  struct ceremony **out)
{
    enum proto_reason why;
    struct ceremony *c;
    uint32_t i;

    *out = NULL;
    if (n > PROTO_MAX_TRUSTEES || idlen > PROTO_MAX_STRING)
        return PROTO_VALUE;
    for (i = 0; i < n; i++)
        if (trustees[i].name_len > PROTO_MAX_STRING)
            return PROTO_VALUE;
    if ((c = ceremony_alloc(id, idlen, t, n)) == NULL)
        return PROTO_INTERNAL;
    why = PROTO_INTERNAL;
    for (i = 1; i <= n; i++)
        if (ceremony_set_trustee(c, i, &trustees[i - 1]) != 0)
            goto fail;
    if ((why = ceremony_setup_check(c)) != PROTO_OK)
        goto fail;
    *out = c;
    return PROTO_OK;
fail:
    ceremony_free(c);
    return why;
}

/* --- accessors ------------------------------------------------------------------------ */

const char *ceremony_id(const struct ceremony *c, size_t *len)
{
    if (len != NULL)
        *len = c->id_len;
    return c->id;
}

uint32_t ceremony_t(const struct ceremony *c) { return c->t; }
uint32_t ceremony_n(const struct ceremony *c) { return c->n; }
const unsigned char *ceremony_setup_digest(const struct ceremony *c) { return c->setup_digest; }
uint32_t ceremony_dealing_count(const struct ceremony *c) { return c->ndealings; }
uint32_t ceremony_verdict_count(const struct ceremony *c) { return c->nverdicts; }

const char *ceremony_trustee_name(const struct ceremony *c, uint32_t i, size_t *len)
{
    if (i < 1 || i > c->n)
        return NULL;
    if (len != NULL)
        *len = c->trustees[i - 1].name_len;
    return c->trustees[i - 1].name;
}

const unsigned char *ceremony_trustee_key(const struct ceremony *c, uint32_t i)
{
    return i >= 1 && i <= c->n ? c->trustees[i - 1].Z : NULL;
}

const struct ceremony_dealing *ceremony_dealing_of(const struct ceremony *c, uint32_t i)
{
    return i >= 1 && i <= c->n ? c->dealings[i - 1] : NULL;
}

const struct ceremony_verdict *ceremony_verdict_of(const struct ceremony *c, uint32_t j)
{
    return j >= 1 && j <= c->n ? c->verdicts[j - 1] : NULL;
}

const unsigned char *ceremony_dealings_digest(const struct ceremony *c)
{
    return c->round != CEREMONY_ROUND_DEALINGS ? c->dealings_digest : NULL;
}

/* --- digests ---------------------------------------------------------------------------- */

int ceremony_digest_setup(const struct ceremony *c, unsigned char out[CRYPTO_BYTES])
{
    struct crypto_hash h;
    uint32_t i;

    /* T2: Hd("t-setup", str(id), u32(t), u32(n), str(name_1), Z_1, ...) */
    crypto_hash_init(&h, CRYPTO_HD, "t-setup");
    crypto_hash_str(&h, c->id, c->id_len);
    crypto_hash_u32(&h, c->t);
    crypto_hash_u32(&h, c->n);
    for (i = 0; i < c->n; i++) {
        crypto_hash_str(&h, c->trustees[i].name, c->trustees[i].name_len);
        crypto_hash_b32(&h, c->trustees[i].Z);
    }
    return crypto_hash_final_digest(&h, out);
}

static void ceremony_hash_dealing(struct crypto_hash *h, const struct ceremony_dealing *d)
{
    uint32_t k;

    crypto_hash_u32(h, d->dealer);
    for (k = 0; k < d->t; k++)
        crypto_hash_b32(h, d->C[k]);
    crypto_hash_b32(h, d->R);
    for (k = 0; k < d->nshares; k++) {
        crypto_hash_u32(h, d->to[k]);
        crypto_hash_b32(h, d->ct[k]);
    }
    crypto_hash_b32(h, d->proof.c);
    crypto_hash_b32(h, d->proof.s_id);
    crypto_hash_b32(h, d->proof.s_poly);
    crypto_hash_b32(h, d->proof.s_eph);
}

int ceremony_digest_dealings(const struct ceremony *c, unsigned char out[CRYPTO_BYTES])
{
    struct crypto_hash h;
    uint32_t i;

    /* T3: Hd("t-dealings", setup_digest, u32(D), each dealing ascending) */
    crypto_hash_init(&h, CRYPTO_HD, "t-dealings");
    crypto_hash_b32(&h, c->setup_digest);
    crypto_hash_u32(&h, c->ndealings);
    for (i = 0; i < c->n; i++)
        if (c->dealings[i] != NULL)
            ceremony_hash_dealing(&h, c->dealings[i]);
    return crypto_hash_final_digest(&h, out);
}

int ceremony_digest_ceremony(const struct ceremony *c, unsigned char out[CRYPTO_BYTES])
{
    const struct ceremony_verdict *v;
    struct crypto_hash h;
    uint32_t j, k;

    /* T5: Hd("t-ceremony", setup_digest, dealings_digest, u32(V), then per
     * verdict u32(j), u32(q_j), (u32(i), K_i) per complaint, c, s) */
    crypto_hash_init(&h, CRYPTO_HD, "t-ceremony");
    crypto_hash_b32(&h, c->setup_digest);
    crypto_hash_b32(&h, c->dealings_digest);
    crypto_hash_u32(&h, c->nverdicts);
    for (j = 0; j < c->n; j++) {
        if ((v = c->verdicts[j]) == NULL)
            continue;
        crypto_hash_u32(&h, v->trustee);
        crypto_hash_u32(&h, v->q);
        for (k = 0; k < v->q; k++) {
            crypto_hash_u32(&h, v->complaints[k].dealer);
            crypto_hash_b32(&h, v->complaints[k].K);
        }
        crypto_hash_b32(&h, v->proof.c);
        crypto_hash_b32(&h, v->proof.s);
    }
    return crypto_hash_final_digest(&h, out);
}

/* --- rounds ------------------------------------------------------------------------------ */

enum proto_reason ceremony_dealing_add(struct ceremony *c, const struct ceremony_dealing *d)
{
    enum proto_reason why;
    struct ceremony_dealing *copy;

    if (c->round != CEREMONY_ROUND_DEALINGS)
        return PROTO_VALUE;
    if ((why = ceremony_dealing_check(c, d)) != PROTO_OK)
        return why;
    if (c->dealings[d->dealer - 1] != NULL)
        return PROTO_VALUE;             /* T3: one dealing per trustee */
    if ((copy = malloc(sizeof *copy)) == NULL)
        return PROTO_INTERNAL;
    memcpy(copy, d, sizeof *copy);
    assert(d->dealer >= 1 && d->dealer <= c->n && c->ndealings < c->n);  /* checked */
    c->dealings[d->dealer - 1] = copy;
    c->ndealings++;
    return PROTO_OK;
}

int ceremony_dealings_close(struct ceremony *c)
{
    if (c->round != CEREMONY_ROUND_DEALINGS)
        return 0;
    if (ceremony_digest_dealings(c, c->dealings_digest) != 0)
        return -1;
    c->round = CEREMONY_ROUND_VERDICTS;
    return 0;
}

enum proto_reason ceremony_verdict_add(struct ceremony *c, const struct ceremony_verdict *v)
{
    enum proto_reason why;
    struct ceremony_verdict *copy;

    if (c->round != CEREMONY_ROUND_VERDICTS)
        return PROTO_VALUE;
    if ((why = ceremony_verdict_check(c, v)) != PROTO_OK)
        return why;
    if (c->verdicts[v->trustee - 1] != NULL)
        return PROTO_VALUE;             /* T4: one verdict per trustee */
    if ((copy = malloc(sizeof *copy)) == NULL)
        return PROTO_INTERNAL;
    memcpy(copy, v, sizeof *copy);
    assert(v->trustee >= 1 && v->trustee <= c->n && c->nverdicts < c->n);  /* checked */
    c->verdicts[v->trustee - 1] = copy;
    c->nverdicts++;
    return PROTO_OK;
}

/* --- shares ---------------------------------------------------------------------------------- */

int ceremony_share_pad(const struct ceremony *c, uint32_t i, uint32_t j,
                       const unsigned char R[CRYPTO_BYTES], const unsigned char K[CRYPTO_BYTES],
                       unsigned char pad[CRYPTO_BYTES])
{
    struct crypto_hash h;

    if (i < 1 || i > c->n || j < 1 || j > c->n || i == j)
        return -1;
    /* T3: pad_ij = Hd("t-pad", setup_digest, u32(i), u32(j), R_i, Z_j, K_ij) */
    crypto_hash_init(&h, CRYPTO_HD, "t-pad");
    crypto_hash_b32(&h, c->setup_digest);
    crypto_hash_u32(&h, i);
    crypto_hash_u32(&h, j);
    crypto_hash_b32(&h, R);
    crypto_hash_b32(&h, c->trustees[j - 1].Z);
    crypto_hash_b32(&h, K);
    return crypto_hash_final_digest(&h, pad);
}

int ceremony_share_open(const struct ceremony *c, uint32_t i, uint32_t j,
                        const unsigned char K[CRYPTO_BYTES], unsigned char u[CRYPTO_BYTES])
{
    const struct ceremony_dealing *d = ceremony_dealing_of(c, i);
    unsigned char pad[CRYPTO_BYTES];
    uint32_t k, b;

    if (d == NULL)
        return -1;
    for (k = 0; k < d->nshares && d->to[k] != j; k++)
        ;
    if (k == d->nshares || ceremony_share_pad(c, i, j, d->R, K, pad) != 0)
        return -1;
    for (b = 0; b < CRYPTO_BYTES; b++)
        u[b] = (unsigned char)(d->ct[k][b] ^ pad[b]);
    sodium_memzero(pad, sizeof pad);
    return 0;
}

int ceremony_share_good(const struct ceremony *c, uint32_t i, uint32_t j,
                        const unsigned char u[CRYPTO_BYTES])
{
    const struct ceremony_dealing *d = ceremony_dealing_of(c, i);
    unsigned char want[CRYPTO_BYTES], got[CRYPTO_BYTES];
    int good;

    /* T4: good iff u < l (read little-endian) and u·G = Σ_k j^k·C_{i,k} */
    if (d == NULL || poly_eval_commitments(d->C, d->t, j, want) != 0)
        return 0;
    if (crypto_scalar_check_secret(u) != PROTO_OK)
        return 0;
    if (crypto_point_mul_base(got, u) != 0)
        return 0;
    good = sodium_memcmp(got, want, CRYPTO_BYTES) == 0;
    sodium_memzero(got, sizeof got);
    return good;
}
