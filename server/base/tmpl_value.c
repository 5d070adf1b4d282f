/*
 * tmpl_value.c — the plain data that templates render: a tree of objects,
 * lists, strings and booleans (tmpl.h).
 *
 * Every node points to the root of its tree, whose `failed` flag records any
 * builder failure; tmpl_bundle_render refuses a marked tree. Objects keep
 * their members in insertion order (small: linear lookup); lists keep items.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "tmpl_internal.h"

static struct tmpl_value *value_new(struct tmpl_value *root, enum tv_kind kind)
{
    struct tmpl_value *v = calloc(1, sizeof *v);

    if (v == NULL) {
        if (root != NULL)
            root->failed = 1;
        return NULL;
    }
    v->kind = kind;
    v->root = root ? root : v;
    return v;
}

struct tmpl_value *tmpl_obj_new(void)
{
    return value_new(NULL, TV_OBJ);
}

static void value_free(struct tmpl_value *v)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < v->n; i++) {
        free(v->kids[i].name);
        value_free(v->kids[i].value);
    }
    free(v->kids);
    free(v->str);
    free(v);
}

void tmpl_value_free(struct tmpl_value *root)
{
    value_free(root);
}

int tmpl_failed(const struct tmpl_value *root)
{
    return root == NULL || root->root->failed;
}

/* Appends (name, v) to parent's children; on failure frees v, marks the tree. */
static int kids_append(struct tmpl_value *parent, char *name, struct tmpl_value *v)
{
    struct tv_entry *grown;

    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 8;
        grown = realloc(parent->kids, cap * sizeof *grown);
        if (grown == NULL) {
            free(name);
            value_free(v);
            parent->root->failed = 1;
            return -1;
        }
        parent->kids = grown;
        parent->cap = cap;
    }
    parent->kids[parent->n].name = name;
    parent->kids[parent->n].value = v;
    parent->n++;
    return 0;
}

/* Puts V as member NAME of OBJ, replacing an earlier one; takes V. */
static struct tmpl_value *obj_put(struct tmpl_value *obj, const char *name,
                                  struct tmpl_value *v)
{
    size_t i;
    char *copy;

    if (v == NULL)
        return NULL;
    if (obj->kind != TV_OBJ) {
        obj->root->failed = 1;
        value_free(v);
        return NULL;
    }
    for (i = 0; i < obj->n; i++) {
        if (strcmp(obj->kids[i].name, name) == 0) {
            value_free(obj->kids[i].value);
            obj->kids[i].value = v;
            return v;
        }
    }
    if ((copy = strdup(name)) == NULL) {
        obj->root->failed = 1;
        value_free(v);
        return NULL;
    }
    return kids_append(obj, copy, v) == 0 ? v : NULL;
}

static struct tmpl_value *str_value(struct tmpl_value *root, const char *s)
{
    struct tmpl_value *v = value_new(root, TV_STR);

    if (v != NULL && (v->str = strdup(s ? s : "")) == NULL) {
        root->failed = 1;
        free(v);
        return NULL;
    }
    return v;
}

void tmpl_put_str(struct tmpl_value *obj, const char *name, const char *s)
{
    if (obj != NULL)
        obj_put(obj, name, str_value(obj->root, s));
}

void tmpl_put_strf(struct tmpl_value *obj, const char *name, const char *fmt, ...)
{
    va_list ap, ap2;
    char small[128], *s = small;
    int n;

    if (obj == NULL)
        return;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= 0 && (size_t)n >= sizeof small && (s = malloc((size_t)n + 1)) != NULL)
        vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    va_end(ap);
    if (n < 0 || s == NULL) {
        obj->root->failed = 1;
        return;
    }
    tmpl_put_str(obj, name, s);
    if (s != small)
        free(s);
}

void tmpl_put_int(struct tmpl_value *obj, const char *name, long long v)
{
    tmpl_put_strf(obj, name, "%lld", v);
}

void tmpl_put_bool(struct tmpl_value *obj, const char *name, int b)
{
    struct tmpl_value *v;

    if (obj == NULL)
        return;
    if ((v = value_new(obj->root, TV_BOOL)) != NULL)
        v->b = b != 0;
    obj_put(obj, name, v);
}

struct tmpl_value *tmpl_put_obj(struct tmpl_value *obj, const char *name)
{
    return obj ? obj_put(obj, name, value_new(obj->root, TV_OBJ)) : NULL;
}

struct tmpl_value *tmpl_put_list(struct tmpl_value *obj, const char *name)
{
    return obj ? obj_put(obj, name, value_new(obj->root, TV_LIST)) : NULL;
}

/* Appends V (taken) to LIST. */
static struct tmpl_value *list_append(struct tmpl_value *list, struct tmpl_value *v)
{
    if (v == NULL)
        return NULL;
    if (list->kind != TV_LIST) {
        list->root->failed = 1;
        value_free(v);
        return NULL;
    }
    return kids_append(list, NULL, v) == 0 ? v : NULL;
}

struct tmpl_value *tmpl_list_add(struct tmpl_value *list)
{
    return list ? list_append(list, value_new(list->root, TV_OBJ)) : NULL;
}

void tmpl_list_add_str(struct tmpl_value *list, const char *s)
{
    if (list != NULL)
        list_append(list, str_value(list->root, s));
}

const struct tmpl_value *tmpl_value_member(const struct tmpl_value *obj, const char *name,
                                           size_t len)
{
    size_t i;

    if (obj == NULL || obj->kind != TV_OBJ)
        return NULL;
    for (i = 0; i < obj->n; i++)
        if (strlen(obj->kids[i].name) == len && memcmp(obj->kids[i].name, name, len) == 0)
            return obj->kids[i].value;
    return NULL;
}
