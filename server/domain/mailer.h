/*
 * mailer.h — the one thread that sends the outbox's mails over SMTP, with
 * libcurl (no SMTP of our own).
 *
 * It takes the due mails one at a time (store_outbox_next), sends each to its
 * one recipient, and records the outcome before anything else: sent right
 * after the server's 250 (so a crash or a restart never sends it twice), or
 * a failure with the next attempt after a growing pause (1 minute, doubling,
 * at most an hour) until the mail is 24 hours old, when it is given up. Each
 * failure is logged (the mail's id, kind, attempt and curl's reason: never
 * its text, which may hold a link, nor the SMTP password) and shown to admins
 * on /admin/mail. Mails queued by another process (an admin command) are
 * found within a second. The rows of mails sent or given up are deleted
 * after 30 days (checked hourly).
 *
 * smtp:// requires STARTTLS, unless the host is this machine (127.0.0.0/8,
 * ::1, localhost), where it is used if offered; smtps:// is TLS from the
 * first byte. Certificates are verified.
 */
#ifndef CONCLAVE_MAILER_H
#define CONCLAVE_MAILER_H

#include <stdint.h>

struct store;
struct mailer;

#define MAILER_GIVE_UP     (24 * 3600)     /* seconds after queuing */
#define MAILER_BACKOFF     60              /* seconds after the first failure */
#define MAILER_BACKOFF_MAX 3600
#define MAILER_KEEP        (30 * 86400)    /* rows of mails done with, for /admin/mail */

struct mailer_options {
    const char *url;                /* smtp://HOST:PORT or smtps://HOST:PORT */
    const char *user;               /* NULL or "": no AUTH */
    const char *password;           /* copied; the caller wipes its own */
    const char *from;               /* the envelope sender */
};

/* Starts the thread over ST (not owned; must outlive the mailer). Requires
 * curl_global_init to have run. 0 / -1 (with a log line). */
int mailer_start(struct store *st, const struct mailer_options *o, struct mailer **out);

/* Wakes the thread to look for due mails now (after queuing one). */
void mailer_wake(struct mailer *m);

/* Stops the thread after the mail it is sending, if any, and frees M (the
 * password wiped); NULL is a no-op. Mails not sent stay in the outbox. */
void mailer_stop(struct mailer *m);

/* The pause before attempt ATTEMPTS + 1 after ATTEMPTS failures, seconds. */
int64_t mailer_backoff(int attempts);

/* 1 if URL's host is this machine (STARTTLS not required), 0 if not, -1 if
 * URL is no smtp:// or smtps:// URL with a host. */
int mailer_url_loopback(const char *url);

#endif
