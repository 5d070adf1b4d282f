/*
 * council.c — a council's key ceremony on the server (council.h): creating
 * a council, taking each trustee's messages after ceremony.h has checked
 * them, and moving the rounds on by the messages in and by the clock.
 *
 * The store keeps the messages as posted (in their canonical JSON form);
 * every load rebuilds the struct ceremony from them through the same checks
 * (ceremony_create, _dealing_add, _dealings_close, _verdict_add, _finish),
 * so what the server shows and judges is always what the rules accept. A
 * round moves on in one conditional UPDATE (store_council_set_state names
 * the state it leaves), so two requests racing at a round's end move it
 * once; the loser reloads. Nothing here sees a secret: trustees keep theirs
 * on their own machines (trustee.h, cli_trustee.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "council.h"
#include "log.h"
#include "utf8.h"

/* The trustees' stored messages, while a view is built. */
struct council_texts {
    uint32_t n;
    struct store_council_trustee tr[PROTO_MAX_TRUSTEES];
};

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static int texts_add(void *ctx, const struct store_council_trustee *tr)
{
    struct council_texts *x = ctx;
    struct store_council_trustee *d;

    if (x->n >= PROTO_MAX_TRUSTEES)
        return -1;
    d = &x->tr[x->n++];
    *d = *tr;
    d->registration = dup_or_null(tr->registration);
    d->dealing = dup_or_null(tr->dealing);
    d->verdict = dup_or_null(tr->verdict);
    if ((tr->registration && !d->registration) || (tr->dealing && !d->dealing) ||
        (tr->verdict && !d->verdict))
        return -1;
    return 0;
}

static void texts_free(struct council_texts *x)
{
    uint32_t i;

    for (i = 0; i < x->n; i++)
        store_council_trustee_clear(&x->tr[i]);
    x->n = 0;
}

void council_view_free(struct council_view *v)
{
    store_council_clear(&v->row);
    ceremony_free(v->cer);
    v->cer = NULL;
}

const char *council_round_name(const char *state)
{
    if (strcmp(state, "registering") == 0)
        return "registration";
    if (strcmp(state, "dealing") == 0)
        return "dealings";
    if (strcmp(state, "verdicts") == 0)
        return "verdicts";
    return "none";
}

uint32_t council_index_of(const struct council_view *v, const char *username)
{
    uint32_t i;

    for (i = 0; i < v->n; i++)
        if (strcasecmp(v->m[i].username, username) == 0)
            return v->m[i].idx;
    return 0;
}

/* --- creating ------------------------------------------------------------------------ */

/* The test build's short rounds: CONCLAVE_TEST_COUNCIL_ROUND_SECONDS=N makes
 * every new council's rounds N seconds long (1..3600), so the integration
 * tests can pass a deadline. Compiled only into conclave-test (-DCONCLAVE_TEST);
 * the production binary reads no such variable. */
#ifdef CONCLAVE_TEST
static int64_t council_test_round_seconds(int64_t given)
{
    const char *v = getenv("CONCLAVE_TEST_COUNCIL_ROUND_SECONDS");
    long s = v != NULL ? strtol(v, NULL, 10) : 0;

    return s >= 1 && s <= 3600 ? (int64_t)s : given;
}
#else
static int64_t council_test_round_seconds(int64_t given) { return given; }
#endif

/* The trustees' rules: distinct (any case) active members. */
static enum cv_err council_check_trustees(struct store *st,
                                                  const char *const *usernames, uint32_t n,
                                                  const char **why)
{
    struct store_member m;
    uint32_t i, k;
    int rc;

    for (i = 0; i < n; i++) {
        for (k = 0; k < i; k++)
            if (strcasecmp(usernames[i], usernames[k]) == 0) {
                *why = "a trustee is listed twice";
                return CV_INVALID;
            }
        rc = store_member_get(st, usernames[i], &m);
        sodium_memzero(m.password_hash, sizeof m.password_hash);
        if (rc == CV_NOT_FOUND) {
            *why = "every trustee must be a member (one of them is not)";
            return CV_INVALID;
        }
        if (rc != CV_OK)
            return CV_ERROR;
        if (!m.active) {
            *why = "every trustee must be an active member (one is deactivated)";
            return CV_INVALID;
        }
    }
    return CV_OK;
}

/* The members' own spelling of USERNAMES (the setup's names), in a new
 * array (caller frees) that NAMES points into; NULL on an error. */
static char (*council_spellings(struct store *st, const char *const *usernames, uint32_t n,
                                const char **names))[STORE_USERNAME_MAX + 1]
{
    char (*spelled)[STORE_USERNAME_MAX + 1] = calloc(n, STORE_USERNAME_MAX + 1);
    struct store_member m;
    uint32_t i;

    for (i = 0; spelled != NULL && i < n; i++) {
        if (store_member_get(st, usernames[i], &m) != CV_OK) {
            free(spelled);
            return NULL;
        }
        sodium_memzero(m.password_hash, sizeof m.password_hash);
        memcpy(spelled[i], m.username, sizeof spelled[i]);
        names[i] = spelled[i];
    }
    return spelled;
}

enum cv_err council_create(struct store *st, const char *name, uint32_t t,
                                   const char *const *usernames, uint32_t n,
                                   int64_t round_seconds, const char *by, int64_t now,
                                   char *id, const char **why)
{
    const char *names[PROTO_MAX_TRUSTEES];
    char (*spelled)[STORE_USERNAME_MAX + 1];
    struct store_council c;
    unsigned char rnd[8];
    enum cv_err r;
    size_t namelen = name != NULL ? strlen(name) : 0;

    *why = "";
    if (namelen == 0 || namelen > STORE_COUNCIL_NAME_MAX || utf8_check(name, namelen) != 0) {
        *why = "the council's name must be 1 to 200 bytes of text";
        return CV_INVALID;
    }
    if (n < 1 || n > PROTO_MAX_TRUSTEES || t < 1 || t > n) {
        *why = "the threshold must be between 1 and the number of trustees (at most 64)";
        return CV_INVALID;
    }
    if (round_seconds < 1 || round_seconds > COUNCIL_ROUND_HOURS_MAX * 3600) {
        *why = "a round lasts from 1 hour to 90 days";
        return CV_INVALID;
    }
    if ((r = council_check_trustees(st, usernames, n, why)) != CV_OK)
        return r;
    memset(&c, 0, sizeof c);
    if ((spelled = council_spellings(st, usernames, n, names)) == NULL)
        return CV_ERROR;
    randombytes_buf(rnd, sizeof rnd);
    crypto_hex_encode(c.id, rnd, sizeof rnd);
    snprintf(c.name, sizeof c.name, "%s", name);
    snprintf(c.created_by, sizeof c.created_by, "%s", by);
    c.t = t;
    c.n = n;
    c.created_at = now;
    c.round_seconds = council_test_round_seconds(round_seconds);
    c.round_closes_at = now + c.round_seconds;
    r = store_council_insert(st, &c, names, n) == CV_OK ? CV_OK : CV_ERROR;
    free(spelled);
    if (r == CV_OK) {
        char detail[STORE_COUNCIL_NAME_MAX + 40];
        memcpy(id, c.id, sizeof c.id);
        snprintf(detail, sizeof detail, "%u of %u: %s", t, n, c.name);
        (void)store_audit_add(st, now, by, "council created", c.id, detail);
        log_info("council %s created by %s: %u of %u trustees", c.id, by, t, n);
    }
    return r;
}

/* --- rebuilding the ceremony from its messages ---------------------------------------- */

/* The setup from all n registrations (each checked again), or NULL with
 * *why_code if one is missing or the whole breaks a T2 rule. */
static struct ceremony *council_setup(const struct store_council *row,
                                      const struct council_texts *x, enum proto_reason *why)
{
    struct ceremony_identity *regs = calloc(x->n ? x->n : 1, sizeof *regs);
    char (*names)[STORE_USERNAME_MAX + 1] = calloc(x->n ? x->n : 1, STORE_USERNAME_MAX + 1);
    struct ceremony *c = NULL;
    uint32_t i;

    *why = PROTO_INTERNAL;
    if (regs == NULL || names == NULL)
        goto out;
    *why = PROTO_VALUE;
    for (i = 0; i < x->n; i++) {
        const char *text = x->tr[i].registration;
        if (text == NULL ||
            (*why = ceremony_identity_parse(row->id, strlen(row->id), i + 1, text, strlen(text),
                                            &regs[i], names[i], sizeof names[i])) != PROTO_OK)
            goto out;
    }
    *why = ceremony_create(row->id, strlen(row->id), row->t, regs, x->n, &c);
out:
    free(regs);
    free(names);
    return c;
}

/* Adds the stored dealings; closes round 1 when CLOSE; then the verdicts
 * (round 2 closed) and the outcome when FINISH. A stored message that no
 * longer passes is left out and logged (it cannot happen unless the
 * database was edited). */
static void council_replay(struct ceremony *c, const struct council_texts *x, int close,
                           int finish)
{
    struct ceremony_dealing *d = malloc(sizeof *d);
    struct ceremony_verdict *v = malloc(sizeof *v);
    uint32_t i;

    if (d == NULL || v == NULL)
        goto out;
    for (i = 0; i < x->n; i++) {
        const char *text = x->tr[i].dealing;
        if (text != NULL && (ceremony_dealing_parse(c, text, strlen(text), d) != PROTO_OK ||
                             ceremony_dealing_add(c, d) != PROTO_OK))
            log_warn("council: stored dealing %u fails its checks; left out", i + 1);
    }
    if (!close)
        goto out;
    (void)ceremony_dealings_close(c);
    for (i = 0; i < x->n; i++) {
        const char *text = x->tr[i].verdict;
        if (text != NULL && (ceremony_verdict_parse(c, text, strlen(text), v) != PROTO_OK ||
                             ceremony_verdict_add(c, v) != PROTO_OK))
            log_warn("council: stored verdict %u fails its checks; left out", i + 1);
    }
    if (finish)
        (void)ceremony_finish(c);
out:
    free(d);
    free(v);
}

/* The ceremony of a loaded council, as far as its state says. */
static struct ceremony *council_rebuild(const struct store_council *row,
                                        const struct council_texts *x)
{
    enum proto_reason why;
    struct ceremony *c;
    int verdicts = strcmp(row->state, "verdicts") == 0;
    int over = strcmp(row->state, "complete") == 0 ||
               (strcmp(row->state, "failed") == 0 && row->transcript != NULL);

    if (strcmp(row->state, "complete") == 0 && row->transcript != NULL &&
        (x->n == 0 || x->tr[0].registration == NULL)) {
        /* seeded whole (store_council_insert_complete) */
        return ceremony_transcript_parse(row->transcript, strlen(row->transcript), &c, NULL,
                                         0) == PROTO_OK ? c : NULL;
    }
    if (strcmp(row->state, "registering") == 0 || (c = council_setup(row, x, &why)) == NULL)
        return NULL;
    council_replay(c, x, verdicts || over, over);
    return c;
}

/* --- moving the rounds on ------------------------------------------------------------- */

/* Counts of the messages in. */
static void texts_count(const struct council_texts *x, uint32_t *reg, uint32_t *deal,
                        uint32_t *verd)
{
    uint32_t i;

    *reg = *deal = *verd = 0;
    for (i = 0; i < x->n; i++) {
        *reg += x->tr[i].registration != NULL;
        *deal += x->tr[i].dealing != NULL;
        *verd += x->tr[i].verdict != NULL;
    }
}

/* Round 0 ends: every registration in (the setup is fixed, round 1 opens),
 * or its deadline passed (the council fails: the setup needs all n). */
static int council_end_registration(struct store *st, const struct store_council *row,
                                    const struct council_texts *x, uint32_t reg, int64_t now)
{
    enum proto_reason why;
    struct ceremony *c;
    char failure[STORE_COUNCIL_FAILURE_MAX + 1];

    if (reg == row->n) {
        if ((c = council_setup(row, x, &why)) != NULL) {
            ceremony_free(c);
            return store_council_set_state(st, row->id, "registering", "dealing",
                                           now + row->round_seconds, NULL, NULL, NULL);
        }
        snprintf(failure, sizeof failure, "setup: %s", proto_reason_code(why));
    } else {
        snprintf(failure, sizeof failure,
                 "registration: %u of %u trustees registered before the deadline (all are needed)",
                 reg, row->n);
    }
    return store_council_set_state(st, row->id, "registering", "failed", 0, NULL, NULL, failure);
}

/* Round 1 ends: every trustee dealt, or its deadline passed. Fewer than t
 * dealings can never make a QUAL of t: the council fails at once. */
static int council_end_dealings(struct store *st, const struct store_council *row,
                                uint32_t deal, int64_t now)
{
    char failure[STORE_COUNCIL_FAILURE_MAX + 1];

    if (deal >= row->t)
        return store_council_set_state(st, row->id, "dealing", "verdicts",
                                       now + row->round_seconds, NULL, NULL, NULL);
    snprintf(failure, sizeof failure, "quorum: %u of %u trustees dealt, %u needed", deal, row->n,
             row->t);
    return store_council_set_state(st, row->id, "dealing", "failed", 0, NULL, NULL, failure);
}

/* Round 2 ends: the complaints are judged and the outcome (T5) stored with
 * the transcript and its digest, complete or failed. */
static int council_end_verdicts(struct store *st, const struct store_council *row,
                                const struct council_texts *x)
{
    struct store_council over = *row;
    char failure[STORE_COUNCIL_FAILURE_MAX + 1], digest[65];
    enum proto_reason why;
    struct ceremony *c;
    char *text;
    size_t len;
    int rc;

    memcpy(over.state, "failed", sizeof "failed");
    over.transcript = (char *)"";       /* council_rebuild: a finished ceremony */
    if ((c = council_rebuild(&over, x)) == NULL)
        return CV_ERROR;
    why = ceremony_finish(c);           /* idempotent: the outcome again */
    text = ceremony_transcript_serialize(c, 0, &len);
    if (text == NULL || ceremony_digest(c) == NULL) {
        free(text);
        ceremony_free(c);
        return CV_ERROR;
    }
    crypto_hex_encode(digest, ceremony_digest(c), CRYPTO_BYTES);
    if (why == PROTO_QUORUM)
        snprintf(failure, sizeof failure, "quorum: QUAL has %u members, %u needed",
                 ceremony_qual_count(c), row->t);
    else
        snprintf(failure, sizeof failure, "%s: the ceremony must be run again",
                 proto_reason_code(why));
    rc = store_council_set_state(st, row->id, "verdicts", why == PROTO_OK ? "complete" : "failed",
                                 0, text, digest, why == PROTO_OK ? NULL : failure);
    if (rc == CV_OK)
        log_info("council %s: ceremony %s (QUAL %u of %u)", row->id,
                 why == PROTO_OK ? "complete" : "failed", ceremony_qual_count(c), row->n);
    free(text);
    ceremony_free(c);
    return rc;
}

/* Moves ROW on once if its round is over. 1 if it moved (reload), 0 if
 * not, -1 on an error. A lost race (CV_CONFLICT) also means reload. */
static int council_advance(struct store *st, const struct store_council *row,
                           const struct council_texts *x, int64_t now)
{
    uint32_t reg, deal, verd;
    int due = row->round_closes_at > 0 && now >= row->round_closes_at, rc;

    texts_count(x, &reg, &deal, &verd);
    if (strcmp(row->state, "registering") == 0 && (reg == row->n || due))
        rc = council_end_registration(st, row, x, reg, now);
    else if (strcmp(row->state, "dealing") == 0 && (deal == row->n || due))
        rc = council_end_dealings(st, row, deal, now);
    else if (strcmp(row->state, "verdicts") == 0 && (verd == deal || due))
        rc = council_end_verdicts(st, row, x);
    else
        return 0;
    return rc == CV_OK || rc == CV_CONFLICT ? 1 : -1;
}

/* Fills V's members from the texts and the ceremony's outcome. */
static void council_fill_members(struct council_view *v, const struct council_texts *x)
{
    const struct ceremony_verdict *vd;
    uint32_t i, k, done = v->cer != NULL && ceremony_digest(v->cer) != NULL;

    v->n = x->n;
    for (i = 0; i < x->n; i++) {
        struct council_member *m = &v->m[i];
        memset(m, 0, sizeof *m);
        m->idx = x->tr[i].idx;
        memcpy(m->username, x->tr[i].username, sizeof m->username);
        m->registered_at = x->tr[i].registered_at;
        m->dealt_at = x->tr[i].dealt_at;
        m->verdict_at = x->tr[i].verdict_at;
        if (v->cer == NULL)
            continue;
        vd = ceremony_verdict_of(v->cer, m->idx);
        m->complained = vd != NULL && vd->q > 0;
        if (!done)
            continue;
        m->in_qual = ceremony_in_qual(v->cer, m->idx);
        for (k = 1; k <= v->n; k++)
            if (ceremony_complaint_upheld(v->cer, k, m->idx))
                m->upheld_against = 1;
    }
}

enum cv_err council_load(struct store *st, const char *id, int64_t now,
                                 struct council_view *out)
{
    struct council_texts *x = calloc(1, sizeof *x);
    enum cv_err r = CV_ERROR;
    int tries, rc;

    memset(out, 0, sizeof *out);
    if (x == NULL)
        return CV_ERROR;
    for (tries = 0; tries < 8; tries++) {
        council_view_free(out);
        texts_free(x);
        if ((rc = store_council_get(st, id, &out->row)) != CV_OK) {
            r = rc == CV_NOT_FOUND ? CV_NOT_FOUND : CV_ERROR;
            goto out;
        }
        if (store_council_trustees(st, id, texts_add, x) != CV_OK)
            goto out;
        if ((rc = council_advance(st, &out->row, x, now)) < 0)
            goto out;
        if (rc == 0)
            break;
    }
    out->cer = council_rebuild(&out->row, x);
    council_fill_members(out, x);
    r = CV_OK;
out:
    texts_free(x);
    free(x);
    if (r != CV_OK)
        council_view_free(out);
    return r;
}

/* --- posting ------------------------------------------------------------------------- */

/* The round (state) that takes messages of KIND. */
static const char *council_state_for(enum store_council_msg kind)
{
    return kind == STORE_COUNCIL_REGISTRATION ? "registering"
           : kind == STORE_COUNCIL_DEALING    ? "dealing"
                                              : "verdicts";
}

/* Checks trustee IDX's message TEXT of KIND against V and writes its
 * canonical form to *canon (caller frees). PROTO_OK or the code, *why set. */
static enum proto_reason council_check_message(const struct council_view *v, uint32_t idx,
                                               enum store_council_msg kind, const char *text,
                                               size_t len, char **canon, const char **why)
{
    struct ceremony_identity reg;
    struct ceremony_dealing *d;
    struct ceremony_verdict *vd;
    char name[STORE_USERNAME_MAX + 1];
    enum proto_reason r = PROTO_INTERNAL;
    size_t clen;

    *canon = NULL;
    *why = "the message breaks a rule of the ceremony";
    if (kind == STORE_COUNCIL_REGISTRATION) {
        r = ceremony_identity_parse(v->row.id, strlen(v->row.id), idx, text, len, &reg, name,
                                    sizeof name);
        if (r == PROTO_OK && (reg.name_len != strlen(v->m[idx - 1].username) ||
                              memcmp(reg.name, v->m[idx - 1].username, reg.name_len) != 0)) {
            *why = "the registration's name must be your username, as the council lists it";
            return PROTO_VALUE;
        }
        if (r == PROTO_OK && (*canon = ceremony_identity_serialize(&reg, 0, &clen)) == NULL)
            r = PROTO_INTERNAL;
        return r;
    }
    if (v->cer == NULL)
        return PROTO_INTERNAL;
    if (kind == STORE_COUNCIL_DEALING) {
        if ((d = malloc(sizeof *d)) == NULL)
            return PROTO_INTERNAL;
        r = ceremony_dealing_parse(v->cer, text, len, d);
        if (r == PROTO_OK && d->dealer != idx) {
            *why = "the dealing's dealer must be your own index";
            r = PROTO_VALUE;
        }
        if (r == PROTO_OK && (*canon = ceremony_dealing_serialize(d, 0, &clen)) == NULL)
            r = PROTO_INTERNAL;
        free(d);
        return r;
    }
    if ((vd = malloc(sizeof *vd)) == NULL)
        return PROTO_INTERNAL;
    r = ceremony_verdict_parse(v->cer, text, len, vd);
    if (r == PROTO_OK && vd->trustee != idx) {
        *why = "the verdict's trustee must be your own index";
        r = PROTO_VALUE;
    }
    if (r == PROTO_DEALINGS)
        *why = "the verdict's dealings digest is not the board's: fetch the dealings again";
    if (r == PROTO_OK && (*canon = ceremony_verdict_serialize(vd, 0, &clen)) == NULL)
        r = PROTO_INTERNAL;
    free(vd);
    return r;
}

/* What trustee IDX already posted of KIND in V's council (borrowed from
 * *x, loaded here), or NULL. */
static const char *council_posted(struct store *st, const char *id, uint32_t idx,
                                  enum store_council_msg kind, struct council_texts *x)
{
    const struct store_council_trustee *tr;

    if (store_council_trustees(st, id, texts_add, x) != CV_OK || idx > x->n)
        return NULL;
    tr = &x->tr[idx - 1];
    return kind == STORE_COUNCIL_REGISTRATION ? tr->registration
           : kind == STORE_COUNCIL_DEALING    ? tr->dealing
                                              : tr->verdict;
}

/* A message of KIND whose canonical form is CANON, when one is stored
 * already: the same again (a retry) is OK, another DUPLICATE. */
static enum cv_err council_again(struct store *st, const char *id, uint32_t idx,
                                         enum store_council_msg kind, const char *canon,
                                         int *again)
{
    struct council_texts *x = calloc(1, sizeof *x);
    const char *old;
    enum cv_err r = CV_ERROR;

    if (x == NULL)
        return CV_ERROR;
    if ((old = council_posted(st, id, idx, kind, x)) != NULL) {
        r = canon != NULL && strcmp(old, canon) == 0 ? CV_OK : CV_DUPLICATE;
        *again = r == CV_OK;
    }
    texts_free(x);
    free(x);
    return r;
}

/* Stores trustee IDX's checked message CANON; a refusal by the store is a
 * retry (OK, *again), another message (DUPLICATE), or a round that moved
 * on meanwhile (WRONG_ROUND). */
static enum cv_err council_store_message(struct store *st, const char *id, uint32_t idx,
                                                 enum store_council_msg kind, const char *canon,
                                                 int64_t now, int *again)
{
    struct council_texts *x;
    enum cv_err r;
    int rc = store_council_post(st, id, idx, kind, council_state_for(kind), canon, now);

    if (rc != CV_CONFLICT)
        return rc == CV_OK ? CV_OK : CV_ERROR;
    if (council_again(st, id, idx, kind, canon, again) == CV_OK)
        return CV_OK;
    if ((x = calloc(1, sizeof *x)) == NULL)
        return CV_ERROR;
    /* no message of this kind stored: the round moved on meanwhile */
    r = council_posted(st, id, idx, kind, x) == NULL ? CV_WRONG_ROUND : CV_DUPLICATE;
    texts_free(x);
    free(x);
    return r;
}

enum cv_err council_post(struct store *st, const char *id, const char *username,
                                 enum store_council_msg kind, const char *text, size_t len,
                                 int64_t now, int *again, enum proto_reason *reason,
                                 const char **why)
{
    struct council_view v;
    enum cv_err r;
    char *canon = NULL;
    uint32_t idx;

    *again = 0;
    *reason = PROTO_OK;
    *why = "";
    if ((r = council_load(st, id, now, &v)) != CV_OK)
        return r;
    if ((idx = council_index_of(&v, username)) == 0) {
        r = CV_NOT_TRUSTEE;
        goto out;
    }
    if (strcmp(v.row.state, council_state_for(kind)) != 0) {
        /* a retry of a message taken before the round moved on is still fine */
        r = CV_WRONG_ROUND;
        if ((*reason = council_check_message(&v, idx, kind, text, len, &canon, why)) == PROTO_OK &&
            council_again(st, id, idx, kind, canon, again) == CV_OK)
            r = CV_OK;
        *reason = PROTO_OK;
        goto out;
    }
    if (kind == STORE_COUNCIL_VERDICT && v.m[idx - 1].dealt_at == 0) {
        *why = "only a trustee that dealt in round 1 gives a verdict";
        r = CV_WRONG_ROUND;
        goto out;
    }
    if ((*reason = council_check_message(&v, idx, kind, text, len, &canon, why)) != PROTO_OK) {
        r = *reason == PROTO_INTERNAL ? CV_ERROR : CV_BAD_MESSAGE;
        /* a different message after one was taken is a duplicate first */
        if (r == CV_BAD_MESSAGE && council_again(st, id, idx, kind, NULL, again) ==
                                         CV_DUPLICATE)
            r = CV_DUPLICATE;
        goto out;
    }
    r = council_store_message(st, id, idx, kind, canon, now, again);
    if (r == CV_OK && !*again) {
        council_view_free(&v);
        /* the last message of a round moves it on now, not at the next read */
        if ((r = council_load(st, id, now, &v)) != CV_OK)
            return r;
    }
out:
    free(canon);
    council_view_free(&v);
    return r;
}

enum cv_err council_use(struct store *st, const char *id, const char *by, int64_t now)
{
    struct council_view v;
    enum cv_err r;
    int rc;

    if ((r = council_load(st, id, now, &v)) != CV_OK)
        return r;
    council_view_free(&v);
    rc = store_council_use(st, id);
    if (rc == CV_OK) {
        (void)store_audit_add(st, now, by, "council used", id, "new polls are sealed for it");
        log_info("council %s is now the one new polls are sealed for", id);
    }
    return rc == CV_OK ? CV_OK : rc == CV_NOT_FOUND ? CV_NOT_FOUND
           : rc == CV_CONFLICT ? CV_NOT_COMPLETE : CV_ERROR;
}

/* --- the clock ------------------------------------------------------------------------ */

struct council_due {
    int64_t now;
    size_t n;
    char ids[16][STORE_COUNCIL_ID_MAX + 1];
};

static int council_due_one(void *arg, const struct store_council *c)
{
    struct council_due *d = arg;

    if (c->round_closes_at > 0 && c->round_closes_at <= d->now && d->n < 16 &&
        (strcmp(c->state, "registering") == 0 || strcmp(c->state, "dealing") == 0 ||
         strcmp(c->state, "verdicts") == 0))
        memcpy(d->ids[d->n++], c->id, sizeof d->ids[0]);
    return 0;
}

int council_tick(struct store *st, int64_t now)
{
    struct council_due d;
    struct council_view v;
    size_t i;
    int moved = 0;

    memset(&d, 0, sizeof d);
    d.now = now;
    if (store_council_list(st, council_due_one, &d) != CV_OK)
        return -1;
    for (i = 0; i < d.n; i++) {
        if (council_load(st, d.ids[i], now, &v) != CV_OK)
            return -1;
        council_view_free(&v);
        moved++;
    }
    return moved;
}
