/*
 * test_mail.c — composing a mail (mail.c), the outbox's rows
 * (store_outbox.c) and the mailer's pure parts (mailer.c: the pauses between
 * attempts, which hosts may skip STARTTLS), on a real store in a temporary
 * directory. Sending itself is tests/integration/test_mail.py's, against a
 * real SMTP server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "harness.h"
#include "mail.h"
#include "mailer.h"
#include "store.h"
#include "store_outbox.h"

static char tmp_root[] = "/tmp/conclave-test-mail-XXXXXX";

/* The next due mail's text (freed by the caller), or NULL. */
static char *next_text(struct store *st, int64_t now, struct store_mail *m)
{
    char *text = NULL;

    return store_outbox_next(st, now, m, &text) == CV_OK ? text : NULL;
}

static void test_compose(struct store *st, struct mail *m)
{
    struct store_mail row;
    char *text;

    CHECK_EQ_INT(mail_queue(m, MAIL_OPENED, "ann@example.org",
                            "Poll: Zoë\r\nBcc: evil@example.org", "line one\nline two\r\nthree",
                            1, 1000), 0, "queued");
    text = next_text(st, 1000, &row);
    CHECK(text != NULL, "due at once");
    if (text == NULL)
        return;
    CHECK_EQ_STR(row.kind, MAIL_OPENED);
    CHECK_EQ_STR(row.recipient, "ann@example.org");
    CHECK(strstr(text, "\r\nTo: <ann@example.org>\r\n") != NULL, "To");
    CHECK(strncmp(text, "From: Conclave <conclave@example.org>\r\n", 39) == 0, "From first");
    CHECK(strstr(text, "\r\nBcc:") == NULL, "a subject cannot add a header");
    CHECK(strstr(text, "Subject: =?UTF-8?B?") != NULL, "a non-ASCII subject is encoded");
    CHECK(strstr(text, "\r\nDate: Thu, 01 Jan 1970 00:16:40 +0000\r\n") != NULL, "Date");
    CHECK(strstr(text, "\r\nMessage-ID: <") != NULL && strstr(text, ".conclave@example.org>"),
          "Message-ID in the sender's domain");
    CHECK(strstr(text, "\r\nList-Unsubscribe: <https://vote.example.org/account>\r\n") != NULL,
          "a notice has List-Unsubscribe");
    CHECK(strstr(text, "\r\n\r\nline one\r\nline two\r\nthree\r\n") != NULL,
          "the body's lines end in CRLF");
    free(text);
    CHECK_EQ_INT(mail_queue(m, MAIL_RESET, "bad address@example.org", "s", "b", 0, 1000), -1,
                 "an address with a space is refused");
    CHECK_EQ_INT(mail_queue(m, MAIL_RESET, "a@b.org>,<c@d.org", "s", "b", 0, 1000), -1,
                 "one that would add a recipient too");
    CHECK_EQ_INT(store_outbox_sent(st, row.id, 1001), CV_OK, "marked sent");
    CHECK_EQ_INT(store_outbox_sent(st, row.id, 1002), CV_NOT_FOUND, "only once");
    CHECK(next_text(st, 5000, &row) == NULL, "a sent mail is not due again");
}

static void test_link_mail(struct store *st, struct mail *m)
{
    struct store_mail row;
    char *text;

    CHECK_EQ_INT(mail_queue_link(m, MAIL_INVITATION, "bo@example.org", "Bo Bell", "bo",
                                 "SECRETLINK", 2000 + 72 * 3600, 2000), 0, "an invitation");
    text = next_text(st, 2000, &row);
    CHECK(text != NULL && strstr(text, "https://vote.example.org/set-password?link=SECRETLINK"),
          "the link, made of the public URL");
    CHECK(text != NULL && strstr(text, "List-Unsubscribe") == NULL,
          "an invitation has no List-Unsubscribe");
    free(text);
    CHECK_EQ_INT(store_outbox_retry(st, row.id, 1, 2060, "451 try later"), CV_OK, "retry");
    CHECK(next_text(st, 2059, &row) == NULL, "not due before its next attempt");
    text = next_text(st, 2060, &row);
    CHECK(text != NULL, "due then");
    free(text);
    CHECK_EQ_INT(row.attempts, 1, "one attempt recorded");
    CHECK_EQ_STR(row.last_error, "451 try later");
    CHECK_EQ_INT(store_outbox_give_up(st, row.id, 2, 3000, "550 no"), CV_OK, "given up");
    CHECK(next_text(st, 9999, &row) == NULL, "a given-up mail is not due");
}

static int count_rows(void *ctx, const struct store_mail *m)
{
    (*(int *)ctx)++;
    (void)m;
    return 0;
}

static void test_counts(struct store *st)
{
    int64_t pending = -1, failing = -1, given_up = -1, pruned = -1;
    int n = 0;

    CHECK_EQ_INT(store_outbox_counts(st, &pending, &failing, &given_up), CV_OK, "counts");
    CHECK_EQ_INT((int)pending, 0);
    CHECK_EQ_INT((int)given_up, 1);
    CHECK_EQ_INT(store_outbox_list(st, 10, count_rows, &n), CV_OK, "list");
    CHECK_EQ_INT(n, 2, "both mails are listed");
    CHECK_EQ_INT(store_outbox_prune(st, 1002, &pruned), CV_OK, "prune");
    CHECK_EQ_INT((int)pruned, 1, "the mail sent at 1001 is forgotten, not the one given up at 3000");
    n = 0;
    CHECK_EQ_INT(store_outbox_list(st, 10, count_rows, &n), CV_OK, "list");
    CHECK_EQ_INT(n, 1, "one row left");
}

static void test_mailer_parts(void)
{
    CHECK_EQ_INT((int)mailer_backoff(1), 60, "a minute after the first failure");
    CHECK_EQ_INT((int)mailer_backoff(2), 120, "then twice as long");
    CHECK_EQ_INT((int)mailer_backoff(30), 3600, "at most an hour");
    CHECK_EQ_INT(mailer_url_loopback("smtp://127.0.0.1:2525"), 1, "127/8 is loopback");
    CHECK_EQ_INT(mailer_url_loopback("smtp://localhost"), 1, "localhost");
    CHECK_EQ_INT(mailer_url_loopback("smtp://[::1]:25"), 1, "::1");
    CHECK_EQ_INT(mailer_url_loopback("smtp://mail.example.org:587"), 0, "STARTTLS required");
    CHECK_EQ_INT(mailer_url_loopback("smtps://127.0.0.1.example.org"), 0, "not fooled");
    CHECK_EQ_INT(mailer_url_loopback("http://127.0.0.1"), -1, "not SMTP");
}

int main(void)
{
    struct store *st = NULL;
    struct mail *m = NULL;

    if (sodium_init() < 0 || mkdtemp(tmp_root) == NULL)
        return 1;
    CHECK_EQ_INT(store_open(tmp_root, &st), 0, "store opened");
    CHECK_EQ_INT(mail_new(st, "conclave@example.org", "https://vote.example.org", &m), 0,
                 "mail context");
    if (st != NULL && m != NULL) {
        test_compose(st, m);
        test_link_mail(st, m);
        test_counts(st);
    }
    test_mailer_parts();
    mail_free(m);
    store_close(st);
    harness_remove_tree(tmp_root);
    TEST_MAIN_END("test_mail");
}
