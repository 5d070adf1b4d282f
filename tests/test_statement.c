/*
 * test_statement.c — statements from Markdown to HTML: raw HTML dropped,
 * links with other schemes than http, https and mailto unwrapped, images
 * from elsewhere turned into links or alt text, /static/ images kept,
 * headings demoted below the page's own.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "statement.h"

static char *render(const char *md)
{
    char *html = NULL;

    if (statement_render(md, strlen(md), &html) != 0) {
        fprintf(stderr, "render failed: %s\n", md);
        return strdup("");
    }
    return html;
}

/* Checks that the rendering of MD contains WANT (and not AVOID, if given). */
static void expect(const char *md, const char *want, const char *avoid, const char *what)
{
    char *html = render(md);
    int ok = (want == NULL || strstr(html, want) != NULL) &&
             (avoid == NULL || strstr(html, avoid) == NULL);

    CHECK(ok, what);
    if (!ok)
        fprintf(stderr, "  markdown: %s\n  html:     %s  want %s%s%s\n", md, html,
                want ? want : "-", avoid ? ", not " : "", avoid ? avoid : "");
    free(html);
}

static void test_markdown_kept(void)
{
    expect("**Yes** and *no*", "<strong>Yes</strong> and <em>no</em>", NULL, "emphasis");
    expect("- a\n- b\n", "<li>a</li>", NULL, "lists");
    expect("[the repo](https://example.org/x?a=1&b=2)",
           "<a href=\"https://example.org/x?a=1&amp;b=2\">the repo</a>", NULL, "https link");
    expect("[mail](mailto:a@example.org)", "href=\"mailto:a@example.org\"", NULL, "mailto");
    expect("[poll](/polls/abc) [top](#x)", "href=\"/polls/abc\"", NULL, "relative links");
    expect("`<b>`", "<code>&lt;b&gt;</code>", NULL, "code is escaped text");
}

static void test_raw_html(void)
{
    expect("<script>alert(1)</script>\n\nok", "<p>ok</p>", "script", "an HTML block goes");
    expect("a <b onclick=x>bold</b> word", "a bold word", "<b", "inline HTML goes");
    expect("<img src=x onerror=alert(1)>", NULL, "<img", "an img tag goes");
    expect("<!-- c -->\n\nok", "<p>ok</p>", "<!--", "no comment placeholder left");
    expect("<iframe src=https://evil.example></iframe>", NULL, "iframe", "iframes go");
}

static void test_links(void)
{
    expect("[click](javascript:alert(3))", "<p>click</p>", "javascript", "javascript: link");
    expect("[click](JavaScript:alert(3))", "<p>click</p>", "avaScript", "any case");
    expect("[x](vbscript:msgbox)", "<p>x</p>", "vbscript", "vbscript:");
    expect("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>", "data:", "data:");
    expect("[x](file:///etc/passwd)", "<p>x</p>", "file:", "file:");
    expect("[x](java&#9;script:alert(1))", "<p>x</p>", "script", "a tab in the scheme");
    expect("<javascript:alert(1)>", NULL, "href", "an autolink with a bad scheme");
    expect("<https://example.org>", "href=\"https://example.org\"", NULL, "a web autolink");
}

static void test_images(void)
{
    expect("![logo](/static/img/favicon.svg)", "<img src=\"/static/img/favicon.svg\" alt=\"logo\"",
           NULL, "our own static image stays");
    expect("![a chart](https://tracker.example/p.png)",
           "<a href=\"https://tracker.example/p.png\">a chart (image)</a>", "<img",
           "an off-site image becomes a link to it");
    expect("![](http://tracker.example/p.png)", ">image</a>", "<img", "one without alt text");
    expect("![pixel](//tracker.example/p.gif)", "href=\"//tracker.example/p.gif\"", "<img",
           "a protocol-relative image");
    expect("![x](/polls/abc)", "<p>x</p>", "<img", "a site-relative image outside /static/");
    expect("![x](../static/img/favicon.svg)", "<p>x</p>", "<img", "a relative path");
    expect("![x](data:image/png;base64,iVBORw0KGgo=)", "<p>x</p>", "<img", "a data: image");
    expect("![x](javascript:alert(1))", "<p>x</p>", "javascript", "a javascript: image");
    expect("![x](/\\evil.example/p.png)", "<p>x</p>", "<img", "a backslash host");
    expect("[![badge](https://ci.example/b.svg)](https://ci.example)",
           "<a href=\"https://ci.example\">badge</a>", "<img",
           "an image inside a link: its alt text, no link in a link");
    expect("![*bold* alt](https://x.example/a.png \"t\")",
           "<a href=\"https://x.example/a.png\" title=\"t\"><em>bold</em> alt (image)</a>", NULL,
           "alt text keeps its emphasis, the title stays");
}

static void test_headings(void)
{
    expect("# Why", "<h3>Why</h3>", "<h1", "h1 becomes h3");
    expect("## Work", "<h3>Work</h3>", "<h2", "a first h2 becomes h3: no level skipped");
    expect("# Why\n\n## Work", "<h3>Why</h3>\n<h4>Work</h4>", NULL, "h1 then h2: h3, h4");
    expect("#### Deep\n\n###### Deeper", "<h3>Deep</h3>\n<h4>Deeper</h4>", NULL,
           "each at most one level below the one before");
    expect("# A\n\n## B\n\n### C\n\n#### D\n\n##### E", "<h6>D</h6>\n<h6>E</h6>", NULL,
           "no level below h6");
    expect("### C\n\n# A", "<h3>C</h3>\n<h3>A</h3>", NULL, "back up to the top level");
    expect("Title\n=====", "<h3>Title</h3>", NULL, "setext headings too");
}

int main(void)
{
    test_markdown_kept();
    test_raw_html();
    test_links();
    test_images();
    test_headings();
    TEST_MAIN_END("test_statement");
}
