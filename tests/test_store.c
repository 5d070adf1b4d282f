/*
 * test_store.c — the store on real SQLite files in a temporary directory:
 * creation and file modes, pragmas, migrations applied once and recorded,
 * re-opening an existing database, refusing a newer or exposed one,
 * transactions, the statement cache, the member/session/token rows,
 * several threads and two connections writing at once, and the WAL's
 * checkpoints (ahead of the lock, on the checkpointer's thread: the rest of
 * store_durable.c is tests/test_store_durable.c's).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "name.h"
#include "schema.h"
#include "store_durable.h"
#include "store_int.h"
#include "store_poll.h"

static char tmp_root[] = "/tmp/conclave-test-store-XXXXXX";

/* A fresh data directory path under tmp_root (not created). */
static void data_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", tmp_root, name);
}

static int file_mode(const char *dir, const char *file)
{
    char p[512];
    struct stat sb;

    snprintf(p, sizeof p, "%s/%s", dir, file);
    if (stat(p, &sb) != 0)
        return -1;
    return (int)(sb.st_mode & 0777);
}

/* Runs a one-integer query (test code may build SQL; the store may not). */
static long long query_int(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;

    store_lock(s);
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    store_unlock(s);
    return v;
}

static int exec_sql(struct store *s, const char *sql)
{
    int rc;

    store_lock(s);
    rc = sqlite3_exec(store_db(s), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
    store_unlock(s);
    return rc;
}

static struct store_member member(const char *username, const char *name)
{
    struct store_member m;

    memset(&m, 0, sizeof m);
    snprintf(m.username, sizeof m.username, "%s", username);
    snprintf(m.display_name, sizeof m.display_name, "%s", name);
    m.active = 1;
    m.created_at = 1000;
    return m;
}

static void test_open(void)
{
    char dir[256];
    struct store *s = NULL;
    struct stat sb;
    int latest = schema_migrations[schema_migration_count - 1].version;
    struct store_member m = member("alice", "Alice");

    data_path(dir, sizeof dir, "open");
    CHECK(store_open(dir, &s) == 0 && s != NULL, "store_open creates a new data directory");
    CHECK(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700, "data directory is 0700");
    CHECK_EQ_INT(file_mode(dir, "conclave.db"), 0600, "conclave.db is 0600");
    CHECK(schema_migration_count >= 1 && schema_migrations[0].version == 1,
          "migrations start at 1");
    CHECK_EQ_INT(store_schema_version(s), latest, "schema is at the binary's version");
    CHECK_EQ_INT(query_int(s, "SELECT count(*) FROM schema_version"), schema_migration_count,
                 "each migration recorded once");
    CHECK_EQ_INT(query_int(s, "PRAGMA synchronous"), 2, "synchronous=FULL");
    CHECK_EQ_INT(query_int(s, "PRAGMA foreign_keys"), 1, "foreign_keys=ON");
    CHECK_EQ_INT(query_int(s, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1,
                 "journal_mode=WAL");
    CHECK_EQ_INT(store_member_insert(s, &m, NULL), CV_OK, "insert a member");
    CHECK_EQ_INT(file_mode(dir, "conclave.db-wal"), 0600, "-wal is 0600");
    CHECK_EQ_INT(file_mode(dir, "conclave.db-shm"), 0600, "-shm is 0600");
    store_close(s);

    CHECK_EQ_INT(store_open(dir, &s), 0, "re-open the existing database");
    CHECK_EQ_INT(query_int(s, "SELECT count(*) FROM schema_version"), schema_migration_count,
                 "re-open applies no migration twice");
    CHECK(store_member_get(s, "alice", &m) == CV_OK && strcmp(m.display_name, "Alice") == 0,
          "data survives re-open");
    CHECK_EQ_INT(exec_sql(s, "INSERT INTO schema_version VALUES (999, '999_future', 0)"), 0,
                 "pretend a newer binary migrated the database");
    store_close(s);
    s = (struct store *)1;
    CHECK(store_open(dir, &s) == -1 && s == NULL, "a database newer than the binary is refused");
}

static void test_refuse_modes(void)
{
    char dir[256], db[300];
    struct store *s = NULL;

    data_path(dir, sizeof dir, "modes");
    CHECK_EQ_INT(store_open(dir, &s), 0, "open for the mode test");
    store_close(s);
    snprintf(db, sizeof db, "%s/conclave.db", dir);
    CHECK_EQ_INT(chmod(db, 0644), 0, "chmod 0644");
    CHECK_EQ_INT(store_open(dir, &s), -1, "a group/world-readable database is refused");
    CHECK_EQ_INT(chmod(db, 0660), 0, "chmod 0660");
    CHECK_EQ_INT(store_open(dir, &s), -1, "a group-writable database is refused");
    CHECK_EQ_INT(chmod(db, 0600), 0, "chmod 0600");
    CHECK_EQ_INT(store_open(dir, &s), 0, "0600 is accepted again");
    store_close(s);
    CHECK_EQ_INT(chmod(dir, 0711), 0, "chmod the directory 0711");
    CHECK_EQ_INT(store_open(dir, &s), -1, "a data directory others may enter is refused");
    CHECK(chmod(dir, 0700) == 0 && store_open(dir, &s) == 0, "0700 is accepted again");
    store_close(s);

    data_path(dir, sizeof dir, "notdir");
    CHECK_EQ_INT(close(open(dir, O_CREAT | O_WRONLY, 0600)), 0, "a file where the dir should be");
    CHECK_EQ_INT(store_open(dir, &s), -1, "a data path that is a file is refused");

    data_path(dir, sizeof dir, "garbage");
    snprintf(db, sizeof db, "%s/conclave.db", dir);
    CHECK_EQ_INT(mkdir(dir, 0700), 0, "mkdir garbage");
    {
        FILE *f = fopen(db, "w");
        fputs("this is not an SQLite database, not at all, no way.....................", f);
        fclose(f);
        chmod(db, 0600);
    }
    CHECK_EQ_INT(store_open(dir, &s), -1, "a file that is not a database is refused");
}

/* A first vote sets its voter's flag in the roll; one by a name off the roll
 * stores nothing (schema/005_roll_voted.sql). */
static void test_roll_voted(void)
{
    static const char *const roll[] = {"ann", "bob"};
    unsigned char secret[32] = {0}, tracker[32] = {1}, tag[32] = {2}, alpha[32] = {3};
    struct store_cast c = {"p1", "carl", tracker, tag, alpha, 1, NULL, "{}"};
    struct store_poll p;
    struct store *s = NULL;
    char dir[256];
    int voted = -1;

    data_path(dir, sizeof dir, "roll");
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "p1");
    snprintf(p.nominee, sizeof p.nominee, "Nominee");
    snprintf(p.nominated_by, sizeof p.nominated_by, "ann");
    memset(p.fingerprint, 'a', 64);
    p.statement = p.statement_html = p.record = "x";
    p.closes_at = INT64_MAX;
    CHECK(store_open(dir, &s) == 0 && store_poll_insert(s, &p, NULL, secret, roll, 2) == 0, "a poll");
    if (s == NULL)
        return;
    CHECK_EQ_INT(query_int(s, "SELECT count(*) FROM poll_roll WHERE voted = 0"), 2,
                 "the roll is written whole at the opening, nobody voted");
    CHECK(store_begin(s) == 0 && store_cast_apply(s, &c, 0, NULL) == CV_ERROR &&
          store_commit(s) == 0, "a cast by a name off the roll fails");
    CHECK_EQ_INT(query_int(s, "SELECT count(*) FROM ballots"), 0, "and stores no ballot");
    c.username = "BOB";
    CHECK(store_begin(s) == 0 && store_cast_apply(s, &c, 0, NULL) == CV_OK &&
          store_commit(s) == 0, "bob votes (any case)");
    CHECK(store_poll_has_voted(s, "p1", "bob", &voted) == 0 && voted == 1, "bob has voted");
    CHECK(store_poll_has_voted(s, "p1", "ann", &voted) == 0 && voted == 0, "ann has not");
    CHECK_EQ_INT(query_int(s, "SELECT count(*) FROM poll_roll WHERE voted = 1"), 1, "one flag set");
    tracker[0] = 9, tag[0] = 9, alpha[0] = 9;
    CHECK(store_begin(s) == 0 && store_cast_apply(s, &c, 0, NULL) == CV_ALREADY_VOTED &&
          store_commit(s) == 0, "bob's second first vote: already voted");
    store_close(s);
}

/* One open poll per nominee, names compared by the caller's rule (folded
 * keys, name.h) inside store_poll_insert's own transaction; the unique index
 * stays beside it. */
static void test_same_nominee(void)
{
    static const char *const roll[] = {"ann"};
    static const char *const same[] = {
        "\xc3\xa9lodie roux",                    /* é, lower case */
        "E\xcc\x81LODIE ROUX",                   /* decomposed É, upper case */
        "\xc3\x89lodie Roux"};                   /* the very name */
    unsigned char secret[32] = {0};
    struct store_same_name rule = {NULL, name_match_key};
    struct store_poll p;
    struct store *s = NULL;
    char dir[256], *key = NULL;
    size_t i;
    int open = -1;

    data_path(dir, sizeof dir, "nominee");
    memset(&p, 0, sizeof p);
    snprintf(p.nominee, sizeof p.nominee, "\xc3\x89lodie Roux");
    snprintf(p.nominated_by, sizeof p.nominated_by, "ann");
    memset(p.fingerprint, 'a', 64);
    p.statement = p.statement_html = p.record = "x";
    p.closes_at = INT64_MAX;
    snprintf(p.id, sizeof p.id, "n0");
    CHECK(name_fold_key(p.nominee, &key) == 0 && (rule.key = key) != NULL &&
          store_open(dir, &s) == 0 && store_poll_insert(s, &p, &rule, secret, roll, 1) == 0,
          "a poll for \xc3\x89lodie Roux");
    free(key);
    if (s == NULL)
        return;
    for (i = 0; i < sizeof same / sizeof same[0]; i++) {
        snprintf(p.id, sizeof p.id, "n%zu", i + 1);
        snprintf(p.nominee, sizeof p.nominee, "%s", same[i]);
        key = NULL;
        CHECK(name_fold_key(p.nominee, &key) == 0 && (rule.key = key) != NULL &&
              store_poll_nominee_open(s, &rule, &open, NULL) == 0 && open == 1,
              "the same name is seen open");
        CHECK_EQ_INT(store_poll_insert(s, &p, &rule, secret, roll, 1), CV_POLL_EXISTS,
                     "and its insert is refused in the transaction");
        free(key);
    }
    CHECK_EQ_INT(query_int(s, "SELECT count(*) FROM polls"), 1, "one poll stored");
    snprintf(p.nominee, sizeof p.nominee, "Elodie Roux");
    key = NULL;
    CHECK(name_fold_key(p.nominee, &key) == 0 && (rule.key = key) != NULL &&
          store_poll_nominee_open(s, &rule, &open, NULL) == 0 &&
          open == 0 && store_poll_insert(s, &p, &rule, secret, roll, 1) == 0,
          "without the accent: another name");
    free(key);
    store_close(s);
}

/* A poll id that exists already is a conflict (extended result codes are on:
 * the insert fails with SQLITE_CONSTRAINT_PRIMARYKEY, not SQLITE_CONSTRAINT);
 * a row that breaks a CHECK is an error, not a conflict. */
static void test_poll_id_taken(void)
{
    static const char *const roll[] = {"ann"};
    unsigned char secret[32] = {0};
    struct store_poll p;
    struct store *s = NULL;
    char dir[256];
    int rc;

    data_path(dir, sizeof dir, "pollid");
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "0123456789abcdef");
    snprintf(p.nominee, sizeof p.nominee, "First Nominee");
    snprintf(p.nominated_by, sizeof p.nominated_by, "ann");
    memset(p.fingerprint, 'a', 64);
    p.statement = p.statement_html = p.record = "x";
    p.closes_at = INT64_MAX;
    CHECK(store_open(dir, &s) == 0 && store_poll_insert(s, &p, NULL, secret, roll, 1) == 0,
          "a poll");
    if (s == NULL)
        return;
    snprintf(p.nominee, sizeof p.nominee, "Second Nominee");
    rc = store_poll_insert(s, &p, NULL, secret, roll, 1);
    if (rc != CV_CONFLICT)
        fprintf(stderr, "store_poll_insert of a taken id = %d, want CV_CONFLICT (%d)\n",
                rc, CV_CONFLICT);
    CHECK(rc == CV_CONFLICT, "a second poll with the same id: CV_CONFLICT");
    snprintf(p.id, sizeof p.id, "fedcba9876543210");
    p.fingerprint[63] = '\0';                /* 63 characters: the CHECK fails */
    rc = store_poll_insert(s, &p, NULL, secret, roll, 1);
    CHECK(rc == CV_ERROR, "a row that breaks a CHECK: CV_ERROR, not a conflict");
    p.fingerprint[63] = 'a';
    snprintf(p.nominee, sizeof p.nominee, "First Nominee");
    CHECK_EQ_INT(store_poll_insert(s, &p, NULL, secret, roll, 1), CV_POLL_EXISTS,
                 "another id for an open poll's exact nominee (the unique index): CV_POLL_EXISTS");
    CHECK(query_int(s, "SELECT count(*) FROM polls") == 1, "one poll stored");
    CHECK(query_int(s, "SELECT count(*) FROM poll_roll") == 1, "one roll row");
    store_close(s);
}

static void commit_unbegun(void *s)
{
    store_commit(s);
}

static void stmt_unlocked(void *s)
{
    store_stmt(s, "SELECT 1");
}

/* store_commit and store_rollback close store_begin's transaction, on its
 * thread; store_stmt runs under the lock. A caller who forgets is stopped by
 * an assertion (active in every build: README, Layout), not left to unlock
 * a mutex it does not hold. */
static void test_asserts(void)
{
    char dir[256];
    struct store *s = NULL;

    data_path(dir, sizeof dir, "asserts");
    CHECK_EQ_INT(store_open(dir, &s), 0, "open");
    if (s == NULL)
        return;
    CHECK(!store_lock_held(s) && !store_in_tx(s), "nothing held at first");
    store_lock(s);
    store_lock(s);
    store_unlock(s);
    CHECK(store_lock_held(s) && !store_in_tx(s), "held while the outer lock is");
    store_unlock(s);
    CHECK(!store_lock_held(s), "released with the outer unlock");
    CHECK(store_begin(s) == 0 && store_in_tx(s) && store_rollback(s) == 0 && !store_in_tx(s),
          "in a transaction between begin and rollback");
    CHECK(harness_aborts(commit_unbegun, s), "a commit without begin aborts");
    CHECK(harness_aborts(stmt_unlocked, s), "a statement without the lock aborts");
    store_lock(s);
    CHECK(store_stmt(s, "SELECT 1") != NULL, "and runs with it");
    store_unlock(s);
    store_close(s);
}

static void test_transactions(void)
{
    char dir[256];
    struct store *s = NULL, *s2 = NULL;
    struct store_member m = member("bob", "Bob"), out;
    static const char sql[] = "SELECT count(*) FROM members";
    sqlite3_stmt *a, *b;

    data_path(dir, sizeof dir, "tx");
    CHECK_EQ_INT(store_open(dir, &s), 0, "open for transactions");
    CHECK_EQ_INT(store_begin(s), 0, "begin");
    CHECK_EQ_INT(store_begin(s), -1, "transactions do not nest");
    CHECK_EQ_INT(store_member_insert(s, &m, NULL), CV_OK, "insert inside a transaction");
    CHECK_EQ_INT(store_rollback(s), 0, "rollback");
    CHECK_EQ_INT(store_member_get(s, "bob", &out), CV_NOT_FOUND, "rolled-back insert is gone");
    CHECK(store_begin(s) == 0 && store_member_insert(s, &m, NULL) == CV_OK &&
          store_commit(s) == 0, "begin, insert, commit");
    CHECK_EQ_INT(store_member_get(s, "BOB", &out), CV_OK, "committed insert is there");

    store_lock(s);
    a = store_stmt(s, sql);
    b = store_stmt(s, "SELECT count(*) FROM members");
    CHECK(a != NULL && a == b, "store_stmt caches by SQL text");
    CHECK(store_stmt(s, "SELECT nonsense FROM nowhere") == NULL, "bad SQL gives NULL");
    store_unlock(s);

    CHECK_EQ_INT(store_open(dir, &s2), 0, "a second connection (the CLI while the server runs)");
    m = member("carol", "Carol");
    CHECK_EQ_INT(store_begin(s), 0, "first connection holds a write transaction");
    CHECK_EQ_INT(store_member_insert(s, &m, NULL), CV_OK, "write in the first");
    CHECK_EQ_INT(store_commit(s), 0, "commit in the first");
    m = member("dave", "Dave");
    CHECK_EQ_INT(store_member_insert(s2, &m, NULL), CV_OK, "the second connection writes too");
    CHECK_EQ_INT(store_member_get(s, "dave", &out), CV_OK, "the first sees the second's write");
    store_close(s2);
    store_close(s);
}

static void test_members(void)
{
    char dir[256];
    struct store *s = NULL;
    struct store_member m = member("Erin", "Erin E"), out;
    int64_t id = 0, n = 0;
    int created = -1;
    unsigned char h[32] = {1};

    data_path(dir, sizeof dir, "members");
    CHECK_EQ_INT(store_open(dir, &s), 0, "open for members");
    snprintf(m.email, sizeof m.email, "erin@example.org");
    snprintf(m.password_hash, sizeof m.password_hash, "$argon2id$fake");
    CHECK(store_member_insert(s, &m, &id) == CV_OK && id > 0, "insert with id");
    m = member("eRIN", "Other");
    CHECK_EQ_INT(store_member_insert(s, &m, NULL), CV_CONFLICT,
                 "usernames unique ignoring case");
    CHECK(store_member_get(s, "erin", &out) == CV_OK && out.id == id &&
          strcmp(out.username, "Erin") == 0 && strcmp(out.email, "erin@example.org") == 0 &&
          out.active == 1 && out.is_admin == 0, "get by username, any case");
    CHECK(store_member_get_id(s, id, &out) == CV_OK && strcmp(out.username, "Erin") == 0,
          "get by id");
    CHECK_EQ_INT(store_member_get(s, "nobody", &out), CV_NOT_FOUND, "unknown username");
    CHECK(store_member_upsert(s, "ERIN", "Erin New", "", 5, &created) == CV_OK &&
          created == 0, "upsert updates an existing member");
    CHECK(store_member_get(s, "erin", &out) == CV_OK &&
          strcmp(out.display_name, "Erin New") == 0 && out.email[0] == '\0' &&
          strcmp(out.password_hash, "$argon2id$fake") == 0, "upsert kept password, set fields");
    CHECK(store_member_upsert(s, "frank", "Frank", "f@example.org", 5, &created) == CV_OK &&
          created == 1, "upsert inserts a new member");
    CHECK(store_member_get(s, "frank", &out) == CV_OK && out.password_hash[0] == '\0' &&
          out.active == 1, "imported member has no password");
    CHECK(store_member_count(s, &n) == CV_OK && n == 2, "count");
    CHECK_EQ_INT(store_session_insert(s, h, id, "0123456789abcdef0123456789abcdef"
                                      "0123456789abcdef0123456789abcdef", 10, 100),
                 CV_OK, "session insert");
    CHECK_EQ_INT(store_member_set_active(s, "erin", 0), CV_OK, "deactivate");
    CHECK_EQ_INT(query_int(s, "SELECT count(*) FROM sessions"), 0, "deactivation deletes sessions");
    CHECK_EQ_INT(store_member_set_active(s, "nobody", 0), CV_NOT_FOUND, "deactivate unknown");
    CHECK(store_member_get(s, "frank", &out) == CV_OK &&
          store_session_insert(s, h, out.id, "0123456789abcdef0123456789abcdef"
                               "0123456789abcdef0123456789abcdef", 10, 100) == CV_OK,
          "a session of frank's");
    CHECK_EQ_INT(store_member_set_password(s, "frank", "$argon2id$x", 0, 0, NULL), CV_OK,
                 "set password");
    CHECK_EQ_INT(query_int(s, "SELECT count(*) FROM sessions"), 0,
                 "a new password deletes the member's sessions");
    CHECK_EQ_INT(store_member_set_password(s, "nobody", "$x", 0, 0, NULL), CV_NOT_FOUND,
                 "set password unknown");
    store_close(s);
}

struct writer {
    struct store *s;
    int base;
    int ok;
};

/* Inserts 50 members, every other one in an explicit transaction. */
static void *writer_run(void *arg)
{
    struct writer *w = arg;
    char name[40];
    int i;

    w->ok = 1;
    for (i = 0; i < 50; i++) {
        struct store_member m;
        snprintf(name, sizeof name, "u%d-%d", w->base, i);
        m = member(name, name);
        if (i % 2 == 0) {
            if (store_begin(w->s) != 0 || store_member_insert(w->s, &m, NULL) != CV_OK ||
                store_commit(w->s) != 0)
                w->ok = 0;
        } else if (store_member_insert(w->s, &m, NULL) != CV_OK) {
            w->ok = 0;
        }
    }
    return NULL;
}

static void test_threads(void)
{
    char dir[256];
    struct store *s = NULL;
    struct writer w[4];
    pthread_t t[4];
    int64_t n = 0;
    int i, ok = 1;

    data_path(dir, sizeof dir, "threads");
    CHECK_EQ_INT(store_open(dir, &s), 0, "open for threads");
    for (i = 0; i < 4; i++) {
        w[i].s = s;
        w[i].base = i;
        pthread_create(&t[i], NULL, writer_run, &w[i]);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ok = ok && w[i].ok;
    }
    CHECK(ok, "four threads write without errors");
    CHECK(store_member_count(s, &n) == CV_OK && n == 200, "every write landed");
    store_close(s);
}

/* The WAL frames in the log and how many a PASSIVE checkpoint finds copied. */
static void wal_frames(struct store *s, int *log, int *copied)
{
    store_lock(s);
    if (sqlite3_wal_checkpoint_v2(store_db(s), NULL, SQLITE_CHECKPOINT_PASSIVE, log,
                                  copied) != SQLITE_OK)
        *log = *copied = -1;
    store_unlock(s);
}

/* store_checkpoint_ahead copies the whole WAL into the database file from its
 * own connection, and a TRUNCATE checkpoint (store_compact) then empties it. */
static void test_checkpoint_ahead(void)
{
    char dir[256];
    struct store *s = NULL;
    struct store_member m = member("carol", "Carol");
    int log = 0, copied = 0;

    snprintf(dir, sizeof dir, "%s/ahead", tmp_root);
    CHECK_EQ_INT(store_open(dir, &s), 0, "open a store for the checkpoint");
    CHECK_EQ_INT(exec_sql(s, "PRAGMA wal_autocheckpoint=0"), 0, "no automatic checkpoints");
    CHECK_EQ_INT(store_member_insert(s, &m, NULL), CV_OK, "a row in the WAL");
    CHECK_EQ_INT(exec_sql(s, "CREATE TABLE t (x); INSERT INTO t VALUES (randomblob(100000))"), 0,
                 "more rows in the WAL");
    CHECK_EQ_INT(store_checkpoint_ahead(s), 0, "checkpoint ahead, from its own connection");
    wal_frames(s, &log, &copied);
    CHECK(log > 10 && copied == log, "every frame of the WAL is in the database file");
    CHECK_EQ_INT(store_compact(s, 0), 0, "TRUNCATE checkpoint after it");
    wal_frames(s, &log, &copied);
    CHECK_EQ_INT(log, 0, "the WAL is empty");
    CHECK_EQ_INT(store_member_get(s, "carol", &m), CV_OK, "nothing lost");
    store_close(s);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One commit of ~1,500 pages (8 KiB each, one 6 kB row a page): past the
 * 1,000 frames at which SQLite's autocheckpoint would copy the WAL. */
static const char SQL_LONG_COMMIT[] =
    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1500)"
    " INSERT INTO t SELECT randomblob(6000) FROM c";

/* The database file's size (the WAL's pages reach it only by a checkpoint). */
static long long db_size(const char *dir)
{
    char p[512];
    struct stat sb;

    snprintf(p, sizeof p, "%s/conclave.db", dir);
    return stat(p, &sb) == 0 ? (long long)sb.st_size : -1;
}

struct wal_seen {
    int calls;
    int most;
};

static void wal_seen(void *arg, int frames)
{
    struct wal_seen *w = arg;

    w->calls++;
    if (frames > w->most)
        w->most = frames;
}

struct locker {
    sqlite3 *db;
    volatile int locked;
};

/* Holds the database's write lock from another connection for 100 ms. */
static void *lock_briefly(void *arg)
{
    struct locker *l = arg;
    struct timespec ts = {0, 100000000L};

    if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return NULL;
    l->locked = 1;
    nanosleep(&ts, NULL);
    sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL);
    return NULL;
}

/* A write that finds the database locked by another connection waits for it
 * (store_busy_set) and then goes through, without a busy error. */
static void test_busy_wait(void)
{
    char dir[256], file[300];
    struct store *s = NULL;
    struct locker l = {NULL, 0};
    struct store_member m = member("dave", "Dave");
    pthread_t t;
    double t0, waited;

    data_path(dir, sizeof dir, "busy");
    snprintf(file, sizeof file, "%s/conclave.db", dir);
    CHECK_EQ_INT(store_open(dir, &s), 0, "open a store to lock");
    CHECK_EQ_INT(sqlite3_open(file, &l.db), SQLITE_OK, "a second connection");
    CHECK_EQ_INT(pthread_create(&t, NULL, lock_briefly, &l), 0, "lock it from a thread");
    while (!l.locked)
        sched_yield();
    t0 = now_s();
    CHECK_EQ_INT(store_member_insert(s, &m, NULL), CV_OK, "the write waits, then succeeds");
    waited = now_s() - t0;
    CHECK(waited > 0.05 && waited < 2, "it waited for the other connection's commit");
    pthread_join(t, NULL);
    sqlite3_close(l.db);
    store_close(s);
}

/* store_watch_wal: each commit reports the WAL's length and copies nothing
 * into the database file; without a watcher, the autocheckpoint is back. */
static void test_watch_wal(void)
{
    char dir[256];
    struct store *s = NULL;
    struct wal_seen seen = {0, 0};
    long long size0;

    data_path(dir, sizeof dir, "watch");
    CHECK_EQ_INT(store_open(dir, &s), 0, "open a store to watch its WAL");
    CHECK_EQ_INT(exec_sql(s, "CREATE TABLE t (x BLOB)"), 0, "a table");
    size0 = db_size(dir);
    CHECK_EQ_INT(store_watch_wal(s, wal_seen, &seen), 0, "watch the WAL");
    CHECK_EQ_INT(exec_sql(s, SQL_LONG_COMMIT), 0, "a commit of 1,500 pages");
    CHECK(seen.calls == 1 && seen.most >= 1500, "the watcher heard of that commit's frames");
    CHECK(size0 > 0 && db_size(dir) == size0, "the commit copied nothing into the database");
    CHECK_EQ_INT(store_watch_wal(s, NULL, NULL), 0, "stop watching");
    CHECK_EQ_INT(exec_sql(s, "INSERT INTO t VALUES (1)"), 0, "one more commit");
    CHECK_EQ_INT(seen.calls, 1, "the watcher is gone");
    CHECK(db_size(dir) > size0 + 8000000, "the autocheckpoint copied the WAL again");
    store_close(s);
}

/* The checkpointer copies a long WAL into the database file on its thread. */
static void test_checkpointer(void)
{
    char dir[256];
    struct store *s = NULL;
    long long size0;
    double until;

    data_path(dir, sizeof dir, "checkpointer");
    CHECK_EQ_INT(store_open(dir, &s), 0, "open a store for the checkpointer");
    CHECK_EQ_INT(exec_sql(s, "CREATE TABLE t (x BLOB)"), 0, "a table");
    size0 = db_size(dir);
    CHECK(store_durable_start(s) == 0, "start the checkpointer");
    CHECK(exec_sql(s, SQL_LONG_COMMIT) == 0, "a commit of 1,500 pages");
    until = now_s() + 10;
    while (db_size(dir) < size0 + 8000000 && now_s() < until)
        sched_yield();
    CHECK(db_size(dir) > size0 + 8000000, "the checkpointer copied the WAL");
    store_durable_stop(s);
    CHECK(query_int(s, "SELECT count(*) FROM t") == 1500, "nothing lost");
    store_close(s);
}

struct holder {
    struct store *s;
    volatile int holding;
};

/* Holds the store's lock for 1.5 s, as a long commit would. */
static void *hold_lock(void *arg)
{
    struct holder *h = arg;
    struct timespec ts = {1, 500000000L};

    store_lock(h->s);
    h->holding = 1;
    nanosleep(&ts, NULL);
    store_unlock(h->s);
    return NULL;
}

/* store_read_stmt reads on the thread's own connection: it sees the last
 * commit and does not wait for the store's lock. */
static void test_readers(void)
{
    static const char sql[] = "SELECT count(*) FROM members";
    char dir[256];
    struct store *s = NULL;
    struct store_member m = member("dave", "Dave");
    struct holder h;
    pthread_t th;
    sqlite3_stmt *st;
    double t0, took;
    long long n = -1;

    snprintf(dir, sizeof dir, "%s/readers", tmp_root);
    CHECK_EQ_INT(store_open(dir, &s), 0, "open a store for the readers");
    CHECK_EQ_INT(store_member_insert(s, &m, NULL), CV_OK, "a member, committed");
    h.s = s;
    h.holding = 0;
    CHECK_EQ_INT(pthread_create(&th, NULL, hold_lock, &h), 0, "a thread holds the lock");
    while (!h.holding)
        sched_yield();
    t0 = now_s();
    if ((st = store_read_stmt(s, sql)) != NULL && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    store_stmt_reset(st);
    took = now_s() - t0;
    CHECK_EQ_INT(n, 1, "the reader sees the committed member");
    CHECK(took < 0.5, "the read did not wait for the lock");
    CHECK(store_read_stmt(s, sql) == st, "the statement is cached by its SQL");
    pthread_join(th, NULL);
    m = member("erin", "Erin");
    CHECK_EQ_INT(store_member_insert(s, &m, NULL), CV_OK, "another member");
    n = -1;
    if ((st = store_read_stmt(s, sql)) != NULL && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    store_stmt_reset(st);
    CHECK_EQ_INT(n, 2, "a later read sees the later commit");
    CHECK(store_read_stmt(s, "DELETE FROM members") == NULL ||
          sqlite3_step(store_read_stmt(s, "DELETE FROM members")) != SQLITE_DONE,
          "the reader cannot write");
    store_close(s);
}

/* The changes to a member: a new password ends every session but the one
 * kept and the member's set-password links; reactivating ends nothing; an
 * API token's hash is unique (a second insert is a conflict, not an error). */
static void test_member_changes(void)
{
    static const char csrf[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    unsigned char keep[32] = {7}, other[32] = {8}, link[32] = {9}, tok[32] = {10};
    struct store_member m = member("gina", "Gina");
    struct store *s = NULL;
    char dir[256];
    int64_t id = 0, tid = 0;

    data_path(dir, sizeof dir, "changes");
    CHECK(store_open(dir, &s) == 0 && store_member_insert(s, &m, &id) == CV_OK,
          "a member");
    if (s == NULL)
        return;
    CHECK(store_session_insert(s, keep, id, csrf, 10, 100) == CV_OK &&
          store_session_insert(s, other, id, csrf, 10, 100) == CV_OK &&
          store_link_insert(s, id, link, 10, 100) == CV_OK, "two sessions and a link");
    CHECK(store_member_set_password(s, "GINA", "$argon2id$y", 1, 50, keep) == CV_OK,
          "a one-time password, keeping one session");
    CHECK(query_int(s, "SELECT count(*) FROM sessions") == 1 &&
          query_int(s, "SELECT count(*) FROM sessions WHERE id_hash = x'07" "00000000000000"
                       "000000000000000000000000000000000000000000000000'") == 1,
          "the kept session stays, the other is gone");
    CHECK(query_int(s, "SELECT count(*) FROM password_links") == 0, "the link is gone");
    CHECK(query_int(s, "SELECT password_one_time * 1000 + password_expires_at FROM members")
          == 1050, "one-time and its expiry stored");
    CHECK(store_member_set_active(s, "gina", 1) == CV_OK &&
          query_int(s, "SELECT count(*) FROM sessions") == 1, "reactivating ends nothing");
    CHECK(store_token_insert(s, id, "cli", tok, 10, &tid) == CV_OK && tid > 0,
          "a token, with its id");
    CHECK(store_token_insert(s, id, "again", tok, 11, NULL) == CV_CONFLICT,
          "the same token hash again: CV_CONFLICT");
    store_close(s);
}

int main(void)
{

    if (mkdtemp(tmp_root) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_open();
    test_refuse_modes();
    test_roll_voted();
    test_same_nominee();
    test_poll_id_taken();
    test_transactions();
    test_asserts();
    test_members();
    test_member_changes();
    test_threads();
    test_checkpoint_ahead();
    test_busy_wait();
    test_watch_wal();
    test_checkpointer();
    test_readers();
    harness_remove_tree(tmp_root);
    TEST_MAIN_END("test_store");
}
