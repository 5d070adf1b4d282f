/*
 * web_form.h — strict parsing of application/x-www-form-urlencoded bodies,
 * the only kind of body the HTML pages accept.
 *
 * Strict: every field is NAME=VALUE; names are 1–WEB_FORM_NAME_MAX bytes of
 * [a-z0-9_] (never escaped); values decode '+' to a space and %XX (either
 * case) to a byte, and must decode to well-formed UTF-8 without NUL or other
 * control characters except tab, CR and LF. Empty fields ("a=1&&b=2", a
 * trailing '&'), a bad escape, a duplicate name or more than
 * WEB_FORM_MAX_FIELDS fields reject the whole body. The empty body is a form
 * with no fields.
 */
#ifndef CONCLAVE_WEB_FORM_H
#define CONCLAVE_WEB_FORM_H

#include <stddef.h>

#define WEB_FORM_MAX_FIELDS 16
#define WEB_FORM_NAME_MAX   32
#define WEB_FORM_BODY_MAX   (64 * 1024)

struct web_form {
    size_t n;
    const char *names[WEB_FORM_MAX_FIELDS];
    const char *values[WEB_FORM_MAX_FIELDS];
    char *buf;                  /* decoded names and values, NUL-separated */
    size_t buf_len;
};

/*
 * Parses BODY (LEN bytes, at most WEB_FORM_BODY_MAX) into *form. Returns 0,
 * or -1 (malformed, or out of memory) with *form empty. On success the
 * caller must call web_form_clear.
 */
int web_form_parse(const char *body, size_t len, struct web_form *form);

/* The decoded value of field NAME, or NULL when absent. Owned by form. */
const char *web_form_get(const struct web_form *form, const char *name);

/* Wipes (the values may hold a password) and frees the form's memory. */
void web_form_clear(struct web_form *form);

#endif
