/*
 * board_internal.h — what the board's files share (board.c reads a board
 * and runs the checks, board_ballots.c checks its ballots on worker
 * threads, board_threshold.c adds what the threshold addendum changes):
 * the decoded board and the helpers they all use. Everyone else uses
 * board.h.
 */
#ifndef CONCLAVE_BOARD_INTERNAL_H
#define CONCLAVE_BOARD_INTERNAL_H

#include <jansson.h>

#include "board.h"
#include "board_split.h"
#include "ceremony.h"

/* Decryption entries a board can carry: K <= 64 holders (v1), or the
 * server and up to 64 trustees (threshold). */
#define BOARD_MAX_ENTRIES (PROTO_MAX_TRUSTEES + 1)

/* Everything of the board but its ballots, decoded. */
struct board_doc {
    json_t *root;                        /* the board, or its frame when split */
    struct record *rec;
    const json_t *ballots;
    const char *text;                    /* the board's text, when split */
    const struct board_split *split;     /* its ballots' spans, or NULL */
    const struct board_trust *trust;     /* what the caller got out of band */
    int threshold;                       /* protocol PROTO_ID_THRESHOLD */
    struct ceremony *cer;                /* its transcript, checked (threshold) */
    uint32_t N, m, K;
    unsigned char A[PROTO_MAX_OPTIONS][CRYPTO_BYTES];
    unsigned char B[PROTO_MAX_OPTIONS][CRYPTO_BYTES];
    uint32_t ndec;
    uint32_t holder[BOARD_MAX_ENTRIES];  /* each decryption entry's holder */
    struct proof_share *shares;          /* ndec * m */
    int has_result;
    struct tally_result result;
    int rule_two_thirds;
    int passed;                          /* -1 null, 0 false, 1 true */
};

/* Records a failure (reason and where, printf-style) and returns it. */
enum proto_reason board_fail(struct board_report *rep, enum proto_reason why, const char *fmt,
                             ...) __attribute__((format(printf, 3, 4)));

/* board_ballots.c: every ballot (stateless rules, tracker) on worker
 * threads, then order and duplicates; total receives the aggregate and
 * digest the ballots digest. */
enum proto_reason board_check_ballots(const struct board_doc *d, unsigned threads,
                                      struct tally *total, unsigned char digest[CRYPTO_BYTES],
                                      struct board_report *rep);

/* board_threshold.c: the steps that differ on a threshold board (T8). */
enum proto_reason board_threshold_read_ceremony(struct board_doc *d, struct board_report *rep);
enum proto_reason board_threshold_check_record(struct board_doc *d, struct board_report *rep);
enum proto_reason board_threshold_read_decryptions(struct board_doc *d,
                                                   struct board_report *rep);
enum proto_reason board_threshold_check_shares(const struct board_doc *d, const struct tally *t,
                                               struct board_report *rep);
enum proto_reason board_threshold_counts(const struct board_doc *d, const struct tally *t,
                                         uint32_t *counts);

#endif
