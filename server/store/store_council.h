/*
 * store_council.h — the rows of councils of trustees and their key
 * ceremonies (schema/008): the council, its trustees with the messages each
 * posted (registration, dealing, verdict: public JSON text as received), the
 * finished transcript and its digest, and the server's current council.
 *
 * The store knows nothing of the protocol: the domain (council.c) checks
 * every message before it is stored and replays the stored ones through the
 * ceremony's checks. Return values as in store.h (enum cv_err, err.h,
 * returned as int): CV_OK, CV_ERROR, CV_NOT_FOUND, CV_CONFLICT.
 */
#ifndef CONCLAVE_STORE_COUNCIL_H
#define CONCLAVE_STORE_COUNCIL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_COUNCIL_ID_MAX      32
#define STORE_COUNCIL_NAME_MAX    200     /* bytes */
#define STORE_COUNCIL_STATE_MAX   15
#define STORE_COUNCIL_FAILURE_MAX 200

/* A council as stored. transcript is a heap copy owned by the struct
 * (store_council_clear), NULL until the ceremony is over. */
struct store_council {
    char id[STORE_COUNCIL_ID_MAX + 1];
    char name[STORE_COUNCIL_NAME_MAX + 1];
    uint32_t t, n;
    char state[STORE_COUNCIL_STATE_MAX + 1];   /* registering, dealing, verdicts,
                                                  complete, failed */
    char created_by[STORE_USERNAME_MAX + 6];   /* a username, or "cli:USER" */
    int64_t created_at;
    int64_t round_seconds;
    int64_t round_closes_at;                   /* 0 when none (over) */
    char *transcript;                          /* NULL until over */
    char digest[65];                           /* "" until over */
    char failure[STORE_COUNCIL_FAILURE_MAX + 1]; /* "" unless failed */
    int current;                               /* 1 if council_current names it */
};

/* One trustee of a council. The message texts are heap copies owned by the
 * struct, NULL when not posted. */
struct store_council_trustee {
    uint32_t idx;
    char username[STORE_USERNAME_MAX + 1];
    char *registration, *dealing, *verdict;
    int64_t registered_at, dealt_at, verdict_at;    /* 0 when not posted */
};

/* The message kinds a trustee posts, once each. */
enum store_council_msg {
    STORE_COUNCIL_REGISTRATION,
    STORE_COUNCIL_DEALING,
    STORE_COUNCIL_VERDICT
};

/* Frees the heap strings of c / tr (not the struct); safe on a zeroed one. */
void store_council_clear(struct store_council *c);
void store_council_trustee_clear(struct store_council_trustee *tr);

/* The current council if complete: 0 and copies of its id and transcript
 * (*len bytes; caller frees both); CV_NOT_FOUND if none is in use. */
int store_council_current(struct store *s, char **id, char **transcript, size_t *len);

/* Council ID into *out (store_council_clear it). CV_NOT_FOUND if none. */
int store_council_get(struct store *s, const char *id, struct store_council *out);

/* Inserts a new council C (state "registering", its first deadline in
 * c->round_closes_at) with its N trustees' usernames in index order, in one
 * transaction (do not call inside store_begin). CV_CONFLICT if the id
 * exists or a username is listed twice. */
int store_council_insert(struct store *s, const struct store_council *c,
                         const char *const *usernames, uint32_t n);

/* A completed ceremony's transcript stored at once: a council in state
 * "complete" with its trustees (no messages of their own: the transcript
 * holds them). For tests and imports that seed a council from a known
 * transcript; the ceremony's own last step is store_council_set_state.
 * CV_CONFLICT if the id exists. */
int store_council_insert_complete(struct store *s, const char *id, const char *name,
                                  uint32_t t, const char *const *usernames, uint32_t n,
                                  const char *transcript, const char *digest_hex,
                                  const char *created_by, int64_t now);

/* Makes council ID the one new polls are sealed for. CV_NOT_FOUND if
 * there is no such council, CV_CONFLICT if it is not complete. */
int store_council_use(struct store *s, const char *id);

/* Calls FN for each council, newest first; FN returning non-zero stops the
 * walk (and is returned). Transcripts are not loaded. */
int store_council_list(struct store *s, int (*fn)(void *ctx, const struct store_council *c),
                       void *ctx);

/* Calls FN for each trustee of council ID in index order, with its messages;
 * FN returning non-zero stops the walk (and is returned). */
int store_council_trustees(struct store *s, const char *id,
                           int (*fn)(void *ctx, const struct store_council_trustee *tr),
                           void *ctx);

/* Stores trustee IDX's message of KIND (TEXT, checked by the caller) at NOW,
 * if council ID is in STATE (the round that takes it, checked in the same
 * write). CV_CONFLICT if that trustee already posted one of this kind or
 * the council is no longer in STATE; CV_NOT_FOUND if there is no such
 * trustee. */
int store_council_post(struct store *s, const char *id, uint32_t idx,
                       enum store_council_msg kind, const char *state, const char *text,
                       int64_t now);

/* Moves council ID from state FROM to TO, with the new deadline CLOSES_AT
 * (0: none), and, when not NULL, the transcript, digest and failure.
 * CV_CONFLICT if the council is no longer in FROM (another request moved
 * it first); CV_NOT_FOUND if there is no such council. */
int store_council_set_state(struct store *s, const char *id, const char *from, const char *to,
                            int64_t closes_at, const char *transcript, const char *digest_hex,
                            const char *failure);

#endif
