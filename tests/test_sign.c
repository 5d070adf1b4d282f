/*
 * test_sign.c — the server's Ed25519 key: the vectors' key from its seed,
 * its PEM equal to tests/vectors/server.pem, the receipt of ballots.json byte
 * for byte, key files (0600, refused when others may read them).
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "vectors.h"

#include "sign.h"

static void test_vector_key(void)
{
    json_t *t = vec_load("tally.json"), *b = vec_load("ballots.json");
    unsigned char seed[32], pk[32], fp[32], tracker[32], sig[64];
    struct sign_key *key = NULL;
    size_t pem_len = 0;
    char *want_pem = vec_text("server.pem", &pem_len), *pem;
    char msg[160];

    CHECK_EQ_INT(vec_bytes(t, "server_key.signing_seed", seed, 32), 0, "seed");
    CHECK_EQ_INT(sign_key_from_seed(seed, &key), 0, "key from seed");
    if (key == NULL)
        goto out;
    CHECK(vec_eq(t, "server_key.public_key", sign_key_public(key), 32), "public key");
    pem = sign_public_pem(sign_key_public(key));
    CHECK(pem != NULL && want_pem != NULL && strcmp(pem, want_pem) == 0, "PEM = server.pem");
    CHECK(pem != NULL && strcmp(pem, vec_str(b, "receipt.public_key_pem")) == 0, "PEM of the vector");
    free(pem);
    CHECK(want_pem != NULL && sign_public_from_pem(want_pem, pem_len, pk) == 0 &&
          memcmp(pk, sign_key_public(key), 32) == 0, "server.pem loads");
    CHECK_NE_INT(sign_public_from_pem("not a key", 9, pk), 0, "garbage PEM refused");
    /* the receipt of the yes ballot */
    CHECK(vec_bytes(b, "ballots[0].ballot.fingerprint", fp, 32) == 0 &&
          vec_bytes(b, "ballots[0].tracker", tracker, 32) == 0, "receipt inputs");
    CHECK(sign_receipt_message(fp, tracker, msg) == 149 &&
          strcmp(msg, vec_str(b, "receipt.message")) == 0, "receipt message, 149 bytes");
    CHECK(sign_receipt(key, fp, tracker, sig) == 0 && vec_eq(b, "receipt.signature", sig, 64),
          "receipt signature");
    CHECK_EQ_INT(sign_receipt_verify(pk, fp, tracker, sig), 0, "receipt verifies");
    tracker[0] ^= 1;
    CHECK_NE_INT(sign_receipt_verify(pk, fp, tracker, sig), 0, "receipt bound to the tracker");
out:
    free(want_pem);
    sign_key_free(key);
    json_decref(t);
    json_decref(b);
}

static void test_files(void)
{
    char dir[] = "/tmp/conclave-test-sign-XXXXXX", path[256];
    struct sign_key *a = NULL, *b = NULL, *c = NULL;
    struct stat st;

    CHECK(mkdtemp(dir) != NULL, "temporary directory");
    snprintf(path, sizeof path, "%s/key", dir);
    CHECK_EQ_INT(sign_key_create(&a), 0, "random key");
    if (a == NULL)
        return;
    CHECK_EQ_INT(sign_key_save(a, path), 0, "save");
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode 0600");
    CHECK_NE_INT(sign_key_save(a, path), 0, "save refuses to overwrite");
    CHECK(sign_key_load(path, &b) == 0 && memcmp(sign_key_public(a), sign_key_public(b), 32) == 0,
          "load gives the same key");
    sign_key_free(b);
    b = NULL;
    CHECK(chmod(path, 0640) == 0 && sign_key_load(path, &b) != 0 && b == NULL,
          "group-readable key refused");
    CHECK(chmod(path, 0604) == 0 && sign_key_load(path, &b) != 0, "world-readable key refused");
    unlink(path);
    CHECK_EQ_INT(sign_key_open(dir, &b), 0, "open creates the key");
    CHECK(sign_key_open(dir, &c) == 0 && b != NULL && c != NULL &&
          memcmp(sign_key_public(b), sign_key_public(c), 32) == 0, "open again loads it");
    snprintf(path, sizeof path, "%s/%s", dir, SIGN_KEY_FILE);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "created with mode 0600");
    unlink(path);
    rmdir(dir);
    sign_key_free(a);
    sign_key_free(b);
    sign_key_free(c);
}

int main(void)
{
    if (crypto_init() != 0)
        return 1;
    test_vector_key();
    test_files();
    TEST_MAIN_END("test_sign");
}
