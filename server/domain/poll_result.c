/*
 * poll_result.c — the signed result of a closed poll: from the tally to the
 * stored text, and from the stored text back (see poll_result.h).
 *
 * The writer is the one the close always used (jansson, compact, keys in
 * this order), so stored results keep their bytes. The reader checks the
 * whole shape, the way the writer makes it: a result that the store hands
 * back in another shape is refused, never half read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "crypto.h"
#include "poll_result.h"
#include "record.h"
#include "sign.h"
#include "tally.h"

int poll_result_make(const struct record *rec, const struct tally_result *r,
                     struct poll_result *out)
{
    struct sign_result view;

    memset(out, 0, sizeof *out);
    if (r->m > PROTO_MAX_OPTIONS)
        return -1;
    tally_result_view(rec, r, &view);
    if (sign_result_message(&view, out->message, sizeof out->message) == 0)
        return -1;
    out->m = r->m;
    memcpy(out->counts, r->counts, r->m * sizeof r->counts[0]);
    out->ballots = r->ballots;
    out->eligible = r->eligible;
    out->verdict = r->verdict;
    crypto_hex_encode(out->signature, r->signature, SIGN_BYTES);
    return 0;
}

char *poll_result_json(const struct poll_result *res)
{
    json_t *counts = json_array(), *obj;
    char *text;
    uint32_t j;

    if (counts == NULL)
        return NULL;
    for (j = 0; j < res->m; j++)
        json_array_append_new(counts, json_integer(res->counts[j]));
    obj = json_pack("{s:o, s:I, s:I, s:s, s:o, s:s, s:s}", "counts", counts,
                    "ballots", (json_int_t)res->ballots,
                    "eligible", (json_int_t)res->eligible,
                    "rule", res->verdict == PROTO_VERDICT_NONE ? "none" : "two-thirds",
                    "passed", res->verdict == PROTO_VERDICT_NONE ? json_null()
                              : json_boolean(res->verdict == PROTO_VERDICT_PASSED),
                    "message", res->message, "signature", res->signature);
    text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    return text;
}

/* V as an integer 0 .. 2^32-1 into *out. 0 or -1. */
static int result_u32(const json_t *v, uint32_t *out)
{
    json_int_t n = json_integer_value(v);

    if (!json_is_integer(v) || n < 0 || n > (json_int_t)UINT32_MAX)
        return -1;
    *out = (uint32_t)n;
    return 0;
}

/* V as a string shorter than CAP, copied to OUT. 0 or -1. */
static int result_str(const json_t *v, char *out, size_t cap)
{
    if (!json_is_string(v) || json_string_length(v) >= cap)
        return -1;
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

/* The rule and "passed" into out->verdict. 0 or -1. */
static int result_verdict(const json_t *obj, struct poll_result *out)
{
    const char *rule = json_string_value(json_object_get(obj, "rule"));
    const json_t *passed = json_object_get(obj, "passed");

    if (rule != NULL && strcmp(rule, "none") == 0 && json_is_null(passed)) {
        out->verdict = PROTO_VERDICT_NONE;
        return 0;
    }
    if (rule == NULL || strcmp(rule, "two-thirds") != 0 || !json_is_boolean(passed))
        return -1;
    out->verdict = json_is_true(passed) ? PROTO_VERDICT_PASSED : PROTO_VERDICT_FAILED;
    return 0;
}

int poll_result_parse(const char *text, struct poll_result *out)
{
    json_t *obj = text != NULL ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
    const json_t *counts = json_object_get(obj, "counts");
    size_t j, m = json_array_size(counts);
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (!json_is_object(obj) || json_object_size(obj) != 7 || !json_is_array(counts) ||
        m == 0 || m > PROTO_MAX_OPTIONS)
        goto out;
    out->m = (uint32_t)m;
    for (j = 0; j < m; j++)
        if (result_u32(json_array_get(counts, j), &out->counts[j]) != 0)
            goto out;
    if (result_u32(json_object_get(obj, "ballots"), &out->ballots) != 0 ||
        result_u32(json_object_get(obj, "eligible"), &out->eligible) != 0 ||
        result_verdict(obj, out) != 0 ||
        result_str(json_object_get(obj, "message"), out->message, sizeof out->message) != 0 ||
        result_str(json_object_get(obj, "signature"), out->signature,
                   sizeof out->signature) != 0)
        goto out;
    rc = 0;
out:
    if (rc != 0)
        memset(out, 0, sizeof *out);
    json_decref(obj);
    return rc;
}
