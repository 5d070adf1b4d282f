/*
 * ceremony.h — the trustees' key ceremony (PROTOCOL-threshold T2–T5) as the
 * bulletin board and every verifier see it: the setup, each trustee's
 * dealing (round 1) and verdict (round 2), checked against every rule with
 * its rejection code; the digests; the judged complaints and the outcome
 * (QUAL, the council key Y_T, each member's verification key X_j and the
 * ceremony digest); and the whole transcript as the board carries it.
 *
 * A struct ceremony is built in the order of the rounds: a setup
 * (ceremony_create, ceremony_setup_parse), then dealings
 * (ceremony_dealing_add), ceremony_dealings_close, verdicts
 * (ceremony_verdict_add), then ceremony_finish. Each step checks what it is
 * given and changes nothing on a rejection, so a server can keep the
 * messages as received and replay them through the same calls; a verifier
 * reads a transcript in one call (ceremony_transcript_parse). Nothing here
 * holds a secret: the trustee's side is trustee.h.
 *
 * Trustees are numbered 1..n as in the addendum (trustee i is setup entry
 * i−1). Returned codes are PROTOCOL §10's and T8's: PROTO_SHAPE, _HEX,
 * _POINT, _SCALAR (while parsing), _IDENTITY, _VALUE, _DEALINGS, _PROOF,
 * _QUORUM; PROTO_INTERNAL when memory ran out.
 */
#ifndef CONCLAVE_CEREMONY_H
#define CONCLAVE_CEREMONY_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "proof.h"
#include "proof_ceremony.h"

struct ceremony;

/* A trustee's registration (T2): name, identity key Z_i, proof of knowledge. */
struct ceremony_identity {
    const char *name;                       /* UTF-8, not NUL-terminated */
    size_t name_len;
    unsigned char Z[CRYPTO_BYTES];
    struct proof_pair pok;
};

/* A dealing (T3), as plain data: dealer i, t commitments C_{i,k}, the
 * ephemeral key R_i, one ciphertext per other trustee (ascending), proof. */
struct ceremony_dealing {
    uint32_t dealer;
    uint32_t t;
    unsigned char C[PROTO_MAX_TRUSTEES][CRYPTO_BYTES];
    unsigned char R[CRYPTO_BYTES];
    uint32_t nshares;                       /* n − 1 */
    uint32_t to[PROTO_MAX_TRUSTEES];
    unsigned char ct[PROTO_MAX_TRUSTEES][CRYPTO_BYTES];
    struct proof_dealing proof;
};

/* A complaint (T4): the dealer and the revealed key K = z_j·R_i. */
struct ceremony_complaint {
    uint32_t dealer;
    unsigned char K[CRYPTO_BYTES];
};

/* A verdict (T4): trustee j, the dealings digest it saw, its complaints in
 * ascending dealer order, its proof. */
struct ceremony_verdict {
    uint32_t trustee;
    unsigned char dealings[CRYPTO_BYTES];
    uint32_t q;
    struct ceremony_complaint complaints[PROTO_MAX_TRUSTEES];
    struct proof_pair proof;
};

/* --- setup (T2) ----------------------------------------------------------------- */

/* Checks one registration of trustee i in ceremony id: a non-empty name of
 * well-formed UTF-8 (at most PROTO_MAX_STRING bytes), a canonical,
 * non-identity Z, scalars below l, and the proof. PROTO_OK or the code. */
enum proto_reason ceremony_identity_check(const char *id, size_t idlen, uint32_t i,
                                          const struct ceremony_identity *reg);

/* A registration as JSON text {"name", "identity_key", "pok": {"c", "s"}}
 * (a setup entry's form), as trustee i of ceremony id sends it: shape,
 * hex, point, scalar, then ceremony_identity_check. The name is copied
 * into name_buf (cap bytes, NUL added; PROTO_VALUE if it does not fit) and
 * out->name points there. PROTO_OK or the code. */
enum proto_reason ceremony_identity_parse(const char *id, size_t idlen, uint32_t i,
                                          const char *text, size_t len,
                                          struct ceremony_identity *out, char *name_buf,
                                          size_t cap);

/* A registration as JSON text (caller frees), NULL on failure. */
char *ceremony_identity_serialize(const struct ceremony_identity *reg, int pretty, size_t *len);

/* A new ceremony from its setup: id, t and the n registrations in trustee
 * order. Checks every T2 rule (1 <= t <= n <= 64, names non-empty and
 * distinct, Z_i distinct, every proof). PROTO_OK and *out (ceremony_free),
 * or the code and *out NULL. */
enum proto_reason ceremony_create(const char *id, size_t idlen, uint32_t t,
                                  const struct ceremony_identity *trustees, uint32_t n,
                                  struct ceremony **out);

/* The same from the setup's JSON text {"id", "t", "trustees"}. */
enum proto_reason ceremony_setup_parse(const char *text, size_t len, struct ceremony **out);

/* The setup as JSON text (pretty: two-space indent), caller frees; NULL on
 * failure. */
char *ceremony_setup_serialize(const struct ceremony *c, int pretty, size_t *len);

void ceremony_free(struct ceremony *c);

const char *ceremony_id(const struct ceremony *c, size_t *len);
uint32_t ceremony_t(const struct ceremony *c);
uint32_t ceremony_n(const struct ceremony *c);
/* Trustee i (1..n): name (borrowed) and identity key Z_i. */
const char *ceremony_trustee_name(const struct ceremony *c, uint32_t i, size_t *len);
const unsigned char *ceremony_trustee_key(const struct ceremony *c, uint32_t i);
const unsigned char *ceremony_setup_digest(const struct ceremony *c);

/* --- round 1: dealings (T3) -------------------------------------------------------- */

/* Every rule of one dealing against the setup, but whether its dealer
 * already dealt: C_{i,0} and R_i non-identity (PROTO_IDENTITY), dealer in
 * 1..n, t commitments, recipients every other trustee ascending
 * (PROTO_VALUE), the proof (PROTO_PROOF). The points must be canonical
 * (ceremony_dealing_parse checks that; else PROTO_POINT). */
enum proto_reason ceremony_dealing_check(const struct ceremony *c,
                                         const struct ceremony_dealing *d);

/* Parses a dealing's JSON text (shape, hex, point, scalar) and runs
 * ceremony_dealing_check. PROTO_OK and *out filled, or the code. */
enum proto_reason ceremony_dealing_parse(const struct ceremony *c, const char *text, size_t len,
                                         struct ceremony_dealing *out);

/* Checks and adds a dealing. PROTO_VALUE if its dealer already has one or
 * round 1 is closed; otherwise as ceremony_dealing_check. */
enum proto_reason ceremony_dealing_add(struct ceremony *c, const struct ceremony_dealing *d);

/* Closes round 1: freezes the dealings and computes dealings_digest.
 * Idempotent. 0, or -1 on a hash failure. */
int ceremony_dealings_close(struct ceremony *c);

uint32_t ceremony_dealing_count(const struct ceremony *c);
/* Dealer i's dealing, or NULL if it has none. */
const struct ceremony_dealing *ceremony_dealing_of(const struct ceremony *c, uint32_t i);
/* dealings_digest, or NULL while round 1 is open. */
const unsigned char *ceremony_dealings_digest(const struct ceremony *c);

/* A dealing as JSON text (caller frees), NULL on failure. n is needed for
 * nothing: the dealing carries its sizes. */
char *ceremony_dealing_serialize(const struct ceremony_dealing *d, int pretty, size_t *len);

/* --- round 2: verdicts (T4) ---------------------------------------------------------- */

/* Every rule of one verdict against the closed round 1: trustee in 1..n
 * (PROTO_VALUE), "dealings" is dealings_digest (PROTO_DEALINGS), complaint
 * keys non-identity (PROTO_IDENTITY), complaints strictly ascending, each
 * against another trustee that has a dealing (PROTO_VALUE), the proof
 * (PROTO_PROOF). PROTO_VALUE while round 1 is open. */
enum proto_reason ceremony_verdict_check(const struct ceremony *c,
                                         const struct ceremony_verdict *v);

/* Parses a verdict's JSON text and runs ceremony_verdict_check. */
enum proto_reason ceremony_verdict_parse(const struct ceremony *c, const char *text, size_t len,
                                         struct ceremony_verdict *out);

/* Checks and adds a verdict. PROTO_VALUE if its trustee already gave one or
 * the ceremony is finished; otherwise as ceremony_verdict_check. */
enum proto_reason ceremony_verdict_add(struct ceremony *c, const struct ceremony_verdict *v);

uint32_t ceremony_verdict_count(const struct ceremony *c);
const struct ceremony_verdict *ceremony_verdict_of(const struct ceremony *c, uint32_t j);

char *ceremony_verdict_serialize(const struct ceremony_verdict *v, int pretty, size_t *len);

/* --- shares ------------------------------------------------------------------------- */

/* pad_ij = Hd("t-pad", setup_digest, u32(i), u32(j), R, Z_j, K) for dealer
 * i, recipient j (1..n, distinct). 0 or -1. */
int ceremony_share_pad(const struct ceremony *c, uint32_t i, uint32_t j,
                       const unsigned char R[CRYPTO_BYTES], const unsigned char K[CRYPTO_BYTES],
                       unsigned char pad[CRYPTO_BYTES]);

/* Opens dealer i's ciphertext to j with the key K: u = ct_ij ⊕ pad_ij.
 * 0, or -1 if dealer i has no dealing or j is not a recipient. u may be a
 * secret share: the caller wipes it. */
int ceremony_share_open(const struct ceremony *c, uint32_t i, uint32_t j,
                        const unsigned char K[CRYPTO_BYTES], unsigned char u[CRYPTO_BYTES]);

/* 1 if u is a good share from dealer i to j (T4: u < l and
 * u·G = Σ_k j^k·C_{i,k}), else 0. Constant time in u up to the verdict. */
int ceremony_share_good(const struct ceremony *c, uint32_t i, uint32_t j,
                        const unsigned char u[CRYPTO_BYTES]);

/* --- outcome (T5) ------------------------------------------------------------------- */

/* Closes round 2 (and round 1 if open), judges every complaint, and
 * computes QUAL, ceremony_digest, Y_T and every X_j. PROTO_OK;
 * PROTO_QUORUM if |QUAL| < t; PROTO_IDENTITY if Y_T or an X_j is the
 * identity (the digest is computed in every case). Idempotent. */
enum proto_reason ceremony_finish(struct ceremony *c);

/* 1 once ceremony_finish returned PROTO_OK. */
int ceremony_is_complete(const struct ceremony *c);

/* 1 if trustee j's complaint against dealer i was upheld (after finish). */
int ceremony_complaint_upheld(const struct ceremony *c, uint32_t j, uint32_t i);

/* QUAL in ascending order (after finish): its size, member k (0-based), and
 * whether trustee j is in it. */
uint32_t ceremony_qual_count(const struct ceremony *c);
uint32_t ceremony_qual_member(const struct ceremony *c, uint32_t k);
int ceremony_in_qual(const struct ceremony *c, uint32_t j);

/* After a complete finish: Y_T, and X_j for j in QUAL (NULL otherwise). */
const unsigned char *ceremony_council_key(const struct ceremony *c);
const unsigned char *ceremony_verification_key(const struct ceremony *c, uint32_t j);

/* ceremony_digest (after finish, whatever its outcome), else NULL. */
const unsigned char *ceremony_digest(const struct ceremony *c);

/* --- the transcript (T5, the board's "ceremony") -------------------------------------- */

/* Reads and checks a whole transcript {"id", "t", "trustees", "dealings",
 * "verdicts"}: the setup, each dealing (ascending dealers), each verdict
 * (ascending trustees), then ceremony_finish. PROTO_OK and *out complete, or
 * the first failure's code with *out NULL and, if where is not NULL, where
 * it is ("ceremony.dealings[2]", "ceremony.verdicts[0]", "ceremony", ...;
 * wcap bytes). */
enum proto_reason ceremony_transcript_parse(const char *text, size_t len, struct ceremony **out,
                                            char *where, size_t wcap);

/* The transcript as JSON text (caller frees), NULL on failure. */
char *ceremony_transcript_serialize(const struct ceremony *c, int pretty, size_t *len);

#endif
