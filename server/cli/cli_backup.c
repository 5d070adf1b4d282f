/*
 * cli_backup.c — `conclave backup BACKUP_DIR [--data DIR]`: a complete,
 * consistent backup of a data directory, taken while the server runs.
 *
 * BACKUP_DIR must not exist: it is made with mode 0700 and receives what a
 * data directory needs, so that restoring is copying it back (README,
 * "Backup and restore"): conclave.db, a consistent copy of the database
 * (store_backup: VACUUM INTO, synced and checked), and receipt-key, the
 * server's signing key (0600). Without that key the restored server would
 * make a new one, and the receipts voters hold would no longer verify
 * against the results it signs. The command says how many polls were open:
 * the backup then holds their secret keys (SECURITY.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_util.h"
#include "sign.h"
#include "store.h"

static const char backup_usage[] =
    "usage: conclave backup BACKUP_DIR [--data DIR]\n"
    "Writes a complete backup of the data directory (default ./var) to BACKUP_DIR,\n"
    "which must not exist yet (it is made with mode 0700): conclave.db, a consistent\n"
    "copy of the database taken while the server runs, and receipt-key, the\n"
    "server's signing key (mode 0600). To restore, stop the server and put a copy\n"
    "of BACKUP_DIR in place of the data directory (cp -a BACKUP_DIR DATA_DIR).\n"
    "A backup taken while a poll is open holds that poll's secret key: whoever\n"
    "has it can decrypt the poll's ballots and its running count. Keep backups as\n"
    "private as the server.\n";

/* Copies the server key DATA/receipt-key to DEST/receipt-key (0600, synced). */
static int backup_key(const char *data, const char *dest)
{
    char from[4200], to[4200];
    struct sign_key *key = NULL;
    int rc;

    snprintf(from, sizeof from, "%s/%s", data, SIGN_KEY_FILE);
    snprintf(to, sizeof to, "%s/%s", dest, SIGN_KEY_FILE);
    if (sign_key_load(from, &key) != 0) {
        fprintf(stderr, "conclave backup: cannot read the server key %s (a regular file of "
                "mode 0600)\n", from);
        return -1;
    }
    rc = sign_key_save(key, to);
    sign_key_free(key);
    if (rc != 0)
        fprintf(stderr, "conclave backup: cannot write %s\n", to);
    return rc;
}

/* Syncs the directory DIR, so that the new entries in it are on disk. */
static int backup_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

/* The copy itself, the store open and the backup directory made. */
static int backup_run(struct store *st, const char *data, const char *dest)
{
    char db[4200], err[512];
    long open_polls = -1;

    snprintf(db, sizeof db, "%s/conclave.db", dest);
    if (store_backup(st, db, &open_polls, err, sizeof err) != 0) {
        fprintf(stderr, "conclave backup: %s\n", err);
        return -1;
    }
    if (backup_key(data, dest) != 0 || backup_sync_dir(dest) != 0)
        return -1;
    printf("backup written to %s (conclave.db, receipt-key)\n", dest);
    if (open_polls > 0)
        printf("%ld poll%s open: this backup holds %s secret key%s, with which anyone "
               "who has it can decrypt %s ballots and running count; keep it as private "
               "as the server\n", open_polls, open_polls == 1 ? " was" : "s were",
               open_polls == 1 ? "its" : "their", open_polls == 1 ? "" : "s",
               open_polls == 1 ? "its" : "their");
    return 0;
}

int cli_backup_main(int argc, char **argv)
{
    struct cli_args a;
    struct store *st = NULL;
    struct stat sb;
    char db[4200];
    int serving, dir_fd = -1, rc = CLI_EXIT_FAIL;

    if (cli_parse("backup", argc - 1, argv + 1, NULL, 0, &a) != 0 || a.help || a.npos != 1)
        return cli_usage(backup_usage, a.help);
    umask(077);
    snprintf(db, sizeof db, "%s/conclave.db", a.data_dir);
    if (stat(db, &sb) != 0) {
        fprintf(stderr, "conclave backup: no database in %s (give --data DIR)\n", a.data_dir);
        return CLI_EXIT_FAIL;
    }
    if ((serving = store_dir_share(a.data_dir, &dir_fd)) < 0)
        return CLI_EXIT_FAIL;
    if ((serving ? store_open_beside(a.data_dir, &st) : store_open(a.data_dir, &st)) != 0)
        goto out;
    if (mkdir(a.pos[0], 0700) != 0) {
        fprintf(stderr, "conclave backup: cannot make %s: %s%s\n", a.pos[0], strerror(errno),
                errno == EEXIST ? " (a backup goes to a new directory)" : "");
        goto out;
    }
    if (backup_run(st, a.data_dir, a.pos[0]) == 0)
        rc = CLI_EXIT_OK;
    else
        fprintf(stderr, "conclave backup: %s is incomplete: remove it\n", a.pos[0]);
out:
    store_close(st);
    if (dir_fd >= 0)
        close(dir_fd);
    return rc;
}
