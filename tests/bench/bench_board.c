/*
 * bench_board.c — a signed board of N yes/no ballots of one fresh poll, and
 * its server key, made with the server's own code (ballot_create on every
 * core, tally, decryption shares, result, board_build): for bench_verify.c
 * and, at 1,000 ballots, the browser's board verification in tests/e2e
 * (tests/bench/board_gen.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "board.h"
#include "crypto.h"
#include "record.h"
#include "sign.h"
#include "tally.h"

struct bench_maker {
    const struct record *rec;
    struct ballot **out;
    size_t from, to;
};

static void *bench_make_run(void *arg)
{
    struct bench_maker *mk = arg;
    struct crypto_rng rng = crypto_rng_system();
    unsigned char rho[32];
    size_t i;

    for (i = mk->from; i < mk->to; i++) {
        uint8_t votes[2] = { (uint8_t)(i % 3 != 0), (uint8_t)(i % 3 == 0) };

        crypto_rng_bytes(&rng, rho, 32);
        if (ballot_create(mk->rec, votes, rho, NULL, &rng, &mk->out[i]) != 0)
            abort();
    }
    return NULL;
}

static int bench_tracker_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

int bench_board_make(size_t n, const char *board_path, const char *key_path)
{
    unsigned char x0[32], (*tr)[32] = calloc(n, 32);
    struct ballot **b = calloc(n, sizeof *b);
    struct record *rec = bench_record(n + 10, x0);
    struct crypto_rng rng = crypto_rng_system();
    struct bench_maker mk[BENCH_MAX_CPUS];
    pthread_t th[BENCH_MAX_CPUS];
    unsigned t, cpus = bench_cpus();
    struct tally *tl = tally_new(2);
    struct proof_share shares[2];
    const struct proof_share *rows[1] = { shares };
    struct board_decryption dec = { 0, shares };
    struct tally_result res;
    struct sign_key *key = NULL;
    char *text, *pem;
    size_t len, i;
    FILE *f;

    if (tr == NULL || b == NULL || rec == NULL || tl == NULL || sign_key_create(&key) != 0)
        return -1;
    for (t = 0; t < cpus; t++) {
        mk[t] = (struct bench_maker){ rec, b, n * t / cpus,
                                      n * (t + 1) / cpus };
        if (pthread_create(&th[t], NULL, bench_make_run, &mk[t]) != 0)
            return -1;
    }
    for (t = 0; t < cpus; t++)
        pthread_join(th[t], NULL);
    for (i = 0; i < n; i++) {
        if (tally_add(tl, b[i]) != 0)
            return -1;
        memcpy(tr[i], ballot_tracker(b[i]), 32);
    }
    qsort(tr, n, 32, bench_tracker_cmp);
    if (tally_shares_create(rec, 0, x0, tl, &rng, shares) != 0 ||
        tally_result_make(rec, tl, rows, (const unsigned char (*)[32])tr, key, &res) != PROTO_OK)
        return -1;
    text = board_build(rec, (const struct ballot *const *)b, n, tl, &dec, 1, &res,
                       &len);
    pem = sign_public_pem(sign_key_public(key));
    if (text == NULL || pem == NULL || (f = fopen(board_path, "wb")) == NULL)
        return -1;
    fwrite(text, 1, len, f);
    fclose(f);
    if ((f = fopen(key_path, "wb")) == NULL)
        return -1;
    fputs(pem, f);
    fclose(f);
    for (i = 0; i < n; i++)
        ballot_free(b[i]);
    free(b);
    free(tr);
    free(text);
    free(pem);
    tally_free(tl);
    record_free(rec);
    sign_key_free(key);
    return 0;
}

