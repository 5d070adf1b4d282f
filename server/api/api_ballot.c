/*
 * api_ballot.c — casting a sealed ballot, and the server's public key that
 * signs receipts and results.
 *
 * Status codes follow PROTOCOL §10: 401 unauthenticated, 403 not_on_roll,
 * 409 poll_closed, poll_withdrawn and already_voted, 400 invalid_ballot with the protocol's
 * reason code, 201 {"tracker", "receipt"} once the ballot is durable; 429
 * too_many_requests past --cast-limit ballots a minute per member. The
 * log line of a cast names neither the voter nor the ballot. The body is read
 * once, here at the edge, into the ballot the box checks, verifies and
 * stores (ballot_read.c).
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "ballot.h"
#include "ballotbox.h"
#include "http_error.h"
#include "http_request.h"
#include "jscan.h"
#include "sign.h"

/* The body read once, into a ballot or the reason it is none (*PARSED):
 * NULL and 1 when it is nested deeper than any API body may be (counted
 * apart only when the body is not JSON). */
static struct ballot *api_ballot_read(struct http_request *req, enum proto_reason *parsed,
                                      int *too_deep)
{
    struct ballot *b = NULL;
    size_t len;
    const char *body = http_request_body(req, &len);
    struct jscan_info scan;
    int depth;

    *parsed = ballot_parse_body(body, len, BALLOT_FORM_POST, &b, &depth);
    if (depth < 0) {
        jscan_text(body, len, &scan);
        depth = scan.depth;
    }
    *too_deep = depth > API_JSON_DEPTH_MAX;
    if (*too_deep) {
        ballot_free(b);
        b = NULL;
    }
    return b;
}

/* What a refused cast says where the table's message is too general. */
static const char *cast_message(enum cv_err err)
{
    if (err == CV_NOT_FOUND)
        return "no such poll";
    if (err == CV_POLL_WITHDRAWN)
        return "this poll was withdrawn: it takes no ballots";
    return NULL;
}

void api_ballot_cast(struct http_request *req)
{
    struct app *app = http_request_app(req);
    struct auth_user user;
    struct box_receipt rcpt;
    enum proto_reason reason = PROTO_OK, parsed;
    enum cv_err status;
    struct ballot *b;
    int too_deep;

    if (api_authenticate(req, &user) != 0)
        return;
    /* Before the proofs are verified: that is the cost being limited. */
    if (api_rate_limited(req, app->cast_limit, user.username, CV_RATE_LIMITED,
                         "too many ballots sent; try again later"))
        return;
    b = api_ballot_read(req, &parsed, &too_deep);
    if (too_deep) {
        http_error_respond_reason(req, CV_BAD_BALLOT, NULL, proto_reason_code(PROTO_SHAPE));
        return;
    }
    status = ballotbox_cast(app->box, http_request_param(req, "id"), user.username, b, parsed,
                            &rcpt, &reason);
    ballot_free(b);
    if (status == CV_OK)
        http_respond_json(req, 201, json_pack("{s:s, s:s}", "tracker", rcpt.tracker,
                                              "receipt", rcpt.receipt));
    else
        http_error_respond_reason(req, status, cast_message(status),
                                  status == CV_BAD_BALLOT ? proto_reason_code(reason) : NULL);
}

void api_server_key(struct http_request *req)
{
    char *pem = sign_public_pem(sign_key_public(http_request_app(req)->key));

    if (pem == NULL) {
        http_error_respond(req, CV_ERROR, NULL);
        return;
    }
    http_respond_bytes(req, 200, "application/x-pem-file", pem, strlen(pem));
    free(pem);
}
