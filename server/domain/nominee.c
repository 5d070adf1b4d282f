/*
 * nominee.c — the rules of a nominee's name and the key that finds a second
 * poll for one person (nominee.h), on GNU libunistring through name.c.
 *
 * The checks run on the NFC form, in an order that gives the most useful
 * message first: controls, then the length, then the spaces at the ends,
 * then invisible characters and doubled spaces.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unictype.h>
#include <unistr.h>

#include "name.h"
#include "nominee.h"
#include "utf8.h"

/* Counts UTF-8 characters; -1 if a control character (C0, DEL, C1) appears. */
static long nominee_count_chars(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    long n = 0;

    for (; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return -1;
        if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            return -1;
        if ((*p & 0xc0) != 0x80)
            n++;
    }
    return n;
}

/*
 * 1 for a character that shows nothing or passes for a space: format and
 * default-ignorable characters (zero-width spaces, word joiners, bidi
 * controls, tags, fillers), separators other than U+0020, the blank Braille
 * pattern. Not the joiners and presentation selectors that names and emoji
 * are made with (U+200C, U+200D, U+FE0E, U+FE0F): the folded key that finds
 * a second poll for one name ignores those (name.h).
 */
static int nominee_is_hidden(uint32_t c)
{
    if (c == 0x200c || c == 0x200d || c == 0xfe0e || c == 0xfe0f)
        return 0;
    return uc_is_property_default_ignorable_code_point(c) ||
           uc_is_general_category(c, UC_FORMAT) ||
           uc_is_general_category(c, UC_LINE_SEPARATOR) ||
           uc_is_general_category(c, UC_PARAGRAPH_SEPARATOR) ||
           (c != 0x20 && uc_is_general_category(c, UC_SPACE_SEPARATOR)) || c == 0x2800;
}

/* 1 if NAME (valid UTF-8) holds a hidden character or two spaces in a row. */
static int nominee_has_hidden(const char *name)
{
    const uint8_t *p = (const uint8_t *)name;
    ucs4_t c;

    if (strstr(name, "  ") != NULL)
        return 1;
    while ((p = u8_next(&c, p)) != NULL)
        if (nominee_is_hidden(c))
            return 1;
    return 0;
}

const char *nominee_check(const char *name)
{
    long chars = nominee_count_chars(name);

    if (chars < 0)
        return "the nominee's name must not contain control characters";
    /* No controls by now: blank means spaces only. */
    if (chars < 1 || chars > NOMINEE_CHARS_MAX || strspn(name, " ") == strlen(name))
        return "the nominee's name must have 1 to 100 characters";
    if (name[0] == ' ' || name[strlen(name) - 1] == ' ')
        return "the nominee's name must not start or end with a space";
    if (nominee_has_hidden(name))
        return "the nominee's name must use plain spaces, one at a time, and no "
               "invisible characters";
    return NULL;
}

int nominee_normalize(const char *name, char **nfc, const char **why)
{
    *nfc = NULL;
    if (utf8_check(name, strlen(name)) != 0) {
        *why = "the nominee's name must be valid UTF-8";
        return 1;
    }
    if (name_to_nfc(name, nfc) != 0)
        return -1;
    if ((*why = nominee_check(*nfc)) != NULL) {
        free(*nfc);
        *nfc = NULL;
        return 1;
    }
    return 0;
}

int nominee_key(const char *name, char **key)
{
    return name_fold_key(name, key);
}
