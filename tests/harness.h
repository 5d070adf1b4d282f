/*
 * harness.h — the tiny test harness every tests/test_<module>.c uses.
 *
 *   CHECK(cond, "what")      counts a pass, or prints the failure with its line
 *   CHECK_EQ_INT(got, want)  integers (signed; enums, int64_t, small size_t)
 *   CHECK_EQ_SIZE(got, want) unsigned integers (size_t, uint64_t)
 *   CHECK_NE_INT(got, bad)   an integer that must not be BAD (e.g. a refusal
 *                            that must not return 0)
 *   CHECK_EQ_STR(got, want)  NUL-terminated strings; NULL equals only NULL
 *   CHECK_EQ_HEX(got, want, len)  LEN bytes, shown in hex
 *   TEST_MAIN_END()          prints "<suite>: N passed, N failed" and returns
 *                            non-zero if anything failed
 *   harness_remove_tree(dir) removes a test's temporary directory
 *   harness_aborts(fn, arg)  1 if FN(ARG), run in a forked child, ends it by
 *                            abort() (a failed assert()), else 0
 *
 * The CHECK_EQ_* forms take an optional last argument, a label saying what is
 * checked, and on failure print the expression, what came and what was
 * expected, e.g.
 *
 *   CHECK_EQ_INT(ballots_cast, 3, "three ballots");
 *   FAIL tests/test_poll.c:42: three ballots: ballots_cast = 2, want 3
 *
 * Each counts one check, and is an expression worth 1 if it passed, else 0.
 * Every argument is evaluated exactly once. Vectors are read from
 * tests/vectors/ (tests run from the project's root).
 */
#ifndef CONCLAVE_HARNESS_H
#define CONCLAVE_HARNESS_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* The optional label: the argument after WANT (or LEN), else NULL. */
#define HARNESS_ARG1(a, ...) a
#define HARNESS_ARG2(a, b, ...) b
#define HARNESS_WANT(...) HARNESS_ARG1(__VA_ARGS__, 0)
#define HARNESS_LABEL(...) HARNESS_ARG2(__VA_ARGS__, NULL, NULL)

#define CHECK_EQ_INT(got, ...)                                          \
    harness_eq_int(__FILE__, __LINE__, #got, 1, (long long)(got),       \
                   (long long)(HARNESS_WANT(__VA_ARGS__)), HARNESS_LABEL(__VA_ARGS__))
#define CHECK_NE_INT(got, ...)                                          \
    harness_eq_int(__FILE__, __LINE__, #got, 0, (long long)(got),       \
                   (long long)(HARNESS_WANT(__VA_ARGS__)), HARNESS_LABEL(__VA_ARGS__))
#define CHECK_EQ_SIZE(got, ...)                                         \
    harness_eq_size(__FILE__, __LINE__, #got, (unsigned long long)(got), \
                    (unsigned long long)(HARNESS_WANT(__VA_ARGS__)),    \
                    HARNESS_LABEL(__VA_ARGS__))
#define CHECK_EQ_STR(got, ...)                                          \
    harness_eq_str(__FILE__, __LINE__, #got, (got), HARNESS_WANT(__VA_ARGS__), \
                   HARNESS_LABEL(__VA_ARGS__))
#define CHECK_EQ_HEX(got, want, ...)                                    \
    harness_eq_hex(__FILE__, __LINE__, #got, (got), (want),             \
                   (size_t)(HARNESS_WANT(__VA_ARGS__)), HARNESS_LABEL(__VA_ARGS__))

/* Counts one check; on failure prints "FAIL file:line: [label: ]" and returns 0. */
static inline int harness_count(int ok, const char *file, int line, const char *label)
{
    if (ok) {
        harness_passed++;
        return 1;
    }
    harness_failed++;
    fprintf(stderr, "FAIL %s:%d: %s%s", file, line, label ? label : "", label ? ": " : "");
    return 0;
}

static inline int harness_eq_int(const char *file, int line, const char *expr, int eq,
                                 long long got, long long want, const char *label)
{
    if (harness_count((got == want) == eq, file, line, label))
        return 1;
    fprintf(stderr, "%s = %lld, want %s%lld\n", expr, got, eq ? "" : "not ", want);
    return 0;
}

static inline int harness_eq_size(const char *file, int line, const char *expr,
                                  unsigned long long got, unsigned long long want,
                                  const char *label)
{
    if (harness_count(got == want, file, line, label))
        return 1;
    fprintf(stderr, "%s = %llu, want %llu\n", expr, got, want);
    return 0;
}

/* Prints S quoted, with C escapes for what is not printable ASCII, at most
 * 300 bytes of it; NULL as NULL. */
static inline void harness_print_str(const char *s)
{
    size_t i;

    if (s == NULL) {
        fputs("NULL", stderr);
        return;
    }
    fputc('"', stderr);
    for (i = 0; s[i] != '\0' && i < 300; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(stderr, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", stderr);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(stderr, "\\x%02x", c);
        else
            fputc(c, stderr);
    }
    fputs(s[i] != '\0' ? "\"... (" : "\"", stderr);
    if (s[i] != '\0')
        fprintf(stderr, "%zu bytes)", strlen(s));
}

static inline int harness_eq_str(const char *file, int line, const char *expr,
                                 const char *got, const char *want, const char *label)
{
    int ok = (got == NULL || want == NULL) ? got == want : strcmp(got, want) == 0;

    if (harness_count(ok, file, line, label))
        return 1;
    fprintf(stderr, "%s = ", expr);
    harness_print_str(got);
    fputs(", want ", stderr);
    harness_print_str(want);
    fputc('\n', stderr);
    return 0;
}

/* Prints LEN bytes at P in hex: all of them up to 64, else the 32 from FROM
 * (rounded down to 16) with the offset. */
static inline void harness_print_hex(const void *p, size_t len, size_t from)
{
    const unsigned char *b = p;
    size_t i, start = len <= 64 ? 0 : from / 16 * 16, end = len <= 64 ? len : start + 32;

    if (p == NULL) {
        fputs("NULL", stderr);
        return;
    }
    if (start > 0)
        fprintf(stderr, "[%zu..] ", start);
    for (i = start; i < end && i < len; i++)
        fprintf(stderr, "%02x", b[i]);
    if (i < len)
        fputs("...", stderr);
}

static inline int harness_eq_hex(const char *file, int line, const char *expr,
                                 const void *got, const void *want, size_t len,
                                 const char *label)
{
    const unsigned char *g = got, *w = want;
    size_t diff = 0;

    if (got != NULL && want != NULL)
        while (diff < len && g[diff] == w[diff])
            diff++;
    if (harness_count(got != NULL && want != NULL && diff == len, file, line, label))
        return 1;
    fprintf(stderr, "%s = ", expr);
    harness_print_hex(got, len, diff);
    fputs(", want ", stderr);
    harness_print_hex(want, len, diff);
    if (got != NULL && want != NULL)
        fprintf(stderr, " (%zu bytes, first difference at %zu)", len, diff);
    fputc('\n', stderr);
    return 0;
}

/* Removes the directory DIR and everything in it (a test's temporary data);
 * says so on stderr if it cannot. 0, or -1. */
static inline int harness_remove_tree(const char *dir)
{
    char cmd[600];

    if (strchr(dir, '\'') != NULL || (size_t)snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir)
                                          >= sizeof cmd || system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
        return -1;
    }
    return 0;
}

/* Runs FN(ARG) in a forked child with stderr silenced (the assertion's own
 * message would look like a failure in the suite's output) and returns 1 if
 * the child ended by SIGABRT, as a failed assert() ends it; 0 if it returned
 * or died otherwise. The child never returns into the suite. */
static inline int harness_aborts(void (*fn)(void *), void *arg)
{
    int status = 0, fd;
    pid_t pid;

    fflush(NULL);
    if ((pid = fork()) < 0)
        return 0;
    if (pid == 0) {
        if ((fd = open("/dev/null", O_WRONLY)) >= 0)
            dup2(fd, 2);
        fn(arg);
        _exit(0);
    }
    if (waitpid(pid, &status, 0) != pid)
        return 0;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

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
