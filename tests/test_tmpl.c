/*
 * test_tmpl.c — the template engine: escaping, variables, sections, loops,
 * partials, missing variables, malformed templates, limits, the value
 * builders; and every embedded page template compiles and links.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tmpl.h"
#include "web.h"

/* Compiles TEXT as "t" (plus optional partial P named "p") and renders it
 * with DATA; returns the output (malloc'd) or NULL on any failure. */
static char *render2(const char *text, const char *p, const struct tmpl_value *data)
{
    struct tmpl_bundle *b = tmpl_bundle_new();
    char *out = NULL, err[160];
    size_t len;

    if (b == NULL || tmpl_bundle_add(b, "t", text, strlen(text), err, sizeof err) != 0 ||
        (p && tmpl_bundle_add(b, "p", p, strlen(p), err, sizeof err) != 0) ||
        tmpl_bundle_link(b, err, sizeof err) != 0 ||
        tmpl_bundle_render(b, "t", data, &out, &len, err, sizeof err) != 0)
        out = NULL;
    else if (strlen(out) != len) {
        free(out);
        out = NULL;
    }
    tmpl_bundle_free(b);
    return out;
}

static char *render(const char *text, const struct tmpl_value *data)
{
    return render2(text, NULL, data);
}

static int renders_to(const char *text, const struct tmpl_value *data, const char *want)
{
    char *out = render(text, data);
    int ok = out != NULL && strcmp(out, want) == 0;

    if (!ok)
        fprintf(stderr, "  template %s\n  gave %s\n  want %s\n", text, out ? out : "(error)",
                want);
    free(out);
    return ok;
}

/* 1 if TEXT is rejected when added (or, with link, when linked). */
static int rejected(const char *text)
{
    struct tmpl_bundle *b = tmpl_bundle_new();
    char err[160] = "";
    int bad = tmpl_bundle_add(b, "t", text, strlen(text), err, sizeof err) != 0 ||
              tmpl_bundle_link(b, err, sizeof err) != 0;

    if (bad && err[0] == '\0')
        bad = 0;        /* a rejection must say why */
    tmpl_bundle_free(b);
    return bad;
}

static void test_escaping(void)
{
    struct tmpl_value *d = tmpl_obj_new();

    tmpl_put_str(d, "x", "<a href=\"x\">Tom & 'Jerry'</a>");
    CHECK(renders_to("{{x}}", d, "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"),
          "{{x}} escapes < > & \" '");
    CHECK(renders_to("{{{x}}}", d, "<a href=\"x\">Tom & 'Jerry'</a>"), "{{{x}}} is raw");
    CHECK(renders_to("{{ x }}|{{{ x }}}", d,
                     "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;|"
                     "<a href=\"x\">Tom & 'Jerry'</a>"), "spaces inside tags");
    tmpl_put_str(d, "x", "{{y}}");
    tmpl_put_str(d, "y", "no");
    CHECK(renders_to("{{x}}", d, "{{y}}"), "values are not templates");
    tmpl_put_str(d, "u", "caf\xc3\xa9 \xe2\x80\x94 ok");
    CHECK(renders_to("{{u}}", d, "caf\xc3\xa9 \xe2\x80\x94 ok"), "UTF-8 passes through");
    tmpl_value_free(d);
}

static void test_variables(void)
{
    struct tmpl_value *d = tmpl_obj_new(), *o;

    tmpl_put_str(d, "name", "Ada");
    tmpl_put_int(d, "n", -42);
    tmpl_put_bool(d, "t", 1);
    o = tmpl_put_obj(d, "poll");
    tmpl_put_str(o, "id", "abc");
    CHECK(renders_to("Hi {{name}}, {{n}} {{t}} {{poll.id}}", d, "Hi Ada, -42 true abc"),
          "strings, ints, booleans and dotted names");
    CHECK(renders_to("", d, ""), "empty template");
    CHECK(renders_to("plain } text { here }}", d, "plain } text { here }}"), "braces in text");
    CHECK(render("{{missing}}", d) == NULL, "a missing variable is an error");
    CHECK(render("{{poll.missing}}", d) == NULL, "a missing dotted variable is an error");
    CHECK(render("{{name.x}}", d) == NULL, "descending into a string is an error");
    CHECK(render("{{poll}}", d) == NULL, "an object as a variable is an error");
    tmpl_put_str(d, "name", "Grace");
    CHECK(renders_to("{{name}}", d, "Grace"), "a second put replaces the first");
    CHECK(renders_to("a{{! a comment }}b", d, "ab"), "comments render nothing");
    tmpl_value_free(d);
}

static void test_sections(void)
{
    struct tmpl_value *d = tmpl_obj_new(), *o;

    tmpl_put_bool(d, "yes", 1);
    tmpl_put_bool(d, "no", 0);
    tmpl_put_str(d, "empty", "");
    tmpl_put_str(d, "full", "x");
    o = tmpl_put_obj(d, "user");
    tmpl_put_str(o, "name", "Ada");
    tmpl_put_str(d, "site", "C");
    CHECK(renders_to("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}", d, "Y"), "boolean sections");
    CHECK(renders_to("{{^yes}}Y{{/yes}}{{^no}}N{{/no}}", d, "N"), "inverted sections");
    CHECK(renders_to("{{#empty}}E{{/empty}}{{^empty}}e{{/empty}}{{#full}}{{.}}{{/full}}", d,
                     "ex"), "strings: empty is false, {{.}} is the value");
    CHECK(renders_to("{{#absent}}A{{/absent}}{{^absent}}a{{/absent}}", d, "a"),
          "a missing section name is false");
    CHECK(renders_to("{{#user}}{{name}}@{{site}}{{/user}}", d, "Ada@C"),
          "an object section pushes a context; outer names still resolve");
    CHECK(renders_to("{{#yes}}{{#user}}{{#no}}x{{/no}}{{name}}{{/user}}{{/yes}}", d, "Ada"),
          "nested sections");
    tmpl_value_free(d);
}

static void test_loops(void)
{
    struct tmpl_value *d = tmpl_obj_new(), *l, *it, *s;
    int i;

    l = tmpl_put_list(d, "items");
    for (i = 0; i < 3; i++) {
        it = tmpl_list_add(l);
        tmpl_put_int(it, "i", i);
        tmpl_put_bool(it, "first", i == 0);
    }
    tmpl_put_str(d, "sep", ",");
    tmpl_put_list(d, "none");
    s = tmpl_put_list(d, "strs");
    tmpl_list_add_str(s, "<a>");
    tmpl_list_add_str(s, "b");
    CHECK(renders_to("{{#items}}{{^first}}{{sep}}{{/first}}{{i}}{{/items}}", d, "0,1,2"),
          "loop over objects with outer lookups");
    CHECK(renders_to("{{#none}}x{{/none}}{{^none}}empty{{/none}}", d, "empty"),
          "an empty list is false");
    CHECK(renders_to("{{#strs}}[{{.}}]{{/strs}}", d, "[&lt;a&gt;][b]"), "loop over strings");
    CHECK(renders_to("{{#items}}{{#items}}.{{/items}}{{/items}}", d, "........."),
          "nested loops");
    tmpl_value_free(d);
}

static void test_partials(void)
{
    struct tmpl_value *d = tmpl_obj_new();
    struct tmpl_bundle *b = tmpl_bundle_new();
    char err[160], *out = NULL;
    size_t len;

    tmpl_put_str(d, "who", "<you>");
    out = render2("[{{>p}}]", "hello {{who}}", d);
    CHECK(out && strcmp(out, "[hello &lt;you&gt;]") == 0, "a partial renders in context");
    free(out);
    CHECK(rejected("{{>nothere}}"), "a partial naming no template is rejected at link");
    /* self-recursion compiles but stops at the depth limit */
    CHECK(tmpl_bundle_add(b, "loop", "x{{>loop}}", 10, err, sizeof err) == 0 &&
          tmpl_bundle_link(b, err, sizeof err) == 0, "a recursive partial links");
    CHECK_NE_INT(tmpl_bundle_render(b, "loop", d, &out, &len, err, sizeof err), 0,
                 "unbounded partial recursion fails at render");
    CHECK_NE_INT(tmpl_bundle_render(b, "nope", d, &out, &len, err, sizeof err), 0,
                 "an unknown template fails");
    CHECK_NE_INT(tmpl_bundle_add(b, "loop", "y", 1, err, sizeof err), 0, "a name defined twice");
    CHECK_NE_INT(tmpl_bundle_add(b, "bad name", "y", 1, err, sizeof err), 0, "a bad template name");
    tmpl_bundle_free(b);
    tmpl_value_free(d);
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "{{", "{{x", "{{x}", "{{{x}}", "{{{x}}}}}{{", "{{}}", "{{ }}", "{{#}}", "{{/x}}",
        "{{#x}}", "{{#x}}{{/y}}", "{{#x}}{{^y}}{{/x}}{{/y}}", "{{x y}}", "{{x<}}", "{{.x}}",
        "{{x.}}", "{{x..y}}", "{{&x}}", "{{>}}", "{{>a.b}}", "{{{}}}", "{{{#x}}}", "{{a{{b}}",
        "{{#.}}x{{/x}}", NULL};
    char deep[8 * (TMPL_DEPTH_MAX + 2)];
    size_t i, n = 0;

    for (i = 0; bad[i] != NULL; i++) {
        if (!rejected(bad[i]))
            fprintf(stderr, "  accepted: %s\n", bad[i]);
        CHECK(rejected(bad[i]), "a malformed template is rejected");
    }
    for (i = 0; i < TMPL_DEPTH_MAX + 1; i++)
        n += (size_t)snprintf(deep + n, sizeof deep - n, "{{#a}}");
    CHECK(rejected(deep), "sections nested past the limit are rejected");
    CHECK(!rejected("{{#a}}{{#b}}{{/b}}{{/a}}{{^a}}{{/a}}"), "balanced sections compile");
}

static void test_builders(void)
{
    struct tmpl_value *d = tmpl_obj_new();
    char big[300];

    CHECK(!tmpl_failed(d), "a fresh tree is not failed");
    CHECK(tmpl_failed(NULL), "NULL counts as failed");
    tmpl_put_str(NULL, "x", "y");                /* no crash */
    CHECK(tmpl_put_obj(NULL, "x") == NULL && tmpl_list_add(NULL) == NULL, "NULL chains");
    tmpl_put_str(d, "s", "v");
    tmpl_list_add(tmpl_put_obj(d, "o"));         /* adding to an object: marks the tree */
    CHECK(tmpl_failed(d), "misuse marks the tree");
    CHECK(render("{{s}}", d) == NULL, "a marked tree does not render");
    tmpl_value_free(d);
    d = tmpl_obj_new();
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    tmpl_put_strf(d, "b", "%s!", big);
    {
        char *out = render("{{b}}", d);
        CHECK(out && strlen(out) == sizeof big && out[sizeof big - 1] == '!',
              "tmpl_put_strf beyond its stack buffer");
        free(out);
    }
    tmpl_value_free(d);
}

static void test_embedded(void)
{
    struct tmpl_bundle *b = tmpl_bundle_new();
    char err[200] = "";
    int ok = tmpl_bundle_load(b, web_templates, web_template_count, err, sizeof err) == 0;

    if (!ok)
        fprintf(stderr, "  %s\n", err);
    CHECK(ok, "every embedded page template compiles and links");
    CHECK(web_template_count >= 8, "the pages are embedded");
    tmpl_bundle_free(b);
}

int main(void)
{
    test_escaping();
    test_variables();
    test_sections();
    test_loops();
    test_partials();
    test_malformed();
    test_builders();
    test_embedded();
    TEST_MAIN_END("test_tmpl");
}
