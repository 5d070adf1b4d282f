/*
 * test_jscan.c — the JSON text scanner: where strings end (escaped quotes,
 * runs of backslashes, unclosed), nesting depth (brackets inside strings not
 * counted, stray closers), plain integers as PROTOCOL §1 wants them (signs,
 * fractions, exponents, leading zeros refused; digits in strings ignored);
 * then 300,000 random texts over JSON's structural characters against the
 * three scanners it replaced (the API's depth pre-check, sjson's number
 * scan, board_split's string end), kept here as references.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "jscan.h"

/* --- the scanners jscan replaced, as they were ------------------------------- */

static int old_depth(const char *text, size_t len)
{
    int depth = 0, max = 0, in_string = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > max)
                max = depth;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return max;
}

static int old_is_digit(char ch) { return ch >= '0' && ch <= '9'; }

static int old_is_number_char(char ch)
{
    return old_is_digit(ch) || ch == '-' || ch == '+' || ch == '.' || ch == 'e' || ch == 'E';
}

static int old_numbers(const char *text, size_t len)
{
    size_t i = 0, start;
    int in_string = 0;

    while (i < len) {
        char ch = text[i];
        if (in_string) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_string = 0;
            i++;
            continue;
        }
        if (ch == '"') {
            in_string = 1;
            i++;
            continue;
        }
        if (!(ch == '-' || old_is_digit(ch))) {
            i++;
            continue;
        }
        start = i;
        while (i < len && old_is_number_char(text[i])) {
            if (!old_is_digit(text[i]))
                return -1;
            i++;
        }
        if (text[start] == '0' && i - start > 1)
            return -1;
    }
    return 0;
}

static size_t old_string_end(const char *t, size_t len, size_t i)
{
    const char *q;
    size_t from = i + 1, k;

    while (from < len && (q = memchr(t + from, '"', len - from)) != NULL) {
        size_t at = (size_t)(q - t);

        for (k = 0; at - k > i + 1 && t[at - k - 1] == '\\'; k++)
            ;
        if (k % 2 == 0)
            return at + 1;
        from = at + 1;
    }
    return len;
}

/* --- named cases ---------------------------------------------------------------- */

static int depth_of(const char *s)
{
    struct jscan_info info;

    jscan_text(s, strlen(s), &info);
    return info.depth;
}

static int integers(const char *s)
{
    struct jscan_info info;

    jscan_text(s, strlen(s), &info);
    return info.integers_only;
}

static void test_strings(void)
{
    static const struct { const char *text; size_t end; } cases[] = {
        {"\"abc\" tail", 5}, {"\"a\\\"b\" tail", 6}, {"\"a\\\\\" tail", 5},
        {"\"a\\\\\\\"b\"", 8}, {"\"\"", 2}, {"\"unclosed", 9}, {"\"ends \\\"", 8},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t got = jscan_string_end(cases[i].text, strlen(cases[i].text), 0);
        CHECK(got == cases[i].end, cases[i].text);
        if (got != cases[i].end)
            fprintf(stderr, "  %s: end %zu, want %zu\n", cases[i].text, got, cases[i].end);
    }
}

static void test_depth_and_integers(void)
{
    CHECK(depth_of("{}") == 1 && depth_of("") == 0 && depth_of("7") == 0, "flat");
    CHECK(depth_of("{\"a\":[{\"b\":[1]}]}") == 4, "four levels");
    CHECK(depth_of("{\"a\":\"[[[[\"}") == 1, "brackets in a string do not count");
    CHECK(depth_of("]]]{[") == 2, "stray closers do not go below zero");
    CHECK(depth_of("{\"a\\\"[\":[1]}") == 2, "an escaped quote does not end the string");
    CHECK(integers("{\"a\":0,\"b\":[10,2]}"), "plain integers");
    CHECK(!integers("[1.0]") && !integers("[1e2]") && !integers("[-1]") && !integers("[01]") &&
          !integers("[1E+2]") && !integers("[-0]"), "fraction, exponent, sign, leading zero");
    CHECK(integers("{\"a\":\"1.5e-3 -7 01\"}"), "numbers in strings are text");
    CHECK(integers("{\"a\":\"\\\\\",\"b\":3}"), "a string ending in a backslash");
}

/* --- random texts against the old scanners ------------------------------------- */

static void test_against_old(void)
{
    static const char alphabet[] = "\"\\{}[]0123-.eE+a :,";
    uint64_t x = 0x9e3779b97f4a7c15u;
    char text[24];
    long i, bad_depth = 0, bad_numbers = 0, bad_end = 0;

    for (i = 0; i < 300000; i++) {
        struct jscan_info info;
        size_t len, k;

        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        len = (size_t)(x % sizeof text);
        for (k = 0; k < len; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            text[k] = alphabet[x % (sizeof alphabet - 1)];
        }
        jscan_text(text, len, &info);
        bad_depth += info.depth != old_depth(text, len);
        bad_numbers += info.integers_only != (old_numbers(text, len) == 0);
        for (k = 0; k < len; k++)
            if (text[k] == '"')
                bad_end += jscan_string_end(text, len, k) != old_string_end(text, len, k);
    }
    if (bad_depth + bad_numbers + bad_end > 0)
        fprintf(stderr, "  differences: depth %ld, integers %ld, string end %ld\n",
                bad_depth, bad_numbers, bad_end);
    CHECK(bad_depth == 0, "depth as the API's pre-check had it");
    CHECK(bad_numbers == 0, "integers as sjson's scan had them");
    CHECK(bad_end == 0, "string ends as board_split had them");
}

int main(void)
{
    test_strings();
    test_depth_and_integers();
    test_against_old();
    TEST_MAIN_END("test_jscan");
}
