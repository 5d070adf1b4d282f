/*
 * event.c — an event's mails and webhook delivery, made from its row
 * (event.h), each in one transaction with the event's mark.
 *
 * The mark is taken first in that transaction (store_event_mark): a
 * CV_CONFLICT means another caller made them already, and the transaction
 * is rolled back with nothing written. The body of a delivery is composed
 * here, once, and stored with it, so that every attempt sends the same
 * bytes under the same signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "event.h"
#include "log.h"
#include "notice.h"
#include "poll.h"
#include "store.h"
#include "store_event.h"
#include "store_poll.h"
#include "store_webhook.h"
#include "webhook.h"

#define EVENT_BATCH 16
#define EVENT_URL_MAX 1024

/* Adds to POLL the links of event E: the poll's page, and after the close
 * the result page and the board. 0 / -1. */
static int event_links(json_t *poll, const struct store_event *e, const struct store_poll *p,
                       const char *url)
{
    char link[EVENT_URL_MAX];
    int ok;

    snprintf(link, sizeof link, "%s/polls/%s", url, p->id);
    ok = json_object_set_new(poll, "url", json_string(link)) == 0;
    if (strcmp(e->type, STORE_EVENT_CLOSED) == 0) {
        snprintf(link, sizeof link, "%s/polls/%s/result", url, p->id);
        ok &= json_object_set_new(poll, "result_url", json_string(link)) == 0;
        snprintf(link, sizeof link, "%s/api/v1/polls/%s/board", url, p->id);
        ok &= json_object_set_new(poll, "board_url", json_string(link)) == 0;
    }
    return ok ? 0 : -1;
}

/* The body without the result: {"id", "type", "created_at", "poll"}. */
static json_t *event_json(const struct store_event *e, const struct store_poll *p,
                          const char *url)
{
    char created[21], opens[21], closes[21], withdrawn[21];
    json_t *poll, *o;

    poll_format_time(e->created_at, created);
    poll_format_time(p->opens_at, opens);
    poll_format_time(p->closes_at, closes);
    poll = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", p->id, "nominee", p->nominee,
                     "nominated_by", p->nominated_by, "fingerprint", p->fingerprint,
                     "opens_at", opens, "closes_at", closes);
    if (poll == NULL || event_links(poll, e, p, url) != 0) {
        json_decref(poll);
        return NULL;
    }
    if (strcmp(e->type, STORE_EVENT_WITHDRAWN) == 0 && p->withdrawn) {
        poll_format_time(p->withdrawn_at, withdrawn);
        json_object_set_new(poll, "withdrawn_by", json_string(p->withdrawn_by));
        json_object_set_new(poll, "withdrawn_at", json_string(withdrawn));
    }
    o = json_pack("{s:s, s:s, s:s, s:o}", "id", e->uid, "type", e->type,
                  "created_at", created, "poll", poll);
    return o;
}

char *event_body(const struct store_event *e, const struct store_poll *p,
                 const char *public_url)
{
    int closed = strcmp(e->type, STORE_EVENT_CLOSED) == 0;
    json_t *o = event_json(e, p, public_url), *check;
    char *head, *out = NULL;
    size_t n, r;

    if (o == NULL)
        return NULL;
    head = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(o);
    if (head == NULL || !closed)
        return head;
    /* the result as served, byte for byte, after checking that it is JSON */
    if (p->result == NULL || (check = json_loads(p->result, JSON_REJECT_DUPLICATES, NULL))
        == NULL) {
        free(head);
        return NULL;
    }
    json_decref(check);
    n = strlen(head);
    r = strlen(p->result);
    if ((out = malloc(n + r + 12)) != NULL) {
        memcpy(out, head, n - 1);                       /* without the closing brace */
        memcpy(out + n - 1, ",\"result\":", 10);
        memcpy(out + n + 9, p->result, r);
        memcpy(out + n + 9 + r, "}", 2);
    }
    free(head);
    return out;
}

/* Makes event E's mails in one transaction with its mark. 1 made, 0 made
 * already, -1 on an error. */
static int event_mail_one(struct store *st, struct mail *m, const struct store_event *e,
                          int64_t now)
{
    struct store_poll p;
    int rc;

    memset(&p, 0, sizeof p);
    if (store_begin(st) != 0)
        return -1;
    rc = store_event_mark(st, e->id, STORE_EVENT_MAIL, now);
    if (rc == CV_CONFLICT) {
        store_rollback(st);
        return 0;
    }
    if (rc != CV_OK || store_poll_get(st, e->poll_id, 0, &p) != CV_OK ||
        notice_event(st, m, e->type, &p, now) != 0) {
        store_poll_clear(&p);
        store_rollback(st);
        log_error("event %lld (%s of poll %s): could not queue its mails; retrying",
                  (long long)e->id, e->type, e->poll_id);
        return -1;
    }
    store_poll_clear(&p);
    return store_commit(st) == 0 ? 1 : -1;
}

/* Makes event E's webhook delivery in one transaction with its mark. 1
 * made, 0 made already, -1 on an error. */
static int event_hook_one(struct store *st, struct webhook *w, const struct store_event *e,
                          int64_t now)
{
    unsigned char rnd[16];
    char uid[STORE_EVENT_UID_LEN + 1], *body = NULL;
    struct store_poll p;
    int rc;

    memset(&p, 0, sizeof p);
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(uid, sizeof uid, rnd, sizeof rnd);
    if (store_begin(st) != 0)
        return -1;
    rc = store_event_mark(st, e->id, STORE_EVENT_HOOK, now);
    if (rc == CV_CONFLICT) {
        store_rollback(st);
        return 0;
    }
    if (rc != CV_OK || store_poll_get(st, e->poll_id, 0, &p) != CV_OK ||
        (body = event_body(e, &p, webhook_public_url(w))) == NULL ||
        store_webhook_add(st, e->id, uid, body, now) != CV_OK) {
        free(body);
        store_poll_clear(&p);
        store_rollback(st);
        log_error("event %lld (%s of poll %s): could not make its webhook delivery; retrying",
                  (long long)e->id, e->type, e->poll_id);
        return -1;
    }
    free(body);
    store_poll_clear(&p);
    return store_commit(st) == 0 ? 1 : -1;
}

/* Handles the pending events for USE, a batch at a time. How many were
 * made, or -1 if one failed. */
static int event_run_use(struct store *st, enum store_event_use use, struct mail *m,
                         struct webhook *w, int64_t now)
{
    struct store_event ev[EVENT_BATCH];
    size_t n, i;
    int done = 0, failed = 0, r;

    if (store_event_pending(st, use, ev, EVENT_BATCH, &n) != CV_OK)
        return -1;
    for (i = 0; i < n; i++) {
        r = use == STORE_EVENT_MAIL ? event_mail_one(st, m, &ev[i], now)
                                    : event_hook_one(st, w, &ev[i], now);
        if (r < 0)
            failed = 1;
        else
            done += r;
    }
    return failed ? -1 : done;
}

int event_run(struct store *st, struct mail *m, struct webhook *w, int64_t now)
{
    int mailed = 0, hooked = 0;

    if (m != NULL)
        mailed = event_run_use(st, STORE_EVENT_MAIL, m, NULL, now);
    if (w != NULL) {
        hooked = event_run_use(st, STORE_EVENT_HOOK, NULL, w, now);
        if (hooked != 0)
            webhook_wake(w);
    }
    return mailed < 0 || hooked < 0 ? -1 : mailed + hooked;
}

int event_hooks_start(struct store *st, int on, int64_t now)
{
    int64_t n = 0;
    int was = 0, rc = -1;

    if (store_begin(st) != 0)
        return -1;
    if (store_webhook_settings_get(st, &was) != CV_OK ||
        (on && !was && store_event_mark_all(st, STORE_EVENT_HOOK, now, &n) != CV_OK) ||
        store_webhook_settings_set(st, on, now) != CV_OK) {
        store_rollback(st);
        return -1;
    }
    rc = store_commit(st) == 0 ? 0 : -1;
    if (rc == 0 && n > 0)
        log_info("webhook on: %lld earlier events are old news (not delivered)", (long long)n);
    return rc;
}
