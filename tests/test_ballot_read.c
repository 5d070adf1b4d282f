/*
 * test_ballot_read.c — the one-pass reader of ballot text (ballot_read.c)
 * against the reader it replaced, jansson's tree (sjson_parse) read by
 * ballot_from_json: for the vectors' ballots in both forms and layouts, the
 * invalid vectors, and tens of thousands of texts made from them (every
 * byte flipped, deleted, or preceded by a token that breaks or bends the
 * JSON; keys respelled with escapes, repeated or added in every object;
 * several edits at once), both must give the same reason, and the same
 * ballot when they accept. The body's depth, when the reader knows it, is
 * jscan_text's; it knows it whenever sjson_parse reads the text as an
 * object.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "vectors.h"

#include "ballot.h"
#include "jscan.h"
#include "sjson.h"

/* The nesting depth jscan finds in TEXT: what the API caps. */
static int scan_depth(const char *text, size_t len)
{
    struct jscan_info scan;

    jscan_text(text, len, &scan);
    return scan.depth;
}

static unsigned long compared, mismatched;

/* The reader that ballot_parse was: the JSON tree, then ballot_from_json. */
static enum proto_reason tree_parse(const char *text, size_t len, enum ballot_form form,
                                    struct ballot **out)
{
    enum proto_reason why;
    json_t *root = sjson_parse(text, len, PROTO_MAX_BALLOT, &why);

    *out = NULL;
    if (root == NULL)
        return why;
    why = ballot_from_json(root, form, out);
    json_decref(root);
    return why;
}

/* The same ballot: the same board form and the same replaces. */
static int same_ballot(const struct ballot *a, const struct ballot *b)
{
    char *x = ballot_serialize(a, BALLOT_FORM_POST, 0, NULL);
    char *y = ballot_serialize(b, BALLOT_FORM_POST, 0, NULL);
    int same = x != NULL && y != NULL && strcmp(x, y) == 0 &&
               memcmp(ballot_tracker(a), ballot_tracker(b), 32) == 0 &&
               ballot_check_tracker(a) == ballot_check_tracker(b);

    free(x);
    free(y);
    return same;
}

/* Prints TEXT with its unprintable bytes escaped (a mismatch's input). */
static void show(const char *text, size_t len)
{
    size_t i;

    for (i = 0; i < len && i < 400; i++)
        fprintf(stderr, (unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e
                ? "\\x%02x" : "%c", (unsigned char)text[i]);
    fprintf(stderr, "%s\n", len > 400 ? "..." : "");
}

/* Both readers on TEXT in FORM: the same answer? */
static void compare(const char *text, size_t len, enum ballot_form form)
{
    struct ballot *a = NULL, *b = NULL;
    enum proto_reason ra, rb, rt;
    json_t *tree;
    int depth = -2, ok;

    ra = ballot_parse_body(text, len, form, &a, &depth);
    rb = tree_parse(text, len, form, &b);
    ok = ra == rb && (ra != PROTO_OK || (a != NULL && b != NULL && same_ballot(a, b)));
    if (depth >= 0 && depth != scan_depth(text, len))
        ok = 0;
    if (depth < 0 && (tree = sjson_parse(text, len, PROTO_MAX_BALLOT, &rt)) != NULL) {
        ok = 0;                                 /* a JSON object is read to its end */
        json_decref(tree);
    }
    compared++;
    if (!ok && ++mismatched <= 5) {
        fprintf(stderr, "  %s form: one pass %s (depth %d), tree %s (depth %d):\n  ",
                form == BALLOT_FORM_POST ? "POST" : "board", proto_reason_code(ra), depth,
                proto_reason_code(rb), scan_depth(text, len));
        show(text, len);
    }
    ballot_free(a);
    ballot_free(b);
}

static void compare_both(const char *text, size_t len)
{
    compare(text, len, BALLOT_FORM_POST);
    compare(text, len, BALLOT_FORM_BOARD);
}

/* TEXT with INS inserted at AT and DEL bytes deleted there. */
static void edited(const char *text, size_t len, size_t at, size_t del, const char *ins,
                   size_t n)
{
    char *t = malloc(len + n + 1);

    if (t == NULL)
        return;
    memcpy(t, text, at);
    memcpy(t + at, ins, n);
    memcpy(t + at + n, text + at + del, len - at - del);
    compare_both(t, len + n - del);
    free(t);
}

static const char *const tokens[] = {
    "\"", "\\", "{", "}", "[", "]", ",", ":", " ", "0", "7", "-", "x", "\xc3", "\xed\xa0\x80",
    "\"a\":1,", "\\u0000", "\\ud800", "\\u0061", "1e5", "true", "01", "99999999999999999999",
    "[[]],", "{\"a\":{\"b\":1,\"b\":2}},",
};

/* Every byte of TEXT flipped (three ways), deleted, and preceded by each
 * token; STRIDE > 1 takes every STRIDE-th byte only. */
static void sweep(const char *text, size_t len, size_t stride)
{
    static const unsigned char masks[] = {0x01, 0x20, 0x80};
    char *t = malloc(len + 1);
    size_t i, k;

    if (t == NULL)
        return;
    memcpy(t, text, len);
    for (i = 0; i < len; i += stride) {
        for (k = 0; k < sizeof masks; k++) {
            t[i] = (char)(t[i] ^ masks[k]);
            compare_both(t, len);
            t[i] = text[i];
        }
        edited(text, len, i, 1, "", 0);
        for (k = 0; k < sizeof tokens / sizeof tokens[0]; k++)
            edited(text, len, i, 0, tokens[k], strlen(tokens[k]));
    }
    free(t);
}

/* In every object, each of the schema's keys (and another) added first:
 * a key twice, or a key that does not belong; and each key of the text
 * respelled with an escape ("\u0070oll"), as each string's first letter. */
static void keys(const char *text, size_t len)
{
    static const char *const add[] = {
        "poll", "fingerprint", "tag", "choices", "sum_proof", "replaces", "tracker",
        "alpha", "beta", "proof", "c", "s", "zz",
    };
    char ins[40], esc[8];
    size_t i, k;

    for (i = 0; i < len; i++) {
        if (text[i] == '{')
            for (k = 0; k < sizeof add / sizeof add[0]; k++) {
                snprintf(ins, sizeof ins, "\"%s\":\"\",", add[k]);
                edited(text, len, i + 1, 0, ins, strlen(ins));
            }
        if (text[i] == '"' && i + 1 < len && text[i + 1] >= 'a' && text[i + 1] <= 'z') {
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned)text[i + 1]);
            edited(text, len, i + 1, 1, esc, strlen(esc));
        }
    }
}

/* COUNT texts with three random edits each (a fixed seed: the same texts
 * every run). */
static void random_edits(const char *text, size_t len, unsigned count, uint32_t seed)
{
    char *t = malloc(len + 3 * 64 + 1), *u = malloc(len + 3 * 64 + 1);
    size_t n, at, k;
    unsigned c, e;

    for (c = 0; t != NULL && u != NULL && c < count; c++) {
        memcpy(t, text, len);
        n = len;
        for (e = 0; e < 3; e++) {
            const char *tok;
            seed = seed * 1103515245u + 12345u;
            at = (seed >> 8) % (n + 1);
            seed = seed * 1103515245u + 12345u;
            tok = tokens[(seed >> 8) % (sizeof tokens / sizeof tokens[0])];
            k = (seed >> 20) % 3 == 0 && at < n ? 1 : 0;       /* replace a byte, or insert */
            memcpy(u, t, at);
            memcpy(u + at, tok, strlen(tok));
            memcpy(u + at + strlen(tok), t + at + k, n - at - k);
            n = n + strlen(tok) - k;
            memcpy(t, u, n);
        }
        compare_both(t, n);
    }
    free(t);
    free(u);
}

/* An edit of a text: DEL bytes at AT replaced by INS. */
struct edit {
    size_t at, del;
    char ins[80];
};

static void add_edit(struct edit *e, size_t *n, size_t at, size_t del, const char *ins)
{
    e[*n].at = at;
    e[*n].del = del;
    snprintf(e[*n].ins, sizeof e[*n].ins, "%s", ins);
    (*n)++;
}

/* The edits that break one check each: every 64-hex string made a number,
 * an object, upper case, one digit longer, all 'f' at the end (a point's bit
 * 255, a scalar past l) or all zeros (the identity); every object given a
 * key too many; every array an element too many, or emptied. */
static size_t edits_of(const char *text, size_t len, struct edit *e, size_t max)
{
    static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";
    size_t n = 0, i, j;
    int level;

    for (i = 0; i < len && n + 8 <= max; i++) {
        if (text[i] == '"' && i + 65 < len && text[i + 65] == '"' &&
            strspn(text + i + 1, "0123456789abcdef") >= 64) {
            add_edit(e, &n, i, 66, "7");
            add_edit(e, &n, i, 66, "{\"x\":1}");
            add_edit(e, &n, i, 2, "\"A");
            add_edit(e, &n, i + 65, 0, "0");                  /* a 65th digit */
            add_edit(e, &n, i + 63, 2, "ff");                 /* bit 255; a scalar past l */
            add_edit(e, &n, i + 1, 64, zeros);                /* the identity; 0 */
        } else if (text[i] == '{') {
            add_edit(e, &n, i + 1, 0, "\"zz\":0,");
        } else if (text[i] == '[') {
            add_edit(e, &n, i + 1, 0, "\"x\",");
            for (j = i, level = 0; j < len; j++)               /* its closing bracket */
                if ((level += (text[j] == '[') - (text[j] == ']')) == 0)
                    break;
            add_edit(e, &n, i + 1, j - i - 1, "");
        }
    }
    return n;
}

/* Every two edits of TEXT that do not overlap, applied together: whichever
 * check comes first in ballot_from_json's order must decide. */
static void pairs(const char *text, size_t len)
{
    struct edit *e = malloc(400 * sizeof *e);
    char *t = malloc(len + 200), *u = malloc(len + 200);
    size_t n = e != NULL ? edits_of(text, len, e, 400) : 0, a, b, m;

    for (a = 0; t != NULL && u != NULL && a < n; a++)
        for (b = 0; b < n; b++) {
            const struct edit *x = &e[a], *y = &e[b];       /* x before y */
            if (x->at + x->del > y->at || (x->at == y->at && a >= b))
                continue;
            m = y->at;                                       /* y first, then x */
            memcpy(u, text, m);
            memcpy(u + m, y->ins, strlen(y->ins));
            memcpy(u + m + strlen(y->ins), text + m + y->del, len - m - y->del);
            m = len + strlen(y->ins) - y->del;
            memcpy(t, u, x->at);
            memcpy(t + x->at, x->ins, strlen(x->ins));
            memcpy(t + x->at + strlen(x->ins), u + x->at + x->del, m - x->at - x->del);
            compare_both(t, m + strlen(x->ins) - x->del);
        }
    free(e);
    free(t);
    free(u);
}

/* TEXT (compact) with its fingerprint in upper case (hex) and VALUE (N
 * bytes) in place of its tag: when the text is JSON the fingerprint's hex
 * comes first, else shape. So every kind of value that jansson refuses or
 * takes shows, in a place where the answer depends on it. */
static void tag_value(const char *text, size_t len, const char *value, size_t n)
{
    const char *fp = strstr(text, "\"fingerprint\":\""), *tag = strstr(text, "\"tag\":\"");
    size_t at;
    char *t;

    if (fp == NULL || tag == NULL || (t = malloc(len + n)) == NULL)
        return;
    at = (size_t)(tag - text) + 6;                  /* the tag's value, 66 bytes */
    memcpy(t, text, at);
    memcpy(t + at, value, n);
    memcpy(t + at + n, text + at + 66, len - at - 66);
    t[fp - text + 15] = 'A';
    compare_both(t, len - 66 + n);
    free(t);
}

/* The tag an array nested D deep, empty or around a number: past jansson's
 * 2048 levels the text is no JSON. */
static void deep_tag(const char *text, size_t len, size_t d)
{
    char *v = malloc(2 * d);

    if (v == NULL)
        return;
    memset(v, '[', d);
    memset(v + d, ']', d);
    tag_value(text, len, v, 2 * d);
    v[d - 1] = '1';
    tag_value(text, len, v, 2 * d);
    free(v);
}

/* TEXT with its poll id's value (the string after "poll":) replaced by
 * VALUE: escapes decode to the same id, or another of up to 4 bytes a
 * character; the id's length limit counts decoded bytes. */
static void poll_value(const char *text, size_t len, const char *value)
{
    const char *at = strstr(text, "\"poll\":\""), *end;
    size_t head, n = strlen(value);
    char *t;

    if (at == NULL || (end = strchr(at + 8, '"')) == NULL || (t = malloc(len + n)) == NULL)
        return;
    head = (size_t)(at - text) + 7;
    memcpy(t, text, head);
    memcpy(t + head, value, n);
    memcpy(t + head + n, end + 1, len - (size_t)(end + 1 - text));
    compare_both(t, head + n + len - (size_t)(end + 1 - text));
    free(t);
}

/* Values that jansson takes or refuses, as the tag (tag_value). */
static void values(const char *text, size_t len)
{
    static const char *const v[] = {
        "0", "7", "00", "-1", "1.0", "1e2", "9223372036854775807", "9223372036854775808",
        "18446744073709551616", "true", "false", "null", "tru", "nulL", "True", "truex",
        "\"\"", "\"\xc2\x80\"", "\"\xc0\xaf\"", "\"\xc1\xbf\"", "\"\xe0\x80\xaf\"",
        "\"\xed\xa0\x80\"", "\"\xef\xbf\xbf\"", "\"\xf4\x8f\xbf\xbf\"",
        "\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xe2\x82\"", "\"\x7f\"",
        "\"\xf0\x8f\xbf\xbf\"", "\"\xf0\x90\x80\x80\"",
        "\"\x1f\"", "\"\\ud800\\udc00\"", "\"\\ud800\"", "\"\\udc00\"",
        "\"\\ud800\\u0041\"", "\"\\u0000\"", "\"\\u00e9\\/\\b\"", "\"\\x\"",
        "\"\\U0041\"", "\"\\u12\"", "{\"a\":1,\"a\":2}", "{\"a\":1,\"A\":2}",
        "{\"\\u0061\":1,\"a\":2}", "{\"a\":{\"b\":[],\"b\":{}}}", "[{\"a\":1},{\"a\":1}]",
        "{\"\\u0000\":1}", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\"}", "[", "{",
        "{\"\\u00e9\":1,\"\xc3\xa9\":2}", "{\"\\u00e9\":1,\"\xc3\xa8\":2}",
        "{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", "{\"\\u20ac\":1,\"\xe2\x82\xac\":2}",
    };
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++)
        tag_value(text, len, v[i], strlen(v[i]));
}

/* A few texts of their own: deep nesting (past the API's 8 levels and past
 * jansson's 2048), escapes that decode to the schema's bytes, numbers. */
static void specials(const char *text, size_t len)
{
    static const char *const small[] = {
        "", " ", "{}", "[]", "null", "{\"poll\":\"p\"}", "{\"poll\":1e5}", "{\"a\":-1}",
        "{\"a\":9223372036854775807}", "{\"a\":9223372036854775808}", "{\"a\":0.5}",
        "{\"a\":\"\\ud83d\\ude00\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800x\"}",
        "{\"a\":\"\xf0\x9f\x98\x80\"}", "{\"a\":\"\xf4\x90\x80\x80\"}", "{\"a\":\"\xc0\xaf\"}",
        "{\"a\":tru}", "{\"a\":True}", "{\"a\":nulll}", "{\"a\":[1,]}", "{,}", "{\"a\" 1}",
    };
    size_t i, d;

    for (i = 0; i < sizeof small / sizeof small[0]; i++)
        compare_both(small[i], strlen(small[i]));
    char *id;

    for (d = 2044; d <= 2050; d++)             /* around jansson's 2048 levels */
        deep_tag(text, len, d);
    values(text, len);
    poll_value(text, len, "\"\\u0070oll-1\"");
    poll_value(text, len, "\"p\\u00f6ll \\u20ac \\ud83d\\ude00 \\\" \\\\ \\/ \\t\"");
    poll_value(text, len, "\"\xc3\xb6\xe2\x82\xac\xf0\x9f\x98\x80\"");
    for (d = PROTO_MAX_STRING - 1; d <= PROTO_MAX_STRING + 1; d++) {
        if ((id = malloc(6 * d + 3)) == NULL)
            return;
        id[0] = '"';
        for (i = 0; i < d; i++)                 /* D bytes decoded, from 6 d escaped */
            memcpy(id + 1 + 6 * i, "\\u0061", 6);
        memcpy(id + 1 + 6 * d, "\"", 2);
        poll_value(text, len, id);
        memset(id + 1, 'b', d);                 /* and the same without escapes */
        memcpy(id + 1 + d, "\"", 2);
        poll_value(text, len, id);
        free(id);
    }
}

/* The vectors' ballots in both forms and three layouts. */
static size_t load_texts(char **texts, size_t max)
{
    json_t *root = vec_load("ballots.json"), *inv = vec_load("invalid-ballots.json");
    size_t n = 0, i;

    for (i = 0; i < 5 && n + 4 <= max; i++) {
        json_t *v = i < 4 ? json_array_get(json_object_get(root, "ballots"), i)
                          : json_object_get(root, "replacement");
        struct ballot *b = NULL;
        char *post = json_dumps(json_object_get(v, "ballot"), JSON_COMPACT | JSON_PRESERVE_ORDER);

        texts[n++] = post;
        texts[n++] = json_dumps(json_object_get(v, "ballot"), JSON_INDENT(1) | JSON_SORT_KEYS);
        if (post != NULL && ballot_parse(post, strlen(post), BALLOT_FORM_POST, &b) == PROTO_OK) {
            texts[n++] = ballot_serialize(b, BALLOT_FORM_BOARD, 0, NULL);
            texts[n++] = ballot_serialize(b, BALLOT_FORM_BOARD, 1, NULL);
        }
        ballot_free(b);
    }
    for (i = 0; i < json_array_size(json_object_get(inv, "cases")) && n < max; i++) {
        json_t *c = json_array_get(json_object_get(inv, "cases"), i);
        texts[n++] = json_object_get(c, "ballot_text")
            ? strdup(json_string_value(json_object_get(c, "ballot_text")))
            : json_dumps(json_object_get(c, "ballot"), JSON_COMPACT | JSON_PRESERVE_ORDER);
    }
    json_decref(root);
    json_decref(inv);
    return n;
}

int main(void)
{
    char *texts[64], what[200];
    size_t n, i;

    if (crypto_init() != 0)
        return 1;
    n = load_texts(texts, sizeof texts / sizeof texts[0]);
    CHECK(n == 20 + 33, "the vectors: 5 ballots in 4 texts each, 33 invalid ones");
    for (i = 0; i < n; i++) {
        if (texts[i] == NULL)
            continue;
        compare_both(texts[i], strlen(texts[i]));
        if (i == 0 || i == 18)          /* yes (POST, compact); replacement (board) */
            sweep(texts[i], strlen(texts[i]), 1);
        else if (i < 20)
            sweep(texts[i], strlen(texts[i]), 37);
        if (i < 20 || i % 4 == 0)
            keys(texts[i], strlen(texts[i]));
        random_edits(texts[i], strlen(texts[i]), i < 20 ? 600 : 100, (uint32_t)i + 1);
        if (i == 0 || i == 8 || i == 18)  /* yes, poll-2's (3 options), replacement */
            pairs(texts[i], strlen(texts[i]));
        if (i == 0)
            specials(texts[i], strlen(texts[i]));
    }
    snprintf(what, sizeof what, "both readers agree on %lu texts in both forms (%lu differ)",
             compared, mismatched);
    CHECK(compared > 100000 && mismatched == 0, what);
    for (i = 0; i < n; i++)
        free(texts[i]);
    TEST_MAIN_END("test_ballot_read");
}
