/*
 * web_audit.c — /admin/audit, for admins: the audit log, newest first, 50
 * entries a page ("Older entries" pages back by id).
 *
 * The log records admin actions on accounts (auth_member.c, auth_import.c)
 * and is append-only in the store; this page only reads it. Members are
 * named as elsewhere, "Display Name (username)", while they exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "http_request.h"
#include "store.h"
#include "web.h"

#define AUDIT_PAGE 50

struct audit_ctx {
    struct store *st;
    struct tmpl_value *list;
    int n;
    int64_t last;
};

/* NAME for a username that may no longer be a member, or not one at all. */
static void audit_name(struct store *st, const char *who, char *out, size_t cap)
{
    struct store_member m;

    if (who[0] != '\0' && auth_check_username(who) == NULL &&
        store_member_get(st, who, &m) == CV_OK)
        web_member_name(out, cap, m.username, m.display_name);
    else
        snprintf(out, cap, "%s", who);
}

static int audit_one(void *arg, const struct store_audit *e)
{
    struct audit_ctx *ctx = arg;
    struct tmpl_value *o = tmpl_list_add(ctx->list);
    char name[STORE_DISPLAY_NAME_MAX + STORE_ACTOR_MAX + 4];

    web_put_time(o, "at", e->at);
    audit_name(ctx->st, e->actor, name, sizeof name);
    tmpl_put_str(o, "actor", name);
    tmpl_put_str(o, "action", e->action);
    audit_name(ctx->st, e->subject, name, sizeof name);
    tmpl_put_str(o, "subject", name);
    tmpl_put_str(o, "detail", e->detail);
    ctx->n++;
    ctx->last = e->id;
    return 0;
}

void web_audit_page(struct http_request *req)
{
    const char *before = http_request_arg(req, "before");
    struct audit_ctx ctx;
    struct web_viewer v;
    struct tmpl_value *d;
    long long b = 0;
    char *end = NULL;

    if (web_viewer_get(req, &v) != 0)
        return;
    if (!v.user.admin) {
        web_error(req, &v, 403, "Admins only", "Only an admin can read the audit log.");
        return;
    }
    if (before != NULL && ((b = strtoll(before, &end, 10)) <= 0 || *end != '\0')) {
        web_error(req, &v, 400, "Bad page", "That page of the audit log does not exist.");
        return;
    }
    d = web_page_new(&v, "Audit log");
    memset(&ctx, 0, sizeof ctx);
    ctx.st = http_request_app(req)->store;
    ctx.list = tmpl_put_list(d, "entries");
    if (store_audit_list(ctx.st, (int64_t)b, AUDIT_PAGE, audit_one, &ctx) != CV_OK) {
        tmpl_value_free(d);
        web_error(req, &v, 500, "Server error", "The audit log could not be read.");
        return;
    }
    tmpl_put_bool(d, "first_page", b == 0);
    if (ctx.n == AUDIT_PAGE)
        tmpl_put_strf(d, "older", "/admin/audit?before=%lld", (long long)ctx.last);
    web_render(req, 200, "admin_audit", d);
}
