/*
 * web_static.c — GET /static/{dir}/{file}: the CSS, scripts and images of the
 * pages, read from cfg->static_dir.
 *
 * Only files exactly two levels down (static/css/site.css,
 * static/js/booth.mjs, static/vendor/noble.mjs) are served: the route's
 * {dir} and {file} segments are [A-Za-z0-9._~-] (route.c), and a segment
 * that starts with '.' ("..", ".stamp") is refused, so no path leaves the
 * directory and no hidden file is shown. The file must be a regular file
 * (no symlink is followed at the last step, no directory is listed) of a
 * known extension, which gives its content type. Answers are cacheable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "http_error.h"
#include "http_request.h"
#include "web.h"

#define STATIC_FILE_MAX (4 * 1024 * 1024)

struct static_type {
    const char *ext;
    const char *type;
};

static const struct static_type static_types[] = {
    {".mjs", "text/javascript; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
};

/* The content type for NAME's extension, or NULL if not served. */
static const char *static_type_of(const char *name)
{
    size_t i, n = strlen(name), e;

    for (i = 0; i < sizeof static_types / sizeof static_types[0]; i++) {
        e = strlen(static_types[i].ext);
        if (n > e && strcmp(name + n - e, static_types[i].ext) == 0)
            return static_types[i].type;
    }
    return NULL;
}

/* Reads the regular file PATH (at most STATIC_FILE_MAX bytes) into *out. */
static int static_read(const char *path, char **out, size_t *len)
{
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    ssize_t r;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = -1;

    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_FILE_MAX)
        goto out;
    if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
        goto out;
    while (got < (size_t)st.st_size) {
        r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            goto out;
        got += (size_t)r;
    }
    *out = buf;
    *len = got;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    close(fd);
    return rc;
}

void web_static(struct http_request *req)
{
    const struct config *cfg = http_request_app(req)->cfg;
    const char *dir = http_request_param(req, "dir");
    const char *file = http_request_param(req, "file");
    const char *type = file ? static_type_of(file) : NULL;
    char path[CONFIG_PATH_MAX + 2 * 80], *data = NULL;
    size_t len = 0;
    int n;

    if (dir == NULL || file == NULL || dir[0] == '.' || file[0] == '.' || type == NULL) {
        http_error_respond(req, CV_NOT_FOUND, "no such file");
        return;
    }
    n = snprintf(path, sizeof path, "%s/%s/%s", cfg->static_dir, dir, file);
    if (n < 0 || (size_t)n >= sizeof path || static_read(path, &data, &len) != 0) {
        http_error_respond(req, CV_NOT_FOUND, "no such file");
        return;
    }
    http_set_cacheable(req);
    http_respond_bytes(req, 200, type, data, len);
    free(data);
}
