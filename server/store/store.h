/*
 * store.h — Conclave's SQLite store: DIR/conclave.db and the rows of the
 * accounts domain (members, sessions, API tokens, the audit log).
 *
 * One `struct store` per process, shared by every thread. Each function below
 * takes the store's (recursive) mutex for its duration, so single calls are
 * atomic. Several calls that must be atomic together go between
 * store_begin() and store_commit()/store_rollback(), which hold the mutex and
 * a write transaction (BEGIN IMMEDIATE) for the whole span.
 *
 * The header speaks in our own types only: SQLite, its statements and their
 * column readers are the store's business (store_int.h, which only the
 * store_*.c files include).
 *
 * Return values (enum cv_err, err.h, returned as int): CV_OK (0) on success,
 * CV_ERROR (-1) on an SQLite or I/O error, and for lookups CV_NOT_FOUND;
 * inserts that violate a uniqueness rule CV_CONFLICT.
 */
#ifndef CONCLAVE_STORE_H
#define CONCLAVE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"


#define STORE_USERNAME_MAX      39          /* characters (ASCII) */
#define STORE_DISPLAY_NAME_MAX  400         /* bytes: 100 UTF-8 characters */
#define STORE_EMAIL_MAX         254         /* bytes */
#define STORE_PWHASH_MAX        128         /* crypto_pwhash_STRBYTES */
#define STORE_LABEL_MAX         100         /* bytes of a token label */
#define STORE_CSRF_LEN          64          /* hex characters */

struct store;

/* --- opening, schema, locking, transactions (store.c) ------------------- */

/* Opens DATA_DIR/conclave.db, creating DATA_DIR (0700) and the database (0600)
 * when absent, sets WAL, synchronous=FULL, foreign_keys=ON and a 5 s busy
 * timeout, then applies the embedded migrations newer than the database, each
 * in one transaction. Refuses a database file readable or writable by group or
 * others, and a database whose schema is newer than this binary. On failure
 * returns -1, writes one line "conclave: ..." to stderr and sets *out = NULL. */
int store_open(const char *data_dir, struct store **out);

/* As store_open, for a process beside a running server (an admin command):
 * refuses a database whose schema is older than this binary's instead of
 * migrating it under a server that still uses the old schema. */
int store_open_beside(const char *data_dir, struct store **out);

/*
 * Takes DATA_DIR (created 0700 if absent) for one server alone: an exclusive
 * flock on the directory, held until the descriptor is closed or the process
 * ends, a crash included. A second server on the same data would keep its own
 * running aggregates (ballotbox.c) and could close a poll from one that
 * misses the other's replacements: a signed, wrong result. Waits up to 10 s
 * for admin commands (store_dir_share) to finish; refuses at once when a
 * server holds it. Returns the descriptor, or -1 with one line on stderr.
 */
int store_dir_lock(const char *data_dir);

/*
 * For an admin command: a shared flock on DATA_DIR (created 0700 if absent),
 * to hold while it works. 0 with *fd_out set (no server runs on it, and none
 * will start until *fd_out is closed: the command may migrate the database);
 * 1 with *fd_out = -1 when a server holds the directory (open the store with
 * store_open_beside); -1 on an error, with one line on stderr.
 */
int store_dir_share(const char *data_dir, int *fd_out);

/* Writes (store_backup.c) a consistent copy of the database (the last commit, WAL included,
 * every page rebuilt in key order) to PATH, a file that must not exist:
 * mode 0600, synced, checked with PRAGMA quick_check. *OPEN_POLLS: the polls
 * open at that moment, whose secret keys the copy holds (-1 if unknown).
 * 0, or -1 with one line in ERR. */
int store_backup(struct store *s, const char *path, long *open_polls, char *err, size_t errlen);

/* Finalizes every statement and closes the database; NULL is a no-op. */
void store_close(struct store *s);

/* The schema version of the open database (highest applied migration). */
int store_schema_version(struct store *s);

/* 1 if the calling thread holds S's mutex (inside store_begin ... commit,
 * or a store function's own span), else 0; 1 if it has S's write
 * transaction open. For assert(): the invariants the store and the cast
 * path rely on ("every statement runs with the mutex held", "a cast is
 * applied in the group's transaction"). */
int store_lock_held(const struct store *s);
int store_in_tx(const struct store *s);

/* Takes the mutex and starts a write transaction (BEGIN IMMEDIATE, waiting up
 * to the busy timeout for other processes). Waits first, without the mutex
 * (unless the caller holds it), while a compaction after a close runs
 * (store_durable.h).
 * Transactions do not nest. On failure the mutex is released and -1 returned. */
int store_begin(struct store *s);

/* Commits and releases the mutex. If COMMIT fails the transaction is rolled
 * back, the mutex released, and -1 returned. */
int store_commit(struct store *s);

/* Rolls back and releases the mutex. Returns -1 if ROLLBACK failed (the
 * mutex is released anyway). */
int store_rollback(struct store *s);

/* --- members (store_member.c) --------------------------------------------- */

struct store_member {
    int64_t id;
    char username[STORE_USERNAME_MAX + 1];
    char display_name[STORE_DISPLAY_NAME_MAX + 1];
    char email[STORE_EMAIL_MAX + 1];            /* "" when none */
    char password_hash[STORE_PWHASH_MAX + 1];   /* "" when none (imported) */
    int is_admin;                               /* 0 or 1 */
    int active;                                 /* 0 or 1 */
    int64_t created_at;                         /* unix seconds */
    int one_time;               /* the password was made by an admin: one use */
    int64_t password_expires_at;    /* when a one-time password expires; 0 never */
    int64_t link_expires_at;    /* a pending set-password link's expiry, 0 none
                                   (store_member_list only) */
};

/* Inserts M (id ignored; empty email/password_hash stored as NULL, and
 * password_expires_at 0 as NULL) and sets *id_out (may be NULL).
 * CV_CONFLICT if the username exists (any case). */
int store_member_insert(struct store *s, const struct store_member *m, int64_t *id_out);

/* Fetches a member by username (case-insensitive) or by id into *out.
 * CV_NOT_FOUND when there is none. */
int store_member_get(struct store *s, const char *username, struct store_member *out);
int store_member_get_id(struct store *s, int64_t id, struct store_member *out);

/* Number of members (active or not). */
int store_member_count(struct store *s, int64_t *n_out);

/* Calls FN for each member in username order; FN returning non-zero stops the
 * walk (store_member_list then returns that value). The lock is held during
 * the walk: FN must not block. */
int store_member_list(struct store *s,
                      int (*fn)(void *ctx, const struct store_member *m), void *ctx);

/* As store_member_list, with link_expires_at set from each member's pending
 * set-password link (unexpired at NOW): the roster's view. */
int store_member_roster(struct store *s, int64_t now,
                        int (*fn)(void *ctx, const struct store_member *m), void *ctx);

/*
 * The writes below change several rows: call them between store_begin and
 * store_commit (auth does, with the audit entry), so they apply together.
 */

/* Sets the active flag; deactivating also deletes the member's sessions and
 * marks them deactivated on the roll of every open poll whose roll has them
 * (poll_roll_deactivated). CV_NOT_FOUND if there is no such member. */
int store_member_set_active(struct store *s, const char *username, int active);

/* Replaces the password hash ("" clears it), one-time or the member's own
 * (ONE_TIME 0; EXPIRES_AT 0 = never), and deletes the member's sessions but
 * the one whose id hashes to KEEP (NULL: all): whoever logged in with the old
 * password is logged out (API tokens stay; revoke them apart). Also deletes
 * the member's set-password links. CV_NOT_FOUND if no member. */
int store_member_set_password(struct store *s, const char *username, const char *hash,
                              int one_time, int64_t expires_at,
                              const unsigned char keep[32]);

/* An open poll whose frozen roll holds a member. */
struct store_open_roll {
    char poll_id[64];
    char nominee[401];
    int64_t closes_at;
};

/* Calls FN for each open poll whose roll holds USERNAME, by closing time;
 * FN returning non-zero stops the walk and is returned. */
int store_member_open_rolls(struct store *s, const char *username,
                            int (*fn)(void *ctx, const struct store_open_roll *p),
                            void *ctx);

/* How many members of POLL_ID's roll were deactivated while it was open. */
int store_roll_deactivated_count(struct store *s, const char *poll_id, int64_t *n_out);

/* Sets display name and email ("" = none) of an existing member, or inserts a
 * new active non-admin member without password. For imports; call inside a
 * transaction to make a batch atomic. *created_out (may be NULL) tells which. */
int store_member_upsert(struct store *s, const char *username, const char *display_name,
                        const char *email, int64_t now, int *created_out);

/* --- sessions and API tokens (store_session.c) ---------------------------- */

/* Stores a session under SHA-256(id) with its CSRF token and expiry. */
int store_session_insert(struct store *s, const unsigned char id_hash[32],
                         int64_t member_id, const char *csrf_token,
                         int64_t created_at, int64_t expires_at);

/* Finds the unexpired (expires_at > now) session of an active member; fills
 * *member and csrf_out (STORE_CSRF_LEN + 1 bytes). CV_NOT_FOUND otherwise. */
int store_session_lookup(struct store *s, const unsigned char id_hash[32], int64_t now,
                         struct store_member *member, char *csrf_out);

/* Deletes one session (CV_NOT_FOUND if absent), all of a member's sessions,
 * or every session that expired at or before NOW. */
int store_session_delete(struct store *s, const unsigned char id_hash[32]);
int store_session_delete_member(struct store *s, int64_t member_id);
int store_session_purge(struct store *s, int64_t now);

struct store_token {
    int64_t id;
    int64_t member_id;
    char label[STORE_LABEL_MAX + 1];
    int64_t created_at;
    int64_t revoked_at;                 /* 0 while valid */
};

/* Stores a token's SHA-256 for MEMBER_ID and sets *id_out. */
int store_token_insert(struct store *s, int64_t member_id, const char *label,
                       const unsigned char token_hash[32], int64_t now, int64_t *id_out);

/* Finds the unrevoked token with this hash whose member is active; fills
 * *member. CV_NOT_FOUND otherwise. */
int store_token_lookup(struct store *s, const unsigned char token_hash[32],
                       struct store_member *member);

/* Calls FN for each token of MEMBER_ID (revoked ones included), by id. */
int store_token_list(struct store *s, int64_t member_id,
                     int (*fn)(void *ctx, const struct store_token *t), void *ctx);

/* Marks token ID revoked at NOW. CV_NOT_FOUND if there is no such token or
 * it was already revoked. */
int store_token_revoke(struct store *s, int64_t id, int64_t now);

/* As store_token_revoke, for a token of MEMBER_ID only (a member revoking
 * their own): CV_NOT_FOUND also when the token is someone else's. */
int store_token_revoke_own(struct store *s, int64_t member_id, int64_t id, int64_t now);

/* Number of MEMBER_ID's tokens not revoked. */
int store_token_count(struct store *s, int64_t member_id, int64_t *n_out);

/* --- set-password links (store_session.c) -------------------------------- */

/* Stores a link's SHA-256 for MEMBER_ID, valid until EXPIRES_AT, and deletes
 * the member's older links (one link at a time). */
int store_link_insert(struct store *s, int64_t member_id, const unsigned char hash[32],
                      int64_t now, int64_t expires_at);

/* Finds the unexpired link with this hash whose member is active; fills
 * *member. CV_NOT_FOUND otherwise. */
int store_link_lookup(struct store *s, const unsigned char hash[32], int64_t now,
                      struct store_member *member);

/* --- the audit log (store_audit.c) ---------------------------------------- */

#define STORE_ACTOR_MAX     80
#define STORE_ACTION_MAX    40
#define STORE_SUBJECT_MAX   100
#define STORE_DETAIL_MAX    1000

struct store_audit {
    int64_t id;
    int64_t at;
    char actor[STORE_ACTOR_MAX + 1];
    char action[STORE_ACTION_MAX + 1];
    char subject[STORE_SUBJECT_MAX + 1];    /* usually a username; "" none */
    char detail[STORE_DETAIL_MAX + 1];
};

/* Appends an entry (texts cut to their maximum at a UTF-8 boundary; SUBJECT
 * and DETAIL may be NULL). Inside the caller's transaction when there is
 * one, so the entry commits with the action it records. */
int store_audit_add(struct store *s, int64_t at, const char *actor, const char *action,
                    const char *subject, const char *detail);

/* Calls FN for up to LIMIT entries older than BEFORE_ID (0: from the newest),
 * newest first; FN returning non-zero stops the walk and is returned. */
int store_audit_list(struct store *s, int64_t before_id, int limit,
                     int (*fn)(void *ctx, const struct store_audit *e), void *ctx);

#endif
