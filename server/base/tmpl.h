/*
 * tmpl.h — Conclave's HTML template engine: a small Mustache-like language
 * rendered from a tree of plain values, escaping by default.
 *
 * Syntax (names are [A-Za-z0-9_-] segments joined by '.', or "." itself):
 *   {{name}}             the value, HTML-escaped (& < > " ')
 *   {{{name}}}           the value unescaped: only for HTML the server made
 *                        itself (cmark's safe output, the SVG chart)
 *   {{#name}}..{{/name}} a section: once per item of a list (the item becomes
 *                        the innermost context), once with an object as
 *                        context, once for true / a non-empty string; never
 *                        for false, "", an empty list or a missing name
 *   {{^name}}..{{/name}} the inverse: once exactly when {{#name}} would not run
 *   {{>name}}            the template NAME of the same bundle, in the same context
 *   {{! comment }}       nothing
 * A name is looked up from the innermost context outwards; dotted names
 * descend into objects. A variable whose name is missing, or that names an
 * object or a list, is a render error (so a typo fails loudly in tests rather
 * than printing nothing). Malformed templates (unclosed tags, unbalanced or
 * mismatched sections, bad names, nesting past TMPL_DEPTH_MAX) are rejected
 * when added; partials naming no template are rejected by tmpl_bundle_link.
 *
 * Values: a tree of objects (named members), lists, strings and booleans,
 * built with tmpl_put_* and freed as a whole. The builders need no checking
 * call by call: a failure (out of memory) marks the tree, and rendering a
 * marked tree fails. Builders given NULL do nothing, so a chain continues
 * safely after a failed allocation.
 */
#ifndef CONCLAVE_TMPL_H
#define CONCLAVE_TMPL_H

#include <stddef.h>

#define TMPL_DEPTH_MAX    32            /* nested sections, and nested partials */
#define TMPL_NAME_MAX     64            /* bytes of a tag's name */
#define TMPL_SOURCE_MAX   (256 * 1024)  /* bytes of one template */
#define TMPL_OUTPUT_MAX   (8 * 1024 * 1024)

struct tmpl_value;
struct tmpl_bundle;

/* A template's source as embedded at build time (templates/embed.sh). */
struct tmpl_source {
    const char *name;
    const char *text;
};

/* --- values ---------------------------------------------------------------- */

/* A new empty root object, or NULL when out of memory. */
struct tmpl_value *tmpl_obj_new(void);

/* Frees a root object and everything under it; NULL is a no-op. */
void tmpl_value_free(struct tmpl_value *root);

/* Sets member NAME of object OBJ (replacing an earlier one of that name) to a
 * copy of S, to S formatted (printf), to an integer, or to a boolean. */
void tmpl_put_str(struct tmpl_value *obj, const char *name, const char *s);
void tmpl_put_strf(struct tmpl_value *obj, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tmpl_put_int(struct tmpl_value *obj, const char *name, long long v);
void tmpl_put_bool(struct tmpl_value *obj, const char *name, int b);

/* Sets member NAME of OBJ to a new empty object / list and returns it (owned
 * by the tree), or NULL on failure. */
struct tmpl_value *tmpl_put_obj(struct tmpl_value *obj, const char *name);
struct tmpl_value *tmpl_put_list(struct tmpl_value *obj, const char *name);

/* Appends a new empty object / a copy of S to LIST; the object is returned. */
struct tmpl_value *tmpl_list_add(struct tmpl_value *list);
void tmpl_list_add_str(struct tmpl_value *list, const char *s);

/* 1 if a builder failed somewhere in ROOT's tree (or ROOT is NULL). */
int tmpl_failed(const struct tmpl_value *root);

/* --- templates ------------------------------------------------------------- */

/* A new empty bundle, or NULL when out of memory. */
struct tmpl_bundle *tmpl_bundle_new(void);

/* Frees a bundle; NULL is a no-op. */
void tmpl_bundle_free(struct tmpl_bundle *b);

/*
 * Compiles TEXT (LEN bytes) as template NAME and adds it to B. Returns 0, or
 * -1 with a one-line reason ("line 3: unclosed section 'x'") in err.
 */
int tmpl_bundle_add(struct tmpl_bundle *b, const char *name, const char *text, size_t len,
                    char *err, size_t errlen);

/* Checks that every partial of every template names a template of B.
 * Returns 0, or -1 with the reason in err. */
int tmpl_bundle_link(struct tmpl_bundle *b, char *err, size_t errlen);

/* Adds the N embedded sources and links them. 0, or -1 with the reason. */
int tmpl_bundle_load(struct tmpl_bundle *b, const struct tmpl_source *src, size_t n,
                     char *err, size_t errlen);

/*
 * Renders template NAME of B with DATA as the outermost context. On success
 * returns 0 and a malloc'd NUL-terminated *out (its length in *out_len; the
 * caller frees). Returns -1 with the reason in err for an unknown template,
 * a missing variable, a marked data tree, partials nested past
 * TMPL_DEPTH_MAX, or output past TMPL_OUTPUT_MAX.
 */
int tmpl_bundle_render(const struct tmpl_bundle *b, const char *name,
                       const struct tmpl_value *data, char **out, size_t *out_len,
                       char *err, size_t errlen);

/*
 * Appends S (LEN bytes) HTML-escaped to the caller's buffer *buf of *len
 * bytes used and *cap allocated (growing it with realloc). For server code
 * that builds markup (the SVG chart) outside a template. 0 or -1.
 */
int tmpl_escape_append(char **buf, size_t *len, size_t *cap, const char *s, size_t slen);

#endif
