/*
 * notice.h — the poll notices by mail: a poll opened (to its roll), the
 * reminder before its close (to those on the roll who have not voted), its
 * result (to the roll and the nominator).
 *
 * Each notice is queued once, by notice_run, in one transaction that marks
 * the poll's notice done (schema/010: announced_at, reminded_at,
 * result_mailed_at) and queues its mails, so that a crash queues it later
 * or not at all, never half or twice. notice_run runs on the server's
 * periodic tick, after the open or the close has committed. With mail off
 * nothing runs, and a start with mail on after one without marks every
 * poll's notices done first (notice_mark_all), so turning mail on sends no
 * old news. Members who turned notices off get none.
 *
 * What they say: the nominee, who nominated them, the statement, the
 * deadline, links; after the close the counts and whether the nomination
 * passed. Never a ballot, a tracker, a rho, or who voted how. The reminder's
 * list of recipients is read from the roll's voted flag alone, and its text
 * says "if you have not voted yet".
 */
#ifndef CONCLAVE_NOTICE_H
#define CONCLAVE_NOTICE_H

#include <stdint.h>

struct store;
struct mail;

/* Queues every poll notice due at NOW (M non-NULL; with mail off, M NULL,
 * does nothing and writes nothing); the reminder is due REMIND_BEFORE
 * seconds before the close (0: no reminders), and only for a poll that
 * opened before that moment. Returns how
 * many notices were handled, or -1 if one failed (logged; retried on the
 * next call). */
int notice_run(struct store *st, struct mail *m, int64_t now, int64_t remind_before);

/* Marks every poll's notices done at NOW: at a start with mail on after one
 * without, so that turning mail on sends no old news. 0 / -1. */
int notice_mark_all(struct store *st, int64_t now);

#endif
