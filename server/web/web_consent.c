/*
 * web_consent.c — the nominee's consent page (/consent?link=SECRET), where
 * a nominee, who has no account, reads the nomination and accepts or
 * declines it (consent.h).
 *
 * The link's secret is the only credential: the GET shows the nomination and
 * changes nothing; the answer is a POST of a form bound to the same secret
 * (no session, so no CSRF token; a post the browser marks as cross-site is
 * refused). An unknown, used or expired link is one plain 410 page, whatever
 * the reason.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "consent.h"
#include "http_request.h"
#include "store.h"
#include "web.h"
#include "web_form.h"

/* The nominator's display name (or username) of P into OUT. */
static void consent_by_name(struct store *st, const struct store_poll *p, char *out,
                            size_t cap)
{
    struct store_member m;

    snprintf(out, cap, "%s", p->nominated_by);
    if (store_member_get(st, p->nominated_by, &m) == CV_OK && m.display_name[0])
        snprintf(out, cap, "%s", m.display_name);
    memset(&m, 0, sizeof m);
}

static void consent_gone(struct http_request *req, enum cv_err r)
{
    web_error(req, NULL, r == CV_ERROR ? 500 : 410, "Link not valid",
              r == CV_ERROR ? "Something went wrong; try again."
              : "This link has expired or was already used. If you were nominated, ask "
                "the member who nominated you.");
}

/* Renders the page for P: KIND "ask" (with LINK), "accepted" or "declined". */
static void consent_render(struct http_request *req, const struct store_poll *p,
                           const char *kind, const char *link)
{
    struct store *st = http_request_app(req)->store;
    struct tmpl_value *d = web_page_new(NULL, "Your nomination");
    char by[STORE_DISPLAY_NAME_MAX + 1], dur[32];
    unsigned days = http_request_app(req)->cfg->poll_duration / 86400;

    consent_by_name(st, p, by, sizeof by);
    tmpl_put_bool(d, kind, 1);
    tmpl_put_str(d, "nominee", p->nominee);
    tmpl_put_str(d, "nominated_by", by);
    tmpl_put_str(d, "statement_html", p->statement_html);  /* statement.h: safe */
    tmpl_put_str(d, "link", link ? link : "");
    web_put_time(d, "until", p->closes_at);
    web_put_time(d, "closes", p->closes_at);
    if (days > 0)
        snprintf(dur, sizeof dur, "%u day%s", days, days == 1 ? "" : "s");
    else
        snprintf(dur, sizeof dur, "%u seconds", http_request_app(req)->cfg->poll_duration);
    tmpl_put_str(d, "duration", dur);
    web_render(req, 200, "consent", d);
}

void web_consent_page(struct http_request *req)
{
    const char *link = http_request_arg(req, "link");
    struct store_poll p;
    enum cv_err r = consent_find(http_request_app(req)->store, link, &p);

    if (r != CV_OK) {
        consent_gone(req, r);
        return;
    }
    consent_render(req, &p, "ask", link);
    store_poll_clear(&p);
}

void web_consent_submit(struct http_request *req)
{
    struct app *app = http_request_app(req);
    char id[STORE_POLL_ID_MAX + 1] = "";
    const char *answer, *why = NULL;
    struct web_form form;
    struct store_poll p;
    enum cv_err r;
    int accept;

    if (!http_request_same_site(req)) {
        web_error(req, NULL, 403, "Refused", "This form was posted from another site.");
        return;
    }
    if (web_form_read(req, &form) != 0)
        return;
    answer = web_form_get(&form, "answer");
    if (answer == NULL || (strcmp(answer, "accept") != 0 && strcmp(answer, "decline") != 0)) {
        web_error(req, NULL, 400, "Bad request", "Choose Accept or Decline.");
        web_form_clear(&form);
        return;
    }
    accept = strcmp(answer, "accept") == 0;    /* ANSWER goes with the form */
    r = consent_answer(app->store, app->mail, web_form_get(&form, "link"), accept,
                       app->cfg->poll_duration, id, &why);
    web_form_clear(&form);
    if (r == CV_ALREADY_MEMBER)
        web_error(req, NULL, 409, "Not opened", why ? why : "The nominee is a member.");
    else if (r != CV_OK || store_poll_get(app->store, id, 0, &p) != 0)
        consent_gone(req, r);
    else {
        consent_render(req, &p, accept ? "accepted" : "declined", NULL);
        store_poll_clear(&p);
    }
}
