/*
 * ballotbox.h — casting: from a voter's sealed ballot to a durable row and a
 * signed receipt.
 *
 * The ballot box checks the rules of PROTOCOL §5 and §10 in order of cost:
 * the poll and its clock, the roll, the ballot's shape (as the request's one
 * read of its body found it), the voter's state, then the proofs (on the
 * caller's thread, outside any lock). Accepted
 * ballots join the store's group commit (store_durable.h), which stores every
 * cast pending at that moment in one transaction with one fsync, so neither
 * the database nor its WAL holds one voter's row beside one ballot alone
 * whenever casts arrive together. A cast returns only once its commit is
 * durable. The store's durability machinery must be started
 * (store_durable_start) before the first cast.
 */
#ifndef CONCLAVE_BALLOTBOX_H
#define CONCLAVE_BALLOTBOX_H

#include <stddef.h>

#include "err.h"
#include "proto.h"
#include "store.h"

struct ballot;
struct ballotbox;
struct record;
struct sign_key;
struct tally;

struct box_receipt {
    char tracker[65];       /* lowercase hex */
    char receipt[129];      /* Ed25519 signature, lowercase hex */
};

/* Starts the ballot box over ST (not owned) signing receipts with KEY (not
 * owned); both must outlive it. 0 and *out, or -1. */
int ballotbox_new(struct store *st, const struct sign_key *key, struct ballotbox **out);

/* Frees the box (no cast may be in flight); NULL ok. */
void ballotbox_free(struct ballotbox *box);

/*
 * Casts ballot B of USERNAME in poll POLL_ID: B as ballot_parse_body read
 * the request's body in its one pass (B stays the caller's), or NULL when it
 * did not parse, PARSED saying why. The poll's checks come first (a ballot
 * for no poll is CV_NOT_FOUND, for a closed one CV_POLL_CLOSED, whatever its
 * body); then a body that did not parse is CV_BAD_BALLOT with *reason =
 * PARSED (CV_ERROR for PROTO_INTERNAL). CV_OK fills *out once the ballot
 * is durable. CV_BAD_BALLOT sets *reason. Nothing is stored unless CV_OK.
 */
enum cv_err ballotbox_cast(struct ballotbox *box, const char *poll_id,
                           const char *username, const struct ballot *b,
                           enum proto_reason parsed, struct box_receipt *out,
                           enum proto_reason *reason);

/* Forgets a poll's cached record and aggregate (after its close or its
 * withdrawal). */
void ballotbox_forget(struct ballotbox *box, const char *poll_id);

/* Poll POLL_ID's cached record, or NULL if the box has not loaded it; valid
 * until ballotbox_forget(box, POLL_ID) (the closing thread calls both; a
 * withdrawal forgets only a poll that can no longer be closed). */
const struct record *ballotbox_record(struct ballotbox *box, const char *poll_id);

/* A copy of poll POLL_ID's running aggregate of its counted ballots (caller
 * frees it with tally_free), or NULL when the box does not know it (the poll
 * is not loaded, or had ballots before this process loaded it). Call with
 * the store's lock held (e.g. inside store_begin), so that it matches the
 * committed ballots. */
struct tally *ballotbox_aggregate(struct ballotbox *box, const char *poll_id);

#endif
