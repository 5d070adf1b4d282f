/*
 * web_result.c — a closed poll's result page: counts, turnout, the verdict
 * against the two-thirds line, a bar chart drawn here as SVG, the signed
 * result, links to the board and the server key, "find my tracker", and how
 * to verify everything offline.
 *
 * The chart is markup the server writes itself from integers and fixed
 * labels (the nominee's name is escaped), so the page may include it raw.
 * "Find my tracker" works without JavaScript: the form is a GET of this page
 * with ?tracker=HEX, looked up in the stored board. That request ties the
 * tracker to the member's session, so static/js/result.mjs catches the form:
 * it looks the tracker up in the public board in the browser (and fills in the
 * tracker this browser remembers), and can verify the board. The server fills
 * in only the ?tracker= it was asked for.
 *
 * The result is public once the poll has closed (as the API's result and
 * board are): this page needs no session then, and a visitor without one sees
 * a "Log in" link in the header. Before the close, and for a poll that was
 * withdrawn, a visitor without a session is sent to the login form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "crypto.h"
#include "http_error.h"
#include "http_request.h"
#include "poll_result.h"
#include "store_poll.h"
#include "web.h"

#define CHART_BAR    300     /* the length of a bar for all the ballots */
#define CHART_SVG_MAX 6144

/* Bar length for COUNT of TOTAL ballots (integers; 0 when no ballots). */
static long bar_len(long long count, long long total)
{
    return total > 0 ? (long)(count * CHART_BAR / total) : 0;
}

/* Writes the SVG chart of YES and NO votes for NOMINEE into a new string.
 * Each label sits above its bar, so the drawing is narrow (380 units) and is
 * shown at most 1:1 (site.css): on a phone it shrinks the least. */
static char *chart_svg(const char *nominee, long long yes, long long no)
{
    char *name = NULL, *svg = malloc(CHART_SVG_MAX);
    size_t nlen = 0, ncap = 0;
    long long total = yes + no;
    long line = (CHART_BAR * 2 + 2) / 3;     /* the two-thirds line */
    int n;

    if (svg == NULL || tmpl_escape_append(&name, &nlen, &ncap, nominee, strlen(nominee)) != 0) {
        free(svg);
        free(name);
        return NULL;
    }
    n = snprintf(svg, CHART_SVG_MAX,
        "<svg class=\"chart\" viewBox=\"0 0 380 140\" role=\"img\" "
        "aria-labelledby=\"chart-title\" xmlns=\"http://www.w3.org/2000/svg\">"
        "<title id=\"chart-title\">Votes on promoting %s: %lld promote, %lld do not "
        "promote; two thirds are needed</title>"
        "<text x=\"0\" y=\"15\" class=\"label\">Promote</text>"
        "<rect x=\"0\" y=\"22\" width=\"%d\" height=\"28\" class=\"track\"/>"
        "<rect x=\"0\" y=\"22\" width=\"%ld\" height=\"28\" class=\"bar-yes\"/>"
        "<text x=\"%d\" y=\"42\" class=\"count\">%lld</text>"
        "<text x=\"0\" y=\"73\" class=\"label\">Do not promote</text>"
        "<rect x=\"0\" y=\"80\" width=\"%d\" height=\"28\" class=\"track\"/>"
        "<rect x=\"0\" y=\"80\" width=\"%ld\" height=\"28\" class=\"bar-no\"/>"
        "<text x=\"%d\" y=\"100\" class=\"count\">%lld</text>"
        "<line x1=\"%ld\" y1=\"18\" x2=\"%ld\" y2=\"114\" class=\"line\"/>"
        "<text x=\"%ld\" y=\"132\" class=\"line-label\" text-anchor=\"middle\">"
        "\u2154 needed</text></svg>",
        name, yes, no, CHART_BAR, bar_len(yes, total), CHART_BAR + 8, yes,
        CHART_BAR, bar_len(no, total), CHART_BAR + 8, no, line, line, line);
    free(name);
    if (n < 0 || n >= CHART_SVG_MAX) {
        free(svg);
        return NULL;
    }
    return svg;
}

/* Percentage of PART in TOTAL with one decimal, e.g. "66.7". */
static void put_pct(struct tmpl_value *o, const char *name, long long part, long long total)
{
    long long per_mille = total > 0 ? (part * 1000 + total / 2) / total : 0;

    tmpl_put_strf(o, name, "%lld.%lld", per_mille / 10, per_mille % 10);
}

/* Normalises a tracker typed or pasted by a person (upper case, spaces and
 * line breaks anywhere: the field wraps) into out (65 bytes). 0, or -1 if it
 * is not 64 hex digits. */
static int tracker_norm(const char *in, char out[65])
{
    size_t n = 0;
    char c;

    for (; (c = *in) != '\0'; in++) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || n == 64)
            return -1;
        out[n++] = c;
    }
    out[n] = '\0';
    return n == 64 ? 0 : -1;
}

/* Looks the ?tracker= query up on poll ID's board; sets tracker_* in d. The
 * store answers from the ballot rows the board is made of: loading a board
 * (1.8 kB per ballot, 180 MB at 100,000) for one lookup would not do. */
static int tracker_find(struct http_request *req, struct tmpl_value *d, const char *id)
{
    const char *q = http_request_arg(req, "tracker");
    unsigned char tracker[32];
    char want[65];
    int found = 0;

    tmpl_put_str(d, "tracker_query", "");
    if (q == NULL || q[0] == '\0')
        return 0;
    tmpl_put_str(d, "tracker_query", q);
    if (tracker_norm(q, want) != 0) {
        tmpl_put_bool(d, "tracker_bad", 1);
        return 0;
    }
    if (crypto_hex_decode(tracker, sizeof tracker, want, 64) != 0 ||
        store_poll_board_has(http_request_app(req)->store, id, tracker, &found) != 0)
        return -1;
    tmpl_put_bool(d, found ? "tracker_found" : "tracker_missing", 1);
    return 0;
}

/* Fills the result page's data for closed poll P. 0 or -1. */
static int result_fill(struct http_request *req, struct tmpl_value *d,
                       const struct store_poll *p, const struct web_viewer *v)
{
    struct tmpl_value *o = tmpl_put_obj(d, "poll");
    struct poll_result res;
    long long yes, no;
    char *svg, base[300];

    if (web_poll_put(http_request_app(req)->store, o, p, v->user.username) != 0 ||
        web_result_read(p, &res) != 0)
        return -1;
    yes = res.counts[0];
    no = res.counts[1];
    if ((svg = chart_svg(p->nominee, yes, no)) == NULL)
        return -1;
    tmpl_put_str(o, "chart_svg", svg);
    free(svg);
    put_pct(o, "yes_pct", yes, yes + no);
    put_pct(o, "no_pct", no, yes + no);
    tmpl_put_bool(o, "no_votes", yes + no == 0);
    put_pct(o, "turnout_pct", yes + no, (long long)p->eligible);
    web_base_url(req, base, sizeof base);
    tmpl_put_str(d, "base_url", base);
    return tracker_find(req, d, p->id);
}

/* A poll sealed by trustees, closed, whose result waits for their shares
 * (PROTOCOL-threshold T7): who has decrypted so far. 409 as the API's. */
static void result_decrypting(struct http_request *req, const struct store_poll *p,
                              const struct web_viewer *v)
{
    struct tmpl_value *d = web_page_new(v, p->nominee);

    if (d == NULL || web_poll_put(http_request_app(req)->store, tmpl_put_obj(d, "poll"), p,
                                  v != NULL ? v->user.username : "") != 0) {
        tmpl_value_free(d);
        web_error(req, v, 500, "Server error", "The poll could not be read.");
        return;
    }
    if (v == NULL)
        tmpl_put_strf(d, "login_next", "/polls/%s/result", p->id);
    web_render(req, 409, "result_decrypting", d);
}

void web_result_page(struct http_request *req)
{
    struct web_viewer v;
    struct store_poll p;
    struct tmpl_value *d;
    int rc, known = web_viewer_try(req, &v);

    if (known < 0)
        return;
    rc = store_poll_get(http_request_app(req)->store, http_request_param(req, "id"), 0, &p);
    if (!known && (rc != 0 || !p.closed || p.withdrawn)) {
        /* not public (yet), or no such poll: the login form, and back here */
        store_poll_clear(&p);
        web_viewer_get(req, &v);
        return;
    }
    if (rc != 0) {
        web_error(req, &v, http_error_status(rc), "No such poll",
                  rc == CV_NOT_FOUND ? "There is no poll at this address."
                                        : "The poll could not be read.");
        return;
    }
    if (p.withdrawn) {
        web_error(req, &v, 404, "No result", "This poll was withdrawn before anyone voted: "
                  "it has no result.");
    } else if (!p.closed) {
        d = web_page_new(&v, "Not yet");
        web_put_time(d, "closes", p.closes_at);
        tmpl_put_str(d, "id", p.id);
        web_render(req, 409, "result_wait", d);
    } else if (p.decrypting) {
        result_decrypting(req, &p, known ? &v : NULL);
    } else {
        d = web_page_new(known ? &v : NULL, p.nominee);
        if (!known)
            tmpl_put_strf(d, "login_next", "/polls/%s/result", p.id);
        if (result_fill(req, d, &p, &v) != 0) {
            tmpl_value_free(d);
            web_error(req, &v, 500, "Server error", "The result could not be read.");
        } else {
            web_render(req, 200, "result", d);
        }
    }
    store_poll_clear(&p);
}
