/*
 * test_name.c — names in NFC and their folded keys: composed and decomposed
 * accents, Unicode case (beyond ASCII), expanding folds, what is not folded,
 * and malformed UTF-8 refused.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "name.h"

#define JOSE_NFC "Jos\xc3\xa9 N\xc3\xba\xc3\xb1" "ez"                  /* José Núñez */
#define JOSE_NFD "Jose\xcc\x81 Nu\xcc\x81n\xcc\x83" "ez"

/* 1 if A and B have equal folded keys. */
static int same(const char *a, const char *b)
{
    char *key = NULL;
    int r = 0;

    if (name_fold_key(a, &key) != 0 || name_match_key(b, key, &r) != 0)
        r = -1;
    free(key);
    return r;
}

static void test_nfc(void)
{
    char *out = NULL;

    CHECK(name_to_nfc(JOSE_NFD, &out) == 0 && strcmp(out, JOSE_NFC) == 0,
          "NFD is composed to NFC");
    free(out);
    CHECK(name_to_nfc(JOSE_NFC, &out) == 0 && strcmp(out, JOSE_NFC) == 0, "NFC stays");
    free(out);
    CHECK(name_to_nfc("", &out) == 0 && out != NULL && out[0] == '\0', "empty stays empty");
    free(out);
    CHECK(name_to_nfc("\xe2\x84\xaa", &out) == 0 && strcmp(out, "K") == 0,
          "Kelvin sign is K (canonical)");
    free(out);
    CHECK(name_to_nfc("a\xc3", &out) != 0 && out == NULL, "truncated UTF-8 refused");
    CHECK(name_to_nfc("\xed\xa0\x80", &out) != 0 && out == NULL, "a surrogate refused");
}

static void test_fold(void)
{
    char *key = NULL;
    int r = 1;

    CHECK_EQ_INT(same(JOSE_NFC, JOSE_NFD), 1, "NFC and NFD are the same name");
    CHECK_EQ_INT(same("\xc3\x89lodie Roux", "\xc3\xa9lodie roux"), 1, "É and é");
    CHECK_EQ_INT(same("JOS\xc3\x89", JOSE_NFD), 0, "a different name differs");
    CHECK_EQ_INT(same("Stra\xc3\x9f" "e", "STRASSE"), 1, "ß folds to ss");
    CHECK_EQ_INT(same("\xc5\xbf" "am", "SAM"), 1, "long s folds to s");
    CHECK_EQ_INT(same("sam", "\xc5\xbf" "AM"), 1, "and an ASCII key matches it");
    CHECK_EQ_INT(same("S\xc3\xa1m", "sam"), 0, "an ASCII name does not match an accented key");
    CHECK_EQ_INT(same("\xce\xa3\xce\xbf\xcf\x86\xce\xaf\xce\xb1",
                      "\xcf\x83\xce\xbf\xcf\x86\xce\xaf\xce\xb1"), 1,
                 "Greek capital and small sigma");
    CHECK_EQ_INT(same("\xe1\xbe\xb3", "\xce\xb1\xcd\x85"), 1,
                 "alpha with ypogegrammeni, composed or not");
    CHECK_EQ_INT(same("\xef\xbd\x8a" "ane", "jane"), 0, "full-width letters are not folded");
    /* Turkish: İ, I, ı and i are one letter for the key */
    CHECK_EQ_INT(same("\xc4\xb0rem Y\xc4\xb1lmaz", "irem yilmaz"), 1, "İrem Yılmaz, irem yilmaz");
    CHECK_EQ_INT(same("\xc4\xb0REM YILMAZ", "\xc4\xb1rem y\xc4\xb1lmaz"), 1,
                 "İREM YILMAZ, ırem yılmaz");
    /* joiners and presentation selectors change nothing a reader sees */
    CHECK_EQ_INT(same("Al\xe2\x80\x8d" "ice", "alice"), 1, "a zero-width joiner is ignored");
    CHECK_EQ_INT(same("Jane\xef\xb8\x8f", "jane"), 1, "a variation selector is ignored");
    CHECK_EQ_INT(same("soft\xc2\xadhyphen", "softhyphen"), 1, "a soft hyphen is ignored");
    CHECK_EQ_INT(same("i\xcc\x87", "i"), 1, "i with a dot above is i");
    CHECK_EQ_INT(same("e\xcc\x87", "e"), 0, "another letter keeps its dot above");
    CHECK(name_fold_key("JANE Doe", &key) == 0 && strcmp(key, "jane doe") == 0,
          "an ASCII key is the lower case");
    free(key);
    CHECK(name_fold_key("\xff", &key) != 0 && key == NULL, "malformed UTF-8 refused");
    CHECK(name_match_key("\xc0\x80", "x", &r) != 0 && r == 0, "an overlong form refused");
}

int main(void)
{
    test_nfc();
    test_fold();
    TEST_MAIN_END("test_name");
}
