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
 */
#include <string.h>

#include "api.h"
#include "app.h"
#include "http_error.h"
#include "http_request.h"
#include "poll_decrypt.h"
#include "proto.h"

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
