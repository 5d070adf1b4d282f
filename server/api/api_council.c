/*
 * api_council.c — a council's key ceremony over HTTP, for its trustees'
 * command line (`conclave trustee ...`): the council's state and public
 * messages, and a trustee's registration, dealing and verdict.
 *
 * Every route needs a member (API token or session). What it shows is the
 * bulletin board, public by design (PROTOCOL-threshold T2–T5): who has
 * posted what, the setup once fixed, the dealings once round 1 is closed
 * (not before, so no dealer sees another's commitments first), the
 * verdicts and the outcome once the ceremony is over. A posted message is
 * checked whole by council.c (ceremony.h's rules) before it is kept; an
 * error names the rule (PROTOCOL's code in "reason").
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "app.h"
#include "council.h"
#include "crypto.h"
#include "http_error.h"
#include "http_request.h"
#include "poll.h"

/* An ISO time, or JSON null for 0. */
static json_t *time_json(int64_t t)
{
    char buf[21];

    if (t <= 0)
        return json_null();
    poll_format_time(t, buf);
    return json_string(buf);
}

static json_t *hex_json(const unsigned char *b)
{
    char hex[2 * CRYPTO_BYTES + 1];

    if (b == NULL)
        return json_null();
    crypto_hex_encode(hex, b, CRYPTO_BYTES);
    return json_string(hex);
}

/* Parses the JSON text a ceremony writer made (caller frees TEXT). */
static json_t *text_json(char *text)
{
    json_t *j = text != NULL ? json_loads(text, 0, NULL) : NULL;

    free(text);
    return j != NULL ? j : json_null();
}

static json_t *members_json(const struct council_view *v)
{
    json_t *a = json_array();
    uint32_t i;

    for (i = 0; a != NULL && i < v->n; i++) {
        const struct council_member *m = &v->m[i];
        json_array_append_new(a, json_pack("{s:I, s:s, s:o, s:o, s:o}",
                                           "index", (json_int_t)m->idx, "username", m->username,
                                           "registered_at", time_json(m->registered_at),
                                           "dealt_at", time_json(m->dealt_at),
                                           "verdict_at", time_json(m->verdict_at)));
    }
    return a;
}

/* The frozen dealings (after round 1), as the board's objects. */
static json_t *dealings_json(const struct ceremony *c)
{
    json_t *a = json_array();
    size_t len;
    uint32_t i;

    for (i = 1; a != NULL && i <= ceremony_n(c); i++)
        if (ceremony_dealing_of(c, i) != NULL)
            json_array_append_new(
                a, text_json(ceremony_dealing_serialize(ceremony_dealing_of(c, i), 0, &len)));
    return a;
}

/* The outcome's fields, once the ceremony is over. */
static void outcome_json(json_t *o, const struct council_view *v)
{
    const struct ceremony *c = v->cer;
    json_t *qual = json_array();
    size_t len;
    uint32_t k;

    for (k = 0; qual != NULL && k < ceremony_qual_count(c); k++)
        json_array_append_new(qual, json_integer(ceremony_qual_member(c, k)));
    json_object_set_new(o, "qual", qual);
    json_object_set_new(o, "council_key", hex_json(ceremony_council_key(c)));
    json_object_set_new(o, "transcript", text_json(ceremony_transcript_serialize(c, 0, &len)));
}

/* Council V as USERNAME sees it (new reference, NULL on error). */
static json_t *council_json(const struct council_view *v, const char *username)
{
    const struct store_council *r = &v->row;
    uint32_t you = council_index_of(v, username);
    size_t len;
    json_t *o;

    o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:o, s:I, s:o, s:o, s:s}", "id", r->id,
                  "name", r->name, "t", (json_int_t)r->t, "n", (json_int_t)r->n, "state",
                  r->state, "round", council_round_name(r->state), "round_closes_at",
                  time_json(r->round_closes_at), "round_seconds", (json_int_t)r->round_seconds,
                  "you", you ? json_integer(you) : json_null(), "trustees", members_json(v),
                  "created_by", r->created_by);
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "current", json_boolean(r->current));
    if (r->failure[0])
        json_object_set_new(o, "failure", json_string(r->failure));
    if (v->cer == NULL)
        return o;
    json_object_set_new(o, "setup", text_json(ceremony_setup_serialize(v->cer, 0, &len)));
    json_object_set_new(o, "setup_digest", hex_json(ceremony_setup_digest(v->cer)));
    if (ceremony_dealings_digest(v->cer) != NULL) {
        json_object_set_new(o, "dealings", dealings_json(v->cer));
        json_object_set_new(o, "dealings_digest", hex_json(ceremony_dealings_digest(v->cer)));
    }
    if (r->digest[0] && ceremony_digest(v->cer) != NULL) {
        json_object_set_new(o, "digest", json_string(r->digest));
        outcome_json(o, v);
    }
    return o;
}

/* Answers STATUS with council ID as USER sees it now. */
static void council_answer(struct http_request *req, const struct auth_user *user, unsigned status)
{
    struct council_view v;
    enum cv_err r;
    json_t *o;

    r = council_load(http_request_app(req)->store, http_request_param(req, "id"),
                     (int64_t)time(NULL), &v);
    if (r == CV_NOT_FOUND) {
        http_error_respond(req, r, "no such council");
        return;
    }
    if (r != CV_OK || (o = council_json(&v, user->username)) == NULL)
        http_error_respond(req, CV_ERROR, NULL);
    else
        http_respond_json(req, status, o);
    if (r == CV_OK)
        council_view_free(&v);
}

void api_council_get(struct http_request *req)
{
    struct auth_user user;

    if (api_authenticate(req, &user) == 0)
        council_answer(req, &user, 200);
}

/* The answer to a post that council_post refused: the one table's status
 * and code (http_error.c), with this route's message. */
static void post_refused(struct http_request *req, enum cv_err r, const char *what,
                         enum proto_reason reason, const char *why)
{
    switch (r) {
    case CV_NOT_FOUND:
        http_error_respond(req, r, "no such council");
        break;
    case CV_DUPLICATE:
        http_error_respond(req, r, what);
        break;
    case CV_WRONG_ROUND:
        http_error_respond(req, r, why[0] ? why : "the council is not in the round that takes "
                                                  "this message (GET the council to see its state)");
        break;
    case CV_BAD_MESSAGE:
        http_error_respond_reason(req, r, why, proto_reason_code(reason));
        break;
    default:
        http_error_respond(req, r, NULL);
        break;
    }
}

/* POST a message of KIND to council {id}: 201 with the council (200 for the
 * same message again). */
static void council_post_kind(struct http_request *req, enum store_council_msg kind,
                              const char *duplicate)
{
    struct auth_user user;
    enum proto_reason reason;
    enum cv_err r;
    const char *body, *why;
    json_t *obj = NULL;
    size_t len;
    int again;

    if (api_authenticate(req, &user) != 0)
        return;
    body = http_request_body(req, &len);
    if (len > COUNCIL_MESSAGE_MAX) {
        http_error_respond(req, CV_TOO_LARGE, "the message is too large");
        return;
    }
    if (api_parse_object(req, &obj) != 0)
        return;
    json_decref(obj);
    r = council_post(http_request_app(req)->store, http_request_param(req, "id"), user.username,
                     kind, body, len, (int64_t)time(NULL), &again, &reason, &why);
    if (r == CV_OK)
        council_answer(req, &user, again ? 200 : 201);
    else
        post_refused(req, r, duplicate, reason, why);
}

void api_council_register(struct http_request *req)
{
    council_post_kind(req, STORE_COUNCIL_REGISTRATION,
                      "you already registered another identity key for this council");
}

void api_council_deal(struct http_request *req)
{
    council_post_kind(req, STORE_COUNCIL_DEALING, "you already posted another dealing");
}

void api_council_verdict(struct http_request *req)
{
    council_post_kind(req, STORE_COUNCIL_VERDICT, "you already posted another verdict");
}
