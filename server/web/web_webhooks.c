/*
 * web_webhooks.c — /admin/webhooks, for admins: whether the webhook is on,
 * its deliveries newest first (the event, the poll, the state, attempts,
 * the last error and the next attempt), and "Retry now" for a delivery
 * that failed (POST /admin/webhooks with its id and the CSRF token: due at
 * once; a given-up one gets one more attempt).
 *
 * The page never shows a body nor the secret; without --webhook-url it says
 * how to turn the webhook on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "http_request.h"
#include "store_webhook.h"
#include "web.h"
#include "web_form.h"
#include "webhook.h"

#define WEBHOOK_PAGE 100

struct hooks_ctx {
    struct tmpl_value *list;
};

static int hooks_one(void *arg, const struct store_delivery *d)
{
    struct hooks_ctx *ctx = arg;
    struct tmpl_value *o = tmpl_list_add(ctx->list);

    tmpl_put_int(o, "id", d->id);
    tmpl_put_str(o, "event", d->type);
    tmpl_put_str(o, "poll_id", d->poll_id);
    tmpl_put_str(o, "nominee", d->nominee);
    web_put_time(o, "made", d->created_at);
    tmpl_put_int(o, "attempts", d->attempts);
    tmpl_put_str(o, "error", d->last_error);
    if (d->delivered_at != 0) {
        tmpl_put_str(o, "state", "delivered");
        web_put_time(o, "at", d->delivered_at);
    } else if (d->failed_at != 0) {
        tmpl_put_str(o, "state", "given up");
        web_put_time(o, "at", d->failed_at);
        tmpl_put_bool(o, "retry", 1);
    } else {
        tmpl_put_str(o, "state", d->attempts > 0 ? "retrying" : "waiting");
        web_put_time(o, "at", d->next_at);
        tmpl_put_bool(o, "pending", 1);
        tmpl_put_bool(o, "retry", d->attempts > 0);
    }
    return 0;
}

void web_webhooks_page(struct http_request *req)
{
    struct app *app = http_request_app(req);
    struct hooks_ctx ctx;
    struct web_viewer v;
    struct web_flash f;
    struct tmpl_value *d;
    int64_t pending = 0, failing = 0, given_up = 0, delivered = 0;

    if (web_viewer_get(req, &v) != 0)
        return;
    if (!v.user.admin) {
        web_error(req, &v, 403, "Admins only", "Only an admin can see the webhook's deliveries.");
        return;
    }
    d = web_page_new(&v, "Webhooks");
    tmpl_put_bool(d, "hook_on", app->cfg->webhook_url[0] != '\0');
    tmpl_put_str(d, "webhook_url", app->cfg->webhook_url);
    tmpl_put_str(d, "public_url", app->cfg->public_url);
    ctx.list = tmpl_put_list(d, "deliveries");
    if (store_webhook_counts(app->store, &pending, &failing, &given_up, &delivered) != CV_OK ||
        store_webhook_list(app->store, WEBHOOK_PAGE, hooks_one, &ctx) != CV_OK) {
        tmpl_value_free(d);
        web_error(req, &v, 500, "Server error", "The webhook's deliveries could not be read.");
        return;
    }
    if (web_flash_take(req, web_flash_session(req), &f))
        web_flash_show(d, &f);
    tmpl_put_int(d, "pending", pending);
    tmpl_put_int(d, "failing", failing);
    tmpl_put_int(d, "given_up", given_up);
    tmpl_put_int(d, "delivered", delivered);
    web_render(req, 200, "admin_webhooks", d);
}

/* The delivery id of the form's "id" field, or -1. */
static int64_t hooks_form_id(const struct web_form *form)
{
    const char *s = web_form_get(form, "id");
    char *end;
    long long id;

    if (s == NULL || s[0] < '1' || s[0] > '9' || strlen(s) > 18)
        return -1;
    id = strtoll(s, &end, 10);
    return *end == '\0' ? (int64_t)id : -1;
}

void web_webhooks_submit(struct http_request *req)
{
    struct app *app = http_request_app(req);
    struct web_viewer v;
    struct web_form form;
    struct web_flash f;
    int64_t id;
    int rc;

    if (web_form_begin(req, &v, &form) != 0)
        return;
    memset(&f, 0, sizeof f);
    id = hooks_form_id(&form);
    if (!v.user.admin) {
        web_error(req, &v, 403, "Admins only", "Only an admin can retry a delivery.");
    } else if (id < 0 || strcmp(web_form_get(&form, "action") ? web_form_get(&form, "action")
                                : "", "retry") != 0) {
        web_error(req, &v, 400, "Bad form", "The form names no delivery to retry.");
    } else if ((rc = store_webhook_again(app->store, id, auth_time(app->auth))) != CV_OK &&
               rc != CV_NOT_FOUND) {
        web_error(req, &v, 500, "Server error", "The delivery could not be scheduled.");
    } else {
        if (rc == CV_NOT_FOUND)
            snprintf(f.error, sizeof f.error, "Delivery %lld was delivered already, or is no "
                     "more.", (long long)id);
        else
            snprintf(f.notice, sizeof f.notice, "Delivery %lld is due now%s.", (long long)id,
                     app->webhook != NULL ? "" : " (it is sent once the webhook is on)");
        webhook_wake(app->webhook);
        (void)web_flash_put(req, web_flash_session(req), &f);
        web_redirect(req, "/admin/webhooks");
    }
    web_form_clear(&form);
}
