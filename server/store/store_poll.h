/*
 * store_poll.h — the rows of nomination polls: the poll, its frozen roll,
 * who voted, the counted ballots and the used set of tags and alphas.
 *
 * The store knows nothing of the protocol: ballots are opaque JSON text with
 * their tracker, tag and alphas given by the caller, and which nominees are
 * the same name is the caller's rule (struct store_same_name). Return values as in
 * store.h: 0, -1 (CV_ERROR), CV_NOT_FOUND, CV_CONFLICT.
 */
#ifndef CONCLAVE_STORE_POLL_H
#define CONCLAVE_STORE_POLL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_POLL_ID_MAX   32
#define STORE_NOMINEE_MAX   400     /* bytes: 100 UTF-8 characters */
#define STORE_POLL_COUNCIL_MAX 32   /* bytes of a council's id (store_council.h) */

/* How a poll's nominee agreed to it (schema/012_consent.sql). */
enum store_consent {
    STORE_CONSENT_NONE = 0,     /* a poll from before consent was recorded */
    STORE_CONSENT_ATTESTED,     /* the nominator attested it (consent_by, consent_at) */
    STORE_CONSENT_AWAITING,     /* mailed to the nominee, no answer: not open (no record) */
    STORE_CONSENT_ACCEPTED      /* the nominee accepted at consent_at: opened then */
};
#define STORE_REASON_MAX 63

/* A poll as stored. Strings are heap copies owned by the struct. */
struct store_poll {
    char id[STORE_POLL_ID_MAX + 1];
    char nominee[STORE_NOMINEE_MAX + 1];
    char nominated_by[STORE_USERNAME_MAX + 1];
    char fingerprint[65];
    char *statement;          /* Markdown */
    char *statement_html;
    char *record;             /* board-form JSON, as hashed */
    char *result;             /* NULL while open */
    int64_t opens_at;
    int64_t closes_at;
    int64_t eligible;
    int closed;               /* no longer open: closed at the deadline, or withdrawn */
    int withdrawn;            /* withdrawn (then closed, with no result) */
    char withdrawn_by[STORE_USERNAME_MAX + 1];  /* "" unless withdrawn */
    int64_t withdrawn_at;
    char council[STORE_POLL_COUNCIL_MAX + 1];     /* the council sealing it, "" if none */
    char *seal;               /* with council: {"t", "trustees": [{"index", "name"}]} */
    int decrypting;           /* closed, waiting for the trustees' shares (result NULL) */
    enum store_consent consent;
    char consent_by[STORE_USERNAME_MAX + 1];    /* attested: the nominator */
    int64_t consent_at;                         /* attested, accepted: when */
    char nominee_email[STORE_EMAIL_MAX + 1];    /* mailed for consent: where, else "" */
    char withdrawn_reason[STORE_REASON_MAX + 1];    /* "declined by the nominee", ... */
};

/* Whether P waits for its nominee's consent (not open: no record, roll or
 * key; closes_at is when the consent link expires). */
#define STORE_POLL_AWAITING(p) ((p)->consent == STORE_CONSENT_AWAITING && !(p)->closed)

/* Frees the strings of p (not p itself); safe on a zeroed struct. */
void store_poll_clear(struct store_poll *p);

/* The domain's rule for "the same nominee" (poll.c: equal folded keys,
 * name.h): KEY is the new nominee's key, and MATCH(name, KEY, &same) sets
 * same to 1 when a stored nominee's NAME has it (0, or -1 on an error). The
 * store applies it to the open polls' nominees; it folds no name itself. */
struct store_same_name {
    const char *key;
    int (*match)(const char *name, const char *key, int *same);
};

/* Inserts P (sealed for council P->council unless "") with holder 0's secret key and its roll (N usernames), in one
 * write transaction (do not call inside store_begin). CV_CONFLICT if the
 * id exists; CV_POLL_EXISTS if an open poll's nominee is the same name as
 * P's by SAME, checked in that same transaction (SAME NULL: only the unique
 * index on the open polls' exact nominees). */
int store_poll_insert(struct store *s, const struct store_poll *p,
                      const struct store_same_name *same, const unsigned char secret[32],
                      const char *const *roll, size_t n);

/* store_poll_insert that also runs THEN(CTX) (may be NULL) inside its
 * transaction, after the rows are in (a mail queued with them): THEN
 * returning non-zero rolls everything back (CV_ERROR). P's consent, consent_by,
 * consent_at and nominee_email are stored; a poll awaiting consent has no
 * record, fingerprint, SECRET (NULL) nor roll (N 0). */
int store_poll_insert_then(struct store *s, const struct store_poll *p,
                           const struct store_same_name *same, const unsigned char *secret,
                           const char *const *roll, size_t n, int (*then)(void *ctx),
                           void *ctx);

/* Adds the roll (N usernames) of poll ID inside the caller's transaction. */
int store_poll_roll_insert(struct store *s, const char *id, const char *const *roll, size_t n);

/* Fetches poll ID into *out (clear it with store_poll_clear). Without the
 * record unless WITH_RECORD. CV_NOT_FOUND if none. */
int store_poll_get(struct store *s, const char *id, int with_record, struct store_poll *out);

/* Calls FN for each poll, open ones first, then closed, newest first within
 * each; records are not loaded. FN returning non-zero stops the walk. */
int store_poll_list(struct store *s, int (*fn)(void *ctx, const struct store_poll *p),
                    void *ctx);

/* Sets *open_out to 1 if an open poll's nominee is the same name by SAME
 * (the same name in any case, composed or not, for poll.c's rule), else 0;
 * when 1, copies that poll's id to ID_OUT (STORE_POLL_ID_MAX + 1 bytes; may
 * be NULL). */
int store_poll_nominee_open(struct store *s, const struct store_same_name *same,
                            int *open_out, char *id_out);

/* Sets *out to 1 if USERNAME is on poll ID's roll / has voted in it. */
int store_poll_on_roll(struct store *s, const char *id, const char *username, int *out);
int store_poll_has_voted(struct store *s, const char *id, const char *username, int *out);

/* Number of voters who have voted (= counted ballots). */
int store_poll_voter_count(struct store *s, const char *id, int64_t *n_out);

/* Holder 0's secret key. CV_NOT_FOUND once erased at the close. */
int store_poll_secret(struct store *s, const char *id, unsigned char secret[32]);

/* One accepted ballot, as the cast path hands it to the store. */
struct store_cast {
    const char *poll_id;
    const char *username;
    const unsigned char *tracker;             /* 32 bytes */
    const unsigned char *tag;                 /* 32 bytes */
    const unsigned char *alphas;              /* m × 32 bytes */
    size_t m;
    const unsigned char *replaces_tag;        /* 32 bytes, or NULL */
    const char *ballot;                       /* board-form JSON */
};

/* Why a cast was refused as CV_BAD_BALLOT: the store's words for the
 * protocol's reasons replaces, duplicate_tag and duplicate_alpha (the store
 * knows nothing of the protocol; ballotbox.c maps them). */
enum store_cast_fault {
    STORE_CAST_FAULT_NONE = 0,
    STORE_CAST_REPLACES,        /* replaces without a vote, or tag not counted */
    STORE_CAST_DUPLICATE_TAG,
    STORE_CAST_DUPLICATE_ALPHA
};

/* Applies one cast inside an open transaction (store_begin), under a
 * savepoint: either everything (voter row, ballot, used values, removal of
 * the replaced ballot) or nothing. NOW decides whether the poll is open.
 * CV_OK; CV_POLL_WITHDRAWN, CV_POLL_CLOSED, CV_ALREADY_VOTED (voted, no
 * replaces); CV_BAD_BALLOT with *fault saying why (FAULT may be NULL);
 * CV_ERROR. */
enum cv_err store_cast_apply(struct store *s, const struct store_cast *c, int64_t now,
                             enum store_cast_fault *fault);

/* Marks open poll ID withdrawn by BY (a username) at NOW: closed with no
 * result, withdrawn_by/at set, its secret key erased. Call inside the
 * transaction that checked it may be (no ballot cast: store_poll_voter_count):
 * casts commit in such a transaction too, so either the poll takes no ballot
 * after this or the check saw it. CV_NOT_FOUND if no open poll has ID. */
int store_poll_mark_withdrawn(struct store *s, const char *id, const char *by, int64_t now);

/* Writes to ids up to MAX ids, in id order and greater than AFTER ("" for
 * the first), of open polls whose closes_at <= NOW; sets *n_out. */
int store_poll_due(struct store *s, int64_t now, const char *after,
                   char ids[][STORE_POLL_ID_MAX + 1], size_t max, size_t *n_out);

/* Calls FN with each counted ballot's JSON, in ascending tracker order. */
int store_poll_ballots(struct store *s, const char *id,
                       int (*fn)(void *ctx, const char *ballot, size_t len), void *ctx);

/* Calls FN with at most LIMIT counted ballots of poll ID whose tracker
 * (32 bytes) comes after AFTER (NULL: from the first), in ascending tracker
 * order; FN returning non-zero stops the walk with an error. */
int store_poll_ballots_after(struct store *s, const char *id, const unsigned char *after,
                             size_t limit,
                             int (*fn)(void *ctx, const unsigned char *tracker,
                                       const char *ballot, size_t len),
                             void *ctx);

/* The trackers of poll ID's counted ballots, ascending: *out (malloc'd, NULL
 * when there are none) and *n_out. */
int store_poll_trackers(struct store *s, const char *id, unsigned char (**out)[32],
                        size_t *n_out);

/* Sets *found to 1 if closed poll ID's board has a ballot with this tracker
 * (32 bytes), else 0, without reading the board. CV_NOT_FOUND if there is
 * no such poll, or it is still open, or was withdrawn. */
int store_poll_board_has(struct store *s, const char *id, const unsigned char tracker[32],
                         int *found);

/* The JSON of poll ID's counted ballot with this tag (malloc'd).
 * CV_NOT_FOUND if there is none. */
int store_poll_ballot_by_tag(struct store *s, const char *id, const unsigned char tag[32],
                             char **text);

/* Marks poll ID closed with its result and board, and erases its secret key.
 * BOARD is the whole board (BALLOTS_AT < 0), or its frame with the counted
 * ballots going at offset BALLOTS_AT (board_stream.h). Call inside the
 * transaction that read the ballots. */
int store_poll_finish(struct store *s, const char *id, const char *result,
                      const char *board, long ballots_at);

/* The stored board of closed poll ID: *text (malloc'd, *len bytes) and
 * *ballots_at as given to store_poll_finish (-1: the text is the whole board).
 * CV_NOT_FOUND while open, and for a withdrawn poll. */
int store_poll_board_frame(struct store *s, const char *id, char **text, size_t *len,
                           long *ballots_at);

#endif
