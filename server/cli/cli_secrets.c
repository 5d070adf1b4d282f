/*
 * cli_secrets.c — the ballot secrets ρ a voter's `conclave vote` keeps, so
 * that it can replace the ballot until the close, and the change code that
 * carries one ρ to another device.
 *
 * One file per poll, named by the poll's fingerprint, mode 0600 in 0700
 * directories; only ρ is written, never the choice. A ballot's ρ joins
 * PATH.unconfirmed before the ballot is sent and stays there when no answer
 * comes back (that ballot may be in the box); a receipt makes it the
 * confirmed one in PATH. Every write goes through a new temporary file,
 * fsync'd, then renamed. Two runs for one poll take turns on PATH.lock, so
 * neither loses the other's secrets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli_secrets.h"

/* mkdir -p with mode 0700 for the directories it creates. */
static int secrets_mkdirs(char *path)
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

/* The file that keeps ρ for this poll: STATE/ballots/<fingerprint>. */
static int secrets_path(const char *state, const unsigned char fp[32], char *path, size_t len)
{
    char hex[65], dir[1024];
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

    if (state != NULL)
        snprintf(dir, sizeof dir, "%s", state);
    else if (xdg != NULL && xdg[0] == '/')
        snprintf(dir, sizeof dir, "%s/conclave", xdg);
    else if (home != NULL)
        snprintf(dir, sizeof dir, "%s/.local/share/conclave", home);
    else
        return -1;
    sodium_bin2hex(hex, sizeof hex, fp, 32);
    if ((size_t)snprintf(path, len, "%s/ballots", dir) >= len || secrets_mkdirs(path) != 0 ||
        (size_t)snprintf(path, len, "%s/ballots/%s", dir, hex) >= len)
        return -1;
    return 0;
}

/* Writes N secrets as hex lines to PATH (0600), durably, through a
 * temporary file; N = 0 removes PATH. 0 or -1. */
static int secrets_save(const char *path, const unsigned char (*rhos)[32], size_t n)
{
    char tmp[1400], hex[66];
    size_t i;
    int fd, ok = 1;

    if (n == 0)
        return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    /* A new file of our own: not one left by a crash, nor a link planted in
     * a shared --state directory. */
    if ((unlink(tmp) != 0 && errno != ENOENT) ||
        (fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
        return -1;
    for (i = 0; i < n && ok; i++) {
        sodium_bin2hex(hex, 65, rhos[i], 32);
        hex[64] = '\n';
        ok = write(fd, hex, 65) == 65;
    }
    ok = ok && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    sodium_memzero(hex, sizeof hex);
    if (ok && rename(tmp, path) == 0)
        return 0;
    unlink(tmp);
    return -1;
}

/* Reads at most MAX secrets (hex lines) from PATH; their number, 0 without
 * the file. */
static size_t secrets_load(const char *path, unsigned char (*rhos)[32], size_t max)
{
    char hex[80];
    FILE *f = fopen(path, "r");
    size_t n = 0;

    if (f == NULL)
        return 0;
    while (n < max && fgets(hex, sizeof hex, f) != NULL)
        if (strlen(hex) >= 64 &&
            sodium_hex2bin(rhos[n], 32, hex, 64, NULL, NULL, NULL) == 0)
            n++;
    fclose(f);
    sodium_memzero(hex, sizeof hex);
    return n;
}

/* Takes PATH.lock exclusively, waiting (with a word) for another `conclave
 * vote` of the same poll. 0, or -1 (no lock fd). */
static int secrets_lock(struct cli_secrets *s)
{
    char lock[1400];

    snprintf(lock, sizeof lock, "%s.lock", s->path);
    if ((s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
        return -1;
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    if (errno == EWOULDBLOCK) {
        fprintf(stderr, "conclave vote: waiting for another conclave vote of this poll\n");
        if (flock(s->lock_fd, LOCK_EX) == 0)
            return 0;
    }
    close(s->lock_fd);
    s->lock_fd = -1;
    return -1;
}

int cli_secrets_open(struct cli_secrets *s, const char *state, const unsigned char fp[32],
                     char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->lock_fd = -1;
    if (secrets_path(state, fp, s->path, sizeof s->path) != 0) {
        snprintf(err, errlen, "cannot create the state directory");
        return -1;
    }
    snprintf(s->unconf_path, sizeof s->unconf_path, "%s.unconfirmed", s->path);
    if (secrets_lock(s) != 0) {
        snprintf(err, errlen, "cannot lock %.400s.lock", s->path);
        return -1;
    }
    s->nconfirmed = secrets_load(s->path, s->confirmed, 1);
    s->nunconf = secrets_load(s->unconf_path, s->unconf, SECRETS_UNCONFIRMED_MAX);
    return 0;
}

int cli_secrets_push(struct cli_secrets *s, const unsigned char rho[32])
{
    if (s->nunconf == SECRETS_UNCONFIRMED_MAX)
        return -1;
    memcpy(s->unconf[s->nunconf++], rho, 32);
    if (secrets_save(s->unconf_path, (const unsigned char (*)[32])s->unconf, s->nunconf) == 0)
        return 0;
    s->nunconf--;
    return -1;
}

void cli_secrets_pop(struct cli_secrets *s)
{
    if (s->nunconf == 0)
        return;
    sodium_memzero(s->unconf[--s->nunconf], 32);
    (void)secrets_save(s->unconf_path, (const unsigned char (*)[32])s->unconf, s->nunconf);
}

int cli_secrets_confirm(struct cli_secrets *s, const unsigned char rho[32])
{
    memcpy(s->confirmed[0], rho, 32);
    s->nconfirmed = 1;
    s->nunconf = 0;
    sodium_memzero(s->unconf, sizeof s->unconf);
    if (secrets_save(s->path, (const unsigned char (*)[32])s->confirmed, 1) != 0 ||
        secrets_save(s->unconf_path, NULL, 0) != 0)
        return -1;
    return 0;
}

void cli_secrets_close(struct cli_secrets *s)
{
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    sodium_memzero(s, sizeof *s);
    s->lock_fd = -1;
}

void cli_change_code_format(const unsigned char rho[32], char out[CHANGE_CODE_LEN + 1])
{
    char hex[65];
    size_t g, o = 0;

    sodium_bin2hex(hex, sizeof hex, rho, 32);
    for (g = 0; g < 8; g++) {
        if (g > 0)
            out[o++] = '-';
        memcpy(out + o, hex + 8 * g, 8);
        o += 8;
    }
    out[o] = '\0';
    sodium_memzero(hex, sizeof hex);
}

int cli_change_code_parse(const char *text, unsigned char rho[32])
{
    char hex[65];
    size_t n = 0;
    const char *p;
    int rc = -1;

    for (p = text; *p != '\0'; p++) {
        char c = *p;
        if (c == ' ' || c == '\t' || c == '-' || c == '\r' || c == '\n')
            continue;
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || n == 64)
            goto out;
        hex[n++] = c;
    }
    if (n == 64 && sodium_hex2bin(rho, 32, hex, 64, NULL, NULL, NULL) == 0)
        rc = 0;
out:
    sodium_memzero(hex, sizeof hex);
    return rc;
}
