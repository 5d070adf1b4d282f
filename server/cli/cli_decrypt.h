/*
 * cli_decrypt.h — `conclave trustee decrypt` and `conclave trustee watch`
 * (cli_decrypt.c), and the reader of a trustee's completed key file they
 * use (the final form fixed between the council and unseal work: 0600,
 * {"conclave_trustee_key": 1, "server", "council", "index", "share",
 * "verification_key", "ceremony_digest", "council_key"}).
 */
#ifndef CONCLAVE_CLI_DECRYPT_H
#define CONCLAVE_CLI_DECRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

/* A completed trustee key file. x is the secret share x_j. */
struct trustee_key_file {
    char path[1024];
    char server[512];
    char council[64];
    uint32_t index;
    unsigned char x[CRYPTO_BYTES];
    unsigned char X[CRYPTO_BYTES];
    unsigned char digest[CRYPTO_BYTES];     /* ceremony_digest */
    unsigned char Y_T[CRYPTO_BYTES];
};

/* Reads PATH: refused if group or others can read it; every field checked,
 * and x·G = X. 0, or -1 with a one-line reason in err (k wiped). */
int trustee_key_file_load(const char *path, struct trustee_key_file *k, char *err, size_t cap);

/* Wipes k (the share with it). */
void trustee_key_file_wipe(struct trustee_key_file *k);

#endif
