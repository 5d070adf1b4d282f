/*
 * web.h — the HTML pages: handlers of route.c's table (web_*.c) and the
 * helpers they share (web.c).
 *
 * Pages are rendered by the server from templates/ (embedded at build time)
 * and readable without JavaScript; scripts under static/ only add to them
 * (local times, countdowns, the booth that seals a ballot in the browser).
 * A page authenticates by the session cookie only; a visitor without a
 * session is redirected to /login. Every POST is a form
 * (application/x-www-form-urlencoded, web_form.h) carrying the session's CSRF
 * token in the field csrf_token, and its Origin, when sent, must be ours.
 */
#ifndef CONCLAVE_WEB_H
#define CONCLAVE_WEB_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "tmpl.h"

struct http_request;
struct web_form;
struct store_poll;
struct poll_result;
struct poll_view;
struct store;

/* The templates/NAME.html files, embedded by templates/embed.sh (build/templates_gen.c). */
extern const struct tmpl_source web_templates[];
extern const size_t web_template_count;

/* --- handlers ---------------------------------------------------------- */

void web_home(struct http_request *req);              /* GET / (web_poll.c) */
void web_login_page(struct http_request *req);        /* GET /login (web_login.c) */
void web_login_submit(struct http_request *req);      /* POST /login */
void web_logout(struct http_request *req);            /* POST /logout */
void web_oidc_start(struct http_request *req);        /* GET /login/oidc/start (web_oidc.c) */
void web_oidc_callback(struct http_request *req);     /* GET /login/oidc/callback */
void web_poll_new_page(struct http_request *req);     /* GET /polls/new (web_poll.c) */
void web_poll_new_submit(struct http_request *req);   /* POST /polls/new */
void web_poll_page(struct http_request *req);         /* GET /polls/{id} */
void web_poll_withdraw_page(struct http_request *req);    /* GET /polls/{id}/withdraw */
void web_poll_withdraw(struct http_request *req);     /* POST /polls/{id}/withdraw */
void web_result_page(struct http_request *req);       /* GET /polls/{id}/result (web_result.c) */
void web_admin_page(struct http_request *req);        /* GET /admin/members (web_admin.c) */
void web_admin_submit(struct http_request *req);      /* POST /admin/members */
void web_admin_confirm(struct http_request *req);     /* GET /admin/members/deactivate */
/* GET /admin/decryptions: closed polls sealed by trustees, their decryption's
 * progress (web_decrypt.c) */
void web_decrypt_page(struct http_request *req);
void web_audit_page(struct http_request *req);        /* GET /admin/audit (web_audit.c) */
void web_councils_page(struct http_request *req);     /* GET /admin/councils (web_council.c) */
void web_councils_submit(struct http_request *req);   /* POST /admin/councils */
void web_council_page(struct http_request *req);      /* GET /admin/councils/{id} */
void web_council_use(struct http_request *req);       /* POST /admin/councils/{id}/use */
void web_account_page(struct http_request *req);      /* GET /account (web_account.c) */
void web_account_submit(struct http_request *req);    /* POST /account */
void web_tokens_page(struct http_request *req);       /* GET /account/tokens (web_tokens.c) */
void web_tokens_submit(struct http_request *req);     /* POST /account/tokens */
void web_setpw_page(struct http_request *req);        /* GET /set-password (web_account.c) */
void web_setpw_submit(struct http_request *req);      /* POST /set-password */
void web_mail_page(struct http_request *req);         /* GET /admin/mail (web_mail.c) */
void web_mail_submit(struct http_request *req);       /* POST /admin/mail: the next steps */
void web_notices_submit(struct http_request *req);    /* POST /account/notices */
void web_consent_page(struct http_request *req);      /* GET /consent (web_consent.c) */
void web_consent_submit(struct http_request *req);    /* POST /consent */
void web_webhooks_page(struct http_request *req);     /* GET /admin/webhooks (web_webhooks.c) */
void web_webhooks_submit(struct http_request *req);   /* POST /admin/webhooks: retry now */
void web_forgot_page(struct http_request *req);       /* GET /forgot-password (web_reset.c) */
void web_forgot_submit(struct http_request *req);     /* POST /forgot-password */
void web_static(struct http_request *req);            /* GET /static/{dir}/{file} (web_static.c) */
void web_not_found(struct http_request *req);         /* GET of any other page address */

/* --- shared helpers (web.c) ----------------------------------------------- */

/* Who is looking at a page: the session's member and its CSRF token. */
struct web_viewer {
    struct auth_user user;
    char csrf[AUTH_CSRF_LEN + 1];
};

/* Fills *v from the session cookie. Without a valid session answers a 303 to
 * /login (coming back to this page afterwards) and returns -1; on a store
 * error answers 500 and returns -1. */
int web_viewer_get(struct http_request *req, struct web_viewer *v);

/* As web_viewer_get, for a page that visitors may also see: 1 with *v filled
 * from a valid session, 0 (and *v zeroed) without one; -1 after answering
 * 500 on a store error. */
int web_viewer_try(struct http_request *req, struct web_viewer *v);

/* For a POST: web_viewer_get, then a same-origin check, a form body parsed
 * into *form (web_form_clear it) and its csrf_token equal to the session's.
 * On failure answers (303 to /login, 400 or 403) and returns -1. */
int web_form_begin(struct http_request *req, struct web_viewer *v, struct web_form *form);

/* Parses the request's body as a form; answers 400 / 415 and returns -1 on
 * failure. */
int web_form_read(struct http_request *req, struct web_form *form);

/* A new page data tree: title, the viewer (may be NULL) as "user" and its
 * CSRF token as "csrf_token". NULL when out of memory. */
struct tmpl_value *web_page_new(const struct web_viewer *v, const char *title);

/* Renders template PAGE with DATA (freed here) as text/html with STATUS; a
 * render failure is logged and answered 500. */
void web_render(struct http_request *req, unsigned status, const char *page,
                struct tmpl_value *data);

/* Answers 303 See Other to LOCATION (a local path). */
void web_redirect(struct http_request *req, const char *location);

/* Answers an error page (STATUS, a title and one sentence). V may be NULL. */
void web_error(struct http_request *req, const struct web_viewer *v, unsigned status,
               const char *title, const char *message);

/* Writes the server's address as the client reached it into OUT (CAP bytes),
 * e.g. "https://vote.example.org": https under --secure-cookies (the server
 * is then behind a TLS proxy), else http; the host from the request's Host
 * header, or --listen when that is no plain host[:port]. */
void web_base_url(struct http_request *req, char *out, size_t cap);

/* Sets NAME in OBJ to an object {name, username} for member USERNAME: the
 * display name, and the username when it differs ("" otherwise): the pages
 * show display names, as the header does, the username in small text
 * (templates/person.html). A username that is no member's is shown as it is. */
void web_put_person(struct store *st, struct tmpl_value *obj, const char *name,
                    const char *username);

/* One-time form tokens (32 hex digits): a new one into OUT, for a form's
 * hidden field "form_once"; and spending one a form brought back with the
 * form's VALUES (NULL-terminated): 1 if it was spent before with the same
 * values (the same post again, a reload: do nothing), 0 otherwise (the first
 * time, or the page's form sent again with other values: a new request), -1
 * if it is malformed. */
void web_once_new(char out[33]);
int web_once_spend(const char *token, const char *const *values);

/* Sets NAME (a "<time>" pair: NAME = "Wed 25 Nov 2026, 12:30 UTC",
 * NAME_iso = "2026-11-25T12:30:00Z") in obj for unix time T. */
void web_put_time(struct tmpl_value *obj, const char *name, int64_t t);

/* Fills OBJ with what the poll list and a poll's page show of the poll in
 * VIEW (poll_view.h): id, nominee, nominated_by (web_put_person),
 * fingerprint, open, closed (with a result), voted, on_roll, cast, eligible,
 * the opening and closing times; for a closed poll its outcome (yes, no,
 * ballots, passed, message, signature); for a withdrawn one withdrawn,
 * withdrawn_by and withdrawn_at. 0 or -1 (web_poll.c). */
int web_poll_fill(struct store *st, struct tmpl_value *obj, const struct poll_view *view);

/* web_poll_fill of P's view for member VIEWER, read here. 0 or -1. */
int web_poll_put(struct store *st, struct tmpl_value *obj, const struct store_poll *p,
                 const char *viewer);

/* The outcome of closed poll P as the pages show it (poll_result.h): 0, or
 * -1 when its stored result is missing or not a promotion's (two counts, yes
 * then no, and a verdict). (web_poll.c) */
int web_result_read(const struct store_poll *p, struct poll_result *res);

/* --- POST-redirect-GET (web_flash.c) -----------------------------------------
 * A form post does its work and answers 303 to a page; what that page must
 * say once (a notice, an error and the values to refill the form with, or a
 * secret shown exactly once) travels in a web_flash kept in memory
 * (flash.h) under a key derived from its OWNER: the session cookie's value
 * (web_flash_session) or, before a login, the login form's token. The GET
 * takes it: a refresh shows the page without it and runs nothing again. */

struct web_flash {
    char notice[600];           /* a status line */
    char error[600];            /* an error line */
    char secret[600];           /* shown once: a one-time password, a token, a link */
    char secret_kind[16];       /* "password", "token" or "link" */
    char secret_for[520];       /* whom it is for: "Dave Test (dave)" */
    char form[16];              /* which form the error and fields are of */
    char field[4][420];         /* a form's values, kept after an error */
};

/* The session cookie of the request (the owner of its flash), or NULL. */
const char *web_flash_session(struct http_request *req);

/* Keeps F for OWNER's next page (replacing one kept before). 0 / -1; F is
 * zeroed either way (it may hold a secret). */
int web_flash_put(struct http_request *req, const char *owner, struct web_flash *f);

/* Takes OWNER's flash into *f: 1, or 0 with *f empty when there is none. */
int web_flash_take(struct http_request *req, const char *owner, struct web_flash *f);

/* Keeps TEXT (a C string, at most FLASH_DATA_MAX bytes with its NUL) for
 * OWNER's next page under TAG (not ""), beside its web_flash: what does not
 * fit a web_flash field, such as a nomination's statement. 0 / -1. */
int web_flash_put_text(struct http_request *req, const char *owner, const char *tag,
                       const char *text);

/* Takes OWNER's text TAG: a copy the caller frees, or NULL when there is none. */
char *web_flash_take_text(struct http_request *req, const char *owner, const char *tag);

/* Sets "notice" and "error" in D from F when they are not empty. */
void web_flash_show(struct tmpl_value *d, const struct web_flash *f);

/* The login form's double-submit token (web_login.c): the one of the
 * request's cookie, or a new one, set in the cookie, into TOKEN. */
void web_login_token(struct http_request *req, char token[AUTH_CSRF_LEN + 1]);

/* The cookie's token if the form's login_token field equals it, else NULL. */
const char *web_login_token_ok(struct http_request *req, const struct web_form *form);

/* A login succeeded with session S (web_login.c, web_oidc.c): sets the
 * session cookie (ending the browser's older session) and moves on to NEXT
 * (a local path, else /; /account while a password must be chosen): a 303,
 * or when CROSS_SITE (the request came from the identity provider's site) a
 * page that moves on by itself, since the browser leaves the Strict session
 * cookie out of that navigation's redirects. */
void web_login_session(struct http_request *req, struct auth_session *s, const char *next,
                       int cross_site);

/* NEXT if it is a local path a login may go on to (no "//", plain
 * characters, under 96 bytes), else "/". */
const char *web_login_next(const char *next);

/* Puts what the login form shows of the provider into D: "oidc" (on),
 * "oidc_name", "oidc_start" (its link, going on to NEXT), "password_form"
 * (the form is shown: password login on, or ?admin=1), "password_login". */
void web_login_put_oidc(struct http_request *req, struct tmpl_value *d, const char *next);

/* "Display Name (username)", or the username alone when they are alike. */
void web_member_name(char *out, size_t cap, const char *username, const char *display_name);

/* What a poll's page says of the members of POLL_ID's roll deactivated
 * while it was open ("1 member of the roll was deactivated during the
 * poll."), into BUF (CAP bytes); "" when none or unknown. Returns BUF
 * (web_admin.c). */
const char *web_roll_deactivated(struct store *st, const char *poll_id, char *buf, size_t cap);

/* Sets mail_on and notices_on (member MEMBER_ID gets the poll notices) in
 * D, for /account (web_mail.c). */
void web_put_notices(struct http_request *req, struct tmpl_value *d, int64_t member_id);

/* The viewer's must_change state sends them to /account: 1 (answered) when
 * REQ is not for a page they may see meanwhile. */
int web_must_change(struct http_request *req, const struct web_viewer *v);

#endif
