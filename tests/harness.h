/*
 * harness.h — the tiny test harness every tests/test_<module>.c uses.
 *
 *   CHECK(cond, "what")   counts a pass or prints the failure with its line
 *   TEST_MAIN_END()       prints "<suite>: N passed, N failed" and returns
 *                         non-zero if anything failed
 *
 * Vectors are read from tests/vectors/ (tests run from the project's root).
 */
#ifndef CONCLAVE_HARNESS_H
#define CONCLAVE_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_passed;
static int harness_failed;

#define CHECK(cond, what) do {                                          \
        if (cond) {                                                     \
            harness_passed++;                                           \
        } else {                                                        \
            harness_failed++;                                           \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, (what)); \
        }                                                               \
    } while (0)

#define TEST_MAIN_END(suite) do {                                       \
        printf("%s: %d passed, %d failed\n", (suite),                   \
               harness_passed, harness_failed);                         \
        return harness_failed ? 1 : 0;                                  \
    } while (0)

/* Reads a whole file into a NUL-terminated buffer the caller frees; NULL on error. */
static inline char *harness_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto out;
    buf = malloc((size_t)n + 1);
    if (buf == NULL)
        goto out;
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
        goto out;
    }
    buf[n] = '\0';
    if (len_out)
        *len_out = (size_t)n;
out:
    fclose(f);
    return buf;
}

#endif
