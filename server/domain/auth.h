/*
 * auth.h — accounts, sessions and API tokens: the rules on top of the store.
 *
 * A `struct auth` is created once per process over an open store and shared by
 * every thread. It owns the dummy password hash (so that unknown users cost
 * one argon2 verification like known ones) and a counting semaphore that lets
 * at most AUTH_MAX_VERIFIERS password verifications run at once.
 *
 * Secrets handed out (session ids, CSRF tokens, API tokens, generated
 * passwords) are returned once, in caller-provided buffers; the store keeps
 * only SHA-256 of session ids and tokens and argon2id hashes of passwords.
 * Nothing here logs.
 */
#ifndef CONCLAVE_AUTH_H
#define CONCLAVE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

#define AUTH_USERNAME_MAX       STORE_USERNAME_MAX  /* 39 ASCII characters */
#define AUTH_DISPLAY_CHARS_MAX  100                 /* UTF-8 characters */
#define AUTH_PASSWORD_MIN       10                  /* bytes */
#define AUTH_PASSWORD_MAX       1024                /* bytes */
#define AUTH_SESSION_ID_LEN     64      /* lowercase hex of 32 random bytes */
#define AUTH_CSRF_LEN           STORE_CSRF_LEN      /* lowercase hex of 32 bytes */
#define AUTH_TOKEN_LEN          47      /* "cnv_" + 43 base64url characters */
#define AUTH_GENPASS_LEN        20      /* generated passwords */
#define AUTH_CLIENT_FAILURES    5       /* failed logins per (username, client) ... */
#define AUTH_CLIENT_WINDOW      900     /* ... refilled over 15 minutes: one per 3 */
#define AUTH_MAX_VERIFIERS      2       /* concurrent argon2 verifications */
#define AUTH_SESSION_TTL        (12 * 3600)
#define AUTH_ONE_TIME_TTL       (72 * 3600)     /* an admin-made password, unused */
#define AUTH_LINK_TTL           (72 * 3600)     /* a set-password link */
#define AUTH_LINK_LEN           43      /* base64url of 32 random bytes */
#define AUTH_TOKENS_MAX         20      /* unrevoked API tokens per member */

struct auth;

struct auth_options {
    int64_t session_ttl;            /* seconds; 0 = AUTH_SESSION_TTL */
    /* Clock in unix seconds; NULL = time(). Tests use it to move time. */
    int64_t (*now)(void *ctx);
    void *now_ctx;
};

/* What the HTTP layer shows of a member (GET /api/v1/me, login answer). */
struct auth_user {
    int64_t id;
    char username[AUTH_USERNAME_MAX + 1];
    char display_name[STORE_DISPLAY_NAME_MAX + 1];
    int admin;                      /* 0 or 1 */
    int must_change;                /* logged in with a one-time password: until
                                       they choose their own, nothing else */
};

/* A new session as handed to the client: id goes into the cookie. */
struct auth_session {
    char id[AUTH_SESSION_ID_LEN + 1];
    char csrf_token[AUTH_CSRF_LEN + 1];
    int64_t expires_at;
    struct auth_user user;
};

/* Creates the auth context over ST (not owned; must outlive it). OPT may be
 * NULL for defaults. Computes the dummy hash (one argon2 run). 0 / -1. */
int auth_open(struct store *st, const struct auth_options *opt, struct auth **out);

/* Frees the context; NULL is a no-op. */
void auth_close(struct auth *a);

/* Sets the failed logins allowed per (username, client) before that pair is
 * slowed down (default AUTH_CLIENT_FAILURES, refilled over
 * AUTH_CLIENT_WINDOW); 0 removes the limit. Call before serving. 0 / -1. */
int auth_set_attempt_limit(struct auth *a, unsigned failures);

/* --- validation: NULL when valid, else a short reason for the user -------- */

/* 1–39 of [A-Za-z0-9-], no leading/trailing hyphen, no "--". */
const char *auth_check_username(const char *username);
/* Valid UTF-8, 1–100 characters, no control characters, not all blank. */
const char *auth_check_display_name(const char *name);
/* "" (none) or local@domain, ≤ 254 bytes, printable ASCII, no spaces. */
const char *auth_check_email(const char *email);
/* 10–1024 bytes, no NUL (C string). */
const char *auth_check_password(const char *password);

/* --- login, sessions, tokens (the HTTP layer) ----------------------------- */

/* Checks USERNAME/PASSWORD for the client CLIENT (an address key,
 * http_request_client; NULL or "" is one client of its own). Every
 * non-throttled attempt costs exactly one argon2 verification (a dummy one
 * for unknown, deactivated or password-less members).
 *
 * Failures are counted per (username, client), in memory, never per
 * username alone: a correct password is never refused because other clients
 * failed. A pair gets AUTH_CLIENT_FAILURES failures at once, then one more
 * every AUTH_CLIENT_WINDOW / AUTH_CLIENT_FAILURES seconds; past that its
 * attempts return CV_THROTTLED without verifying, with *retry_after the
 * seconds until the next one is allowed. A success forgets the pair's
 * failures. A one-time password (made by an admin) that is right but older
 * than AUTH_ONE_TIME_TTL gives CV_EXPIRED (said only to whoever knows it);
 * a fresh one gives a session whose user.must_change is 1. Wrong credentials
 * (or none) are CV_BAD_CREDENTIALS. On CV_OK, *out
 * holds a new session; the caller sets the cookie
 * from out->id and then should sodium_memzero(out). Blocks while
 * AUTH_MAX_VERIFIERS verifications are running. retry_after may be NULL. */
enum cv_err auth_login(struct auth *a, const char *username, const char *password,
                       const char *client, struct auth_session *out, int *retry_after);

/* Looks up a session by its cookie value (64 lowercase hex). CV_OK fills
 * *user and csrf_out (AUTH_CSRF_LEN + 1 bytes, may be NULL); CV_UNAUTHENTICATED if
 * malformed, unknown, expired, or the member is deactivated. */
enum cv_err auth_session_lookup(struct auth *a, const char *cookie,
                                struct auth_user *user, char *csrf_out);

/* Ends the session named by COOKIE. CV_OK (also if it did not exist: logout
 * is idempotent), CV_ERROR on a store error. */
enum cv_err auth_session_delete(struct auth *a, const char *cookie);

/* 1 if GIVEN equals the session's CSRF token EXPECTED (constant time), else 0.
 * GIVEN may be NULL (header missing). */
int auth_csrf_equal(const char *expected, const char *given);

/* Looks up an API token (the text after "Bearer "). CV_OK fills *user;
 * CV_UNAUTHENTICATED if malformed, unknown, revoked, or the member is deactivated. */
enum cv_err auth_token_lookup(struct auth *a, const char *bearer, struct auth_user *user);

/* --- a member's own account (auth_account.c) ------------------------------- */

/* Changes the member's own password, as /account does: CURRENT must be their
 * password (checked like a login, throttled per (username, CLIENT)), except
 * right after a login with a one-time password (user->must_change), when
 * NEW must only differ from it. NEW follows auth_check_password. Ends the
 * member's other sessions, keeping the one of cookie KEEP (may be NULL).
 * CV_INVALID with *why, CV_THROTTLED with *retry_after, CV_ERROR. */
enum cv_err auth_password_change(struct auth *a, const struct auth_user *user,
                                 const char *current, const char *next,
                                 const char *client, const char *keep,
                                 int *retry_after, const char **why);

/* Whether USER has a password they may use here: one is set (a member made
 * by a first login through the identity provider has none) and password
 * login is on for them (on, or they are an admin). *usable 0 or 1; CV_OK,
 * CV_NOT_FOUND, CV_ERROR. */
enum cv_err auth_password_usable(struct auth *a, const struct auth_user *user, int *usable);

/* The member a set-password link LINK (AUTH_LINK_LEN characters) is for, if
 * the link is unused, unexpired and the member active: CV_OK and *user;
 * CV_INVALID otherwise. */
enum cv_err auth_link_check(struct auth *a, const char *link, struct auth_user *user);

/* Uses LINK: sets PASSWORD (auth_check_password) as the member's own,
 * deletes the link (single use) and every session, and logs the member in
 * (*out as for auth_login). CV_INVALID with *why. */
enum cv_err auth_link_use(struct auth *a, const char *link, const char *password,
                          struct auth_session *out, const char **why);

/* Creates an API token for the member USER_ID themselves (label may be NULL;
 * at most AUTH_TOKENS_MAX unrevoked), as auth_token_create without an actor;
 * revokes token ID if it is theirs. CV_INVALID with *why. */
enum cv_err auth_token_create_own(struct auth *a, const struct auth_user *user,
                                  const char *label, char *token_out, const char **why);
enum cv_err auth_token_revoke_own(struct auth *a, const struct auth_user *user,
                                  int64_t id, const char **why);

/* --- administration (auth_member.c: the admin pages and the CLI) -------------
 * Each admin action is written to the audit log, in the same transaction, as
 * done by ACTOR: an admin's username, "cli:USER" for the admin commands (USER
 * the operating system's user), or "server". They return CV_OK,
 * CV_INVALID with *why set to a one-line reason ("no such member",
 * "username taken", a validation message), or CV_ERROR. */

struct auth_member_new {
    const char *username;
    const char *display_name;       /* NULL or "" = the username */
    const char *email;              /* NULL or "" = none */
    int admin;
    const char *password;           /* NULL = no password */
    int one_time;                   /* the password is one an admin hands over:
                                       one use, expires after AUTH_ONE_TIME_TTL */
};

/* Validates and creates an active member, hashing the password if any. */
enum cv_err auth_member_add(struct auth *a, const struct auth_member_new *m,
                            const char *actor, const char **why);

/* Activates or deactivates a member; deactivating ends its sessions, its
 * sessions and tokens stop working while it is inactive, and every open
 * poll whose roll holds it counts one member deactivated during the poll. */
enum cv_err auth_member_set_active(struct auth *a, const char *username, int active,
                                   const char *actor, const char **why);

/* Validates PASSWORD and sets it as USERNAME's password, one-time (ONE_TIME:
 * an admin hands it over) or the member's own; ends the member's sessions
 * and set-password links. Audited as a password reset. */
enum cv_err auth_member_set_password(struct auth *a, const char *username,
                                     const char *password, int one_time,
                                     const char *actor, const char **why);

/* Makes a set-password link for USERNAME (active): LINK_OUT gets its
 * secret (AUTH_LINK_LEN + 1 bytes; the page is /set-password?link=SECRET),
 * *expires_out its expiry (may be NULL). Replaces the member's older link;
 * only its SHA-256 is stored. */
enum cv_err auth_link_create(struct auth *a, const char *username, const char *actor,
                             char *link_out, int64_t *expires_out, const char **why);

/* Creates an API token for USERNAME (label may be NULL); writes it to
 * token_out (AUTH_TOKEN_LEN + 1 bytes) and its id to *id_out (may be NULL).
 * Only the token's SHA-256 is stored. ACTOR non-NULL: made by an admin for
 * the member, audited (in a transaction of its own: not inside store_begin);
 * NULL: not audited, and callable inside the caller's transaction. */
enum cv_err auth_token_create(struct auth *a, const char *username, const char *label,
                              const char *actor, char *token_out, int64_t *id_out,
                              const char **why);

/* Revokes token ID. CV_INVALID if none or already revoked. Audited. */
enum cv_err auth_token_revoke(struct auth *a, int64_t id, const char *actor,
                              const char **why);

/* Writes a fresh random password of AUTH_GENPASS_LEN characters (base58
 * alphabet, ~117 bits) and a NUL to out (AUTH_GENPASS_LEN + 1 bytes). */
void auth_password_generate(char *out);

/* If the roster is empty, creates the admin member "admin" with a generated
 * one-time password written to password_out (AUTH_GENPASS_LEN + 1 bytes) and
 * sets *created = 1; otherwise *created = 0 and password_out is "". The
 * caller prints the password once (stderr) and wipes it. 0 / -1. */
int auth_bootstrap_admin(struct auth *a, char *password_out, int *created);

/* What a member's account is like, for the roster. */
enum auth_member_state {
    AUTH_STATE_ACTIVE,          /* has their own password */
    AUTH_STATE_NO_PASSWORD,     /* imported: no way in yet */
    AUTH_STATE_LINK_PENDING,    /* no password, a set-password link waits */
    AUTH_STATE_MUST_CHANGE,     /* a one-time password, unused, unexpired */
    AUTH_STATE_EXPIRED,         /* a one-time password that expired */
    AUTH_STATE_DEACTIVATED
};

/* M's state at NOW (m->link_expires_at from store_member_list), and a short
 * text for it ("active", "no password yet", "invitation pending", "must
 * change password", "one-time password expired", "deactivated"). */
enum auth_member_state auth_member_state(const struct store_member *m, int64_t now);
const char *auth_member_state_text(enum auth_member_state st);

/* The current time of A's clock (unix seconds). */
int64_t auth_time(const struct auth *a);

/* --- mail (auth_mail.c): invitations and password resets -----------------
 * With mail on (the server's --smtp-url), a member added or imported without
 * a password and with an address gets an invitation: a set-password link
 * (AUTH_LINK_TTL, single use) by mail, queued in the transaction that adds
 * them. */

struct mail;

/* Turns mail on (M non-NULL; not owned) or off. Call before serving. */
void auth_set_mail(struct auth *a, struct mail *m);

/* 1 if mail is on. */
int auth_mail_on(const struct auth *a);

/* Sends USERNAME (active, with an address, without a password of their
 * own) a new invitation, replacing their older link; audited as done by
 * ACTOR. CV_INVALID with *why (mail off, no address, has a password). */
enum cv_err auth_invite(struct auth *a, const char *username, const char *actor,
                             const char **why);

/* "Forgot your password?": WHO is a username or an address. If it names an
 * active member with an address, a reset link (MAIL_RESET_TTL, single use)
 * is mailed to that address; otherwise nothing happens. The answer is the
 * same either way: CV_OK; CV_THROTTLED (*retry_after) when CLIENT asked
 * too often (whatever it asked for); CV_INVALID when mail is off;
 * CV_ERROR. A member gets at most one reset mail every 2 minutes (more
 * requests are answered CV_OK and send nothing). */
enum cv_err auth_reset_request(struct auth *a, const char *who, const char *client,
                                    int *retry_after);

/* Whether member ID gets the poll notices; turning them on or off. */
enum cv_err auth_notices_get(struct auth *a, int64_t member_id, int *on);
enum cv_err auth_notices_set(struct auth *a, int64_t member_id, int on);

/* --- login through an OpenID provider (auth_oidc.c) ------------------------
 * The provider's word on who logs in (oidc.c checked the ID token): which
 * member it is follows from the link (issuer, subject) alone once it exists;
 * before that, from a verified email equal to one member's (then linked);
 * with a group that makes the roster (roster_from_group), a first login
 * by a group member who matches nobody creates the member (and the link). */

struct auth_oidc_identity {
    const char *issuer;
    const char *subject;            /* sub */
    const char *email;              /* NULL if absent */
    int email_verified;             /* 1 only if the provider says so */
    const char *username;           /* preferred_username, NULL if absent */
    const char *name;               /* the display name, NULL if absent */
    int in_group;                   /* in the required group, or none is required */
    int roster_from_group;          /* --oidc-group: a group member may be created */
};

/* Logs in the member the provider names (see above); a refusal is one of
 * CV_NOT_IN_GROUP, CV_DEACTIVATED, CV_NOT_MEMBER (nobody linked, no verified
 * email matching one member, no group to create from), CV_CONFLICT (the
 * username the provider gives is taken, or the member matched by email is
 * linked to another subject; *why says which); CV_ERROR. On CV_OK, *out
 * as for auth_login. With password login off, the sessions this makes are
 * the only ones non-admins get. */
enum cv_err auth_oidc_login(struct auth *a, const struct auth_oidc_identity *id,
                            struct auth_session *out, const char **why);

/* Makes a Conclave username of the provider's NAME (preferred_username):
 * the part before an '@', every character outside [A-Za-z0-9-] a hyphen,
 * no doubled, leading or trailing hyphen, at most AUTH_USERNAME_MAX
 * characters. 0 with OUT (AUTH_USERNAME_MAX + 1 bytes), or -1 if nothing
 * is left. */
int auth_oidc_username(const char *name, char *out);

/* Password login off (--password-login off): auth_login and auth_link_use
 * then refuse every member but admins with CV_FORBIDDEN (after checking the
 * password: only who knows it learns that). Call before serving. */
void auth_set_password_login(struct auth *a, int on);

/* --- CSV import (auth_import.c) ------------------------------------------- */

struct auth_import_stats {
    int created;
    int updated;
};

/* Imports members from CSV text (RFC 4180; columns username, display name,
 * email; an optional header row whose first field is "username"; blank lines
 * skipped; an empty display name means the username). New members are active,
 * non-admin, without password; existing ones get the new display name and
 * email. All rows in one transaction: any bad row rejects the whole file, and
 * err (ERR_LEN bytes) says "line N: reason". An import that changes anything
 * is audited as done by ACTOR. CV_OK / CV_INVALID / CV_ERROR. */
enum cv_err auth_import_csv(struct auth *a, const char *csv, size_t len,
                            const char *actor, struct auth_import_stats *stats,
                            char *err, size_t err_len);

#endif
