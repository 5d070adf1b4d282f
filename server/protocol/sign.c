/*
 * sign.c — the server's Ed25519 signing key, receipts and result signatures
 * (PROTOCOL §5, §9).
 *
 * The secret lives in sodium_malloc'd memory (guard pages, wiped on free).
 * On disk it is the 32-byte seed as 64 hex characters and a newline, in a
 * file created with O_EXCL and mode 0600; loading refuses a file its group or
 * others may access, so a key copied with lax permissions is noticed rather
 * than used. OpenSSL is used only to write and read the PEM public key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "sign.h"

struct sign_key {
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
};

int sign_key_from_seed(const unsigned char seed[SIGN_SEED_BYTES], struct sign_key **out)
{
    struct sign_key *key = sodium_malloc(sizeof *key);

    *out = NULL;
    if (key == NULL)
        return -1;
    if (crypto_sign_seed_keypair(key->pk, key->sk, seed) != 0) {
        sodium_free(key);
        return -1;
    }
    *out = key;
    return 0;
}

int sign_key_create(struct sign_key **out)
{
    unsigned char seed[SIGN_SEED_BYTES];
    int rc;

    randombytes_buf(seed, sizeof seed);
    rc = sign_key_from_seed(seed, out);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

void sign_key_free(struct sign_key *key)
{
    if (key != NULL)
        sodium_free(key);   /* wipes */
}

const unsigned char *sign_key_public(const struct sign_key *key)
{
    return key->pk;
}

static int sign_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int sign_key_save(const struct sign_key *key, const char *path)
{
    unsigned char seed[SIGN_SEED_BYTES];
    char hex[2 * SIGN_SEED_BYTES + 2];
    int fd, rc = -1;

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    if (crypto_sign_ed25519_sk_to_seed(seed, key->sk) != 0)
        goto out;
    crypto_hex_encode(hex, seed, sizeof seed);
    hex[2 * SIGN_SEED_BYTES] = '\n';
    if (sign_write_all(fd, hex, sizeof hex - 1) != 0 || fsync(fd) != 0)
        goto out;
    rc = 0;
out:
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(hex, sizeof hex);
    if (close(fd) != 0)
        rc = -1;
    if (rc != 0)
        unlink(path);
    return rc;
}

int sign_key_load(const char *path, struct sign_key **out)
{
    unsigned char seed[SIGN_SEED_BYTES];
    char buf[2 * SIGN_SEED_BYTES + 2];
    struct stat st;
    ssize_t n;
    size_t len;
    int fd, rc = -1;

    *out = NULL;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0)
        goto out;
    do
        n = read(fd, buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        goto out;
    len = (size_t)n;
    if (len > 0 && buf[len - 1] == '\n')
        len--;
    if (crypto_hex_decode(seed, sizeof seed, buf, len) != 0)
        goto out;
    rc = sign_key_from_seed(seed, out);
out:
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(buf, sizeof buf);
    close(fd);
    return rc;
}

int sign_key_open(const char *dir, struct sign_key **out)
{
    struct sign_key *key = NULL;
    char path[4096];
    int n;

    *out = NULL;
    n = snprintf(path, sizeof path, "%s/%s", dir, SIGN_KEY_FILE);
    if (n < 0 || (size_t)n >= sizeof path)
        return -1;
    if (access(path, F_OK) != 0 && errno == ENOENT) {
        if (sign_key_create(&key) != 0)
            return -1;
        /* EEXIST: another process made it first; load theirs. */
        if (sign_key_save(key, path) != 0 && errno != EEXIST) {
            sign_key_free(key);
            return -1;
        }
        sign_key_free(key);
    }
    return sign_key_load(path, out);
}

/* --- PEM (OpenSSL) --------------------------------------------------------- */

char *sign_public_pem(const unsigned char pk[SIGN_PUBLIC_BYTES])
{
    EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, SIGN_PUBLIC_BYTES);
    BIO *bio = BIO_new(BIO_s_mem());
    char *pem = NULL, *data;
    long len;

    if (pkey == NULL || bio == NULL || PEM_write_bio_PUBKEY(bio, pkey) != 1)
        goto out;
    len = BIO_get_mem_data(bio, &data);
    if (len <= 0)
        goto out;
    pem = malloc((size_t)len + 1);
    if (pem == NULL)
        goto out;
    memcpy(pem, data, (size_t)len);
    pem[len] = '\0';
out:
    BIO_free(bio);
    EVP_PKEY_free(pkey);
    return pem;
}

int sign_public_from_pem(const char *pem, size_t len, unsigned char pk[SIGN_PUBLIC_BYTES])
{
    EVP_PKEY *pkey = NULL;
    size_t pklen = SIGN_PUBLIC_BYTES;
    BIO *bio;
    int rc = -1;

    if (len > 64 * 1024)
        return -1;
    bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL)
        return -1;
    pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    if (pkey == NULL || EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519)
        goto out;
    if (EVP_PKEY_get_raw_public_key(pkey, pk, &pklen) != 1 || pklen != SIGN_PUBLIC_BYTES)
        goto out;
    rc = 0;
out:
    EVP_PKEY_free(pkey);
    BIO_free(bio);
    return rc;
}

/* --- messages ---------------------------------------------------------------- */

size_t sign_receipt_message(const unsigned char fingerprint[CRYPTO_BYTES],
                            const unsigned char tracker[CRYPTO_BYTES], char *buf)
{
    static const char head[] = "conclave-receipt-v1 ";
    size_t h = sizeof head - 1;

    memcpy(buf, head, h);
    crypto_hex_encode(buf + h, fingerprint, CRYPTO_BYTES);
    buf[h + 2 * CRYPTO_BYTES] = ' ';
    crypto_hex_encode(buf + h + 2 * CRYPTO_BYTES + 1, tracker, CRYPTO_BYTES);
    return h + 4 * CRYPTO_BYTES + 1;
}

static int sign_detached(const struct sign_key *key, const char *msg, size_t len,
                         unsigned char sig[SIGN_BYTES])
{
    return crypto_sign_detached(sig, NULL, (const unsigned char *)msg, len, key->sk) == 0 ? 0
                                                                                          : -1;
}

static int sign_check(const unsigned char pk[SIGN_PUBLIC_BYTES], const char *msg, size_t len,
                      const unsigned char sig[SIGN_BYTES])
{
    return crypto_sign_verify_detached(sig, (const unsigned char *)msg, len, pk) == 0 ? 0 : -1;
}

int sign_receipt(const struct sign_key *key, const unsigned char fingerprint[CRYPTO_BYTES],
                 const unsigned char tracker[CRYPTO_BYTES], unsigned char sig[SIGN_BYTES])
{
    char msg[160];
    size_t len = sign_receipt_message(fingerprint, tracker, msg);

    return sign_detached(key, msg, len, sig);
}

int sign_receipt_verify(const unsigned char pk[SIGN_PUBLIC_BYTES],
                        const unsigned char fingerprint[CRYPTO_BYTES],
                        const unsigned char tracker[CRYPTO_BYTES],
                        const unsigned char sig[SIGN_BYTES])
{
    char msg[160];
    size_t len = sign_receipt_message(fingerprint, tracker, msg);

    return sign_check(pk, msg, len, sig);
}

static const char *sign_verdict_word(enum proto_verdict v)
{
    switch (v) {
    case PROTO_VERDICT_PASSED: return "passed";
    case PROTO_VERDICT_FAILED: return "failed";
    case PROTO_VERDICT_NONE:   return "none";
    }
    return "none";
}

size_t sign_result_message(const struct sign_result *r, char *buf, size_t cap)
{
    char fp[2 * CRYPTO_BYTES + 1], dg[2 * CRYPTO_BYTES + 1];
    size_t len;
    uint32_t j;
    int n;

    crypto_hex_encode(fp, r->fingerprint, CRYPTO_BYTES);
    crypto_hex_encode(dg, r->ballots_digest, CRYPTO_BYTES);
    n = snprintf(buf, cap, "conclave-result-v1 %s %s %u ", fp, dg, (unsigned)r->ballots);
    if (n < 0 || (size_t)n >= cap || r->m == 0)
        return 0;
    len = (size_t)n;
    for (j = 0; j < r->m; j++) {
        n = snprintf(buf + len, cap - len, j > 0 ? ",%u" : "%u", (unsigned)r->counts[j]);
        if (n < 0 || (size_t)n >= cap - len)
            return 0;
        len += (size_t)n;
    }
    n = snprintf(buf + len, cap - len, " %s", sign_verdict_word(r->verdict));
    if (n < 0 || (size_t)n >= cap - len)
        return 0;
    return len + (size_t)n;
}

int sign_result(const struct sign_key *key, const struct sign_result *r,
                unsigned char sig[SIGN_BYTES])
{
    char msg[1024];
    size_t len = sign_result_message(r, msg, sizeof msg);

    return len == 0 ? -1 : sign_detached(key, msg, len, sig);
}

int sign_result_verify(const unsigned char pk[SIGN_PUBLIC_BYTES], const struct sign_result *r,
                       const unsigned char sig[SIGN_BYTES])
{
    char msg[1024];
    size_t len = sign_result_message(r, msg, sizeof msg);

    return len == 0 ? -1 : sign_check(pk, msg, len, sig);
}
