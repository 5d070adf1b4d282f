/*
 * route.c — the static route table and its matcher.
 *
 * The whole HTTP surface of Conclave is listed here, in one place, so a
 * reader finds a URL's handler by reading one table. Matching is exact on
 * literal segments; a {name} segment captures one segment of URL-safe
 * characters (no '/', no '%', at most ROUTE_PARAM_MAX bytes).
 */
#include <string.h>

#include "api.h"
#include "route.h"
#include "web.h"

struct route {
    const char *method;
    const char *pattern;
    route_handler handler;
};

static const struct route routes[] = {
    {"GET",    "/healthz",               api_healthz},
    {"POST",   "/api/v1/session",        api_session_create},
    {"DELETE", "/api/v1/session",        api_session_delete},
    {"GET",    "/api/v1/me",             api_me},
    {"POST",   "/api/v1/polls",          api_poll_create},
    {"GET",    "/api/v1/polls",          api_poll_list},
    {"GET",    "/api/v1/polls/{id}",     api_poll_get},
    {"GET",    "/api/v1/polls/{id}/result", api_poll_result},
    {"GET",    "/api/v1/polls/{id}/board",  api_poll_board},
    {"POST",   "/api/v1/polls/{id}/ballots", api_ballot_cast},
    {"POST",   "/api/v1/polls/{id}/withdraw", api_poll_withdraw},
    {"POST",   "/api/v1/polls/{id}/decryptions", api_decrypt_post},
    {"GET",    "/api/v1/decryptions",    api_decrypt_list},
    {"GET",    "/api/v1/server-key",     api_server_key},
    {"GET",    "/api/v1/councils/{id}",  api_council_get},
    {"POST",   "/api/v1/councils/{id}/registration", api_council_register},
    {"POST",   "/api/v1/councils/{id}/dealings", api_council_deal},
    {"POST",   "/api/v1/councils/{id}/verdicts", api_council_verdict},
    /* HTML pages (web_*.c); /polls/new before /polls/{id} */
    {"GET",    "/",                      web_home},
    {"GET",    "/login",                 web_login_page},
    {"POST",   "/login",                 web_login_submit},
    {"POST",   "/logout",                web_logout},
    {"GET",    "/login/oidc/start",      web_oidc_start},
    {"GET",    "/login/oidc/callback",   web_oidc_callback},
    {"GET",    "/polls/new",             web_poll_new_page},
    {"POST",   "/polls/new",             web_poll_new_submit},
    {"GET",    "/polls/{id}",            web_poll_page},
    {"GET",    "/polls/{id}/result",     web_result_page},
    {"GET",    "/polls/{id}/withdraw",   web_poll_withdraw_page},
    {"POST",   "/polls/{id}/withdraw",   web_poll_withdraw},
    {"GET",    "/admin/members",         web_admin_page},
    {"POST",   "/admin/members",         web_admin_submit},
    /* accounts: web_admin.c, web_audit.c, web_account.c, web_tokens.c */
    {"GET",    "/admin/members/deactivate", web_admin_confirm},
    {"GET",    "/admin/audit",           web_audit_page},
    {"GET",    "/admin/councils",        web_councils_page},
    {"POST",   "/admin/councils",        web_councils_submit},
    {"GET",    "/admin/councils/{id}",   web_council_page},
    {"POST",   "/admin/councils/{id}/use", web_council_use},
    {"GET",    "/admin/decryptions",     web_decrypt_page},
    {"GET",    "/account",               web_account_page},
    {"POST",   "/account",               web_account_submit},
    {"GET",    "/account/tokens",        web_tokens_page},
    {"POST",   "/account/tokens",        web_tokens_submit},
    /* mail: web_mail.c, web_reset.c */
    {"GET",    "/admin/mail",            web_mail_page},
    {"POST",   "/admin/mail",            web_mail_submit},
    {"POST",   "/account/notices",       web_notices_submit},
    {"GET",    "/consent",               web_consent_page},
    {"POST",   "/consent",               web_consent_submit},
    {"GET",    "/forgot-password",       web_forgot_page},
    {"POST",   "/forgot-password",       web_forgot_submit},
    {"GET",    "/admin/webhooks",        web_webhooks_page},
    {"POST",   "/admin/webhooks",        web_webhooks_submit},
    {"GET",    "/set-password",          web_setpw_page},
    {"POST",   "/set-password",          web_setpw_submit},
    {"GET",    "/static/{dir}/{file}",   web_static},
};

static int param_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
}

/* Matches one pattern against path; fills params. Returns 1 on a match. */
static int route_match(const char *pattern, const char *path,
                       struct route_params *params)
{
    const char *p = pattern, *s = path;

    params->count = 0;
    while (*p != '\0') {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t n = 0;
            int k = params->count;
            if (close == NULL || k >= ROUTE_MAX_PARAMS)
                return 0;
            while (s[n] != '\0' && s[n] != '/' && param_char_ok(s[n]))
                n++;
            if (n == 0 || n > ROUTE_PARAM_MAX || (s[n] != '\0' && s[n] != '/'))
                return 0;
            memcpy(params->values[k], s, n);
            params->values[k][n] = '\0';
            /* the name stays in the table: "id}...", see http_request_param */
            params->names[k] = p + 1;
            params->count++;
            p = close + 1;
            s += n;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    return *s == '\0';
}

enum route_result route_find(const char *method, const char *path,
                             route_handler *handler, struct route_params *params)
{
    size_t i;
    enum route_result res = ROUTE_NOT_FOUND;
    struct route_params tmp;

    /* HEAD is GET without the body, which libmicrohttpd leaves out itself:
     * monitors ask HEAD /healthz. */
    if (strcmp(method, "HEAD") == 0)
        method = "GET";
    for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (!route_match(routes[i].pattern, path, &tmp))
            continue;
        if (strcmp(routes[i].method, method) != 0) {
            res = ROUTE_BAD_METHOD;
            continue;
        }
        *params = tmp;
        *handler = routes[i].handler;
        return ROUTE_FOUND;
    }
    /* a page address that a person typed or followed: an HTML page, not JSON */
    if (res == ROUTE_NOT_FOUND && strcmp(method, "GET") == 0 && strncmp(path, "/api/", 5) != 0 &&
        strncmp(path, "/static/", 8) != 0)
        *handler = web_not_found;
    return res;
}
