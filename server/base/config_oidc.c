/*
 * config_oidc.c — the options of `conclave serve` that turn on login through
 * the team's OpenID Connect provider (oidc.h), and their consistency.
 *
 * The server refuses to start on a set that cannot work rather than failing
 * at the first login: an issuer without a client, its secret or
 * --public-url (the redirect URI is made of it), an issuer over plain http
 * to another machine (the code, the client secret and the ID token would
 * cross the network in clear), provider options without an issuer, and
 * --password-login off without a provider (nobody but admins could log in).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config_internal.h"
#include "utf8.h"

int config_url_loopback(const char *url)
{
    const char *host, *end;
    size_t n;

    if (config_has_scheme(url, "https://"))
        host = url + 8;
    else if (config_has_scheme(url, "http://"))
        host = url + 7;
    else
        return 0;
    end = host + strcspn(host, "/?#");
    if (memchr(host, '@', (size_t)(end - host)) != NULL)
        return 0;                       /* user@host: never taken for loopback */
    if (strncmp(host, "[::1]", 5) == 0)
        return host + 5 == end || host[5] == ':';
    n = strcspn(host, ":/?#");
    if (n == 9 && strncasecmp(host, "localhost", 9) == 0)
        return 1;
    if (n < 9 || n > 15 || strncmp(host, "127.", 4) != 0)
        return 0;
    return strspn(host, "0123456789.") >= n;
}

/* A button's name: UTF-8 text of 1..127 bytes without control characters. */
static int config_copy_text(char *dst, size_t len, const char *src)
{
    const unsigned char *p;

    if (src == NULL || src[0] == '\0' || strlen(src) >= len ||
        utf8_check(src, strlen(src)) != 0)
        return -1;
    for (p = (const unsigned char *)src; *p != '\0'; p++)
        if (*p < ' ' || *p == 0x7f)
            return -1;
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

int config_parse_oidc(struct config *cfg, const char *opt, const char *val)
{
    if (strcmp(opt, "--oidc-issuer") == 0)
        return (config_has_scheme(val, "https://") || config_has_scheme(val, "http://")) &&
            config_copy_word(cfg->oidc_issuer, sizeof cfg->oidc_issuer, val) == 0 ? 0 : -1;
    if (strcmp(opt, "--oidc-client-id") == 0)
        return config_copy_word(cfg->oidc_client_id, sizeof cfg->oidc_client_id, val);
    if (strcmp(opt, "--oidc-client-secret-file") == 0)
        return val != NULL && val[0] != '\0' && strlen(val) < sizeof cfg->oidc_secret_file ?
            (memcpy(cfg->oidc_secret_file, val, strlen(val) + 1), 0) : -1;
    if (strcmp(opt, "--oidc-name") == 0)
        return config_copy_text(cfg->oidc_name, sizeof cfg->oidc_name, val);
    if (strcmp(opt, "--oidc-group") == 0)
        return config_copy_text(cfg->oidc_group, sizeof cfg->oidc_group, val);
    if (strcmp(opt, "--oidc-groups-claim") == 0)
        return config_copy_word(cfg->oidc_groups_claim, sizeof cfg->oidc_groups_claim, val);
    if (strcmp(opt, "--password-login") == 0) {
        if (val == NULL || (strcmp(val, "on") != 0 && strcmp(val, "off") != 0))
            return -1;
        cfg->password_login = strcmp(val, "on") == 0;
        return 0;
    }
    return 1;
}

int config_check_oidc(const struct config *cfg, char *err, size_t errlen)
{
    const char *why = NULL;

    if (cfg->oidc_issuer[0] == '\0') {
        if (cfg->oidc_client_id[0] != '\0' || cfg->oidc_secret_file[0] != '\0' ||
            cfg->oidc_group[0] != '\0')
            why = "--oidc-client-id, --oidc-client-secret-file and --oidc-group need "
                  "--oidc-issuer";
        else if (!cfg->password_login)
            why = "--password-login off needs --oidc-issuer (else only admins could log in)";
    } else if (cfg->oidc_client_id[0] == '\0' || cfg->oidc_secret_file[0] == '\0') {
        why = "--oidc-issuer needs --oidc-client-id ID and --oidc-client-secret-file FILE";
    } else if (cfg->public_url[0] == '\0') {
        why = "--oidc-issuer needs --public-url URL (the redirect URI to register at the "
              "provider is URL/login/oidc/callback)";
    } else if (!config_has_scheme(cfg->oidc_issuer, "https://") &&
               !config_url_loopback(cfg->oidc_issuer)) {
        why = "--oidc-issuer must be an https:// URL (plain http only to this machine, for "
              "tests)";
    } else if (strchr(cfg->oidc_issuer, '?') != NULL || strchr(cfg->oidc_issuer, '#') != NULL) {
        why = "--oidc-issuer must have no query or fragment";
    }
    if (why == NULL)
        return 0;
    snprintf(err, errlen, "%s", why);
    return -1;
}
