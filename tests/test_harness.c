/*
 * test_harness.c — the harness's own checks (harness.h): that CHECK_EQ_*
 * count a pass or a failure, and that a failure says where, what was checked,
 * what came and what was expected. The failures provoked here are written to
 * a temporary file in place of stderr, read back, and taken off the counts.
 */
#include <stdint.h>
#include <unistd.h>

#include "harness.h"

static FILE *capture;
static int saved_stderr = -1;

/* Sends stderr to a temporary file until capture_end. */
static void capture_begin(void)
{
    fflush(stderr);
    capture = tmpfile();
    saved_stderr = dup(2);
    if (capture == NULL || saved_stderr < 0 || dup2(fileno(capture), 2) < 0) {
        perror("test_harness: capture");
        exit(2);
    }
}

/* Restores stderr, takes FAILURES provoked failures off the count, and
 * returns what was written meanwhile (the caller frees it). */
static char *capture_end(int failures)
{
    char *text;
    long n;

    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    harness_failed -= failures;
    n = ftell(capture);
    text = calloc(1, n > 0 ? (size_t)n + 1 : 1);
    rewind(capture);
    if (text == NULL || (n > 0 && fread(text, 1, (size_t)n, capture) != (size_t)n)) {
        perror("test_harness: read back");
        exit(2);
    }
    fclose(capture);
    return text;
}

static void test_passes(void)
{
    unsigned char a[3] = {1, 2, 3}, b[3] = {1, 2, 3};
    size_t n = 7;
    int before = harness_passed, r;

    capture_begin();
    r = CHECK_EQ_INT(2 + 1, 3) + CHECK_EQ_INT(-5, -5, "negative") + CHECK_EQ_SIZE(n, 7u) +
        CHECK_EQ_SIZE(UINT64_MAX, UINT64_MAX) + CHECK_NE_INT(n, 0) + CHECK_EQ_STR("ab", "ab") +
        CHECK_EQ_STR(NULL, NULL, "NULL is NULL") + CHECK_EQ_HEX(a, b, sizeof a);
    free(capture_end(0));
    CHECK(r == 8 && harness_passed == before + 8, "eight equal values count eight passes");
}

static void test_failures(void)
{
    unsigned char a[3] = {1, 2, 3}, b[3] = {1, 9, 3};
    int ballots_cast = 2, failed = harness_failed, r, line = __LINE__ + 4;
    char *out, want[1024];

    capture_begin();
    r = CHECK_EQ_INT(ballots_cast, 3) + CHECK_EQ_INT(ballots_cast, 3, "three ballots") +
        CHECK_NE_INT(ballots_cast, 2) + CHECK_EQ_SIZE((size_t)1, 2u) +
        CHECK_EQ_STR("a\"b\n\x01", "ab") + CHECK_EQ_STR(NULL, "x", "NULL is not a string") +
        CHECK_EQ_HEX(a, b, sizeof a, "bytes");
    out = capture_end(7);
    CHECK(r == 0 && harness_failed == failed, "seven different values count seven failures");
    snprintf(want, sizeof want,
             "FAIL %s:%d: ballots_cast = 2, want 3\n"
             "FAIL %s:%d: three ballots: ballots_cast = 2, want 3\n"
             "FAIL %s:%d: ballots_cast = 2, want not 2\n"
             "FAIL %s:%d: (size_t)1 = 1, want 2\n"
             "FAIL %s:%d: \"a\\\"b\\n\\x01\" = \"a\\\"b\\n\\x01\", want \"ab\"\n"
             "FAIL %s:%d: NULL is not a string: NULL = NULL, want \"x\"\n"
             "FAIL %s:%d: bytes: a = 010203, want 010903 (3 bytes, first difference at 1)\n",
             __FILE__, line, __FILE__, line, __FILE__, line + 1, __FILE__, line + 1,
             __FILE__, line + 2, __FILE__, line + 2, __FILE__, line + 3);
    CHECK_EQ_STR(out, want, "each failure says where, what came and what was expected");
    free(out);
}

static void test_long_values(void)
{
    unsigned char a[100], b[100];
    char s[400], *out;
    const char *tail;

    memset(a, 0xaa, sizeof a);
    memcpy(b, a, sizeof b);
    b[70] = 0xbb;
    memset(s, 'x', sizeof s - 1);
    s[sizeof s - 1] = '\0';
    capture_begin();
    CHECK_EQ_HEX(a, b, sizeof a);
    CHECK_EQ_STR(s, "x");
    out = capture_end(2);
    CHECK(strstr(out, "a = [64..] aaaaaa") != NULL && strstr(out, ", want [64..] aaaaaaaaaaaabb") != NULL &&
          strstr(out, "(100 bytes, first difference at 70)") != NULL,
          "long bytes: the 32 around the first difference, with its offset");
    tail = strstr(out, "\"... (399 bytes), want \"x\"\n");
    CHECK(tail != NULL && tail - strchr(out, '"') == 301, "a long string: 300 bytes and its length");
    free(out);
}

int main(void)
{
    test_passes();
    test_failures();
    test_long_values();
    TEST_MAIN_END("test_harness");
}
