/*
 * cli_http.c — one request per call with libcurl: no redirects followed (a
 * vote goes where the voter said), TLS verified by default, answers capped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (c == NULL || (size_t)snprintf(url, sizeof url, "%s%s", server, path) >= sizeof url) {
        snprintf(err, errlen, "cannot prepare the request");
        goto out;
    }
    hdrs = http_headers(token, body != NULL);
    curl_easy_setopt(c, CURLOPT_URL, url);
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
