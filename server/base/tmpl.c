/*
 * tmpl.c — compiling and rendering templates (tmpl.h for the language).
 *
 * A template is compiled once into a tree of nodes that point into its own
 * copy of the source: text runs, variables (escaped or raw), sections,
 * inverted sections and partials. Compilation is strict — anything that is
 * not a well-formed tag is an error — so that a template that compiled can
 * only fail at render time on its data (a missing variable) or on limits.
 * Rendering walks the tree with a stack of contexts and appends to one
 * growing buffer capped at TMPL_OUTPUT_MAX.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "tmpl_internal.h"

#define TMPL_CONTEXT_MAX 128     /* contexts stacked by sections across partials */

enum tn_kind { TN_TEXT, TN_VAR, TN_RAW, TN_SECTION, TN_INVERTED, TN_PARTIAL };

struct tnode {
    enum tn_kind kind;
    const char *s;              /* text, or the tag's name */
    size_t len;
    struct tnode *kids;         /* sections */
    size_t n, cap;
};

struct tmpl {
    char *name;
    char *text;                 /* the source; nodes point into it */
    struct tnode root;
};

struct tmpl_bundle {
    struct tmpl *t;
    size_t n, cap;
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* --- compiling ------------------------------------------------------------ */

static void node_free(struct tnode *nd)
{
    size_t i;

    for (i = 0; i < nd->n; i++)
        node_free(&nd->kids[i]);
    free(nd->kids);
}

/* Appends a node to PARENT; returns it, or NULL when out of memory. */
static struct tnode *node_add(struct tnode *parent, enum tn_kind kind, const char *s,
                              size_t len)
{
    struct tnode *grown, *nd;

    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 8;
        if ((grown = realloc(parent->kids, cap * sizeof *grown)) == NULL)
            return NULL;
        parent->kids = grown;
        parent->cap = cap;
    }
    nd = &parent->kids[parent->n++];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    nd->s = s;
    nd->len = len;
    return nd;
}

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* 1 if S (LEN bytes) is "." or dot-separated non-empty segments (DOTS allowed). */
static int name_ok(const char *s, size_t len, int dots)
{
    size_t i;

    if (len == 0 || len > TMPL_NAME_MAX)
        return 0;
    if (len == 1 && s[0] == '.')
        return dots;
    for (i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (!dots || i == 0 || i + 1 == len || s[i - 1] == '.')
                return 0;
        } else if (!name_char(s[i])) {
            return 0;
        }
    }
    return 1;
}

/* Trims spaces around [*s, *s + *len). */
static void trim(const char **s, size_t *len)
{
    while (*len > 0 && **s == ' ') {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && (*s)[*len - 1] == ' ')
        (*len)--;
}

static int line_of(const char *text, const char *at)
{
    int line = 1;

    for (; text < at; text++)
        line += *text == '\n';
    return line;
}

struct parser {
    const char *text;
    size_t len;
    struct tnode *stack[TMPL_DEPTH_MAX + 1];
    int depth;
    char *err;
    size_t errlen;
};

static const char *find(const char *hay, const char *end, const char *needle)
{
    size_t n = strlen(needle);

    for (; hay + n <= end; hay++)
        if (memcmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

/* Handles one {{...}} tag whose inside is [in, in + n). Returns 0 or -1. */
static int parse_tag(struct parser *p, const char *in, size_t n)
{
    struct tnode *top = p->stack[p->depth], *nd;
    char sigil = n > 0 && strchr("#^/>!", in[0]) != NULL ? in[0] : '\0';
    const char *name = sigil ? in + 1 : in;
    size_t nlen = sigil ? n - 1 : n;

    if (sigil == '!')
        return 0;
    trim(&name, &nlen);
    if (!name_ok(name, nlen, sigil != '>')) {
        seterr(p->err, p->errlen, "line %d: bad tag name '%.*s'", line_of(p->text, in),
               (int)(n > 40 ? 40 : n), in);
        return -1;
    }
    if (sigil == '/') {
        if (p->depth == 0 || top->len != nlen || memcmp(top->s, name, nlen) != 0) {
            seterr(p->err, p->errlen, "line %d: unexpected {{/%.*s}}", line_of(p->text, in),
                   (int)nlen, name);
            return -1;
        }
        p->depth--;
        return 0;
    }
    if ((sigil == '#' || sigil == '^') && p->depth >= TMPL_DEPTH_MAX) {
        seterr(p->err, p->errlen, "line %d: sections nested too deep", line_of(p->text, in));
        return -1;
    }
    nd = node_add(top, sigil == '#' ? TN_SECTION : sigil == '^' ? TN_INVERTED :
                  sigil == '>' ? TN_PARTIAL : TN_VAR, name, nlen);
    if (nd == NULL) {
        seterr(p->err, p->errlen, "out of memory");
        return -1;
    }
    if (sigil == '#' || sigil == '^')
        p->stack[++p->depth] = nd;
    return 0;
}

/* Handles the tag starting at OPEN ("{{"); sets *next past it. 0 or -1. */
static int parse_open(struct parser *p, const char *open, const char **next)
{
    const char *end = p->text + p->len, *close, *name;
    size_t nlen;

    if (open + 2 < end && open[2] == '{') {
        if ((close = find(open + 3, end, "}}}")) == NULL)
            goto unclosed;
        name = open + 3;
        nlen = (size_t)(close - name);
        trim(&name, &nlen);
        if (!name_ok(name, nlen, 1)) {
            seterr(p->err, p->errlen, "line %d: bad raw tag", line_of(p->text, open));
            return -1;
        }
        *next = close + 3;
        if (node_add(p->stack[p->depth], TN_RAW, name, nlen) == NULL) {
            seterr(p->err, p->errlen, "out of memory");
            return -1;
        }
        return 0;
    }
    if ((close = find(open + 2, end, "}}")) == NULL)
        goto unclosed;
    *next = close + 2;
    return parse_tag(p, open + 2, (size_t)(close - open - 2));
unclosed:
    seterr(p->err, p->errlen, "line %d: unclosed tag", line_of(p->text, open));
    return -1;
}

/* Compiles text into t->root. 0 or -1 with err. */
static int parse(struct tmpl *t, size_t len, char *err, size_t errlen)
{
    struct parser p = {t->text, len, {&t->root}, 0, err, errlen};
    const char *pos = t->text, *end = t->text + len, *open;

    while (pos < end) {
        open = find(pos, end, "{{");
        if (open == NULL)
            open = end;
        if (open > pos && node_add(p.stack[p.depth], TN_TEXT, pos,
                                   (size_t)(open - pos)) == NULL) {
            seterr(err, errlen, "out of memory");
            return -1;
        }
        if (open == end)
            break;
        if (parse_open(&p, open, &pos) != 0)
            return -1;
    }
    if (p.depth > 0) {
        seterr(err, errlen, "unclosed section '%.*s'", (int)p.stack[p.depth]->len,
               p.stack[p.depth]->s);
        return -1;
    }
    return 0;
}

struct tmpl_bundle *tmpl_bundle_new(void)
{
    return calloc(1, sizeof(struct tmpl_bundle));
}

static void tmpl_free_one(struct tmpl *t)
{
    node_free(&t->root);
    free(t->name);
    free(t->text);
}

void tmpl_bundle_free(struct tmpl_bundle *b)
{
    size_t i;

    if (b == NULL)
        return;
    for (i = 0; i < b->n; i++)
        tmpl_free_one(&b->t[i]);
    free(b->t);
    free(b);
}

static const struct tmpl *bundle_find(const struct tmpl_bundle *b, const char *name,
                                      size_t len)
{
    size_t i;

    for (i = 0; i < b->n; i++)
        if (strlen(b->t[i].name) == len && memcmp(b->t[i].name, name, len) == 0)
            return &b->t[i];
    return NULL;
}

/* Checks NAME and room for one more template in B. 0 or -1. */
static int bundle_reserve(struct tmpl_bundle *b, const char *name, size_t len,
                          char *err, size_t errlen)
{
    struct tmpl *grown;

    if (!name_ok(name, strlen(name), 0)) {
        seterr(err, errlen, "bad template name");
        return -1;
    }
    if (bundle_find(b, name, strlen(name)) != NULL) {
        seterr(err, errlen, "%s: defined twice", name);
        return -1;
    }
    if (len > TMPL_SOURCE_MAX) {
        seterr(err, errlen, "%s: too large", name);
        return -1;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        if ((grown = realloc(b->t, cap * sizeof *grown)) == NULL) {
            seterr(err, errlen, "out of memory");
            return -1;
        }
        b->t = grown;
        b->cap = cap;
    }
    return 0;
}

int tmpl_bundle_add(struct tmpl_bundle *b, const char *name, const char *text, size_t len,
                    char *err, size_t errlen)
{
    struct tmpl t;
    char sub[160];

    if (bundle_reserve(b, name, len, err, errlen) != 0)
        return -1;
    memset(&t, 0, sizeof t);
    t.name = strdup(name);
    t.text = malloc(len + 1);
    if (t.name == NULL || t.text == NULL) {
        seterr(err, errlen, "out of memory");
        tmpl_free_one(&t);
        return -1;
    }
    if (len)
        memcpy(t.text, text, len);
    t.text[len] = '\0';
    if (parse(&t, len, sub, sizeof sub) != 0) {
        seterr(err, errlen, "%s: %s", name, sub);
        tmpl_free_one(&t);
        return -1;
    }
    b->t[b->n++] = t;
    return 0;
}

static int link_nodes(const struct tmpl_bundle *b, const struct tmpl *t,
                      const struct tnode *nd, char *err, size_t errlen)
{
    size_t i;

    if (nd->kind == TN_PARTIAL && bundle_find(b, nd->s, nd->len) == NULL) {
        seterr(err, errlen, "%s: no template '%.*s' for a partial", t->name, (int)nd->len,
               nd->s);
        return -1;
    }
    for (i = 0; i < nd->n; i++)
        if (link_nodes(b, t, &nd->kids[i], err, errlen) != 0)
            return -1;
    return 0;
}

int tmpl_bundle_link(struct tmpl_bundle *b, char *err, size_t errlen)
{
    size_t i;

    for (i = 0; i < b->n; i++)
        if (link_nodes(b, &b->t[i], &b->t[i].root, err, errlen) != 0)
            return -1;
    return 0;
}

int tmpl_bundle_load(struct tmpl_bundle *b, const struct tmpl_source *src, size_t n,
                     char *err, size_t errlen)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (tmpl_bundle_add(b, src[i].name, src[i].text, strlen(src[i].text),
                            err, errlen) != 0)
            return -1;
    return tmpl_bundle_link(b, err, errlen);
}

/* --- rendering ------------------------------------------------------------ */

struct render {
    const struct tmpl_bundle *b;
    char *out;
    size_t len, cap;
    const struct tmpl_value *ctx[TMPL_CONTEXT_MAX];
    size_t depth;
    int partials;
    char *err;
    size_t errlen;
};

static int grow(char **buf, size_t *len, size_t *cap, size_t more)
{
    char *grown;
    size_t c = *cap ? *cap : 4096;

    if (more > TMPL_OUTPUT_MAX || *len + more > TMPL_OUTPUT_MAX)
        return -1;
    if (*len + more + 1 <= *cap)
        return 0;
    while (c < *len + more + 1)
        c *= 2;
    if ((grown = realloc(*buf, c)) == NULL)
        return -1;
    *buf = grown;
    *cap = c;
    return 0;
}

static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (grow(buf, len, cap, n) != 0)
        return -1;
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

int tmpl_escape_append(char **buf, size_t *len, size_t *cap, const char *s, size_t slen)
{
    size_t i, run = 0;
    const char *rep;

    for (i = 0; i < slen; i++) {
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        if (append(buf, len, cap, s + run, i - run) != 0 ||
            append(buf, len, cap, rep, strlen(rep)) != 0)
            return -1;
        run = i + 1;
    }
    return append(buf, len, cap, s + run, slen - run);
}

/* The value NAME names in the current contexts, or NULL. */
static const struct tmpl_value *lookup(const struct render *r, const char *name, size_t len)
{
    const struct tmpl_value *v = NULL;
    const char *dot = memchr(name, '.', len);
    size_t seg = dot ? (size_t)(dot - name) : len, i;

    if (len == 1 && name[0] == '.')
        return r->ctx[r->depth - 1];
    for (i = r->depth; i > 0 && v == NULL; i--)
        v = tmpl_value_member(r->ctx[i - 1], name, seg);
    while (v != NULL && dot != NULL) {
        name = dot + 1;
        len -= seg + 1;
        dot = memchr(name, '.', len);
        seg = dot ? (size_t)(dot - name) : len;
        v = tmpl_value_member(v, name, seg);
    }
    return v;
}

static int truthy(const struct tmpl_value *v)
{
    if (v == NULL)
        return 0;
    switch (v->kind) {
    case TV_BOOL: return v->b;
    case TV_STR: return v->str[0] != '\0';
    case TV_LIST: return v->n > 0;
    default: return 1;
    }
}

static int render_nodes(struct render *r, const struct tnode *nd, size_t n);

static int render_var(struct render *r, const struct tnode *nd)
{
    const struct tmpl_value *v = lookup(r, nd->s, nd->len);
    const char *s;

    if (v == NULL || v->kind == TV_OBJ || v->kind == TV_LIST) {
        seterr(r->err, r->errlen, "%s variable '%.*s'", v ? "non-scalar" : "missing",
               (int)nd->len, nd->s);
        return -1;
    }
    s = v->kind == TV_BOOL ? (v->b ? "true" : "false") : v->str;
    if (nd->kind == TN_RAW)
        return append(&r->out, &r->len, &r->cap, s, strlen(s));
    return tmpl_escape_append(&r->out, &r->len, &r->cap, s, strlen(s));
}

/* Renders a section's body with V pushed as the innermost context. */
static int render_with(struct render *r, const struct tmpl_value *v, const struct tnode *nd)
{
    int rc;

    if (r->depth >= TMPL_CONTEXT_MAX) {
        seterr(r->err, r->errlen, "contexts nested too deep");
        return -1;
    }
    r->ctx[r->depth++] = v;
    rc = render_nodes(r, nd->kids, nd->n);
    r->depth--;
    return rc;
}

static int render_section(struct render *r, const struct tnode *nd)
{
    const struct tmpl_value *v = lookup(r, nd->s, nd->len);
    size_t i;

    if (nd->kind == TN_INVERTED)
        return truthy(v) ? 0 : render_nodes(r, nd->kids, nd->n);
    if (!truthy(v))
        return 0;
    if (v->kind != TV_LIST)
        return render_with(r, v, nd);
    for (i = 0; i < v->n; i++)
        if (render_with(r, v->kids[i].value, nd) != 0)
            return -1;
    return 0;
}

static int render_partial(struct render *r, const struct tnode *nd)
{
    const struct tmpl *t = bundle_find(r->b, nd->s, nd->len);
    int rc;

    if (t == NULL || r->partials >= TMPL_DEPTH_MAX) {
        seterr(r->err, r->errlen, t ? "partials nested too deep" : "no partial '%.*s'",
               (int)nd->len, nd->s);
        return -1;
    }
    r->partials++;
    rc = render_nodes(r, t->root.kids, t->root.n);
    r->partials--;
    return rc;
}

static int render_nodes(struct render *r, const struct tnode *nd, size_t n)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < n && rc == 0; i++) {
        switch (nd[i].kind) {
        case TN_TEXT:
            rc = append(&r->out, &r->len, &r->cap, nd[i].s, nd[i].len);
            if (rc != 0)
                seterr(r->err, r->errlen, "output too large");
            break;
        case TN_VAR:
        case TN_RAW:
            rc = render_var(r, &nd[i]);
            break;
        case TN_SECTION:
        case TN_INVERTED:
            rc = render_section(r, &nd[i]);
            break;
        case TN_PARTIAL:
            rc = render_partial(r, &nd[i]);
            break;
        }
    }
    return rc;
}

int tmpl_bundle_render(const struct tmpl_bundle *b, const char *name,
                       const struct tmpl_value *data, char **out, size_t *out_len,
                       char *err, size_t errlen)
{
    struct render r;
    const struct tmpl *t = bundle_find(b, name, strlen(name));

    memset(&r, 0, sizeof r);
    r.b = b;
    r.err = err;
    r.errlen = errlen;
    seterr(err, errlen, "render failed");
    if (t == NULL || tmpl_failed(data)) {
        seterr(err, errlen, t ? "data tree incomplete (out of memory)" : "no template '%s'",
               name);
        return -1;
    }
    r.ctx[r.depth++] = data;
    if (grow(&r.out, &r.len, &r.cap, 0) != 0)
        return -1;
    r.out[0] = '\0';
    if (render_nodes(&r, t->root.kids, t->root.n) != 0) {
        free(r.out);
        return -1;
    }
    *out = r.out;
    *out_len = r.len;
    return 0;
}
