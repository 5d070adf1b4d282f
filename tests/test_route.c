/*
 * test_route.c — the route table (route.h): every route finds its handler
 * under its method, {name} segments are captured, a known path under another
 * method is a bad method, HEAD is GET, and an unknown address falls back to
 * the HTML "page not found" for a page and to nothing (the caller answers
 * JSON) under /api/ and /static/.
 */
#include <string.h>

#include "api.h"
#include "harness.h"
#include "route.h"
#include "web.h"

#define H(f) {f, #f}

/* Every handler the table may name, with its name, to say which came. */
static const struct { route_handler h; const char *name; } handlers[] = {
    H(api_healthz), H(api_session_create), H(api_session_delete), H(api_me),
    H(api_poll_create), H(api_poll_list), H(api_poll_get), H(api_poll_result),
    H(api_poll_board), H(api_ballot_cast), H(api_poll_withdraw), H(api_server_key),
    H(web_home), H(web_login_page), H(web_login_submit), H(web_logout),
    H(web_poll_new_page), H(web_poll_new_submit), H(web_poll_page), H(web_result_page),
    H(web_poll_withdraw), H(web_admin_page), H(web_admin_submit), H(web_admin_confirm),
    H(web_audit_page), H(web_account_page), H(web_account_submit), H(web_tokens_page),
    H(web_tokens_submit), H(web_setpw_page), H(web_setpw_submit), H(web_static),
    H(web_not_found),
};

/* A handler no route names: route_find must leave it in place. */
static void untouched(struct http_request *req)
{
    (void)req;
}

static const char *handler_name(route_handler h)
{
    size_t i;

    if (h == untouched)
        return "(untouched)";
    for (i = 0; i < sizeof handlers / sizeof *handlers; i++)
        if (handlers[i].h == h)
            return handlers[i].name;
    return "(unknown handler)";
}

static const char *result_name(enum route_result r)
{
    return r == ROUTE_FOUND ? "ROUTE_FOUND" : r == ROUTE_NOT_FOUND ? "ROUTE_NOT_FOUND"
           : r == ROUTE_BAD_METHOD ? "ROUTE_BAD_METHOD" : "(unknown result)";
}

/* The value of {NAME} in P, as http_request_param finds it, or NULL. */
static const char *param(const struct route_params *p, const char *name)
{
    size_t n = strlen(name);
    int i;

    for (i = 0; i < p->count; i++)
        if (strncmp(p->names[i], name, n) == 0 && p->names[i][n] == '}')
            return p->values[i];
    return NULL;
}

/* Asks the table for METHOD PATH and checks the result, the handler (by
 * name) and, when FOUND, the params: "name=value" pairs (at most two). */
static void expect(const char *method, const char *path, enum route_result want,
                   const char *want_handler, const char *p1, const char *p2)
{
    route_handler h = untouched;
    struct route_params params;
    const char *want_params[2] = {p1, p2};
    char what[256], name[32];
    int i, want_count = (p1 != NULL) + (p2 != NULL);

    memset(&params, 0, sizeof params);
    snprintf(what, sizeof what, "%s %s", method, path);
    CHECK_EQ_STR(result_name(route_find(method, path, &h, &params)), result_name(want), what);
    CHECK_EQ_STR(handler_name(h), want_handler, what);
    if (want != ROUTE_FOUND)
        return;
    CHECK_EQ_INT(params.count, want_count, what);
    for (i = 0; i < want_count; i++) {
        const char *eq = strchr(want_params[i], '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq - want_params[i]), want_params[i]);
        CHECK_EQ_STR(param(&params, name), eq + 1, what);
    }
}

#define FOUND(m, p, h) expect(m, p, ROUTE_FOUND, #h, NULL, NULL)

static void test_every_route(void)
{
    FOUND("GET", "/healthz", api_healthz);
    FOUND("POST", "/api/v1/session", api_session_create);
    FOUND("DELETE", "/api/v1/session", api_session_delete);
    FOUND("GET", "/api/v1/me", api_me);
    FOUND("POST", "/api/v1/polls", api_poll_create);
    FOUND("GET", "/api/v1/polls", api_poll_list);
    expect("GET", "/api/v1/polls/0123abcd", ROUTE_FOUND, "api_poll_get", "id=0123abcd", NULL);
    expect("GET", "/api/v1/polls/p1/result", ROUTE_FOUND, "api_poll_result", "id=p1", NULL);
    expect("GET", "/api/v1/polls/p1/board", ROUTE_FOUND, "api_poll_board", "id=p1", NULL);
    expect("POST", "/api/v1/polls/p1/ballots", ROUTE_FOUND, "api_ballot_cast", "id=p1", NULL);
    expect("POST", "/api/v1/polls/p1/withdraw", ROUTE_FOUND, "api_poll_withdraw", "id=p1", NULL);
    FOUND("GET", "/api/v1/server-key", api_server_key);
    FOUND("GET", "/", web_home);
    FOUND("GET", "/login", web_login_page);
    FOUND("POST", "/login", web_login_submit);
    FOUND("POST", "/logout", web_logout);
    FOUND("GET", "/polls/new", web_poll_new_page);
    FOUND("POST", "/polls/new", web_poll_new_submit);
    expect("GET", "/polls/abc", ROUTE_FOUND, "web_poll_page", "id=abc", NULL);
    expect("GET", "/polls/abc/result", ROUTE_FOUND, "web_result_page", "id=abc", NULL);
    expect("POST", "/polls/abc/withdraw", ROUTE_FOUND, "web_poll_withdraw", "id=abc", NULL);
    FOUND("GET", "/admin/members", web_admin_page);
    FOUND("POST", "/admin/members", web_admin_submit);
    FOUND("GET", "/admin/members/deactivate", web_admin_confirm);
    FOUND("GET", "/admin/audit", web_audit_page);
    FOUND("GET", "/account", web_account_page);
    FOUND("POST", "/account", web_account_submit);
    FOUND("GET", "/account/tokens", web_tokens_page);
    FOUND("POST", "/account/tokens", web_tokens_submit);
    FOUND("GET", "/set-password", web_setpw_page);
    FOUND("POST", "/set-password", web_setpw_submit);
    expect("GET", "/static/js/booth.mjs", ROUTE_FOUND, "web_static", "dir=js", "file=booth.mjs");
}

static void test_params(void)
{
    char id[ROUTE_PARAM_MAX + 2], path[128], want[80];

    expect("GET", "/api/v1/polls/a-b_c.d~e", ROUTE_FOUND, "api_poll_get", "id=a-b_c.d~e", NULL);
    /* /polls/new is listed before /polls/{id}: "new" is the form, not an id */
    expect("GET", "/polls/new/result", ROUTE_FOUND, "web_result_page", "id=new", NULL);
    expect("GET", "/api/v1/polls/new", ROUTE_FOUND, "api_poll_get", "id=new", NULL);
    memset(id, 'x', ROUTE_PARAM_MAX);
    id[ROUTE_PARAM_MAX] = '\0';
    snprintf(path, sizeof path, "/api/v1/polls/%s", id);
    snprintf(want, sizeof want, "id=%s", id);
    expect("GET", path, ROUTE_FOUND, "api_poll_get", want, NULL);
    id[ROUTE_PARAM_MAX] = 'x', id[ROUTE_PARAM_MAX + 1] = '\0';
    snprintf(path, sizeof path, "/api/v1/polls/%s", id);
    expect("GET", path, ROUTE_NOT_FOUND, "(untouched)", NULL, NULL);
    snprintf(path, sizeof path, "/polls/%s", id);
    expect("GET", path, ROUTE_NOT_FOUND, "web_not_found", NULL, NULL);
    /* a segment is non-empty and URL-safe: no '%', no space, no other byte */
    expect("GET", "/api/v1/polls/", ROUTE_NOT_FOUND, "(untouched)", NULL, NULL);
    expect("GET", "/api/v1/polls//result", ROUTE_NOT_FOUND, "(untouched)", NULL, NULL);
    expect("GET", "/api/v1/polls/a%2Fb", ROUTE_NOT_FOUND, "(untouched)", NULL, NULL);
    expect("GET", "/api/v1/polls/a b", ROUTE_NOT_FOUND, "(untouched)", NULL, NULL);
    expect("GET", "/api/v1/polls/\xc3\xa9", ROUTE_NOT_FOUND, "(untouched)", NULL, NULL);
    expect("GET", "/static/js", ROUTE_NOT_FOUND, "(untouched)", NULL, NULL);
    expect("GET", "/static/js/a/b.js", ROUTE_NOT_FOUND, "(untouched)", NULL, NULL);
    /* ".." is a segment of URL-safe characters: web_static refuses it */
    expect("GET", "/static/../conclave.db", ROUTE_FOUND, "web_static", "dir=..",
           "file=conclave.db");
}

static void test_methods(void)
{
    expect("PUT", "/api/v1/polls", ROUTE_BAD_METHOD, "(untouched)", NULL, NULL);
    expect("DELETE", "/api/v1/polls/p1", ROUTE_BAD_METHOD, "(untouched)", NULL, NULL);
    expect("GET", "/api/v1/polls/p1/ballots", ROUTE_BAD_METHOD, "(untouched)", NULL, NULL);
    expect("GET", "/api/v1/session", ROUTE_BAD_METHOD, "(untouched)", NULL, NULL);
    expect("POST", "/healthz", ROUTE_BAD_METHOD, "(untouched)", NULL, NULL);
    expect("GET", "/logout", ROUTE_BAD_METHOD, "(untouched)", NULL, NULL);
    expect("DELETE", "/login", ROUTE_BAD_METHOD, "(untouched)", NULL, NULL);
    expect("POST", "/static/js/booth.mjs", ROUTE_BAD_METHOD, "(untouched)", NULL, NULL);
    expect("get", "/healthz", ROUTE_BAD_METHOD, "(untouched)", NULL, NULL);
}

static void test_head(void)
{
    FOUND("HEAD", "/healthz", api_healthz);
    FOUND("HEAD", "/", web_home);
    expect("HEAD", "/polls/p1", ROUTE_FOUND, "web_poll_page", "id=p1", NULL);
    expect("HEAD", "/logout", ROUTE_BAD_METHOD, "(untouched)", NULL, NULL);
    expect("HEAD", "/no-such-page", ROUTE_NOT_FOUND, "web_not_found", NULL, NULL);
}

static void test_not_found(void)
{
    expect("GET", "/no-such-page", ROUTE_NOT_FOUND, "web_not_found", NULL, NULL);
    expect("GET", "/login/", ROUTE_NOT_FOUND, "web_not_found", NULL, NULL);
    expect("GET", "/polls", ROUTE_NOT_FOUND, "web_not_found", NULL, NULL);
    expect("GET", "/Login", ROUTE_NOT_FOUND, "web_not_found", NULL, NULL);
    expect("GET", "", ROUTE_NOT_FOUND, "web_not_found", NULL, NULL);
    expect("GET", "/api/v1/nothing", ROUTE_NOT_FOUND, "(untouched)", NULL, NULL);
    expect("GET", "/api/", ROUTE_NOT_FOUND, "(untouched)", NULL, NULL);
    expect("GET", "/static/missing", ROUTE_NOT_FOUND, "(untouched)", NULL, NULL);
    expect("POST", "/no-such-page", ROUTE_NOT_FOUND, "(untouched)", NULL, NULL);
    expect("DELETE", "/api/v1/nothing", ROUTE_NOT_FOUND, "(untouched)", NULL, NULL);
}

int main(void)
{
    test_every_route();
    test_params();
    test_methods();
    test_head();
    test_not_found();
    TEST_MAIN_END("test_route");
}
