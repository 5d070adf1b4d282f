/*
 * api_decrypt.c — a trustee's decryption entry for a poll sealed by its
 * council (PROTOCOL-threshold T7): POST /api/v1/polls/{id}/decryptions with
 * {"holder": j, "shares": [{"D", "c", "s"}, …]}, by the member who is the
 * council's trustee j, with an API token (what `conclave trustee decrypt`
 * and `watch` send; a browser session cannot post shares).
 *
 * Answers: 201 {"holder", "trustees_needed", "trustees_in", "published"};
 * 400 invalid_shares with the protocol's reason code (shape, hex, point,
 * scalar, proof); 403 not_trustee, wrong_holder, not_qualified; 409
 * poll_open, poll_withdrawn, not_sealed, result_published,
 * already_decrypted; 404 not_found. The log names the trustee's index, never
 * a share.
 */
#include <string.h>

#include "api.h"
#include "app.h"
#include "http_request.h"
#include "poll_decrypt.h"
#include "proto.h"

/* Answers what poll_decrypt_post decided (DECRYPT_OK excepted). */
static void decrypt_answer_error(struct http_request *req, enum decrypt_status rc,
                                 const struct decrypt_outcome *o)
{
    switch (rc) {
    case DECRYPT_NOT_FOUND:
        http_respond_error(req, 404, "not_found", "no such poll");
        break;
    case DECRYPT_NOT_SEALED:
        http_respond_error(req, 409, "not_sealed", "this poll is sealed by the server only: "
                           "no trustee decrypts it");
        break;
    case DECRYPT_OPEN:
        http_respond_error(req, 409, "poll_open", "the poll is still open: no decryption "
                           "share is taken before the close");
        break;
    case DECRYPT_WITHDRAWN:
        http_respond_error(req, 409, "poll_withdrawn", "this poll was withdrawn: there is "
                           "nothing to decrypt");
        break;
    case DECRYPT_PUBLISHED:
        http_respond_error(req, 409, "result_published", "the result is published already: "
                           "no more shares are needed");
        break;
    case DECRYPT_NOT_TRUSTEE:
        http_respond_error(req, 403, "not_trustee", "you are not a trustee of the council "
                           "that seals this poll");
        break;
    case DECRYPT_WRONG_HOLDER:
        http_respond_error(req, 403, "wrong_holder", "the entry's holder is not your index "
                           "in the council");
        break;
    case DECRYPT_NOT_QUAL:
        http_respond_error(req, 403, "not_qualified", "you are not in the council's "
                           "qualified set: you hold no key share");
        break;
    case DECRYPT_INVALID:
        http_respond_error_reason(req, 400, "invalid_shares", "the decryption shares were "
                                  "rejected", proto_reason_code(o->reason));
        break;
    case DECRYPT_ALREADY:
        http_respond_error(req, 409, "already_decrypted", "your shares for this poll are in "
                           "already");
        break;
    default:
        http_respond_error(req, 500, "internal", "internal server error");
        break;
    }
}

void api_decrypt_post(struct http_request *req)
{
    struct app *app = http_request_app(req);
    struct decrypt_outcome o;
    struct auth_user user;
    enum decrypt_status rc;
    const char *body;
    size_t len;

    if (http_request_header(req, "Authorization") == NULL) {
        http_respond_error(req, 401, "unauthenticated", "a trustee posts its shares with an "
                           "API token: Authorization: Bearer TOKEN");
        return;
    }
    if (api_authenticate(req, &user) != 0)
        return;
    body = http_request_body(req, &len);
    rc = poll_decrypt_post(app->store, app->key, http_request_param(req, "id"), user.username,
                           body != NULL ? body : "", body != NULL ? len : 0, &o);
    if (rc != DECRYPT_OK) {
        decrypt_answer_error(req, rc, &o);
        return;
    }
    http_respond_json(req, 201, json_pack("{s:I, s:I, s:I, s:b}", "holder", (json_int_t)o.holder,
                                          "trustees_needed", (json_int_t)o.t, "trustees_in",
                                          (json_int_t)o.present, "published", o.published));
}
