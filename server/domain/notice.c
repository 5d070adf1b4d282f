/*
 * notice.c — the poll notices (notice.h), composed here and queued through
 * mail.c: the opened and result notices from the poll's event (event.c
 * calls notice_event in the transaction that marks the event mailed), the
 * reminder from the store's list of polls due for one, each in a
 * transaction of its own with the mark that says it is done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mail.h"
#include "notice.h"
#include "poll_result.h"
#include "store.h"
#include "store_event.h"
#include "store_outbox.h"
#include "store_poll.h"

#define NOTICE_BATCH 16
#define NOTICE_BODY_MAX (40 * 1024)

/* One notice being queued: the poll, its subject and body, and whether the
 * nominator and the nominee have had theirs (the result goes to them even off
 * the roll). */
struct notice_ctx {
    struct mail *m;
    const struct store_poll *p;
    const char *kind;
    const char *subject;
    const char *body;
    int64_t now;
    int nominator_done;
    int nominee_done;
    int failed;
};

static int notice_one(void *arg, const struct store_mail_to *to)
{
    struct notice_ctx *c = arg;

    if (strcasecmp(to->username, c->p->nominated_by) == 0)
        c->nominator_done = 1;
    if (strcasecmp(to->email, c->p->nominee_email) == 0)
        c->nominee_done = 1;
    if (mail_queue(c->m, c->kind, to->email, c->subject, c->body, 1, c->now) != 0) {
        c->failed = 1;
        return 1;
    }
    return 0;
}

/* A next-steps mail to admin TO, unless TO nominated the poll (they had
 * theirs). */
static int notice_admin(void *arg, const struct store_mail_to *to)
{
    struct notice_ctx *c = arg;

    if (strcasecmp(to->username, c->p->nominated_by) == 0)
        return 0;
    if (mail_queue(c->m, c->kind, to->email, c->subject, c->body, 0, c->now) != 0) {
        c->failed = 1;
        return 1;
    }
    return 0;
}

/* The display name of USERNAME ("" if unknown) into OUT. */
static void notice_name(struct store *st, const char *username, char *out, size_t cap)
{
    struct store_member m;

    if (store_member_get(st, username, &m) == CV_OK)
        snprintf(out, cap, "%s", m.display_name);
    else
        snprintf(out, cap, "%s", username);
}

/* Composes the body of notice KIND for P into BUF. 0 / -1. */
static int notice_text(struct store *st, struct mail *m, enum store_notice kind,
                       const struct store_poll *p, char *buf, size_t cap)
{
    const char *url = mail_public_url(m);
    char by[STORE_DISPLAY_NAME_MAX + 1], when[64];
    struct poll_result res;
    int n;

    notice_name(st, p->nominated_by, by, sizeof by);
    mail_format_time(when, sizeof when, p->closes_at);
    if (kind == STORE_NOTICE_OPENED)
        n = snprintf(buf, cap, "%s nominated %s to the core team. You are on the roll of "
                     "this poll: vote before %s.\n\n  %s/polls/%s\n\nThe nomination:\n\n%s\n",
                     by, p->nominee, when, url, p->id, p->statement ? p->statement : "");
    else if (kind == STORE_NOTICE_REMINDER)
        n = snprintf(buf, cap, "The poll on the nomination of %s closes on %s. If you have "
                     "not voted yet, you can still vote until then:\n\n  %s/polls/%s\n",
                     p->nominee, when, url, p->id);
    else if (poll_result_parse(p->result, &res) == 0 && res.m == 2)
        n = snprintf(buf, cap, "The poll on the nomination of %s (by %s) closed on %s.\n\n"
                     "  Promote: %u\n  Do not promote: %u\n  Ballots: %u of %u on the roll\n\n"
                     "%s\n\nThe result, signed by the server, and how to check it:\n\n"
                     "  %s/polls/%s/result\n\nThe board of every ballot (anyone can verify it "
                     "with `conclave verify`):\n\n  %s/api/v1/polls/%s/board\n",
                     p->nominee, by, when, res.counts[0], res.counts[1], res.ballots,
                     res.eligible, res.verdict == PROTO_VERDICT_PASSED
                     ? "The nomination passed (at least two thirds voted to promote)."
                     : "The nomination did not pass (fewer than two thirds voted to promote).",
                     url, p->id, url, p->id);
    else
        return -1;
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* Queues notice KIND of poll P inside the caller's transaction. 0 / -1. */
static int notice_queue(struct store *st, struct mail *m, enum store_notice kind,
                        const struct store_poll *p, int64_t now)
{
    static const char *const kinds[] = {MAIL_OPENED, MAIL_REMINDER, MAIL_RESULT};
    char subject[STORE_NOMINEE_MAX + 64], *body = malloc(NOTICE_BODY_MAX);
    struct notice_ctx c = {m, p, kinds[kind], subject, body, now, 0, 0, 0};
    struct store_mail_to nominator;
    struct store_member who;
    int rc = -1;

    snprintf(subject, sizeof subject, "%s: %s",
             kind == STORE_NOTICE_OPENED ? "New poll" : kind == STORE_NOTICE_REMINDER
             ? "Closing soon" : "Result", p->nominee);
    if (body == NULL || notice_text(st, m, kind, p, body, NOTICE_BODY_MAX) != 0 ||
        store_mail_roll(st, p->id, kind == STORE_NOTICE_REMINDER, notice_one, &c) < 0 ||
        c.failed)
        goto out;
    rc = 0;
    /* the result also goes to the nominator when they are off the roll */
    if (kind == STORE_NOTICE_RESULT && !c.nominator_done &&
        store_member_get(st, p->nominated_by, &who) == CV_OK && who.active &&
        who.email[0] != '\0' && store_mail_notices_get(st, who.id, &c.failed) == CV_OK &&
        c.failed) {
        snprintf(nominator.username, sizeof nominator.username, "%s", who.username);
        snprintf(nominator.email, sizeof nominator.email, "%s", who.email);
        c.failed = 0;
        rc = notice_one(&c, &nominator) == 0 ? 0 : -1;
    }
    /* ... and to the nominee, when the consent's mail gave their address (not
     * a member: no notices to turn off, so no List-Unsubscribe) */
    if (rc == 0 && kind == STORE_NOTICE_RESULT && !c.nominee_done && p->nominee_email[0] &&
        mail_queue(m, MAIL_RESULT, p->nominee_email, subject, body, 0, now) != 0)
        rc = -1;
out:
    free(body);
    return rc;
}

/* The "next steps" mail of a passed poll P: its nominator, then each admin
 * (each once), get the text an admin set on /admin/mail; nothing without
 * one. Not a notice: sent whatever the recipients chose. 0 / -1. */
static int notice_next_steps(struct store *st, struct mail *m, const struct store_poll *p,
                             int64_t now)
{
    char subject[STORE_NOMINEE_MAX + 64], *text = malloc(STORE_NEXT_STEPS_MAX + 1),
         *body = malloc(NOTICE_BODY_MAX);
    struct notice_ctx c = {m, p, MAIL_NEXT_STEPS, subject, body, now, 0, 0, 0};
    struct store_mail_to to;
    struct store_member who;
    struct poll_result res;
    int rc = -1, n;

    if (text == NULL || body == NULL || store_next_steps_get(st, text, STORE_NEXT_STEPS_MAX + 1)
        != CV_OK)
        goto out;
    rc = 0;
    if (text[0] == '\0' || poll_result_parse(p->result, &res) != 0 ||
        res.verdict != PROTO_VERDICT_PASSED)
        goto out;
    snprintf(subject, sizeof subject, "Next steps: %s", p->nominee);
    n = snprintf(body, NOTICE_BODY_MAX, "The nomination of %s passed. What comes next, as "
                 "your admins wrote it:\n\n%s\n\nThe result: %s/polls/%s/result\n",
                 p->nominee, text, mail_public_url(m), p->id);
    rc = -1;
    if (n < 0 || n >= NOTICE_BODY_MAX)
        goto out;
    if (store_member_get(st, p->nominated_by, &who) == CV_OK && who.active &&
        who.email[0] != '\0') {
        snprintf(to.username, sizeof to.username, "%s", who.username);
        snprintf(to.email, sizeof to.email, "%s", who.email);
        if (mail_queue(m, MAIL_NEXT_STEPS, to.email, subject, body, 0, now) != 0)
            goto out;
    }
    c.nominator_done = 0;
    if (store_mail_admins(st, notice_admin, &c) == CV_OK && !c.failed)
        rc = 0;
out:
    free(text);
    free(body);
    return rc;
}

int notice_mark_all(struct store *st, int64_t now)
{
    if (store_begin(st) != 0)
        return -1;
    if (store_notice_mark_all(st, now) != CV_OK ||
        store_event_mark_all(st, STORE_EVENT_MAIL, now, NULL) != CV_OK) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st) == 0 ? 0 : -1;
}

int notice_event(struct store *st, struct mail *m, const char *type,
                 const struct store_poll *p, int64_t now)
{
    enum store_notice kind;
    int rc;

    if (m == NULL)
        return 0;
    if (strcmp(type, STORE_EVENT_OPENED) == 0 && !p->closed)
        kind = STORE_NOTICE_OPENED;
    else if (strcmp(type, STORE_EVENT_CLOSED) == 0 && p->result != NULL)
        kind = STORE_NOTICE_RESULT;
    else
        return 0;           /* withdrawn (before its opening was told, too): no mail */
    /* the poll's own mark too: the reminder follows the opening's notice */
    rc = store_notice_mark(st, p->id, kind, now);
    if (rc == CV_CONFLICT)
        return 0;           /* told already (by a server before schema 013) */
    if (rc != CV_OK || notice_queue(st, m, kind, p, now) != 0 ||
        (kind == STORE_NOTICE_RESULT && notice_next_steps(st, m, p, now) != 0))
        return -1;
    return 0;
}

/* Marks poll ID's reminder done and queues its mails, in one transaction.
 * 1 if done now, 0 if it was already, -1 on an error. */
static int notice_remind(struct store *st, struct mail *m, const char *id, int64_t now,
                         int64_t remind_before)
{
    struct store_poll p;
    int rc;

    memset(&p, 0, sizeof p);
    if (store_begin(st) != 0)
        return -1;
    rc = store_notice_mark(st, id, STORE_NOTICE_REMINDER, now);
    if (rc == CV_CONFLICT) {
        store_rollback(st);
        return 0;
    }
    if (rc != CV_OK || store_poll_get(st, id, 0, &p) != CV_OK)
        goto fail;
    /* no reminder for a poll shorter than the reminder's lead */
    if (p.opens_at < p.closes_at - remind_before &&
        notice_queue(st, m, STORE_NOTICE_REMINDER, &p, now) != 0)
        goto fail;
    store_poll_clear(&p);
    return store_commit(st) == 0 ? 1 : -1;
fail:
    store_poll_clear(&p);
    store_rollback(st);
    log_error("poll %s: could not queue its reminder; retrying", id);
    return -1;
}

/*
 * TEST ONLY (compiled into the test build alone, -DCONCLAVE_TEST):
 * CONCLAVE_TEST_REMINDER_SECONDS=N puts the reminder N seconds before the
 * close instead of --reminder-hours, so that a test need not wait hours.
 */
#ifdef CONCLAVE_TEST
static int64_t notice_test_remind(int64_t remind_before)
{
    const char *v = getenv("CONCLAVE_TEST_REMINDER_SECONDS");

    return v != NULL ? (int64_t)strtol(v, NULL, 10) : remind_before;
}
#else
#define notice_test_remind(r) (r)
#endif

int notice_run(struct store *st, struct mail *m, int64_t now, int64_t remind_before)
{
    char ids[NOTICE_BATCH][64];
    size_t n, i;
    int done = 0, failed = 0, r;

    remind_before = notice_test_remind(remind_before);
    if (m == NULL || remind_before <= 0)
        return 0;                   /* mail off: nothing is written */
    if (store_notice_due(st, STORE_NOTICE_REMINDER, now + remind_before, ids, NOTICE_BATCH,
                         &n) != CV_OK)
        return -1;
    for (i = 0; i < n; i++) {
        if ((r = notice_remind(st, m, ids[i], now, remind_before)) < 0)
            failed = 1;
        else
            done += r;
    }
    return failed ? -1 : done;
}
