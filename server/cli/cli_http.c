/*
 * cli_http.c — one request per call with libcurl: no redirects followed (a
 * vote goes where the voter said), TLS verified by default, answers capped,
 * and only https://, or plain http:// to this machine: a bearer token sent
 * in the clear to another host is readable by anyone on the way.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cli_http.h"

static size_t http_sink(char *data, size_t size, size_t n, void *arg)
{
    struct cli_http_response *r = arg;
    size_t add = size * n;
    char *grown;

    if (add > CLI_HTTP_MAX_BODY - r->len)
        return 0;                          /* curl reports a write error */
    if ((grown = realloc(r->body, r->len + add + 1)) == NULL)
        return 0;
    r->body = grown;
    memcpy(r->body + r->len, data, add);
    r->len += add;
    r->body[r->len] = '\0';
    return add;
}

static struct curl_slist *http_headers(const char *token, int json)
{
    struct curl_slist *h = NULL, *next;
    char auth[256];

    if (token != NULL) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        if ((next = curl_slist_append(h, auth)) == NULL)
            goto fail;
        h = next;
    }
    if (json) {
        if ((next = curl_slist_append(h, "Content-Type: application/json")) == NULL)
            goto fail;
        h = next;
    }
    return h;
fail:
    curl_slist_free_all(h);
    return NULL;
}

/* 1 if HOST (as libcurl gives it: an IPv6 address in brackets) is this
 * machine's loopback: localhost, 127.0.0.0/8, ::1 (or ::ffff:127.x.y.z). */
static int http_loopback(const char *host)
{
    unsigned char a[16];
    char h[64];
    size_t n = strlen(host);

    if (strcasecmp(host, "localhost") == 0)
        return 1;
    if (inet_pton(AF_INET, host, a) == 1)
        return a[0] == 127;
    if (n < 3 || n - 2 >= sizeof h || host[0] != '[' || host[n - 1] != ']')
        return 0;
    memcpy(h, host + 1, n - 2);
    h[n - 2] = '\0';
    if (inet_pton(AF_INET6, h, a) != 1)
        return 0;
    return memcmp(a, in6addr_loopback.s6_addr, 16) == 0 ||
           (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 && a[12] == 127);
}

int cli_http_check_server(const char *server, char *err, size_t errlen)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int rc = -1;

    if (u == NULL || curl_url_set(u, CURLUPART_URL, server, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        snprintf(err, errlen, "--server %.300s is not a URL such as https://vote.example.org",
                 server);
    } else if (strcasecmp(scheme, "https") == 0 ||
               (strcasecmp(scheme, "http") == 0 && http_loopback(host))) {
        rc = 0;
    } else if (strcasecmp(scheme, "http") == 0) {
        snprintf(err, errlen, "refusing plain http:// to %.200s: the API token and the ballot "
                 "would cross the network unencrypted; use https:// (http:// is accepted only "
                 "for this machine: localhost, 127.0.0.0/8, ::1)", host);
    } else {
        snprintf(err, errlen, "--server must be an https:// URL (not %.40s://)", scheme);
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

int cli_http_request(const char *server, const char *path, const char *token,
                     const char *body, struct cli_http_response *out,
                     char *err, size_t errlen)
{
    CURL *c = curl_easy_init();
    struct curl_slist *hdrs = NULL;
    char url[2048];
    CURLcode cc;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (cli_http_check_server(server, err, errlen) != 0)
        goto out;
    if (c == NULL || (size_t)snprintf(url, sizeof url, "%s%s", server, path) >= sizeof url) {
        snprintf(err, errlen, "cannot prepare the request");
        goto out;
    }
    hdrs = http_headers(token, body != NULL);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body != NULL)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    if ((cc = curl_easy_perform(c)) != CURLE_OK) {
        snprintf(err, errlen, "%s: %s", url, curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    if (out->body == NULL && (out->body = calloc(1, 1)) == NULL)
        goto out;
    rc = 0;
out:
    if (rc != 0) {
        free(out->body);
        out->body = NULL;
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    return rc;
}

const char *cli_http_error(const struct cli_http_response *r, char *buf, size_t len)
{
    json_t *j = r->body ? json_loads(r->body, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *reason = json_string_value(json_object_get(e, "reason"));
    const char *msg = json_string_value(json_object_get(e, "message"));

    snprintf(buf, len, "HTTP %ld%s%s%s%s%s%s", r->status, code ? " " : "", code ? code : "",
             reason ? " (" : "", reason ? reason : "", reason ? ")" : "",
             msg ? "" : "");
    if (msg)
        snprintf(buf + strlen(buf), len - strlen(buf), ": %s", msg);
    json_decref(j);
    return buf;
}
