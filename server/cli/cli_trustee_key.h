/*
 * cli_trustee_key.h — a trustee's key file on its own machine: where it is,
 * reading it (refused unless only its owner can read it), writing it
 * atomically with mode 0600, and the final form every later command reads
 * (`conclave trustee decrypt`, `watch`).
 *
 * Path: --key FILE, else $XDG_CONFIG_HOME/conclave/trustee-<COUNCIL>.json,
 * else ~/.config/conclave/trustee-<COUNCIL>.json. During the ceremony the
 * file holds what the trustee's CLI needs between rounds (the identity
 * secret z_j, its registration, its dealing and own share f_j(j)); once the
 * ceremony is complete it is rewritten to exactly
 *
 *   {"conclave_trustee_key": 1, "server": URL, "council": ID, "index": j,
 *    "share": hex(x_j), "verification_key": hex(X_j),
 *    "ceremony_digest": hex, "council_key": hex(Y_T)}
 *
 * with the identity secret erased (PROTOCOL-threshold T2, T5).
 */
#ifndef CONCLAVE_CLI_TRUSTEE_KEY_H
#define CONCLAVE_CLI_TRUSTEE_KEY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define CLI_TRUSTEE_KEY_SERVER_MAX   1024
#define CLI_TRUSTEE_KEY_COUNCIL_MAX  64
#define CLI_TRUSTEE_KEY_PATH_MAX     4096
#define CLI_TRUSTEE_KEY_FILE_MAX     (256 * 1024)

/* A complete ceremony's key, as the final form holds it. share is x_j:
 * secret; cli_trustee_key_wipe it once used. */
struct cli_trustee_key {
    char server[CLI_TRUSTEE_KEY_SERVER_MAX + 1];
    char council[CLI_TRUSTEE_KEY_COUNCIL_MAX + 1];
    uint32_t index;
    unsigned char share[32];
    unsigned char verification_key[32];
    unsigned char ceremony_digest[32];
    unsigned char council_key[32];
    char err[512];                  /* why cli_trustee_key_load failed */
};

/* The key file's path: KEY_OPT if not NULL, else the default for COUNCIL
 * (its directories created 0700 when MAKE_DIRS). 0, or -1 (no HOME, too
 * long). */
int cli_trustee_key_path(const char *key_opt, const char *council, int make_dirs, char *out,
                         size_t cap);

/* Reads the final form at PATH into *key, checking that the file is a
 * regular file of this user that group and others cannot read, every field
 * is there with its type, and share·G = verification_key. 0, or -1 with
 * key->err (and nothing secret left in *key). */
int cli_trustee_key_load(const char *path, struct cli_trustee_key *key);

/* Wipes *key (the share and all). */
void cli_trustee_key_wipe(struct cli_trustee_key *key);

/* --- the file itself (the ceremony's commands, cli_trustee.c) ------------------- */

/* Reads PATH as a JSON object into *out, refusing a file that group or
 * others can read or that is not this user's, larger than
 * CLI_TRUSTEE_KEY_FILE_MAX, or not one object. The text read is wiped.
 * 0; 1 if there is no such file; -1 with ERR. */
int cli_trustee_key_read(const char *path, json_t **out, char *err, size_t errlen);

/* Writes OBJ to PATH atomically: a new temporary file beside it (mode 0600),
 * fsync'd, renamed over PATH, the directory fsync'd. The text is wiped.
 * 0, or -1 with ERR. */
int cli_trustee_key_write(const char *path, const json_t *obj, char *err, size_t errlen);

/* Makes jansson wipe every block it frees, for the rest of the process
 * (its parser's and writer's buffers may hold a secret's hex). Idempotent;
 * cli_trustee_key_read and _load call it first. */
void cli_trustee_key_wipe_allocs(void);

/* Overwrites, in place, the string values of OBJ's members named in KEYS
 * (NULL-terminated) with zeros, before OBJ is freed: jansson's copies of a
 * secret's hex do not outlive it. */
void cli_trustee_key_wipe_json(json_t *obj, const char *const *keys);

#endif
