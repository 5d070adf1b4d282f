/*
 * cli_trustee_key.c — a trustee's key file (cli_trustee_key.h): its path,
 * its permissions, its atomic writes, and the final form's reader.
 *
 * Invariants: the file is created 0600 (never widened by the umask) in 0700
 * directories; a file that group or others can read, or that another user
 * owns, is refused before a byte of it is read; every buffer that held its
 * text is wiped, and so are the secrets' hex strings inside jansson's tree
 * before it is freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli_trustee_key.h"
#include "crypto.h"

static const char *const final_secrets[] = { "share", "identity_secret", "own_share", NULL };

/* jansson's allocations, wiped when freed: its parser copies the key file's
 * text into buffers of its own (the lexer's, each string's), which a plain
 * free would leave in the heap. */
static void *key_json_malloc(size_t n)
{
    return malloc(n);
}

static void key_json_free(void *p)
{
    if (p != NULL)
        sodium_memzero(p, malloc_usable_size(p));
    free(p);
}

void cli_trustee_key_wipe_allocs(void)
{
    json_set_alloc_funcs(key_json_malloc, key_json_free);
}

/* mkdir -p with mode 0700 for the directories it creates. */
static int key_mkdirs(char *path)
{
    char *p;

    for (p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            *p = '/';
            return -1;
        }
        *p = '/';
    }
    return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

int cli_trustee_key_path(const char *key_opt, const char *council, int make_dirs, char *out,
                         size_t cap)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    char dir[CLI_TRUSTEE_KEY_PATH_MAX];
    int n;

    if (key_opt != NULL)
        return (size_t)snprintf(out, cap, "%s", key_opt) < cap && key_opt[0] ? 0 : -1;
    if (xdg != NULL && xdg[0] == '/')
        n = snprintf(dir, sizeof dir, "%s/conclave", xdg);
    else if (home != NULL && home[0] != '\0')
        n = snprintf(dir, sizeof dir, "%s/.config/conclave", home);
    else
        return -1;
    if (n < 0 || (size_t)n >= sizeof dir || (make_dirs && key_mkdirs(dir) != 0))
        return -1;
    n = snprintf(out, cap, "%s/trustee-%s.json", dir, council);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

void cli_trustee_key_wipe_json(json_t *obj, const char *const *keys)
{
    size_t i;

    for (i = 0; obj != NULL && keys[i] != NULL; i++) {
        json_t *v = json_object_get(obj, keys[i]);
        const char *s = json_string_value(v);
        char *w;
        if (s == NULL)
            continue;
        memcpy(&w, &s, sizeof w);           /* jansson's own buffer, about to be freed */
        sodium_memzero(w, json_string_length(v));
    }
}

/* Reads the open file FD (at most the cap) into a new buffer. */
static char *key_slurp(int fd, size_t size, char *err, size_t errlen)
{
    char *buf = malloc(size + 1);
    size_t got = 0;
    ssize_t r;

    if (buf == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    while (got < size && (r = read(fd, buf + got, size - got)) > 0)
        got += (size_t)r;
    if (got != size) {
        sodium_memzero(buf, size + 1);
        free(buf);
        snprintf(err, errlen, "cannot read the key file");
        return NULL;
    }
    buf[size] = '\0';
    return buf;
}

int cli_trustee_key_read(const char *path, json_t **out, char *err, size_t errlen)
{
    struct stat sb;
    json_error_t jerr;
    char *text;
    int fd;

    *out = NULL;
    cli_trustee_key_wipe_allocs();
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno == ENOENT)
            return 1;
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s is not a regular file", path);
        close(fd);
        return -1;
    }
    if ((sb.st_mode & 077) != 0 || sb.st_uid != geteuid()) {
        snprintf(err, errlen, sb.st_uid != geteuid()
                 ? "%s belongs to another user: refused (it holds a secret key)"
                 : "%s can be read by group or others (mode %03o): refused, it holds a secret "
                   "key; check who may have read it, then run: chmod 600 %s",
                 path, (unsigned)(sb.st_mode & 0777), path);
        close(fd);
        return -1;
    }
    if (sb.st_size <= 0 || sb.st_size > CLI_TRUSTEE_KEY_FILE_MAX) {
        snprintf(err, errlen, "%s is empty or too large to be a key file", path);
        close(fd);
        return -1;
    }
    text = key_slurp(fd, (size_t)sb.st_size, err, errlen);
    close(fd);
    if (text == NULL)
        return -1;
    *out = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    sodium_memzero(text, (size_t)sb.st_size);
    free(text);
    if (*out == NULL || !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        snprintf(err, errlen, "%s is not a trustee key file (not one JSON object)", path);
        return -1;
    }
    return 0;
}

/* Writes LEN bytes of TEXT to a new file beside PATH, then renames it. */
static int key_write_text(const char *path, const char *text, size_t len, char *err,
                          size_t errlen)
{
    char tmp[CLI_TRUSTEE_KEY_PATH_MAX + 16], dir[CLI_TRUSTEE_KEY_PATH_MAX], *slash;
    size_t off = 0;
    ssize_t w;
    int fd, dfd, ok = 0;

    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%u", path, (unsigned)getpid()) >= sizeof tmp ||
        (size_t)snprintf(dir, sizeof dir, "%s", path) >= sizeof dir) {
        snprintf(err, errlen, "key file path too long");
        return -1;
    }
    (void)unlink(tmp);
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    while (off < len && (w = write(fd, text + off, len - off)) > 0)
        off += (size_t)w;
    ok = off == len && fchmod(fd, 0600) == 0 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        (void)unlink(tmp);
        return -1;
    }
    slash = strrchr(dir, '/');
    if (slash != NULL)
        *(slash == dir ? slash + 1 : slash) = '\0';
    if ((dfd = open(slash != NULL ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    return 0;
}

int cli_trustee_key_write(const char *path, const json_t *obj, char *err, size_t errlen)
{
    char *text = json_dumps(obj, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    size_t len;
    int rc;

    if (text == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    len = strlen(text);
    text[len] = '\n';                   /* the NUL becomes the final newline */
    rc = key_write_text(path, text, len + 1, err, errlen);
    sodium_memzero(text, len + 1);
    free(text);
    return rc;
}

/* Copies the 32 bytes of hex member NAME of OBJ into OUT. 0 or -1. */
static int key_hex32(const json_t *obj, const char *name, unsigned char out[32])
{
    const char *s = json_string_value(json_object_get(obj, name));

    return s != NULL && strlen(s) == 64 && crypto_hex_decode(out, 32, s, 64) == 0 ? 0 : -1;
}

/* Fills KEY from the final form OBJ. 0 or -1 with key->err. */
static int key_from_json(const json_t *obj, struct cli_trustee_key *key)
{
    const char *server = json_string_value(json_object_get(obj, "server"));
    const char *council = json_string_value(json_object_get(obj, "council"));
    json_t *idx = json_object_get(obj, "index");
    unsigned char X[32];

    if (!json_is_integer(json_object_get(obj, "conclave_trustee_key")) ||
        json_integer_value(json_object_get(obj, "conclave_trustee_key")) != 1 ||
        json_object_get(obj, "identity_secret") != NULL) {
        snprintf(key->err, sizeof key->err, "the key file is not a completed ceremony's key "
                 "(finish the ceremony with `conclave trustee verdict` first)");
        return -1;
    }
    if (json_object_get(obj, "share") == NULL) {
        snprintf(key->err, sizeof key->err, "this trustee is not in the council's QUAL: "
                 "it holds no key share");
        return -1;
    }
    if (server == NULL || strlen(server) > CLI_TRUSTEE_KEY_SERVER_MAX || council == NULL ||
        strlen(council) > CLI_TRUSTEE_KEY_COUNCIL_MAX || !json_is_integer(idx) ||
        json_integer_value(idx) < 1 || json_integer_value(idx) > 64 ||
        key_hex32(obj, "share", key->share) != 0 ||
        key_hex32(obj, "verification_key", key->verification_key) != 0 ||
        key_hex32(obj, "ceremony_digest", key->ceremony_digest) != 0 ||
        key_hex32(obj, "council_key", key->council_key) != 0) {
        snprintf(key->err, sizeof key->err, "the key file lacks a field or has a malformed one");
        return -1;
    }
    strcpy(key->server, server);
    strcpy(key->council, council);
    key->index = (uint32_t)json_integer_value(idx);
    if (crypto_point_mul_base(X, key->share) != 0 ||
        memcmp(X, key->verification_key, 32) != 0) {
        snprintf(key->err, sizeof key->err, "the key file's share does not match its "
                 "verification key");
        return -1;
    }
    return 0;
}

int cli_trustee_key_load(const char *path, struct cli_trustee_key *key)
{
    json_t *obj = NULL;
    int rc;

    memset(key, 0, sizeof *key);
    rc = cli_trustee_key_read(path, &obj, key->err, sizeof key->err);
    if (rc == 1)
        snprintf(key->err, sizeof key->err, "no key file at %s", path);
    if (rc == 0 && (rc = key_from_json(obj, key)) != 0) {
        char err[sizeof key->err];
        memcpy(err, key->err, sizeof err);
        cli_trustee_key_wipe(key);
        memcpy(key->err, err, sizeof err);
    }
    cli_trustee_key_wipe_json(obj, final_secrets);
    json_decref(obj);
    return rc == 0 ? 0 : -1;
}

void cli_trustee_key_wipe(struct cli_trustee_key *key)
{
    sodium_memzero(key, sizeof *key);
}
