/*
 * mail.h — the mails Conclave sends, composed and queued in the outbox
 * (store_outbox.h) for the mailer thread (mailer.h) to send.
 *
 * A `struct mail` exists only when the server was started with --smtp-url;
 * every caller treats a NULL one as "mail is off": nothing is queued, and the
 * pages say how to turn mail on. The queue functions compose the whole
 * message (headers and a plain-text UTF-8 body) and add it to the outbox
 * inside the caller's transaction, so that the mail and the event that
 * causes it commit together.
 *
 * What a mail may say: who was nominated, by whom, the deadline, links to
 * this server, counts after the close. Never a ballot, a tracker, a ballot's
 * secret rho, nor anything about how or whether a given member voted (a
 * reminder goes to those on the roll who have not voted, and says only that
 * the poll closes soon).
 */
#ifndef CONCLAVE_MAIL_H
#define CONCLAVE_MAIL_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct mail;

/* Kinds of mail (the outbox's kind column). Notices can be turned off by
 * their recipient; invitations and resets cannot. */
#define MAIL_INVITATION  "invitation"
#define MAIL_RESET       "reset"
#define MAIL_OPENED      "poll_opened"
#define MAIL_REMINDER    "reminder"
#define MAIL_RESULT      "result"
#define MAIL_NEXT_STEPS  "next_steps"   /* after a pass, to the nominator and admins */
#define MAIL_DECRYPT_WAIT "decrypt_wait" /* a poll waits long for its trustees, to admins */

#define MAIL_RESET_TTL   (15 * 60)      /* a password-reset link, seconds */

/* Creates the mail context over ST (not owned) with the sender FROM (an
 * address) and PUBLIC_URL (no trailing slash: links are PUBLIC_URL/path).
 * 0 / -1. */
int mail_new(struct store *st, const char *from, const char *public_url, struct mail **out);

/* Lets M wake MAILER (mailer.h) when a mail is queued. */
struct mailer;
void mail_set_mailer(struct mail *m, struct mailer *mailer);

/* Frees M; NULL is a no-op. */
void mail_free(struct mail *m);

/* The public URL links are made of ("" for NULL). */
const char *mail_public_url(const struct mail *m);

/* Composes a mail of KIND to TO (local@domain, printable ASCII) with
 * SUBJECT (control characters become spaces; non-ASCII is encoded) and BODY
 * (UTF-8 text; lines end in CRLF in the message), and queues it at NOW.
 * NOTICE adds List-Unsubscribe (the member's /account page, where notices
 * are turned off). Inside the caller's transaction when there is one.
 * 0, or -1 (nothing queued). */
int mail_queue(struct mail *m, const char *kind, const char *to, const char *subject,
               const char *body, int notice, int64_t now);

/* The invitation (KIND MAIL_INVITATION) or the password reset (MAIL_RESET)
 * to a member TO named NAME (username USERNAME) with the set-password link
 * LINK (its secret), valid until EXPIRES_AT. 0 / -1. */
int mail_queue_link(struct mail *m, const char *kind, const char *to, const char *name,
                    const char *username, const char *link, int64_t expires_at,
                    int64_t now);

/* Writes T (unix seconds, UTC) as "Wed 25 Nov 2026, 12:30 UTC" into OUT. */
void mail_format_time(char *out, size_t cap, int64_t t);

#endif
