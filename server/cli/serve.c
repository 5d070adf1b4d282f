/*
 * serve.c — `conclave serve`: opens the store, prepares the accounts domain,
 * creates the first admin on an empty roster, starts HTTP, and then waits
 * for a signal while running the periodic jobs.
 *
 * Signals are blocked in every thread before any is started, and the main
 * thread takes them with sigtimedwait: SIGINT or SIGTERM stops accepting
 * connections, lets requests in flight finish, stops the daemon, closes the
 * store and exits 0.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "app.h"
#include "assets.h"
#include "auth.h"
#include "ballotbox.h"
#include "config.h"
#include "consent.h"
#include "council.h"
#include "event.h"
#include "flash.h"
#include "heap.h"
#include "http.h"
#include "log.h"
#include "mail.h"
#include "mailer.h"
#include "notice.h"
#include "oidc.h"
#include "poll.h"
#include "poll_stall.h"
#include "ratelimit.h"
#include "serve.h"
#include "sign.h"
#include "store.h"
#include "store_durable.h"
#include "store_outbox.h"
#include "webhook.h"

#define SERVE_TICK_MS 250
#define SERVE_DRAIN_MS 10000

static const char serve_usage[] =
    "usage: conclave serve [--data DIR] [--listen HOST:PORT] [--poll-duration SECONDS]\n"
    "                      [--secure-cookies] [--threads N] [--static DIR] [--templates DIR]\n"
    "                      [--max-connections N] [--request-timeout SECS] [--session-ttl SECS]\n"
    "                      [--login-limit N] [--cast-limit N] [--header-timeout SECS]\n"
    "                      [--max-connections-per-address N] [--trusted-proxy ADDRESS]\n"
    "                      [--decrypt-remind-hours N]\n"
    "                      [--smtp-url URL --mail-from ADDRESS --public-url URL\n"
    "                       [--smtp-user NAME --smtp-password-file FILE] [--reminder-hours N]]\n"
    "                      [--nominee-consent mail|attest]\n"
    "                      [--webhook-url URL --webhook-secret-file FILE --public-url URL]\n"
    "                      [--oidc-issuer URL --oidc-client-id ID --oidc-client-secret-file FILE\n"
    "                       [--oidc-name NAME] [--oidc-group NAME [--oidc-groups-claim CLAIM]]\n"
    "                       [--password-login on|off]]\n"
    "Runs the Conclave server in the foreground (logs to stderr).\n"
    "  --data DIR             data directory (default ./var)\n"
    "  --listen HOST:PORT     address to listen on (default 127.0.0.1:8080)\n"
    "  --poll-duration SECS   how long a nomination poll stays open (default 604800)\n"
    "  --secure-cookies       behind HTTPS: the session and login cookies are Secure and\n"
    "                         named with the __Host- prefix\n"
    "  --threads N            HTTP worker threads (default 8 per core + 2)\n"
    "  --decrypt-remind-hours N\n"
    "                         tell the admins (log, /admin/decryptions, mail if on) once\n"
    "                         when a poll sealed by a council has waited N hours after its\n"
    "                         deadline for its trustees (default 24; 0: never)\n"
    "  --max-connections N    simultaneous connections (default 512)\n"
    "  --request-timeout SECS time a client has to send a whole request (default 20)\n"
    "  --header-timeout SECS  time it has to send the request's headers (default 10;\n"
    "                         0: only --request-timeout)\n"
    "  --max-connections-per-address N\n"
    "                         connections one client address (an IPv6 /64) may hold\n"
    "                         (default 32; 0: no cap; behind a reverse proxy every\n"
    "                         client has the proxy's address: raise it or use 0)\n"
    "  --trusted-proxy ADDRESS\n"
    "                         the reverse proxy's address (e.g. 127.0.0.1): for requests\n"
    "                         from it, login limits count the client it names last in\n"
    "                         X-Forwarded-For\n"
    "  --session-ttl SECS     how long a login session lasts (default 43200)\n"
    "  --login-limit N        login attempts a minute per client address (default 60;\n"
    "                         0: no limit, nor the 5 failures per (username, client\n"
    "                         address) before that pair is slowed down)\n"
    "  --cast-limit N         ballots a minute per member (default 30; 0: off)\n"
    "  --static DIR           the pages' CSS, scripts and images (default: static/ beside\n"
    "                         the binary, else ../share/conclave/static from its\n"
    "                         directory, as `make install` puts them); the server refuses\n"
    "                         to start when a file the pages load is missing\n"
    "  --templates DIR        accepted and ignored (the pages are compiled in)\n"
    "  --smtp-url URL         send mail (invitations, password resets, poll notices)\n"
    "                         through smtp://HOST:PORT (STARTTLS required unless HOST is\n"
    "                         this machine) or smtps://HOST:PORT; without it no mail is\n"
    "                         sent and admins make passwords and links by hand\n"
    "  --mail-from ADDRESS    the mails' sender (needed with --smtp-url)\n"
    "  --public-url URL       the server's address as members reach it, for the links in\n"
    "                         mails, e.g. https://vote.example.org (needed with --smtp-url)\n"
    "  --smtp-user NAME       log in to the SMTP server as NAME ...\n"
    "  --smtp-password-file FILE\n"
    "                         ... with the password in FILE (its first line; mode 0600)\n"
    "  --reminder-hours N     remind those on a poll's roll who have not voted N hours\n"
    "                         before the close (default 24; 0: no reminder)\n"
    "  --nominee-consent mail|attest\n"
    "                         mail: the nominee is mailed a link to accept or decline, and\n"
    "                         the poll opens on acceptance (needs --smtp-url; the default\n"
    "                         with it); attest: the nominator attests the nominee agreed\n"
    "                         (the default without mail)\n"
    "  --webhook-url URL      POST each poll's events (opened, closed with its signed\n"
    "                         result, withdrawn) as JSON to URL: https://, or http:// to\n"
    "                         this machine; retried for 24 hours (see /admin/webhooks)\n"
    "  --webhook-secret-file FILE\n"
    "                         ... signed with HMAC-SHA256 under the secret in FILE (its\n"
    "                         first line, at least 16 bytes; mode 0600)\n"
    "  --oidc-issuer URL      log in through this OpenID Connect provider (https; its\n"
    "                         /.well-known/openid-configuration must name URL as issuer);\n"
    "                         register the redirect URI PUBLIC-URL/login/oidc/callback\n"
    "                         there (needs --public-url)\n"
    "  --oidc-client-id ID    the client Conclave is at the provider ...\n"
    "  --oidc-client-secret-file FILE\n"
    "                         ... and its secret (FILE's first line; mode 0600)\n"
    "  --oidc-name NAME       the button's \"Log in with NAME\" (default \"single sign-on\")\n"
    "  --oidc-group NAME      only members of this group at the provider may log in\n"
    "                         through it, and a group member's first login creates the\n"
    "                         member (without it a login must match a member: a linked\n"
    "                         account, or a verified email equal to the member's)\n"
    "  --oidc-groups-claim CLAIM\n"
    "                         the ID token's claim that lists the groups (default groups)\n"
    "  --password-login on|off\n"
    "                         off: only admins log in with a password (break-glass);\n"
    "                         everyone else through the provider (default on)\n";

/* On an empty roster, creates "admin" and prints its password once. */
static int serve_bootstrap(struct auth *auth)
{
    char password[AUTH_GENPASS_LEN + 1];
    int created = 0;

    if (auth_bootstrap_admin(auth, password, &created) != 0) {
        log_error("cannot create the first admin account");
        return -1;
    }
    if (created) {
        fprintf(stderr,
                "\n  First start: created admin account 'admin' with the one-time password\n"
                "      %s\n"
                "  It is shown only this once, and works once, for 72 hours: log in on the\n"
                "  web page and choose your own password (else: conclave user passwd admin).\n\n",
                password);
    }
    sodium_memzero(password, sizeof password);
    return 0;
}

static void serve_block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Closes the polls whose deadline has passed and forgets their records;
 * ends the councils' ceremony rounds whose deadline has passed. */
static void serve_close_due(struct app *app)
{
    if (poll_close_due(app->store, app->key, app->box, (int64_t)time(NULL)) < 0)
        log_error("closing a poll failed; retrying on the next tick");
    if (consent_expire_due(app->store, app->mail, (int64_t)time(NULL)) < 0)
        log_error("withdrawing a poll whose consent expired failed; retrying on the next tick");
    if (council_tick(app->store, (int64_t)time(NULL)) < 0)
        log_error("ending a council's round failed; retrying on the next tick");
}

/* Waits for SIGINT/SIGTERM, running the periodic jobs every tick: closing
 * polls at their deadline (within a tick), erasing the WAL's page history
 * (store_durable.h). */
static void serve_loop(struct app *app, const sigset_t *set)
{
    struct timespec tick = {0, SERVE_TICK_MS * 1000L * 1000L};
    int sig;

    for (;;) {
        sig = sigtimedwait(set, NULL, &tick);
        if (sig == SIGINT || sig == SIGTERM) {
            log_info("signal %d: shutting down", sig);
            return;
        }
        serve_close_due(app);
        /* the events' mails and webhook deliveries, and the reminders */
        (void)event_run(app->store, app->mail, app->webhook, (int64_t)time(NULL));
        (void)notice_run(app->store, app->mail, (int64_t)time(NULL),
                         (int64_t)app->cfg->reminder_hours * 3600);
        (void)poll_stall_run(app->store, app->mail, (int64_t)time(NULL),
                             (int64_t)app->cfg->decrypt_remind_hours * 3600);
        store_durable_tick(app->store);
    }
}

/* Refuses to start without a file the pages load: one line naming it and how
 * to get it. 0 or -1. */
static int serve_check_static(const struct config *cfg)
{
    char missing[ASSETS_PATH_MAX];
    const char *why;

    if (assets_check(cfg->static_dir, missing, sizeof missing, &why) == 0)
        return 0;
    fprintf(stderr, "conclave serve: %s/%s: %s, and the pages load it; run `make` in the "
            "source tree, which builds static/ (vendor/noble.mjs with npm ci and esbuild), or "
            "give --static DIR\n", cfg->static_dir, missing, why);
    return -1;
}

/* Reads a secret (the SMTP password, the OIDC client secret): the first
 * line of PATH (given as OPTION), a regular file that group and others
 * cannot read. 0, or -1 with one line on stderr. */
static int serve_read_password(const char *option, const char *path, char *out, size_t cap)
{
    struct stat st;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        fprintf(stderr, "conclave serve: %s %s: %s\n", option, path,
                fd < 0 ? "cannot open it" : "must be a regular file that group and others "
                "cannot read (chmod 600)");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    n = read(fd, out, cap - 1);
    close(fd);
    if (n <= 0) {
        fprintf(stderr, "conclave serve: %s %s is empty\n", option, path);
        return -1;
    }
    out[n] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    if (out[0] == '\0') {
        fprintf(stderr, "conclave serve: %s %s: its first line is empty\n", option, path);
        return -1;
    }
    return 0;
}

/* With --smtp-url: the mail context and the mailer thread. 0 / -1. */
static int serve_start_mail(const struct config *cfg, struct app *app)
{
    struct mailer_options mo = {cfg->smtp_url, cfg->smtp_user, NULL, cfg->mail_from};
    char password[512] = "", from[256], url[512];
    int rc = -1;

    if (cfg->smtp_url[0] == '\0') {
        log_info("mail is off (start with --smtp-url to send invitations and notices)");
        /* the admin commands beside this server must not queue mail either */
        return store_mail_settings_set(app->store, NULL, NULL, 0) == CV_OK ? 0 : -1;
    }
    if (cfg->smtp_password_file[0] != '\0' &&
        serve_read_password("--smtp-password-file", cfg->smtp_password_file, password,
                            sizeof password) != 0)
        return -1;
    mo.password = password;
    /* mail was off until now: the polls so far are old news */
    if (store_mail_settings_get(app->store, from, url) == CV_NOT_FOUND &&
        notice_mark_all(app->store, (int64_t)time(NULL)) != 0)
        goto out;
    if (mail_new(app->store, cfg->mail_from, cfg->public_url, &app->mail) == 0 &&
        mailer_start(app->store, &mo, &app->mailer) == 0) {
        mail_set_mailer(app->mail, app->mailer);
        auth_set_mail(app->auth, app->mail);
        if (store_mail_settings_set(app->store, cfg->mail_from, cfg->public_url,
                                    (int64_t)time(NULL)) != CV_OK)
            log_warn("could not record the mail settings for the admin commands");
        log_info("mail on: through %s as %s, links to %s", cfg->smtp_url, cfg->mail_from,
                 cfg->public_url);
        rc = 0;
    }
out:
    sodium_memzero(password, sizeof password);
    return rc;
}

/* Stops the mailer (after the mail it is sending) and frees the mail context. */
static void serve_stop_mail(const struct config *cfg, struct app *app)
{
    if (app->auth != NULL)
        auth_set_mail(app->auth, NULL);
    mailer_stop(app->mailer);
    mail_free(app->mail);
    app->mailer = NULL;
    app->mail = NULL;
}

/* With --webhook-url: the delivery thread; without, the record that it is
 * off (so that turning it on later sends no old news). 0 / -1. */
static int serve_start_webhook(const struct config *cfg, struct app *app)
{
    struct webhook_options wo = {cfg->webhook_url, NULL, cfg->public_url};
    char secret[WEBHOOK_SECRET_MAX + 2] = "";
    int on = cfg->webhook_url[0] != '\0', rc = -1;

    if (on && serve_read_password("--webhook-secret-file", cfg->webhook_secret_file, secret,
                                  sizeof secret) != 0)
        return -1;
    if (on && (strlen(secret) < WEBHOOK_SECRET_MIN || strlen(secret) > WEBHOOK_SECRET_MAX)) {
        fprintf(stderr, "conclave serve: --webhook-secret-file %s: the secret must be %d to "
                "%d bytes\n", cfg->webhook_secret_file, WEBHOOK_SECRET_MIN, WEBHOOK_SECRET_MAX);
        goto out;
    }
    if (event_hooks_start(app->store, on, (int64_t)time(NULL)) != 0)
        goto out;
    wo.secret = secret;
    if (!on)
        log_info("the webhook is off (start with --webhook-url to post poll events)");
    else if (webhook_start(app->store, &wo, &app->webhook) != 0)
        goto out;
    else
        log_info("webhook on: poll events are posted (signed) to the --webhook-url");
    rc = 0;
out:
    sodium_memzero(secret, sizeof secret);
    return rc;
}

/* With --oidc-issuer: the provider's context (oidc.h), nothing fetched yet
 * (a provider down at start-up does not keep the server from serving).
 * Sets who may log in with a password. 0 / -1. */
static int serve_start_oidc(const struct config *cfg, struct app *app)
{
    char secret[512] = "", redirect[600];
    struct oidc_options o = {cfg->oidc_issuer, cfg->oidc_client_id, secret, redirect,
                             cfg->oidc_group, cfg->oidc_groups_claim};
    int rc = -1;

    auth_set_password_login(app->auth, cfg->password_login);
    if (cfg->oidc_issuer[0] == '\0')
        return 0;
    snprintf(redirect, sizeof redirect, "%s/login/oidc/callback", cfg->public_url);
    if (serve_read_password("--oidc-client-secret-file", cfg->oidc_secret_file, secret,
                            sizeof secret) == 0 &&
        curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK) {
        if (oidc_new(&o, app->store, app->auth, &app->oidc) == 0)
            rc = 0;
        else
            curl_global_cleanup();
    }
    sodium_memzero(secret, sizeof secret);
    if (rc == 0)
        log_info("login through %s (%s) on; redirect URI %s%s", cfg->oidc_issuer,
                 cfg->oidc_name, redirect, cfg->password_login ? ""
                 : "; password login for admins only");
    return rc;
}

static void serve_stop_oidc(struct app *app)
{
    if (app->oidc == NULL)
        return;
    oidc_free(app->oidc);
    app->oidc = NULL;
    curl_global_cleanup();
}

/* Opens what the server runs on into APP (cfg set): the store with its group
 * commit, checkpointer and erasure of the WAL's page history
 * (store_durable.h) from the start, the server key, accounts (and the first
 * admin), the ballot box, flashes and rate limits. 0, or -1 (logged; what
 * was opened is for serve_app_close). */
static int serve_app_open(const struct config *cfg, struct app *app)
{
    struct auth_options aopt = {(int64_t)cfg->session_ttl, NULL, NULL};

    if (store_open(cfg->data_dir, &app->store) != 0 || store_durable_start(app->store) != 0)
        return -1;
    if (sign_key_open(cfg->data_dir, &app->key) != 0) {
        log_error("cannot open or create the server key %s/receipt-key (it must be a "
                  "regular file of mode 0600 holding 64 hex digits)", cfg->data_dir);
        return -1;
    }
    if (auth_open(app->store, &aopt, &app->auth) != 0 || serve_bootstrap(app->auth) != 0)
        return -1;
    if (ballotbox_new(app->store, app->key, &app->box) != 0 ||
        flash_new(256, 600, &app->flash) != 0)
        return -1;
    /* --login-limit 0 lifts the per-username attempt limit as well */
    if ((cfg->login_limit == 0 && auth_set_attempt_limit(app->auth, 0) != 0) ||
        (cfg->cast_limit > 0 &&
         ratelimit_new(cfg->cast_limit, 60, 1024, &app->cast_limit) != 0) ||
        (cfg->login_limit > 0 &&
         ratelimit_new(cfg->login_limit, 60, 1024, &app->login_limit) != 0))
        return -1;
    return 0;
}

/* Closes what serve_app_open opened (the HTTP server stopped first). */
static void serve_app_close(struct app *app)
{
    ballotbox_free(app->box);
    store_durable_stop(app->store);
    ratelimit_free(app->cast_limit);
    ratelimit_free(app->login_limit);
    flash_free(app->flash);
    auth_close(app->auth);
    sign_key_free(app->key);
    store_close(app->store);
}

static int serve_run(const struct config *cfg)
{
    struct app app = {cfg, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    struct http_server *srv = NULL;
    sigset_t set;
    int rc = 1, lock_fd;

    if (serve_check_static(cfg) != 0)
        return 1;
    if ((lock_fd = store_dir_lock(cfg->data_dir)) < 0)
        return 1;
    heap_configure();
    serve_block_signals(&set);
    if (serve_app_open(cfg, &app) != 0)
        goto out;
    if ((cfg->smtp_url[0] != '\0' || cfg->webhook_url[0] != '\0') &&
        curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        goto out;
    if (serve_start_mail(cfg, &app) != 0 || serve_start_webhook(cfg, &app) != 0 ||
        serve_start_oidc(cfg, &app) != 0)
        goto out;
    serve_close_due(&app);          /* polls whose deadline passed while down */
    /* After a crash the WAL still holds the page history of the last commits
     * (casts, or a close whose compaction never ran): fold it in and rebuild
     * the file before anything else happens, as a close would. */
    if (store_durable_recover(app.store) != 0)
        log_warn("could not compact the database at start-up");
    if (http_server_start(cfg, &app, &srv) != 0)
        goto out;
    log_info("listening on http://%s:%u (data in %s, static files from %s)",
             cfg->listen_host, http_server_port(srv), cfg->data_dir, cfg->static_dir);
    serve_loop(&app, &set);
    http_server_quiesce(srv);
    if (http_server_wait_idle(srv, SERVE_DRAIN_MS) != 0)
        log_warn("requests still in flight after %d ms; closing them", SERVE_DRAIN_MS);
    rc = 0;
out:
    http_server_free(srv);
    webhook_stop(app.webhook);
    app.webhook = NULL;
    serve_stop_mail(cfg, &app);
    serve_stop_oidc(&app);
    serve_app_close(&app);
    if (cfg->smtp_url[0] != '\0' || cfg->webhook_url[0] != '\0')
        curl_global_cleanup();
    close(lock_fd);
    if (rc == 0)
        log_info("stopped");
    return rc;
}

int serve_main(int argc, char **argv)
{
    struct config cfg;
    char err[256];
    int r = config_parse_serve(&cfg, argc, argv, err, sizeof err);

    if (r == 1) {
        fputs(serve_usage, stdout);
        return 0;
    }
    if (r == 0 && cfg.webhook_url[0] != '\0' && !webhook_url_ok(cfg.webhook_url)) {
        snprintf(err, sizeof err, "--webhook-url must be https://HOST/... (http:// only to "
                 "this machine)");
        r = -1;
    }
    if (r != 0) {
        fprintf(stderr, "conclave serve: %s\n%s", err, serve_usage);
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "conclave: libsodium failed to initialise\n");
        return 1;
    }
    return serve_run(&cfg);
}
