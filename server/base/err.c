/*
 * err.c — the names of enum cv_err's values, for logs and tests
 * (tests/test_http_error.c checks that every value has one).
 */
#include <stddef.h>

#include "err.h"

static const char *const names[CV_ERR_END - CV_ERROR] = {
    [CV_ERROR - CV_ERROR] = "CV_ERROR",
    [CV_OK - CV_ERROR] = "CV_OK",
    [CV_NOT_FOUND - CV_ERROR] = "CV_NOT_FOUND",
    [CV_CONFLICT - CV_ERROR] = "CV_CONFLICT",
    [CV_INVALID - CV_ERROR] = "CV_INVALID",
    [CV_BAD_JSON - CV_ERROR] = "CV_BAD_JSON",
    [CV_TOO_LARGE - CV_ERROR] = "CV_TOO_LARGE",
    [CV_MEDIA_TYPE - CV_ERROR] = "CV_MEDIA_TYPE",
    [CV_BAD_METHOD - CV_ERROR] = "CV_BAD_METHOD",
    [CV_TIMEOUT - CV_ERROR] = "CV_TIMEOUT",
    [CV_BAD_CREDENTIALS - CV_ERROR] = "CV_BAD_CREDENTIALS",
    [CV_UNAUTHENTICATED - CV_ERROR] = "CV_UNAUTHENTICATED",
    [CV_EXPIRED - CV_ERROR] = "CV_EXPIRED",
    [CV_PASSWORD_CHANGE - CV_ERROR] = "CV_PASSWORD_CHANGE",
    [CV_CSRF - CV_ERROR] = "CV_CSRF",
    [CV_CROSS_SITE - CV_ERROR] = "CV_CROSS_SITE",
    [CV_FORBIDDEN - CV_ERROR] = "CV_FORBIDDEN",
    [CV_THROTTLED - CV_ERROR] = "CV_THROTTLED",
    [CV_RATE_LIMITED - CV_ERROR] = "CV_RATE_LIMITED",
    [CV_BAD_POLL - CV_ERROR] = "CV_BAD_POLL",
    [CV_ALREADY_MEMBER - CV_ERROR] = "CV_ALREADY_MEMBER",
    [CV_POLL_EXISTS - CV_ERROR] = "CV_POLL_EXISTS",
    [CV_TOO_MANY_POLLS - CV_ERROR] = "CV_TOO_MANY_POLLS",
    [CV_POLL_OPEN - CV_ERROR] = "CV_POLL_OPEN",
    [CV_POLL_CLOSED - CV_ERROR] = "CV_POLL_CLOSED",
    [CV_POLL_WITHDRAWN - CV_ERROR] = "CV_POLL_WITHDRAWN",
    [CV_BALLOTS_CAST - CV_ERROR] = "CV_BALLOTS_CAST",
    [CV_NOT_ON_ROLL - CV_ERROR] = "CV_NOT_ON_ROLL",
    [CV_ALREADY_VOTED - CV_ERROR] = "CV_ALREADY_VOTED",
    [CV_BAD_BALLOT - CV_ERROR] = "CV_BAD_BALLOT",
    [CV_NOT_TRUSTEE - CV_ERROR] = "CV_NOT_TRUSTEE",
    [CV_WRONG_ROUND - CV_ERROR] = "CV_WRONG_ROUND",
    [CV_DUPLICATE - CV_ERROR] = "CV_DUPLICATE",
    [CV_BAD_MESSAGE - CV_ERROR] = "CV_BAD_MESSAGE",
    [CV_NOT_COMPLETE - CV_ERROR] = "CV_NOT_COMPLETE",
};

const char *cv_err_name(enum cv_err err)
{
    if ((int)err < (int)CV_ERROR || (int)err >= (int)CV_ERR_END || names[err - CV_ERROR] == NULL)
        return "CV_(unknown)";
    return names[err - CV_ERROR];
}
