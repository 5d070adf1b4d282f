/*
 * poll.h — nomination polls: opening one (the record fixed and stored),
 * reading them, and closing them at the deadline (tally, decryption with
 * proofs, the two-thirds rule, the signed result and the board).
 *
 * Casting lives in ballotbox.h. Nothing here knows HTTP; everything a poll
 * shows before its close is the record, the statement and the turnout.
 */
#ifndef CONCLAVE_POLL_H
#define CONCLAVE_POLL_H

#include <stdint.h>

#include "err.h"
#include "store_poll.h"

struct sign_key;
struct ballotbox;

#define POLL_STATEMENT_MAX      20000   /* bytes of Markdown */
#define POLL_OPEN_PER_MEMBER    3       /* open polls one member may have opened */
#define POLL_CONSENT_TTL        (7 * 86400)     /* a consent link, seconds */

/* How the nominee of a new poll agrees to it (consent.h makes these).
 * ATTESTED: the poll opens at once, and is refused (CV_BAD_POLL, naming the
 * consent) unless ATTESTED is set. AWAITING: the poll waits for the
 * nominee's consent (no record, roll or key yet, POLL_CONSENT_TTL to
 * answer), EMAIL is the nominee's address, and THEN(CTX, poll) runs inside
 * the insert's transaction (the link and its mail); non-zero rolls it back. */
struct poll_consent_req {
    enum store_consent kind;        /* STORE_CONSENT_ATTESTED or _AWAITING */
    int attested;
    const char *email;
    int (*then)(void *ctx, const struct store_poll *p);
    void *ctx;
};

/*
 * Opens a poll for NOMINEE with STATEMENT (Markdown) nominated by BY, for
 * DURATION seconds from now: freezes the roll (active members), makes the
 * record with a fresh server key, renders the statement (statement.h),
 * and stores it all. NOMINEE is put in NFC before it is checked, and is
 * stored and written into the record in that form. CV_ALREADY_MEMBER when
 * its folded key (name.h) is an active member's username's or display
 * name's; CV_POLL_EXISTS when it is an open poll's nominee's (checked again
 * in the insert's transaction). On CV_OK writes the new id to id_out; on
 * CV_POLL_EXISTS, the open poll's id, or "" if it is not known (found by the
 * insert's own check).
 * CV_BAD_POLL, CV_ALREADY_MEMBER, CV_POLL_EXISTS and CV_TOO_MANY_POLLS set
 * *why to a message for the user. Opens are serialised within the process, so the
 * per-member cap holds under concurrent requests.
 */
enum cv_err poll_open(struct store *st, const char *by, const char *nominee,
                      const char *statement, unsigned duration,
                      const struct poll_consent_req *consent,
                      char id_out[STORE_POLL_ID_MAX + 1], const char **why);

/*
 * Opens poll ID, which awaits its nominee's consent, now, for DURATION
 * seconds, as poll_open opens one (the roll frozen now, a fresh key, the
 * record), consent accepted now; THEN(CTX, poll) (may be NULL) runs inside
 * its transaction (the nominator's mail). CV_NOT_FOUND if ID no longer
 * awaits consent; CV_ALREADY_MEMBER (with *why) if the nominee has become an
 * active member meanwhile.
 */
enum cv_err poll_open_accepted(struct store *st, const char *id, unsigned duration,
                               int (*then)(void *ctx, const struct store_poll *p),
                               void *ctx, const char **why);

/*
 * Closes poll ID if it is open and its deadline has passed: sums the counted
 * ballots, decrypts the sums with holder 0's key and proofs, recovers the
 * counts, applies the rule, signs the result with KEY, builds the board and
 * stores result and board while erasing the poll's secret key, all in one
 * transaction; then compacts the database (WAL truncated, VACUUM) without
 * holding the store's lock, so the result is served meanwhile. Closing a
 * closed poll is CV_OK and changes nothing. BOX (may be NULL) lends its
 * running aggregate, which spares summing the ballots (O(N) otherwise); the
 * board is stored as a frame completed by the ballot rows (board_stream.h).
 */
enum cv_err poll_close(struct store *st, const struct sign_key *key, const char *id,
                       struct ballotbox *box);

/*
 * Withdraws poll ID for member BY (BY_ADMIN: an admin): allowed to the member
 * who opened it and to admins, while it is open and before its deadline, and
 * only if no ballot has been cast. The poll is then closed with no result and
 * no board, withdrawn_by/at set, its secret key erased, and BOX (may be NULL)
 * forgets its record. CV_NOT_FOUND, CV_FORBIDDEN, CV_POLL_WITHDRAWN (already),
 * CV_POLL_CLOSED, CV_BALLOTS_CAST, CV_ERROR. A ballot cast at the same time is
 * decided by the store's write transaction: exactly one of the two wins.
 */
enum cv_err poll_withdraw(struct store *st, struct ballotbox *box, const char *id,
                          const char *by, int by_admin);

/* Whether member BY (BY_ADMIN: an admin) may withdraw P now, as far as P
 * (read a moment ago) and its turnout CAST tell: CV_OK, or why not, as
 * poll_withdraw says it (CV_FORBIDDEN first). For the pages, which offer the
 * button and ask for confirmation; poll_withdraw decides. */
enum cv_err poll_withdraw_check(const struct store_poll *p, int64_t cast, const char *by,
                                int by_admin);

/* Closes every poll whose deadline has passed by NOW, and makes BOX (may be
 * NULL) forget their records; one that fails does not stop the others.
 * Returns how many were closed, or -1 if one failed (logged; retried on the
 * next call). */
int poll_close_due(struct store *st, const struct sign_key *key, struct ballotbox *box,
                   int64_t now);

/* Formats unix seconds as YYYY-MM-DDTHH:MM:SSZ into out (21 bytes). */
void poll_format_time(int64_t t, char out[21]);

#endif
