/*
 * web_poll.c — the poll list (/), the nomination form (/polls/new), a
 * poll's page with the booth (/polls/{id}) and its withdrawal
 * (/polls/{id}/withdraw: a question, then the withdrawal).
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
#include <time.h>

#include <sodium.h>

#include "app.h"
#include "config.h"
#include "consent.h"
#include "http_error.h"
#include "http_request.h"
#include "log.h"
#include "poll.h"
#include "poll_result.h"
#include "poll_stall.h"
#include "poll_view.h"
#include "store_poll.h"
#include "web.h"
#include "web_form.h"

int web_result_read(const struct store_poll *p, struct poll_result *res)
{
    if (poll_result_parse(p->result, res) != 0 || res->m != 2 ||
        res->verdict == PROTO_VERDICT_NONE)
        return -1;
    return 0;
}

/* Sets the outcome of closed poll P in o. */
static int result_put(struct tmpl_value *o, const struct store_poll *p)
{
    struct poll_result res;

    if (web_result_read(p, &res) != 0)
        return -1;
    tmpl_put_int(o, "yes", res.counts[0]);
    tmpl_put_int(o, "no", res.counts[1]);
    tmpl_put_int(o, "ballots", res.ballots);
    tmpl_put_bool(o, "passed", res.verdict == PROTO_VERDICT_PASSED);
    tmpl_put_str(o, "message", res.message);
    tmpl_put_str(o, "signature", res.signature);
    return 0;
}

/* Who seals the poll (PROTOCOL-threshold T6) and, after its close, which
 * trustees have decrypted: "sealed_text" on every page, and for a council
 * its trustees, t, and the names of those whose shares are in. */
static void seal_put(struct tmpl_value *o, const struct poll_seal *s)
{
    char text[4096], names[4096] = "";
    struct tmpl_value *list, *e;
    size_t used;
    uint32_t k;

    poll_seal_text(s, text, sizeof text);
    tmpl_put_str(o, "sealed_text", text);
    tmpl_put_bool(o, "sealed_by_trustees", s->sealed);
    if (!s->sealed)
        return;
    tmpl_put_int(o, "seal_t", s->t);
    tmpl_put_int(o, "seal_count", s->count);
    tmpl_put_int(o, "decrypted_count", s->decrypted);
    tmpl_put_int(o, "decrypt_missing", s->decrypted < s->t ? s->t - s->decrypted : 0);
    list = tmpl_put_list(o, "trustees");
    for (k = 0; k < s->count; k++) {
        e = tmpl_list_add(list);
        tmpl_put_int(e, "index", s->trustees[k].index);
        tmpl_put_str(e, "name", s->trustees[k].name);
        tmpl_put_bool(e, "decrypted", s->trustees[k].decrypted);
        if (!s->trustees[k].decrypted)
            continue;
        used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "",
                 s->trustees[k].name);
    }
    tmpl_put_str(o, "decrypted_names", names);
    for (names[0] = '\0', k = 0; k < s->count; k++) {
        if (s->trustees[k].decrypted)
            continue;
        used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "",
                 s->trustees[k].name);
    }
    tmpl_put_str(o, "undecrypted_names", names);
}

/* How P's nominee agreed ("consent_text"), and "never_opened" for a poll
 * withdrawn while it awaited consent. */
static void consent_put(struct store *st, struct tmpl_value *o, const struct store_poll *p)
{
    struct store_member m;
    char text[600];

    if (p->consent == STORE_CONSENT_ATTESTED &&
        store_member_get(st, p->consent_by, &m) == CV_OK) {
        consent_text(p, m.display_name[0] ? m.display_name : p->consent_by, text, sizeof text);
        memset(&m, 0, sizeof m);
    } else {
        consent_text(p, p->consent_by, text, sizeof text);
    }
    tmpl_put_str(o, "consent_text", text);
    tmpl_put_bool(o, "never_opened", p->consent == STORE_CONSENT_AWAITING && p->closed);
}

int web_poll_fill(struct store *st, struct tmpl_value *o, const struct poll_view *v)
{
    const struct store_poll *p = v->poll;
    char note[96];

    tmpl_put_str(o, "id", p->id);
    tmpl_put_str(o, "nominee", p->nominee);
    web_put_person(st, o, "nominated_by", p->nominated_by);
    tmpl_put_str(o, "fingerprint", p->fingerprint);
    tmpl_put_bool(o, "open", v->state == POLL_STATE_OPEN);
    tmpl_put_bool(o, "closed", v->state == POLL_STATE_CLOSED);
    tmpl_put_bool(o, "decrypting", v->state == POLL_STATE_DECRYPTING);
    if (v->state == POLL_STATE_DECRYPTING) {
        poll_stall_format((int64_t)time(NULL) - p->closes_at, note, sizeof note);
        tmpl_put_str(o, "decrypt_waited", note);
    }
    seal_put(o, &v->seal);
    tmpl_put_bool(o, "voted", v->voted);
    tmpl_put_bool(o, "on_roll", v->on_roll);
    tmpl_put_int(o, "cast", (long long)v->cast);
    tmpl_put_int(o, "eligible", (long long)p->eligible);
    tmpl_put_str(o, "have", v->cast == 1 ? "has" : "have");
    web_put_time(o, "opens", p->opens_at);
    web_put_time(o, "closes", p->closes_at);
    tmpl_put_str(o, "roll_deactivated", web_roll_deactivated(st, p->id, note, sizeof note));
    consent_put(st, o, p);
    tmpl_put_bool(o, "awaiting", v->state == POLL_STATE_AWAITING);
    if (v->state == POLL_STATE_WITHDRAWN) {
        tmpl_put_bool(o, "withdrawn", 1);
        tmpl_put_str(o, "withdrawn_reason", p->withdrawn_reason);
        if (p->withdrawn_by[0])
            web_put_person(st, o, "withdrawn_by", p->withdrawn_by);
        web_put_time(o, "withdrawn_at", p->withdrawn_at);
        return 0;
    }
    return v->state == POLL_STATE_CLOSED ? result_put(o, p) : 0;
}

int web_poll_put(struct store *st, struct tmpl_value *o, const struct store_poll *p,
                 const char *viewer)
{
    struct poll_view v;

    return poll_view_read(st, p, viewer, &v) == 0 ? web_poll_fill(st, o, &v) : -1;
}

struct home_ctx {
    struct store *st;
    const char *viewer;
    struct tmpl_value *open, *closed, *withdrawn, *awaiting;
    int any_withdrawn, any_awaiting;
};

static int home_one(void *arg, const struct store_poll *p)
{
    struct home_ctx *ctx = arg;
    struct tmpl_value *list = p->withdrawn ? ctx->withdrawn : p->closed ? ctx->closed
                              : STORE_POLL_AWAITING(p) ? ctx->awaiting : ctx->open;

    ctx->any_withdrawn |= p->withdrawn;
    ctx->any_awaiting |= STORE_POLL_AWAITING(p);
    return web_poll_put(ctx->st, tmpl_list_add(list), p, ctx->viewer) != 0;
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
    ctx.withdrawn = tmpl_put_list(d, "withdrawn_polls");
    ctx.awaiting = tmpl_put_list(d, "awaiting_polls");
    ctx.any_withdrawn = ctx.any_awaiting = 0;
    if (d == NULL || store_poll_list(ctx.st, home_one, &ctx) != 0) {
        tmpl_value_free(d);
        web_error(req, &v, 500, "Server error", "The polls could not be read.");
        return;
    }
    tmpl_put_bool(d, "any_withdrawn", ctx.any_withdrawn);
    tmpl_put_bool(d, "any_awaiting", ctx.any_awaiting);
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

/* What the nomination form shows besides its values: an error on one field
 * (may be NULL), and, for a nominee who has an open poll, that poll's id. */
struct new_form_error {
    const char *error;
    const char *dup_id;         /* "" or NULL: none */
    const char *dup_nominee;
    int whole_form;             /* the error is about the form, not a field */
    const char *email;          /* the nominee's address as typed, or NULL */
};

/* Whether nominees are asked by mail (--nominee-consent mail, mail on). */
static int web_consent_mail(const struct app *app)
{
    return app->cfg->nominee_consent == CONFIG_CONSENT_MAIL && app->mail != NULL;
}

/* The nomination form with VALUES, a new one-time token and E (may be NULL). */
static void new_form(struct http_request *req, const struct web_viewer *v, unsigned status,
                     const char *nominee, const char *statement, const struct new_form_error *e)
{
    struct tmpl_value *d = web_page_new(v, "Nominate");
    const char *error = e ? e->error : NULL;
    const char *field = error && strstr(error, "statement") ? "statement_error"
                        : error && (strstr(error, "consent") || strstr(error, "email"))
                        ? "consent_error" : "nominee_error";
    char once[33];

    web_once_new(once);
    tmpl_put_str(d, "form_once", once);
    tmpl_put_str(d, "nominee", nominee ? nominee : "");
    tmpl_put_str(d, "statement", statement ? statement : "");
    put_duration(d, "duration", http_request_app(req)->cfg->poll_duration);
    tmpl_put_bool(d, "consent_mail", web_consent_mail(http_request_app(req)));
    tmpl_put_str(d, "nominee_email", e && e->email ? e->email : "");
    if (e != NULL && e->whole_form) {
        tmpl_put_str(d, "form_error", e->error);
        tmpl_put_bool(d, "has_errors", 1);
    } else if (e != NULL && e->dup_id != NULL && e->dup_id[0] != '\0') {
        tmpl_put_strf(d, "nominee_error", "There is already an open poll for %s:",
                      e->dup_nominee);
        tmpl_put_str(d, "dup_id", e->dup_id);
        tmpl_put_bool(d, "has_errors", 1);
    } else if (error != NULL) {
        tmpl_put_strf(d, field, "%c%s.", error[0] >= 'a' && error[0] <= 'z' ?
                      error[0] - 'a' + 'A' : error[0], error + 1);
        tmpl_put_bool(d, "has_errors", 1);
    }
    web_render(req, status, "poll_new", d);
}

#define NEW_FLASH_FORM "poll_new"    /* web_flash.form of a refused nomination */
#define NEW_FLASH_TEXT "poll_new.statement"
#define NEW_FLASH_EMAIL "poll_new.email"

/* Copies at most CAP - 1 bytes of S into OUT, cut at a character's start. */
static void new_copy_utf8(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s);

    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

/* POST-redirect-GET of a refused nomination: what the form showed with E is
 * kept for the GET of /polls/new (the statement beside the flash, being too
 * long for it), which the browser is sent to. */
static void new_again(struct http_request *req, const char *nominee, const char *statement,
                      const struct new_form_error *e)
{
    const char *owner = web_flash_session(req);
    struct web_flash f;

    memset(&f, 0, sizeof f);
    snprintf(f.form, sizeof f.form, "%s", NEW_FLASH_FORM);
    new_copy_utf8(f.error, sizeof f.error, e->error);
    new_copy_utf8(f.field[0], sizeof f.field[0], nominee ? nominee : "");
    new_copy_utf8(f.field[1], sizeof f.field[1], e->dup_id ? e->dup_id : "");
    new_copy_utf8(f.field[2], sizeof f.field[2], e->dup_nominee ? e->dup_nominee : "");
    snprintf(f.field[3], sizeof f.field[3], "%s", e->whole_form ? "1" : "");
    web_flash_put_text(req, owner, NEW_FLASH_TEXT, statement ? statement : "");
    if (e->email != NULL && e->email[0] != '\0')
        web_flash_put_text(req, owner, NEW_FLASH_EMAIL, e->email);
    web_flash_put(req, owner, &f);
    web_redirect(req, "/polls/new");
}

void web_poll_new_page(struct http_request *req)
{
    const char *owner = web_flash_session(req);
    struct web_viewer v;
    struct web_flash f;
    struct new_form_error e;
    char *statement, *email;

    if (web_viewer_get(req, &v) != 0)
        return;
    statement = web_flash_take_text(req, owner, NEW_FLASH_TEXT);
    email = web_flash_take_text(req, owner, NEW_FLASH_EMAIL);
    if (web_flash_take(req, owner, &f) == 1 && strcmp(f.form, NEW_FLASH_FORM) == 0) {
        e = (struct new_form_error){f.error, f.field[1], f.field[2], f.field[3][0] == '1',
                                    email};
        new_form(req, &v, 200, f.field[0], statement, &e);
    } else {
        new_form(req, &v, 200, NULL, NULL, NULL);
    }
    sodium_memzero(&f, sizeof f);
    free(statement);
    free(email);
}

/* Answers a nomination that poll_open refused with RC (ID: the open poll of
 * the same nominee, for CV_POLL_EXISTS). */
static void new_refused(struct http_request *req, const struct web_viewer *v,
                        const char *nominee, const char *statement, const char *email,
                        enum cv_err rc, const char *why, const char *id)
{
    struct new_form_error e = {why, NULL, NULL, 0, email};
    struct store_poll dup;

    memset(&dup, 0, sizeof dup);
    if (rc == CV_POLL_EXISTS && id[0] != '\0' &&
        store_poll_get(http_request_app(req)->store, id, 0, &dup) == 0) {
        e.dup_id = dup.id;
        e.dup_nominee = dup.nominee;
    }
    if (rc == CV_BAD_POLL || rc == CV_ALREADY_MEMBER || rc == CV_POLL_EXISTS ||
        rc == CV_TOO_MANY_POLLS)
        new_again(req, nominee, statement, &e);
    else
        web_error(req, v, 500, "Server error", "The poll could not be opened.");
    store_poll_clear(&dup);
}

/* The form's consent (the ticked "nominee_consent", or "nominee_email" in
 * mail mode) into *REQ over CTX: CV_OK, or CV_BAD_POLL with *why. */
static enum cv_err new_consent(const struct web_form *form, const struct app *app,
                               struct poll_consent_req *req, struct consent_ctx *ctx,
                               const char **why)
{
    const char *attested = web_form_get(form, "nominee_consent");

    ctx->st = app->store;
    ctx->m = app->mail;
    return consent_request(req, ctx, web_consent_mail(app),
                           attested != NULL && strcmp(attested, "attested") == 0,
                           web_form_get(form, "nominee_email"), why);
}

void web_poll_new_submit(struct http_request *req)
{
    const struct app *app = http_request_app(req);
    struct web_viewer v;
    struct web_form form;
    char id[STORE_POLL_ID_MAX + 1] = "", loc[64 + STORE_POLL_ID_MAX];
    const char *nominee, *statement, *email, *why = "";
    struct new_form_error again = {"This form was sent already (the page was reloaded, or "
                                   "the form sent twice), so nothing was done this time. "
                                   "Check the list of polls before you send it again.",
                                   NULL, NULL, 1, NULL};
    struct poll_consent_req consent;
    struct consent_ctx ctx;
    enum cv_err rc;

    if (web_form_begin(req, &v, &form) != 0)
        return;
    nominee = web_form_get(&form, "nominee");
    statement = web_form_get(&form, "statement");
    email = web_form_get(&form, "nominee_email");   /* typed again after a refusal */
    again.email = email;
    if (nominee == NULL || statement == NULL) {
        new_again(req, nominee, statement, &(struct new_form_error){
                  "the nominee's name is missing", NULL, NULL, 0, email});
    } else if (web_once_spend(web_form_get(&form, "form_once"),
                              (const char *const[]){nominee, statement, NULL}) == 1) {
        new_again(req, nominee, statement, &again);
    } else if ((rc = new_consent(&form, app, &consent, &ctx, &why)) == CV_OK &&
               (rc = poll_open(app->store, v.user.username, nominee, statement,
                               app->cfg->poll_duration, &consent, id, &why)) == CV_OK) {
        snprintf(loc, sizeof loc, "/polls/%s", id);
        web_redirect(req, loc);
    } else {
        new_refused(req, &v, nominee, statement, email, rc, why, id);
    }
    web_form_clear(&form);
}

/* Reads poll {id} for a page; answers 404 or 500 and returns -1 if it cannot. */
static int page_poll_get(struct http_request *req, const struct web_viewer *v,
                         struct store_poll *p)
{
    int rc = store_poll_get(http_request_app(req)->store, http_request_param(req, "id"), 0, p);

    if (rc == 0)
        return 0;
    web_error(req, v, http_error_status(rc), "No such poll",
              rc == CV_NOT_FOUND ? "There is no poll at this address."
                                    : "The poll could not be read.");
    return -1;
}

/* Fills the poll page's data for P: the poll, the address the no-JavaScript
 * hint's command names, whether the viewer may withdraw the poll. */
static int poll_page_fill(struct http_request *req, struct tmpl_value *d,
                          const struct store_poll *p, const struct web_viewer *v)
{
    struct store *st = http_request_app(req)->store;
    struct tmpl_value *o = tmpl_put_obj(d, "poll");
    struct poll_view view;
    char base[300];

    tmpl_put_str(o, "statement_html", p->statement_html);  /* statement.h: safe */
    web_base_url(req, base, sizeof base);
    tmpl_put_str(o, "base_url", base);
    if (poll_view_read(st, p, v->user.username, &view) != 0 ||
        web_poll_fill(st, o, &view) != 0)
        return -1;
    tmpl_put_bool(o, "can_withdraw", poll_withdraw_check(p, view.cast, v->user.username,
                                                         v->user.admin) == CV_OK);
    return 0;
}

void web_poll_page(struct http_request *req)
{
    struct web_viewer v;
    struct store_poll p;
    struct tmpl_value *d;

    if (web_viewer_get(req, &v) != 0 || page_poll_get(req, &v, &p) != 0)
        return;
    d = web_page_new(&v, p.nominee);
    if (poll_page_fill(req, d, &p, &v) != 0) {
        tmpl_value_free(d);
        web_error(req, &v, 500, "Server error", "The poll could not be read.");
    } else {
        web_render(req, 200, "poll", d);
    }
    store_poll_clear(&p);
}

/* The error page of a withdrawal refused with RC. */
static void withdraw_refused(struct http_request *req, const struct web_viewer *v,
                             enum cv_err rc)
{
    static const struct { enum cv_err err; const char *title, *text; } pages[] = {
        { CV_NOT_FOUND, "No such poll", "There is no poll at this address." },
        { CV_FORBIDDEN, "Not yours to withdraw", "Only the member who opened this poll, or "
          "an admin, can withdraw it." },
        { CV_BALLOTS_CAST, "Too late to withdraw", "A ballot has been cast in this poll, so "
          "it can no longer be withdrawn; it closes at its deadline." },
        { CV_POLL_CLOSED, "Too late to withdraw", "This poll has closed, so it can no longer "
          "be withdrawn." },
    };
    size_t i;

    for (i = 0; i < sizeof pages / sizeof pages[0]; i++)
        if (pages[i].err == rc) {
            web_error(req, v, http_error_status(rc), pages[i].title, pages[i].text);
            return;
        }
    web_error(req, v, http_error_status(CV_ERROR), "Server error",
              "The poll could not be withdrawn.");
}

/* The first step of a withdrawal: the question, if the answer can be yes. */
static void withdraw_ask(struct http_request *req, const struct web_viewer *v,
                         const char *loc)
{
    struct store *st = http_request_app(req)->store;
    struct store_poll p;
    struct poll_view view;
    struct tmpl_value *d;
    enum cv_err rc;

    if (page_poll_get(req, v, &p) != 0)
        return;
    rc = poll_view_read(st, &p, v->user.username, &view) != 0 ? CV_ERROR
         : poll_withdraw_check(&p, view.cast, v->user.username, v->user.admin);
    if (rc == CV_POLL_WITHDRAWN) {
        web_redirect(req, loc);             /* the poll's page says by whom */
    } else if (rc != CV_OK) {
        withdraw_refused(req, v, rc);
    } else {
        d = web_page_new(v, "Withdraw this poll?");
        if (web_poll_fill(st, tmpl_put_obj(d, "poll"), &view) != 0) {
            tmpl_value_free(d);
            web_error(req, v, 500, "Server error", "The poll could not be read.");
        } else {
            web_render(req, 200, "poll_withdraw", d);
        }
    }
    store_poll_clear(&p);
}

void web_poll_withdraw_page(struct http_request *req)
{
    struct web_viewer v;
    char loc[64 + STORE_POLL_ID_MAX];

    if (web_viewer_get(req, &v) != 0)
        return;
    snprintf(loc, sizeof loc, "/polls/%s", http_request_param(req, "id"));
    withdraw_ask(req, &v, loc);
}

/* POST-redirect-GET: the question, a refusal and its reason are the GET of
 * /polls/{id}/withdraw (which checks again); a withdrawal the poll's page. */
void web_poll_withdraw(struct http_request *req)
{
    struct app *app = http_request_app(req);
    const char *id = http_request_param(req, "id"), *confirm;
    struct web_viewer v;
    struct web_form form;
    char loc[64 + STORE_POLL_ID_MAX], ask[80 + STORE_POLL_ID_MAX];
    enum cv_err rc;

    if (web_form_begin(req, &v, &form) != 0)
        return;
    snprintf(loc, sizeof loc, "/polls/%s", id);
    snprintf(ask, sizeof ask, "/polls/%s/withdraw", id);
    confirm = web_form_get(&form, "confirm");
    if (confirm == NULL || strcmp(confirm, "yes") != 0) {
        web_redirect(req, ask);
    } else {
        rc = poll_withdraw(app->store, app->box, id, v.user.username, v.user.admin);
        if (rc == CV_OK || rc == CV_POLL_WITHDRAWN)
            web_redirect(req, loc);
        else if (rc == CV_ERROR)
            withdraw_refused(req, &v, rc);
        else
            web_redirect(req, ask);
    }
    web_form_clear(&form);
}
