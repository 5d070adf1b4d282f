/*
 * poll_stall.h — a poll sealed by a council that waits too long for its
 * trustees (PROTOCOL-threshold T7). Only t trustees can decrypt its count:
 * not the server, not an admin. So when a poll has stayed `decrypting` for
 * --decrypt-remind-hours after its deadline, the admins are told once: the
 * log says so (which trustees have decrypted, which have not), each admin
 * with an address gets a mail if mail is on, and /admin/decryptions shows
 * the poll as overdue in any case. Nothing here decrypts, closes or gives
 * up a poll: a trustee who comes back later still completes the result.
 */
#ifndef CONCLAVE_POLL_STALL_H
#define CONCLAVE_POLL_STALL_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct mail;

/* Tells the admins of every poll decrypting since a deadline at least
 * AFTER seconds before NOW (AFTER 0: never) and not told yet: marks it
 * (schema 014) and queues the admins' mails (M NULL: mail off, none) in one
 * transaction, then logs one line. Returns how many polls were reported,
 * or -1 if one failed (logged; retried on the next call). */
int poll_stall_run(struct store *st, struct mail *m, int64_t now, int64_t after);

/* The seconds after its deadline from which a decrypting poll is overdue,
 * for AFTER the option's (--decrypt-remind-hours · 3600; 0: never). The
 * test build reads CONCLAVE_TEST_DECRYPT_REMIND_SECONDS instead if set. */
int64_t poll_stall_after(int64_t after);

/* "3 days 4 hours", "2 hours 5 minutes", "40 seconds": how long SECS is, in
 * the two largest units, into OUT (CAP bytes). */
void poll_stall_format(int64_t secs, char *out, size_t cap);

#endif
