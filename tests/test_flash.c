/*
 * test_flash.c — the one-shot message store: a message is taken once, a new
 * one replaces the old under the same key, keys are kept apart, a full table
 * gives way oldest first, messages expire, and bad keys or sizes are refused.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "flash.h"
#include "harness.h"

static void key_of(int i, char key[FLASH_KEY_LEN + 1])
{
    snprintf(key, FLASH_KEY_LEN + 1, "%064x", (unsigned)i);
}

static void test_once(void)
{
    struct flash *f = NULL;
    char a[FLASH_KEY_LEN + 1], b[FLASH_KEY_LEN + 1], out[64];
    long n;

    key_of(1, a);
    key_of(2, b);
    CHECK(flash_new(4, 60, &f) == 0 && f != NULL, "a store of 4");
    CHECK_EQ_INT(flash_put(f, a, "secret-a", 9), 0, "put under a");
    CHECK_EQ_INT(flash_take(f, b, out, sizeof out), 0, "nothing under b");
    n = flash_take(f, a, out, sizeof out);
    CHECK(n == 9 && strcmp(out, "secret-a") == 0, "taken under a");
    CHECK_EQ_INT(flash_take(f, a, out, sizeof out), 0, "and only once");
    CHECK(flash_put(f, a, "first", 6) == 0 && flash_put(f, a, "second", 7) == 0,
          "put twice under one key");
    CHECK(flash_take(f, a, out, sizeof out) == 7 && strcmp(out, "second") == 0,
          "the second replaced the first");
    CHECK_EQ_INT(flash_take(f, a, out, sizeof out), 0, "no trace of the first");
    CHECK(flash_put(f, a, "too long for out", 17) == 0 && flash_take(f, a, out, 4) == -1 &&
          flash_take(f, a, out, sizeof out) == 0, "a message that does not fit is dropped");
    CHECK_NE_INT(flash_put(f, "short", "x", 1), 0, "a bad key is refused");
    key_of(3, b);
    b[0] = 'G';
    CHECK_NE_INT(flash_put(f, b, "x", 1), 0, "a key must be lowercase hex");
    CHECK(flash_put(f, a, "x", 0) != 0 && flash_put(f, a, "x", FLASH_DATA_MAX + 1) != 0,
          "empty and oversized messages are refused");
    CHECK(flash_put(NULL, a, "x", 1) != 0 && flash_take(NULL, a, out, sizeof out) == 0,
          "no store: nothing kept, nothing found");
    flash_free(f);
}

static void test_full(void)
{
    struct flash *f = NULL;
    char key[FLASH_KEY_LEN + 1], out[8];
    int i, old = 0;

    CHECK_EQ_INT(flash_new(4, 60, &f), 0, "a store of 4");
    for (i = 0; i < 6; i++) {
        if (i == 4)
            sleep(1);                   /* the first four are older */
        key_of(10 + i, key);
        CHECK_EQ_INT(flash_put(f, key, "m", 2), 0, "put");
    }
    for (i = 0; i < 4; i++) {
        key_of(10 + i, key);
        old += flash_take(f, key, out, sizeof out) == 2;
    }
    CHECK_EQ_INT(old, 2, "a full store gives way oldest first: two of the four old ones left");
    key_of(14, key);
    CHECK_EQ_INT(flash_take(f, key, out, sizeof out), 2, "the newer ones are kept");
    key_of(15, key);
    CHECK_EQ_INT(flash_take(f, key, out, sizeof out), 2, "both");
    flash_free(f);
}

static void test_expiry(void)
{
    struct flash *f = NULL;
    char key[FLASH_KEY_LEN + 1], out[8];

    key_of(7, key);
    CHECK_EQ_INT(flash_new(2, 1, &f), 0, "messages kept 1 s");
    CHECK_EQ_INT(flash_put(f, key, "m", 2), 0, "put");
    sleep(3);
    CHECK_EQ_INT(flash_take(f, key, out, sizeof out), 0, "gone after its time");
    flash_free(f);
}

int main(void)
{
    test_once();
    test_full();
    test_expiry();
    TEST_MAIN_END("test_flash");
}
