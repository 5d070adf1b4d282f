/*
 * board.h — the published board of a closed poll (PROTOCOL §8): building its
 * exact JSON, and verifying a full or partial board (§7) end to end; and
 * the same for a poll sealed by t of n trustees, whose board carries the
 * key ceremony's transcript (PROTOCOL-threshold T8).
 *
 * Building is deterministic: the same inputs give the same bytes (ballots
 * sorted by tracker, the two-space layout of the vectors, a final newline).
 * Verification reports the first failure in the order of PROTOCOL §8, with
 * its reason code and where it is; ballot proofs run on several threads.
 */
#ifndef CONCLAVE_BOARD_H
#define CONCLAVE_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "ballot.h"
#include "ceremony.h"
#include "proof.h"
#include "record.h"
#include "tally.h"

/* One holder's published shares: holder k, m shares in option order (on a
 * threshold board: 0 the server, then trustees j of QUAL ascending). */
struct board_decryption {
    uint32_t holder;
    const struct proof_share *shares;
};

/* Builds the board JSON text (caller frees; *len its length) from the
 * record, the N counted ballots (any order; they are sorted by tracker), the
 * aggregate, the holders' shares present (ascending holder order; ignored
 * when N = 0) and the result (NULL for a partial board: "result": null).
 * NULL on failure (memory, inconsistent sizes). */
char *board_build(const struct record *rec, const struct ballot *const *ballots, size_t n,
                  const struct tally *t, const struct board_decryption *dec, size_t ndec,
                  const struct tally_result *result, size_t *len);

/* The same for a threshold poll: rec a threshold record, cer its council's
 * complete ceremony, whose transcript becomes the board's "ceremony"
 * (protocol PROTO_ID_THRESHOLD). NULL on failure, or if rec is a v1
 * record. */
char *board_build_threshold(const struct record *rec, const struct ceremony *cer,
                            const struct ballot *const *ballots, size_t n, const struct tally *t,
                            const struct board_decryption *dec, size_t ndec,
                            const struct tally_result *result, size_t *len);

/* What a verification found. On failure: reason and where ("ballots[3]",
 * "decryptions[1].shares[0]", "result.signature", ...). On success: the
 * figures of the board; counts and verdict only when it is not partial. */
struct board_report {
    enum proto_reason reason;
    char where[96];
    int partial;                      /* "result": null */
    uint32_t holders_present;         /* decryption entries */
    uint32_t holders;                 /* K */
    uint32_t ballots;                 /* N */
    uint32_t m;
    uint32_t counts[PROTO_MAX_OPTIONS];
    enum proto_verdict verdict;
    int signature_checked;            /* a key was given and the result signed */
    unsigned char fingerprint[CRYPTO_BYTES];  /* the poll's, once its record is read */
    uint32_t present[PROTO_MAX_TRUSTEES + 1]; /* each decryption entry's holder */
    /* a threshold board (PROTOCOL-threshold T8); the rest 0 otherwise */
    int threshold;
    uint32_t t, qual;                         /* the council's t and |QUAL| */
    unsigned char ceremony_digest[CRYPTO_BYTES];  /* derived from the transcript */
    int ceremony_checked;             /* equal to the digest the caller trusts */
};

/* What the caller got out of band: the server's Ed25519 key (32 bytes, or
 * NULL: the signature is not checked), and for a threshold board the
 * ceremony digest its trustees published (32 bytes, or NULL: not
 * compared; a different one is PROTO_CEREMONY at "ceremony"). */
struct board_trust {
    const unsigned char *server_pk;
    const unsigned char *ceremony_digest;
};

/* Verifies a board given as JSON text, of either protocol: everything
 * PROTOCOL §8 lists (a threshold board: T8's steps in its order, the
 * ceremony first), and what trust gives. threads = 0 uses every online
 * CPU. Returns rep->reason (PROTO_OK if the board holds). */
enum proto_reason board_verify_against(const char *text, size_t len,
                                       const struct board_trust *trust, unsigned threads,
                                       struct board_report *rep);

/* What a verified board hands over to whoever acts on it next (a trustee
 * about to decrypt, PROTOCOL-threshold T10): the board's record, the
 * aggregate recomputed from its ballots (equal to its "tally") and the
 * ballots digest of its ballots (§9; on a partial board too). */
struct board_kept {
    struct record *rec;
    struct tally *tally;
    unsigned char ballots_digest[CRYPTO_BYTES];
};

/* board_verify_against; on PROTO_OK also fills kept (free it with
 * board_kept_free), otherwise leaves it empty. */
enum proto_reason board_verify_keep(const char *text, size_t len,
                                    const struct board_trust *trust, unsigned threads,
                                    struct board_report *rep, struct board_kept *kept);
void board_kept_free(struct board_kept *kept);

/* board_verify_against with only the server key (NULL: unchecked). */
enum proto_reason board_verify(const char *text, size_t len, const unsigned char *server_pk,
                               unsigned threads, struct board_report *rep);

/* The same on the board's whole JSON tree, never cut into frame and ballots:
 * the path that defines every rejection, which board_verify falls back to;
 * exported so that tests and fuzzers can hold board_verify to it. */
enum proto_reason board_verify_whole(const char *text, size_t len, const unsigned char *server_pk,
                                     unsigned threads, struct board_report *rep);
enum proto_reason board_verify_whole_against(const char *text, size_t len,
                                             const struct board_trust *trust, unsigned threads,
                                             struct board_report *rep);

#endif
