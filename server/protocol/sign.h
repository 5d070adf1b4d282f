/*
 * sign.h — the server's Ed25519 key (RFC 8032) and the two messages it signs:
 * a ballot's receipt (PROTOCOL §5) and a poll's result (§9).
 *
 * The key is created with libsodium, kept on disk as its 32-byte seed (hex)
 * in a file only its owner may read, and published as a PEM
 * SubjectPublicKeyInfo (OpenSSL). Signatures are 64 bytes.
 */
#ifndef CONCLAVE_SIGN_H
#define CONCLAVE_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define SIGN_PUBLIC_BYTES 32
#define SIGN_SEED_BYTES   32
#define SIGN_BYTES        64
#define SIGN_KEY_FILE     "receipt-key"   /* name of the key file in the data dir */

struct sign_key;

/* What a result signature covers (PROTOCOL §9). */
struct sign_result {
    const unsigned char *fingerprint;     /* 32 bytes */
    const unsigned char *ballots_digest;  /* 32 bytes */
    uint32_t ballots;                     /* N */
    const uint32_t *counts;               /* m entries */
    uint32_t m;
    enum proto_verdict verdict;
};

/* A new random key, or the key of a 32-byte seed. 0 and *out (free with
 * sign_key_free), or -1. */
int sign_key_create(struct sign_key **out);
int sign_key_from_seed(const unsigned char seed[SIGN_SEED_BYTES], struct sign_key **out);

/* Writes the seed to a new file at path with mode 0600 (fails if it exists).
 * 0 or -1. */
int sign_key_save(const struct sign_key *key, const char *path);

/* Reads a key saved by sign_key_save. Refuses (-1) a file that is not a
 * regular file or that its group or others may access. */
int sign_key_load(const char *path, struct sign_key **out);

/* Loads dir/SIGN_KEY_FILE, creating it first if it does not exist. 0 or -1. */
int sign_key_open(const char *dir, struct sign_key **out);

/* Wipes and frees (NULL is fine). */
void sign_key_free(struct sign_key *key);

/* The raw 32-byte public key (borrowed). */
const unsigned char *sign_key_public(const struct sign_key *key);

/* The public key as PEM SubjectPublicKeyInfo text ("-----BEGIN PUBLIC
 * KEY-----\n...\n-----END PUBLIC KEY-----\n"), caller frees; NULL on error. */
char *sign_public_pem(const unsigned char pk[SIGN_PUBLIC_BYTES]);

/* Reads an Ed25519 public key from PEM SubjectPublicKeyInfo text. 0 or -1. */
int sign_public_from_pem(const char *pem, size_t len, unsigned char pk[SIGN_PUBLIC_BYTES]);

/* The receipt message "conclave-receipt-v1 <fingerprint> <tracker>" (149
 * bytes) written to buf (at least 150 bytes) with a NUL; returns its length. */
size_t sign_receipt_message(const unsigned char fingerprint[CRYPTO_BYTES],
                            const unsigned char tracker[CRYPTO_BYTES], char *buf);

/* Signs / checks a receipt. 0, or -1 (bad signature or failure). */
int sign_receipt(const struct sign_key *key, const unsigned char fingerprint[CRYPTO_BYTES],
                 const unsigned char tracker[CRYPTO_BYTES], unsigned char sig[SIGN_BYTES]);
int sign_receipt_verify(const unsigned char pk[SIGN_PUBLIC_BYTES],
                        const unsigned char fingerprint[CRYPTO_BYTES],
                        const unsigned char tracker[CRYPTO_BYTES],
                        const unsigned char sig[SIGN_BYTES]);

/* The result message of PROTOCOL §9 into buf (cap bytes, NUL added);
 * returns its length, or 0 if it does not fit. */
size_t sign_result_message(const struct sign_result *r, char *buf, size_t cap);

/* Signs / checks a result. 0, or -1. */
int sign_result(const struct sign_key *key, const struct sign_result *r,
                unsigned char sig[SIGN_BYTES]);
int sign_result_verify(const unsigned char pk[SIGN_PUBLIC_BYTES], const struct sign_result *r,
                       const unsigned char sig[SIGN_BYTES]);

#endif
