/*
 * web_poll.c — the poll list (/), the nomination form (/polls/new) and a
 * poll's page with the booth (/polls/{id}).
 *
 * Before a poll closes these pages show what the API shows: the nominee, the
 * statement, the deadline and the turnout, never a count. The booth itself is
 * static/js/booth.mjs: it fetches the record from the API, seals the ballot
 * in the browser and casts it; the server-rendered page only names the
 * options and says whether the viewer is on the roll and has voted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "poll.h"
#include "store_poll.h"
#include "web.h"
#include "web_form.h"

int web_result_read(const struct store_poll *p, struct web_result *res)
{
    json_t *r = p->result ? json_loads(p->result, 0, NULL) : NULL;
    json_t *counts = json_object_get(r, "counts");
    json_t *passed = json_object_get(r, "passed");
    const char *msg = json_string_value(json_object_get(r, "message"));
    const char *sig = json_string_value(json_object_get(r, "signature"));
    int rc = -1;

    memset(res, 0, sizeof *res);
    if (json_array_size(counts) != 2 || !json_is_boolean(passed) || msg == NULL ||
        sig == NULL || strlen(msg) >= sizeof res->message ||
        strlen(sig) >= sizeof res->signature ||
        !json_is_integer(json_array_get(counts, 0)) ||
        !json_is_integer(json_array_get(counts, 1)))
        goto out;
    res->yes = (long long)json_integer_value(json_array_get(counts, 0));
    res->no = (long long)json_integer_value(json_array_get(counts, 1));
    res->ballots = (long long)json_integer_value(json_object_get(r, "ballots"));
    res->passed = json_is_true(passed);
    memcpy(res->message, msg, strlen(msg) + 1);
    memcpy(res->signature, sig, strlen(sig) + 1);
    rc = 0;
out:
    json_decref(r);
    return rc;
}

/* Sets the outcome of closed poll P in o. */
static int result_put(struct tmpl_value *o, const struct store_poll *p)
{
    struct web_result res;

    if (web_result_read(p, &res) != 0)
        return -1;
    tmpl_put_int(o, "yes", res.yes);
    tmpl_put_int(o, "no", res.no);
    tmpl_put_int(o, "ballots", res.ballots);
    tmpl_put_bool(o, "passed", res.passed);
    tmpl_put_str(o, "message", res.message);
    tmpl_put_str(o, "signature", res.signature);
    return 0;
}

int web_poll_fill(struct store *st, struct tmpl_value *o, const struct store_poll *p,
                  const char *viewer)
{
    int64_t cast = 0;
    int voted = 0, on_roll = 0;
    char note[96];

    if (store_poll_voter_count(st, p->id, &cast) != 0 ||
        store_poll_has_voted(st, p->id, viewer, &voted) != 0 ||
        store_poll_on_roll(st, p->id, viewer, &on_roll) != 0)
        return -1;
    tmpl_put_str(o, "id", p->id);
    tmpl_put_str(o, "nominee", p->nominee);
    tmpl_put_str(o, "nominated_by", p->nominated_by);
    tmpl_put_str(o, "fingerprint", p->fingerprint);
    tmpl_put_bool(o, "open", !p->closed);
    tmpl_put_bool(o, "voted", voted);
    tmpl_put_bool(o, "on_roll", on_roll);
    tmpl_put_int(o, "cast", (long long)cast);
    tmpl_put_int(o, "eligible", (long long)p->eligible);
    tmpl_put_str(o, "have", cast == 1 ? "has" : "have");
    web_put_time(o, "opens", p->opens_at);
    web_put_time(o, "closes", p->closes_at);
    tmpl_put_str(o, "roll_deactivated", web_roll_deactivated(st, p->id, note, sizeof note));
    return p->closed ? result_put(o, p) : 0;
}

struct home_ctx {
    struct store *st;
    const char *viewer;
    struct tmpl_value *open, *closed;
};

static int home_one(void *arg, const struct store_poll *p)
{
    struct home_ctx *ctx = arg;

    return web_poll_fill(ctx->st, tmpl_list_add(p->closed ? ctx->closed : ctx->open), p,
                         ctx->viewer) != 0;
}

void web_home(struct http_request *req)
{
    struct web_viewer v;
    struct home_ctx ctx;
    struct tmpl_value *d;

    if (web_viewer_get(req, &v) != 0)
        return;
    d = web_page_new(&v, "Polls");
    ctx.st = http_request_app(req)->store;
    ctx.viewer = v.user.username;
    ctx.open = tmpl_put_list(d, "open_polls");
    ctx.closed = tmpl_put_list(d, "closed_polls");
    if (d == NULL || store_poll_list(ctx.st, home_one, &ctx) != 0) {
        tmpl_value_free(d);
        web_error(req, &v, 500, "Server error", "The polls could not be read.");
        return;
    }
    web_render(req, 200, "home", d);
}

/* Sets NAME to a poll's length in words: "7 days", "2 hours", "20 seconds". */
static void put_duration(struct tmpl_value *d, const char *name, unsigned secs)
{
    static const struct { unsigned secs; const char *unit; } units[] = {
        {86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}};
    size_t i;

    for (i = 0; i < sizeof units / sizeof units[0]; i++)
        if (secs % units[i].secs == 0 || i + 1 == sizeof units / sizeof units[0])
            break;
    secs /= units[i].secs;
    tmpl_put_strf(d, name, "%u %s%s", secs, units[i].unit, secs == 1 ? "" : "s");
}

/* The nomination form with values and an error on one field (may be NULL). */
static void new_form(struct http_request *req, const struct web_viewer *v, unsigned status,
                     const char *nominee, const char *statement, const char *error)
{
    struct tmpl_value *d = web_page_new(v, "Nominate");
    const char *field = error && strstr(error, "statement") ? "statement_error"
                                                            : "nominee_error";

    tmpl_put_str(d, "nominee", nominee ? nominee : "");
    tmpl_put_str(d, "statement", statement ? statement : "");
    put_duration(d, "duration", http_request_app(req)->cfg->poll_duration);
    if (error != NULL) {
        tmpl_put_strf(d, field, "%c%s.", error[0] >= 'a' && error[0] <= 'z' ?
                      error[0] - 'a' + 'A' : error[0], error + 1);
        tmpl_put_bool(d, "has_errors", 1);
    }
    web_render(req, status, "poll_new", d);
}

void web_poll_new_page(struct http_request *req)
{
    struct web_viewer v;

    if (web_viewer_get(req, &v) == 0)
        new_form(req, &v, 200, NULL, NULL, NULL);
}

void web_poll_new_submit(struct http_request *req)
{
    const struct app *app = http_request_app(req);
    struct web_viewer v;
    struct web_form form;
    char id[STORE_POLL_ID_MAX + 1], loc[64 + STORE_POLL_ID_MAX];
    const char *nominee, *statement, *why = "";
    enum poll_status rc;

    if (web_form_begin(req, &v, &form) != 0)
        return;
    nominee = web_form_get(&form, "nominee");
    statement = web_form_get(&form, "statement");
    if (nominee == NULL || statement == NULL) {
        new_form(req, &v, 400, nominee, statement, "the nominee's name is missing");
        goto out;
    }
    rc = poll_open(app->store, v.user.username, nominee, statement,
                   app->cfg->poll_duration, id, &why);
    if (rc == POLL_OK) {
        snprintf(loc, sizeof loc, "/polls/%s", id);
        web_redirect(req, loc);
    } else if (rc == POLL_INVALID || rc == POLL_ALREADY_MEMBER || rc == POLL_DUPLICATE ||
               rc == POLL_TOO_MANY) {
        new_form(req, &v, rc == POLL_INVALID ? 400 : 409, nominee, statement, why);
    } else {
        web_error(req, &v, 500, "Server error", "The poll could not be opened.");
    }
out:
    web_form_clear(&form);
}

void web_poll_page(struct http_request *req)
{
    struct store *st = http_request_app(req)->store;
    struct web_viewer v;
    struct store_poll p;
    struct tmpl_value *d, *o;
    int rc;

    if (web_viewer_get(req, &v) != 0)
        return;
    rc = store_poll_get(st, http_request_param(req, "id"), 0, &p);
    if (rc != 0) {
        web_error(req, &v, rc == STORE_NOT_FOUND ? 404 : 500, "No such poll",
                  rc == STORE_NOT_FOUND ? "There is no poll at this address."
                                        : "The poll could not be read.");
        return;
    }
    d = web_page_new(&v, p.nominee);
    o = tmpl_put_obj(d, "poll");
    tmpl_put_str(o, "statement_html", p.statement_html);   /* cmark, safe mode */
    if (web_poll_fill(st, o, &p, v.user.username) != 0) {
        tmpl_value_free(d);
        web_error(req, &v, 500, "Server error", "The poll could not be read.");
    } else {
        web_render(req, 200, "poll", d);
    }
    store_poll_clear(&p);
}
