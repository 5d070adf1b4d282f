/*
 * ceremony_internal.h — the inside of struct ceremony, shared by the
 * ceremony_*.c files only (as auth_internal.h is for auth). Everyone else
 * goes through ceremony.h.
 */
#ifndef CONCLAVE_CEREMONY_INTERNAL_H
#define CONCLAVE_CEREMONY_INTERNAL_H

#include "ceremony.h"

struct ceremony_member {
    char *name;
    size_t name_len;
    unsigned char Z[CRYPTO_BYTES];
    struct proof_pair pok;
};

enum ceremony_round {
    CEREMONY_ROUND_DEALINGS,        /* round 1 open */
    CEREMONY_ROUND_VERDICTS,        /* round 1 closed, round 2 open */
    CEREMONY_ROUND_DONE             /* finished (whatever the outcome) */
};

struct ceremony {
    char *id;
    size_t id_len;
    uint32_t t, n;
    struct ceremony_member trustees[PROTO_MAX_TRUSTEES];         /* trustee i at i−1 */
    unsigned char setup_digest[CRYPTO_BYTES];
    enum ceremony_round round;
    struct ceremony_dealing *dealings[PROTO_MAX_TRUSTEES];       /* dealer i at i−1 */
    uint32_t ndealings;
    unsigned char dealings_digest[CRYPTO_BYTES];
    struct ceremony_verdict *verdicts[PROTO_MAX_TRUSTEES];       /* trustee j at j−1 */
    uint32_t nverdicts;
    /* after finish */
    enum proto_reason outcome;
    uint64_t upheld[PROTO_MAX_TRUSTEES];    /* bit i−1 of word j−1: j's complaint vs i */
    uint32_t qual[PROTO_MAX_TRUSTEES];
    uint32_t nqual;
    unsigned char Y_T[CRYPTO_BYTES];
    unsigned char X[PROTO_MAX_TRUSTEES][CRYPTO_BYTES];           /* X_j at j−1 */
    unsigned char digest[CRYPTO_BYTES];
};

/* An empty ceremony for id, t, n (no trustees filled in yet), or NULL. */
struct ceremony *ceremony_alloc(const char *id, size_t idlen, uint32_t t, uint32_t n);

/* Copies registration i (1..n) into c (no check). 0 or -1 (memory). */
int ceremony_set_trustee(struct ceremony *c, uint32_t i, const struct ceremony_identity *reg);

/* The T2 rules on a filled-in setup, then setup_digest. */
enum proto_reason ceremony_setup_check(struct ceremony *c);

/* The digests of T2, T3, T5 from c's fields. 0 or -1. */
int ceremony_digest_setup(const struct ceremony *c, unsigned char out[CRYPTO_BYTES]);
int ceremony_digest_dealings(const struct ceremony *c, unsigned char out[CRYPTO_BYTES]);
int ceremony_digest_ceremony(const struct ceremony *c, unsigned char out[CRYPTO_BYTES]);

/* 1 if s (len bytes) is a valid name: non-empty, UTF-8, <= PROTO_MAX_STRING. */
int ceremony_name_ok(const char *s, size_t len);

#endif
