/*
 * statement.c — a nomination's statement from Markdown to the HTML that the
 * poll's page and the API show (statement.h).
 *
 * cmark parses the Markdown into a tree; a walk of that tree then decides,
 * node by node, what a reader's browser may be made to do: raw HTML goes;
 * a link keeps its address only if it is http, https, mailto or relative; an
 * image stays only if it is one of this site's /static/ files, and otherwise
 * becomes a link a reader may follow (its alt text, " (image)") or its alt
 * text alone; headings go below the page's own h2 and never skip a level
 * (a reader's screen reader walks them as an outline: "## Work" first is an
 * h3, and a heading is at most one level below the one before it). The
 * tree is then rendered with
 * cmark's safe option.
 *
 * cmark before 0.29 renders raw HTML and javascript: addresses unless
 * CMARK_OPT_SAFE is given; from 0.29 on, safe is the default, CMARK_OPT_SAFE
 * is kept (as a no-op) for compatibility, and CMARK_OPT_UNSAFE opts out. So
 * we pass CMARK_OPT_SAFE, never CMARK_OPT_UNSAFE, and the walk removes the
 * same things itself: no version of the library decides what a statement
 * may contain.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark.h>

#include "statement.h"

#ifndef CMARK_OPT_SAFE
#error "libcmark has no CMARK_OPT_SAFE"
#endif
#define STATEMENT_OPTS (CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8)

/* Where an address points, as far as a statement cares. */
enum url_kind {
    URL_STATIC,         /* this site's /static/... */
    URL_RELATIVE,       /* no scheme: this site */
    URL_WEB,            /* http:, https: or //host: another site, perhaps */
    URL_MAILTO,
    URL_OTHER           /* any other scheme, control characters, empty */
};

/* What the walk does to a node once it has been walked. */
enum fix { FIX_DROP, FIX_UNWRAP, FIX_IMAGE };

struct fixes {
    struct { cmark_node *node; enum fix fix; } *v;
    size_t n, cap;
    int level;      /* the last heading's level; the page's h2 at first */
};

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static enum url_kind url_kind(const char *url)
{
    size_t i, n;

    if (url == NULL || url[0] == '\0')
        return URL_OTHER;
    /* browsers drop tabs and line breaks inside a scheme and read '\' as '/' */
    for (i = 0; url[i] != '\0'; i++)
        if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f || url[i] == '\\')
            return URL_OTHER;
    if (strncmp(url, "/static/", 8) == 0)
        return URL_STATIC;
    if (url[0] == '/' && url[1] == '/')
        return URL_WEB;
    /* a scheme: a letter, then letters, digits, '+', '-', '.', then ':' */
    n = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
    if (!is_alpha(url[0]) || url[n] != ':')
        return URL_RELATIVE;
    if ((n == 4 && strncasecmp(url, "http", 4) == 0) ||
        (n == 5 && strncasecmp(url, "https", 5) == 0))
        return URL_WEB;
    if (n == 6 && strncasecmp(url, "mailto", 6) == 0)
        return URL_MAILTO;
    return URL_OTHER;
}

static int fixes_add(struct fixes *f, cmark_node *node, enum fix fix)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 16;
        void *grown = realloc(f->v, cap * sizeof *f->v);
        if (grown == NULL)
            return -1;
        f->v = grown;
        f->cap = cap;
    }
    f->v[f->n].node = node;
    f->v[f->n].fix = fix;
    f->n++;
    return 0;
}

/* 1 if NODE is inside a link (a link in a link is no HTML). */
static int in_link(cmark_node *node)
{
    while ((node = cmark_node_parent(node)) != NULL)
        if (cmark_node_get_type(node) == CMARK_NODE_LINK)
            return 1;
    return 0;
}

/* Puts NODE's children where NODE is, and frees NODE. */
static void node_unwrap(cmark_node *node)
{
    cmark_node *c;

    while ((c = cmark_node_first_child(node)) != NULL)
        if (!cmark_node_insert_before(node, c))
            cmark_node_free(c);
    cmark_node_free(node);
}

/* Replaces image IMG by a link to its address: its alt text and " (image)",
 * or "image" when it has none. 0, or -1 (out of memory). */
static int image_to_link(cmark_node *img)
{
    cmark_node *link = cmark_node_new(CMARK_NODE_LINK);
    cmark_node *note = cmark_node_new(CMARK_NODE_TEXT), *c;
    const char *title = cmark_node_get_title(img);
    int has_alt = cmark_node_first_child(img) != NULL;

    if (link == NULL || note == NULL || !cmark_node_set_url(link, cmark_node_get_url(img)) ||
        !cmark_node_set_title(link, title ? title : "") ||
        !cmark_node_set_literal(note, has_alt ? " (image)" : "image")) {
        cmark_node_free(link);
        cmark_node_free(note);
        return -1;
    }
    while ((c = cmark_node_first_child(img)) != NULL)
        if (!cmark_node_append_child(link, c))
            cmark_node_free(c);
    cmark_node_append_child(link, note);
    if (!cmark_node_insert_before(img, link)) {
        cmark_node_free(link);
        return -1;
    }
    cmark_node_free(img);
    return 0;
}

/* What to do with NODE, met with event EV (leaves: ENTER only; containers:
 * on EXIT, so a fix never changes a subtree the walk has still to see). */
static int walk_one(struct fixes *f, cmark_node *node, cmark_event_type ev)
{
    cmark_node_type t = cmark_node_get_type(node);
    const char *url;
    enum url_kind k;
    int level;

    if (t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE)
        return fixes_add(f, node, FIX_DROP);
    if (t == CMARK_NODE_HEADING && ev == CMARK_EVENT_ENTER) {
        level = cmark_node_get_heading_level(node) + 2;
        if (level > f->level + 1)
            level = f->level + 1;
        f->level = level > 6 ? 6 : level;
        cmark_node_set_heading_level(node, f->level);
        return 0;
    }
    if (ev != CMARK_EVENT_EXIT || (t != CMARK_NODE_LINK && t != CMARK_NODE_IMAGE))
        return 0;
    url = cmark_node_get_url(node);
    k = url_kind(url);
    /* an empty link address ("[text]()") is this page: harmless */
    if (t == CMARK_NODE_LINK && k == URL_OTHER && url != NULL && url[0] != '\0')
        return fixes_add(f, node, FIX_UNWRAP);
    if (t == CMARK_NODE_IMAGE && k != URL_STATIC)
        return fixes_add(f, node, k == URL_WEB ? FIX_IMAGE : FIX_UNWRAP);
    return 0;
}

/* Walks DOC and applies the fixes, innermost first. 0, or -1. */
static int statement_sanitize(cmark_node *doc)
{
    struct fixes f = {NULL, 0, 0, 2};
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    size_t i;
    int rc = -1;

    if (it == NULL)
        return -1;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
        if (walk_one(&f, cmark_iter_get_node(it), ev) != 0)
            goto out;
    for (i = 0; i < f.n; i++) {
        cmark_node *n = f.v[i].node;
        if (f.v[i].fix == FIX_DROP)
            cmark_node_free(n);
        else if (f.v[i].fix == FIX_UNWRAP || in_link(n))
            node_unwrap(n);
        else if (image_to_link(n) != 0)
            goto out;
    }
    rc = 0;
out:
    cmark_iter_free(it);
    free(f.v);
    return rc;
}

int statement_render(const char *text, size_t len, char **html_out)
{
    cmark_node *doc = cmark_parse_document(text, len, STATEMENT_OPTS);

    *html_out = NULL;
    if (doc == NULL)
        return -1;
    if (statement_sanitize(doc) == 0)
        *html_out = cmark_render_html(doc, STATEMENT_OPTS);
    cmark_node_free(doc);
    return *html_out != NULL ? 0 : -1;
}
