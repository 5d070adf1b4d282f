/*
 * app.h — the state a running server hands to its handlers.
 *
 * One struct app per process, built by `conclave serve` and torn down on
 * exit. Handlers reach it through http_request_app().
 */
#ifndef CONCLAVE_APP_H
#define CONCLAVE_APP_H

struct config;
struct store;
struct auth;
struct sign_key;
struct ballotbox;
struct ratelimit;
struct flash;
struct mail;
struct mailer;
struct webhook;
struct oidc;

struct app {
    const struct config *cfg;
    struct store *store;
    struct auth *auth;
    struct sign_key *key;           /* the server's Ed25519 key (receipts, results) */
    struct ballotbox *box;          /* the cast path */
    /* Rate limits per minute (ratelimit.h; NULL = none): --cast-limit
     * ballots per member, --login-limit login attempts per client address. */
    struct ratelimit *cast_limit;
    struct ratelimit *login_limit;
    /* One-shot messages from a form's POST to the GET after its redirect
     * (flash.h; NULL = none are kept). */
    struct flash *flash;
    /* Outgoing mail (mail.h, mailer.h): both NULL without --smtp-url. */
    struct mail *mail;
    struct mailer *mailer;
    /* The webhook's delivery thread (webhook.h): NULL without --webhook-url. */
    struct webhook *webhook;
    /* Login through the OpenID provider (oidc.h): NULL without --oidc-issuer. */
    struct oidc *oidc;
};

#endif
