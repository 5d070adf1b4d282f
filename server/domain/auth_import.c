/*
 * auth_import.c — importing the roster from a team's member list in CSV.
 *
 * The parser follows RFC 4180: fields separated by commas, records by CRLF
 * or LF, fields optionally in double quotes (which may then hold commas,
 * newlines and "" for a quote). Unquoted fields are trimmed of surrounding
 * blanks. A record has 1 to 3 fields: username, display name, email. A first
 * record whose first field is "username" is a header and is skipped; blank
 * lines are skipped. The whole file is one transaction: the first bad record
 * (malformed CSV, an invalid field, a username repeated in the file) rolls
 * everything back and is reported with the line it starts on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth_internal.h"
#include "mail.h"

#define CSV_FIELDS      3
#define CSV_FIELD_MAX   1024

struct csv {
    const char *p;
    const char *end;
    int line;                   /* line of *p, 1-based */
};

struct csv_record {
    char field[CSV_FIELDS][CSV_FIELD_MAX + 1];
    int n;                      /* fields seen (may exceed CSV_FIELDS) */
    int line;                   /* line the record starts on */
};

/* Appends C to field I of R unless it is full or beyond the third. */
static int csv_put(struct csv_record *r, size_t *len, char c)
{
    if (r->n > CSV_FIELDS)
        return 0;
    if (*len >= CSV_FIELD_MAX)
        return -1;
    r->field[r->n - 1][(*len)++] = c;
    r->field[r->n - 1][*len] = '\0';
    return 0;
}

/* Reads a quoted field's body (after the opening quote) up to its closing
 * quote, which is consumed. */
static const char *csv_quoted(struct csv *c, struct csv_record *r, size_t *len)
{
    for (;;) {
        if (c->p == c->end)
            return "unterminated quoted field";
        if (*c->p == '"') {
            c->p++;
            if (c->p == c->end || *c->p != '"')
                return NULL;
        } else if (*c->p == '\n') {
            c->line++;
        } else if (*c->p == '\0') {
            return "contains a NUL byte";
        }
        if (csv_put(r, len, *c->p++) != 0)
            return "field is longer than 1024 bytes";
    }
}

/* Removes blanks around field I (unquoted fields only). */
static void csv_trim(char *f, size_t *len)
{
    size_t start = 0;

    while (*len > 0 && (f[*len - 1] == ' ' || f[*len - 1] == '\t'))
        f[--*len] = '\0';
    while (f[start] == ' ' || f[start] == '\t')
        start++;
    if (start > 0) {
        memmove(f, f + start, *len - start + 1);
        *len -= start;
    }
}

/* Reads one field at c->p; stops at the comma or end of record, unconsumed. */
static const char *csv_field(struct csv *c, struct csv_record *r)
{
    size_t len = 0;
    const char *why;

    r->n++;
    if (r->n <= CSV_FIELDS)
        r->field[r->n - 1][0] = '\0';
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
        c->p++;
    if (c->p < c->end && *c->p == '"') {
        c->p++;
        if ((why = csv_quoted(c, r, &len)) != NULL)
            return why;
        while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
            c->p++;
        if (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n')
            return "text after a closing quote";
        return NULL;
    }
    while (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n') {
        if (*c->p == '"')
            return "quote inside an unquoted field";
        if (*c->p == '\0')
            return "contains a NUL byte";
        if (csv_put(r, &len, *c->p++) != 0)
            return "field is longer than 1024 bytes";
    }
    if (r->n <= CSV_FIELDS)
        csv_trim(r->field[r->n - 1], &len);
    return NULL;
}

/* Consumes a record terminator (CRLF, LF, or end of input). */
static const char *csv_eol(struct csv *c)
{
    if (c->p < c->end && *c->p == '\r')
        c->p++;
    if (c->p == c->end)
        return NULL;
    if (*c->p != '\n')
        return "carriage return inside an unquoted field";
    c->p++;
    c->line++;
    return NULL;
}

/* Reads the next record into *r: 1, 0 at end of input, -1 with *why. */
static int csv_next(struct csv *c, struct csv_record *r, const char **why)
{
    r->n = 0;
    r->line = c->line;
    if (c->p == c->end)
        return 0;
    for (;;) {
        if ((*why = csv_field(c, r)) != NULL)
            return -1;
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if ((*why = csv_eol(c)) != NULL)
            return -1;
        return 1;
    }
}

/* 1 if the record is a blank line. */
static int csv_blank(const struct csv_record *r)
{
    return r->n == 1 && r->field[0][0] == '\0';
}

struct import_seen {
    char (*names)[AUTH_USERNAME_MAX + 1];
    int *lines;
    size_t n, cap;
};

/* Remembers USERNAME at LINE; returns the earlier line if it was seen
 * before (case-insensitively), 0 if new, -1 when out of memory. */
static int import_seen_add(struct import_seen *s, const char *username, int line)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (strcasecmp(s->names[i], username) == 0)
            return s->lines[i];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        char (*names)[AUTH_USERNAME_MAX + 1] = realloc(s->names, cap * sizeof *names);
        int *lines;
        if (names == NULL)
            return -1;
        s->names = names;
        if ((lines = realloc(s->lines, cap * sizeof *lines)) == NULL)
            return -1;
        s->lines = lines;
        s->cap = cap;
    }
    memcpy(s->names[s->n], username, strlen(username) + 1);
    s->lines[s->n++] = line;
    return 0;
}

/* With mail on: invites USER, just created with an address, in the
 * import's transaction (auth_mail.c). 0 / -1. */
static int import_invite(struct auth *a, const char *user)
{
    struct store_member m;
    int rc = store_member_get(a->st, user, &m) == CV_OK &&
        auth_mail_link(a, &m, MAIL_INVITATION, AUTH_LINK_TTL, auth_now(a)) == CV_OK
        ? 0 : -1;

    sodium_memzero(&m, sizeof m);
    return rc;
}

/* Validates and stores one record; *why on a bad record, -1 with *why NULL
 * on a store error. */
static int import_row(struct auth *a, struct import_seen *seen, struct csv_record *r,
                      struct auth_import_stats *stats, const char **why)
{
    const char *user = r->field[0];
    const char *dn = r->n >= 2 && r->field[1][0] != '\0' ? r->field[1] : user;
    const char *email = r->n >= 3 ? r->field[2] : "";
    int created, prev;

    *why = NULL;
    if (r->n > CSV_FIELDS)
        *why = "expected at most 3 columns: username, display name, email";
    else if ((*why = auth_check_username(user)) == NULL &&
             (*why = auth_check_display_name(dn)) == NULL)
        *why = auth_check_email(email);
    if (*why != NULL)
        return -1;
    if ((prev = import_seen_add(seen, user, r->line)) != 0) {
        *why = prev > 0 ? "username appears twice in the file" : "out of memory";
        return -1;
    }
    if (store_member_upsert(a->st, user, dn, email, auth_now(a), &created) != CV_OK)
        return -1;
    if (created && email[0] != '\0' && auth_mail_on(a) && import_invite(a, user) != 0)
        return -1;
    if (created)
        stats->created++;
    else
        stats->updated++;
    return 0;
}

/* Walks every record of C inside the caller's transaction. */
static enum cv_err import_all(struct auth *a, struct csv *c, struct csv_record *r,
                              struct auth_import_stats *stats, char *err, size_t err_len)
{
    struct import_seen seen = { NULL, NULL, 0, 0 };
    enum cv_err res = CV_OK;
    const char *why = NULL;
    int first = 1, got;

    while ((got = csv_next(c, r, &why)) == 1) {
        if (csv_blank(r))
            continue;
        if (first && strcasecmp(r->field[0], "username") == 0) {
            first = 0;
            continue;
        }
        first = 0;
        if (import_row(a, &seen, r, stats, &why) != 0) {
            got = -1;
            break;
        }
    }
    if (got == -1) {
        res = why != NULL ? CV_INVALID : CV_ERROR;
        snprintf(err, err_len, "line %d: %s", r->line, why != NULL ? why : "database error");
    }
    free(seen.names);
    free(seen.lines);
    return res;
}

enum cv_err auth_import_csv(struct auth *a, const char *csv, size_t len,
                            const char *actor, struct auth_import_stats *stats,
                            char *err, size_t err_len)
{
    char detail[64];
    struct csv c = { csv, csv + len, 1 };
    struct csv_record *r;
    enum cv_err res;

    memset(stats, 0, sizeof *stats);
    if (err_len > 0)
        err[0] = '\0';
    if (len >= 3 && memcmp(csv, "\xEF\xBB\xBF", 3) == 0)
        c.p += 3;                       /* a spreadsheet's byte-order mark */
    if ((r = malloc(sizeof *r)) == NULL) {
        snprintf(err, err_len, "out of memory");
        return CV_ERROR;
    }
    if (store_begin(a->st) != 0) {
        snprintf(err, err_len, "cannot start a transaction (database busy?)");
        free(r);
        return CV_ERROR;
    }
    res = import_all(a, &c, r, stats, err, err_len);
    snprintf(detail, sizeof detail, "%d added, %d updated", stats->created, stats->updated);
    if (res == CV_OK && stats->created + stats->updated > 0 &&
        auth_audit(a, actor, "members imported", NULL, detail) != 0) {
        snprintf(err, err_len, "cannot write the audit log");
        res = CV_ERROR;
    }
    if (res == CV_OK && store_commit(a->st) != 0) {
        snprintf(err, err_len, "cannot commit the import");
        res = CV_ERROR;
    } else if (res != CV_OK) {
        store_rollback(a->st);
    }
    if (res != CV_OK)
        memset(stats, 0, sizeof *stats);
    free(r);
    return res;
}
