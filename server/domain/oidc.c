/*
 * oidc.c — the OpenID provider as Conclave knows it (oidc.h): its discovery
 * document and its keys, fetched over oidc_fetch.h and cached under one
 * mutex; the flow itself is oidc_login.c.
 *
 * The discovery document is trusted only for the provider's endpoints, and
 * only if its issuer is exactly the configured one (OpenID Connect Discovery
 * §4.3) and every endpoint is https (http on loopback for the tests). A
 * provider that cannot be reached keeps the last good document and keys
 * until it can be; without any, logins through it fail with a page that
 * says so. The lock is held across a fetch (at most OIDC_FETCH_TOTAL_S):
 * logins wait for one fetch instead of each starting their own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "jwks.h"
#include "log.h"
#include "oidc_fetch.h"
#include "oidc_internal.h"

#define OIDC_DISCOVERY_MAX (64 * 1024)

static int oidc_copy(char *dst, size_t cap, const char *s)
{
    if (s == NULL || strlen(s) >= cap)
        return -1;
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

int oidc_new(const struct oidc_options *opt, struct store *st, struct auth *auth,
             struct oidc **out)
{
    struct oidc *o = calloc(1, sizeof *o);

    *out = NULL;
    if (o == NULL)
        return -1;
    if (oidc_copy(o->issuer, sizeof o->issuer, opt->issuer) != 0 ||
        oidc_copy(o->client_id, sizeof o->client_id, opt->client_id) != 0 ||
        oidc_copy(o->secret, sizeof o->secret, opt->client_secret) != 0 ||
        oidc_copy(o->redirect_uri, sizeof o->redirect_uri, opt->redirect_uri) != 0 ||
        oidc_copy(o->group, sizeof o->group, opt->group != NULL ? opt->group : "") != 0 ||
        oidc_copy(o->groups_claim, sizeof o->groups_claim,
                  opt->groups_claim != NULL ? opt->groups_claim : "groups") != 0 ||
        pthread_mutex_init(&o->mu, NULL) != 0) {
        sodium_memzero(o->secret, sizeof o->secret);
        free(o);
        return -1;
    }
    o->st = st;
    o->auth = auth;
    *out = o;
    return 0;
}

void oidc_free(struct oidc *o)
{
    if (o == NULL)
        return;
    jwks_free(o->keys);
    pthread_mutex_destroy(&o->mu);
    sodium_memzero(o->secret, sizeof o->secret);
    free(o);
}

int oidc_encode(char *dst, size_t cap, size_t *len, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p;

    for (p = (const unsigned char *)s; *p != '\0'; p++) {
        int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';

        if (*len + (plain ? 1 : 3) >= cap)
            return -1;
        if (plain) {
            dst[(*len)++] = (char)*p;
        } else {
            dst[(*len)++] = '%';
            dst[(*len)++] = hex[*p >> 4];
            dst[(*len)++] = hex[*p & 15];
        }
    }
    dst[*len] = '\0';
    return 0;
}

/* DOC[KEY] as an endpoint URL into DST: https (or loopback http). 0 / -1. */
static int discovery_endpoint(json_t *doc, const char *key, char *dst)
{
    const char *s = json_string_value(json_object_get(doc, key));

    return s != NULL && oidc_fetch_url_ok(s) && oidc_copy(dst, OIDC_ENDPOINT_MAX, s) == 0 ? 0
                                                                                         : -1;
}

/* 1 if DOC[KEY] is an array holding the string WANT. */
static int discovery_has(json_t *doc, const char *key, const char *want)
{
    json_t *arr = json_object_get(doc, key), *v;
    size_t i;

    json_array_foreach(arr, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), want) == 0)
            return 1;
    return 0;
}

/* Reads the discovery document BODY into O (the lock held). 0, or -1 with REASON. */
static int discovery_read(struct oidc *o, const char *body, size_t len, char *reason,
                          size_t reasonlen)
{
    json_error_t jerr;
    json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr), *methods;
    const char *iss = json_string_value(json_object_get(doc, "issuer"));
    int rc = -1;

    if (!json_is_object(doc)) {
        snprintf(reason, reasonlen, "the discovery document is not a JSON object");
    } else if (iss == NULL || strcmp(iss, o->issuer) != 0) {
        snprintf(reason, reasonlen, "the discovery document names another issuer");
    } else if (discovery_endpoint(doc, "authorization_endpoint", o->authorization_endpoint) ||
               discovery_endpoint(doc, "token_endpoint", o->token_endpoint) ||
               discovery_endpoint(doc, "jwks_uri", o->jwks_uri)) {
        snprintf(reason, reasonlen, "the discovery document lacks an https endpoint");
    } else {
        /* absent, the methods default to client_secret_basic (Discovery §3) */
        methods = json_object_get(doc, "token_endpoint_auth_methods_supported");
        o->auth_post = methods != NULL &&
            !discovery_has(doc, "token_endpoint_auth_methods_supported", "client_secret_basic") &&
            discovery_has(doc, "token_endpoint_auth_methods_supported", "client_secret_post");
        o->groups_scope = o->group[0] != '\0' && discovery_has(doc, "scopes_supported", "groups");
        rc = 0;
    }
    json_decref(doc);
    return rc;
}

/* Fetches URL (a GET) with CAP: 0 and *r on a 200, else -1 with REASON. */
static int oidc_get(const char *url, size_t cap, const char *what, struct oidc_reply *r,
                    char *reason, size_t reasonlen)
{
    struct oidc_request rq = {url, NULL, NULL, NULL, cap};
    char err[256];               /* CURL_ERROR_SIZE */

    if (oidc_fetch(&rq, r, err, sizeof err) != 0) {
        snprintf(reason, reasonlen, "%s: %s", what, err);
        return -1;
    }
    if (r->status != 200) {
        snprintf(reason, reasonlen, "%s: HTTP status %ld", what, r->status);
        oidc_reply_free(r);
        return -1;
    }
    return 0;
}

/* Fetches the discovery document when missing or older than OIDC_CACHE_S
 * (the lock held). 0 (a stale one kept if the fetch fails), or -1 with REASON. */
static int oidc_discover(struct oidc *o, int64_t now, char *reason, size_t reasonlen)
{
    char url[sizeof o->issuer + 40];
    size_t n = strlen(o->issuer);
    struct oidc_reply r;
    int rc;

    if (o->discovered_at != 0 && now - o->discovered_at < OIDC_CACHE_S)
        return 0;
    snprintf(url, sizeof url, "%.*s/.well-known/openid-configuration",
             (int)(n > 0 && o->issuer[n - 1] == '/' ? n - 1 : n), o->issuer);
    rc = oidc_get(url, OIDC_DISCOVERY_MAX, "discovery", &r, reason, reasonlen);
    if (rc == 0) {
        rc = discovery_read(o, r.body, r.len, reason, reasonlen);
        oidc_reply_free(&r);
    }
    if (rc == 0)
        o->discovered_at = now;
    else if (o->discovered_at != 0)
        log_warn("oidc: %s; keeping the provider's last discovery document", reason);
    return rc == 0 || o->discovered_at != 0 ? 0 : -1;
}

int oidc_endpoints(struct oidc *o, int64_t now, struct oidc_endpoints *e,
                   char *reason, size_t reasonlen)
{
    int rc;

    pthread_mutex_lock(&o->mu);
    rc = oidc_discover(o, now, reason, reasonlen);
    if (rc == 0) {
        memcpy(e->authorization, o->authorization_endpoint, sizeof e->authorization);
        memcpy(e->token, o->token_endpoint, sizeof e->token);
        e->auth_post = o->auth_post;
        e->groups_scope = o->groups_scope;
    }
    pthread_mutex_unlock(&o->mu);
    return rc;
}

/* Fetches the provider's keys (the lock held, discovery done). 0 / -1. */
static int oidc_fetch_keys(struct oidc *o, int64_t now)
{
    struct oidc_reply r;
    struct jwks *k = NULL;
    char reason[OIDC_REASON_MAX];

    o->keys_at = now;           /* a failure counts too: no refetch storm */
    if (oidc_get(o->jwks_uri, JWKS_MAX_BYTES, "keys (JWKS)", &r, reason, sizeof reason) != 0) {
        log_warn("oidc: %s", reason);
        return -1;
    }
    if (jwks_parse(r.body, r.len, &k) != 0) {
        log_warn("oidc: the provider's keys (JWKS) hold no usable key");
        oidc_reply_free(&r);
        return -1;
    }
    oidc_reply_free(&r);
    jwks_free(o->keys);
    o->keys = k;
    return 0;
}

enum jwt_result oidc_verify(struct oidc *o, const char *id_token, size_t len,
                            const struct jwt_expect *want, struct jwt_claims **out,
                            int *keys_missing)
{
    enum jwt_result r = JWT_UNKNOWN_KID;
    char reason[OIDC_REASON_MAX];

    *out = NULL;
    *keys_missing = 0;
    pthread_mutex_lock(&o->mu);
    if (oidc_discover(o, want->now, reason, sizeof reason) == 0 &&
        (o->keys == NULL || want->now - o->keys_at >= OIDC_CACHE_S))
        (void)oidc_fetch_keys(o, want->now);
    if (o->keys != NULL)
        r = jwt_verify_id_token(id_token, len, o->keys, want, out);
    /* an unknown key id: the provider may have rotated its keys */
    if (r == JWT_UNKNOWN_KID && want->now - o->keys_at >= OIDC_JWKS_REFETCH_S &&
        o->discovered_at != 0 && oidc_fetch_keys(o, want->now) == 0)
        r = jwt_verify_id_token(id_token, len, o->keys, want, out);
    *keys_missing = o->keys == NULL;
    pthread_mutex_unlock(&o->mu);
    return r;
}
