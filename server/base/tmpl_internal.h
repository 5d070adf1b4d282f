/*
 * tmpl_internal.h — the value tree's layout, shared by tmpl.c (rendering)
 * and tmpl_value.c (building). Not for other modules.
 */
#ifndef CONCLAVE_TMPL_INTERNAL_H
#define CONCLAVE_TMPL_INTERNAL_H

#include <stddef.h>

enum tv_kind { TV_STR, TV_BOOL, TV_OBJ, TV_LIST };

struct tv_entry {
    char *name;                 /* NULL for list items */
    struct tmpl_value *value;
};

struct tmpl_value {
    enum tv_kind kind;
    struct tmpl_value *root;    /* the tree's root (itself for the root) */
    int failed;                 /* root only: a builder failed */
    char *str;                  /* TV_STR */
    int b;                      /* TV_BOOL */
    struct tv_entry *kids;      /* TV_OBJ members, TV_LIST items */
    size_t n, cap;
};

/* Member NAME (LEN bytes, not NUL-terminated) of object OBJ, or NULL. */
const struct tmpl_value *tmpl_value_member(const struct tmpl_value *obj, const char *name,
                                           size_t len);

#endif
