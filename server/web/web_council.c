/*
 * web_council.c — /admin/councils, for admins: the councils of trustees with
 * their ceremonies' state, a form that creates one, and each council's
 * progress (/admin/councils/{id}): who has registered, dealt and given a
 * verdict, the round's deadline, QUAL and the complaints upheld, the
 * digests, and "Use for new polls" once the ceremony is complete.
 *
 * The ceremony itself runs between the server and the trustees' own
 * machines (`conclave trustee`); this page starts it and follows it. It
 * shows nothing secret: the server holds none.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "council.h"
#include "crypto.h"
#include "http_error.h"
#include "http_request.h"
#include "web.h"
#include "web_form.h"

#define COUNCIL_FORM_TRUSTEES_MAX 4096      /* bytes of the trustees field */

static const char *const state_text[][2] = {
    { "registering", "Round 0: trustees register their identity keys" },
    { "dealing", "Round 1: trustees deal" },
    { "verdicts", "Round 2: trustees give their verdicts" },
    { "complete", "Complete" },
    { "failed", "Failed" },
};

static const char *council_state_text(const char *state)
{
    size_t i;

    for (i = 0; i < sizeof state_text / sizeof state_text[0]; i++)
        if (strcmp(state, state_text[i][0]) == 0)
            return state_text[i][1];
    return state;
}

/* The viewer, if an admin; else answers 403 (or the login redirect). */
static int council_admin(struct http_request *req, struct web_viewer *v)
{
    if (web_viewer_get(req, v) != 0)
        return -1;
    if (!v->user.admin) {
        web_error(req, v, 403, "Admins only", "Only an admin can manage councils.");
        return -1;
    }
    return 0;
}

static int council_row(void *arg, const struct store_council *c)
{
    struct tmpl_value *o = tmpl_list_add(arg);

    tmpl_put_str(o, "id", c->id);
    tmpl_put_str(o, "name", c->name);
    tmpl_put_strf(o, "size", "%u of %u", c->t, c->n);
    tmpl_put_str(o, "state", council_state_text(c->state));
    tmpl_put_str(o, "state_class", c->state);
    tmpl_put_bool(o, "current", c->current);
    if (c->round_closes_at > 0)
        web_put_time(o, "closes", c->round_closes_at);
    return 0;
}

/* Puts field FIELD of FORM (may be NULL) as NAME, else DEFLT. */
static void council_put_field(struct tmpl_value *d, const char *name,
                              const struct web_form *form, const char *field, const char *deflt)
{
    const char *v = form != NULL ? web_form_get(form, field) : NULL;

    tmpl_put_str(d, name, v != NULL ? v : deflt);
}

/* The list and the form, with ERROR and the values posted (FORM may be NULL). */
static void council_list_render(struct http_request *req, const struct web_viewer *v,
                                unsigned status, const char *error, const struct web_form *form)
{
    struct tmpl_value *d = web_page_new(v, "Councils");

    if (store_council_list(http_request_app(req)->store, council_row,
                           tmpl_put_list(d, "councils")) != CV_OK) {
        tmpl_value_free(d);
        web_error(req, v, 500, "Server error", "The councils could not be read.");
        return;
    }
    if (error != NULL)
        tmpl_put_str(d, "error", error);
    council_put_field(d, "f_name", form, "name", "");
    council_put_field(d, "f_threshold", form, "threshold", "");
    council_put_field(d, "f_trustees", form, "trustees", "");
    council_put_field(d, "f_round_hours", form, "round_hours", "72");
    web_render(req, status, "admin_councils", d);
}

void web_councils_page(struct http_request *req)
{
    struct web_viewer v;

    if (council_admin(req, &v) == 0)
        council_list_render(req, &v, 200, NULL, NULL);
}

/* Splits TEXT (usernames between spaces, commas or line breaks) into NAMES
 * (pointers into BUF). The count, or -1 if there are too many. */
static int council_split(const char *text, char *buf, size_t cap, const char **names)
{
    char *p = buf, *end;
    int n = 0;

    snprintf(buf, cap, "%s", text);
    for (;;) {
        while (*p != '\0' && (isspace((unsigned char)*p) || *p == ','))
            p++;
        if (*p == '\0')
            return n;
        if (n == (int)PROTO_MAX_TRUSTEES)
            return -1;
        names[n++] = p;
        for (end = p; *end != '\0' && !isspace((unsigned char)*end) && *end != ','; end++)
            ;
        if (*end == '\0')
            return n;
        *end = '\0';
        p = end + 1;
    }
}

/* A whole number from FIELD in [lo, hi], else -1. */
static long council_number(const char *field, long lo, long hi)
{
    char *end;
    long v;

    if (field == NULL || *field == '\0')
        return -1;
    v = strtol(field, &end, 10);
    return *end == '\0' && v >= lo && v <= hi ? v : -1;
}

/* action=create: a new council, then its page. */
static void council_create_submit(struct http_request *req, const struct web_viewer *v,
                                  const struct web_form *form)
{
    const char *trustees = web_form_get(form, "trustees"), *why = "";
    const char *names[PROTO_MAX_TRUSTEES];
    char buf[COUNCIL_FORM_TRUSTEES_MAX + 1], id[STORE_COUNCIL_ID_MAX + 1], loc[64];
    long t = council_number(web_form_get(form, "threshold"), 1, PROTO_MAX_TRUSTEES);
    long hours = council_number(web_form_get(form, "round_hours"), 1, COUNCIL_ROUND_HOURS_MAX);
    int n;
    enum cv_err r;

    if (trustees == NULL || strlen(trustees) > COUNCIL_FORM_TRUSTEES_MAX ||
        (n = council_split(trustees, buf, sizeof buf, names)) <= 0) {
        council_list_render(req, v, 400, "List the trustees' usernames (at most 64).", form);
        return;
    }
    if (t < 0 || t > n) {
        council_list_render(req, v, 400, "The threshold must be a whole number between 1 and "
                            "the number of trustees.", form);
        return;
    }
    if (hours < 0) {
        council_list_render(req, v, 400, "A round lasts a whole number of hours, 1 to 2160.",
                            form);
        return;
    }
    r = council_create(http_request_app(req)->store, web_form_get(form, "name"), (uint32_t)t,
                       names, (uint32_t)n, (int64_t)hours * 3600, v->user.username,
                       (int64_t)time(NULL), id, &why);
    if (r == CV_INVALID) {
        char msg[200];
        snprintf(msg, sizeof msg, "%c%s.", toupper((unsigned char)why[0]), why + 1);
        council_list_render(req, v, 400, msg, form);
    } else if (r != CV_OK) {
        web_error(req, v, 500, "Server error", "The council could not be created.");
    } else {
        snprintf(loc, sizeof loc, "/admin/councils/%s", id);
        web_redirect(req, loc);
    }
}

void web_councils_submit(struct http_request *req)
{
    struct web_viewer v;
    struct web_form form;
    const char *action;

    if (web_form_begin(req, &v, &form) != 0)
        return;
    action = web_form_get(&form, "action");
    if (!v.user.admin)
        web_error(req, &v, 403, "Admins only", "Only an admin can manage councils.");
    else if (action != NULL && strcmp(action, "create") == 0)
        council_create_submit(req, &v, &form);
    else
        web_error(req, &v, 400, "Bad request", "That action does not exist.");
    web_form_clear(&form);
}

/* One trustee's row of the progress table. */
static void council_member_put(struct tmpl_value *o, const struct council_member *m, int over)
{
    tmpl_put_int(o, "index", m->idx);
    tmpl_put_str(o, "username", m->username);
    if (m->registered_at)
        web_put_time(o, "registered", m->registered_at);
    if (m->dealt_at)
        web_put_time(o, "dealt", m->dealt_at);
    if (m->verdict_at)
        web_put_time(o, "verdict", m->verdict_at);
    tmpl_put_bool(o, "over", over);
    tmpl_put_bool(o, "in_qual", m->in_qual);
    tmpl_put_bool(o, "complained", m->complained);
    tmpl_put_bool(o, "upheld_against", m->upheld_against);
}

static void council_put_hex(struct tmpl_value *d, const char *name, const unsigned char *b)
{
    char hex[65];

    if (b == NULL)
        return;
    crypto_hex_encode(hex, b, CRYPTO_BYTES);
    tmpl_put_str(d, name, hex);
}

/* The ceremony's public values as far as they go. */
static void council_put_ceremony(struct tmpl_value *d, const struct council_view *cv)
{
    const struct ceremony *c = cv->cer;
    struct tmpl_value *q;
    uint32_t k;

    if (c == NULL)
        return;
    council_put_hex(d, "setup_digest", ceremony_setup_digest(c));
    council_put_hex(d, "dealings_digest", ceremony_dealings_digest(c));
    if (cv->row.digest[0] == '\0' || ceremony_digest(c) == NULL)
        return;
    tmpl_put_str(d, "digest", cv->row.digest);
    council_put_hex(d, "council_key", ceremony_council_key(c));
    q = tmpl_put_list(d, "qual");
    for (k = 0; k < ceremony_qual_count(c); k++)
        tmpl_put_int(tmpl_list_add(q), "index", ceremony_qual_member(c, k));
}

void web_council_page(struct http_request *req)
{
    struct council_view cv;
    struct web_viewer v;
    struct tmpl_value *d, *list;
    char base[256];
    enum cv_err r;
    uint32_t i;

    if (council_admin(req, &v) != 0)
        return;
    r = council_load(http_request_app(req)->store, http_request_param(req, "id"),
                     (int64_t)time(NULL), &cv);
    if (r == CV_NOT_FOUND) {
        web_error(req, &v, 404, "No such council", "There is no council with this id.");
        return;
    }
    if (r != CV_OK) {
        web_error(req, &v, 500, "Server error", "The council could not be read.");
        return;
    }
    d = web_page_new(&v, cv.row.name);
    tmpl_put_str(d, "id", cv.row.id);
    tmpl_put_str(d, "name", cv.row.name);
    tmpl_put_strf(d, "size", "%u of %u", cv.row.t, cv.row.n);
    tmpl_put_str(d, "state", council_state_text(cv.row.state));
    tmpl_put_str(d, "state_class", cv.row.state);
    tmpl_put_bool(d, "current", cv.row.current);
    tmpl_put_bool(d, "complete", strcmp(cv.row.state, "complete") == 0);
    tmpl_put_bool(d, "registering", strcmp(cv.row.state, "registering") == 0);
    tmpl_put_bool(d, "dealing", strcmp(cv.row.state, "dealing") == 0);
    tmpl_put_bool(d, "verdicts", strcmp(cv.row.state, "verdicts") == 0);
    if (cv.row.failure[0])
        tmpl_put_str(d, "failure", cv.row.failure);
    if (cv.row.round_closes_at > 0)
        web_put_time(d, "closes", cv.row.round_closes_at);
    web_base_url(req, base, sizeof base);
    tmpl_put_str(d, "server", base);
    list = tmpl_put_list(d, "trustees");
    for (i = 0; i < cv.n; i++)
        council_member_put(tmpl_list_add(list), &cv.m[i], cv.row.digest[0] != '\0');
    council_put_ceremony(d, &cv);
    council_view_free(&cv);
    web_render(req, 200, "admin_council", d);
}

void web_council_use(struct http_request *req)
{
    const char *id = http_request_param(req, "id");
    struct web_viewer v;
    struct web_form form;
    enum cv_err r;
    char loc[64];

    if (web_form_begin(req, &v, &form) != 0)
        return;
    if (!v.user.admin) {
        web_error(req, &v, 403, "Admins only", "Only an admin can manage councils.");
    } else if ((r = council_use(http_request_app(req)->store, id, v.user.username,
                                (int64_t)time(NULL))) == CV_OK) {
        snprintf(loc, sizeof loc, "/admin/councils/%s", id);
        web_redirect(req, loc);
    } else if (r == CV_NOT_FOUND) {
        web_error(req, &v, http_error_status(r), "No such council",
                  "There is no council with this id.");
    } else if (r == CV_NOT_COMPLETE) {
        web_error(req, &v, http_error_status(r), "Not complete",
                  "Only a council whose ceremony is complete can seal new polls.");
    } else {
        web_error(req, &v, http_error_status(r), "Server error", "The council could not be used.");
    }
    web_form_clear(&form);
}
