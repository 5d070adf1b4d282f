/*
 * fuzz_tmpl.c — libFuzzer target: the template compiler and renderer.
 * The input is a template, optionally followed by a NUL and a second
 * template that the first may include as the partial "p". Whatever compiles
 * is rendered with a fixed data tree (strings with markup, booleans, an
 * object, lists, an empty list): nothing may crash, the output must be as
 * long as it says, and nothing rendered may exceed TMPL_OUTPUT_MAX.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tmpl_value *fuzz_data(void)
{
    struct tmpl_value *d = tmpl_obj_new(), *o, *l, *it;
    int i;

    tmpl_put_str(d, "x", "<b>&\"'</b>");
    tmpl_put_str(d, "empty", "");
    tmpl_put_bool(d, "yes", 1);
    tmpl_put_bool(d, "no", 0);
    tmpl_put_int(d, "n", 42);
    o = tmpl_put_obj(d, "o");
    tmpl_put_str(o, "x", "inner");
    tmpl_put_obj(o, "deep");
    l = tmpl_put_list(d, "l");
    for (i = 0; i < 3; i++) {
        it = tmpl_list_add(l);
        tmpl_put_int(it, "i", i);
        tmpl_put_bool(it, "even", i % 2 == 0);
    }
    l = tmpl_put_list(d, "s");
    tmpl_list_add_str(l, "a<");
    tmpl_list_add_str(l, "");
    tmpl_put_list(d, "none");
    return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t len = nul ? (size_t)(nul - text) : size;
    struct tmpl_bundle *b = tmpl_bundle_new();
    struct tmpl_value *d = fuzz_data();
    char err[200], *out = NULL;
    size_t out_len = 0;

    if (b == NULL || d == NULL)
        abort();
    if (tmpl_bundle_add(b, "t", text, len, err, sizeof err) != 0)
        goto out;
    if (nul != NULL && tmpl_bundle_add(b, "p", nul + 1, size - len - 1, err, sizeof err) != 0)
        goto out;
    if (tmpl_bundle_link(b, err, sizeof err) != 0)
        goto out;
    if (tmpl_bundle_render(b, "t", d, &out, &out_len, err, sizeof err) == 0) {
        if (out_len > TMPL_OUTPUT_MAX || out[out_len] != '\0')
            abort();
        free(out);
    }
out:
    tmpl_bundle_free(b);
    tmpl_value_free(d);
    return 0;
}
