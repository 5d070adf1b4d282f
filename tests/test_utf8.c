/*
 * test_utf8.c — the UTF-8 check against the table of well-formed byte
 * sequences (Unicode §3.9, Table 3-7, which RFC 3629 restates), written out
 * here range by range: every sequence of one, two and three bytes, and the
 * four-byte ones with each lead byte and each second byte around the
 * continuation range; utf8_next decodes what the table accepts to the same
 * code point and length; named cases (overlong, surrogate, past U+10FFFF,
 * truncated, stray continuation).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "utf8.h"

/* Table 3-7: the lead byte range, then the ranges of the bytes after it. */
static const struct {
    unsigned char lo, hi;
    unsigned char next[3][2];
    int n;                      /* bytes after the lead */
} table[] = {
    {0x00, 0x7f, {{0}}, 0},
    {0xc2, 0xdf, {{0x80, 0xbf}}, 1},
    {0xe0, 0xe0, {{0xa0, 0xbf}, {0x80, 0xbf}}, 2},
    {0xe1, 0xec, {{0x80, 0xbf}, {0x80, 0xbf}}, 2},
    {0xed, 0xed, {{0x80, 0x9f}, {0x80, 0xbf}}, 2},
    {0xee, 0xef, {{0x80, 0xbf}, {0x80, 0xbf}}, 2},
    {0xf0, 0xf0, {{0x90, 0xbf}, {0x80, 0xbf}, {0x80, 0xbf}}, 3},
    {0xf1, 0xf3, {{0x80, 0xbf}, {0x80, 0xbf}, {0x80, 0xbf}}, 3},
    {0xf4, 0xf4, {{0x80, 0x8f}, {0x80, 0xbf}, {0x80, 0xbf}}, 3},
};

/* The length of the well-formed character at S (N bytes) by the table, with
 * its code point in *cp; 0 if there is none. */
static size_t ref_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t t, k;
    static const unsigned char lead_bits[] = {0x7f, 0x1f, 0x0f, 0x07};

    for (t = 0; t < sizeof table / sizeof table[0]; t++) {
        if (s[0] < table[t].lo || s[0] > table[t].hi)
            continue;
        if ((size_t)table[t].n >= n)
            return 0;
        *cp = s[0] & lead_bits[table[t].n];
        for (k = 0; k < (size_t)table[t].n; k++) {
            if (s[k + 1] < table[t].next[k][0] || s[k + 1] > table[t].next[k][1])
                return 0;
            *cp = *cp << 6 | (s[k + 1] & 0x3fu);
        }
        return (size_t)table[t].n + 1;
    }
    return 0;
}

static int ref_valid(const unsigned char *s, size_t n)
{
    size_t i = 0, k;
    uint32_t cp;

    while (i < n) {
        if ((k = ref_next(s + i, n - i, &cp)) == 0)
            return 0;
        i += k;
    }
    return 1;
}

static long mismatches;

/* Compares utf8_check and utf8_next with the table on S (N bytes). */
static void compare(const unsigned char *s, size_t n)
{
    uint32_t want_cp = 0, got_cp = 0;
    size_t want = ref_next(s, n, &want_cp), got = utf8_next((const char *)s, n, &got_cp);
    int valid = ref_valid(s, n);

    if ((utf8_check((const char *)s, n) == 0) != valid || got != want ||
        (want != 0 && got_cp != want_cp)) {
        if (mismatches++ < 5)
            fprintf(stderr, "  %02x %02x %02x %02x (%zu bytes): check %d, want %d; next %zu "
                    "U+%04X, want %zu U+%04X\n", s[0], n > 1 ? s[1] : 0, n > 2 ? s[2] : 0,
                    n > 3 ? s[3] : 0, n, utf8_check((const char *)s, n) == 0, valid, got,
                    (unsigned)got_cp, want, (unsigned)want_cp);
    }
}

static void test_table(void)
{
    static const unsigned char edges[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0,
                                          0xbf, 0xc0, 0xf4, 0xff};
    unsigned char s[4];
    unsigned a, b, c, d;
    long seen = 0;

    for (a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        compare(s, 1);
        for (b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            compare(s, 2);
            for (c = 0; c < 256; c++) {
                s[2] = (unsigned char)c;
                compare(s, 3);
                seen++;
            }
        }
    }
    for (a = 0xf0; a < 256; a++)
        for (b = 0; b < 256; b++)
            for (c = 0; c < sizeof edges; c++)
                for (d = 0; d < sizeof edges; d++) {
                    s[0] = (unsigned char)a, s[1] = (unsigned char)b;
                    s[2] = edges[c], s[3] = edges[d];
                    compare(s, 4);
                    seen++;
                }
    if (mismatches > 0)
        fprintf(stderr, "  %ld of %ld sequences differ from the table\n", mismatches, seen);
    CHECK(mismatches == 0, "utf8_check and utf8_next agree with Table 3-7 everywhere");
}

static void test_named(void)
{
    uint32_t cp = 0;

    CHECK(utf8_check("P\xc3\xb3lly \xe2\x9c\x93 \xf0\x9f\x97\xb3", 15) == 0, "valid UTF-8");
    CHECK(utf8_check("", 0) == 0, "empty text is valid");
    CHECK(utf8_check("a\0b", 3) == 0, "U+0000 is a character");
    CHECK(utf8_check("\xc0\xaf", 2) != 0, "overlong rejected");
    CHECK(utf8_check("\xe0\x80\xaf", 3) != 0, "overlong three-byte form rejected");
    CHECK(utf8_check("\xed\xa0\x80", 3) != 0, "surrogate rejected");
    CHECK(utf8_check("\xf4\x90\x80\x80", 4) != 0, "past U+10FFFF rejected");
    CHECK(utf8_check("\xe2\x9c", 2) != 0, "truncated rejected");
    CHECK(utf8_check("\x80", 1) != 0, "lone continuation rejected");
    CHECK(utf8_check("ok\xff", 3) != 0, "a bad byte at the end rejected");
    CHECK(utf8_next("\xf0\x9f\x97\xb3", 4, &cp) == 4 && cp == 0x1f5f3, "U+1F5F3 decoded");
    CHECK(utf8_next("\xf0\x9f\x97\xb3", 3, &cp) == 0, "a character cut short is 0");
    CHECK(utf8_next("x", 0, &cp) == 0, "nothing left is 0");
}

int main(void)
{
    test_table();
    test_named();
    TEST_MAIN_END("test_utf8");
}
