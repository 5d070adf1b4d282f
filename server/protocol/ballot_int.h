/*
 * ballot_int.h — what ballot.c and ballot_read.c share and nobody else
 * needs: the layout of struct ballot (one allocation: the struct, its m
 * choices, its sum-proof pairs and its poll id) and its two constructors'
 * common steps.
 */
#ifndef CONCLAVE_BALLOT_INT_H
#define CONCLAVE_BALLOT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "ballot.h"

struct ballot_choice {
    unsigned char alpha[CRYPTO_BYTES];
    unsigned char beta[CRYPTO_BYTES];
    struct proof_pair proof[2];
};

struct ballot {
    char *poll;
    size_t poll_len;
    unsigned char fingerprint[CRYPTO_BYTES];
    unsigned char tag[CRYPTO_BYTES];
    unsigned char tracker[CRYPTO_BYTES];          /* recomputed */
    unsigned char claimed_tracker[CRYPTO_BYTES];  /* board form */
    unsigned char replaces[CRYPTO_BYTES];
    int has_claimed_tracker, has_replaces;
    uint32_t m, nsum;
    struct ballot_choice *choices;
    struct proof_pair *sum;
};

/* The key sets of the forms, a choice and a proof pair (ballot.c). */
extern const char *const ballot_keys_post[6];
extern const char *const ballot_keys_board[6];
extern const char *const ballot_choice_keys[3];
extern const char *const ballot_pair_keys[2];

/* A zeroed ballot of M choices and NSUM sum-proof pairs with a copy of the
 * poll id POLL (POLL_LEN bytes); NULL past the protocol's limits or when out
 * of memory. Free it with ballot_free. */
struct ballot *ballot_alloc(uint32_t m, uint32_t nsum, const char *poll, size_t poll_len);

/* Sets b->tracker = Hd("ballot", fingerprint, tag, for each j: α_j, β_j,
 * c_0, s_0, c_1, s_1, then for each sum branch i: c_i, s_i). 0 or -1. */
int ballot_compute_tracker(struct ballot *b);

#endif
