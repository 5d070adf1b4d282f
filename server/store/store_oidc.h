/*
 * store_oidc.h — the rows of the OpenID Connect login (schema 011): members'
 * links to a provider's (issuer, subject), and the logins under way (the
 * SHA-256 of each one's state, single use).
 *
 * Return values as store.h: CV_OK, CV_NOT_FOUND, CV_CONFLICT, CV_ERROR.
 */
#ifndef CONCLAVE_STORE_OIDC_H
#define CONCLAVE_STORE_OIDC_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_OIDC_NEXT_MAX 128     /* bytes of the page a login goes on to */

/* Records a login under way: STATE_HASH (SHA-256 of its state), the page
 * NEXT (1..STORE_OIDC_NEXT_MAX bytes), until EXPIRES_AT. Deletes the rows
 * expired at NOW first. */
int store_oidc_state_put(struct store *s, const unsigned char state_hash[32],
                         const char *next, int64_t expires_at, int64_t now);

/* Takes (deletes) the login under way of STATE_HASH: CV_OK with its page in
 * NEXT_OUT (STORE_OIDC_NEXT_MAX + 1 bytes) if it existed and had not expired
 * at NOW; CV_NOT_FOUND if it is unknown, used or expired. */
int store_oidc_state_take(struct store *s, const unsigned char state_hash[32], int64_t now,
                          char *next_out);

/* The member linked to (ISSUER, SUBJECT): CV_OK and *out, or CV_NOT_FOUND. */
int store_oidc_link_get(struct store *s, const char *issuer, const char *subject,
                        struct store_member *out);

/* Links MEMBER_ID to (ISSUER, SUBJECT) at NOW. CV_CONFLICT if the pair is
 * linked already or the member has another subject at ISSUER. */
int store_oidc_link_insert(struct store *s, const char *issuer, const char *subject,
                           int64_t member_id, int64_t now);

/* The one member whose email is EMAIL (ASCII case folded): CV_OK and *out;
 * CV_NOT_FOUND if none; CV_CONFLICT if several members share it. */
int store_member_get_email(struct store *s, const char *email, struct store_member *out);

#endif
