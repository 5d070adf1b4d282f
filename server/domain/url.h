/*
 * url.h — what the server's outgoing connections (SMTP, webhook, identity
 * provider) need to know of a URL before using it: its scheme, and whether
 * its host is this machine. One rule for all three, since "plain text only
 * to loopback" is a promise of SECURITY.md: loopback is `localhost`, `[::1]`
 * or an IPv4 address in 127.0.0.0/8, as libcurl parses the host (a name such
 * as 127.0.0.1.example.org is not).
 */
#ifndef CONCLAVE_URL_H
#define CONCLAVE_URL_H

#include <stddef.h>

/* Parses URL with libcurl: 0, its scheme in SCHEME (lowercase; CAP bytes
 * with the NUL) and *LOOPBACK 0 or 1; -1 if URL is not a URL with a host, or
 * its scheme does not fit. */
int url_inspect(const char *url, char *scheme, size_t cap, int *loopback);

/* 1 if URL is https://, or http:// to this machine; 0 otherwise (what the
 * webhook and the identity provider's endpoints may be). */
int url_https_or_loopback(const char *url);

#endif
