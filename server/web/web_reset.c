/*
 * web_reset.c — "Forgot your password?": /forgot-password asks for a
 * username or an email address, and the post answers the same page whatever
 * it names ("if it matches an account with an address, a link is on its
 * way"), so the form tells nobody who is a member. The link (15 minutes,
 * single use) opens /set-password as an invitation's does (web_account.c).
 *
 * Posted before any session, the form carries the login form's
 * double-submit token; a client that asks too often is answered 429 with
 * Retry-After, whatever it asked for (auth_reset_request). Without mail the
 * page says to ask an admin.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "http_request.h"
#include "web.h"
#include "web_form.h"

/* The form, or (SENT) the page that says a link may be on its way. */
static void forgot_render(struct http_request *req, unsigned status, int sent,
                          const char *error)
{
    struct tmpl_value *d = web_page_new(NULL, "Forgot your password?");
    char token[AUTH_CSRF_LEN + 1];

    web_login_token(req, token);
    tmpl_put_str(d, "login_token", token);
    tmpl_put_bool(d, "mail_on", auth_mail_on(http_request_app(req)->auth));
    tmpl_put_bool(d, "sent", sent);
    if (error != NULL)
        tmpl_put_str(d, "error", error);
    web_render(req, status, "forgot_password", d);
}

void web_forgot_page(struct http_request *req)
{
    const char *sent = http_request_arg(req, "sent");

    forgot_render(req, 200, sent != NULL && strcmp(sent, "1") == 0, NULL);
}

void web_forgot_submit(struct http_request *req)
{
    struct auth *auth = http_request_app(req)->auth;
    struct web_form form;
    char client[96], retry[16];
    int retry_after = 0;
    enum cv_err r;

    if (!http_request_same_site(req)) {
        web_error(req, NULL, 403, "Refused", "This form was posted from another site.");
        return;
    }
    if (!auth_mail_on(auth)) {
        forgot_render(req, 409, 0, NULL);       /* the page says mail is off */
        return;
    }
    if (web_form_read(req, &form) != 0)
        return;
    if (web_login_token_ok(req, &form) == NULL) {
        forgot_render(req, 403, 0, "The form expired; please try again.");
        web_form_clear(&form);
        return;
    }
    if (http_request_client(req, client, sizeof client) != 0)
        client[0] = '\0';
    r = auth_reset_request(auth, web_form_get(&form, "who"), client, &retry_after);
    web_form_clear(&form);
    if (r == CV_OK) {
        web_redirect(req, "/forgot-password?sent=1");
    } else if (r == CV_THROTTLED) {
        snprintf(retry, sizeof retry, "%d", retry_after);
        http_add_header(req, "Retry-After", retry);
        forgot_render(req, 429, 0, "Too many requests from your address: wait a few minutes "
                      "and try again.");
    } else {
        web_error(req, NULL, 500, "Server error", "Something went wrong; try again.");
    }
}
