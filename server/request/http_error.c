/*
 * http_error.c — the table from enum cv_err to HTTP status, API error code and
 * message; the one place that says what a client sees for an outcome.
 *
 * Rows are indexed by value (CV_ERROR, at -1, is row 0), so a lookup costs
 * nothing; tests/test_http_error.c checks that every value has its row, in
 * order, and that no two rows share a code.
 */
#include "http_error.h"
#include "http_request.h"

#define ROW(e, s, c, m) [(e) - CV_ERROR] = { (e), (s), (c), (m) }

static const struct http_error table[CV_ERR_END - CV_ERROR] = {
    ROW(CV_ERROR,           500, "internal", "internal server error"),
    ROW(CV_OK,              200, NULL, NULL),
    ROW(CV_NOT_FOUND,       404, "not_found", "no such resource"),
    ROW(CV_CONFLICT,        409, "conflict", "this conflicts with what is stored"),
    ROW(CV_INVALID,         400, "bad_request", "the request is not valid"),
    ROW(CV_BAD_JSON,        400, "bad_json", "the body must be one JSON object"),
    ROW(CV_TOO_LARGE,       413, "too_large", "request body is too large"),
    ROW(CV_MEDIA_TYPE,      415, "unsupported_media_type",
        "this route does not take a body of that type"),
    ROW(CV_BAD_METHOD,      405, "method_not_allowed", "method not allowed on this path"),
    ROW(CV_TIMEOUT,         408, "request_timeout", "the request was not received in time"),
    ROW(CV_BAD_CREDENTIALS, 401, "invalid_credentials", "wrong username or password"),
    ROW(CV_UNAUTHENTICATED, 401, "unauthenticated", "log in first"),
    ROW(CV_EXPIRED,         401, "password_expired",
        "this one-time password has expired: ask an admin for a new one"),
    ROW(CV_PASSWORD_CHANGE, 403, "password_change_required",
        "choose your own password on the page /account first"),
    ROW(CV_CSRF,            403, "csrf_failed", "missing or wrong X-CSRF-Token"),
    ROW(CV_CROSS_SITE,      403, "cross_site", "this may not be posted from another site"),
    ROW(CV_FORBIDDEN,       403, "forbidden", "you may not do this"),
    ROW(CV_THROTTLED,       429, "too_many_attempts",
        "too many failed logins for this account from your address; try again later"),
    ROW(CV_RATE_LIMITED,    429, "too_many_requests", "too many requests; try again later"),
    ROW(CV_BAD_POLL,        400, "invalid_poll", "the poll cannot be opened"),
    ROW(CV_ALREADY_MEMBER,  409, "already_member", "the nominee is already a member"),
    ROW(CV_POLL_EXISTS,     409, "poll_exists", "an open poll for this nominee exists"),
    ROW(CV_TOO_MANY_POLLS,  409, "too_many_polls", "you have too many open polls"),
    ROW(CV_POLL_OPEN,       409, "poll_open", "the result is published at the close"),
    ROW(CV_POLL_CLOSED,     409, "poll_closed", "the poll is closed"),
    ROW(CV_POLL_WITHDRAWN,  409, "poll_withdrawn", "this poll was withdrawn"),
    ROW(CV_BALLOTS_CAST,    409, "ballots_cast",
        "a ballot has been cast: the poll can no longer be withdrawn"),
    ROW(CV_NOT_ON_ROLL,     403, "not_on_roll", "you are not on this poll's roll"),
    ROW(CV_ALREADY_VOTED,   409, "already_voted",
        "you have voted; send \"replaces\" to change your vote"),
    ROW(CV_BAD_BALLOT,      400, "invalid_ballot", "the ballot was rejected"),
    ROW(CV_NOT_TRUSTEE,     403, "not_a_trustee", "you are not a trustee of this council"),
    ROW(CV_WRONG_ROUND,     409, "wrong_round",
        "the council is not in the round that takes this message"),
    ROW(CV_DUPLICATE,       409, "duplicate", "you already posted another message of this kind"),
    ROW(CV_BAD_MESSAGE,     422, "invalid_message", "the message breaks a rule of the ceremony"),
    ROW(CV_NOT_COMPLETE,    409, "not_complete", "the council's ceremony is not complete"),
    ROW(CV_DECRYPTING,      409, "decrypting", "the poll is closed and sealed by trustees: "
        "the result is published once enough of them have decrypted it"),
    ROW(CV_NOT_SEALED,      409, "not_sealed",
        "this poll is sealed by the server only: no trustee decrypts it"),
    ROW(CV_RESULT_PUBLISHED, 409, "result_published",
        "the result is published already: no more shares are needed"),
    ROW(CV_WRONG_HOLDER,    403, "wrong_holder",
        "the entry's holder is not your index in the council"),
    ROW(CV_NOT_QUALIFIED,   403, "not_qualified",
        "you are not in the council's qualified set: you hold no key share"),
    ROW(CV_BAD_SHARES,      400, "invalid_shares", "the decryption shares were rejected"),
    ROW(CV_ALREADY_DECRYPTED, 409, "already_decrypted",
        "your shares for this poll are in already"),
    ROW(CV_PROVIDER_DOWN,   502, "provider_down", "the identity provider cannot be reached"),
    ROW(CV_PROVIDER_ERROR,  502, "provider_error", "the identity provider refused the login"),
    ROW(CV_LOGIN_DECLINED,  403, "login_declined", "you declined the login at the identity provider"),
    ROW(CV_BAD_STATE,       400, "bad_state",
        "this login expired or was used already; start again"),
    ROW(CV_BAD_ID_TOKEN,    401, "bad_id_token", "the identity provider's token was refused"),
    ROW(CV_NOT_IN_GROUP,    403, "not_in_group", "you are not in the group this server admits"),
    ROW(CV_NOT_MEMBER,      403, "not_member", "no member matches your account"),
    ROW(CV_DEACTIVATED,     403, "deactivated", "your membership is deactivated"),
};

const struct http_error *http_error_of(enum cv_err err)
{
    if ((int)err < (int)CV_ERROR || (int)err >= (int)CV_ERR_END)
        err = CV_ERROR;
    return &table[err - CV_ERROR];
}

unsigned http_error_status(enum cv_err err)
{
    return http_error_of(err)->status;
}

const struct http_error *http_error_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

int http_error_respond_reason(struct http_request *req, enum cv_err err, const char *message,
                              const char *reason)
{
    const struct http_error *row = http_error_of(err == CV_OK ? CV_ERROR : err);

    return http_respond_error_reason(req, row->status, row->code,
                                     message != NULL ? message : row->message, reason);
}

int http_error_respond(struct http_request *req, enum cv_err err, const char *message)
{
    return http_error_respond_reason(req, err, message, NULL);
}
