/*
 * web.c — what every HTML page needs: the compiled templates, the viewer's
 * session, form posts with their CSRF and origin checks, rendering, redirects
 * and error pages.
 *
 * The templates are compiled once, on first use, from the sources embedded
 * in the binary (tests/test_tmpl.c compiles the same sources, so a malformed
 * template fails the build's tests, not a running server).
 *
 * CSRF: the session cookie is SameSite=Strict, so a cross-site form post
 * arrives without it; on top of that every form carries the session's CSRF
 * token (checked in constant time), and a post that the browser says comes
 * from another site (Sec-Fetch-Site, or else Origin) is refused. The login form, posted before any session exists,
 * has its own double-submit token (web_login.c).
 *
 * A form that creates something (the nomination form) also carries a
 * one-time token (web_once_*): reloading the answer to its post, or sending
 * the same page's form twice, posts a token already spent with the same
 * values, and nothing is done again (the same page's form sent with other
 * values is a new request). Spent tokens are kept in memory with a digest of
 * the values they came with, the last WEB_ONCE_MAX of them.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "app.h"
#include "config.h"
#include "cookie.h"
#include "http_request.h"
#include "log.h"
#include "web.h"
#include "web_form.h"

#define WEB_ONCE_MAX 4096
#define WEB_ONCE_BYTES 16

/* The last WEB_ONCE_MAX spent one-time tokens and their values' digests, a ring. */
static struct {
    unsigned char token[WEB_ONCE_BYTES];
    unsigned char digest[WEB_ONCE_BYTES];
} once_spent[WEB_ONCE_MAX];
static size_t once_next, once_count;
static pthread_mutex_t once_mu = PTHREAD_MUTEX_INITIALIZER;

static struct tmpl_bundle *web_bundle;
static pthread_once_t web_bundle_once = PTHREAD_ONCE_INIT;

static void web_bundle_init(void)
{
    struct tmpl_bundle *b = tmpl_bundle_new();
    char err[200];

    if (b == NULL || tmpl_bundle_load(b, web_templates, web_template_count,
                                      err, sizeof err) != 0) {
        log_error("templates: %s", b ? err : "out of memory");
        tmpl_bundle_free(b);
        return;
    }
    web_bundle = b;
}

int web_viewer_get(struct http_request *req, struct web_viewer *v)
{
    struct auth *auth = http_request_app(req)->auth;
    const char *cookie = cookie_session(req);
    const char *path = http_request_path(req);
    char loc[128];
    enum cv_err r = CV_UNAUTHENTICATED;

    memset(v, 0, sizeof *v);
    if (cookie != NULL)
        r = auth_session_lookup(auth, cookie, &v->user, v->csrf);
    if (r == CV_OK)
        return web_must_change(req, v) ? -1 : 0;
    if (r == CV_ERROR) {
        web_error(req, NULL, 500, "Server error", "Something went wrong; try again.");
        return -1;
    }
    /* come back here after logging in (the path is one of our routes) */
    if (strcmp(http_request_method(req), "GET") == 0 && strcmp(path, "/") != 0 &&
        strlen(path) < 96 && strspn(path, "abcdefghijklmnopqrstuvwxyz"
                                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-.") == strlen(path))
        snprintf(loc, sizeof loc, "/login?next=%s", path);
    else
        snprintf(loc, sizeof loc, "/login");
    web_redirect(req, loc);
    return -1;
}

int web_viewer_try(struct http_request *req, struct web_viewer *v)
{
    struct auth *auth = http_request_app(req)->auth;
    const char *cookie = cookie_session(req);
    enum cv_err r = CV_UNAUTHENTICATED;

    memset(v, 0, sizeof *v);
    if (cookie != NULL)
        r = auth_session_lookup(auth, cookie, &v->user, v->csrf);
    if (r == CV_OK)
        return 1;
    memset(v, 0, sizeof *v);
    if (r == CV_ERROR) {
        web_error(req, NULL, 500, "Server error", "Something went wrong; try again.");
        return -1;
    }
    return 0;
}

void web_not_found(struct http_request *req)
{
    struct web_viewer v;
    int known = web_viewer_try(req, &v);

    /* the navigation as on every page, but no redirect to the login form */
    if (known >= 0)
        web_error(req, known ? &v : NULL, 404, "Page not found",
                  "There is no page at this address.");
}

int web_form_read(struct http_request *req, struct web_form *form)
{
    const char *ct = http_request_header(req, "Content-Type");
    static const char want[] = "application/x-www-form-urlencoded";
    size_t len, n = sizeof want - 1;
    const char *body;

    memset(form, 0, sizeof *form);
    if (ct == NULL || strncasecmp(ct, want, n) != 0 || (ct[n] != '\0' && ct[n] != ';')) {
        web_error(req, NULL, 415, "Unsupported form", "This page accepts only HTML forms.");
        return -1;
    }
    body = http_request_body(req, &len);
    if (web_form_parse(body, len, form) != 0) {
        web_error(req, NULL, 400, "Bad form", "The form could not be read; go back and "
                  "try again.");
        return -1;
    }
    return 0;
}

int web_form_begin(struct http_request *req, struct web_viewer *v, struct web_form *form)
{
    memset(form, 0, sizeof *form);
    if (web_viewer_get(req, v) != 0)
        return -1;
    if (!http_request_same_site(req)) {
        web_error(req, v, 403, "Refused", "This form was posted from another site.");
        return -1;
    }
    if (web_form_read(req, form) != 0)
        return -1;
    if (!auth_csrf_equal(v->csrf, web_form_get(form, "csrf_token"))) {
        web_form_clear(form);
        web_error(req, v, 403, "Refused", "The form's security token is missing or "
                  "stale; reload the page and try again.");
        return -1;
    }
    return 0;
}

struct tmpl_value *web_page_new(const struct web_viewer *v, const char *title)
{
    struct tmpl_value *d = tmpl_obj_new(), *u;

    tmpl_put_str(d, "title", title);
    if (v != NULL && v->user.username[0] != '\0') {
        u = tmpl_put_obj(d, "user");
        tmpl_put_str(u, "username", v->user.username);
        tmpl_put_str(u, "display_name", v->user.display_name);
        tmpl_put_bool(u, "admin", v->user.admin);
        tmpl_put_str(d, "csrf_token", v->csrf);
    }
    return d;
}

void web_render(struct http_request *req, unsigned status, const char *page,
                struct tmpl_value *data)
{
    char *html = NULL, err[160];
    size_t len = 0;
    static const char fallback[] = "<!doctype html><title>Error</title><p>Server error.";

    pthread_once(&web_bundle_once, web_bundle_init);
    if (web_bundle == NULL ||
        tmpl_bundle_render(web_bundle, page, data, &html, &len, err, sizeof err) != 0) {
        log_error("page %s: %s", page, web_bundle ? err : "no templates");
        http_respond_bytes(req, 500, "text/html; charset=utf-8", fallback,
                           sizeof fallback - 1);
    } else {
        http_respond_bytes(req, status, "text/html; charset=utf-8", html, len);
    }
    free(html);
    tmpl_value_free(data);
}

void web_redirect(struct http_request *req, const char *location)
{
    http_add_header(req, "Location", location);
    http_respond_bytes(req, 303, "text/html; charset=utf-8", "", 0);
}

void web_error(struct http_request *req, const struct web_viewer *v, unsigned status,
               const char *title, const char *message)
{
    struct tmpl_value *d = web_page_new(v, title);

    tmpl_put_str(d, "message", message);
    tmpl_put_int(d, "status", (long long)status);
    web_render(req, status, "error", d);
}

/* 1 if HOST is a plain host[:port] (no user info, path or spaces). */
static int host_ok(const char *host)
{
    size_t n = host ? strlen(host) : 0;

    return n > 0 && n <= 255 && strspn(host, "abcdefghijklmnopqrstuvwxyz"
                                       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == n;
}

void web_base_url(struct http_request *req, char *out, size_t cap)
{
    const struct config *cfg = http_request_app(req)->cfg;
    const char *host = http_request_header(req, "Host");
    const char *scheme = cfg->secure_cookies ? "https" : "http";

    if (host_ok(host))
        snprintf(out, cap, "%s://%s", scheme, host);
    else if (strchr(cfg->listen_host, ':') != NULL)
        snprintf(out, cap, "%s://[%s]:%u", scheme, cfg->listen_host, cfg->listen_port);
    else
        snprintf(out, cap, "%s://%s:%u", scheme, cfg->listen_host, cfg->listen_port);
}

void web_put_person(struct store *st, struct tmpl_value *obj, const char *name,
                    const char *username)
{
    struct tmpl_value *o = tmpl_put_obj(obj, name);
    struct store_member m;

    if (store_member_get(st, username, &m) != 0 || strcmp(m.display_name, m.username) == 0) {
        tmpl_put_str(o, "name", username);      /* a former member: the name kept */
        tmpl_put_str(o, "username", "");
        return;
    }
    tmpl_put_str(o, "name", m.display_name);
    tmpl_put_str(o, "username", m.username);
}

void web_once_new(char out[2 * WEB_ONCE_BYTES + 1])
{
    unsigned char t[WEB_ONCE_BYTES];

    randombytes_buf(t, sizeof t);
    sodium_bin2hex(out, 2 * WEB_ONCE_BYTES + 1, t, sizeof t);
}

/* The digest of VALUES (NULL-terminated), each with its length before it. */
static void once_digest(const char *const *values, unsigned char out[WEB_ONCE_BYTES])
{
    crypto_generichash_state h;
    uint64_t len;

    crypto_generichash_init(&h, NULL, 0, WEB_ONCE_BYTES);
    for (; *values != NULL; values++) {
        len = (uint64_t)strlen(*values);
        crypto_generichash_update(&h, (const unsigned char *)&len, sizeof len);
        crypto_generichash_update(&h, (const unsigned char *)*values, (size_t)len);
    }
    crypto_generichash_final(&h, out, WEB_ONCE_BYTES);
}

int web_once_spend(const char *token, const char *const *values)
{
    unsigned char t[WEB_ONCE_BYTES], d[WEB_ONCE_BYTES];
    size_t i, n, slot = WEB_ONCE_MAX;
    int again = 0;

    if (token == NULL || strlen(token) != 2 * WEB_ONCE_BYTES ||
        sodium_hex2bin(t, sizeof t, token, 2 * WEB_ONCE_BYTES, NULL, &n, NULL) != 0 ||
        n != sizeof t)
        return -1;
    once_digest(values, d);
    pthread_mutex_lock(&once_mu);
    for (i = 0; i < once_count && slot == WEB_ONCE_MAX; i++)
        if (memcmp(once_spent[i].token, t, sizeof t) == 0)
            slot = i;
    if (slot == WEB_ONCE_MAX) {
        slot = once_next;
        once_next = (once_next + 1) % WEB_ONCE_MAX;
        if (once_count < WEB_ONCE_MAX)
            once_count++;
        memcpy(once_spent[slot].token, t, sizeof t);
    } else {
        again = memcmp(once_spent[slot].digest, d, sizeof d) == 0;
    }
    memcpy(once_spent[slot].digest, d, sizeof d);
    pthread_mutex_unlock(&once_mu);
    return again;
}

void web_put_time(struct tmpl_value *obj, const char *name, int64_t t)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    char iso_name[TMPL_NAME_MAX + 1];

    if (gmtime_r(&tt, &tm) == NULL) {
        tmpl_put_str(obj, name, "?");
        return;
    }
    tmpl_put_strf(obj, name, "%s %d %s %d, %02d:%02d UTC", days[tm.tm_wday % 7], tm.tm_mday,
                  months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
    snprintf(iso_name, sizeof iso_name, "%s_iso", name);
    tmpl_put_strf(obj, iso_name, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
