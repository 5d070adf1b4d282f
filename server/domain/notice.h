/*
 * notice.h — the poll notices by mail: a poll opened (to its roll), the
 * reminder before its close (to those on the roll who have not voted), its
 * result (to the roll and the nominator).
 *
 * Each notice is queued once. The opened and result notices are made from
 * the poll's event (store_event.h: schema/013's triggers write it in the
 * transaction of the opening or the close): event.c calls notice_event in
 * the transaction that marks the event mailed, which also sets the poll's
 * own mark (schema/010: announced_at, result_mailed_at), so a crash queues
 * them later or not at all, never half or twice. The reminder is queued by
 * notice_run on the server's periodic tick, in one transaction with its
 * mark (reminded_at), for a poll whose opening was told. With mail off
 * nothing runs, and a start with mail on after one without marks every
 * poll's notices and every event done first (notice_mark_all), so turning
 * mail on sends no old news. Members who turned notices off get none.
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

/* Queues the reminders due at NOW (M non-NULL; with mail off, M NULL, does
 * nothing and writes nothing): REMIND_BEFORE seconds before the close (0:
 * no reminders), and only for a poll that opened before that moment.
 * Returns how many polls were handled, or -1 if one failed (logged;
 * retried on the next call). */
int notice_run(struct store *st, struct mail *m, int64_t now, int64_t remind_before);

/* Queues the notice of event TYPE (STORE_EVENT_*, store_event.h) of poll P
 * inside the caller's transaction: poll.opened, to the roll, unless P is no
 * longer open (withdrawn before it was told); poll.closed, the result to
 * the roll and the nominator, and after a pass the next steps; nothing for
 * poll.withdrawn, nor with mail off (M NULL), nor when the poll's own mark
 * says it was told already. 0 / -1. */
struct store_poll;
int notice_event(struct store *st, struct mail *m, const char *type,
                 const struct store_poll *p, int64_t now);

/* Marks every poll's notices and every event's mails done at NOW, in one
 * transaction: at a start with mail on after one without, so that turning
 * mail on sends no old news. 0 / -1. */
int notice_mark_all(struct store *st, int64_t now);

#endif
