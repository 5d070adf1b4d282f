/*
 * webhook.c — the delivery thread (webhook.h): the deliveries POSTed with
 * libcurl, one at a time, each signed with HMAC-SHA256.
 *
 * The order of an attempt is the module's promise, as the mailer's is:
 * take the due delivery, POST it, and on a 2xx mark it delivered at once;
 * a crash between the answer and that commit is the one window in which it
 * can go twice (the receiver dedupes on X-Conclave-Delivery). The body is
 * signed at each attempt with the secret this server was started with, so
 * a secret changed across a restart signs what is still waiting. The
 * receiver's answer is read and dropped (at most 64 KiB); redirects are not
 * followed; a POST takes at most 30 seconds.
 *
 * The thread (worker.h) sleeps for at most a second between looks, and is
 * woken early by webhook_wake (a delivery made by event.c, an admin's
 * "Retry now") or webhook_stop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "log.h"
#include "store_webhook.h"
#include "url.h"
#include "webhook.h"
#include "worker.h"

#define WEBHOOK_URL_MAX   2048
#define WEBHOOK_IDLE_MS   1000
#define WEBHOOK_ANSWER_MAX (64 * 1024)

struct webhook {
    struct store *st;
    char url[WEBHOOK_URL_MAX];
    char public_url[512];
    unsigned char secret[WEBHOOK_SECRET_MAX];
    size_t secret_len;
    int loopback;
    int64_t pruned;                 /* the last prune, unix seconds */
    struct worker worker;
};

/*
 * TEST ONLY (compiled into the test build alone, -DCONCLAVE_TEST):
 * CONCLAVE_TEST_WEBHOOK_HOLD=1 keeps the thread from sending (deliveries
 * wait, as in a crash before sending); CONCLAVE_TEST_WEBHOOK_BACKOFF=N makes
 * every pause after a failure N seconds (no doubling: test_event.c checks
 * the doubling);
 * CONCLAVE_TEST_WEBHOOK_GIVE_UP=N gives a delivery up N seconds after it was
 * made instead of 24 hours.
 */
#ifdef CONCLAVE_TEST
static long webhook_test_env(const char *name)
{
    const char *v = getenv(name);

    return v != NULL ? strtol(v, NULL, 10) : 0;
}
#define webhook_test_hold() (webhook_test_env("CONCLAVE_TEST_WEBHOOK_HOLD") > 0)
#define webhook_test_backoff() webhook_test_env("CONCLAVE_TEST_WEBHOOK_BACKOFF")
#define webhook_test_give_up() webhook_test_env("CONCLAVE_TEST_WEBHOOK_GIVE_UP")
#else
#define webhook_test_hold() 0
#define webhook_test_backoff() 0L
#define webhook_test_give_up() 0L
#endif

int64_t webhook_backoff(int attempts)
{
    int64_t d = WEBHOOK_BACKOFF;
    int i;

    if (webhook_test_backoff() > 0)
        return webhook_test_backoff();
    for (i = 1; i < attempts && d < WEBHOOK_BACKOFF_MAX; i++)
        d *= 2;
    return d < WEBHOOK_BACKOFF_MAX ? d : WEBHOOK_BACKOFF_MAX;
}

void webhook_sign(const unsigned char *secret, size_t secret_len, const char *body,
                  size_t len, char out[WEBHOOK_SIG_LEN + 1])
{
    crypto_auth_hmacsha256_state h;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];

    crypto_auth_hmacsha256_init(&h, secret, secret_len);
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&h, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof mac);
    sodium_memzero(&h, sizeof h);
}

int webhook_url_ok(const char *url)
{
    return strlen(url) < WEBHOOK_URL_MAX && url_https_or_loopback(url);
}

/* Counts and drops the receiver's answer; a longer one ends the transfer. */
static size_t webhook_drop(char *buf, size_t size, size_t n, void *arg)
{
    size_t *seen = arg;

    (void)buf;
    *seen += size * n;
    return *seen > WEBHOOK_ANSWER_MAX ? 0 : size * n;
}

/* Sets up C to POST BODY with HEADERS. 0 / -1. */
static int webhook_setup(struct webhook *w, CURL *c, struct curl_slist *headers,
                         const char *body, size_t len, size_t *seen, char *err)
{
    return curl_easy_setopt(c, CURLOPT_URL, w->url) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, w->loopback ? "http,https" : "https")
            == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, webhook_drop) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_WRITEDATA, seen) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_USERAGENT, "Conclave-Webhook/1") == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err) == CURLE_OK ? 0 : -1;
}

/* The request's headers for delivery D of BODY (a new list, or NULL). */
static struct curl_slist *webhook_headers(struct webhook *w, const struct store_delivery *d,
                                          const char *body, size_t len)
{
    char line[128], sig[WEBHOOK_SIG_LEN + 1];
    struct curl_slist *h = NULL, *n;
    int ok = 1;

    webhook_sign(w->secret, w->secret_len, body, len, sig);
#define WEBHOOK_ADD(...) do { snprintf(line, sizeof line, __VA_ARGS__); \
        if (ok && (n = curl_slist_append(h, line)) != NULL) h = n; else ok = 0; } while (0)
    WEBHOOK_ADD("Content-Type: application/json");
    WEBHOOK_ADD("X-Conclave-Event: %s", d->type);
    WEBHOOK_ADD("X-Conclave-Delivery: %s", d->uid);
    WEBHOOK_ADD("X-Conclave-Signature: %s", sig);
    WEBHOOK_ADD("Expect:");
#undef WEBHOOK_ADD
    if (!ok) {
        curl_slist_free_all(h);
        return NULL;
    }
    return h;
}

/* Records a failed attempt of D: a retry later, or given up. */
static void webhook_failed(struct webhook *w, const struct store_delivery *d, const char *why)
{
    int64_t now = (int64_t)time(NULL), next;
    int64_t give_up = webhook_test_give_up() > 0 ? webhook_test_give_up() : WEBHOOK_GIVE_UP;
    int attempts = d->attempts + 1;

    if (now - d->created_at >= give_up) {
        log_error("webhook delivery %lld (%s of poll %s) given up after %d attempts: %s",
                  (long long)d->id, d->type, d->poll_id, attempts, why);
        if (store_webhook_give_up(w->st, d->id, attempts, now, why) != CV_OK)
            log_error("webhook delivery %lld: could not record it given up", (long long)d->id);
        return;
    }
    next = webhook_backoff(attempts);
    log_warn("webhook delivery %lld (%s of poll %s) failed (attempt %d): %s; next attempt "
             "in %lld s", (long long)d->id, d->type, d->poll_id, attempts, why, (long long)next);
    if (store_webhook_retry(w->st, d->id, attempts, now + next, why) != CV_OK)
        log_error("webhook delivery %lld: could not record the failed attempt",
                  (long long)d->id);
}

/* POSTs delivery D (its BODY) and records the outcome. */
static void webhook_send(struct webhook *w, const struct store_delivery *d, const char *body,
                         size_t len)
{
    char err[CURL_ERROR_SIZE] = "", why[64];
    struct curl_slist *headers = webhook_headers(w, d, body, len);
    CURL *c = curl_easy_init();
    size_t seen = 0;
    long status = 0;
    CURLcode rc;

    if (c == NULL || headers == NULL || webhook_setup(w, c, headers, body, len, &seen, err)) {
        webhook_failed(w, d, "cannot set up libcurl");
        goto out;
    }
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc == CURLE_OK && status >= 200 && status <= 299) {
        if (store_webhook_delivered(w->st, d->id, (int64_t)time(NULL)) != CV_OK)
            log_error("webhook delivery %lld was delivered but could not be marked so",
                      (long long)d->id);
        else
            log_info("webhook delivery %lld (%s of poll %s) delivered (HTTP %ld)",
                     (long long)d->id, d->type, d->poll_id, status);
    } else if (rc == CURLE_OK) {
        snprintf(why, sizeof why, "the receiver answered HTTP %ld", status);
        webhook_failed(w, d, why);
    } else {
        webhook_failed(w, d, err[0] != '\0' ? err : curl_easy_strerror(rc));
    }
out:
    curl_slist_free_all(headers);
    if (c != NULL)
        curl_easy_cleanup(c);
}

/* Once an hour: forgets the deliveries done with more than WEBHOOK_KEEP ago. */
static void webhook_prune(struct webhook *w, int64_t *last)
{
    int64_t now = (int64_t)time(NULL), n = 0;

    if (now - *last < 3600)
        return;
    *last = now;
    if (store_webhook_prune(w->st, now - WEBHOOK_KEEP, &n) != CV_OK)
        log_warn("could not prune the webhook's deliveries");
    else if (n > 0)
        log_info("webhook: %lld deliveries older than 30 days forgotten", (long long)n);
}

/* One step of the thread (worker.h): POSTs the next due delivery (1), or
 * prunes now and then and finds none (0). */
static int webhook_step(void *arg)
{
    struct webhook *w = arg;
    struct store_delivery d;
    char *body = NULL;
    size_t len = 0;
    int rc = webhook_test_hold() ? CV_NOT_FOUND
        : store_webhook_next(w->st, (int64_t)time(NULL), &d, &body, &len);

    if (rc == CV_OK) {
        webhook_send(w, &d, body, len);
        free(body);
        return 1;
    }
    if (rc != CV_NOT_FOUND)
        log_error("the webhook cannot read its deliveries; retrying");
    webhook_prune(w, &w->pruned);
    return 0;
}

int webhook_start(struct store *st, const struct webhook_options *o, struct webhook **out)
{
    struct webhook *w = calloc(1, sizeof *w);
    size_t n = o->secret != NULL ? strlen(o->secret) : 0;

    *out = NULL;
    if (w == NULL)
        return -1;
    w->st = st;
    if (!webhook_url_ok(o->url) || n < WEBHOOK_SECRET_MIN || n > WEBHOOK_SECRET_MAX ||
        strlen(o->public_url) >= sizeof w->public_url) {
        log_error("the webhook's settings are not usable");
        webhook_stop(w);
        return -1;
    }
    memcpy(w->url, o->url, strlen(o->url) + 1);
    memcpy(w->public_url, o->public_url, strlen(o->public_url) + 1);
    memcpy(w->secret, o->secret, n);
    w->secret_len = n;
    w->loopback = strncmp(o->url, "http:", 5) == 0;
    if (worker_start(&w->worker, webhook_step, w, WEBHOOK_IDLE_MS) != 0) {
        webhook_stop(w);
        return -1;
    }
    *out = w;
    return 0;
}

void webhook_wake(struct webhook *w)
{
    if (w != NULL)
        worker_wake(&w->worker);
}

void webhook_stop(struct webhook *w)
{
    if (w == NULL)
        return;
    worker_stop(&w->worker);
    sodium_memzero(w->secret, sizeof w->secret);
    free(w);
}

const char *webhook_public_url(const struct webhook *w)
{
    return w != NULL ? w->public_url : "";
}
