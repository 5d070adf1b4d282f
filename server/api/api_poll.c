/*
 * api_poll.c — nomination polls over HTTP: open one, list and read them,
 * withdraw one, and, after the close only, the signed result and the board.
 *
 * Before the close nothing here shows more than the record, the statement
 * and the turnout (how many have voted); result and board answer 409
 * poll_open until the server has closed the poll, and 409 poll_withdrawn
 * for a withdrawn poll, which has neither.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "board_stream.h"
#include "config.h"
#include "consent.h"
#include "http_error.h"
#include "http_request.h"
#include "poll.h"
#include "poll_view.h"
#include "store_poll.h"

/* Who seals the poll (PROTOCOL-threshold T6) and, after the close, which
 * trustees have decrypted: {"kind": "trustees" or "server", "text", and for
 * trustees "council", "t", "trustees": [{"index", "name", "decrypted"}],
 * "decrypted"} (new reference). */
static json_t *poll_seal_json_view(const struct poll_seal *s)
{
    char text[4096];
    json_t *v, *list;
    uint32_t k;

    poll_seal_text(s, text, sizeof text);
    if (!s->sealed)
        return json_pack("{s:s, s:s}", "kind", "server", "text", text);
    list = json_array();
    for (k = 0; list != NULL && k < s->count; k++)
        json_array_append_new(list, json_pack("{s:I, s:s, s:b}", "index",
                                              (json_int_t)s->trustees[k].index, "name",
                                              s->trustees[k].name, "decrypted",
                                              s->trustees[k].decrypted));
    v = json_pack("{s:s, s:s, s:s, s:I, s:o, s:I}", "kind", "trustees", "text", text,
                  "council", s->council, "t", (json_int_t)s->t, "trustees", list,
                  "decrypted", (json_int_t)s->decrypted);
    return v;
}

/* How the nominee agreed: {"kind": "attested"|"awaiting"|"accepted", "text",
 * and "by" (attested), "at" (attested, accepted), "until" (awaiting)}. */
static json_t *consent_json(const struct poll_view *view)
{
    static const char *const kinds[] = {"", "attested", "awaiting", "accepted"};
    const struct store_poll *p = view->poll;
    char text[300], at[21];
    json_t *v;

    consent_text(p, p->consent_by, text, sizeof text);
    v = json_pack("{s:s, s:s}", "kind", kinds[p->consent], "text", text);
    if (v != NULL && p->consent == STORE_CONSENT_ATTESTED)
        json_object_set_new(v, "by", json_string(p->consent_by));
    poll_format_time(p->consent == STORE_CONSENT_AWAITING ? p->closes_at : p->consent_at, at);
    if (v != NULL)
        json_object_set_new(v, p->consent == STORE_CONSENT_AWAITING ? "until" : "at",
                            json_string(at));
    return v;
}

/* VIEW as the API shows it (new reference, NULL on error). */
static json_t *view_json(const struct poll_view *view)
{
    const struct store_poll *p = view->poll;
    char opens[21], closes[21], withdrawn[21];
    json_t *record = NULL, *v;

    if (p->record && (record = json_loads(p->record, 0, NULL)) == NULL)
        return NULL;
    poll_format_time(p->opens_at, opens);
    poll_format_time(p->closes_at, closes);
    v = json_pack("{s:s, s:s?, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:s, s:s}",
                  "id", p->id, "fingerprint", p->fingerprint[0] ? p->fingerprint : NULL,
                  "state", poll_state_name(view->state), "nominee", p->nominee,
                  "statement_html", p->statement_html, "nominated_by", p->nominated_by,
                  "ballots_cast", (json_int_t)view->cast, "eligible", (json_int_t)p->eligible,
                  "voted", view->voted, "opens_at", opens, "closes_at", closes);
    if (v && view->state == POLL_STATE_WITHDRAWN) {
        poll_format_time(p->withdrawn_at, withdrawn);
        json_object_set_new(v, "withdrawn_by", p->withdrawn_by[0]
                            ? json_string(p->withdrawn_by) : json_null());
        json_object_set_new(v, "withdrawn_at", json_string(withdrawn));
        if (p->withdrawn_reason[0])
            json_object_set_new(v, "withdrawn_reason", json_string(p->withdrawn_reason));
    }
    if (v && p->consent != STORE_CONSENT_NONE)
        json_object_set_new(v, "consent", consent_json(view));
    if (v)
        json_object_set_new(v, "sealed_by", poll_seal_json_view(&view->seal));
    if (v && record)
        json_object_set_new(v, "record", record);
    else
        json_decref(record);
    return v;
}

/* Poll P as member VIEWER sees it, as JSON (new reference, NULL on error). */
static json_t *poll_json(struct store *st, const struct store_poll *p, const char *viewer)
{
    struct poll_view view;

    return poll_view_read(st, p, viewer, &view) == 0 ? view_json(&view) : NULL;
}

/* Loads poll {id} (with its record if WITH_RECORD); answers 404 / 500. */
static int poll_load(struct http_request *req, int with_record, struct store_poll *p)
{
    const char *id = http_request_param(req, "id");
    int rc = store_poll_get(http_request_app(req)->store, id, with_record, p);

    if (rc != CV_OK) {
        http_error_respond(req, rc, rc == CV_NOT_FOUND ? "no such poll" : NULL);
        return -1;
    }
    return 0;
}

/* Answers STATUS with poll ID as USER sees it. */
static void poll_answer(struct http_request *req, const struct auth_user *user,
                        const char *id, unsigned status)
{
    struct store *st = http_request_app(req)->store;
    struct store_poll p;
    json_t *v;

    if (store_poll_get(st, id, 1, &p) != 0) {
        http_error_respond(req, CV_ERROR, NULL);
        return;
    }
    if ((v = poll_json(st, &p, user->username)) == NULL)
        http_error_respond(req, CV_ERROR, NULL);
    else
        http_respond_json(req, status, v);
    store_poll_clear(&p);
}

/* The body's consent ("nominee_consent": "attested", or "nominee_email" in
 * mail mode) into *REQ over CTX: CV_OK, or CV_BAD_POLL with *why. */
static enum cv_err create_consent(const struct app *app, json_t *body,
                                  struct poll_consent_req *req, struct consent_ctx *ctx,
                                  const char **why)
{
    const char *consent = json_string_value(json_object_get(body, "nominee_consent"));
    json_t *email = json_object_get(body, "nominee_email");
    int mail_mode = app->cfg->nominee_consent == CONFIG_CONSENT_MAIL && app->mail != NULL;

    ctx->st = app->store;
    ctx->m = app->mail;
    if ((json_object_get(body, "nominee_consent") != NULL &&
         (consent == NULL || strcmp(consent, "attested") != 0)) ||
        (email != NULL && !json_is_string(email))) {
        *why = "nominee_consent must be \"attested\" and nominee_email a string";
        return CV_BAD_POLL;
    }
    if (!mail_mode && email != NULL) {
        *why = "this server asks the nominator to attest the nominee's consent "
               "(\"nominee_consent\": \"attested\"), not for the nominee's email address";
        return CV_BAD_POLL;
    }
    return consent_request(req, ctx, mail_mode, consent != NULL, json_string_value(email), why);
}

void api_poll_create(struct http_request *req)
{
    static const char *const keys[] = {"nominee", "statement", "?nominee_consent",
                                       "?nominee_email", NULL};
    const struct app *app = http_request_app(req);
    struct auth_user user;
    struct poll_consent_req consent;
    struct consent_ctx ctx;
    char id[STORE_POLL_ID_MAX + 1];
    const char *nominee, *statement, *why = NULL;
    json_t *body = NULL;
    enum cv_err rc;

    if (api_authenticate(req, &user) != 0 || api_parse_object(req, &body) != 0 ||
        api_check_keys(req, body, keys) != 0)
        goto out;
    nominee = json_string_value(json_object_get(body, "nominee"));
    statement = json_string_value(json_object_get(body, "statement"));
    if (nominee == NULL || statement == NULL) {
        http_error_respond(req, CV_INVALID, "nominee and statement must be strings");
        goto out;
    }
    rc = create_consent(app, body, &consent, &ctx, &why);
    if (rc == CV_OK)
        rc = poll_open(app->store, user.username, nominee, statement,
                       app->cfg->poll_duration, &consent, id, &why);
    if (rc == CV_OK)
        poll_answer(req, &user, id, 201);
    else
        http_error_respond(req, rc, rc == CV_ERROR ? NULL : why);
out:
    json_decref(body);
}

struct list_ctx {
    struct store *st;
    const char *viewer;
    json_t *polls;
};

static int list_one(void *arg, const struct store_poll *p)
{
    struct list_ctx *ctx = arg;
    struct store_poll full;
    json_t *v;
    int rc;

    /* the list walk holds the store lock; the lock is recursive */
    if (store_poll_get(ctx->st, p->id, 1, &full) != 0)
        return -1;
    v = poll_json(ctx->st, &full, ctx->viewer);
    store_poll_clear(&full);
    rc = v ? json_array_append_new(ctx->polls, v) : -1;
    return rc;
}

void api_poll_list(struct http_request *req)
{
    struct list_ctx ctx;
    struct auth_user user;

    if (api_authenticate(req, &user) != 0)
        return;
    ctx.st = http_request_app(req)->store;
    ctx.viewer = user.username;
    ctx.polls = json_array();
    if (ctx.polls == NULL || store_poll_list(ctx.st, list_one, &ctx) != 0) {
        json_decref(ctx.polls);
        http_error_respond(req, CV_ERROR, NULL);
        return;
    }
    http_respond_json(req, 200, json_pack("{s:o}", "polls", ctx.polls));
}

void api_poll_get(struct http_request *req)
{
    struct auth_user user;
    struct store_poll p;
    json_t *v;

    if (api_authenticate(req, &user) != 0 || poll_load(req, 1, &p) != 0)
        return;
    v = poll_json(http_request_app(req)->store, &p, user.username);
    if (v == NULL)
        http_error_respond(req, CV_ERROR, NULL);
    else
        http_respond_json(req, 200, v);
    store_poll_clear(&p);
}

/* Answers a withdrawal of poll {id} by USER that ended with RC. */
static void withdraw_answer(struct http_request *req, const struct auth_user *user,
                            enum cv_err rc)
{
    const char *msg = NULL;

    if (rc == CV_OK) {
        poll_answer(req, user, http_request_param(req, "id"), 200);
        return;
    }
    if (rc == CV_NOT_FOUND)
        msg = "no such poll";
    else if (rc == CV_FORBIDDEN)
        msg = "only the member who opened the poll, or an admin, can withdraw it";
    else if (rc == CV_POLL_WITHDRAWN)
        msg = "this poll was withdrawn already";
    http_error_respond(req, rc, msg);
}

void api_poll_withdraw(struct http_request *req)
{
    static const char *const no_keys[] = {NULL};
    struct app *app = http_request_app(req);
    struct auth_user user;
    json_t *body = NULL;
    size_t len = 0;

    if (api_authenticate(req, &user) != 0)
        return;
    /* no body, or an empty object */
    http_request_body(req, &len);
    if (len > 0 && (api_parse_object(req, &body) != 0 ||
                    api_check_keys(req, body, no_keys) != 0))
        goto out;
    withdraw_answer(req, &user, poll_withdraw(app->store, app->box,
                                              http_request_param(req, "id"),
                                              user.username, user.admin));
out:
    json_decref(body);
}

void api_poll_result(struct http_request *req)
{
    struct store_poll p;

    if (poll_load(req, 0, &p) != 0)
        return;
    if (p.withdrawn)
        http_error_respond(req, CV_POLL_WITHDRAWN,
                           "this poll was withdrawn: it has no result and no board");
    else if (STORE_POLL_AWAITING(&p))
        http_error_respond(req, CV_AWAITING_CONSENT, NULL);
    else if (!p.closed)
        http_error_respond(req, CV_POLL_OPEN, NULL);
    else if (p.decrypting)
        http_error_respond(req, CV_DECRYPTING, NULL);
    else
        http_respond_bytes(req, 200, "application/json", p.result, strlen(p.result));
    store_poll_clear(&p);
}

static long board_read(void *cls, char *buf, size_t max)
{
    return board_stream_read(cls, buf, max);
}

static void board_close(void *cls)
{
    board_stream_close(cls);
}

/* Streamed from the stored frame and ballot rows: a board holds 1.8 kB per
 * ballot, too much to copy into memory per request. */
void api_poll_board(struct http_request *req)
{
    struct board_stream *bs = NULL;
    int rc = board_stream_open(http_request_app(req)->store, http_request_param(req, "id"),
                               &bs);

    if (rc == 0)
        http_respond_stream(req, 200, "application/json", board_read, bs, board_close);
    else if (rc == CV_NOT_FOUND)
        api_poll_result(req);       /* 404 no such poll, or 409 poll_open */
    else
        http_error_respond(req, CV_ERROR, NULL);
}
