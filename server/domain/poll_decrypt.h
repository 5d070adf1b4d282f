/*
 * poll_decrypt.h — polls sealed by a council of trustees (PROTOCOL-threshold
 * T6-T7) on the server's side: the council a new poll is sealed for, the
 * close into `decrypting` with the partial board and the server's own
 * shares, each trustee's decryption entry checked and kept, and the result
 * combined, signed and published as soon as t trustees' shares are in, with
 * the server's share x_0 erased in the same transaction.
 *
 * The server never holds a trustee's share: it can decrypt nothing alone,
 * and until t trustees have acted nothing it keeps gives a count.
 */
#ifndef CONCLAVE_POLL_DECRYPT_H
#define CONCLAVE_POLL_DECRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "proto.h"
#include "record_threshold.h"
#include "store_poll.h"

struct close_state;
struct ceremony;
struct sign_key;

/* The council new polls are sealed for, as poll_open uses it. */
struct poll_council {
    char id[STORE_POLL_COUNCIL_MAX + 1];
    struct ceremony *cer;                       /* its transcript, checked */
    struct record_council council;              /* borrows cer */
    struct record_council_trustee trustees[PROTO_MAX_TRUSTEES];
};

/* The server's current council, if complete (store_council_current): 0 and
 * *out (poll_council_free); 1 if none is in use (polls are sealed by the
 * server only); -1 on an error (its transcript does not check: logged). */
int poll_council_current(struct store *st, struct poll_council *out);
void poll_council_free(struct poll_council *pc);

/* poll_close's path for a poll sealed by a council (record with
 * "threshold"), inside its transaction, cs gathered (poll_close.h): with
 * no ballot, the result at once (no decryption, T7); else the state
 * `decrypting`, the server's shares (holder 0) and the partial board.
 * 0 or -1. */
int poll_decrypt_close(struct store *st, const struct sign_key *key,
                       const struct store_poll *p, struct close_state *cs);


struct decrypt_outcome {
    enum proto_reason reason;       /* CV_BAD_SHARES's code */
    char where[48];                 /* "shares[1]", "holder", ... */
    uint32_t holder;                /* the caller's index (from CV_NOT_QUALIFIED on) */
    uint32_t t;                     /* shares needed besides the server's */
    uint32_t present;               /* trustees' entries in now */
    int published;                  /* this entry completed the result */
};

/* Trustee USERNAME posts its decryption entry ENTRY (JSON text, LEN bytes,
 * {"holder": j, "shares": [...]}) for poll ID: checked against the
 * aggregate (tally_threshold_shares_verify) and kept; with the server's and
 * t trustees' shares in, the result is combined, signed with KEY and
 * published with the final board, x_0 erased, and the page history
 * compacted. CV_OK; CV_NOT_FOUND, CV_NOT_SEALED (sealed by the server
 * only), CV_POLL_OPEN, CV_POLL_WITHDRAWN, CV_RESULT_PUBLISHED, CV_NOT_TRUSTEE,
 * CV_WRONG_HOLDER, CV_NOT_QUALIFIED, CV_BAD_SHARES (out->reason),
 * CV_ALREADY_DECRYPTED, CV_ERROR. */
enum cv_err poll_decrypt_post(struct store *st, const struct sign_key *key,
                                      const char *id, const char *username, const char *entry,
                                      size_t len, struct decrypt_outcome *out);

/* Who seals a poll and, after its close, who has decrypted. */
struct poll_seal {
    int sealed;                             /* 0: sealed by the server only */
    char council[STORE_POLL_COUNCIL_MAX + 1];
    uint32_t t, count;                      /* t of |QUAL| */
    struct {
        uint32_t index;
        char name[STORE_USERNAME_MAX + 1];
        int decrypted;                      /* its entry is in */
    } trustees[PROTO_MAX_TRUSTEES];
    uint32_t decrypted;                     /* trustees' entries in */
};

/* Reads the seal of poll P (its row; the record is not needed). 0 or -1. */
int poll_seal_read(struct store *st, const struct store_poll *p, struct poll_seal *out);

/* "sealed by 3 of 5 trustees: a, b, c, d, e" or "sealed by the server only"
 * into buf (cap bytes). */
void poll_seal_text(const struct poll_seal *s, char *buf, size_t cap);

/* The seal kept with a poll sealed for COUNCIL (the record's QUAL):
 * {"t", "trustees": [{"index", "name"}]} (caller frees), NULL on failure. */
char *poll_seal_json(const struct record_council *council);

#endif
