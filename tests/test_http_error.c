/*
 * test_http_error.c — the one table from enum cv_err to what a client sees
 * (http_error.h): every value has its row, in order, with a client error or
 * server error status and a code no other row has; an unknown value is
 * CV_ERROR's 500; the codes PROTOCOL §10 and the README promise keep their
 * statuses; and http_error_respond writes the envelope with the table's
 * status and code, the handler's message or the table's, and the reason
 * beside.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "harness.h"
#include "http_error.h"
#include "http_request_internal.h"

static void test_rows(void)
{
    size_t n, i, j;
    const struct http_error *t = http_error_table(&n);

    CHECK_EQ_SIZE(n, (size_t)(CV_ERR_END - CV_ERROR), "one row per value");
    for (i = 0; i < n; i++) {
        enum cv_err e = (enum cv_err)((int)i + CV_ERROR);
        char what[64];

        snprintf(what, sizeof what, "row %zu is value %d", i, (int)e);
        CHECK_EQ_INT((int)t[i].err, (int)e, what);
        CHECK(http_error_of(e) == &t[i], "http_error_of finds the row");
        CHECK(strncmp(cv_err_name(e), "CV_", 3) == 0 && strcmp(cv_err_name(e), "CV_(unknown)") != 0,
              "a name");
        if (e == CV_OK) {
            CHECK_EQ_INT((int)t[i].status, 200, "CV_OK is no error");
            continue;
        }
        snprintf(what, sizeof what, "value %d: a 4xx or 5xx", (int)e);
        CHECK(t[i].status >= 400 && t[i].status < 600, what);
        CHECK(t[i].code != NULL && t[i].code[0] != '\0', "a code");
        CHECK(t[i].message != NULL && t[i].message[0] != '\0', "a message");
        for (j = 0; j < i; j++)
            if (t[j].code != NULL && t[i].code != NULL && strcmp(t[i].code, t[j].code) == 0) {
                snprintf(what, sizeof what, "code %s twice", t[i].code);
                CHECK(0, what);
            }
    }
    CHECK(http_error_of((enum cv_err)-7) == http_error_of(CV_ERROR), "below: CV_ERROR");
    CHECK(http_error_of((enum cv_err)CV_ERR_END) == http_error_of(CV_ERROR), "past: CV_ERROR");
    CHECK_EQ_INT((int)http_error_status((enum cv_err)999), 500, "unknown: 500");
    CHECK_EQ_STR(cv_err_name(CV_POLL_CLOSED), "CV_POLL_CLOSED");
    CHECK_EQ_STR(cv_err_name((enum cv_err)999), "CV_(unknown)");
}

/* The statuses and codes clients rely on (PROTOCOL §10, README's API). */
static void test_contract(void)
{
    static const struct { enum cv_err e; unsigned status; const char *code; } want[] = {
        { CV_ERROR, 500, "internal" },              { CV_NOT_FOUND, 404, "not_found" },
        { CV_INVALID, 400, "bad_request" },         { CV_BAD_JSON, 400, "bad_json" },
        { CV_TOO_LARGE, 413, "too_large" },         { CV_TIMEOUT, 408, "request_timeout" },         { CV_BAD_METHOD, 405, "method_not_allowed" },
        { CV_MEDIA_TYPE, 415, "unsupported_media_type" },
        { CV_BAD_CREDENTIALS, 401, "invalid_credentials" },
        { CV_UNAUTHENTICATED, 401, "unauthenticated" }, { CV_EXPIRED, 401, "password_expired" },
        { CV_PASSWORD_CHANGE, 403, "password_change_required" },
        { CV_CSRF, 403, "csrf_failed" },            { CV_CROSS_SITE, 403, "cross_site" },
        { CV_FORBIDDEN, 403, "forbidden" },         { CV_THROTTLED, 429, "too_many_attempts" },
        { CV_RATE_LIMITED, 429, "too_many_requests" }, { CV_BAD_POLL, 400, "invalid_poll" },
        { CV_ALREADY_MEMBER, 409, "already_member" }, { CV_POLL_EXISTS, 409, "poll_exists" },
        { CV_TOO_MANY_POLLS, 409, "too_many_polls" }, { CV_POLL_OPEN, 409, "poll_open" },
        { CV_POLL_CLOSED, 409, "poll_closed" },     { CV_POLL_WITHDRAWN, 409, "poll_withdrawn" },
        { CV_BALLOTS_CAST, 409, "ballots_cast" },
        { CV_AWAITING_CONSENT, 409, "awaiting_consent" },   { CV_NOT_ON_ROLL, 403, "not_on_roll" },
        { CV_ALREADY_VOTED, 409, "already_voted" }, { CV_BAD_BALLOT, 400, "invalid_ballot" },
        { CV_NOT_TRUSTEE, 403, "not_a_trustee" },   { CV_WRONG_ROUND, 409, "wrong_round" },
        { CV_DUPLICATE, 409, "duplicate" },         { CV_BAD_MESSAGE, 422, "invalid_message" },
        { CV_NOT_COMPLETE, 409, "not_complete" },
    };
    size_t i;

    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct http_error *r = http_error_of(want[i].e);
        CHECK_EQ_INT((int)r->status, (int)want[i].status, want[i].code);
        CHECK_EQ_STR(r->code, want[i].code);
    }
}

/* REQ's prepared answer as text (a static buffer). */
static const char *answer(const struct http_request *req)
{
    static char text[512];
    size_t n = req->resp_len < sizeof text - 1 ? req->resp_len : sizeof text - 1;

    memcpy(text, req->resp != NULL ? req->resp : "", req->resp != NULL ? n : 0);
    text[req->resp != NULL ? n : 0] = '\0';
    return text;
}

static void test_respond(void)
{
    struct config cfg;
    struct http_request *req;

    memset(&cfg, 0, sizeof cfg);
    cfg.body_limit = 1024;
    req = http_request_new(&cfg, NULL, NULL, "/api/v1/x", "POST");
    CHECK(req != NULL, "a request");
    if (req == NULL)
        return;
    CHECK_EQ_INT(http_error_respond(req, CV_POLL_CLOSED, NULL), 0);
    CHECK_EQ_INT((int)req->status, 409);
    CHECK_EQ_STR(answer(req),
                 "{\"error\":{\"code\":\"poll_closed\",\"message\":\"the poll is closed\"}}");
    CHECK_EQ_INT(http_error_respond(req, CV_NOT_FOUND, "no such poll"), 0);
    CHECK_EQ_INT((int)req->status, 404);
    CHECK_EQ_STR(answer(req), "{\"error\":{\"code\":\"not_found\",\"message\":\"no such poll\"}}");
    CHECK_EQ_INT(http_error_respond_reason(req, CV_BAD_BALLOT, NULL, "proof"), 0);
    CHECK_EQ_INT((int)req->status, 400);
    CHECK_EQ_STR(answer(req), "{\"error\":{\"code\":\"invalid_ballot\",\"message\":"
                 "\"the ballot was rejected\",\"reason\":\"proof\"}}");
    CHECK_EQ_INT(http_error_respond(req, CV_OK, NULL), 0);
    CHECK_EQ_INT((int)req->status, 500, "CV_OK is no failure to answer: a 500");
    http_request_free(req);
}

int main(void)
{
    test_rows();
    test_contract();
    test_respond();
    TEST_MAIN_END("test_http_error");
}
