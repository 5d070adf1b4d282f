/*
 * consent.c — the nominee's consent (consent.h): the link and its mail at
 * the nomination, the answer through it, the expiry, and the nominator's
 * mail of each outcome.
 *
 * The link is the nominee's only credential (the nominee has no account):
 * 32 random bytes in base64url, mailed once and stored as its SHA-256 only;
 * it works once (an answer erases the hash) and until the poll's consent
 * deadline. Answers are POSTs bound to it; a GET only shows the nomination.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "auth.h"
#include "consent.h"
#include "log.h"
#include "mail.h"
#include "poll.h"
#include "store.h"
#include "store_consent.h"

#define CONSENT_MAIL_REQUEST "consent_request"  /* to the nominee */
#define CONSENT_MAIL_OUTCOME "consent_outcome"  /* to the nominator */
#define CONSENT_BODY_MAX     (40 * 1024)

/* The display name of USERNAME (or USERNAME) into OUT; its address into
 * EMAIL ("" if none or not active). */
static void consent_member(struct store *st, const char *username, char *out, size_t cap,
                           char email[STORE_EMAIL_MAX + 1])
{
    struct store_member m;

    snprintf(out, cap, "%s", username);
    email[0] = '\0';
    if (store_member_get(st, username, &m) != CV_OK)
        return;
    snprintf(out, cap, "%s", m.display_name[0] ? m.display_name : username);
    if (m.active)
        snprintf(email, STORE_EMAIL_MAX + 1, "%s", m.email);
    sodium_memzero(&m, sizeof m);
}

/* The nominee's mail, with LINK, for P (inside the insert's transaction). */
static int consent_mail_nominee(struct consent_ctx *c, const struct store_poll *p,
                                const char *link)
{
    char by[STORE_DISPLAY_NAME_MAX + 1], by_email[STORE_EMAIL_MAX + 1], until[64];
    char subject[STORE_NOMINEE_MAX + 64], *body = malloc(CONSENT_BODY_MAX);
    int n, rc = -1;

    if (body == NULL)
        return -1;
    consent_member(c->st, p->nominated_by, by, sizeof by, by_email);
    mail_format_time(until, sizeof until, p->closes_at);
    snprintf(subject, sizeof subject, "%s nominated you: do you agree?", by);
    n = snprintf(body, CONSENT_BODY_MAX, "Hello %s,\n\n%s nominated you to the core team. "
                 "Before the core team votes, you are asked whether you agree to be "
                 "nominated. Their statement:\n\n%s\n\nRead the nomination and accept or "
                 "decline it here (the link works once, until %s):\n\n  %s/consent?link=%s\n\n"
                 "If you accept, the vote opens at once and lasts one week. If you do "
                 "nothing, the nomination is withdrawn when the link expires.\n",
                 p->nominee, by, p->statement ? p->statement : "", until,
                 mail_public_url(c->m), link);
    if (n > 0 && n < CONSENT_BODY_MAX)
        rc = mail_queue(c->m, CONSENT_MAIL_REQUEST, p->nominee_email, subject, body, 0,
                        p->opens_at);
    sodium_memzero(body, CONSENT_BODY_MAX);
    free(body);
    return rc;
}

/* poll_consent_req's THEN in mail mode: makes the link, stores its hash
 * and queues the nominee's mail, in the poll's insert transaction. */
static int consent_link_make(void *arg, const struct store_poll *p)
{
    struct consent_ctx *c = arg;
    unsigned char raw[32], hash[32];
    char link[CONSENT_LINK_LEN + 1];
    int rc = -1;

    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(link, sizeof link, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_hash_sha256(hash, (const unsigned char *)link, CONSENT_LINK_LEN);
    if (store_consent_set_hash(c->st, p->id, hash) == CV_OK &&
        consent_mail_nominee(c, p, link) == 0)
        rc = 0;
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(link, sizeof link);
    return rc;
}

enum cv_err consent_request(struct poll_consent_req *req, struct consent_ctx *ctx,
                            int mail_mode, int attested, const char *email,
                            const char **why)
{
    memset(req, 0, sizeof *req);
    req->kind = STORE_CONSENT_ATTESTED;
    req->attested = attested;
    if (!mail_mode)
        return CV_OK;
    if (email == NULL || email[0] == '\0') {
        *why = "the nominee's email address is missing: the nominee is asked for consent "
               "by mail";
        return CV_BAD_POLL;
    }
    if (auth_check_email(email) != NULL) {
        *why = "the nominee's email address is not a valid address";
        return CV_BAD_POLL;
    }
    req->kind = STORE_CONSENT_AWAITING;
    req->email = email;
    req->then = consent_link_make;
    req->ctx = ctx;
    return CV_OK;
}

enum cv_err consent_find(struct store *st, const char *link, struct store_poll *out)
{
    char id[STORE_POLL_ID_MAX + 1];
    unsigned char hash[32];
    size_t i;
    int rc;

    memset(out, 0, sizeof *out);
    if (link == NULL || strlen(link) != CONSENT_LINK_LEN)
        return CV_NOT_FOUND;
    for (i = 0; i < CONSENT_LINK_LEN; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
                    link[i]))
            return CV_NOT_FOUND;
    crypto_hash_sha256(hash, (const unsigned char *)link, CONSENT_LINK_LEN);
    rc = store_consent_find(st, hash, (int64_t)time(NULL), id);
    if (rc == CV_OK)
        rc = store_poll_get(st, id, 0, out);
    return rc == CV_OK ? CV_OK : rc == CV_NOT_FOUND ? CV_NOT_FOUND : CV_ERROR;
}

/* What happened to P, for its nominator: "accepted", "declined", "expired". */
struct consent_outcome {
    struct consent_ctx c;
    const char *what;
};

/* The nominator's mail of P's outcome (inside its transaction); none
 * without mail or without the nominator's address. */
static int consent_mail_nominator(void *arg, const struct store_poll *p)
{
    struct consent_outcome *o = arg;
    char by[STORE_DISPLAY_NAME_MAX + 1], to[STORE_EMAIL_MAX + 1], when[64];
    char subject[STORE_NOMINEE_MAX + 64], body[2048];
    const char *url = mail_public_url(o->c.m);
    int accepted = strcmp(o->what, "accepted") == 0, n;

    if (o->c.m == NULL)
        return 0;
    consent_member(o->c.st, p->nominated_by, by, sizeof by, to);
    if (to[0] == '\0')
        return 0;
    mail_format_time(when, sizeof when, p->closes_at);
    snprintf(subject, sizeof subject, "Your nomination of %s: %s", p->nominee,
             accepted ? "accepted, the poll is open" : "withdrawn");
    if (accepted)
        n = snprintf(body, sizeof body, "%s accepted the nomination. The poll is open until "
                     "%s:\n\n  %s/polls/%s\n", p->nominee, when, url, p->id);
    else
        n = snprintf(body, sizeof body, "Your nomination of %s was withdrawn: %s. No poll "
                     "was opened.\n\n  %s/polls/%s\n", p->nominee,
                     strcmp(o->what, "declined") == 0 ? "the nominee declined it"
                     : "the nominee did not answer within 7 days", url, p->id);
    if (n <= 0 || (size_t)n >= sizeof body)
        return -1;
    return mail_queue(o->c.m, CONSENT_MAIL_OUTCOME, to, subject, body, 0,
                      (int64_t)time(NULL));
}

/* Withdraws awaiting poll ID with REASON and mails its nominator, in one
 * transaction. */
static enum cv_err consent_end(struct store *st, struct mail *m, const char *id,
                               const char *what, const char *reason)
{
    struct consent_outcome o = {{st, m}, what};
    struct store_poll p;
    int rc;

    if (store_begin(st) != 0)
        return CV_ERROR;
    rc = store_consent_end(st, id, reason, (int64_t)time(NULL));
    if (rc == CV_OK && (rc = store_poll_get(st, id, 0, &p)) == CV_OK) {
        rc = consent_mail_nominator(&o, &p) == 0 ? CV_OK : CV_ERROR;
        store_poll_clear(&p);
    }
    if (rc != CV_OK) {
        store_rollback(st);
        return rc == CV_NOT_FOUND ? CV_NOT_FOUND : CV_ERROR;
    }
    if (store_commit(st) != 0)
        return CV_ERROR;
    log_info("poll %s withdrawn: %s", id, reason);
    return CV_OK;
}

enum cv_err consent_answer(struct store *st, struct mail *m, const char *link, int accept,
                           unsigned duration, char id_out[STORE_POLL_ID_MAX + 1],
                           const char **why)
{
    struct consent_outcome o = {{st, m}, "accepted"};
    struct store_poll p;
    enum cv_err rc = consent_find(st, link, &p);

    if (rc != CV_OK)
        return rc;
    memcpy(id_out, p.id, sizeof p.id);
    store_poll_clear(&p);
    if (!accept)
        return consent_end(st, m, id_out, "declined", "declined by the nominee");
    return poll_open_accepted(st, id_out, duration, consent_mail_nominator, &o, why);
}

int consent_expire_due(struct store *st, struct mail *m, int64_t now)
{
    char ids[16][STORE_POLL_ID_MAX + 1];
    size_t n = 0, i;
    int done = 0;

    if (store_consent_due(st, now, ids, 16, &n) != 0)
        return -1;
    for (i = 0; i < n; i++) {
        if (consent_end(st, m, ids[i], "expired", "consent expired") == CV_ERROR) {
            log_error("poll %s: withdrawing it (consent expired) failed", ids[i]);
            return -1;
        }
        done++;
    }
    return done;
}

void consent_text(const struct store_poll *p, const char *by_name, char *out, size_t cap)
{
    char when[64];

    mail_format_time(when, sizeof when, p->consent_at);
    if (p->consent == STORE_CONSENT_ATTESTED)
        snprintf(out, cap, "consent attested by %s", by_name);
    else if (p->consent == STORE_CONSENT_ACCEPTED)
        snprintf(out, cap, "accepted by the nominee on %s", when);
    else if (p->consent == STORE_CONSENT_AWAITING && !p->closed) {
        mail_format_time(when, sizeof when, p->closes_at);
        snprintf(out, cap, "waiting for the nominee's consent (until %s)", when);
    } else if (p->consent == STORE_CONSENT_AWAITING)
        snprintf(out, cap, "the nominee never accepted");
    else
        out[0] = '\0';
}
