/*
 * web_admin.c — /admin/members, for admins: the roster with each account's
 * state, adding a member (a one-time password is generated and shown once),
 * deactivating (after a confirmation when the member is on an open poll's
 * roll) and reactivating, resetting a password (a new one-time password) and
 * making a set-password link.
 *
 * Every form posts, acts, and redirects back to the page (POST-redirect-GET:
 * a refresh never posts again); the secret it made travels to that one GET
 * in a web_flash and is never stored in clear, logged or shown twice.
 * Everything goes through auth.h, like the `conclave user` commands, so the
 * same validation and the same rules apply, and every change is written to
 * the audit log with the admin's username. An admin cannot deactivate or
 * reset their own account here, so that the last admin cannot lock everyone
 * out by a slip (/account changes one's own password).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "app.h"
#include "config.h"
#include "http_request.h"
#include "store.h"
#include "web.h"
#include "web_form.h"

#define MEMBER_NAME_MAX (STORE_DISPLAY_NAME_MAX + STORE_USERNAME_MAX + 4)

struct roster_ctx {
    struct tmpl_value *list;
    const char *self;
    int64_t now;
    int mail_on;
};

static int roster_one(void *arg, const struct store_member *m)
{
    static const char *const classes[] = {"active", "none", "pending", "change", "expired",
                                          "off"};
    struct roster_ctx *ctx = arg;
    struct tmpl_value *o = tmpl_list_add(ctx->list);
    enum auth_member_state st = auth_member_state(m, ctx->now);
    char name[MEMBER_NAME_MAX];

    web_member_name(name, sizeof name, m->username, m->display_name);
    tmpl_put_str(o, "username", m->username);
    tmpl_put_str(o, "display_name", m->display_name);
    tmpl_put_str(o, "name", name);
    tmpl_put_bool(o, "named", strcmp(m->display_name, m->username) != 0);
    tmpl_put_str(o, "email", m->email);
    tmpl_put_bool(o, "admin", m->is_admin);
    tmpl_put_bool(o, "active", m->active);
    tmpl_put_str(o, "state", auth_member_state_text(st));
    tmpl_put_str(o, "state_class", classes[st]);
    tmpl_put_bool(o, "self", strcasecmp(m->username, ctx->self) == 0);
    /* an invitation by mail, for a member who has no password of their own */
    tmpl_put_bool(o, "invite", ctx->mail_on && m->active && m->email[0] != '\0' &&
                  (m->password_hash[0] == '\0' || m->one_time));
    return 0;
}

/* Checks that the viewer is an admin; answers 403 otherwise. */
static int admin_only(struct http_request *req, const struct web_viewer *v)
{
    if (v->user.admin)
        return 0;
    web_error(req, v, 403, "Admins only", "Only an admin can manage members.");
    return -1;
}

/* Puts the secret of flash F (a one-time password or a link) in D. */
static void admin_secret(struct tmpl_value *d, const struct web_flash *f)
{
    struct tmpl_value *c;

    if (f->secret[0] == '\0')
        return;
    c = tmpl_put_obj(d, "secret");
    tmpl_put_str(c, "value", f->secret);
    tmpl_put_str(c, "for", f->secret_for);
    tmpl_put_bool(c, "added", strcmp(f->secret_kind, "added") == 0);
    tmpl_put_bool(c, "reset", strcmp(f->secret_kind, "password") == 0);
    tmpl_put_bool(c, "link", strcmp(f->secret_kind, "link") == 0);
}

void web_admin_page(struct http_request *req)
{
    struct web_viewer v;
    struct web_flash f;
    struct tmpl_value *d;
    struct roster_ctx ctx;
    int add = 0;

    if (web_viewer_get(req, &v) != 0 || admin_only(req, &v) != 0)
        return;
    d = web_page_new(&v, "Members");
    if (web_flash_take(req, web_flash_session(req), &f))
        add = strcmp(f.form, "add") == 0;
    if (add)
        tmpl_put_str(d, "add_error", f.error);
    else
        web_flash_show(d, &f);
    admin_secret(d, &f);
    tmpl_put_str(d, "f_username", add ? f.field[0] : "");
    tmpl_put_str(d, "f_display_name", add ? f.field[1] : "");
    tmpl_put_str(d, "f_email", add ? f.field[2] : "");
    tmpl_put_bool(d, "f_admin", add && f.field[3][0] != '\0');
    sodium_memzero(&f, sizeof f);
    ctx.list = tmpl_put_list(d, "members");
    ctx.self = v.user.username;
    ctx.now = auth_time(http_request_app(req)->auth);
    ctx.mail_on = auth_mail_on(http_request_app(req)->auth);
    tmpl_put_bool(d, "mail_on", ctx.mail_on);
    if (d == NULL || store_member_roster(http_request_app(req)->store, ctx.now, roster_one,
                                         &ctx) != 0) {
        tmpl_value_free(d);
        web_error(req, &v, 500, "Server error", "The roster could not be read.");
        return;
    }
    web_render(req, 200, "admin_members", d);
}

/* Copies at most CAP - 1 bytes of S (NULL = "") to DST. */
static void admin_keep(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s != NULL ? s : "");
}

/* The name a notice gives USERNAME: "Display Name (username)". */
static void admin_name(struct http_request *req, const char *username, char *out, size_t cap)
{
    struct store_member m;

    if (store_member_get(http_request_app(req)->store, username, &m) == CV_OK)
        web_member_name(out, cap, m.username, m.display_name);
    else
        snprintf(out, cap, "%s", username);
    sodium_memzero(&m, sizeof m);
}

static enum cv_err admin_add(struct http_request *req, const struct web_viewer *v,
                             const struct web_form *form, struct web_flash *f)
{
    struct auth *auth = http_request_app(req)->auth;
    struct auth_member_new m;
    char password[AUTH_GENPASS_LEN + 1];
    const char *why = "";
    enum cv_err r;
    int invite;

    memset(&m, 0, sizeof m);
    m.username = web_form_get(form, "username");
    m.display_name = web_form_get(form, "display_name");
    m.email = web_form_get(form, "email");
    m.admin = web_form_get(form, "admin") != NULL;
    /* with mail on, a member with an address is invited by mail (auth_mail.c) */
    invite = auth_mail_on(auth) && m.email != NULL && m.email[0] != '\0';
    m.password = invite ? NULL : password;
    m.one_time = 1;
    auth_password_generate(password);
    r = m.username ? auth_member_add(auth, &m, v->user.username, &why) : CV_INVALID;
    if (r == CV_OK && invite) {
        admin_name(req, m.username, f->secret_for, sizeof f->secret_for);
        snprintf(f->notice, sizeof f->notice, "%.200s was added, and invited by mail to %s: the "
                 "link to choose a password works once, for 72 hours.", f->secret_for,
                 m.email);
        f->secret_for[0] = '\0';
    } else if (r == CV_OK) {
        admin_name(req, m.username, f->secret_for, sizeof f->secret_for);
        admin_keep(f->secret, sizeof f->secret, password);
        admin_keep(f->secret_kind, sizeof f->secret_kind, "added");
    } else if (r == CV_INVALID) {
        admin_keep(f->form, sizeof f->form, "add");
        snprintf(f->error, sizeof f->error, "Could not add the member: %s.",
                 m.username ? why : "the username is missing");
        admin_keep(f->field[0], sizeof f->field[0], m.username);
        admin_keep(f->field[1], sizeof f->field[1], m.display_name);
        admin_keep(f->field[2], sizeof f->field[2], m.email);
        admin_keep(f->field[3], sizeof f->field[3], m.admin ? "1" : "");
    }
    sodium_memzero(password, sizeof password);
    return r;
}

/* 1 when USERNAME is on an open poll's roll. */
static int admin_on_open_roll(void *arg, const struct store_open_roll *p)
{
    (void)arg;
    (void)p;
    return 1;
}

static enum cv_err admin_set_active(struct http_request *req, const struct web_viewer *v,
                                    const struct web_form *form, int active,
                                    struct web_flash *f, int *confirm)
{
    struct app *app = http_request_app(req);
    const char *user = web_form_get(form, "username"), *why = "";
    char name[MEMBER_NAME_MAX];
    enum cv_err r = CV_INVALID;

    if (user == NULL || auth_check_username(user) != NULL)
        why = "no such member";
    else if (!active && strcasecmp(user, v->user.username) == 0)
        why = "you cannot deactivate your own account";
    else if (!active && web_form_get(form, "confirm") == NULL &&
             (*confirm = store_member_open_rolls(app->store, user, admin_on_open_roll,
                                                 NULL)) != 0)
        return *confirm > 0 ? CV_OK : CV_ERROR;   /* ask first */
    else
        r = auth_member_set_active(app->auth, user, active, v->user.username, &why);
    if (r == CV_OK) {
        admin_name(req, user, name, sizeof name);
        snprintf(f->notice, sizeof f->notice, "%s is now %s.", name,
                 active ? "active" : "deactivated");
    } else if (r == CV_INVALID) {
        snprintf(f->error, sizeof f->error, "Could not change the member: %s.", why);
    }
    return r;
}

/* A new one-time password (reset) or a set-password link for a member. */
static enum cv_err admin_credential(struct http_request *req, const struct web_viewer *v,
                                    const struct web_form *form, int link,
                                    struct web_flash *f)
{
    struct auth *auth = http_request_app(req)->auth;
    const char *user = web_form_get(form, "username"), *why = "no such member";
    const char *host = http_request_header(req, "Host");
    char secret[AUTH_GENPASS_LEN + AUTH_LINK_LEN + 1];
    enum cv_err r = CV_INVALID;

    if (user != NULL && strcasecmp(user, v->user.username) == 0)
        why = "change your own password on your account page";
    else if (user != NULL && link)
        r = auth_link_create(auth, user, v->user.username, secret, NULL, &why);
    else if (user != NULL) {
        auth_password_generate(secret);
        r = auth_member_set_password(auth, user, secret, 1, v->user.username, &why);
    }
    if (r == CV_OK) {
        admin_name(req, user, f->secret_for, sizeof f->secret_for);
        admin_keep(f->secret_kind, sizeof f->secret_kind, link ? "link" : "password");
        /* the address the admin reached us by; a Host we would not print
         * leaves the path alone */
        if (link && host != NULL && strlen(host) < 200 &&
            strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789.-:[]") == strlen(host))
            snprintf(f->secret, sizeof f->secret, "%s://%s/set-password?link=%s",
                     http_request_app(req)->cfg->secure_cookies ? "https" : "http", host,
                     secret);
        else
            snprintf(f->secret, sizeof f->secret, "%s%s", link ? "/set-password?link=" : "",
                     secret);
    } else if (r == CV_INVALID) {
        snprintf(f->error, sizeof f->error, "Could not %s: %s.",
                 link ? "make a set-password link" : "reset the password", why);
    }
    sodium_memzero(secret, sizeof secret);
    return r;
}

/* A new invitation by mail (auth_invite), replacing the member's link. */
static enum cv_err admin_invite(struct http_request *req, const struct web_viewer *v,
                                     const struct web_form *form, struct web_flash *f)
{
    const char *user = web_form_get(form, "username"), *why = "";
    char name[MEMBER_NAME_MAX];
    enum cv_err r = auth_invite(http_request_app(req)->auth, user, v->user.username, &why);

    if (r == CV_OK) {
        admin_name(req, user, name, sizeof name);
        snprintf(f->notice, sizeof f->notice, "A new invitation was mailed to %s: the link "
                 "works once, for 72 hours, and replaces the one sent before.", name);
    } else if (r == CV_INVALID) {
        snprintf(f->error, sizeof f->error, "Could not send the invitation: %s.", why);
    }
    return r;
}

/* Runs the form's action into *r; *confirm set when a deactivation needs
 * one. -1 for an unknown action. */
static int admin_act(struct http_request *req, const struct web_viewer *v,
                     const struct web_form *form, struct web_flash *f, int *confirm,
                     enum cv_err *r)
{
    const char *action = web_form_get(form, "action");

    if (action == NULL)
        return -1;
    if (strcmp(action, "add") == 0)
        *r = admin_add(req, v, form, f);
    else if (strcmp(action, "deactivate") == 0 || strcmp(action, "activate") == 0)
        *r = admin_set_active(req, v, form, action[0] == 'a', f, confirm);
    else if (strcmp(action, "invite") == 0)
        *r = admin_invite(req, v, form, f);
    else if (strcmp(action, "reset") == 0 || strcmp(action, "link") == 0)
        *r = admin_credential(req, v, form, action[0] == 'l', f);
    else
        return -1;
    return 0;
}

void web_admin_submit(struct http_request *req)
{
    struct web_viewer v;
    struct web_form form;
    struct web_flash f;
    char loc[96];
    int confirm = 0, secret;
    enum cv_err r = CV_ERROR;

    if (web_form_begin(req, &v, &form) != 0)
        return;
    if (admin_only(req, &v) != 0)
        goto out;
    memset(&f, 0, sizeof f);
    if (admin_act(req, &v, &form, &f, &confirm, &r) != 0) {
        web_error(req, &v, 400, "Bad form", "Unknown action.");
    } else if (r == CV_ERROR) {
        web_error(req, &v, 500, "Server error", "The member could not be changed.");
    } else if (confirm > 0) {
        snprintf(loc, sizeof loc, "/admin/members/deactivate?username=%s",
                 web_form_get(&form, "username"));
        web_redirect(req, loc);
    } else {
        secret = f.secret[0] != '\0';
        if (web_flash_put(req, web_flash_session(req), &f) != 0 && secret)
            web_error(req, &v, 500, "Server error", "It was done, but what it made cannot be "
                      "shown: make a new one from the roster.");
        else
            web_redirect(req, "/admin/members");
    }
    sodium_memzero(&f, sizeof f);
out:
    web_form_clear(&form);
}

const char *web_roll_deactivated(struct store *st, const char *poll_id, char *buf, size_t cap)
{
    int64_t n = 0;

    if (store_roll_deactivated_count(st, poll_id, &n) != CV_OK || n <= 0)
        snprintf(buf, cap, "%s", "");
    else if (n == 1)
        snprintf(buf, cap, "1 member of the roll was deactivated during the poll.");
    else
        snprintf(buf, cap, "%lld members of the roll were deactivated during the poll.",
                 (long long)n);
    return buf;
}

struct confirm_ctx {
    struct tmpl_value *list;
    int n;
};

static int confirm_one(void *arg, const struct store_open_roll *p)
{
    struct confirm_ctx *ctx = arg;
    struct tmpl_value *o = tmpl_list_add(ctx->list);

    tmpl_put_str(o, "id", p->poll_id);
    tmpl_put_str(o, "nominee", p->nominee);
    web_put_time(o, "closes", p->closes_at);
    ctx->n++;
    return 0;
}

void web_admin_confirm(struct http_request *req)
{
    struct app *app = http_request_app(req);
    const char *user = http_request_arg(req, "username");
    struct store_member m;
    struct confirm_ctx ctx = {NULL, 0};
    struct web_viewer v;
    struct tmpl_value *d;
    char name[MEMBER_NAME_MAX];

    if (web_viewer_get(req, &v) != 0 || admin_only(req, &v) != 0)
        return;
    if (user == NULL || auth_check_username(user) != NULL ||
        store_member_get(app->store, user, &m) != CV_OK) {
        web_error(req, &v, 404, "No such member", "There is no member by that name.");
        return;
    }
    web_member_name(name, sizeof name, m.username, m.display_name);
    d = web_page_new(&v, "Deactivate a member");
    tmpl_put_str(d, "username", m.username);
    tmpl_put_str(d, "name", name);
    tmpl_put_bool(d, "active", m.active);
    ctx.list = tmpl_put_list(d, "polls");
    if (store_member_open_rolls(app->store, m.username, confirm_one, &ctx) != CV_OK) {
        tmpl_value_free(d);
        web_error(req, &v, 500, "Server error", "The open polls could not be read.");
        return;
    }
    tmpl_put_bool(d, "on_rolls", ctx.n > 0);
    tmpl_put_strf(d, "count", ctx.n == 1 ? "an open poll" : "%d open polls", ctx.n);
    web_render(req, 200, "admin_confirm", d);
}
