/*
 * assets.c — the static files the pages load, checked before the server
 * starts. A page whose script is missing is a booth that shows nothing: a
 * field test's first poll closed with no votes because static/vendor/noble.mjs
 * (built by esbuild) was not there, and nothing said so.
 *
 * The list is not kept by hand, so that a new script cannot be forgotten: it
 * is every /static/DIR/FILE that the compiled-in templates name, then every
 * module that those scripts import with a relative specifier ('./kept.mjs',
 * '../vendor/noble.mjs'), followed transitively. Each must be a file that
 * web_static.c can serve: exactly DIR/FILE below the static directory, no
 * segment starting with '.', a regular file (no symlink at the last step).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assets.h"
#include "web.h"

#define ASSETS_MAX       64                 /* files the pages may load */
#define ASSETS_FILE_MAX  (4 * 1024 * 1024)  /* web_static.c's cap */

struct assets {
    char path[ASSETS_MAX][ASSETS_PATH_MAX];
    size_t n;
    const char *why;            /* the first failure's reason */
    char bad[ASSETS_PATH_MAX];  /* and its path */
};

static int assets_fail(struct assets *a, const char *path, const char *why)
{
    if (a->why == NULL) {
        a->why = why;
        snprintf(a->bad, sizeof a->bad, "%s", path);
    }
    return -1;
}

static int assets_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '~' || c == '-';
}

/* 1 if PATH is DIR/FILE as route.c and web_static.c accept it. */
static int assets_servable(const char *path)
{
    const char *slash = strchr(path, '/'), *p;

    if (slash == NULL || slash == path || slash[1] == '\0' || strchr(slash + 1, '/') != NULL ||
        path[0] == '.' || slash[1] == '.')
        return 0;
    for (p = path; *p; p++)
        if (*p != '/' && !assets_name_char(*p))
            return 0;
    return 1;
}

/* Adds PATH once; 1 if it is new, 0 if known, -1 if it cannot be served. */
static int assets_add(struct assets *a, const char *path)
{
    size_t i;

    if (!assets_servable(path))
        return assets_fail(a, path, "not a file two levels below the static directory");
    for (i = 0; i < a->n; i++)
        if (strcmp(a->path[i], path) == 0)
            return 0;
    if (a->n == ASSETS_MAX)
        return assets_fail(a, path, "one file too many for the start-up check");
    snprintf(a->path[a->n++], ASSETS_PATH_MAX, "%s", path);
    return 1;
}

/* Every "/static/DIR/FILE" in the compiled-in templates. */
static int assets_from_templates(struct assets *a)
{
    char path[ASSETS_PATH_MAX];
    const char *p;
    size_t i, n;

    for (i = 0; i < web_template_count; i++) {
        for (p = web_templates[i].text; (p = strstr(p, "/static/")) != NULL; p += n) {
            p += strlen("/static/");
            for (n = 0; p[n] != '\0' && (p[n] == '/' || assets_name_char(p[n])); n++)
                ;
            if (n == 0 || n >= sizeof path)
                return assets_fail(a, "(a template)", "names an unusable /static/ path");
            memcpy(path, p, n);
            path[n] = '\0';
            if (assets_add(a, path) < 0)
                return -1;
        }
    }
    return 0;
}

/* FROM's directory joined with the relative specifier SPEC ("./x.mjs",
 * "../vendor/y.mjs") into OUT, dot-segments resolved. -1 if it leaves the
 * static directory or does not fit. */
static int assets_resolve(const char *from, const char *spec, char *out, size_t len)
{
    char buf[2 * ASSETS_PATH_MAX];
    const char *slash = strrchr(from, '/');
    char *seg, *save = NULL;
    size_t used = 0, dirlen = slash ? (size_t)(slash - from) : 0;

    if ((size_t)snprintf(buf, sizeof buf, "%.*s/%s", (int)dirlen, from, spec) >= sizeof buf)
        return -1;
    out[0] = '\0';
    for (seg = strtok_r(buf, "/", &save); seg != NULL; seg = strtok_r(NULL, "/", &save)) {
        if (strcmp(seg, ".") == 0)
            continue;
        if (strcmp(seg, "..") == 0) {
            char *up = strrchr(out, '/');
            if (used == 0)
                return -1;
            used = up ? (size_t)(up - out) : 0;
            out[used] = '\0';
            continue;
        }
        if (used + (used > 0) + strlen(seg) + 1 > len)
            return -1;
        used += (size_t)snprintf(out + used, len - used, "%s%s", used > 0 ? "/" : "", seg);
    }
    return used > 0 ? 0 : -1;
}

/* Reads DIR/PATH, a regular file of at most ASSETS_FILE_MAX bytes (the last
 * step not a symlink), into a NUL-ended buffer the caller frees. NULL with
 * the reason recorded. */
static char *assets_read(struct assets *a, const char *dir, const char *path)
{
    char full[4096 + ASSETS_PATH_MAX + 2];
    struct stat st;
    char *buf = NULL;
    ssize_t got = 0;
    int fd;

    snprintf(full, sizeof full, "%s/%s", dir, path);
    if ((fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        assets_fail(a, path, errno == ELOOP ? "a symlink (not served)" : "missing");
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        assets_fail(a, path, "not a regular file");
    else if (st.st_size > ASSETS_FILE_MAX)
        assets_fail(a, path, "larger than the server serves (4 MiB)");
    else if ((buf = malloc((size_t)st.st_size + 1)) == NULL ||
             (got = read(fd, buf, (size_t)st.st_size)) != (ssize_t)st.st_size)
        assets_fail(a, path, "unreadable");
    close(fd);
    if (a->why != NULL) {
        free(buf);
        return NULL;
    }
    buf[got] = '\0';
    return buf;
}

/* The quoted string at P (after optional blanks), if it is a relative
 * specifier: its length, with *START at its first byte; else 0. */
static size_t assets_specifier(const char *p, const char **start)
{
    char quote;
    size_t n;

    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (*p != '\'' && *p != '"')
        return 0;
    quote = *p++;
    for (n = 0; p[n] != '\0' && p[n] != quote && p[n] != '\n' && n < ASSETS_PATH_MAX; n++)
        ;
    if (p[n] != quote || !(strncmp(p, "./", 2) == 0 || strncmp(p, "../", 3) == 0))
        return 0;
    *start = p;
    return n;
}

/* Adds the relative imports of the module PATH ("import ... from './x.mjs'",
 * "import './x.mjs'", "import('./x.mjs')"). */
static int assets_imports(struct assets *a, const char *dir, const char *path)
{
    char *text = assets_read(a, dir, path), spec[ASSETS_PATH_MAX], target[ASSETS_PATH_MAX];
    const char *p, *s;
    size_t n;
    int rc = 0;

    if (text == NULL)
        return -1;
    for (p = text; *p != '\0' && rc == 0; p++) {
        if (p > text && (assets_name_char(p[-1]) || p[-1] == '$'))
            continue;
        if (strncmp(p, "from", 4) == 0)
            n = assets_specifier(p + 4, &s);
        else if (strncmp(p, "import", 6) == 0)
            n = assets_specifier(p[6] == '(' ? p + 7 : p + 6, &s);
        else
            continue;
        if (n == 0)
            continue;
        memcpy(spec, s, n);
        spec[n] = '\0';
        if (assets_resolve(path, spec, target, sizeof target) != 0)
            rc = assets_fail(a, spec, "outside the static directory");
        else if (assets_add(a, target) < 0)
            rc = -1;
    }
    free(text);
    return rc;
}

int assets_check(const char *static_dir, char *missing, size_t len, const char **why)
{
    struct assets *a = calloc(1, sizeof *a);
    size_t i;
    int rc = -1;
    char *text = NULL;

    *why = "out of memory";
    if (missing != NULL && len > 0)
        missing[0] = '\0';
    if (a == NULL)
        return -1;
    if (assets_from_templates(a) != 0)
        goto out;
    /* a->n grows while scripts name more modules */
    for (i = 0; i < a->n; i++) {
        size_t l = strlen(a->path[i]);
        int module = (l > 4 && strcmp(a->path[i] + l - 4, ".mjs") == 0) ||
                     (l > 3 && strcmp(a->path[i] + l - 3, ".js") == 0);
        if (module ? assets_imports(a, static_dir, a->path[i]) != 0
                   : (text = assets_read(a, static_dir, a->path[i])) == NULL)
            goto out;
        if (!module)
            free(text);
    }
    rc = 0;
out:
    if (rc != 0) {
        *why = a->why ? a->why : "cannot be checked";
        if (missing != NULL && len > 0)
            snprintf(missing, len, "%s", a->bad);
    }
    free(a);
    return rc;
}
