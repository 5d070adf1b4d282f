/*
 * config.c — command-line options of `conclave serve`, with defaults that
 * give a working local server: data in ./var, 127.0.0.1:8080, one-week polls.
 *
 * Parsing is strict: an unknown option, a missing value or a number out of
 * range is a usage error, never silently ignored.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_internal.h"

/* Enough HTTP workers that casts waiting for their group's commit and fsync
 * (most of a cast's time, under load) leave others to keep every core
 * verifying, and two logins may hash a password (AUTH_MAX_VERIFIERS):
 * 8 per core + 2, 4 to 128. Verification itself runs on one slot per core
 * (ballotbox.c), so more threads do not mean more CPU contention. */
static unsigned config_default_threads(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    if (cores < 1)
        return 4;
    return cores > 15 ? 128 : 8 * (unsigned)cores + 2;
}

/* The static files beside the binary: BINDIR/static (the source tree, where
 * `make` builds ./conclave), else PREFIX/share/conclave/static for a binary
 * in PREFIX/bin (`make install`); else ./static. */
static void config_default_static(char *out, size_t len)
{
    char exe[CONFIG_PATH_MAX], *slash;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    struct stat st;
    int i;

    for (i = 0; n > 0 && i < 2; i++) {
        exe[n] = '\0';
        if ((slash = strrchr(exe, '/')) == NULL)
            break;
        *slash = '\0';
        n = slash - exe;
        if ((size_t)snprintf(out, len, "%s/%s", exe,
                             i == 0 ? "static" : "share/conclave/static") < len &&
            stat(out, &st) == 0 && S_ISDIR(st.st_mode))
            return;
    }
    snprintf(out, len, "./static");
}

void config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->data_dir, sizeof cfg->data_dir, "./var");
    snprintf(cfg->listen_host, sizeof cfg->listen_host, "127.0.0.1");
    cfg->listen_port = 8080;
    cfg->poll_duration = 604800;
    cfg->body_limit = 64 * 1024;
    cfg->threads = config_default_threads();
    cfg->connection_limit = 512;
    cfg->connection_timeout = 30;
    cfg->request_timeout = 20;
    cfg->header_timeout = 10;
    cfg->per_address_limit = 32;
    cfg->session_ttl = 12 * 3600;
    cfg->login_limit = 60;
    cfg->cast_limit = 30;
    cfg->password_login = 1;
    snprintf(cfg->oidc_groups_claim, sizeof cfg->oidc_groups_claim, "groups");
    snprintf(cfg->oidc_name, sizeof cfg->oidc_name, "single sign-on");
    cfg->decrypt_remind_hours = 24;
    config_default_static(cfg->static_dir, sizeof cfg->static_dir);
    snprintf(cfg->templates_dir, sizeof cfg->templates_dir, "./templates");
}

static int parse_uint(const char *s, unsigned long min, unsigned long max,
                      unsigned long *out)
{
    char *end;
    unsigned long v;

    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int config_parse_listen(const char *arg, char *host, size_t hostlen,
                        uint16_t *port)
{
    const char *colon;
    const char *h = arg;
    size_t hl;
    unsigned long p;

    if (arg[0] == '[') {
        const char *close = strchr(arg, ']');
        if (close == NULL || close[1] != ':')
            return -1;
        h = arg + 1;
        hl = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(arg, ':');
        if (colon == NULL)
            return -1;
        hl = (size_t)(colon - arg);
    }
    if (hl == 0 || hl >= hostlen || parse_uint(colon + 1, 1, 65535, &p) != 0)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (uint16_t)p;
    return 0;
}

static int copy_path(char *dst, size_t len, const char *src)
{
    if (src == NULL || src[0] == '\0' || strlen(src) >= len)
        return -1;
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

int config_has_scheme(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);

    return s != NULL && strncasecmp(s, prefix, n) == 0 && s[n] != '\0';
}

int config_copy_word(char *dst, size_t len, const char *src)
{
    const char *p;

    if (src == NULL || src[0] == '\0' || strlen(src) >= len)
        return -1;
    for (p = src; *p != '\0'; p++)
        if (*p <= ' ' || *p > '~')
            return -1;
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

/* The mail options (mail.h): 0 when OPT was one and VAL good, -1 when it was
 * one and VAL bad, 1 when OPT is no mail option. */
static int config_parse_mail(struct config *cfg, const char *opt, const char *val)
{
    unsigned long v;

    if (strcmp(opt, "--smtp-url") == 0)
        return (config_has_scheme(val, "smtp://") || config_has_scheme(val, "smtps://")) &&
            config_copy_word(cfg->smtp_url, sizeof cfg->smtp_url, val) == 0 ? 0 : -1;
    if (strcmp(opt, "--smtp-user") == 0)
        return config_copy_word(cfg->smtp_user, sizeof cfg->smtp_user, val);
    if (strcmp(opt, "--smtp-password-file") == 0)
        return copy_path(cfg->smtp_password_file, sizeof cfg->smtp_password_file, val);
    if (strcmp(opt, "--mail-from") == 0)
        return val != NULL && strchr(val, '@') != NULL &&
            config_copy_word(cfg->mail_from, sizeof cfg->mail_from, val) == 0 ? 0 : -1;
    if (strcmp(opt, "--public-url") == 0)
        return (config_has_scheme(val, "https://") || config_has_scheme(val, "http://")) &&
            config_copy_word(cfg->public_url, sizeof cfg->public_url, val) == 0 ? 0 : -1;
    if (strcmp(opt, "--nominee-consent") == 0) {
        cfg->nominee_consent = strcmp(val, "mail") == 0 ? CONFIG_CONSENT_MAIL
            : strcmp(val, "attest") == 0 ? CONFIG_CONSENT_ATTEST : CONFIG_CONSENT_DEFAULT;
        return cfg->nominee_consent == CONFIG_CONSENT_DEFAULT ? -1 : 0;
    }
    if (strcmp(opt, "--webhook-url") == 0)
        return (config_has_scheme(val, "https://") || config_has_scheme(val, "http://")) &&
            config_copy_word(cfg->webhook_url, sizeof cfg->webhook_url, val) == 0 ? 0 : -1;
    if (strcmp(opt, "--webhook-secret-file") == 0)
        return copy_path(cfg->webhook_secret_file, sizeof cfg->webhook_secret_file, val);
    if (strcmp(opt, "--reminder-hours") == 0) {
        if (parse_uint(val, 0, 24 * 365, &v) != 0)
            return -1;
        cfg->reminder_hours = (unsigned)v;
        return 0;
    }
    return 1;
}

/* The webhook's options, which go together and need --public-url (the
 * links in its bodies). 0, or -1 with ERR. */
static int config_check_webhook(const struct config *cfg, char *err, size_t errlen)
{
    if ((cfg->webhook_url[0] == '\0') != (cfg->webhook_secret_file[0] == '\0')) {
        snprintf(err, errlen, "--webhook-url and --webhook-secret-file go together");
        return -1;
    }
    if (cfg->webhook_url[0] != '\0' && cfg->public_url[0] == '\0') {
        snprintf(err, errlen, "--webhook-url needs --public-url URL (the address links in "
                 "its events point to)");
        return -1;
    }
    return 0;
}

/* The mail options that only make sense together. 0, or -1 with ERR. */
static int config_check_mail(struct config *cfg, char *err, size_t errlen)
{
    size_t n = strlen(cfg->public_url);

    while (n > 0 && cfg->public_url[n - 1] == '/')
        cfg->public_url[--n] = '\0';           /* links append "/path" */
    if (cfg->nominee_consent == CONFIG_CONSENT_DEFAULT)
        cfg->nominee_consent = cfg->smtp_url[0] ? CONFIG_CONSENT_MAIL : CONFIG_CONSENT_ATTEST;
    if (cfg->nominee_consent == CONFIG_CONSENT_MAIL && cfg->smtp_url[0] == '\0') {
        snprintf(err, errlen, "--nominee-consent mail needs --smtp-url (the nominee is "
                 "mailed a link to accept); without mail use --nominee-consent attest");
        return -1;
    }
    if (config_check_webhook(cfg, err, errlen) != 0)
        return -1;
    if (cfg->smtp_url[0] == '\0') {
        if (cfg->smtp_user[0] == '\0' && cfg->smtp_password_file[0] == '\0' &&
            cfg->mail_from[0] == '\0')
            return 0;
        snprintf(err, errlen, "--smtp-user, --smtp-password-file and --mail-from need "
                 "--smtp-url");
        return -1;
    }
    if (cfg->mail_from[0] == '\0' || cfg->public_url[0] == '\0') {
        snprintf(err, errlen, "--smtp-url needs --mail-from ADDRESS and --public-url URL "
                 "(the address links in mails point to)");
        return -1;
    }
    if ((cfg->smtp_user[0] == '\0') != (cfg->smtp_password_file[0] == '\0')) {
        snprintf(err, errlen, "--smtp-user and --smtp-password-file go together");
        return -1;
    }
    return 0;
}

/* The options that take a number: its bounds, and the unsigned field of
 * struct config it sets. */
static const struct {
    const char *name;
    unsigned long min, max;
    size_t field;                   /* offsetof(struct config, an unsigned) */
} number_options[] = {
    {"--poll-duration", 1, 366UL * 86400, offsetof(struct config, poll_duration)},
    {"--threads", 1, 256, offsetof(struct config, threads)},
    {"--max-connections", 1, 100000, offsetof(struct config, connection_limit)},
    {"--request-timeout", 1, 3600, offsetof(struct config, request_timeout)},
    {"--header-timeout", 0, 3600, offsetof(struct config, header_timeout)},
    {"--max-connections-per-address", 0, 100000, offsetof(struct config, per_address_limit)},
    {"--login-limit", 0, 100000, offsetof(struct config, login_limit)},
    {"--cast-limit", 0, 100000, offsetof(struct config, cast_limit)},
    {"--session-ttl", 1, 366UL * 86400, offsetof(struct config, session_ttl)},
    {"--decrypt-remind-hours", 0, 24UL * 365, offsetof(struct config, decrypt_remind_hours)},
};

/* Option OPT with VAL if it is one of number_options: 0 set, -1 a bad
 * value; 1 if OPT is no such option. */
static int config_parse_number(struct config *cfg, const char *opt, const char *val)
{
    unsigned long v;
    size_t i;

    for (i = 0; i < sizeof number_options / sizeof number_options[0]; i++) {
        if (strcmp(opt, number_options[i].name) != 0)
            continue;
        if (parse_uint(val, number_options[i].min, number_options[i].max, &v) != 0)
            return -1;
        *(unsigned *)(void *)((char *)cfg + number_options[i].field) = (unsigned)v;
        return 0;
    }
    return 1;
}

/* Option OPT with VAL if it takes a path, an address or nothing: 0 set, -1
 * a bad value, 1 if OPT is none of them. *USED: whether VAL was taken. */
static int config_parse_text(struct config *cfg, const char *opt, const char *val, int *used)
{
    unsigned char buf[16];

    if (strcmp(opt, "--data") == 0)
        return copy_path(cfg->data_dir, sizeof cfg->data_dir, val);
    if (strcmp(opt, "--static") == 0)
        return copy_path(cfg->static_dir, sizeof cfg->static_dir, val);
    if (strcmp(opt, "--templates") == 0)
        return copy_path(cfg->templates_dir, sizeof cfg->templates_dir, val);
    if (strcmp(opt, "--listen") == 0)
        return val && config_parse_listen(val, cfg->listen_host, sizeof cfg->listen_host,
                                          &cfg->listen_port) == 0 ? 0 : -1;
    if (strcmp(opt, "--trusted-proxy") == 0) {
        if (val == NULL || strlen(val) >= sizeof cfg->trusted_proxy ||
            (inet_pton(AF_INET, val, buf) != 1 && inet_pton(AF_INET6, val, buf) != 1))
            return -1;
        memcpy(cfg->trusted_proxy, val, strlen(val) + 1);
        return 0;
    }
    if (strcmp(opt, "--secure-cookies") == 0) {
        *used = 0;
        cfg->secure_cookies = 1;
        return 0;
    }
    return 1;
}

static int config_parse_one(struct config *cfg, const char *opt, const char *val,
                            int *used, char *err, size_t errlen)
{
    int rc;

    *used = 1;
    if ((rc = config_parse_mail(cfg, opt, val)) == 1 &&
        (rc = config_parse_oidc(cfg, opt, val)) == 1 &&
        (rc = config_parse_number(cfg, opt, val)) == 1 &&
        (rc = config_parse_text(cfg, opt, val, used)) == 1) {
        snprintf(err, errlen, "unknown option '%s'", opt);
        return -1;
    }
    if (rc != 0)
        snprintf(err, errlen, "option %s needs a valid value", opt);
    return rc;
}

int config_parse_serve(struct config *cfg, int argc, char **argv,
                       char *err, size_t errlen)
{
    int i, used;

    config_defaults(cfg);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
        if (config_parse_one(cfg, argv[i], i + 1 < argc ? argv[i + 1] : NULL,
                             &used, err, errlen) != 0)
            return -1;
        i += used;
    }
    if (config_check_mail(cfg, err, errlen) != 0)
        return -1;
    return config_check_oidc(cfg, err, errlen);
}

int config_find_data_dir(int argc, char **argv, char *out, size_t outlen)
{
    int i;
    const char *dir = "./var";

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0) {
            if (i + 1 >= argc)
                return -1;
            dir = argv[i + 1];
        }
    }
    return copy_path(out, outlen, dir);
}
