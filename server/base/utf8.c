/*
 * utf8.c — UTF-8 well-formedness over GNU libunistring (already linked for
 * the names, name.c): u8_check and u8_mbtoucr reject exactly what RFC 3629
 * rejects (tests/test_utf8.c compares them with the RFC's table on every
 * sequence of up to three bytes and on the four-byte ones around each
 * boundary), so no decoder of our own is kept.
 */
#include <unistr.h>

#include "utf8.h"

int utf8_check(const char *s, size_t len)
{
    return u8_check((const uint8_t *)s, len) == NULL ? 0 : -1;
}

size_t utf8_next(const char *s, size_t n, uint32_t *cp)
{
    ucs4_t c;
    int len;

    if (n == 0)
        return 0;
    len = u8_mbtoucr(&c, (const uint8_t *)s, n);
    if (len <= 0)
        return 0;
    *cp = c;
    return (size_t)len;
}
