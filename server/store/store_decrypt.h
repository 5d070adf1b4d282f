/*
 * store_decrypt.h — the rows of a poll sealed by a council of trustees
 * between its close and its result (PROTOCOL-threshold T7, schema 009):
 * the state `decrypting`, the partial board and the decryption entries of
 * the server (holder 0) and of the trustees, and the result's publication,
 * which erases the server's share x_0.
 *
 * The store knows nothing of the protocol: entries are opaque JSON text,
 * checked by the caller (poll_decrypt.c) before they are stored. Return
 * values as in store.h: 0, -1 (CV_ERROR), CV_NOT_FOUND, CV_CONFLICT.
 * Call the writers inside a transaction (store_begin), so that the checks
 * the caller made and the change are one.
 */
#ifndef CONCLAVE_STORE_DECRYPT_H
#define CONCLAVE_STORE_DECRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_DECRYPT_ENTRY_MAX (64u * 1024u)     /* bytes of one entry's JSON */

/* Closes open poll ID, sealed for a council, into `decrypting`: no more
 * ballots, no result yet, x_0 kept; BOARD is the partial board (or its frame,
 * BALLOTS_AT as store_poll_finish) and SERVER_ENTRY the server's decryption
 * entry (holder 0). CV_NOT_FOUND if ID is not an open sealed poll. */
int store_decrypt_begin(struct store *s, const char *id, const char *board, long ballots_at,
                        const char *server_entry);

/* Adds trustee HOLDER's entry (posted by member USERNAME) to decrypting poll
 * ID. CV_CONFLICT if that holder has one; CV_NOT_FOUND if ID is not
 * decrypting. */
int store_decrypt_add(struct store *s, const char *id, uint32_t holder, const char *username,
                      const char *entry);

/* Calls FN with each entry of poll ID in ascending holder order (0 first);
 * FN returning non-zero stops the walk with that value. */
int store_decrypt_list(struct store *s, const char *id,
                       int (*fn)(void *ctx, uint32_t holder, const char *username,
                                 const char *entry, size_t len),
                       void *ctx);

/* Replaces decrypting poll ID's partial board (the shares present so far). */
int store_decrypt_board(struct store *s, const char *id, const char *board, long ballots_at);

/* Publishes decrypting poll ID's RESULT and final BOARD, leaves `decrypting`
 * and erases x_0 (the page history is store_durable's to erase, after the
 * commit: store_durable_compact). CV_NOT_FOUND if ID is not decrypting. */
int store_decrypt_publish(struct store *s, const char *id, const char *result,
                          const char *board, long ballots_at);

/* Up to CAP ids of polls decrypting since a deadline at or before
 * CLOSED_BEFORE whose admins have not been reminded yet, oldest first. */
int store_decrypt_overdue(struct store *s, int64_t closed_before, char (*ids)[64], size_t cap,
                          size_t *n);

/* Marks decrypting poll ID's reminder done at NOW (inside the transaction
 * that queues its mails): CV_OK, or CV_CONFLICT if it was already (or ID is
 * no longer decrypting). */
int store_decrypt_reminded(struct store *s, const char *id, int64_t now);

#endif
