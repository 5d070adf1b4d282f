/*
 * proto.h — constants of protocol conclave/ristretto255/v1 (PROTOCOL.md) and
 * the rejection reasons every protocol module returns.
 *
 * The reasons are the codes of PROTOCOL §10, plus a few that only a board
 * verifier reports (order, tally, count, result, ballots_digest, signature)
 * and the codes of the threshold addendum (T8: dealings, quorum, ceremony),
 * and PROTO_INTERNAL for a failure that is not the input's fault (memory).
 */
#ifndef CONCLAVE_PROTO_H
#define CONCLAVE_PROTO_H

#include <stddef.h>

#define PROTO_ID "conclave/ristretto255/v1"
/* The board protocol with t-of-n trustees (PROTOCOL-threshold.md). */
#define PROTO_ID_THRESHOLD "conclave/ristretto255/v1/threshold"

/* Fixed limits, checked before anything is allocated. */
#define PROTO_MAX_OPTIONS   64u          /* m */
#define PROTO_MAX_HOLDERS   64u          /* K */
#define PROTO_MAX_TRUSTEES  64u          /* n of a key ceremony (T2) */
#define PROTO_MAX_ROLL      1000000u     /* n */
#define PROTO_MAX_STRING    4096u        /* bytes of one id, question, option, name */
#define PROTO_MAX_BALLOT    (256u * 1024u)        /* bytes of one ballot's JSON text */
#define PROTO_MAX_RECORD    (64u * 1024u * 1024u) /* bytes of one poll record's JSON text */
#define PROTO_MAX_BOARD     (1024u * 1024u * 1024u) /* bytes of one board's JSON text */

enum proto_reason {
    PROTO_OK = 0,
    PROTO_POLL_CLOSED,
    PROTO_NOT_ON_ROLL,
    PROTO_ALREADY_VOTED,
    PROTO_REPLACES,
    PROTO_SHAPE,
    PROTO_HEX,
    PROTO_POINT,
    PROTO_SCALAR,
    PROTO_IDENTITY,
    PROTO_POLL,
    PROTO_FINGERPRINT,
    PROTO_DUPLICATE_ALPHA,
    PROTO_PROOF,
    PROTO_DUPLICATE_TAG,
    PROTO_TRACKER,
    PROTO_VALUE,
    /* board only (NOTES-crypto.md) */
    PROTO_ORDER,
    PROTO_TALLY,
    PROTO_COUNT,
    PROTO_RESULT,
    PROTO_DIGEST,
    PROTO_SIGNATURE,
    /* threshold trustees (PROTOCOL-threshold T8) */
    PROTO_DEALINGS,
    PROTO_QUORUM,
    PROTO_CEREMONY,
    /* not the input's fault: out of memory, a library failure */
    PROTO_INTERNAL
};

/* The outcome of a poll's rule (PROTOCOL §6): "passed" / "failed" under
 * the two-thirds rule, "none" (passed = null) for every other poll. */
enum proto_verdict {
    PROTO_VERDICT_NONE = 0,
    PROTO_VERDICT_PASSED,
    PROTO_VERDICT_FAILED
};

/* The code string of a reason ("shape", "proof", ...), as in PROTOCOL §10;
 * "internal" for PROTO_INTERNAL, "ok" for PROTO_OK. Never NULL. */
const char *proto_reason_code(enum proto_reason reason);

#endif
