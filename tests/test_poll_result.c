/*
 * test_poll_result.c — a closed poll's result from the tally to the text the
 * API serves and back: PROTOCOL §9's message and the signature in hex, the
 * text in the documented shape and key order (README, HTTP API), every
 * verdict read back to the same struct, and every other shape refused.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "vectors.h"

#include "poll_result.h"
#include "record.h"
#include "sign.h"
#include "tally.h"

/* A two-option result of poll-1 with fixed digest and signature bytes. */
static void sample(struct tally_result *r, enum proto_verdict v)
{
    memset(r, 0, sizeof *r);
    r->m = 2;
    r->counts[0] = 3;
    r->counts[1] = 1;
    r->ballots = 4;
    r->eligible = 5;
    r->verdict = v;
    memset(r->ballots_digest, 0x11, sizeof r->ballots_digest);
    memset(r->signature, 0xab, sizeof r->signature);
}

static void test_make(const struct record *rec)
{
    struct tally_result r;
    struct poll_result res;
    char fp[65], want[512], sig[129];

    sample(&r, PROTO_VERDICT_PASSED);
    CHECK(poll_result_make(rec, &r, &res) == 0, "result made");
    crypto_hex_encode(fp, record_fingerprint(rec), 32);
    snprintf(want, sizeof want, "conclave-result-v1 %s %s 4 3,1 passed", fp,
             "1111111111111111111111111111111111111111111111111111111111111111");
    CHECK(strcmp(res.message, want) == 0, "PROTOCOL §9 message");
    if (strcmp(res.message, want) != 0)
        fprintf(stderr, "  got  %s\n  want %s\n", res.message, want);
    memset(sig, 'a', 128);
    for (size_t i = 1; i < 128; i += 2)
        sig[i] = 'b';
    sig[128] = '\0';
    CHECK(strcmp(res.signature, sig) == 0, "signature in lowercase hex");
    CHECK(res.m == 2 && res.counts[0] == 3 && res.counts[1] == 1 && res.ballots == 4 &&
          res.eligible == 5 && res.verdict == PROTO_VERDICT_PASSED, "counts, turnout, verdict");
}

static void test_text(const struct record *rec)
{
    static const enum proto_verdict verdicts[] = {PROTO_VERDICT_PASSED, PROTO_VERDICT_FAILED,
                                                  PROTO_VERDICT_NONE};
    static const char *const tails[] = {"\"rule\":\"two-thirds\",\"passed\":true",
                                        "\"rule\":\"two-thirds\",\"passed\":false",
                                        "\"rule\":\"none\",\"passed\":null"};
    struct tally_result r;
    struct poll_result res, back;
    char want[2048];
    size_t i;

    for (i = 0; i < 3; i++) {
        char *text;

        sample(&r, verdicts[i]);
        if (poll_result_make(rec, &r, &res) != 0)
            continue;
        text = poll_result_json(&res);
        snprintf(want, sizeof want, "{\"counts\":[3,1],\"ballots\":4,\"eligible\":5,%s,"
                 "\"message\":\"%s\",\"signature\":\"%s\"}", tails[i], res.message,
                 res.signature);
        CHECK(text != NULL && strcmp(text, want) == 0, "the served text, key by key");
        if (text != NULL && strcmp(text, want) != 0)
            fprintf(stderr, "  got  %s\n  want %s\n", text, want);
        CHECK(poll_result_parse(text, &back) == 0 && memcmp(&back, &res, sizeof res) == 0,
              "read back to the same struct");
        free(text);
    }
}

static void test_refused(void)
{
    static const char *const bad[] = {
        "", "[]", "{}", "null",
        "{\"counts\":[3,1],\"ballots\":4,\"eligible\":5,\"rule\":\"two-thirds\","
        "\"passed\":true,\"message\":\"m\"}",
        "{\"counts\":[3,1],\"ballots\":4,\"eligible\":5,\"rule\":\"two-thirds\","
        "\"passed\":true,\"message\":\"m\",\"signature\":\"s\",\"extra\":1}",
        "{\"counts\":[3,1],\"ballots\":4,\"eligible\":5,\"rule\":\"two-thirds\","
        "\"passed\":true,\"message\":\"m\",\"message\":\"m\"}",
        "{\"counts\":[],\"ballots\":4,\"eligible\":5,\"rule\":\"two-thirds\","
        "\"passed\":true,\"message\":\"m\",\"signature\":\"s\"}",
        "{\"counts\":[3,-1],\"ballots\":4,\"eligible\":5,\"rule\":\"two-thirds\","
        "\"passed\":true,\"message\":\"m\",\"signature\":\"s\"}",
        "{\"counts\":[3,1.0],\"ballots\":4,\"eligible\":5,\"rule\":\"two-thirds\","
        "\"passed\":true,\"message\":\"m\",\"signature\":\"s\"}",
        "{\"counts\":[3,4294967296],\"ballots\":4,\"eligible\":5,\"rule\":\"two-thirds\","
        "\"passed\":true,\"message\":\"m\",\"signature\":\"s\"}",
        "{\"counts\":[3,1],\"ballots\":\"4\",\"eligible\":5,\"rule\":\"two-thirds\","
        "\"passed\":true,\"message\":\"m\",\"signature\":\"s\"}",
        "{\"counts\":[3,1],\"ballots\":4,\"eligible\":5,\"rule\":\"two-thirds\","
        "\"passed\":null,\"message\":\"m\",\"signature\":\"s\"}",
        "{\"counts\":[3,1],\"ballots\":4,\"eligible\":5,\"rule\":\"none\","
        "\"passed\":true,\"message\":\"m\",\"signature\":\"s\"}",
        "{\"counts\":[3,1],\"ballots\":4,\"eligible\":5,\"rule\":\"majority\","
        "\"passed\":true,\"message\":\"m\",\"signature\":\"s\"}",
        "{\"counts\":[3,1],\"ballots\":4,\"eligible\":5,\"rule\":\"two-thirds\","
        "\"passed\":true,\"message\":7,\"signature\":\"s\"}",
    };
    struct poll_result res;
    char big[2200];
    size_t i;
    int n;

    CHECK(poll_result_parse(NULL, &res) != 0, "no result (open poll) refused");
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = poll_result_parse(bad[i], &res);
        CHECK(rc != 0, bad[i]);
    }
    n = snprintf(big, sizeof big, "{\"counts\":[3,1],\"ballots\":4,\"eligible\":5,"
                 "\"rule\":\"two-thirds\",\"passed\":true,\"message\":\"%01024d\","
                 "\"signature\":\"s\"}", 0);
    CHECK(n > 0 && poll_result_parse(big, &res) != 0, "a message past the buffer refused");
    n = snprintf(big, sizeof big, "{\"counts\":[3,1],\"ballots\":4,\"eligible\":5,"
                 "\"rule\":\"two-thirds\",\"passed\":true,\"message\":\"m\","
                 "\"signature\":\"%0129d\"}", 0);
    CHECK(n > 0 && poll_result_parse(big, &res) != 0, "a signature past 128 refused");
}

int main(void)
{
    struct record *rec = vec_record("poll-1");

    CHECK(rec != NULL, "poll-1 from the vectors");
    if (rec != NULL) {
        test_make(rec);
        test_text(rec);
    }
    test_refused();
    record_free(rec);
    TEST_MAIN_END("test_poll_result");
}
