/*
 * url.c — a URL's scheme and whether its host is this machine (url.h), read
 * with libcurl's URL parser, the same parser that then connects.
 */
#include <arpa/inet.h>
#include <string.h>

#include <curl/curl.h>

#include "url.h"

/* 1 if HOST (as libcurl gives it) is this machine. */
static int url_host_loopback(const char *host)
{
    struct in_addr v4;

    return strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
        (inet_pton(AF_INET, host, &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127);
}

int url_inspect(const char *url, char *scheme, size_t cap, int *loopback)
{
    CURLU *h = curl_url();
    char *s = NULL, *host = NULL;
    int r = -1;

    if (h == NULL)
        return -1;
    if (curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_SCHEME, &s, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0] != '\0' &&
        strlen(s) < cap) {
        memcpy(scheme, s, strlen(s) + 1);
        *loopback = url_host_loopback(host);
        r = 0;
    }
    curl_free(s);
    curl_free(host);
    curl_url_cleanup(h);
    return r;
}

int url_https_or_loopback(const char *url)
{
    char scheme[16];
    int loopback;

    if (url_inspect(url, scheme, sizeof scheme, &loopback) != 0)
        return 0;
    return strcmp(scheme, "https") == 0 || (strcmp(scheme, "http") == 0 && loopback);
}
