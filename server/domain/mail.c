/*
 * mail.c — composing a mail and queuing it in the outbox (mail.h).
 *
 * The message is composed once, when queued: headers (From, To, Subject,
 * Date, Message-ID, MIME headers, Auto-Submitted, and List-Unsubscribe for
 * notices) and a plain-text UTF-8 body with CRLF line ends. Every value that
 * goes into a header is checked or cleaned here: an address is printable
 * ASCII without spaces, angle brackets or commas (mail_address_ok), a subject loses its control
 * characters and is RFC 2047-encoded when not ASCII, so no value can add a
 * header or a recipient. The Message-ID is random and kept in the stored
 * text, so a retry sends the same message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "log.h"
#include "mail.h"
#include "mailer.h"
#include "store_outbox.h"

#define MAIL_FROM_MAX    256
#define MAIL_URL_MAX     512
#define MAIL_SUBJECT_MAX 200     /* bytes of the subject as given */

struct mail {
    struct store *st;
    char from[MAIL_FROM_MAX];
    char url[MAIL_URL_MAX];
    const char *domain;                 /* the part of FROM after '@' */
    struct mailer *mailer;              /* woken when a mail is queued; may be NULL */
};

/* A growing text buffer; a failed append leaves ok = 0. */
struct mail_buf {
    char *p;
    size_t len, cap;
    int ok;
};

static void buf_add(struct mail_buf *b, const char *s, size_t n)
{
    char *q;
    size_t cap;

    if (!b->ok)
        return;
    if (b->len + n + 1 > STORE_MAIL_TEXT_MAX + 1) {
        b->ok = 0;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        if ((q = realloc(b->p, cap)) == NULL) {
            b->ok = 0;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_str(struct mail_buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

int mail_new(struct store *st, const char *from, const char *public_url, struct mail **out)
{
    struct mail *m;
    const char *at = strrchr(from, '@');

    *out = NULL;
    if (at == NULL || at[1] == '\0' || strlen(from) >= MAIL_FROM_MAX ||
        strlen(public_url) >= MAIL_URL_MAX || (m = calloc(1, sizeof *m)) == NULL)
        return -1;
    m->st = st;
    memcpy(m->from, from, strlen(from) + 1);
    memcpy(m->url, public_url, strlen(public_url) + 1);
    m->domain = m->from + (at - from) + 1;
    *out = m;
    return 0;
}

void mail_set_mailer(struct mail *m, struct mailer *mailer)
{
    if (m != NULL)
        m->mailer = mailer;
}

void mail_free(struct mail *m)
{
    free(m);
}

const char *mail_public_url(const struct mail *m)
{
    return m != NULL ? m->url : "";
}

void mail_format_time(char *out, size_t cap, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(out, cap, "%a %d %b %Y, %H:%M UTC", &tm) == 0)
        snprintf(out, cap, "%lld (unix time)", (long long)t);
}

/* The Subject header's value: SUBJECT without control characters, encoded
 * as one RFC 2047 base64 word when it is not all ASCII. */
static void mail_subject(struct mail_buf *b, const char *subject)
{
    char clean[MAIL_SUBJECT_MAX + 1], enc[sodium_base64_ENCODED_LEN(MAIL_SUBJECT_MAX,
                                          sodium_base64_VARIANT_ORIGINAL)];
    size_t i, n = strlen(subject);
    int ascii = 1;

    if (n > MAIL_SUBJECT_MAX)
        n = MAIL_SUBJECT_MAX;
    while (n > 0 && ((unsigned char)subject[n] & 0xC0) == 0x80 && n < strlen(subject))
        n--;                                    /* not inside a UTF-8 character */
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)subject[i];
        clean[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
        ascii &= c < 0x80;
    }
    clean[n] = '\0';
    if (ascii) {
        buf_str(b, clean);
        return;
    }
    sodium_bin2base64(enc, sizeof enc, (const unsigned char *)clean, n,
                      sodium_base64_VARIANT_ORIGINAL);
    buf_str(b, "=?UTF-8?B?");
    buf_str(b, enc);
    buf_str(b, "?=");
}

/* The headers of a mail to TO. */
static void mail_headers(struct mail *m, struct mail_buf *b, const char *to,
                         const char *subject, int notice, int64_t now)
{
    unsigned char rnd[16];
    char id[33], date[64];
    time_t t = (time_t)now;
    struct tm tm;

    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(id, sizeof id, rnd, sizeof rnd);
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0)
        b->ok = 0;
    buf_str(b, "From: Conclave <");
    buf_str(b, m->from);
    buf_str(b, ">\r\nTo: <");
    buf_str(b, to);
    buf_str(b, ">\r\nSubject: ");
    mail_subject(b, subject);
    buf_str(b, "\r\nDate: ");
    buf_str(b, date);
    buf_str(b, "\r\nMessage-ID: <");
    buf_str(b, id);
    buf_str(b, ".conclave@");
    buf_str(b, m->domain);
    buf_str(b, ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
               "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n");
    if (notice) {
        buf_str(b, "List-Unsubscribe: <");
        buf_str(b, m->url);
        buf_str(b, "/account>\r\n");
    }
    buf_str(b, "\r\n");
}

/* BODY with every line ended by CRLF (a lone LF or CR becomes CRLF). */
static void mail_body(struct mail_buf *b, const char *body)
{
    const char *p = body, *q;

    while (*p != '\0') {
        q = p + strcspn(p, "\r\n");
        buf_add(b, p, (size_t)(q - p));
        buf_add(b, "\r\n", 2);
        if (*q == '\r' && q[1] == '\n')
            q++;
        p = *q != '\0' ? q + 1 : q;
    }
}

/* 1 if TO can stand in To: and RCPT TO: as it is: local@domain, printable
 * ASCII, no space, '<', '>', ',' or ';' (auth.c checks members' addresses
 * more closely; this keeps any header whole). */
static int mail_address_ok(const char *to)
{
    const char *p, *at = strchr(to, '@');

    if (at == NULL || at == to || at[1] == '\0' || strlen(to) > STORE_EMAIL_MAX)
        return 0;
    for (p = to; *p != '\0'; p++)
        if (*p <= ' ' || *p > '~' || strchr("<>,;", *p) != NULL)
            return 0;
    return 1;
}

int mail_queue(struct mail *m, const char *kind, const char *to, const char *subject,
               const char *body, int notice, int64_t now)
{
    struct mail_buf b = {NULL, 0, 0, 1};
    int rc = -1;

    if (m == NULL || to == NULL || !mail_address_ok(to))
        return -1;
    mail_headers(m, &b, to, subject, notice, now);
    mail_body(&b, body);
    if (b.ok && store_outbox_add(m->st, kind, to, subject, b.p, now) == CV_OK) {
        rc = 0;
        mailer_wake(m->mailer);     /* it looks once the caller's transaction ends */
    } else
        log_error("could not queue a mail (%s)", kind);
    if (b.p != NULL) {
        sodium_memzero(b.p, b.cap);     /* it may hold a set-password link */
        free(b.p);
    }
    return rc;
}

int mail_queue_link(struct mail *m, const char *kind, const char *to, const char *name,
                    const char *username, const char *link, int64_t expires_at,
                    int64_t now)
{
    char *body, until[64];
    int reset = strcmp(kind, MAIL_RESET) == 0, n, rc;
    size_t cap = 4096;

    if (m == NULL || (body = malloc(cap)) == NULL)
        return -1;
    mail_format_time(until, sizeof until, expires_at);
    n = snprintf(body, cap, reset
        ? "Hello %s,\n\nSomeone (we hope you) asked to reset the password of your Conclave "
          "account %s at %s.\nChoose a new password here:\n\n  %s/set-password?link=%s\n\n"
          "The link works once, until %s. If you did not ask for it, ignore this mail: "
          "your password stays as it is.\n"
        : "Hello %s,\n\nYou are invited to vote on Conclave, the core team's voting "
          "service, as %s at %s.\nChoose your password here:\n\n  %s/set-password?link=%s\n\n"
          "The link works once, until %s. If it has expired, ask an admin to send a new "
          "invitation.\n",
        name, username, m->url, m->url, link, until);
    rc = n > 0 && (size_t)n < cap
        ? mail_queue(m, kind, to, reset ? "Reset your Conclave password"
                                        : "Your invitation to Conclave", body, 0, now)
        : -1;
    sodium_memzero(body, cap);
    free(body);
    return rc;
}
