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
