/*
 * auth_oidc.c — which member a login through the OpenID provider is
 * (auth.h, "login through an OpenID provider"), and its session.
 *
 * The rule, in order: a link (issuer, subject) names the member, whatever
 * email the provider now gives; without a link, a verified email equal to
 * exactly one member's links that member (a member linked to another
 * subject at this issuer is refused: an address moved to another account at
 * the provider does not carry the membership with it); without a match,
 * with a group that makes the roster, a group member is created under the
 * provider's preferred_username, made a Conclave name; otherwise refused.
 * Group membership is checked at every login, before any of that: a member
 * who left the group is not deactivated here (an admin does that), but
 * cannot log in through the provider. A deactivated member cannot either.
 * The creation and its link are one transaction, audited as done by "oidc".
 * A pending one-time password (an admin's, to get in once) is voided by a
 * login through the provider.
 */
#include <string.h>

#include "auth_internal.h"
#include "store_oidc.h"

void auth_set_password_login(struct auth *a, int on)
{
    a->password_login = on != 0;
}

int auth_oidc_username(const char *name, char *out)
{
    size_t i, n = 0;
    char c;

    if (name == NULL)
        return -1;
    for (i = 0; name[i] != '\0' && name[i] != '@' && n < AUTH_USERNAME_MAX; i++) {
        c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            c = '-';
        if (c == '-' && (n == 0 || out[n - 1] == '-'))
            continue;                   /* no leading or doubled hyphen */
        out[n++] = c;
    }
    while (n > 0 && out[n - 1] == '-')
        n--;
    out[n] = '\0';
    return n > 0 && auth_check_username(out) == NULL ? 0 : -1;
}

/* Creates the member ID names (a group member on a first login) with its
 * link, in one transaction. CV_OK with *m; CV_CONFLICT (*why) if the name
 * is taken; CV_NOT_MEMBER if the provider gives no usable name. */
static enum cv_err oidc_member_create(struct auth *a, const struct auth_oidc_identity *id,
                                      struct store_member *m, const char **why)
{
    int rc;

    memset(m, 0, sizeof *m);
    if (auth_oidc_username(id->username, m->username) != 0) {
        *why = "the identity provider gives no username that Conclave can use";
        return CV_NOT_MEMBER;
    }
    if (id->name == NULL || auth_check_display_name(id->name) != NULL ||
        auth_copy(m->display_name, sizeof m->display_name, id->name) != 0)
        memcpy(m->display_name, m->username, sizeof m->username);
    if (id->email != NULL && id->email_verified && auth_check_email(id->email) == NULL)
        (void)auth_copy(m->email, sizeof m->email, id->email);
    m->active = 1;
    m->created_at = auth_now(a);
    if (store_begin(a->st) != 0)
        return CV_ERROR;
    rc = store_member_insert(a->st, m, &m->id);
    if (rc == CV_OK)
        rc = store_oidc_link_insert(a->st, id->issuer, id->subject, m->id, m->created_at);
    rc = auth_finish(a, rc, "oidc", "member added", m->username,
                     "first login through the identity provider, as a member of its group");
    if (rc == CV_CONFLICT)
        *why = "the username the identity provider gives you is taken by another member; "
               "ask an admin to give that member your email address, or to rename";
    return rc == CV_OK ? CV_OK : rc == CV_CONFLICT ? CV_CONFLICT : CV_ERROR;
}

/* Without a link: the member whose email is ID's verified email, linked
 * now. CV_OK with *m, CV_NOT_FOUND if none matches, CV_CONFLICT (*why). */
static enum cv_err oidc_member_by_email(struct auth *a, const struct auth_oidc_identity *id,
                                        struct store_member *m, const char **why)
{
    int rc;

    if (id->email == NULL || !id->email_verified || auth_check_email(id->email) != NULL ||
        id->email[0] == '\0')
        return CV_NOT_FOUND;
    rc = store_member_get_email(a->st, id->email, m);
    if (rc == CV_CONFLICT) {
        *why = "several members have this email address; ask an admin to fix the roster";
        return CV_CONFLICT;
    }
    if (rc != CV_OK)
        return rc == CV_NOT_FOUND ? CV_NOT_FOUND : CV_ERROR;
    if (!m->active)
        return CV_OK;                   /* refused by the caller, not linked */
    rc = store_oidc_link_insert(a->st, id->issuer, id->subject, m->id, auth_now(a));
    if (rc == CV_CONFLICT) {
        *why = "the member with this email address is linked to another account at the "
               "identity provider";
        return CV_CONFLICT;
    }
    return rc == CV_OK ? CV_OK : CV_ERROR;
}

enum cv_err auth_oidc_login(struct auth *a, const struct auth_oidc_identity *id,
                            struct auth_session *out, const char **why)
{
    struct store_member m;
    enum cv_err r;
    const char *dummy;

    why = why != NULL ? why : &dummy;
    *why = NULL;
    if (id->issuer == NULL || id->subject == NULL || id->subject[0] == '\0')
        return CV_ERROR;
    if (!id->in_group) {
        *why = "you are not in the group this server admits";
        return CV_NOT_IN_GROUP;
    }
    r = store_oidc_link_get(a->st, id->issuer, id->subject, &m);
    if (r == CV_NOT_FOUND)
        r = oidc_member_by_email(a, id, &m, why);
    if (r == CV_NOT_FOUND && id->roster_from_group)
        r = oidc_member_create(a, id, &m, why);
    if (r == CV_NOT_FOUND) {
        *why = "no member of this server matches your account at the identity provider";
        r = CV_NOT_MEMBER;
    } else if (r == CV_OK && !m.active) {
        *why = "your membership is deactivated";
        r = CV_DEACTIVATED;
    } else if (r == CV_OK) {
        /* an admin's one-time password is a way in: in through the provider,
         * it is void (else the session would wait at "choose your password") */
        if (m.one_time && m.password_hash[0] != '\0' &&
            store_member_set_password(a->st, m.username, "", 0, 0, NULL) == CV_OK)
            m.one_time = 0, m.password_hash[0] = '\0';
        r = auth_session_create(a, &m, auth_now(a), out);
    }
    sodium_memzero(&m, sizeof m);
    return r;
}
