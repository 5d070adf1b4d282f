/*
 * web_form.c — the strict application/x-www-form-urlencoded parser of the
 * HTML pages (rules in web_form.h).
 *
 * Decoding never grows the text, so one buffer of LEN + 1 bytes holds every
 * decoded name and value with their NULs ('=' and '&' make room for them).
 * The buffer is wiped when the form is cleared: a login form carries a
 * password.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "utf8.h"
#include "web_form.h"

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Copies the name [s, s + n) to *dst. 0, or -1 if it is not a plain name. */
static int copy_name(const char *s, size_t n, char **dst)
{
    size_t i;

    if (n == 0 || n > WEB_FORM_NAME_MAX)
        return -1;
    for (i = 0; i < n; i++)
        if (!name_char(s[i]))
            return -1;
    memcpy(*dst, s, n);
    (*dst)[n] = '\0';
    *dst += n + 1;
    return 0;
}

/* Decodes the value [s, s + n) to *dst. 0, or -1 if malformed. */
static int copy_value(const char *s, size_t n, char **dst)
{
    char *o = *dst, *start = *dst;
    size_t i;
    unsigned char c;

    for (i = 0; i < n; i++) {
        if (s[i] == '+') {
            c = ' ';
        } else if (s[i] == '%') {
            int hi = i + 2 < n ? hex_val(s[i + 1]) : -1;
            int lo = hi >= 0 ? hex_val(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        } else {
            c = (unsigned char)s[i];
        }
        if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
            return -1;
        *o++ = (char)c;
    }
    *o = '\0';
    if (utf8_check(start, (size_t)(o - start)) != 0)
        return -1;
    *dst = o + 1;
    return 0;
}

static int duplicate(const struct web_form *form, const char *name)
{
    size_t i;

    for (i = 0; i < form->n; i++)
        if (strcmp(form->names[i], name) == 0)
            return 1;
    return 0;
}

/* Parses one NAME=VALUE field [s, s + n) into form. 0 or -1. */
static int parse_field(struct web_form *form, const char *s, size_t n, char **dst)
{
    const char *eq = memchr(s, '=', n);
    char *name = *dst;

    if (eq == NULL || form->n >= WEB_FORM_MAX_FIELDS ||
        copy_name(s, (size_t)(eq - s), dst) != 0 || duplicate(form, name))
        return -1;
    form->names[form->n] = name;
    form->values[form->n] = *dst;
    if (copy_value(eq + 1, n - (size_t)(eq - s) - 1, dst) != 0)
        return -1;
    form->n++;
    return 0;
}

int web_form_parse(const char *body, size_t len, struct web_form *form)
{
    const char *p = body, *end = body + len, *amp;
    char *dst;

    memset(form, 0, sizeof *form);
    if (len > WEB_FORM_BODY_MAX)
        return -1;
    form->buf_len = len + 2;
    if ((form->buf = malloc(form->buf_len)) == NULL)
        return -1;
    dst = form->buf;
    while (len > 0) {
        amp = memchr(p, '&', (size_t)(end - p));
        if (amp == NULL)
            amp = end;
        if (parse_field(form, p, (size_t)(amp - p), &dst) != 0)
            goto fail;
        if (amp == end)
            break;
        p = amp + 1;
        if (p == end)
            goto fail;          /* a trailing '&' */
    }
    return 0;
fail:
    web_form_clear(form);
    return -1;
}

const char *web_form_get(const struct web_form *form, const char *name)
{
    size_t i;

    for (i = 0; i < form->n; i++)
        if (strcmp(form->names[i], name) == 0)
            return form->values[i];
    return NULL;
}

void web_form_clear(struct web_form *form)
{
    if (form->buf != NULL)
        sodium_memzero(form->buf, form->buf_len);
    free(form->buf);
    memset(form, 0, sizeof *form);
}
