/*
 * assets.h — the static files the pages load, checked before `conclave serve`
 * starts (a booth whose crypto module is missing shows nothing, and a poll
 * then closes with no votes).
 */
#ifndef CONCLAVE_ASSETS_H
#define CONCLAVE_ASSETS_H

#include <stddef.h>

/* Longest path of one asset below the static directory ("vendor/noble.mjs"). */
#define ASSETS_PATH_MAX 256

/*
 * Checks that every file the pages load is in STATIC_DIR and servable: each
 * /static/DIR/FILE that the compiled-in templates name, and each module those
 * scripts import with a relative specifier, followed transitively. 0 when all
 * are there; -1 with the first missing one's path below STATIC_DIR in
 * MISSING (LEN bytes) and a short reason ("missing", "not a regular file",
 * "outside the static directory"...) in *WHY.
 */
int assets_check(const char *static_dir, char *missing, size_t len, const char **why);

#endif
