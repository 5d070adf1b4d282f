/*
 * fuzz_web_form.c — libFuzzer target: the strict urlencoded form parser.
 * A body that is accepted must hold at most WEB_FORM_MAX_FIELDS distinct
 * names of [a-z0-9_] and values that are well-formed UTF-8 without NUL or
 * control characters other than tab, CR and LF; re-encoding the fields and
 * parsing them again must give the same fields.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "web_form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t fuzz_encode(const struct web_form *f, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i, n = 0;
    const unsigned char *v;

    for (i = 0; i < f->n; i++) {
        n += (size_t)sprintf(out + n, "%s%s=", i ? "&" : "", f->names[i]);
        for (v = (const unsigned char *)f->values[i]; *v; v++) {
            out[n++] = '%';
            out[n++] = hex[*v >> 4];
            out[n++] = hex[*v & 15];
        }
    }
    return n;
}

static void fuzz_check(const struct web_form *f)
{
    size_t i, j;
    const unsigned char *v;

    if (f->n > WEB_FORM_MAX_FIELDS)
        abort();
    for (i = 0; i < f->n; i++) {
        size_t nl = strlen(f->names[i]);
        if (nl == 0 || nl > WEB_FORM_NAME_MAX ||
            strspn(f->names[i], "abcdefghijklmnopqrstuvwxyz0123456789_") != nl)
            abort();
        for (j = 0; j < i; j++)
            if (strcmp(f->names[i], f->names[j]) == 0)
                abort();
        for (v = (const unsigned char *)f->values[i]; *v; v++)
            if ((*v < 0x20 && *v != '\t' && *v != '\r' && *v != '\n') || *v == 0x7f)
                abort();
        if (utf8_check(f->values[i], strlen(f->values[i])) != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct web_form f, g;
    char *enc;
    size_t n, i;

    if (web_form_parse((const char *)data, size, &f) != 0)
        return 0;
    fuzz_check(&f);
    enc = malloc(size * 3 + 64);
    if (enc == NULL)
        abort();
    n = fuzz_encode(&f, enc);
    if (n <= WEB_FORM_BODY_MAX) {
        if (web_form_parse(enc, n, &g) != 0 || g.n != f.n)
            abort();
        for (i = 0; i < f.n; i++)
            if (strcmp(g.names[i], f.names[i]) != 0 || strcmp(g.values[i], f.values[i]) != 0)
                abort();
        web_form_clear(&g);
    }
    free(enc);
    web_form_clear(&f);
    return 0;
}
