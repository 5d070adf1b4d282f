/*
 * mailer.c — the mailer thread (mailer.h): the outbox sent over SMTP with
 * libcurl, one mail at a time.
 *
 * The order of a send is the module's promise: take the due mail, send it,
 * and on CURLE_OK (the server's 250 to the message's end) mark it sent at
 * once, before the connection is closed (curl sends QUIT only when its
 * handle is cleaned up, after the mark); a crash between the 250 and that
 * commit is the one window in which a mail can go twice. A failure (no
 * connection, TLS refused, a 4xx or 5xx) is recorded with the next attempt
 * (mailer_backoff) or, 24 hours after queuing, gives the mail up.
 *
 * The thread (worker.h) sleeps for at most a second between looks, and is
 * woken early by mailer_wake (a mail queued by this process) or
 * mailer_stop.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "log.h"
#include "mailer.h"
#include "store_outbox.h"
#include "url.h"
#include "worker.h"

#define MAILER_URL_MAX  512
#define MAILER_CRED_MAX 512
#define MAILER_IDLE_MS  1000

struct mailer {
    struct store *st;
    char url[MAILER_URL_MAX];
    char from[MAILER_URL_MAX];
    char user[MAILER_CRED_MAX];
    char password[MAILER_CRED_MAX];
    int loopback;
    int64_t pruned;                 /* the last prune, unix seconds */
    struct worker worker;
};

/* What curl reads the message from. */
struct mailer_upload {
    const char *p;
    size_t left;
};

/*
 * TEST ONLY (compiled into the test build alone, -DCONCLAVE_TEST):
 * CONCLAVE_TEST_MAIL_HOLD=1 keeps the mailer from sending (mails stay
 * queued, as in a crash before sending); CONCLAVE_TEST_MAIL_EXIT_AFTER_SENT=1
 * ends the process (exit status 3) right after the first mail is marked
 * sent, before the connection is closed; CONCLAVE_TEST_MAIL_BACKOFF=N
 * makes the first pause after a failure N seconds instead of 60.
 */
#ifdef CONCLAVE_TEST
static long mailer_test_env(const char *name)
{
    const char *v = getenv(name);

    return v != NULL ? strtol(v, NULL, 10) : 0;
}
#define mailer_test_hold() (mailer_test_env("CONCLAVE_TEST_MAIL_HOLD") > 0)
#define mailer_test_exit_after_sent() \
    do { if (mailer_test_env("CONCLAVE_TEST_MAIL_EXIT_AFTER_SENT") > 0) { \
        log_warn("test hook: exiting after a mail was marked sent"); _exit(3); } } while (0)
#define mailer_test_backoff() mailer_test_env("CONCLAVE_TEST_MAIL_BACKOFF")
#else
#define mailer_test_hold() 0
#define mailer_test_exit_after_sent() ((void)0)
#define mailer_test_backoff() 0L
#endif

int64_t mailer_backoff(int attempts)
{
    int64_t base = mailer_test_backoff() > 0 ? mailer_test_backoff() : MAILER_BACKOFF;
    int64_t d = base;
    int i;

    for (i = 1; i < attempts && d < MAILER_BACKOFF_MAX; i++)
        d *= 2;
    return d < MAILER_BACKOFF_MAX ? d : MAILER_BACKOFF_MAX;
}

int mailer_url_loopback(const char *url)
{
    char scheme[16];
    int loopback;

    if (url_inspect(url, scheme, sizeof scheme, &loopback) != 0 ||
        (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0))
        return -1;
    return loopback;
}

static size_t mailer_read(char *buf, size_t size, size_t n, void *arg)
{
    struct mailer_upload *u = arg;
    size_t k = size * n < u->left ? size * n : u->left;

    memcpy(buf, u->p, k);
    u->p += k;
    u->left -= k;
    return k;
}

/* Sets up CURL to send MESSAGE to RCPT. 0 / -1. */
static int mailer_setup(struct mailer *m, CURL *c, struct curl_slist *rcpt,
                        struct mailer_upload *u, char *err)
{
    int ok = curl_easy_setopt(c, CURLOPT_URL, m->url) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_MAIL_FROM, m->from) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_READFUNCTION, mailer_read) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_READDATA, u) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_USE_SSL,
                         m->loopback ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err) == CURLE_OK;

    if (ok && m->user[0] != '\0')
        ok = curl_easy_setopt(c, CURLOPT_USERNAME, m->user) == CURLE_OK &&
            curl_easy_setopt(c, CURLOPT_PASSWORD, m->password) == CURLE_OK;
    return ok ? 0 : -1;
}

/* Records a failed attempt of MAIL: a retry later, or given up. */
static void mailer_failed(struct mailer *m, const struct store_mail *mail, const char *why)
{
    int64_t now = (int64_t)time(NULL), next;
    int attempts = mail->attempts + 1;

    if (now - mail->created_at >= MAILER_GIVE_UP) {
        log_error("mail %lld (%s) given up after %d attempts in 24 hours: %s",
                  (long long)mail->id, mail->kind, attempts, why);
        if (store_outbox_give_up(m->st, mail->id, attempts, now, why) != CV_OK)
            log_error("mail %lld: could not record it given up", (long long)mail->id);
        return;
    }
    next = mailer_backoff(attempts);
    log_warn("mail %lld (%s) not sent (attempt %d): %s; next attempt in %lld s",
             (long long)mail->id, mail->kind, attempts, why, (long long)next);
    if (store_outbox_retry(m->st, mail->id, attempts, now + next, why) != CV_OK)
        log_error("mail %lld: could not record the failed attempt", (long long)mail->id);
}

/* Sends MAIL (its text MESSAGE) and records the outcome. */
static void mailer_send(struct mailer *m, const struct store_mail *mail, const char *message)
{
    char err[CURL_ERROR_SIZE] = "", to[STORE_EMAIL_MAX + 3];
    struct mailer_upload u = {message, strlen(message)};
    struct curl_slist *rcpt = NULL;
    CURL *c = curl_easy_init();
    CURLcode rc = CURLE_FAILED_INIT;

    snprintf(to, sizeof to, "<%s>", mail->recipient);
    if (c == NULL || (rcpt = curl_slist_append(NULL, to)) == NULL ||
        mailer_setup(m, c, rcpt, &u, err) != 0) {
        mailer_failed(m, mail, "cannot set up libcurl");
        goto out;
    }
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
        /* the 250: mark it sent before anything else, QUIT included */
        if (store_outbox_sent(m->st, mail->id, (int64_t)time(NULL)) != CV_OK)
            log_error("mail %lld was sent but could not be marked sent", (long long)mail->id);
        else
            log_info("mail %lld (%s) sent", (long long)mail->id, mail->kind);
        mailer_test_exit_after_sent();
    } else {
        mailer_failed(m, mail, err[0] != '\0' ? err : curl_easy_strerror(rc));
    }
out:
    curl_slist_free_all(rcpt);
    if (c != NULL)
        curl_easy_cleanup(c);
}

/* Once an hour: forgets the mails done with more than MAILER_KEEP ago. */
static void mailer_prune(struct mailer *m, int64_t *last)
{
    int64_t now = (int64_t)time(NULL), n = 0;

    if (now - *last < 3600)
        return;
    *last = now;
    if (store_outbox_prune(m->st, now - MAILER_KEEP, &n) != CV_OK)
        log_warn("could not prune the outbox");
    else if (n > 0)
        log_info("outbox: %lld mails older than 30 days forgotten", (long long)n);
}

/* One step of the thread (worker.h): sends the next due mail (1), or
 * prunes now and then and finds none (0). */
static int mailer_step(void *arg)
{
    struct mailer *m = arg;
    struct store_mail mail;
    char *message;
    int rc = mailer_test_hold() ? CV_NOT_FOUND
        : store_outbox_next(m->st, (int64_t)time(NULL), &mail, &message);

    if (rc == CV_OK) {
        mailer_send(m, &mail, message);
        sodium_memzero(message, strlen(message));
        free(message);
        return 1;
    }
    if (rc != CV_NOT_FOUND)
        log_error("the mailer cannot read the outbox; retrying");
    mailer_prune(m, &m->pruned);
    return 0;
}

static int mailer_copy(char *dst, size_t cap, const char *src)
{
    if (src == NULL)
        src = "";
    if (strlen(src) >= cap)
        return -1;
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

int mailer_start(struct store *st, const struct mailer_options *o, struct mailer **out)
{
    struct mailer *m = calloc(1, sizeof *m);

    *out = NULL;
    if (m == NULL)
        return -1;
    m->st = st;
    if (mailer_copy(m->url, sizeof m->url, o->url) != 0 ||
        mailer_copy(m->from, sizeof m->from, o->from) != 0 ||
        mailer_copy(m->user, sizeof m->user, o->user) != 0 ||
        mailer_copy(m->password, sizeof m->password, o->password) != 0 ||
        (m->loopback = mailer_url_loopback(o->url)) < 0) {
        log_error("the SMTP settings are not usable (--smtp-url must be smtp://HOST:PORT "
                  "or smtps://HOST:PORT)");
        mailer_stop(m);
        return -1;
    }
    if (worker_start(&m->worker, mailer_step, m, MAILER_IDLE_MS) != 0) {
        mailer_stop(m);
        return -1;
    }
    *out = m;
    return 0;
}

void mailer_wake(struct mailer *m)
{
    if (m != NULL)
        worker_wake(&m->worker);
}

void mailer_stop(struct mailer *m)
{
    if (m == NULL)
        return;
    worker_stop(&m->worker);
    sodium_memzero(m->password, sizeof m->password);
    free(m);
}
