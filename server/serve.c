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
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app.h"
#include "auth.h"
#include "ballotbox.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "poll.h"
#include "serve.h"
#include "sign.h"
#include "store.h"

#define SERVE_TICK_MS 250
#define SERVE_DRAIN_MS 10000
#define SERVE_CHECKPOINT_TICKS 8   /* a WAL checkpoint every 2 s after casts */

static const char serve_usage[] =
    "usage: conclave serve [--data DIR] [--listen HOST:PORT] [--poll-duration SECONDS]\n"
    "                      [--secure-cookies] [--threads N] [--static DIR] [--templates DIR]\n"
    "Runs the Conclave server in the foreground (logs to stderr).\n"
    "  --data DIR             data directory (default ./var)\n"
    "  --listen HOST:PORT     address to listen on (default 127.0.0.1:8080)\n"
    "  --poll-duration SECS   how long a nomination poll stays open (default 604800)\n"
    "  --secure-cookies       mark the session cookie Secure (behind HTTPS)\n"
    "  --threads N            HTTP worker threads (default 4)\n";

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
                "  It is shown only this once. Log in and change it (conclave user passwd).\n\n",
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

/* Closes the polls whose deadline has passed and forgets their records. */
static void serve_close_due(struct app *app)
{
    if (poll_close_due(app->store, app->key, app->box, (int64_t)time(NULL)) < 0)
        log_error("closing a poll failed; retrying on the next tick");
}

/* Waits for SIGINT/SIGTERM, running the periodic jobs every tick: closing
 * polls at their deadline (within a tick), checkpointing the WAL. */
static void serve_loop(struct app *app, const sigset_t *set)
{
    struct timespec tick = {0, SERVE_TICK_MS * 1000L * 1000L};
    unsigned ticks = 0;
    int sig;

    for (;;) {
        sig = sigtimedwait(set, NULL, &tick);
        if (sig == SIGINT || sig == SIGTERM) {
            log_info("signal %d: shutting down", sig);
            return;
        }
        serve_close_due(app);
        if (++ticks % SERVE_CHECKPOINT_TICKS == 0)
            ballotbox_checkpoint(app->box);
    }
}

static int serve_run(const struct config *cfg)
{
    struct app app = {cfg, NULL, NULL, NULL, NULL};
    struct auth_options aopt = {(int64_t)cfg->session_ttl, NULL, NULL};
    struct http_server *srv = NULL;
    sigset_t set;
    int rc = 1;

    serve_block_signals(&set);
    if (store_open(cfg->data_dir, &app.store) != 0)
        goto out;
    if (sign_key_open(cfg->data_dir, &app.key) != 0) {
        log_error("cannot open or create the server key in %s", cfg->data_dir);
        goto out;
    }
    if (auth_open(app.store, &aopt, &app.auth) != 0 || serve_bootstrap(app.auth) != 0)
        goto out;
    if (ballotbox_new(app.store, app.key, &app.box) != 0)
        goto out;
    serve_close_due(&app);          /* polls whose deadline passed while down */
    if (http_server_start(cfg, &app, &srv) != 0)
        goto out;
    log_info("listening on http://%s:%u (data in %s)", cfg->listen_host,
             http_server_port(srv), cfg->data_dir);
    serve_loop(&app, &set);
    http_server_quiesce(srv);
    if (http_server_wait_idle(srv, SERVE_DRAIN_MS) != 0)
        log_warn("requests still in flight after %d ms; closing them", SERVE_DRAIN_MS);
    rc = 0;
out:
    http_server_free(srv);
    ballotbox_free(app.box);
    auth_close(app.auth);
    sign_key_free(app.key);
    store_close(app.store);
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
