/*
 * test_web_form.c — the strict urlencoded form parser: decoding, names,
 * escapes, UTF-8, control characters, empty and duplicate fields, caps.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "web_form.h"

static int parses(const char *body)
{
    struct web_form f;
    int ok = web_form_parse(body, strlen(body), &f) == 0;

    if (ok)
        web_form_clear(&f);
    return ok;
}

static void test_decoding(void)
{
    struct web_form f;
    const char *body = "username=ada&password=p%40ss+word%21&next=%2Fpolls%2Fab&empty=";

    CHECK_EQ_INT(web_form_parse(body, strlen(body), &f), 0, "a login form parses");
    CHECK_EQ_INT(f.n, 4, "four fields");
    CHECK_EQ_STR(web_form_get(&f, "username"), "ada", "plain value");
    CHECK_EQ_STR(web_form_get(&f, "password"), "p@ss word!", "%XX and + decoded");
    CHECK_EQ_STR(web_form_get(&f, "next"), "/polls/ab", "slashes decoded");
    CHECK_EQ_STR(web_form_get(&f, "empty"), "", "an empty value");
    CHECK(web_form_get(&f, "absent") == NULL, "an absent field is NULL");
    web_form_clear(&f);
    CHECK(f.buf == NULL && f.n == 0, "clear empties the form");

    body = "s=caf%C3%A9+%E2%80%94%0D%0Aline%09tab&lower=%c3%a9";
    CHECK_EQ_INT(web_form_parse(body, strlen(body), &f), 0, "UTF-8, CRLF and tab");
    CHECK_EQ_STR(web_form_get(&f, "s"), "caf\xc3\xa9 \xe2\x80\x94\r\nline\ttab",
                 "multi-byte UTF-8 and newlines decoded");
    CHECK_EQ_STR(web_form_get(&f, "lower"), "\xc3\xa9", "lower-case hex escapes");
    web_form_clear(&f);

    CHECK(web_form_parse("", 0, &f) == 0 && f.n == 0, "the empty body is an empty form");
    web_form_clear(&f);
    CHECK(parses("a=x%3Dy%26z") && parses("a=b=c"), "'=' in a value");
}

static void test_rejections(void)
{
    static const char *const bad[] = {
        "a", "=x", "a=1&", "&a=1", "a=1&&b=2", "a=1&a=2", "A=1", "a-b=1", "a%62=1", "a+b=1",
        "a=%", "a=%4", "a=%zz", "a=%4g", "a=%00", "a=x%00y", "a=%01", "a=%7F", "a=%1B",
        "a=%C3", "a=%C0%AF", "a=%ED%A0%80", "a=%F4%90%80%80", "a=%FF", "a=\x01",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1", "a=1&b", NULL};
    size_t i;

    for (i = 0; bad[i] != NULL; i++) {
        if (parses(bad[i]))
            fprintf(stderr, "  accepted: %s\n", bad[i]);
        CHECK(!parses(bad[i]), "a malformed form is rejected");
    }
    CHECK(parses("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1"), "a 32-byte name is fine");
    CHECK(parses("a_1=%E2%82%AC"), "digits and underscores in names, a 3-byte character");
}

static void test_caps(void)
{
    char body[512], *big;
    size_t n = 0, i;
    struct web_form f;

    for (i = 0; i < WEB_FORM_MAX_FIELDS; i++)
        n += (size_t)snprintf(body + n, sizeof body - n, "%sf%zu=%zu", i ? "&" : "", i, i);
    CHECK(parses(body), "WEB_FORM_MAX_FIELDS fields are fine");
    snprintf(body + n, sizeof body - n, "&one=more");
    CHECK(!parses(body), "one field more is rejected");

    big = malloc(WEB_FORM_BODY_MAX + 2);
    memcpy(big, "a=", 2);
    memset(big + 2, 'x', WEB_FORM_BODY_MAX - 2);
    CHECK_EQ_INT(web_form_parse(big, WEB_FORM_BODY_MAX, &f), 0, "a body at the cap parses");
    CHECK(f.n == 1 && strlen(web_form_get(&f, "a")) == WEB_FORM_BODY_MAX - 2, "its value");
    web_form_clear(&f);
    big[WEB_FORM_BODY_MAX] = 'x';
    CHECK_NE_INT(web_form_parse(big, WEB_FORM_BODY_MAX + 1, &f), 0, "past the cap is rejected");
    CHECK(f.buf == NULL && f.n == 0, "a rejected form is empty");
    free(big);

    /* a NUL byte in the raw body is not a character of any field */
    CHECK_NE_INT(web_form_parse("a=b\0c", 5, &f), 0, "a raw NUL is rejected");
}

int main(void)
{
    test_decoding();
    test_rejections();
    test_caps();
    TEST_MAIN_END("test_web_form");
}
