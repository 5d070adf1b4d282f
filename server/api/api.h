/*
 * api.h — the JSON API's handlers (api_*.c) and the helpers they share.
 *
 * Each handler answers one route of route.c's table. Handlers read the
 * request and prepare exactly one response with http_respond_*; every error
 * is the JSON envelope {"error": {"code", "message"}}, answered from an
 * enum cv_err with http_error_respond (http_error.h: the one table of
 * statuses, codes and messages), never with a switch of the handler's own.
 */
#ifndef CONCLAVE_API_H
#define CONCLAVE_API_H

#include <jansson.h>

#include "auth.h"
#include "err.h"

struct http_request;
struct ratelimit;

/* Deepest nesting of objects and arrays an API body may have (ballots: 3). */
#define API_JSON_DEPTH_MAX 8

/* GET /healthz (api_session.c) */
void api_healthz(struct http_request *req);
/* POST /api/v1/session: log in (api_session.c) */
void api_session_create(struct http_request *req);
/* DELETE /api/v1/session: log out (api_session.c) */
void api_session_delete(struct http_request *req);
/* GET /api/v1/me (api_session.c) */
void api_me(struct http_request *req);

/* POST /api/v1/polls, GET /api/v1/polls, GET /api/v1/polls/{id} (api_poll.c) */
void api_poll_create(struct http_request *req);
void api_poll_list(struct http_request *req);
void api_poll_get(struct http_request *req);
/* GET /api/v1/polls/{id}/result and /board: 409 poll_open before the close */
void api_poll_result(struct http_request *req);
/* POST /api/v1/polls/{id}/withdraw (api_poll.c) */
void api_poll_withdraw(struct http_request *req);
void api_poll_board(struct http_request *req);
/* POST /api/v1/polls/{id}/ballots (api_ballot.c) */
void api_ballot_cast(struct http_request *req);
/* POST /api/v1/polls/{id}/decryptions: a trustee's shares (api_decrypt.c) */
void api_decrypt_post(struct http_request *req);
/* GET /api/v1/decryptions[?council=ID]: the polls waiting for trustees, light
 * (for `conclave trustee watch`), with an ETag (api_decrypt.c) */
void api_decrypt_list(struct http_request *req);
/* GET /api/v1/server-key: the Ed25519 public key as PEM (api_ballot.c) */
void api_server_key(struct http_request *req);

/* GET /api/v1/councils/{id}: a council's ceremony as its board shows it;
 * POST /api/v1/councils/{id}/registration, /dealings, /verdicts: a trustee's
 * messages (api_council.c) */
void api_council_get(struct http_request *req);
void api_council_register(struct http_request *req);
void api_council_deal(struct http_request *req);
void api_council_verdict(struct http_request *req);

/*
 * Parses the body as one JSON object (duplicate keys rejected, nesting at
 * most API_JSON_DEPTH_MAX). On error answers 400 bad_json and returns -1;
 * else *out is a new reference.
 */
int api_parse_object(struct http_request *req, json_t **out);

/*
 * Checks that obj has exactly the listed keys (NULL-terminated list of
 * "name" entries; a leading '?' marks an optional key). On error answers 400
 * bad_request naming the key and returns -1.
 */
int api_check_keys(struct http_request *req, json_t *obj, const char *const *keys);

/*
 * Authenticates the caller by `Authorization: Bearer TOKEN` or by the
 * session cookie; a cookie-authenticated POST/PUT/DELETE must also carry
 * X-CSRF-Token equal to the session's token. On success fills *user and
 * returns 0; otherwise answers 401 unauthenticated or 403 csrf_failed (or
 * 500) and returns -1.
 */
int api_authenticate(struct http_request *req, struct auth_user *user);

/*
 * Takes one request from KEY's bucket in RL. If the bucket is empty answers
 * ERR (CV_THROTTLED, CV_RATE_LIMITED: a 429) with MESSAGE and Retry-After,
 * and returns 1; else returns 0.
 */
int api_rate_limited(struct http_request *req, struct ratelimit *rl, const char *key,
                     enum cv_err err, const char *message);

/* The user object {"username", "display_name", "admin"} (new reference). */
json_t *api_user_json(const struct auth_user *user);

#endif
