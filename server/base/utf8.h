/*
 * utf8.h — the one check of UTF-8 text: well-formed in the sense of RFC 3629
 * (the shortest form of each character, no surrogate half U+D800..U+DFFF,
 * nothing past U+10FFFF). Every module that takes text from outside (the
 * protocol's strings, form fields, a nominee, a statement, a display name)
 * checks it here, so they all agree on what "valid UTF-8" means.
 *
 * A NUL byte is the character U+0000: valid here; callers that take
 * NUL-terminated text never see one inside.
 */
#ifndef CONCLAVE_UTF8_H
#define CONCLAVE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* 0 if the LEN bytes at S are well-formed UTF-8, else -1. */
int utf8_check(const char *s, size_t len);

/* Decodes the character at S (N bytes left, N > 0) into *cp. Returns its
 * length (1 to 4), or 0 if the bytes there are malformed, overlong, a
 * surrogate, past U+10FFFF or cut short (*cp is then unspecified). */
size_t utf8_next(const char *s, size_t n, uint32_t *cp);

#endif
