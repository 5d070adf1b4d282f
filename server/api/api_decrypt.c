/*
 * api_decrypt.c — a trustee's decryption entry for a poll sealed by its
 * council (PROTOCOL-threshold T7): POST /api/v1/polls/{id}/decryptions with
 * {"holder": j, "shares": [{"D", "c", "s"}, …]}, by the member who is the
 * council's trustee j, with an API token (what `conclave trustee decrypt`
 * and `watch` send; a browser session cannot post shares).
 *
 * Answers: 201 {"holder", "trustees_needed", "trustees_in", "published"};
 * otherwise http_error.c's row of poll_decrypt_post's outcome: 400
 * invalid_shares with the protocol's reason code (shape, hex, point,
 * scalar, proof); 403 not_a_trustee, wrong_holder, not_qualified; 409
 * poll_open, poll_withdrawn, not_sealed, result_published,
 * already_decrypted; 404 not_found. The log names the trustee's index, never
 * a share.
 *
 * GET /api/v1/decryptions[?council=ID], for any member (what `conclave
 * trustee watch` polls): the closed polls waiting for their trustees, light
 * (no record, no statement, no board): {"decryptions": [{"id", "council",
 * "fingerprint", "closes_at", "ballots_cast", "t", "trustees": [{"index",
 * "name", "decrypted"}]}]}. It changes only when a poll closes into
 * `decrypting`, a trustee's shares come in or a result is published, so it
 * carries an ETag and answers If-None-Match with 304 (Cache-Control:
 * private, no-cache). It shows what each poll's page shows, nothing more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "app.h"
#include "http_error.h"
#include "http_request.h"
#include "poll.h"
#include "poll_decrypt.h"
#include "poll_view.h"
#include "proto.h"
#include "store_poll.h"

void api_decrypt_post(struct http_request *req)
{
    struct app *app = http_request_app(req);
    struct decrypt_outcome o;
    struct auth_user user;
    enum cv_err rc;
    const char *body;
    size_t len;

    if (http_request_header(req, "Authorization") == NULL) {
        http_error_respond(req, CV_UNAUTHENTICATED, "a trustee posts its shares with an API "
                           "token: Authorization: Bearer TOKEN");
        return;
    }
    if (api_authenticate(req, &user) != 0)
        return;
    body = http_request_body(req, &len);
    rc = poll_decrypt_post(app->store, app->key, http_request_param(req, "id"), user.username,
                           body != NULL ? body : "", body != NULL ? len : 0, &o);
    if (rc == CV_BAD_SHARES) {
        http_error_respond_reason(req, rc, NULL, proto_reason_code(o.reason));
        return;
    }
    if (rc != CV_OK) {
        http_error_respond(req, rc, NULL);
        return;
    }
    http_respond_json(req, 201, json_pack("{s:I, s:I, s:I, s:b}", "holder", (json_int_t)o.holder,
                                          "trustees_needed", (json_int_t)o.t, "trustees_in",
                                          (json_int_t)o.present, "published", o.published));
}

struct decrypt_list_ctx {
    struct store *st;
    const char *council;            /* NULL: every council */
    json_t *polls;
};

/* Poll P's entry in the list if it waits for its trustees: 0, -1 on error. */
static int decrypt_list_one(void *arg, const struct store_poll *p)
{
    struct decrypt_list_ctx *ctx = arg;
    struct poll_view view;
    json_t *list, *v;
    char closes[21];
    uint32_t k;

    if (!p->decrypting || (ctx->council && strcmp(ctx->council, p->council) != 0))
        return 0;
    if (poll_view_read(ctx->st, p, "", &view) != 0 || (list = json_array()) == NULL)
        return -1;
    for (k = 0; k < view.seal.count; k++)
        json_array_append_new(list, json_pack("{s:I, s:s, s:b}", "index",
                                              (json_int_t)view.seal.trustees[k].index, "name",
                                              view.seal.trustees[k].name, "decrypted",
                                              view.seal.trustees[k].decrypted));
    poll_format_time(p->closes_at, closes);
    v = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:o}", "id", p->id, "council", p->council,
                  "fingerprint", p->fingerprint, "closes_at", closes, "ballots_cast",
                  (json_int_t)view.cast, "t", (json_int_t)view.seal.t, "trustees", list);
    return v != NULL ? json_array_append_new(ctx->polls, v) : -1;
}

/* The ETag of BODY (a quoted hex digest of its bytes) into tag (35 bytes). */
static void decrypt_etag(const char *body, char tag[35])
{
    unsigned char h[16];
    char hex[33];

    crypto_generichash(h, sizeof h, (const unsigned char *)body, strlen(body), NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(tag, 35, "\"%s\"", hex);
}

void api_decrypt_list(struct http_request *req)
{
    struct decrypt_list_ctx ctx;
    struct auth_user user;
    const char *match;
    char *body = NULL, tag[35];
    json_t *doc = NULL;

    if (api_authenticate(req, &user) != 0)
        return;
    ctx.st = http_request_app(req)->store;
    ctx.council = http_request_arg(req, "council");
    if ((ctx.polls = json_array()) != NULL &&
        store_poll_list(ctx.st, decrypt_list_one, &ctx) != 0) {
        json_decref(ctx.polls);
        ctx.polls = NULL;
    }
    /* "o" takes the list, also when the pack fails */
    if (ctx.polls == NULL || (doc = json_pack("{s:o}", "decryptions", ctx.polls)) == NULL ||
        (body = json_dumps(doc, JSON_COMPACT)) == NULL) {
        json_decref(doc);
        http_error_respond(req, CV_ERROR, NULL);
        return;
    }
    decrypt_etag(body, tag);
    http_set_revalidate(req);
    http_add_header(req, "ETag", tag);
    match = http_request_header(req, "If-None-Match");
    if (match != NULL && strcmp(match, tag) == 0) {
        http_respond_bytes(req, 304, "application/json", "", 0);
        json_decref(doc);
    } else {
        http_respond_json(req, 200, doc);
    }
    free(body);
}
