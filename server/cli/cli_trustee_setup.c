/*
 * cli_trustee_setup.c — a ceremony's setup checked against the trustees'
 * published list (cli_trustee_setup.h). Everything here is public: names
 * and identity keys.
 */
#include <string.h>

#include "cli_trustee_setup.h"
#include "crypto.h"

/* 1 if C lists NAME with identity key Z. */
static int setup_has(const struct ceremony *c, const char *name, const unsigned char Z[32])
{
    uint32_t i;
    size_t len;

    for (i = 1; i <= ceremony_n(c); i++) {
        const char *cn = ceremony_trustee_name(c, i, &len);
        if (len == strlen(name) && memcmp(cn, name, len) == 0 &&
            memcmp(ceremony_trustee_key(c, i), Z, 32) == 0)
            return 1;
    }
    return 0;
}

/* Reads FILE's lines: every trustee must be in C; counts them into *seen and
 * takes the threshold line into *th. 0 or -1 with ERR. */
static int setup_read(const struct ceremony *c, FILE *f, const char *file, uint32_t *seen,
                      long *th, char *err, size_t errlen)
{
    char line[1024], name[512], hex[128];
    unsigned char Z[32];

    while (fgets(line, sizeof line, f) != NULL) {
        if (line[strspn(line, " \t\r\n")] == '\0' || line[strspn(line, " \t")] == '#')
            continue;
        if (sscanf(line, "threshold %ld", th) == 1)
            continue;
        if (sscanf(line, "%511s %127s", name, hex) != 2 || strlen(hex) != 64 ||
            crypto_hex_decode(Z, 32, hex, 64) != 0) {
            line[strcspn(line, "\r\n")] = '\0';
            snprintf(err, errlen, "%s: not a line 'NAME IDENTITY_KEY': %.200s", file, line);
            return -1;
        }
        if (!setup_has(c, name, Z)) {
            snprintf(err, errlen, "the server's setup lacks %s with the identity key %s that "
                     "was published: do not deal; tell the other trustees", name, hex);
            return -1;
        }
        (*seen)++;
    }
    return 0;
}

int cli_trustee_setup_check(const struct ceremony *c, const char *file, char *err, size_t errlen)
{
    uint32_t seen = 0;
    long th = -1;
    FILE *f = fopen(file, "r");
    int rc;

    if (f == NULL) {
        snprintf(err, errlen, "cannot read %s", file);
        return -1;
    }
    rc = setup_read(c, f, file, &seen, &th, err, errlen);
    fclose(f);
    if (rc != 0)
        return -1;
    if (seen != ceremony_n(c)) {
        snprintf(err, errlen, "the server's setup has %u trustees, %s lists %u: do not deal; "
                 "tell the other trustees", ceremony_n(c), file, seen);
        return -1;
    }
    if (th >= 0 && (uint32_t)th != ceremony_t(c)) {
        snprintf(err, errlen, "the server's setup needs %u trustees to decrypt, %s says %ld: do "
                 "not deal; tell the other trustees", ceremony_t(c), file, th);
        return -1;
    }
    return 0;
}

void cli_trustee_setup_print(const struct ceremony *c, FILE *f)
{
    char hex[65];
    uint32_t i;
    size_t len;

    fprintf(f, "conclave: warning: no --trustees FILE: the setup was NOT checked against the "
               "keys the trustees published. The server lists (%u of %u):\n",
            ceremony_t(c), ceremony_n(c));
    for (i = 1; i <= ceremony_n(c); i++) {
        const char *name = ceremony_trustee_name(c, i, &len);
        crypto_hex_encode(hex, ceremony_trustee_key(c, i), 32);
        fprintf(f, "  %u %.*s %s\n", i, (int)len, name, hex);
    }
}
