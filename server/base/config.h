/*
 * config.h — the server's configuration, read once from the command line.
 *
 * This is plain data: the one "global" the server has, passed by pointer to
 * the modules that need it and never changed after start-up.
 */
#ifndef CONCLAVE_CONFIG_H
#define CONCLAVE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONFIG_PATH_MAX 1024

struct config {
    char data_dir[CONFIG_PATH_MAX];   /* --data, default ./var */
    char listen_host[64];             /* --listen HOST:PORT, default 127.0.0.1:8080 */
    uint16_t listen_port;
    unsigned poll_duration;           /* --poll-duration SECONDS, default 604800 */
    int secure_cookies;               /* --secure-cookies */
    size_t body_limit;                /* bytes, default 64 KiB */
    unsigned threads;                 /* HTTP worker threads */
    unsigned connection_limit;        /* --max-connections: simultaneous connections */
    unsigned connection_timeout;      /* seconds of inactivity before a close */
    unsigned request_timeout;         /* --request-timeout: seconds to receive a request */
    unsigned header_timeout;          /* --header-timeout: seconds to receive its headers, 0 off */
    unsigned per_address_limit;       /* --max-connections-per-address, 0 off */
    char trusted_proxy[64];           /* --trusted-proxy ADDRESS, "" none */
    unsigned session_ttl;             /* --session-ttl: seconds a login session lives */
    unsigned login_limit;             /* --login-limit: logins a minute per address, 0 off */
    unsigned cast_limit;              /* --cast-limit: ballots a minute per member, 0 off */
    char static_dir[CONFIG_PATH_MAX]; /* --static DIR, default beside the binary */
    char templates_dir[CONFIG_PATH_MAX]; /* --templates DIR, default ./templates */
    /* Outgoing mail (mail.h): all "" when --smtp-url is not given (mail off). */
    char smtp_url[512];               /* --smtp-url smtp://HOST:PORT or smtps://... */
    char smtp_user[256];              /* --smtp-user NAME, "" none */
    char smtp_password_file[CONFIG_PATH_MAX]; /* --smtp-password-file FILE */
    char mail_from[256];              /* --mail-from ADDRESS */
    char public_url[512];             /* --public-url https://... (links in mails) */
    unsigned reminder_hours;          /* --reminder-hours: before a close, default 24, 0 off */
    /* --nominee-consent: how a nominee agrees to a poll (default: mail when
     * --smtp-url is given, else attest; mail without --smtp-url is refused). */
    enum { CONFIG_CONSENT_DEFAULT = 0, CONFIG_CONSENT_MAIL, CONFIG_CONSENT_ATTEST }
        nominee_consent;
    /* The webhook (webhook.h): both "" when --webhook-url is not given. */
    char webhook_url[2048];           /* --webhook-url https://... */
    char webhook_secret_file[CONFIG_PATH_MAX]; /* --webhook-secret-file FILE */
    /* OpenID Connect login (config_oidc.c, oidc.h): oidc_issuer "" = off. */
    char oidc_issuer[512];            /* --oidc-issuer https://... */
    char oidc_client_id[256];         /* --oidc-client-id ID */
    char oidc_secret_file[CONFIG_PATH_MAX]; /* --oidc-client-secret-file FILE */
    char oidc_name[128];              /* --oidc-name: the button's "Log in with NAME" */
    char oidc_group[256];             /* --oidc-group NAME, "" none */
    char oidc_groups_claim[64];       /* --oidc-groups-claim, default "groups" */
    int password_login;               /* --password-login on|off (default 1): 0, admins only */
    unsigned decrypt_remind_hours;    /* --decrypt-remind-hours: a poll waiting that long for
                                         its trustees is reported to the admins; 24, 0 off */
};

/* Fills cfg with the defaults. */
void config_defaults(struct config *cfg);

/*
 * Parses `serve` options (argv[0] is "serve") into cfg, on top of the
 * defaults. Returns 0 on success, 1 if --help was asked for, -1 on a usage
 * error with a one-line reason in err.
 */
int config_parse_serve(struct config *cfg, int argc, char **argv,
                       char *err, size_t errlen);

/* The OpenID Connect options (config_oidc.c): 0 when OPT was one and VAL
 * good, -1 when it was one and VAL bad, 1 when OPT is none of them. */
int config_parse_oidc(struct config *cfg, const char *opt, const char *val);

/* The OpenID Connect options that only make sense together (an issuer needs
 * a client, its secret and --public-url; https unless on loopback). 0, or
 * -1 with a one-line reason in ERR. */
int config_check_oidc(const struct config *cfg, char *err, size_t errlen);

/* 1 if URL's host is this machine (127.0.0.0/8, [::1], localhost). */
int config_url_loopback(const char *url);

/*
 * Parses "HOST:PORT" (IPv4 or bracketed IPv6 host) into host and port.
 * Returns 0 or -1.
 */
int config_parse_listen(const char *arg, char *host, size_t hostlen,
                        uint16_t *port);

/*
 * Looks for "--data DIR" in argv; copies DIR (or the default ./var) to out.
 * For the admin commands. Returns 0, or -1 if DIR is missing or too long.
 */
int config_find_data_dir(int argc, char **argv, char *out, size_t outlen);

#endif
