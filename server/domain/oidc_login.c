/*
 * oidc_login.c — the Authorization Code flow with PKCE (oidc.h): the
 * redirect to the provider, and the callback that ends in a session.
 *
 * What binds a callback to the browser that started the login: the state,
 * nonce and code_verifier live only in that browser's cookie (and the state
 * in the provider's redirect); the server keeps the state's SHA-256 alone,
 * taken at the first callback that shows it. So a callback from another
 * browser (login CSRF: an attacker's code in the victim's browser) fails the
 * state check, a replayed one finds its state used, and a code stolen on
 * its way back is useless without the code_verifier (PKCE, RFC 7636). The
 * nonce ties the ID token to this login (a token replayed from another
 * fails). Refusals carry a reason for the log that holds no token, code,
 * state or address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "oidc_fetch.h"
#include "oidc_internal.h"

#define OIDC_RANDOM_LEN 43          /* base64url of 32 random bytes */
#define OIDC_TOKEN_ANSWER_MAX (64 * 1024)
#define OIDC_CODE_MAX 2048
#define OIDC_FORM_MAX 8192

/* The three secrets of a login, as base64url of 32 random bytes. */
struct oidc_secrets {
    char state[OIDC_RANDOM_LEN + 1];
    char nonce[OIDC_RANDOM_LEN + 1];
    char verifier[OIDC_RANDOM_LEN + 1];
};

static void oidc_random(char out[OIDC_RANDOM_LEN + 1])
{
    unsigned char b[32];

    randombytes_buf(b, sizeof b);
    sodium_bin2base64(out, OIDC_RANDOM_LEN + 1, b, sizeof b,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(b, sizeof b);
}

/* base64url(SHA-256(TEXT)) (PKCE's S256) into OUT, and the raw hash. */
static void oidc_sha256(const char *text, unsigned char hash[32], char out[OIDC_RANDOM_LEN + 1])
{
    crypto_hash_sha256(hash, (const unsigned char *)text, strlen(text));
    if (out != NULL)
        sodium_bin2base64(out, OIDC_RANDOM_LEN + 1, hash, 32,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* The authorization URL for the login of S into URL (OIDC_URL_MAX). 0 / -1. */
static int oidc_auth_url(const struct oidc *o, const struct oidc_endpoints *e,
                         const struct oidc_secrets *s, char *url)
{
    char challenge[OIDC_RANDOM_LEN + 1];
    unsigned char hash[32];
    size_t len;
    int n;

    oidc_sha256(s->verifier, hash, challenge);
    n = snprintf(url, OIDC_URL_MAX, "%s%sresponse_type=code&scope=openid%%20email%%20profile%s"
                 "&code_challenge=%s&code_challenge_method=S256&state=%s&nonce=%s&client_id=",
                 e->authorization, strchr(e->authorization, '?') != NULL ? "&" : "?",
                 e->groups_scope ? "%20groups" : "", challenge, s->state, s->nonce);
    if (n < 0 || n >= OIDC_URL_MAX)
        return -1;
    len = (size_t)n;
    if (oidc_encode(url, OIDC_URL_MAX, &len, o->client_id) != 0 ||
        len + 14 >= OIDC_URL_MAX)
        return -1;
    memcpy(url + len, "&redirect_uri=", 15);
    len += 14;
    return oidc_encode(url, OIDC_URL_MAX, &len, o->redirect_uri);
}

enum cv_err oidc_begin(struct oidc *o, const char *next, char *url_out,
                       char cookie_out[OIDC_COOKIE_LEN + 1], char *reason, size_t reasonlen)
{
    struct oidc_endpoints e;
    struct oidc_secrets s;
    unsigned char hash[32];
    int64_t now = auth_time(o->auth);
    enum cv_err r = CV_ERROR;

    url_out[0] = cookie_out[0] = reason[0] = '\0';
    if (oidc_endpoints(o, now, &e, reason, reasonlen) != 0)
        return CV_PROVIDER_DOWN;
    oidc_random(s.state);
    oidc_random(s.nonce);
    oidc_random(s.verifier);
    oidc_sha256(s.state, hash, NULL);
    if (oidc_auth_url(o, &e, &s, url_out) != 0) {
        snprintf(reason, reasonlen, "the authorization URL is too long");
    } else if (store_oidc_state_put(o->st, hash, next, now + OIDC_LOGIN_TTL, now) != CV_OK) {
        snprintf(reason, reasonlen, "cannot store the login's state");
    } else {
        snprintf(cookie_out, OIDC_COOKIE_LEN + 1, "%s.%s.%s", s.state, s.nonce, s.verifier);
        r = CV_OK;
    }
    if (r != CV_OK)
        url_out[0] = '\0';
    sodium_memzero(&s, sizeof s);
    return r;
}

/* Splits COOKIE (state.nonce.verifier) into *S. 0, or -1 if malformed. */
static int oidc_cookie_read(const char *cookie, struct oidc_secrets *s)
{
    static const char b64u[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                               "0123456789-_";

    if (cookie == NULL || strlen(cookie) != OIDC_COOKIE_LEN ||
        cookie[OIDC_RANDOM_LEN] != '.' || cookie[2 * OIDC_RANDOM_LEN + 1] != '.')
        return -1;
    memcpy(s->state, cookie, OIDC_RANDOM_LEN);
    memcpy(s->nonce, cookie + OIDC_RANDOM_LEN + 1, OIDC_RANDOM_LEN);
    memcpy(s->verifier, cookie + 2 * OIDC_RANDOM_LEN + 2, OIDC_RANDOM_LEN);
    s->state[OIDC_RANDOM_LEN] = s->nonce[OIDC_RANDOM_LEN] = s->verifier[OIDC_RANDOM_LEN] = '\0';
    return strspn(s->state, b64u) == OIDC_RANDOM_LEN && strspn(s->nonce, b64u) ==
           OIDC_RANDOM_LEN && strspn(s->verifier, b64u) == OIDC_RANDOM_LEN ? 0 : -1;
}

/* The state checks: the cookie's, equal to the redirect's, and unused
 * (taken now). CV_OK with *S and NEXT_OUT, or CV_BAD_STATE with REASON. */
static enum cv_err oidc_state_check(struct oidc *o, const struct oidc_callback *cb,
                                    struct oidc_secrets *s, char *next_out,
                                    char *reason, size_t reasonlen)
{
    unsigned char hash[32];
    int rc;

    if (oidc_cookie_read(cb->cookie, s) != 0) {
        snprintf(reason, reasonlen, "no login cookie (blocked, or the login took too long)");
        return CV_BAD_STATE;
    }
    if (cb->state == NULL || strlen(cb->state) != OIDC_RANDOM_LEN ||
        sodium_memcmp(cb->state, s->state, OIDC_RANDOM_LEN) != 0) {
        snprintf(reason, reasonlen, "the state is not this browser's");
        return CV_BAD_STATE;
    }
    oidc_sha256(s->state, hash, NULL);
    rc = store_oidc_state_take(o->st, hash, auth_time(o->auth), next_out);
    if (rc == CV_NOT_FOUND)
        snprintf(reason, reasonlen, "the state was used already or expired");
    else if (rc != CV_OK)
        snprintf(reason, reasonlen, "cannot read the login's state");
    return rc == CV_OK ? CV_OK : rc == CV_NOT_FOUND ? CV_BAD_STATE : CV_ERROR;
}

/* The token request's form for CODE into FORM (OIDC_FORM_MAX). 0 / -1. */
static int oidc_token_form(const struct oidc *o, const struct oidc_endpoints *e,
                           const char *code, const char *verifier, char *form)
{
    size_t len = 0;
    int ok;

#define ADD(lit) (len + sizeof lit <= OIDC_FORM_MAX ? \
                  (memcpy(form + len, lit, sizeof lit), len += sizeof lit - 1, 1) : 0)
    ok = ADD("grant_type=authorization_code&code=") &&
         oidc_encode(form, OIDC_FORM_MAX, &len, code) == 0 && ADD("&redirect_uri=") &&
         oidc_encode(form, OIDC_FORM_MAX, &len, o->redirect_uri) == 0 &&
         ADD("&code_verifier=") && oidc_encode(form, OIDC_FORM_MAX, &len, verifier) == 0;
    if (ok && e->auth_post)
        ok = ADD("&client_id=") && oidc_encode(form, OIDC_FORM_MAX, &len, o->client_id) == 0 &&
             ADD("&client_secret=") && oidc_encode(form, OIDC_FORM_MAX, &len, o->secret) == 0;
#undef ADD
    return ok ? 0 : -1;
}

/* Reads the token endpoint's answer R: CV_OK with *ID_TOKEN (malloc'd),
 * else CV_PROVIDER_ERROR with REASON (the provider's error code at most). */
static enum cv_err oidc_token_read(const struct oidc_reply *r, char **id_token,
                                   char *reason, size_t reasonlen)
{
    json_error_t jerr;
    json_t *doc = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &jerr);
    const char *tok = json_string_value(json_object_get(doc, "id_token"));
    const char *err = json_string_value(json_object_get(doc, "error"));
    enum cv_err rc = CV_PROVIDER_ERROR;

    if (r->status != 200)
        snprintf(reason, reasonlen, "the token endpoint answered %ld %.40s", r->status,
                 err != NULL && strspn(err, "abcdefghijklmnopqrstuvwxyz_") == strlen(err)
                 ? err : "");
    else if (tok == NULL || tok[0] == '\0' || strlen(tok) > JWT_MAX_BYTES)
        snprintf(reason, reasonlen, "the token endpoint gave no ID token");
    else if ((*id_token = strdup(tok)) != NULL)
        rc = CV_OK;
    else
        rc = CV_ERROR;
    json_decref(doc);
    return rc;
}

/* Exchanges CODE for the ID token (*ID_TOKEN, malloc'd; the caller wipes
 * and frees it). CV_OK, CV_PROVIDER_DOWN, CV_PROVIDER_ERROR (REASON). */
static enum cv_err oidc_exchange(struct oidc *o, const char *code, const char *verifier,
                                 char **id_token, char *reason, size_t reasonlen)
{
    struct oidc_endpoints e;
    struct oidc_request rq = {NULL, NULL, NULL, NULL, OIDC_TOKEN_ANSWER_MAX};
    struct oidc_reply r;
    char *form = malloc(OIDC_FORM_MAX), user[800], pass[1600], err[256];
    size_t ul = 0, pl = 0;
    enum cv_err rc = CV_PROVIDER_DOWN;

    *id_token = NULL;
    if (form == NULL)
        return CV_ERROR;
    if (oidc_endpoints(o, auth_time(o->auth), &e, reason, reasonlen) != 0)
        goto out;
    rc = CV_ERROR;
    if (oidc_token_form(o, &e, code, verifier, form) != 0 ||
        oidc_encode(user, sizeof user, &ul, o->client_id) != 0 ||
        oidc_encode(pass, sizeof pass, &pl, o->secret) != 0)
        goto out;
    rq.url = e.token;
    rq.form = form;
    rq.user = e.auth_post ? NULL : user;    /* RFC 6749 §2.3.1: form-encoded, then Basic */
    rq.password = e.auth_post ? NULL : pass;
    rc = CV_PROVIDER_DOWN;
    if (oidc_fetch(&rq, &r, err, sizeof err) != 0) {
        snprintf(reason, reasonlen, "the token endpoint: %s", err);
        goto out;
    }
    rc = oidc_token_read(&r, id_token, reason, reasonlen);
    oidc_reply_free(&r);
out:
    sodium_memzero(form, OIDC_FORM_MAX);
    sodium_memzero(pass, sizeof pass);
    free(form);
    return rc;
}

/* Verifies ID_TOKEN for the login of S and logs its member in. */
static enum cv_err oidc_admit(struct oidc *o, const char *id_token, const struct oidc_secrets *s,
                              struct auth_session *out, char *reason, size_t reasonlen,
                              const char **why)
{
    struct jwt_expect want = {o->issuer, o->client_id, s->nonce, auth_time(o->auth), OIDC_SKEW,
                              o->group[0] != '\0' ? o->groups_claim : NULL};
    struct jwt_claims *c = NULL;
    struct auth_oidc_identity id;
    int keys_missing;
    enum jwt_result jr = oidc_verify(o, id_token, strlen(id_token), &want, &c, &keys_missing);
    enum cv_err rc;

    if (jr != JWT_OK) {
        snprintf(reason, reasonlen, keys_missing ? "the provider's keys cannot be had"
                 : "the ID token: %s", jwt_result_name(jr));
        return keys_missing ? CV_PROVIDER_DOWN : CV_BAD_ID_TOKEN;
    }
    memset(&id, 0, sizeof id);
    id.issuer = o->issuer;
    id.subject = jwt_claims_sub(c);
    id.email = jwt_claims_email(c);
    id.email_verified = jwt_claims_email_verified(c);
    id.username = jwt_claims_username(c);
    id.name = jwt_claims_name(c);
    id.in_group = o->group[0] == '\0' || jwt_claims_in_group(c, o->group);
    id.roster_from_group = o->group[0] != '\0';
    rc = auth_oidc_login(o->auth, &id, out, why);
    if (rc != CV_OK)
        snprintf(reason, reasonlen, "%s", cv_err_name(rc));
    jwt_claims_free(c);
    return rc;
}

enum cv_err oidc_finish(struct oidc *o, const struct oidc_callback *cb,
                        struct auth_session *out, char *next_out,
                        char *reason, size_t reasonlen, const char **why)
{
    struct oidc_secrets s;
    char *id_token = NULL;
    enum cv_err rc;

    reason[0] = '\0';
    if (why != NULL)
        *why = NULL;
    rc = oidc_state_check(o, cb, &s, next_out, reason, reasonlen);
    if (rc == CV_OK && cb->error != NULL) {
        rc = strcmp(cb->error, "access_denied") == 0 ? CV_LOGIN_DECLINED : CV_PROVIDER_ERROR;
        snprintf(reason, reasonlen, "the provider answered %.40s",
                 strspn(cb->error, "abcdefghijklmnopqrstuvwxyz_") == strlen(cb->error)
                 ? cb->error : "an error");
    } else if (rc == CV_OK && cb->iss != NULL && strcmp(cb->iss, o->issuer) != 0) {
        rc = CV_PROVIDER_ERROR;         /* RFC 9207: another provider's answer (mix-up) */
        snprintf(reason, reasonlen, "the redirect names another issuer");
    } else if (rc == CV_OK && (cb->code == NULL || cb->code[0] == '\0' ||
                               strlen(cb->code) > OIDC_CODE_MAX)) {
        rc = CV_PROVIDER_ERROR;
        snprintf(reason, reasonlen, "the redirect carries no code");
    }
    if (rc == CV_OK)
        rc = oidc_exchange(o, cb->code, s.verifier, &id_token, reason, reasonlen);
    if (rc == CV_OK)
        rc = oidc_admit(o, id_token, &s, out, reason, reasonlen, why);
    if (id_token != NULL) {
        sodium_memzero(id_token, strlen(id_token));
        free(id_token);
    }
    sodium_memzero(&s, sizeof s);
    return rc;
}
