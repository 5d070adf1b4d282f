/*
 * auth_internal.h — what auth.c, auth_member.c and auth_import.c share and
 * nobody else needs: the layout of struct auth and its password helpers.
 */
#ifndef CONCLAVE_AUTH_INTERNAL_H
#define CONCLAVE_AUTH_INTERNAL_H

#include <pthread.h>
#include <sodium.h>

#include "auth.h"
#include "ratelimit.h"

struct auth {
    struct store *st;                       /* not owned */
    int64_t session_ttl;
    int64_t (*now)(void *ctx);
    void *now_ctx;
    char dummy_hash[crypto_pwhash_STRBYTES];
    pthread_mutex_t mu;                     /* guards busy */
    pthread_cond_t cv;
    int busy;                               /* argon2 runs in progress */
    struct ratelimit *failures;             /* failed logins per (username, client) */
    struct mail *mail;                      /* NULL: mail is off (auth_set_mail) */
    struct ratelimit *reset_clients;        /* reset requests per client address */
    struct ratelimit *reset_members;        /* reset mails per member */
    int password_login;                     /* 0: admins only (auth_set_password_login) */
};

/* With mail on and member M active with an address: a set-password link
 * valid TTL seconds, and the mail of KIND (MAIL_INVITATION or MAIL_RESET)
 * that carries it, queued, inside the caller's transaction. CV_OK,
 * CV_NOT_FOUND when mail is off or M has no address (nothing done), or
 * CV_ERROR. */
int auth_mail_link(struct auth *a, const struct store_member *m, const char *kind,
                   int64_t ttl, int64_t now);

/* The current time in unix seconds (the injected clock or time()). */
int64_t auth_now(const struct auth *a);

/* Hashes PASSWORD with argon2id (interactive limits) into out
 * (crypto_pwhash_STRBYTES), waiting for a free argon2 slot. 0 / -1. */
int auth_password_hash(struct auth *a, const char *password, char *out);

/* One argon2 verification of PASSWORD (LEN bytes) against HASH, waiting for
 * a free argon2 slot; 1 if it matches. */
int auth_password_verify(struct auth *a, const char *hash, const char *password, size_t len);

/* The throttle's key for USERNAME (case folded) from CLIENT into KEY (CAP
 * bytes: AUTH_USERNAME_MAX + 64 holds any), for a->failures. */
void auth_pair_key(const char *username, const char *client, char *key, size_t cap);

/* Fills the public view of member M. */
void auth_user_fill(struct auth_user *u, const struct store_member *m);

/* Creates a session for member M at NOW, filling *out. */
enum cv_err auth_session_create(struct auth *a, const struct store_member *m,
                                int64_t now, struct auth_session *out);

/* Appends an entry to the audit log (inside the caller's transaction, if
 * any): ACTOR did ACTION to SUBJECT (may be NULL), DETAIL (may be NULL). */
int auth_audit(struct auth *a, const char *actor, const char *action, const char *subject,
               const char *detail);

/* Ends the transaction of an admin action: with RC CV_OK, writes the audit
 * entry (auth_audit) and commits; otherwise, or if that fails, rolls back.
 * The outcome (RC, or CV_ERROR). */
int auth_finish(struct auth *a, int rc, const char *actor, const char *action,
                const char *subject, const char *detail);

/* NULL if LABEL (NULL allowed) is a valid token label, else why not. */
const char *auth_check_label(const char *label);

/* Parses a 64-hex session cookie and hashes the 32 bytes it encodes, as the
 * store keys sessions. 0 / -1. */
int auth_cookie_hash(const char *cookie, unsigned char hash[32]);

/* Copies S to a fixed buffer of CAP bytes; -1 if it does not fit. */
int auth_copy(char *dst, size_t cap, const char *s);

/* Writes a fresh API token ("cnv_" + 43 base64url; AUTH_TOKEN_LEN + 1 bytes)
 * to token_out and its SHA-256 to hash. */
void auth_token_new(char *token_out, unsigned char hash[32]);

#endif
