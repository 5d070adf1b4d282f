/*
 * test_event.c — the poll events and what is made of them: schema/013's
 * triggers (an event exactly when a poll opens, gets its result, or is
 * withdrawn; none for the close into `decrypting`), their rows and marks
 * (store_event.c), the webhook's deliveries (store_webhook.c), the body of
 * a delivery and the dispatcher (event.c), and the delivery thread's pure
 * parts (webhook.c: the signature, the pauses, which URLs may be used), on
 * a real store in a temporary directory. The POSTs themselves are
 * tests/integration/test_webhooks.py's, against a real HTTP receiver.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "event.h"
#include "harness.h"
#include "store.h"
#include "store_decrypt.h"
#include "store_event.h"
#include "store_poll.h"
#include "store_webhook.h"
#include "webhook.h"

static char tmp_root[] = "/tmp/conclave-test-event-XXXXXX";

#define RESULT_TEXT "{\"counts\":[2,1],\"ballots\":3,\"eligible\":4,\"rule\":\"two-thirds\"," \
    "\"passed\":true,\"message\":\"m\",\"signature\":\"00\"}"

/* Opens poll ID (sealed for COUNCIL unless NULL) by NOMINATOR. 0 / -1. */
static int poll_open(struct store *s, const char *id, const char *council)
{
    static const char *const roll[] = {"ann", "bob"};
    unsigned char secret[32] = {7};
    struct store_poll p;

    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", id);
    snprintf(p.nominee, sizeof p.nominee, "Nominee %s", id);
    snprintf(p.nominated_by, sizeof p.nominated_by, "ann");
    memset(p.fingerprint, 'f', 64);
    p.statement = p.statement_html = p.record = "x";
    p.opens_at = 1000;
    p.closes_at = 2000;
    if (council != NULL) {
        snprintf(p.council, sizeof p.council, "%s", council);
        p.seal = "{\"t\":1,\"trustees\":[]}";
    }
    return store_poll_insert(s, &p, NULL, secret, roll, 2);
}

/* The events of poll ID as "type type ..." into OUT. */
struct types_ctx {
    char *out;
    size_t cap;
};

static int types_one(void *arg, const struct store_event *e)
{
    struct types_ctx *c = arg;
    size_t n = strlen(c->out);

    snprintf(c->out + n, c->cap - n, "%s%s", n ? " " : "", e->type);
    return 0;
}

static const char *poll_events(struct store *s, const char *id, char *out, size_t cap)
{
    struct types_ctx c = {out, cap};

    out[0] = '\0';
    if (store_event_list(s, id, types_one, &c) != CV_OK)
        snprintf(out, cap, "(error)");
    return out;
}

static void test_triggers(struct store *s)
{
    char ev[200];

    CHECK_EQ_INT(poll_open(s, "p1", NULL), CV_OK, "poll p1 opens");
    CHECK_EQ_STR(poll_events(s, "p1", ev, sizeof ev), "poll.opened", "p1 opened: one event");
    CHECK_EQ_INT(poll_open(s, "p2", NULL), CV_OK, "poll p2 opens");
    CHECK(store_begin(s) == 0 && store_poll_mark_withdrawn(s, "p2", "ann", 1500) == CV_OK &&
          store_commit(s) == 0, "p2 withdrawn");
    CHECK_EQ_STR(poll_events(s, "p2", ev, sizeof ev), "poll.opened poll.withdrawn");
    CHECK(store_begin(s) == 0 && store_poll_finish(s, "p1", RESULT_TEXT, "{}", -1) == CV_OK &&
          store_commit(s) == 0, "p1 closed with its result");
    CHECK_EQ_STR(poll_events(s, "p1", ev, sizeof ev), "poll.opened poll.closed");
    /* a sealed poll: the close into decrypting is no event; its result is */
    CHECK_EQ_INT(poll_open(s, "p3", "c1"), CV_OK, "sealed poll p3 opens");
    CHECK(store_begin(s) == 0 && store_decrypt_begin(s, "p3", "{}", -1, "{}") == CV_OK &&
          store_commit(s) == 0, "p3 closes into decrypting");
    CHECK_EQ_STR(poll_events(s, "p3", ev, sizeof ev), "poll.opened", "no event yet");
    CHECK(store_begin(s) == 0 && store_decrypt_publish(s, "p3", RESULT_TEXT, "{}", -1)
          == CV_OK && store_commit(s) == 0, "p3's result published");
    CHECK_EQ_STR(poll_events(s, "p3", ev, sizeof ev), "poll.opened poll.closed");
    /* a rolled-back change leaves no event */
    CHECK_EQ_INT(poll_open(s, "p4", NULL), CV_OK, "poll p4 opens");
    CHECK(store_begin(s) == 0 && store_poll_mark_withdrawn(s, "p4", "ann", 1500) == CV_OK &&
          store_rollback(s) == 0, "p4's withdrawal rolled back");
    CHECK_EQ_STR(poll_events(s, "p4", ev, sizeof ev), "poll.opened", "no poll.withdrawn");
}

static void test_marks(struct store *s)
{
    struct store_event ev[16];
    size_t n = 0;
    int64_t marked = -1;

    CHECK(store_event_pending(s, STORE_EVENT_MAIL, ev, 16, &n) == CV_OK && n == 7,
          "seven events wait for their mails");
    if (n != 7)
        return;
    CHECK_EQ_STR(ev[0].type, STORE_EVENT_OPENED, "oldest first");
    CHECK_EQ_STR(ev[0].poll_id, "p1");
    CHECK(strlen(ev[0].uid) == 32 && strcmp(ev[0].uid, ev[1].uid) != 0,
          "each with a random id of its own");
    CHECK_EQ_INT(store_event_mark(s, ev[0].id, STORE_EVENT_MAIL, 3000), CV_OK, "marked mailed");
    CHECK_EQ_INT(store_event_mark(s, ev[0].id, STORE_EVENT_MAIL, 3001), CV_CONFLICT, "once");
    CHECK_EQ_INT(store_event_mark(s, 999999, STORE_EVENT_MAIL, 3001), CV_NOT_FOUND,
                 "no such event");
    CHECK(store_event_pending(s, STORE_EVENT_MAIL, ev, 16, &n) == CV_OK && n == 6, "six left");
    CHECK(store_event_pending(s, STORE_EVENT_HOOK, ev, 2, &n) == CV_OK && n == 2,
          "the hook's marks are apart (and CAP holds)");
    CHECK(store_event_mark_all(s, STORE_EVENT_MAIL, 3002, &marked) == CV_OK && marked == 6,
          "mark all: the other six");
    CHECK(store_event_pending(s, STORE_EVENT_MAIL, ev, 16, &n) == CV_OK && n == 0, "none left");
}

static void test_deliveries(struct store *s)
{
    struct store_delivery d;
    char *body = NULL;
    size_t len = 0;
    int64_t pending = -1, failing = -1, given_up = -1, delivered = -1;

    CHECK_EQ_INT(store_webhook_add(s, 1, "0123456789abcdef0123456789abcdef", "{\"a\":1}", 100),
                 CV_OK, "a delivery");
    CHECK_EQ_INT(store_webhook_add(s, 1, "ffffffffffffffffffffffffffffffff", "{}", 100),
                 CV_CONFLICT, "one per event");
    CHECK_EQ_INT(store_webhook_add(s, 2, "short", "{}", 100), CV_ERROR, "an id of 32 digits");
    CHECK_EQ_INT(store_webhook_next(s, 99, &d, &body, &len), CV_NOT_FOUND, "not due before");
    CHECK_EQ_INT(store_webhook_next(s, 100, &d, &body, &len), CV_OK, "due");
    CHECK(body != NULL && strcmp(body, "{\"a\":1}") == 0 && len == 7, "its body");
    free(body);
    CHECK_EQ_STR(d.type, STORE_EVENT_OPENED, "its event's type");
    CHECK_EQ_STR(d.poll_id, "p1", "its poll");
    CHECK_EQ_STR(d.nominee, "Nominee p1", "the nominee");
    CHECK_EQ_INT(store_webhook_retry(s, d.id, 1, 130, "the receiver answered HTTP 500"), CV_OK,
                 "a failed attempt");
    CHECK_EQ_INT(store_webhook_next(s, 129, &d, &body, &len), CV_NOT_FOUND, "not due yet");
    CHECK(store_webhook_counts(s, &pending, &failing, &given_up, &delivered) == CV_OK &&
          pending == 1 && failing == 1 && given_up == 0 && delivered == 0, "counts: retrying");
    CHECK_EQ_INT(store_webhook_give_up(s, d.id, 2, 200, "timeout"), CV_OK, "given up");
    CHECK_EQ_INT(store_webhook_next(s, 9999, &d, &body, &len), CV_NOT_FOUND, "never due");
    CHECK_EQ_INT(store_webhook_delivered(s, d.id, 201), CV_NOT_FOUND, "nor delivered");
    CHECK_EQ_INT(store_webhook_again(s, d.id, 300), CV_OK, "an admin asks again");
    CHECK_EQ_INT(store_webhook_next(s, 300, &d, &body, &len), CV_OK, "due at once");
    free(body);
    CHECK(d.attempts == 2 && strcmp(d.last_error, "timeout") == 0, "attempts and error kept");
    CHECK_EQ_INT(store_webhook_delivered(s, d.id, 301), CV_OK, "delivered");
    CHECK_EQ_INT(store_webhook_delivered(s, d.id, 302), CV_NOT_FOUND, "once");
    CHECK_EQ_INT(store_webhook_again(s, d.id, 303), CV_NOT_FOUND, "not asked for again");
    CHECK(store_webhook_counts(s, &pending, &failing, &given_up, &delivered) == CV_OK &&
          pending == 0 && given_up == 0 && delivered == 1, "counts: delivered");
    CHECK(store_webhook_prune(s, 302, &pending) == CV_OK && pending == 1, "pruned after");
}

static void test_body(struct store *s)
{
    struct store_event e = {1, "0123456789abcdef0123456789abcdef", STORE_EVENT_CLOSED, "p1",
                            1765087200};
    struct store_poll p;
    json_t *o;
    char *body;

    memset(&p, 0, sizeof p);
    CHECK_EQ_INT(store_poll_get(s, "p1", 0, &p), CV_OK, "poll p1");
    body = event_body(&e, &p, "https://vote.example.org");
    CHECK(body != NULL && strstr(body, ",\"result\":" RESULT_TEXT "}") != NULL,
          "the result byte for byte, last");
    o = body != NULL ? json_loads(body, JSON_REJECT_DUPLICATES, NULL) : NULL;
    CHECK(o != NULL, "the body is JSON");
    CHECK_EQ_STR(json_string_value(json_object_get(o, "id")), e.uid, "the event's id");
    CHECK_EQ_STR(json_string_value(json_object_get(o, "type")), "poll.closed");
    CHECK_EQ_STR(json_string_value(json_object_get(o, "created_at")), "2025-12-07T06:00:00Z");
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(o, "poll"), "url")),
                 "https://vote.example.org/polls/p1");
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(o, "poll"), "board_url")),
                 "https://vote.example.org/api/v1/polls/p1/board");
    CHECK(json_object_get(o, "ballots") == NULL && strstr(body ? body : "", "tracker") == NULL,
          "no ballot, no tracker");
    json_decref(o);
    free(body);
    free(p.result);
    p.result = strdup("not json");
    CHECK(event_body(&e, &p, "") == NULL, "a result that is not JSON makes no body");
    snprintf(e.type, sizeof e.type, "%s", STORE_EVENT_OPENED);
    body = event_body(&e, &p, "");
    CHECK(body != NULL && strstr(body, "\"result\"") == NULL, "an opening has no result");
    free(body);
    store_poll_clear(&p);
}

static void test_dispatch(struct store *s)
{
    struct webhook_options o = {"http://127.0.0.1:9/hook", "a-secret-of-16-bytes", "https://v"};
    struct webhook *w = NULL;
    int64_t pending = -1, now = (int64_t)time(NULL);   /* the thread reads the real clock */
    int on = -1;

    CHECK_EQ_INT(event_run(s, NULL, NULL, now), 0, "mail and webhook off: nothing made");
    CHECK(event_hooks_start(s, 0, now) == 0 && store_webhook_settings_get(s, &on) == CV_OK &&
          on == 0, "a start without the webhook is recorded");
    CHECK_EQ_INT(poll_open(s, "p5", NULL), CV_OK, "poll p5 opens while it is off");
    CHECK(event_hooks_start(s, 1, now + 1) == 0 && store_webhook_settings_get(s, &on) == CV_OK &&
          on == 1, "then a start with it");
    CHECK_EQ_INT(webhook_start(s, &o, &w), 0, "the delivery thread starts");
    CHECK_EQ_INT(event_run(s, NULL, w, now + 2), 0, "the events so far are old news");
    CHECK_EQ_INT(poll_open(s, "p6", NULL), CV_OK, "poll p6 opens");
    CHECK_EQ_INT(event_run(s, NULL, w, now + 3), 1, "its delivery is made");
    CHECK_EQ_INT(event_run(s, NULL, w, now + 4), 0, "once");
    webhook_stop(w);
    CHECK(store_webhook_counts(s, &pending, NULL, NULL, NULL) == CV_OK && pending == 1,
          "it waits (nobody listens on port 9)");
    o.secret = "too-short";
    CHECK(webhook_start(s, &o, &w) == -1 && w == NULL, "a secret under 16 bytes is refused");
}

static void test_webhook_parts(void)
{
    static const unsigned char want[] = "sha256=5bdcc146bf60754e6a042426089575c7"
                                        "5a003f089d2739839dec58b964ec3843";
    char sig[WEBHOOK_SIG_LEN + 1];

    /* RFC 4231, test case 2 */
    webhook_sign((const unsigned char *)"Jefe", 4, "what do ya want for nothing?", 28, sig);
    CHECK_EQ_STR(sig, (const char *)want, "HMAC-SHA256 (RFC 4231 case 2)");
    webhook_sign((const unsigned char *)"Jeff", 4, "what do ya want for nothing?", 28, sig);
    CHECK(strcmp(sig, (const char *)want) != 0, "another key, another signature");
    CHECK_EQ_INT(webhook_backoff(1), 30);
    CHECK_EQ_INT(webhook_backoff(2), 60);
    CHECK_EQ_INT(webhook_backoff(7), 1920);
    CHECK_EQ_INT(webhook_backoff(8), 3600, "at most an hour");
    CHECK_EQ_INT(webhook_backoff(40), 3600);
    CHECK_EQ_INT(webhook_url_ok("https://hooks.example.org/conclave"), 1, "https");
    CHECK_EQ_INT(webhook_url_ok("http://127.0.0.1:8000/x"), 1, "http to loopback");
    CHECK_EQ_INT(webhook_url_ok("http://localhost/x"), 1, "http to localhost");
    CHECK_EQ_INT(webhook_url_ok("http://[::1]:81/x"), 1, "http to ::1");
    CHECK_EQ_INT(webhook_url_ok("http://hooks.example.org/x"), 0, "http elsewhere: no");
    CHECK_EQ_INT(webhook_url_ok("http://127.0.0.1.example.org/x"), 0, "a name, not loopback");
    CHECK_EQ_INT(webhook_url_ok("ftp://127.0.0.1/x"), 0, "ftp: no");
    CHECK_EQ_INT(webhook_url_ok("https://"), 0, "no host: no");
}

int main(void)
{
    struct store *s = NULL;
    char dir[sizeof tmp_root + 8];

    if (sodium_init() < 0 || mkdtemp(tmp_root) == NULL)
        return 1;
    snprintf(dir, sizeof dir, "%s/data", tmp_root);
    CHECK(store_open(dir, &s) == 0, "store opens");
    if (s != NULL) {
        test_triggers(s);
        test_marks(s);
        test_deliveries(s);
        test_body(s);
        test_dispatch(s);
        store_close(s);
    }
    test_webhook_parts();
    harness_remove_tree(tmp_root);
    TEST_MAIN_END("test_event");
}
