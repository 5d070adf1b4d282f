/*
 * council.h — councils of trustees and their key ceremony, as the server
 * runs it (PROTOCOL-threshold T2–T5): the server is the ceremony's bulletin
 * board. An admin creates a council (a name, t, the n trustees' usernames);
 * each trustee, on its own machine, registers an identity key (round 0),
 * deals (round 1) and gives its verdict (round 2); the server checks every
 * message with ceremony.h before it keeps it, never holds a secret, moves
 * each round on when every expected message is in or at its deadline, and
 * judges the outcome publicly (QUAL, the council key, the ceremony digest).
 * A complete council can be made the one new polls are sealed for.
 *
 * States: registering → dealing → verdicts → complete, or failed (from any
 * round: a registration missing at round 0's deadline, fewer than t
 * dealings, QUAL smaller than t, an identity key or council key that is the
 * identity). Every read (council_load) first moves the council on by the
 * clock, so a round past its deadline is closed before anyone sees it or
 * posts to it.
 */
#ifndef CONCLAVE_COUNCIL_H
#define CONCLAVE_COUNCIL_H

#include <stddef.h>
#include <stdint.h>

#include "ceremony.h"
#include "err.h"
#include "store.h"
#include "store_council.h"

#define COUNCIL_ROUND_HOURS_DEFAULT 72
#define COUNCIL_ROUND_HOURS_MAX     (24 * 90)
#define COUNCIL_MESSAGE_MAX         (64 * 1024)     /* bytes of a posted message */

/* Outcomes are enum cv_err (err.h): CV_OK; CV_INVALID (create: *why says
 * which argument); CV_NOT_FOUND (no such council); CV_NOT_TRUSTEE;
 * CV_WRONG_ROUND; CV_DUPLICATE; CV_BAD_MESSAGE (with the PROTOCOL reason);
 * CV_NOT_COMPLETE (use); CV_ERROR (store or memory). */

/* One trustee as the board shows it. */
struct council_member {
    uint32_t idx;
    char username[STORE_USERNAME_MAX + 1];
    int64_t registered_at, dealt_at, verdict_at;    /* 0: not posted */
    int in_qual;                                    /* after the outcome */
    int complained;                                 /* its verdict has complaints */
    int upheld_against;                             /* an upheld complaint names it */
};

/* A council as loaded: the row, its trustees, and the ceremony rebuilt from
 * the checked messages (NULL while registering, and for a council that
 * failed at registration). */
struct council_view {
    struct store_council row;
    uint32_t n;
    struct council_member m[PROTO_MAX_TRUSTEES];
    struct ceremony *cer;
};

/* Creates a council NAME (1..200 bytes of UTF-8) of threshold T with the N
 * trustees USERNAMES (distinct active members, 1 <= T <= N <= 64), each
 * round ROUND_SECONDS long, created by BY at NOW. Writes its new id to ID
 * (STORE_COUNCIL_ID_MAX + 1 bytes). CV_OK, CV_INVALID with *why
 * (a static sentence), or CV_ERROR. */
enum cv_err council_create(struct store *st, const char *name, uint32_t t,
                                   const char *const *usernames, uint32_t n,
                                   int64_t round_seconds, const char *by, int64_t now,
                                   char *id, const char **why);

/* Loads council ID as of NOW into *out (council_view_free), first moving it
 * on by the clock and by the messages in. CV_OK, CV_NOT_FOUND or
 * CV_ERROR. */
enum cv_err council_load(struct store *st, const char *id, int64_t now,
                                 struct council_view *out);

void council_view_free(struct council_view *v);

/* Trustee USERNAME's index in V (1..n), or 0 if not a trustee. */
uint32_t council_index_of(const struct council_view *v, const char *username);

/* Member USERNAME posts a message of KIND (JSON TEXT, LEN bytes) to council
 * ID at NOW. The same message again is accepted (*again set to 1): a retry
 * after a lost answer. CV_OK; CV_NOT_FOUND, _NOT_TRUSTEE,
 * _WRONG_ROUND, _DUPLICATE; CV_BAD_MESSAGE with *reason (a PROTOCOL code)
 * and *why (a sentence); CV_ERROR. */
enum cv_err council_post(struct store *st, const char *id, const char *username,
                                 enum store_council_msg kind, const char *text, size_t len,
                                 int64_t now, int *again, enum proto_reason *reason,
                                 const char **why);

/* Makes council ID (complete as of NOW) the one new polls are sealed for,
 * by BY (written to the audit log, as council_create is). CV_OK, CV_NOT_FOUND, CV_NOT_COMPLETE or CV_ERROR. */
enum cv_err council_use(struct store *st, const char *id, const char *by,
                               int64_t now);

/* Moves on every council whose round's deadline has passed at NOW (up to 16
 * a call), so that lists and pages show it at once rather than at the
 * council's next read: the server's tick calls it. The number moved, or -1. */
int council_tick(struct store *st, int64_t now);

/* The round a state name takes messages of, as words for people:
 * "registration", "dealings", "verdicts", or "none". */
const char *council_round_name(const char *state);

#endif
