/*
 * web_decrypt.c — /admin/decryptions, for admins: each closed poll sealed by
 * a council of trustees (PROTOCOL-threshold T7) with its decryption's
 * progress: decrypting (how long it has waited since its deadline, which
 * trustees have posted their shares, how many more are needed; past
 * --decrypt-remind-hours it is marked overdue, with a notice at the top) or
 * published (who decrypted). Polls sealed by the server
 * only are counted, not listed: they need nobody.
 *
 * It reads what every member's poll page shows (poll_view.h); nothing here
 * changes a poll, and nothing shows a share or a count before the result.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "config.h"
#include "http_request.h"
#include "poll_stall.h"
#include "poll_view.h"
#include "store_poll.h"
#include "web.h"

struct decrypt_list_ctx {
    struct store *st;
    const char *viewer;
    struct tmpl_value *decrypting, *published;
    long long server_only, overdue;
    int64_t now, remind_after;      /* seconds after the deadline; 0: never overdue */
};

static int decrypt_list_one(void *arg, const struct store_poll *p)
{
    struct decrypt_list_ctx *ctx = arg;
    struct tmpl_value *o;
    int late;

    if (!p->closed || p->withdrawn)
        return 0;
    if (!p->council[0]) {
        ctx->server_only++;
        return 0;
    }
    o = tmpl_list_add(p->decrypting ? ctx->decrypting : ctx->published);
    if (web_poll_put(ctx->st, o, p, ctx->viewer) != 0)
        return 1;
    late = p->decrypting && ctx->remind_after > 0 && ctx->now - p->closes_at >= ctx->remind_after;
    tmpl_put_bool(o, "overdue", late);
    ctx->overdue += late;
    return 0;
}

/* The overdue polls' notice: how many, and after how long (the option). */
static void decrypt_put_overdue(struct tmpl_value *d, const struct decrypt_list_ctx *ctx)
{
    char after[64];

    poll_stall_format(ctx->remind_after, after, sizeof after);
    tmpl_put_int(d, "overdue_count", ctx->overdue);
    tmpl_put_str(d, "overdue_plural", ctx->overdue == 1 ? " has" : "s have");
    tmpl_put_str(d, "overdue_pronoun", ctx->overdue == 1 ? "its" : "their");
    tmpl_put_str(d, "remind_after", after);
}

void web_decrypt_page(struct http_request *req)
{
    struct decrypt_list_ctx ctx;
    struct web_viewer v;
    struct tmpl_value *d;

    if (web_viewer_get(req, &v) != 0)
        return;
    if (!v.user.admin) {
        web_error(req, &v, 403, "Admins only", "Only an admin can see the decryptions' "
                  "progress here; each poll's page shows its own.");
        return;
    }
    d = web_page_new(&v, "Decryptions");
    memset(&ctx, 0, sizeof ctx);
    ctx.st = http_request_app(req)->store;
    ctx.viewer = v.user.username;
    ctx.now = (int64_t)time(NULL);
    ctx.remind_after =
        poll_stall_after((int64_t)http_request_app(req)->cfg->decrypt_remind_hours * 3600);
    ctx.decrypting = tmpl_put_list(d, "decrypting_polls");
    ctx.published = tmpl_put_list(d, "published_polls");
    if (d == NULL || store_poll_list(ctx.st, decrypt_list_one, &ctx) != 0) {
        tmpl_value_free(d);
        web_error(req, &v, 500, "Server error", "The polls could not be read.");
        return;
    }
    tmpl_put_int(d, "server_only", ctx.server_only);
    decrypt_put_overdue(d, &ctx);
    web_render(req, 200, "admin_decryptions", d);
}
