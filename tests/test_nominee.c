/*
 * test_nominee.c — the rules of a nominee's name (nominee.h), one by one as
 * the README lists them for POST /api/v1/polls: NFC first, 1 to 100
 * characters of valid UTF-8, no control characters, plain spaces one at a
 * time and not at either end, no invisible characters but the joiners and
 * presentation selectors; and the key that makes two names one nominee.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "name.h"
#include "nominee.h"

#define MSG_UTF8     "the nominee's name must be valid UTF-8"
#define MSG_CONTROL  "the nominee's name must not contain control characters"
#define MSG_LENGTH   "the nominee's name must have 1 to 100 characters"
#define MSG_ENDS     "the nominee's name must not start or end with a space"
#define MSG_HIDDEN   "the nominee's name must use plain spaces, one at a time, and no " \
                     "invisible characters"

/* nominee_normalize's message for NAME, or NULL if it is accepted (then its
 * NFC form is checked to be NFC_WANT, when given). */
static const char *why_not(const char *name, const char *nfc_want)
{
    char *nfc = (char *)"unset";
    const char *why = NULL;
    int r = nominee_normalize(name, &nfc, &why);

    if (r == 1) {
        CHECK(nfc == NULL, "no name is handed out with a refusal");
        return why;
    }
    CHECK_EQ_INT(r, 0, name);
    if (r == 0 && nfc_want != NULL)
        CHECK_EQ_STR(nfc, nfc_want, "the name in NFC");
    free(nfc);
    return r == 0 ? NULL : "error";
}

static void test_nfc(void)
{
    char nfd[3 * 100 + 2], nfc[2 * 100 + 1];
    int i;

    CHECK_EQ_STR(why_not("Jose\xcc\x81 Nu\xcc\x81n\xcc\x83" "ez",
                         "Jos\xc3\xa9 N\xc3\xba\xc3\xb1" "ez"), NULL, "NFD is composed");
    CHECK_EQ_STR(why_not("Jos\xc3\xa9", "Jos\xc3\xa9"), NULL, "NFC stays");
    CHECK_EQ_STR(why_not("\xe2\x84\xaa" "evin", "Kevin"), NULL, "the Kelvin sign is K");
    /* 100 e + combining acute are 200 code points, but 100 characters in NFC */
    for (i = 0; i < 100; i++) {
        memcpy(nfd + 3 * i, "e\xcc\x81", 3);
        memcpy(nfc + 2 * i, "\xc3\xa9", 2);
    }
    nfd[300] = nfc[200] = '\0';
    CHECK_EQ_STR(why_not(nfd, nfc), NULL, "100 decomposed \xc3\xa9: 100 characters in NFC");
    nfd[300] = 'e', nfd[301] = '\0';
    CHECK_EQ_STR(why_not(nfd, NULL), MSG_LENGTH, "and one more is 101");
}

static void test_utf8(void)
{
    CHECK_EQ_STR(why_not("Jane\xc3", NULL), MSG_UTF8, "a truncated sequence");
    CHECK_EQ_STR(why_not("Jane\xff" "Doe", NULL), MSG_UTF8, "a byte that is never UTF-8");
    CHECK_EQ_STR(why_not("\xc0\xaf" "Jane", NULL), MSG_UTF8, "an overlong form");
    CHECK_EQ_STR(why_not("Jane \xed\xa0\x80", NULL), MSG_UTF8, "a surrogate");
    CHECK_EQ_STR(why_not("\xf4\x90\x80\x80", NULL), MSG_UTF8, "beyond U+10FFFF");
}

static void test_length(void)
{
    char name[4 * 101 + 1];
    int i;

    CHECK_EQ_STR(why_not("", NULL), MSG_LENGTH, "empty");
    CHECK_EQ_STR(why_not(" ", NULL), MSG_LENGTH, "one space");
    CHECK_EQ_STR(why_not("   ", NULL), MSG_LENGTH, "spaces only");
    CHECK_EQ_STR(why_not("J", "J"), NULL, "one character");
    memset(name, 'x', 100);
    name[100] = '\0';
    CHECK_EQ_STR(why_not(name, name), NULL, "100 ASCII characters");
    name[100] = 'x', name[101] = '\0';
    CHECK_EQ_STR(why_not(name, NULL), MSG_LENGTH, "101 ASCII characters");
    for (i = 0; i < 100; i++)           /* U+1F600, four bytes each */
        memcpy(name + 4 * i, "\xf0\x9f\x98\x80", 4);
    name[400] = '\0';
    CHECK_EQ_STR(why_not(name, name), NULL, "100 characters of 4 bytes: characters count");
    memcpy(name + 400, "\xf0\x9f\x98\x80", 5);
    CHECK_EQ_STR(why_not(name, NULL), MSG_LENGTH, "101 characters of 4 bytes");
}

static void test_controls(void)
{
    static const char *const bad[] = {
        "Bad\x07Name", "Jane\tDoe", "Jane\nDoe", "Jane\rDoe", "\x1b[31mJane",
        "Jane\x7f", "Jane\xc2\x80", "Jane\302\205Doe", "Jane\xc2\x9f",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_EQ_STR(why_not(bad[i], NULL), MSG_CONTROL, bad[i]);
    CHECK_EQ_STR(why_not("Jane\xc2\xa0", NULL), MSG_HIDDEN,
                 "U+00A0 (after the C1 range) is no control, but a hidden space");
    CHECK_EQ_STR(why_not("\x07", NULL), MSG_CONTROL, "a control alone: controls come first");
}

static void test_spaces(void)
{
    CHECK_EQ_STR(why_not("Jane Doe", "Jane Doe"), NULL, "one plain space");
    CHECK_EQ_STR(why_not("Mary Jane van der Berg", NULL), NULL, "several, one at a time");
    CHECK_EQ_STR(why_not(" Jane", NULL), MSG_ENDS, "a leading space");
    CHECK_EQ_STR(why_not("Jane ", NULL), MSG_ENDS, "a trailing space");
    CHECK_EQ_STR(why_not("Jane  Doe", NULL), MSG_HIDDEN, "two spaces in a row");
}

static void test_invisible(void)
{
    static const struct { const char *name, *what; } bad[] = {
        {"Jane\xc2\xa0" "Doe", "U+00A0 no-break space"},
        {"Jane\xc2\xad" "Doe", "U+00AD soft hyphen"},
        {"Jane\xe1\x85\x9f" "Doe", "U+115F Hangul choseong filler"},
        {"Jane\xe2\x80\x82" "Doe", "U+2002 en space"},
        {"Jane Doe\xe2\x80\x8b", "U+200B zero-width space"},
        {"Jane\xe2\x80\x8e" "Doe", "U+200E left-to-right mark"},
        {"Jane\xe2\x80\xa8" "Doe", "U+2028 line separator"},
        {"Jane\xe2\x80\xa9" "Doe", "U+2029 paragraph separator"},
        {"Jane\xe2\x80\xae" "Doe", "U+202E right-to-left override"},
        {"Jane\xe2\x80\xaf" "Doe", "U+202F narrow no-break space"},
        {"\xe2\x81\xa0", "U+2060 word joiner alone"},
        {"Jane\xe3\x80\x80" "Doe", "U+3000 ideographic space"},
        {"Jane\xe3\x85\xa4" "Doe", "U+3164 Hangul filler"},
        {"Jane\xe2\xa0\x80" "Doe", "U+2800 blank Braille pattern"},
        {"Jane\xef\xb8\x80" "Doe", "U+FE00 variation selector-1"},
        {"\xef\xbb\xbf" "Jane", "U+FEFF byte order mark"},
        {"Jane\xef\xbe\xa0" "Doe", "U+FFA0 half-width Hangul filler"},
        {"Alice Brown\xf0\x9b\xb2\xa0", "U+1BCA0 shorthand format letter overlap"},
        {"Bob Stone\xf0\x93\x90\xb0", "U+13430 Egyptian hieroglyph vertical joiner"},
        {"Jane Doe\xf0\x9d\x85\xb3", "U+1D173 musical symbol begin beam"},
        {"Jane\xf3\xa0\x81\x81", "U+E0041 tag latin capital A"},
        {"Jane\xf3\xa0\x84\x80", "U+E0100 variation selector-17"},
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_EQ_STR(why_not(bad[i].name, NULL), MSG_HIDDEN, bad[i].what);
}

static void test_joiners_allowed(void)
{
    static const struct { const char *name, *what; } ok[] = {
        {"\xe0\xa4\x95\xe0\xa5\x8d\xe2\x80\x8d\xe0\xa4\xb7", "Devanagari with U+200D ZWJ"},
        {"\xd9\x85\xe2\x80\x8c\xd9\x8a", "Persian with U+200C ZWNJ"},
        {"Jane \xe2\x9d\xa4\xef\xb8\x8f", "U+FE0F emoji presentation selector"},
        {"Jane \xe2\x98\xba\xef\xb8\x8e", "U+FE0E text presentation selector"},
        {"\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb Jane", "an emoji sequence joined by ZWJ"},
        {"\xce\x9d\xce\xb9\xce\xba\xcf\x8c\xce\xbb\xce\xb1\xce\xbf\xcf\x82", "Greek"},
        {"\xe5\xbc\xa0\xe4\xbc\x9f", "Chinese"},
        {"O'Brien-Smith Jr.", "punctuation"},
    };
    size_t i;

    for (i = 0; i < sizeof ok / sizeof *ok; i++)
        CHECK_EQ_STR(why_not(ok[i].name, ok[i].name), NULL, ok[i].what);
}

/* 1 if A and B are one nominee: equal keys, and B matches A's key as a
 * member's name is matched (name_match_key). -1 on an error. */
static int same(const char *a, const char *b)
{
    char *ka = NULL, *kb = NULL;
    int r = -1, m = -1;

    if (nominee_key(a, &ka) == 0 && nominee_key(b, &kb) == 0 &&
        name_match_key(b, ka, &m) == 0)
        r = strcmp(ka, kb) == 0;
    if (r != m)
        r = -1;
    free(ka);
    free(kb);
    return r;
}

static void test_same_nominee(void)
{
    char *key = (char *)"unset";

    CHECK_EQ_INT(same("Jos\xc3\xa9", "JOSE\xcc\x81"), 1, "José and JOSÉ with a combining accent");
    CHECK_EQ_INT(same("\xc3\x89lodie Roux", "\xc3\xa9lodie roux"), 1, "Élodie Roux, élodie roux");
    CHECK_EQ_INT(same("L\xc3\xa9na Brauer", "LE\xcc\x81NA BRAUER"), 1, "Léna, LÉNA (NFD)");
    CHECK_EQ_INT(same("\xc4\xb0rem Y\xc4\xb1lmaz", "irem yilmaz"), 1, "İrem Yılmaz, irem yilmaz");
    CHECK_EQ_INT(same("Stra\xc3\x9f" "er", "STRASSER"), 1, "ß folds to ss");
    CHECK_EQ_INT(same("\xc5\xbf" "econd", "Second"), 1, "a long s folds to an ASCII s");
    CHECK_EQ_INT(same("Al\xe2\x80\x8dice", "alice"), 1, "a joiner is ignored");
    CHECK_EQ_INT(same("Jane\xef\xb8\x8f", "JANE"), 1, "a presentation selector is ignored");
    CHECK_EQ_INT(same("Jane Doe", "Jane Roe"), 0, "different names differ");
    CHECK_EQ_INT(same("Jos\xc3\xa9", "Jose"), 0, "an accent makes another name");
    CHECK_EQ_INT(same("\xef\xbc\xaa" "ane", "Jane"), 0, "a full-width letter is not folded");
    CHECK_EQ_INT(same("JaneDoe", "Jane Doe"), 0, "a space makes another name");
    CHECK_EQ_INT(nominee_key("Jane\xff", &key), -1, "no key for malformed UTF-8");
    CHECK(key == NULL, "and none handed out");
}

int main(void)
{
    test_nfc();
    test_utf8();
    test_length();
    test_controls();
    test_spaces();
    test_invisible();
    test_joiners_allowed();
    test_same_nominee();
    TEST_MAIN_END("test_nominee");
}
