/*
 * auth_mail.c — the accounts' mails: invitations (a member added or imported
 * gets a set-password link by mail) and password resets ("Forgot your
 * password?"), and a member's choice of poll notices.
 *
 * A link mailed is a set-password link as an admin makes one (auth_member.c):
 * single use, only its SHA-256 stored, replacing the member's older link;
 * the link and its mail are written in one transaction, so a mail is never
 * queued for a link that does not exist, nor a link made whose mail is lost.
 * The reset answers alike whether or not WHO names a member (the page says
 * "if this matches an account, a link is on its way"), and is throttled per
 * client and, silently, per member, so it can be used neither to learn who
 * is a member nor to flood someone's mailbox.
 */
#include <stdio.h>
#include <string.h>

#include "auth_internal.h"
#include "mail.h"
#include "store_outbox.h"

#define AUTH_RESET_CLIENT_LIMIT  5      /* requests per client ... */
#define AUTH_RESET_CLIENT_WINDOW 900    /* ... per 15 minutes */
#define AUTH_RESET_MEMBER_WINDOW 120    /* one reset mail per member per 2 minutes */

void auth_set_mail(struct auth *a, struct mail *m)
{
    a->mail = m;
    if (m != NULL && a->reset_clients == NULL)
        (void)ratelimit_new(AUTH_RESET_CLIENT_LIMIT, AUTH_RESET_CLIENT_WINDOW, 4096,
                            &a->reset_clients);
    if (m != NULL && a->reset_members == NULL)
        (void)ratelimit_new(1, AUTH_RESET_MEMBER_WINDOW, 4096, &a->reset_members);
}

int auth_mail_on(const struct auth *a)
{
    return a != NULL && a->mail != NULL;
}

int auth_mail_link(struct auth *a, const struct store_member *m, const char *kind,
                   int64_t ttl, int64_t now)
{
    unsigned char raw[32], hash[32];
    char link[AUTH_LINK_LEN + 1];
    int rc = CV_ERROR;

    if (a->mail == NULL || m->email[0] == '\0' || !m->active)
        return CV_NOT_FOUND;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(link, sizeof link, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_hash_sha256(hash, (const unsigned char *)link, AUTH_LINK_LEN);
    if (store_link_insert(a->st, m->id, hash, now, now + ttl) == CV_OK &&
        mail_queue_link(a->mail, kind, m->email, m->display_name, m->username, link,
                        now + ttl, now) == 0)
        rc = CV_OK;
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(link, sizeof link);
    return rc;
}

enum cv_err auth_invite(struct auth *a, const char *username, const char *actor,
                             const char **why)
{
    struct store_member m;
    int64_t now = auth_now(a);
    int rc;

    if (a->mail == NULL) {
        *why = "mail is off: start the server with --smtp-url to send invitations";
        return CV_INVALID;
    }
    rc = username != NULL && auth_check_username(username) == NULL
        ? store_member_get(a->st, username, &m) : CV_NOT_FOUND;
    if (rc != CV_OK) {
        *why = rc == CV_NOT_FOUND ? "no such member" : "database error";
        return rc == CV_NOT_FOUND ? CV_INVALID : CV_ERROR;
    }
    *why = !m.active ? "member is deactivated"
        : m.email[0] == '\0' ? "this member has no email address"
        : m.password_hash[0] != '\0' && !m.one_time ? "this member has chosen a password: "
          "they can use \"Forgot your password?\"" : NULL;
    if (*why != NULL)
        return CV_INVALID;
    if (store_begin(a->st) != 0) {
        *why = "database error";
        return CV_ERROR;
    }
    rc = auth_mail_link(a, &m, MAIL_INVITATION, AUTH_LINK_TTL, now);
    if (rc == CV_OK && auth_audit(a, actor, "invitation sent", m.username,
                                     "set-password link by mail, valid 72 hours, once") != 0)
        rc = CV_ERROR;
    if (rc == CV_OK && store_commit(a->st) == 0)
        return CV_OK;
    if (rc != CV_OK)
        store_rollback(a->st);
    *why = "database error";
    return CV_ERROR;
}

/* The member WHO names (a username, or an address): 0 and *m, or -1. */
static int auth_reset_find(struct auth *a, const char *who, struct store_member *m)
{
    char username[STORE_USERNAME_MAX + 1];

    if (strchr(who, '@') != NULL) {
        if (auth_check_email(who) != NULL ||
            store_mail_member_by_email(a->st, who, username) != CV_OK)
            return -1;
        who = username;
    } else if (auth_check_username(who) != NULL) {
        return -1;
    }
    return store_member_get(a->st, who, m) == CV_OK && m->active &&
        m->email[0] != '\0' ? 0 : -1;
}

enum cv_err auth_reset_request(struct auth *a, const char *who, const char *client,
                                    int *retry_after)
{
    struct store_member m;
    char key[AUTH_USERNAME_MAX + 70];
    int64_t now = auth_now(a);
    unsigned wait;
    enum cv_err r = CV_OK;

    if (a->mail == NULL)
        return CV_INVALID;
    snprintf(key, sizeof key, "c:%s", client != NULL ? client : "");
    if ((wait = ratelimit_take(a->reset_clients, key, ratelimit_now_ms())) != 0) {
        if (retry_after != NULL)
            *retry_after = (int)wait;
        return CV_THROTTLED;
    }
    if (who == NULL || auth_reset_find(a, who, &m) != 0)
        return CV_OK;                 /* the same answer as for a member */
    if (ratelimit_take(a->reset_members, m.username, ratelimit_now_ms()) != 0)
        goto out;                       /* one mail on its way already */
    if (store_begin(a->st) != 0) {
        r = CV_ERROR;
        goto out;
    }
    if (auth_mail_link(a, &m, MAIL_RESET, MAIL_RESET_TTL, now) != CV_OK) {
        store_rollback(a->st);
        r = CV_ERROR;
    } else if (store_commit(a->st) != 0) {
        r = CV_ERROR;
    }
out:
    sodium_memzero(&m, sizeof m);
    return r;
}

enum cv_err auth_notices_get(struct auth *a, int64_t member_id, int *on)
{
    return store_mail_notices_get(a->st, member_id, on) == CV_OK ? CV_OK : CV_ERROR;
}

enum cv_err auth_notices_set(struct auth *a, int64_t member_id, int on)
{
    return store_mail_notices_set(a->st, member_id, on) == CV_OK ? CV_OK : CV_ERROR;
}
