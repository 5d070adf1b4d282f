/*
 * store_outbox.h — the outbox: mails waiting for the mailer, and what became
 * of those sent or given up (schema/010_mail.sql).
 *
 * A mail is queued with store_outbox_add inside the transaction of the event
 * that causes it (so both commit or neither does). The mailer takes the next
 * due mail with store_outbox_next, and records the outcome at once:
 * store_outbox_sent right after the SMTP server's 250 (before anything else,
 * so a crash after it never sends the mail again), store_outbox_retry or
 * store_outbox_give_up after a failure. Sent and given-up mails keep their
 * row (the admins' page lists them) but lose their text, which may hold a
 * set-password link. Return values as store.h.
 */
#ifndef CONCLAVE_STORE_OUTBOX_H
#define CONCLAVE_STORE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_MAIL_KIND_MAX     24
#define STORE_MAIL_SUBJECT_MAX  300
#define STORE_MAIL_ERROR_MAX    300
#define STORE_MAIL_TEXT_MAX     (64 * 1024)     /* a whole message, headers included */

struct store_mail {
    int64_t id;
    char kind[STORE_MAIL_KIND_MAX + 1];
    char recipient[STORE_EMAIL_MAX + 1];
    char subject[STORE_MAIL_SUBJECT_MAX + 1];
    int64_t created_at;
    int64_t next_at;
    int attempts;
    char last_error[STORE_MAIL_ERROR_MAX + 1];
    int64_t sent_at;                /* 0 while not sent */
    int64_t failed_at;              /* 0 unless given up */
};

/* Queues MESSAGE (the whole RFC 5322 text, at most STORE_MAIL_TEXT_MAX
 * bytes) of KIND to RECIPIENT, due at NOW. Inside the caller's transaction
 * when there is one. */
int store_outbox_add(struct store *s, const char *kind, const char *recipient,
                     const char *subject, const char *message, int64_t now);

/* The pending mail due first whose next attempt is at or before NOW: *out
 * and its text in *message (malloc'd, NUL-terminated; the caller wipes and
 * frees it). CV_NOT_FOUND when none is due. */
int store_outbox_next(struct store *s, int64_t now, struct store_mail *out, char **message);

/* Marks mail ID sent at NOW and empties its text. */
int store_outbox_sent(struct store *s, int64_t id, int64_t now);

/* Records a failed attempt of mail ID: its count ATTEMPTS, ERROR (cut to
 * STORE_MAIL_ERROR_MAX bytes) and the next attempt at NEXT_AT. */
int store_outbox_retry(struct store *s, int64_t id, int attempts, int64_t next_at,
                       const char *error);

/* Gives mail ID up at NOW (after its last failed attempt, ERROR) and empties
 * its text. */
int store_outbox_give_up(struct store *s, int64_t id, int attempts, int64_t now,
                         const char *error);

/* Deletes the rows of mails sent or given up before BEFORE; *n_out (may be
 * NULL) how many. */
int store_outbox_prune(struct store *s, int64_t before, int64_t *n_out);

/* Calls FN for up to LIMIT mails, newest first (without their text); FN
 * returning non-zero stops the walk and is returned. */
int store_outbox_list(struct store *s, int limit,
                      int (*fn)(void *ctx, const struct store_mail *m), void *ctx);

/* Counts of the outbox: waiting to be sent, of which *failing have failed at
 * least once, and given up. Any pointer may be NULL. */
int store_outbox_counts(struct store *s, int64_t *pending, int64_t *failing,
                        int64_t *given_up);

/* --- who gets mail ------------------------------------------------------- */

/* The username of an active member whose email is EMAIL (any case) into
 * USERNAME_OUT (STORE_USERNAME_MAX + 1 bytes). CV_NOT_FOUND if none. */
int store_mail_member_by_email(struct store *s, const char *email, char *username_out);

/* Whether member ID gets the poll notices (*on 1) or turned them off. */
int store_mail_notices_get(struct store *s, int64_t member_id, int *on);
int store_mail_notices_set(struct store *s, int64_t member_id, int on);

/* A recipient of a poll's notice. */
struct store_mail_to {
    char username[STORE_USERNAME_MAX + 1];
    char display_name[STORE_DISPLAY_NAME_MAX + 1];
    char email[STORE_EMAIL_MAX + 1];
};

/* Calls FN for each member of POLL_ID's roll who is active, has an address
 * and gets notices; with NOT_VOTED, only those whose roll row is not marked
 * voted (the reminder: the roll's voted flag is all it reads). */
int store_mail_roll(struct store *s, const char *poll_id, int not_voted,
                    int (*fn)(void *ctx, const struct store_mail_to *to), void *ctx);

/* The mail settings of the server on this data directory (schema 010):
 * set with FROM and URL at its start with --smtp-url, cleared (FROM NULL)
 * at a start without; read by the admin commands. get: CV_NOT_FOUND when
 * mail is off; FROM_OUT and URL_OUT of 256 and 512 bytes. */
int store_mail_settings_set(struct store *s, const char *from, const char *url, int64_t now);
int store_mail_settings_get(struct store *s, char *from_out, char *url_out);

/* The "next steps" text after a pass (at most STORE_NEXT_STEPS_MAX bytes):
 * set (BODY "" clears it) by an admin; get copies it into OUT (CAP bytes),
 * "" when none. */
#define STORE_NEXT_STEPS_MAX 8000
int store_next_steps_set(struct store *s, const char *body, const char *by, int64_t now);
int store_next_steps_get(struct store *s, char *out, size_t cap);

/* Calls FN for each active admin with an address (display_name and email
 * filled as for the roll). */
int store_mail_admins(struct store *s, int (*fn)(void *ctx, const struct store_mail_to *to),
                      void *ctx);

/* A poll's notices (notice.c), each queued once. */
enum store_notice {
    STORE_NOTICE_OPENED,        /* open, not yet announced */
    STORE_NOTICE_REMINDER,      /* open, announced, closing at or before UNTIL */
    STORE_NOTICE_RESULT         /* closed with a result, not yet mailed */
};

/* Up to CAP ids (STORE_POLL_ID_MAX... 64 bytes each) of polls whose notice
 * KIND is due, into IDS, *N how many. UNTIL: for the reminder, the latest
 * closing time to remind of. */
int store_notice_due(struct store *s, enum store_notice kind, int64_t until,
                     char (*ids)[64], size_t cap, size_t *n);

/* Marks every poll's notices done at NOW (those not done yet). */
int store_notice_mark_all(struct store *s, int64_t now);

/* Marks POLL_ID's notice KIND done at NOW: CV_OK if it was not yet (the
 * caller queues the mails in the same transaction), CV_CONFLICT if it
 * was already. */
int store_notice_mark(struct store *s, const char *poll_id, enum store_notice kind,
                      int64_t now);

#endif
