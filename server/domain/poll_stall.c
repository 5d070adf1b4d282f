/*
 * poll_stall.c — the admins told once of a poll that waits too long for its
 * trustees (poll_stall.h): found by the store (store_decrypt_overdue),
 * marked and mailed in one transaction, logged once after the commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mail.h"
#include "poll_decrypt.h"
#include "poll_stall.h"
#include "store.h"
#include "store_decrypt.h"
#include "store_outbox.h"
#include "store_poll.h"

#define STALL_BATCH 16
#define STALL_BODY_MAX (8 * 1024)
#define STALL_NAMES_MAX 2048

void poll_stall_format(int64_t secs, char *out, size_t cap)
{
    static const struct { int64_t secs; const char *unit; } units[] = {
        {86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}};
    size_t i, n = sizeof units / sizeof units[0];
    int64_t a, b;

    if (secs < 0)
        secs = 0;
    for (i = 0; i + 1 < n && secs < units[i].secs; i++)
        ;
    a = secs / units[i].secs;
    if (i + 1 == n || (b = secs % units[i].secs / units[i + 1].secs) == 0)
        snprintf(out, cap, "%lld %s%s", (long long)a, units[i].unit, a == 1 ? "" : "s");
    else
        snprintf(out, cap, "%lld %s%s %lld %s%s", (long long)a, units[i].unit,
                 a == 1 ? "" : "s", (long long)b, units[i + 1].unit, b == 1 ? "" : "s");
}

/* The names of S's trustees who have (DONE 1) or have not decrypted, "a, b",
 * into OUT ("nobody" if none). */
static void stall_names(const struct poll_seal *s, int done, char *out, size_t cap)
{
    size_t used = 0;
    uint32_t k;

    out[0] = '\0';
    for (k = 0; k < s->count && used < cap; k++) {
        if (!s->trustees[k].decrypted != !done)
            continue;
        snprintf(out + used, cap - used, "%s%s", used ? ", " : "", s->trustees[k].name);
        used = strlen(out);
    }
    if (out[0] == '\0')
        snprintf(out, cap, "nobody");
}

/* One poll's report: what the log and the mail say. */
struct stall_report {
    struct mail *m;
    const struct store_poll *p;
    struct poll_seal seal;
    char waited[64], done[STALL_NAMES_MAX], missing[STALL_NAMES_MAX];
    char subject[STORE_NOMINEE_MAX + 64];
    char *body;
    int64_t now;
    int failed;
};

static int stall_admin(void *arg, const struct store_mail_to *to)
{
    struct stall_report *r = arg;

    if (mail_queue(r->m, MAIL_DECRYPT_WAIT, to->email, r->subject, r->body, 0, r->now) != 0) {
        r->failed = 1;
        return 1;
    }
    return 0;
}

/* Queues the admins' mails of report R (mail on). 0 / -1. */
static int stall_mail(struct store *st, struct stall_report *r)
{
    int n;

    if ((r->body = malloc(STALL_BODY_MAX)) == NULL)
        return -1;
    snprintf(r->subject, sizeof r->subject, "The poll on %s waits for its trustees",
             r->p->nominee);
    n = snprintf(r->body, STALL_BODY_MAX,
                 "The poll on the nomination of %s closed %s ago and waits for its "
                 "trustees: %u of the %u needed have decrypted.\n\n"
                 "Decrypted: %s.\nNot yet: %s.\n\n"
                 "Nobody else can decrypt it, neither the server nor an admin: that is the "
                 "seal. Ask the trustees who have not to run `conclave trustee decrypt` (or "
                 "to start `conclave trustee watch`). The result is published as soon as "
                 "%u have.\n\nProgress: %s/admin/decryptions\n",
                 r->p->nominee, r->waited, r->seal.decrypted, r->seal.t, r->done, r->missing,
                 r->seal.t, mail_public_url(r->m));
    if (n < 0 || n >= STALL_BODY_MAX)
        return -1;
    return store_mail_admins(st, stall_admin, r) == CV_OK && !r->failed ? 0 : -1;
}

/* Marks poll ID reported and mails its admins, in one transaction; logs
 * after the commit. 1 done now, 0 done already, -1 on an error. */
static int stall_poll(struct store *st, struct mail *m, const char *id, int64_t now)
{
    struct store_poll p;
    struct stall_report r;
    int rc;

    memset(&p, 0, sizeof p);
    memset(&r, 0, sizeof r);
    r.m = m;
    r.p = &p;
    r.now = now;
    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_decrypt_reminded(st, id, now)) == CV_CONFLICT) {
        store_rollback(st);
        return 0;
    }
    if (rc != CV_OK || store_poll_get(st, id, 0, &p) != CV_OK ||
        poll_seal_read(st, &p, &r.seal) != 0)
        goto fail;
    poll_stall_format(now - p.closes_at, r.waited, sizeof r.waited);
    stall_names(&r.seal, 1, r.done, sizeof r.done);
    stall_names(&r.seal, 0, r.missing, sizeof r.missing);
    if ((m != NULL && stall_mail(st, &r) != 0) || store_commit(st) != 0)
        goto fail;
    log_warn("poll %s has waited %s since its deadline for its trustees: %u of %u needed "
             "have decrypted (decrypted: %s; not yet: %s); admins told %s", id, r.waited,
             r.seal.decrypted, r.seal.t, r.done, r.missing,
             m != NULL ? "by mail and on /admin/decryptions" : "on /admin/decryptions");
    free(r.body);
    store_poll_clear(&p);
    return 1;
fail:
    store_rollback(st);
    free(r.body);
    store_poll_clear(&p);
    log_error("poll %s: could not report its wait for the trustees; retrying", id);
    return -1;
}

/*
 * TEST ONLY (compiled into the test build alone, -DCONCLAVE_TEST):
 * CONCLAVE_TEST_DECRYPT_REMIND_SECONDS=N reports after N seconds instead of
 * --decrypt-remind-hours, so that a test need not wait hours.
 */
int64_t poll_stall_after(int64_t after)
{
#ifdef CONCLAVE_TEST
    const char *v = getenv("CONCLAVE_TEST_DECRYPT_REMIND_SECONDS");

    if (v != NULL)
        return (int64_t)strtol(v, NULL, 10);
#endif
    return after;
}

int poll_stall_run(struct store *st, struct mail *m, int64_t now, int64_t after)
{
    char ids[STALL_BATCH][64];
    size_t n = 0, i;
    int done = 0, failed = 0, r;

    after = poll_stall_after(after);
    if (after <= 0)
        return 0;
    if (store_decrypt_overdue(st, now - after, ids, STALL_BATCH, &n) != CV_OK)
        return -1;
    for (i = 0; i < n; i++) {
        if ((r = stall_poll(st, m, ids[i], now)) < 0)
            failed = 1;
        else
            done += r;
    }
    return failed ? -1 : done;
}
