/*
 * poll_result.h — a closed poll's signed result: made once at the close from
 * the tally, kept as JSON text in the poll's row (GET
 * /api/v1/polls/{id}/result serves those bytes as they are), and read back
 * into the same struct for the pages. The text is written and read here and
 * nowhere else, so the two cannot drift apart.
 *
 * The text (README, HTTP API): {"counts": [...], "ballots", "eligible",
 * "rule": "two-thirds" or "none", "passed": true, false or null with rule
 * "none", "message": PROTOCOL §9's signed message, "signature": 128 hex}.
 */
#ifndef CONCLAVE_POLL_RESULT_H
#define CONCLAVE_POLL_RESULT_H

#include <stdint.h>

#include "proto.h"

struct record;
struct tally_result;

#define POLL_RESULT_MESSAGE_MAX 1023    /* bytes; sign_result_message's buffer */

struct poll_result {
    uint32_t m;                             /* options */
    uint32_t counts[PROTO_MAX_OPTIONS];     /* m of them; a promotion: yes, no */
    uint32_t ballots;                       /* counted ballots (N) */
    uint32_t eligible;                      /* the roll's size (n) */
    enum proto_verdict verdict;             /* NONE: no rule applied */
    char message[POLL_RESULT_MESSAGE_MAX + 1];
    char signature[129];                    /* Ed25519, lowercase hex */
};

/* The result of the close: R, as tally_result_make made it for the poll of
 * record REC, with PROTOCOL §9's message. 0, or -1 if the message does not
 * fit. */
int poll_result_make(const struct record *rec, const struct tally_result *r,
                     struct poll_result *out);

/* The text kept and served for RES (compact JSON; the caller frees it), or
 * NULL when out of memory. */
char *poll_result_json(const struct poll_result *res);

/* Reads TEXT (as poll_result_json wrote it) into *out. 0, or -1 if TEXT is
 * NULL or not such a result. */
int poll_result_parse(const char *text, struct poll_result *out);

#endif
