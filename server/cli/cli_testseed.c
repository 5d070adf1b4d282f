/*
 * cli_testseed.c — TEST ONLY: `conclave-test test-seed-council --data DIR
 * CEREMONY.json`, which stores a completed ceremony's transcript (a vectors
 * file: {"transcript", "trace": {"ceremony_digest"}}) as a complete council
 * (store_council_insert_complete), its trustees the setup's names as
 * usernames, and makes it the server's current council. Compiled only into
 * the test build (-DCONCLAVE_TEST: `conclave-test`); `conclave` has no such
 * command. Integration tests seed a council with it where the ceremony
 * itself is not what they test.
 */
typedef int cli_testseed_only_in_test_builds;

#ifdef CONCLAVE_TEST
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "cli_util.h"
#include "store_council.h"

static int seed_store(struct store *st, json_t *vec)
{
    json_t *tr = json_object_get(vec, "transcript"), *e;
    const char *id = json_string_value(json_object_get(tr, "id"));
    const char *digest = json_string_value(json_object_get(json_object_get(vec, "trace"),
                                                           "ceremony_digest"));
    const char *names[64];
    char *text = json_dumps(tr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    size_t i, n = json_array_size(json_object_get(tr, "trustees"));
    int rc = -1;

    if (id == NULL || digest == NULL || text == NULL || n == 0 || n > 64)
        goto out;
    json_array_foreach(json_object_get(tr, "trustees"), i, e)
        names[i] = json_string_value(json_object_get(e, "name"));
    if (store_council_insert_complete(st, id, id,
                                      (uint32_t)json_integer_value(json_object_get(tr, "t")),
                                      names, (uint32_t)n, text, digest, "cli:test",
                                      (int64_t)time(NULL)) == 0 &&
        store_council_use(st, id) == 0)
        rc = 0;
out:
    free(text);
    return rc;
}

int cli_testseed_main(int argc, char **argv)
{
    struct cli_args a;
    struct cli_ctx ctx;
    json_t *vec;
    int rc;

    if (cli_parse("test-seed-council", argc - 1, argv + 1, NULL, 0, &a) != 0 || a.npos != 1)
        return CLI_EXIT_USAGE;
    if ((vec = json_load_file(a.pos[0], 0, NULL)) == NULL)
        return cli_fail("test-seed-council", "cannot read the vectors file");
    if (cli_open(a.data_dir, &ctx) != 0) {
        json_decref(vec);
        return CLI_EXIT_FAIL;
    }
    rc = seed_store(ctx.st, vec) == 0 ? CLI_EXIT_OK
                                      : cli_fail("test-seed-council", "cannot store the council");
    cli_close(&ctx);
    json_decref(vec);
    return rc;
}
#endif
