/*
 * web_flash.c — POST-redirect-GET for the pages' forms: what a post has to
 * tell the page it redirects to, kept in memory for one GET (flash.h).
 *
 * The key of a viewer's flash is SHA-256 of a fixed label and the owner's
 * secret (their session cookie, or before a login the login form's token),
 * so the table holds no session id, and only that browser finds its
 * message. The message may hold a secret shown once: every copy of it on
 * the stack is zeroed after use.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "cookie.h"
#include "flash.h"
#include "http_request.h"
#include "web.h"

/* The flash key of OWNER's message TAG ("" for its web_flash) into KEY
 * (FLASH_KEY_LEN + 1 bytes). */
static int web_flash_key(const char *owner, const char *tag, char key[FLASH_KEY_LEN + 1])
{
    static const char label[] = "conclave flash v1";
    crypto_hash_sha256_state st;
    unsigned char h[32];

    if (owner == NULL || owner[0] == '\0')
        return -1;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)label, sizeof label);
    crypto_hash_sha256_update(&st, (const unsigned char *)owner, strlen(owner));
    if (tag[0] != '\0') {
        crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
        crypto_hash_sha256_update(&st, (const unsigned char *)tag, strlen(tag));
    }
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(key, FLASH_KEY_LEN + 1, h, sizeof h);
    sodium_memzero(h, sizeof h);
    return 0;
}

const char *web_flash_session(struct http_request *req)
{
    return cookie_session(req);
}

int web_flash_put(struct http_request *req, const char *owner, struct web_flash *f)
{
    char key[FLASH_KEY_LEN + 1];
    int rc = -1;

    if (web_flash_key(owner, "", key) == 0)
        rc = flash_put(http_request_app(req)->flash, key, f, sizeof *f);
    sodium_memzero(f, sizeof *f);
    return rc;
}

int web_flash_take(struct http_request *req, const char *owner, struct web_flash *f)
{
    char key[FLASH_KEY_LEN + 1];
    long n = 0;

    memset(f, 0, sizeof *f);
    if (web_flash_key(owner, "", key) == 0)
        n = flash_take(http_request_app(req)->flash, key, f, sizeof *f);
    if (n == (long)sizeof *f) {
        /* a message is always a whole struct; make every text a C string */
        f->notice[sizeof f->notice - 1] = f->error[sizeof f->error - 1] = '\0';
        f->secret[sizeof f->secret - 1] = f->secret_kind[sizeof f->secret_kind - 1] = '\0';
        f->secret_for[sizeof f->secret_for - 1] = f->form[sizeof f->form - 1] = '\0';
        for (size_t i = 0; i < 4; i++)
            f->field[i][sizeof f->field[i] - 1] = '\0';
        return 1;
    }
    sodium_memzero(f, sizeof *f);
    return 0;
}

int web_flash_put_text(struct http_request *req, const char *owner, const char *tag,
                       const char *text)
{
    char key[FLASH_KEY_LEN + 1];

    assert(tag[0] != '\0');
    if (web_flash_key(owner, tag, key) != 0)
        return -1;
    return flash_put(http_request_app(req)->flash, key, text, strlen(text) + 1);
}

char *web_flash_take_text(struct http_request *req, const char *owner, const char *tag)
{
    char key[FLASH_KEY_LEN + 1];
    char *text;
    long n;

    assert(tag[0] != '\0');
    if (web_flash_key(owner, tag, key) != 0 || (text = malloc(FLASH_DATA_MAX)) == NULL)
        return NULL;
    n = flash_take(http_request_app(req)->flash, key, text, FLASH_DATA_MAX);
    if (n <= 0) {
        free(text);
        return NULL;
    }
    text[n - 1] = '\0';
    return text;
}

void web_flash_show(struct tmpl_value *d, const struct web_flash *f)
{
    if (f->notice[0] != '\0')
        tmpl_put_str(d, "notice", f->notice);
    if (f->error[0] != '\0')
        tmpl_put_str(d, "error", f->error);
}

void web_member_name(char *out, size_t cap, const char *username, const char *display_name)
{
    if (display_name == NULL || display_name[0] == '\0' ||
        strcmp(display_name, username) == 0)
        snprintf(out, cap, "%s", username);
    else
        snprintf(out, cap, "%s (%s)", display_name, username);
}
