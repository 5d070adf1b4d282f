/*
 * poll.c — opening and closing nomination polls.
 *
 * Opening fixes everything the voters will rely on, at one instant: the
 * question and options derived from the nominee, the one-week window, the
 * roll (every active member's username, in byte order) and a fresh server key
 * (holder 0). The record is stored as it was hashed into the fingerprint, and
 * never changes; the secret key is kept only until the close.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "ballot.h"
#include "ballotbox.h"
#include "board.h"
#include "board_stream.h"
#include "heap.h"
#include "log.h"
#include "name.h"
#include "nominee.h"
#include "poll.h"
#include "poll_close.h"
#include "poll_decrypt.h"
#include "poll_result.h"
#include "record.h"
#include "sign.h"
#include "sjson.h"
#include "statement.h"
#include "store_consent.h"
#include "store_durable.h"
#include "tally.h"
#include "utf8.h"

/* One open at a time: the per-member cap is checked, then the poll stored. */
static pthread_mutex_t poll_open_mu = PTHREAD_MUTEX_INITIALIZER;

struct open_count {
    const char *by;
    int n;
};

struct roll_list {
    char **names;
    size_t n, cap;
    char *nominee_key;          /* the nominee's folded key (name.h) */
    struct store_same_name same;    /* poll_same_name's */
    int nominee_is_member;
    char **unfolded;            /* non-ASCII display names, folded after the */
    size_t n_unfolded, cap_unfolded;    /* store's lock is released */
};

void poll_format_time(int64_t t, char out[21])
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
        snprintf(out, 21, "1970-01-01T00:00:00Z");
}

static int poll_is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

static const char *poll_check_statement(const char *statement)
{
    size_t len = strlen(statement);

    if (len > POLL_STATEMENT_MAX)
        return "the statement must be at most 20000 bytes";
    if (utf8_check(statement, len) != 0)
        return "the statement must be valid UTF-8";
    if (poll_is_blank(statement))
        return "write a statement for the nominee";
    return NULL;
}

/* Appends a copy of S to the list *V (*n of *cap). 0, or -1. */
static int roll_push(char ***v, size_t *n, size_t *cap, const char *s)
{
    char **grown;

    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 64;
        if ((grown = realloc(*v, c * sizeof *grown)) == NULL)
            return -1;
        *v = grown;
        *cap = c;
    }
    if (((*v)[*n] = strdup(s)) == NULL)
        return -1;
    (*n)++;
    return 0;
}

/* store_member_list callback, under the store's lock (casts wait on it):
 * collects active usernames and spots the nominee among the members whose
 * username or ASCII display name has the nominee's folded key (usernames
 * are ASCII, but a nominee may fold to ASCII: U+017F, long s, folds to s).
 * Other display names are kept, to be folded once the lock is released. */
static int roll_add(void *ctx, const struct store_member *m)
{
    struct roll_list *r = ctx;
    int same = 0;

    if (!m->active)
        return 0;
    if (name_match_key(m->username, r->nominee_key, &same) != 0 ||
        (!same && name_is_ascii(m->display_name) &&
         name_match_key(m->display_name, r->nominee_key, &same) != 0))
        return -1;
    if (!same && !name_is_ascii(m->display_name) &&
        roll_push(&r->unfolded, &r->n_unfolded, &r->cap_unfolded, m->display_name) != 0)
        return -1;
    r->nominee_is_member |= same;
    return roll_push(&r->names, &r->n, &r->cap, m->username);
}

/* Folds the kept non-ASCII display names (store lock not held). 0, or -1. */
static int roll_check_unfolded(struct roll_list *r)
{
    size_t i;
    int same = 0;

    for (i = 0; i < r->n_unfolded && !r->nominee_is_member; i++) {
        if (name_match_key(r->unfolded[i], r->nominee_key, &same) != 0)
            return -1;
        r->nominee_is_member |= same;
    }
    return 0;
}

static int roll_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);   /* byte order */
}

static void roll_free(struct roll_list *r)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        free(r->names[i]);
    free(r->names);
    for (i = 0; i < r->n_unfolded; i++)
        free(r->unfolded[i]);
    free(r->unfolded);
    free(r->nominee_key);
}

/* The same-name rule the store applies to open polls' nominees: equal
 * folded keys (name.h). Valid while R's nominee key is. */
static const struct store_same_name *poll_same_name(struct roll_list *r)
{
    r->same.key = r->nominee_key;
    r->same.match = name_match_key;
    return &r->same;
}

/* Makes the record for the poll, sealed for COUNCIL (NULL: by the server
 * only, PROTOCOL §3; else PROTOCOL-threshold T6); stores its text in
 * p->record, and with a council its id and seal in p->council, p->seal. */
static enum cv_err poll_make_record(struct store_poll *p, const struct roll_list *roll,
                                    const struct poll_council *council,
                                    unsigned char x0[32])
{
    char question[STORE_NOMINEE_MAX + 64], promote[STORE_NOMINEE_MAX + 16];
    char opens[21], closes[21];
    const char *options[2] = {promote, "Do not promote"};
    struct record_params rp;
    struct crypto_rng rng = crypto_rng_system();
    struct record *rec = NULL;
    size_t len;

    snprintf(question, sizeof question, "Promote %s to core developer?", p->nominee);
    snprintf(promote, sizeof promote, "Promote %s", p->nominee);
    poll_format_time(p->opens_at, opens);
    poll_format_time(p->closes_at, closes);
    memset(&rp, 0, sizeof rp);
    rp.id = p->id;
    rp.question = question;
    rp.options = options;
    rp.m = 2;
    rp.min = rp.max = 1;
    rp.opens_at = opens;
    rp.closes_at = closes;
    rp.roll = (const char *const *)roll->names;
    rp.n = roll->n;
    if (council != NULL) {
        memcpy(p->council, council->id, sizeof p->council);
        if ((p->seal = poll_seal_json(&council->council)) == NULL ||
            record_create_threshold(&rp, &council->council, &rng, &rec, x0) != PROTO_OK)
            return CV_ERROR;
    } else if (record_create(&rp, NULL, 0, &rng, &rec, x0) != PROTO_OK) {
        return CV_ERROR;
    }
    p->record = record_serialize(rec, 0, &len);
    crypto_hex_encode(p->fingerprint, record_fingerprint(rec), 32);
    record_free(rec);
    return p->record ? CV_OK : CV_ERROR;
}

/* Fills the stored poll (all but the record) and the roll. */
/* A new poll's id: 16 hex digits drawn at random. */
static void poll_draw_id(struct store_poll *p)
{
    unsigned char rnd[8];

    randombytes_buf(rnd, sizeof rnd);
    crypto_hex_encode(p->id, rnd, sizeof rnd);
}

/* Freezes the roll now: every active member, in byte order, into ROLL and
 * P->eligible; CV_ALREADY_MEMBER if the nominee is one of them. */
static enum cv_err poll_gather_roll(struct store *st, struct store_poll *p,
                                    struct roll_list *roll, const char **why)
{
    if (store_member_list(st, roll_add, roll) != 0 || roll_check_unfolded(roll) != 0)
        return CV_ERROR;
    if (roll->nominee_is_member) {
        *why = "the nominee is already an active member";
        return CV_ALREADY_MEMBER;
    }
    if (roll->n == 0) {
        *why = "there are no active members to vote";
        return CV_BAD_POLL;
    }
    qsort(roll->names, roll->n, sizeof *roll->names, roll_cmp);
    p->eligible = (int64_t)roll->n;
    return CV_OK;
}

static enum cv_err poll_prepare(struct store *st, struct store_poll *p,
                                struct roll_list *roll, const char **why)
{
    enum cv_err rc = poll_gather_roll(st, p, roll, why);

    if (rc != CV_OK)
        return rc;
    poll_draw_id(p);
    return statement_render(p->statement, strlen(p->statement), &p->statement_html) == 0
           ? CV_OK : CV_ERROR;
}

/* THEN of a poll_consent_req, with the poll it runs for. */
struct poll_then {
    int (*fn)(void *ctx, const struct store_poll *p);
    void *ctx;
    const struct store_poll *p;
};

static int poll_then_run(void *arg)
{
    struct poll_then *t = arg;

    return t->fn != NULL ? t->fn(t->ctx, t->p) : 0;
}

/* Stores P, awaiting its nominee's consent (no record, key or roll), and
 * runs C's THEN in the insert's transaction; an id drawn twice is drawn
 * again. */
static enum cv_err poll_insert_awaiting(struct store *st, struct store_poll *p,
                                        struct roll_list *roll,
                                        const struct poll_consent_req *c, const char **why)
{
    struct poll_then t = {c->then, c->ctx, p};
    enum cv_err rc = CV_CONFLICT;
    int tries;

    p->eligible = 0;
    for (tries = 0; tries < 4 && rc == CV_CONFLICT; tries++) {
        if (tries > 0)
            poll_draw_id(p);
        rc = store_poll_insert_then(st, p, poll_same_name(roll), NULL, NULL, 0,
                                    poll_then_run, &t);
    }
    if (rc == CV_POLL_EXISTS)
        *why = "a poll for this nominee is already open or awaiting consent";
    return rc == CV_OK || rc == CV_POLL_EXISTS ? rc : CV_ERROR;
}

/* C's consent into P (opening now, by P->nominated_by); CV_BAD_POLL with
 * *why if an attestation is missing. */
static enum cv_err poll_consent_set(struct store_poll *p, const struct poll_consent_req *c,
                                    int64_t now, const char **why)
{
    p->consent = c->kind;
    if (c->kind == STORE_CONSENT_AWAITING) {
        snprintf(p->nominee_email, sizeof p->nominee_email, "%s", c->email ? c->email : "");
        p->closes_at = now + POLL_CONSENT_TTL;   /* until then the link works */
        return CV_OK;
    }
    if (c->kind != STORE_CONSENT_ATTESTED || !c->attested) {
        *why = "the nominee's consent is missing: confirm that the nominee has agreed to be "
               "nominated (in the API, \"nominee_consent\": \"attested\")";
        return CV_BAD_POLL;
    }
    snprintf(p->consent_by, sizeof p->consent_by, "%s", p->nominated_by);
    p->consent_at = now;
    return CV_OK;
}

/* store_poll_list callback: counts the open polls nominated by c->by. */
static int count_open_by(void *ctx, const struct store_poll *p)
{
    struct open_count *c = ctx;

    if (!p->closed && strcmp(p->nominated_by, c->by) == 0)
        c->n++;
    return 0;
}

/* Makes P's record and stores P with its roll; the same-name check again, in
 * the insert's own transaction. An id drawn twice (a chance of 2^-64 a poll)
 * is drawn again, and the record made again for it. X0 gets the poll's key. */
static enum cv_err poll_insert(struct store *st, struct store_poll *p, struct roll_list *roll,
                               const struct poll_council *council, unsigned char x0[32],
                               const char **why)
{
    enum cv_err rc = CV_CONFLICT;
    int tries;

    for (tries = 0; tries < 4 && rc == CV_CONFLICT; tries++) {
        if (tries > 0) {
            poll_draw_id(p);
            free(p->record);
            free(p->seal);
            p->record = p->seal = NULL;
        }
        if ((rc = poll_make_record(p, roll, council, x0)) != CV_OK)
            return rc;
        rc = store_poll_insert(st, p, poll_same_name(roll), x0,
                               (const char *const *)roll->names, roll->n);
    }
    if (rc == CV_POLL_EXISTS)
        *why = "a poll for this nominee is already open";
    return rc == CV_OK || rc == CV_POLL_EXISTS ? rc : CV_ERROR;
}

static enum cv_err poll_open_locked(struct store *st, const char *by,
                                    const char *nominee, const char *statement,
                                    unsigned duration, const struct poll_consent_req *consent,
                                    char id_out[STORE_POLL_ID_MAX + 1],
                                    const char **why);

enum cv_err poll_open(struct store *st, const char *by, const char *nominee,
                      const char *statement, unsigned duration,
                      const struct poll_consent_req *consent,
                      char id_out[STORE_POLL_ID_MAX + 1], const char **why)
{
    struct open_count count = {by, 0};
    enum cv_err rc;

    pthread_mutex_lock(&poll_open_mu);
    if (store_poll_list(st, count_open_by, &count) != 0) {
        rc = CV_ERROR;
    } else if (count.n >= POLL_OPEN_PER_MEMBER) {
        *why = "you have opened 3 polls that are still open; wait for one to close";
        rc = CV_TOO_MANY_POLLS;
    } else {
        rc = poll_open_locked(st, by, nominee, statement, duration, consent, id_out, why);
        heap_release();             /* the roll, read and framed */
    }
    pthread_mutex_unlock(&poll_open_mu);
    return rc;
}

/* Seals P for the current council if there is one, makes its record and
 * stores it with ROLL: the poll is open. */
static enum cv_err poll_insert_open(struct store *st, struct store_poll *p,
                                    struct roll_list *roll, const char **why)
{
    struct poll_council council;
    unsigned char x0[32];
    enum cv_err rc = CV_OK;
    int r;

    memset(&council, 0, sizeof council);
    if ((r = poll_council_current(st, &council)) < 0)        /* 1: none */
        rc = CV_ERROR;
    if (rc == CV_OK)
        rc = poll_insert(st, p, roll, r == 0 ? &council : NULL, x0, why);
    sodium_memzero(x0, sizeof x0);
    if (rc == CV_OK)
        log_info("poll %s opened (%zu eligible; sealed by %s%s)", p->id, roll->n,
                 p->council[0] ? "council " : "the server only", p->council);
    poll_council_free(&council);
    return rc;
}

static enum cv_err poll_open_locked(struct store *st, const char *by,
                                    const char *nominee, const char *statement,
                                    unsigned duration, const struct poll_consent_req *consent,
                                    char id_out[STORE_POLL_ID_MAX + 1],
                                    const char **why)
{
    struct store_poll p;
    struct roll_list roll;
    enum cv_err rc = CV_BAD_POLL;
    char *nfc = NULL;
    int dup = 0, r;

    memset(&p, 0, sizeof p);
    memset(&roll, 0, sizeof roll);
    /* The name in NFC before any check: the record, the store and every
     * comparison see one form of it, whatever form the client sent. */
    if ((r = nominee_normalize(nominee, &nfc, why)) != 0) {
        rc = r < 0 ? CV_ERROR : CV_BAD_POLL;
        goto out;
    }
    if ((*why = poll_check_statement(statement)) != NULL)
        goto out;
    snprintf(p.nominated_by, sizeof p.nominated_by, "%s", by);
    p.opens_at = (int64_t)time(NULL);
    p.closes_at = p.opens_at + (int64_t)duration;
    if ((rc = poll_consent_set(&p, consent, p.opens_at, why)) != CV_OK)
        goto out;
    rc = CV_ERROR;
    id_out[0] = '\0';
    if (nominee_key(nfc, &roll.nominee_key) != 0 ||
        store_poll_nominee_open(st, poll_same_name(&roll), &dup, id_out) != 0)
        goto out;
    rc = CV_POLL_EXISTS;
    if (dup) {
        *why = "a poll for this nominee is already open";
        goto out;
    }
    snprintf(p.nominee, sizeof p.nominee, "%s", nfc);
    p.statement = (char *)(uintptr_t)statement;   /* borrowed; not freed below */
    rc = poll_prepare(st, &p, &roll, why);
    if (rc == CV_OK && p.consent == STORE_CONSENT_AWAITING) {
        if ((rc = poll_insert_awaiting(st, &p, &roll, consent, why)) == CV_OK)
            log_info("poll %s awaits its nominee's consent", p.id);
        goto done;
    }
    if (rc == CV_OK)
        rc = poll_insert_open(st, &p, &roll, why);
done:
    if (rc == CV_OK)
        memcpy(id_out, p.id, sizeof p.id);
out:
    p.statement = NULL;
    store_poll_clear(&p);
    roll_free(&roll);
    free(nfc);
    return rc;
}

/* --- opening on the nominee's acceptance ----------------------------------- */

/* The record, key and roll of awaiting poll P made now, and stored with
 * THEN in one transaction (poll_open_accepted). */
static enum cv_err poll_accept_locked(struct store *st, struct store_poll *p,
                                      unsigned duration, struct poll_then *then,
                                      const char **why)
{
    struct roll_list roll;
    struct poll_council council;
    unsigned char x0[32];
    enum cv_err rc;
    int r = 1;

    memset(&roll, 0, sizeof roll);
    memset(&council, 0, sizeof council);
    p->opens_at = (int64_t)time(NULL);
    p->closes_at = p->opens_at + (int64_t)duration;
    rc = nominee_key(p->nominee, &roll.nominee_key) != 0 ? CV_ERROR
         : poll_gather_roll(st, p, &roll, why);
    if (rc == CV_OK && (r = poll_council_current(st, &council)) < 0)
        rc = CV_ERROR;
    if (rc == CV_OK)
        rc = poll_make_record(p, &roll, r == 0 ? &council : NULL, x0);
    if (rc == CV_OK && store_begin(st) != 0)
        rc = CV_ERROR;
    else if (rc == CV_OK) {
        rc = store_consent_accept(st, p, x0, (const char *const *)roll.names, roll.n);
        if (rc == CV_OK && poll_then_run(then) != 0)
            rc = CV_ERROR;
        if (rc != CV_OK)
            store_rollback(st);
        else if (store_commit(st) != 0)
            rc = CV_ERROR;
    }
    sodium_memzero(x0, sizeof x0);
    if (rc == CV_OK)
        log_info("poll %s opened on its nominee's consent (%zu eligible)", p->id, roll.n);
    poll_council_free(&council);
    roll_free(&roll);
    return rc == CV_OK || rc == CV_NOT_FOUND || rc == CV_ALREADY_MEMBER ? rc : CV_ERROR;
}

enum cv_err poll_open_accepted(struct store *st, const char *id, unsigned duration,
                               int (*then)(void *ctx, const struct store_poll *p),
                               void *ctx, const char **why)
{
    struct store_poll p;
    struct poll_then t = {then, ctx, &p};
    enum cv_err rc;

    pthread_mutex_lock(&poll_open_mu);
    rc = store_poll_get(st, id, 0, &p);
    if (rc == CV_OK && !STORE_POLL_AWAITING(&p))
        rc = CV_NOT_FOUND;
    if (rc == CV_OK) {
        rc = poll_accept_locked(st, &p, duration, &t, why);
        heap_release();
    }
    pthread_mutex_unlock(&poll_open_mu);
    store_poll_clear(&p);
    return rc == CV_OK || rc == CV_NOT_FOUND || rc == CV_ALREADY_MEMBER ? rc : CV_ERROR;
}

/* --- withdrawing --------------------------------------------------------- */

enum cv_err poll_withdraw_check(const struct store_poll *p, int64_t cast, const char *by,
                                int by_admin)
{
    if (!by_admin && strcasecmp(p->nominated_by, by) != 0)
        return CV_FORBIDDEN;
    if (p->withdrawn)
        return CV_POLL_WITHDRAWN;
    if (p->closed || p->closes_at <= (int64_t)time(NULL))
        return CV_POLL_CLOSED;
    return cast > 0 ? CV_BALLOTS_CAST : CV_OK;
}

/* The checks of poll_withdraw and the change, inside its transaction. */
static enum cv_err poll_withdraw_locked(struct store *st, const char *id, const char *by,
                                        int by_admin)
{
    struct store_poll p;
    int64_t cast = 0;
    int r = store_poll_get(st, id, 0, &p);
    enum cv_err rc = CV_ERROR;

    if (r == 0 && store_poll_voter_count(st, id, &cast) == 0)
        rc = poll_withdraw_check(&p, cast, by, by_admin);
    else if (r == CV_NOT_FOUND)
        rc = CV_NOT_FOUND;
    if (rc == CV_OK && store_poll_mark_withdrawn(st, id, by, (int64_t)time(NULL)) != 0)
        rc = CV_ERROR;
    store_poll_clear(&p);
    return rc;
}

enum cv_err poll_withdraw(struct store *st, struct ballotbox *box, const char *id,
                          const char *by, int by_admin)
{
    enum cv_err rc;

    /* The write transaction that casts commit in: a ballot is either
     * counted before the check (CV_BALLOTS_CAST) or refused after it. */
    if (store_begin(st) != 0)
        return CV_ERROR;
    rc = poll_withdraw_locked(st, id, by, by_admin);
    if (rc != CV_OK) {
        store_rollback(st);
        return rc;
    }
    if (store_commit(st) != 0)
        return CV_ERROR;
    if (box)
        ballotbox_forget(box, id);  /* its record: no cast can use it any more */
    log_info("poll %s withdrawn by %s", id, by);
    return CV_OK;
}

/* --- closing ------------------------------------------------------------- */

/* The result as it is kept and served (poll_result.h). */
static char *close_result_json(const struct record *rec, const struct tally_result *r)
{
    struct poll_result res;

    return poll_result_make(rec, r, &res) == 0 ? poll_result_json(&res) : NULL;
}

/* Stores the result and the board: with ballots, the board's frame (built
 * with the first ballot only; the stored rows complete it, board_stream.h). */
static int close_store(struct store *st, const char *id, const struct close_state *cs,
                       const struct board_decryption *dec, const struct tally_result *res)
{
    const struct ballot *first[1] = {cs->first};
    char *board, *frame = NULL, *result = close_result_json(cs->rec, res);
    size_t len, frame_len, split;
    int rc = -1;

    board = board_build(cs->rec, first, cs->n > 0 ? 1 : 0, cs->tally, dec, 1, res, &len);
    if (board == NULL || result == NULL)
        goto out;
    if (cs->n == 0)
        rc = store_poll_finish(st, id, result, board, -1);
    else if (board_frame_make(board, len, &frame, &frame_len, &split) == 0)
        rc = store_poll_finish(st, id, result, frame, (long)split);
out:
    free(board);
    free(frame);
    free(result);
    return rc == 0 ? 0 : -1;
}

/* Decrypts, counts, signs; stores result and board. */
static enum cv_err close_publish(struct store *st, const struct sign_key *key,
                                 const char *id, struct close_state *cs)
{
    struct proof_share shares[PROTO_MAX_OPTIONS];
    const struct proof_share *per_holder[1] = {shares};
    struct board_decryption dec = {0, shares};
    struct crypto_rng rng = crypto_rng_system();
    struct tally_result res;
    enum cv_err rc = CV_ERROR;
    unsigned char x0[32];

    if (store_poll_secret(st, id, x0) != 0)
        return CV_ERROR;
    if (cs->n > 0 && tally_shares_create(cs->rec, 0, x0, cs->tally, &rng, shares) != 0)
        goto out;
    if (tally_result_make(cs->rec, cs->tally, per_holder,
                          (const unsigned char (*)[32])cs->trackers, key, &res) != PROTO_OK)
        goto out;
    if (close_store(st, id, cs, &dec, &res) == 0)
        rc = CV_OK;
out:
    sodium_memzero(x0, sizeof x0);
    return rc;
}

/*
 * TEST ONLY: CONCLAVE_TEST_CLOSE_DELAY_MS=N makes a close wait N ms just
 * before its COMMIT, so that tests/integration/test_crash.py can SIGKILL the
 * server in the middle of the close transaction. Compiled only into the test
 * build (-DCONCLAVE_TEST: `conclave-test`, Makefile); the production binary
 * reads no such variable. It changes nothing but the timing.
 */
#ifdef CONCLAVE_TEST
static void poll_close_test_delay(const char *id)
{
    const char *v = getenv("CONCLAVE_TEST_CLOSE_DELAY_MS");
    long ms = v != NULL ? strtol(v, NULL, 10) : 0;
    struct timespec ts;

    if (ms <= 0 || ms > 60000)
        return;
    log_warn("poll %s: test hook: holding the close for %ld ms before its commit", id, ms);
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}
#else
#define poll_close_test_delay(id) ((void)(id))
#endif

static double close_ms_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* After the close: the WAL checkpointed and truncated, the file VACUUMed, on
 * a connection of its own (seconds at 100,000 ballots): the result, and
 * every other read, is served meanwhile; one that fails is retried by the
 * store (store_durable.h). */
static void close_compact(struct store *st, const char *id)
{
    char what[STORE_POLL_ID_MAX + 8];

    snprintf(what, sizeof what, "poll %s", id);
    (void)store_durable_compact(st, what);
}

enum cv_err poll_close(struct store *st, const struct sign_key *key, const char *id,
                       struct ballotbox *box)
{
    struct close_state cs;
    struct store_poll p;
    struct timespec t0;
    enum cv_err rc = CV_ERROR;
    int r;

    memset(&cs, 0, sizeof cs);
    memset(&p, 0, sizeof p);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (store_begin(st) != 0)
        return CV_ERROR;
    /* The box's parsed record spares reading and parsing it again (a roll of
     * 100,000 names is megabytes); it lives until ballotbox_forget, below. */
    cs.rec = box ? ballotbox_record(box, id) : NULL;
    if ((r = store_poll_get(st, id, cs.rec == NULL, &p)) != 0) {
        rc = r == CV_NOT_FOUND ? CV_NOT_FOUND : CV_ERROR;
        goto fail;
    }
    if (p.closed || p.closes_at > (int64_t)time(NULL) || STORE_POLL_AWAITING(&p)) {
        rc = p.closed ? CV_OK : STORE_POLL_AWAITING(&p) ? CV_AWAITING_CONSENT : CV_POLL_OPEN;
        goto fail;
    }
    /* open -> closed once, in this transaction (a withdrawn poll is closed) */
    assert(!p.withdrawn && store_in_tx(st));
    if (cs.rec == NULL) {
        if (record_parse_kind(p.record, strlen(p.record), RECORD_V1 | RECORD_THRESHOLD,
                              &cs.own_rec) != PROTO_OK)
            goto fail;
        cs.rec = cs.own_rec;
    }
    if (poll_close_gather(st, box, id, &cs) != 0)
        goto fail;
    assert(cs.n <= (size_t)p.eligible);     /* one ballot per voter of the frozen roll */
    /* Sealed by a council: into `decrypting` (poll_decrypt.c), else v1. */
    if (record_threshold(cs.rec) != NULL)
        rc = poll_decrypt_close(st, key, &p, &cs) == 0 ? CV_OK : CV_ERROR;
    else
        rc = close_publish(st, key, id, &cs);
    if (rc != CV_OK)
        goto fail;
    poll_close_test_delay(id);
    if (store_commit(st) != 0) {
        rc = CV_ERROR;
        goto done;
    }
    log_info("poll %s closed: %zu ballots in %.0f ms%s", id, cs.n, close_ms_since(&t0),
             record_threshold(cs.rec) != NULL && cs.n > 0 ? "; decrypting: waiting for the "
             "trustees' shares" : "");
    close_compact(st, id);
    goto done;
fail:
    store_rollback(st);
done:
    poll_close_state_free(&cs);
    store_poll_clear(&p);
    return rc;
}

int poll_close_due(struct store *st, const struct sign_key *key, struct ballotbox *box,
                   int64_t now)
{
    char ids[16][STORE_POLL_ID_MAX + 1], after[STORE_POLL_ID_MAX + 1] = "";
    size_t n = 16, i;
    int closed = 0, failed = 0;

    /* Sixteen at a time, in id order: polls that cannot be closed (they stay
     * due) do not hold back those after them. */
    while (n == 16) {
        if (store_poll_due(st, now, after, ids, 16, &n) != 0) {
            failed = 1;
            break;
        }
        for (i = 0; i < n; i++) {
            if (poll_close(st, key, ids[i], box) != CV_OK) {
                log_error("poll %s: close failed", ids[i]);
                failed = 1;
                continue;
            }
            if (box)
                ballotbox_forget(box, ids[i]);
            closed++;
        }
        if (n > 0)
            memcpy(after, ids[n - 1], sizeof after);
    }
    if (closed > 0)
        heap_release();             /* the tally, the board, the record */
    return failed ? -1 : closed;
}
