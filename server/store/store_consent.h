/*
 * store_consent.h — the nominee's consent as the store keeps it
 * (schema/012_consent.sql): the consent link of a poll awaiting consent
 * (only the SHA-256 of its secret), the poll opened on the nominee's
 * acceptance, and a poll awaiting consent ended (declined, expired).
 *
 * The store knows nothing of mail or of records: poll.c and consent.c make
 * them. Every write here runs inside the caller's transaction (store_begin),
 * so the mail that tells of it commits with it. Return values as store.h.
 */
#ifndef CONCLAVE_STORE_CONSENT_H
#define CONCLAVE_STORE_CONSENT_H

#include <stddef.h>
#include <stdint.h>

#include "store_poll.h"

/* Sets the consent link's hash (32 bytes) of poll ID, which awaits consent. */
int store_consent_set_hash(struct store *s, const char *id, const unsigned char hash[32]);

/* The poll awaiting consent whose link hashes to HASH and has not expired
 * by NOW (closes_at > NOW): its id into ID_OUT. CV_NOT_FOUND otherwise (no
 * such link, used, or expired). */
int store_consent_find(struct store *s, const unsigned char hash[32], int64_t now,
                       char id_out[STORE_POLL_ID_MAX + 1]);

/* Opens poll P->id, awaiting consent, at P->opens_at (the acceptance): its
 * record, fingerprint, window, eligible, council and seal from P, holder 0's
 * SECRET, its roll (N usernames); consent accepted at P->opens_at, the
 * link's hash erased. CV_NOT_FOUND if P->id no longer awaits consent. */
int store_consent_accept(struct store *s, const struct store_poll *p,
                         const unsigned char secret[32], const char *const *roll, size_t n);

/* Withdraws poll ID, awaiting consent, at NOW with REASON ("declined by the
 * nominee", "consent expired"): closed, withdrawn by nobody, the link's hash
 * erased. CV_NOT_FOUND if ID no longer awaits consent. */
int store_consent_end(struct store *s, const char *id, const char *reason, int64_t now);

/* Up to MAX ids of polls awaiting consent whose link expired by NOW
 * (closes_at <= NOW), in id order; *n_out. */
int store_consent_due(struct store *s, int64_t now, char ids[][STORE_POLL_ID_MAX + 1],
                      size_t max, size_t *n_out);

#endif
