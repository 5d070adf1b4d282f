/*
 * oidc_fetch.c — requests to the OpenID provider over libcurl (oidc_fetch.h).
 *
 * Every URL is checked as libcurl itself parses it (a "user@host" or an odd
 * spelling cannot pass for loopback), the protocols are limited to http and
 * https, redirects are not followed (a provider's endpoint answers itself),
 * and an answer larger than the cap ends the transfer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "oidc_fetch.h"
#include "url.h"

struct fetch_buf {
    char *p;
    size_t len, cap;
    int over;
};

int oidc_fetch_url_ok(const char *url)
{
    return url_https_or_loopback(url);
}

static size_t fetch_write(char *data, size_t size, size_t n, void *arg)
{
    struct fetch_buf *b = arg;
    size_t k = size * n;
    char *grown;

    if (k > b->cap - b->len) {
        b->over = 1;
        return 0;                       /* ends the transfer */
    }
    if ((grown = realloc(b->p, b->len + k + 1)) == NULL)
        return 0;
    b->p = grown;
    memcpy(b->p + b->len, data, k);
    b->len += k;
    b->p[b->len] = '\0';
    return k;
}

/* The options of every request. 1 if all were taken. */
static int fetch_setup(CURL *c, const struct oidc_request *rq, struct fetch_buf *b,
                       struct curl_slist *hdrs, char *cerr)
{
    int ok = curl_easy_setopt(c, CURLOPT_URL, rq->url) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)OIDC_FETCH_CONNECT_S) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)OIDC_FETCH_TOTAL_S) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_WRITEDATA, b) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_USERAGENT, "conclave") == CURLE_OK &&
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr) == CURLE_OK;

    if (ok && rq->form != NULL)
        ok = curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->form) == CURLE_OK;
    if (ok && rq->user != NULL)
        ok = curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_USERNAME, rq->user) == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_PASSWORD, rq->password) == CURLE_OK;
    return ok;
}

int oidc_fetch(const struct oidc_request *rq, struct oidc_reply *out, char *err, size_t errlen)
{
    struct fetch_buf b = {NULL, 0, rq->cap, 0};
    struct curl_slist *hdrs = curl_slist_append(NULL, "Accept: application/json");
    char cerr[CURL_ERROR_SIZE] = "";
    CURL *c = NULL;
    CURLcode cc = CURLE_FAILED_INIT;

    memset(out, 0, sizeof *out);
    if (!oidc_fetch_url_ok(rq->url)) {
        snprintf(err, errlen, "not an https URL (plain http only to this machine)");
        goto out;
    }
    if (hdrs == NULL || (c = curl_easy_init()) == NULL || !fetch_setup(c, rq, &b, hdrs, cerr)) {
        snprintf(err, errlen, "libcurl could not be set up");
        goto out;
    }
    cc = curl_easy_perform(c);
    if (cc == CURLE_OK && b.p == NULL && (b.p = calloc(1, 1)) == NULL)
        cc = CURLE_OUT_OF_MEMORY;
    if (cc != CURLE_OK)
        snprintf(err, errlen, "%s", b.over ? "the answer is too large" :
                 cerr[0] != '\0' ? cerr : curl_easy_strerror(cc));
    else
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
out:
    curl_easy_cleanup(c);
    curl_slist_free_all(hdrs);
    if (cc != CURLE_OK) {
        if (b.p != NULL)
            sodium_memzero(b.p, b.len);
        free(b.p);
        return -1;
    }
    out->body = b.p;
    out->len = b.len;
    return 0;
}

void oidc_reply_free(struct oidc_reply *r)
{
    if (r->body != NULL)
        sodium_memzero(r->body, r->len);
    free(r->body);
    r->body = NULL;
    r->len = 0;
}
