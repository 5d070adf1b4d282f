/*
 * web_admin.c — /admin/members, for admins: the roster, adding a member (a
 * one-time password is generated and shown once, on the answer to the post,
 * and never stored in clear or logged), deactivating and reactivating.
 *
 * Everything goes through auth.h, like the `conclave user` commands, so the
 * same validation and the same rules apply (deactivating ends the member's
 * sessions; an admin cannot deactivate their own account here, so that the
 * last admin cannot lock everyone out by a slip).
 */
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "app.h"
#include "http.h"
#include "store.h"
#include "web.h"
#include "web_form.h"

struct roster_ctx {
    struct tmpl_value *list;
    const char *self;
};

static int roster_one(void *arg, const struct store_member *m)
{
    struct roster_ctx *ctx = arg;
    struct tmpl_value *o = tmpl_list_add(ctx->list);

    tmpl_put_str(o, "username", m->username);
    tmpl_put_str(o, "display_name", m->display_name);
    tmpl_put_str(o, "email", m->email);
    tmpl_put_bool(o, "admin", m->is_admin);
    tmpl_put_bool(o, "active", m->active);
    tmpl_put_bool(o, "self", strcasecmp(m->username, ctx->self) == 0);
    return 0;
}

/* Renders the page with DATA (taken) plus the roster. */
static void admin_render(struct http_request *req, const struct web_viewer *v,
                         unsigned status, struct tmpl_value *d)
{
    struct roster_ctx ctx = {tmpl_put_list(d, "members"), v->user.username};

    if (d == NULL || store_member_list(http_request_app(req)->store, roster_one, &ctx) != 0) {
        tmpl_value_free(d);
        web_error(req, v, 500, "Server error", "The roster could not be read.");
        return;
    }
    web_render(req, status, "admin_members", d);
}

/* Sets the add form's values (kept after an error, else blank). */
static void admin_form_values(struct tmpl_value *d, const char *username,
                              const char *display_name, const char *email, int admin)
{
    tmpl_put_str(d, "f_username", username ? username : "");
    tmpl_put_str(d, "f_display_name", display_name ? display_name : "");
    tmpl_put_str(d, "f_email", email ? email : "");
    tmpl_put_bool(d, "f_admin", admin);
}

/* Checks that the viewer is an admin; answers 403 otherwise. */
static int admin_only(struct http_request *req, const struct web_viewer *v)
{
    if (v->user.admin)
        return 0;
    web_error(req, v, 403, "Admins only", "Only an admin can manage members.");
    return -1;
}

void web_admin_page(struct http_request *req)
{
    struct web_viewer v;
    struct tmpl_value *d;

    if (web_viewer_get(req, &v) != 0 || admin_only(req, &v) != 0)
        return;
    d = web_page_new(&v, "Members");
    admin_form_values(d, NULL, NULL, NULL, 0);
    admin_render(req, &v, 200, d);
}

static void admin_add(struct http_request *req, const struct web_viewer *v,
                      const struct web_form *form)
{
    struct auth *auth = http_request_app(req)->auth;
    struct auth_member_new m;
    struct tmpl_value *d = web_page_new(v, "Members"), *c;
    char password[AUTH_GENPASS_LEN + 1];
    const char *why = "";
    enum auth_result r;

    memset(&m, 0, sizeof m);
    m.username = web_form_get(form, "username");
    m.display_name = web_form_get(form, "display_name");
    m.email = web_form_get(form, "email");
    m.admin = web_form_get(form, "admin") != NULL;
    m.password = password;
    auth_password_generate(password);
    r = m.username ? auth_member_add(auth, &m, &why) : AUTH_INVALID;
    admin_form_values(d, NULL, NULL, NULL, 0);
    if (r == AUTH_OK) {
        c = tmpl_put_obj(d, "created");
        tmpl_put_str(c, "username", m.username);
        tmpl_put_str(c, "password", password);   /* shown once, on this answer */
    } else if (r == AUTH_INVALID) {
        tmpl_put_strf(d, "add_error", "Could not add the member: %s.",
                      m.username ? why : "the username is missing");
        admin_form_values(d, m.username, m.display_name, m.email, m.admin);
    }
    sodium_memzero(password, sizeof password);
    if (r == AUTH_ERROR) {
        tmpl_value_free(d);
        web_error(req, v, 500, "Server error", "The member could not be added.");
        return;
    }
    admin_render(req, v, r == AUTH_OK ? 201 : 400, d);
}

static void admin_set_active(struct http_request *req, const struct web_viewer *v,
                             const struct web_form *form, int active)
{
    struct auth *auth = http_request_app(req)->auth;
    const char *user = web_form_get(form, "username"), *why = "";
    struct tmpl_value *d = web_page_new(v, "Members");
    enum auth_result r = AUTH_INVALID;

    admin_form_values(d, NULL, NULL, NULL, 0);
    if (user == NULL)
        why = "no member named";
    else if (!active && strcasecmp(user, v->user.username) == 0)
        why = "you cannot deactivate your own account";
    else
        r = auth_member_set_active(auth, user, active, &why);
    if (r == AUTH_OK)
        tmpl_put_strf(d, "notice", "%s is now %s.", user, active ? "active" : "deactivated");
    else if (r == AUTH_INVALID)
        tmpl_put_strf(d, "action_error", "Could not change the member: %s.", why);
    if (r == AUTH_ERROR) {
        tmpl_value_free(d);
        web_error(req, v, 500, "Server error", "The member could not be changed.");
        return;
    }
    admin_render(req, v, r == AUTH_OK ? 200 : 400, d);
}

void web_admin_submit(struct http_request *req)
{
    struct web_viewer v;
    struct web_form form;
    const char *action;

    if (web_form_begin(req, &v, &form) != 0)
        return;
    if (admin_only(req, &v) != 0)
        goto out;
    action = web_form_get(&form, "action");
    if (action != NULL && strcmp(action, "add") == 0)
        admin_add(req, &v, &form);
    else if (action != NULL && strcmp(action, "deactivate") == 0)
        admin_set_active(req, &v, &form, 0);
    else if (action != NULL && strcmp(action, "activate") == 0)
        admin_set_active(req, &v, &form, 1);
    else
        web_error(req, &v, 400, "Bad form", "Unknown action.");
out:
    web_form_clear(&form);
}
