/*
 * bench_ceremony.c — what a 3-of-5 key ceremony costs (make bench-ceremony):
 * the CPU time of each trustee's steps (trustee.h: identity key, dealing,
 * verdict with its checks of every dealing, key share) and of the board's
 * checks of every message (ceremony.h, what the server runs before it keeps
 * one, and again for each read of the council), averaged over many whole
 * ceremonies in process, on one thread. Also n = 16, t = 11 for scale.
 * Not a test: it prints a Markdown table and exits 0 unless setup fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "ceremony.h"
#include "trustee.h"

#define ROUNDS 20

enum { T_KEYGEN, T_DEAL, T_VERDICT, T_SHARE, B_SETUP, B_DEALING, B_VERDICT, B_FINISH, B_REPLAY,
       NSTEPS };

static const char *const step_name[NSTEPS] = {
    "trustee: identity key and its proof (keygen)",
    "trustee: the setup checked, the dealing made (deal)",
    "trustee: the setup and every dealing checked, shares opened, the verdict (verdict)",
    "trustee: the transcript checked, x_j computed and checked (verdict, at the end)",
    "board: the setup checked (n registrations)",
    "board: one dealing checked",
    "board: one verdict checked",
    "board: the outcome (complaints judged, QUAL, keys, digest)",
    "board: a whole transcript read and checked (each read of a council)",
};

static double cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct party {
    struct trustee_identity id;
    struct ceremony_identity reg;
    char name[16];
    unsigned char own[32];
    struct ceremony_dealing dealing;
    struct ceremony_verdict verdict;
};

/* One whole ceremony of T of N; adds each step's CPU seconds to SUM. */
static int one_ceremony(uint32_t t, uint32_t n, struct party *p, double *sum)
{
    struct crypto_rng rng = crypto_rng_system();
    struct ceremony_identity regs[64];
    struct ceremony *c = NULL, *again = NULL;
    unsigned char x[32];
    double t0;
    char *text;
    size_t len;
    uint32_t i;

    for (i = 0; i < n; i++) {
        snprintf(p[i].name, sizeof p[i].name, "trustee-%u", i + 1);
        t0 = cpu_now();
        if (trustee_identity_create("bench", 5, i + 1, p[i].name, strlen(p[i].name), &rng,
                                    &p[i].id) != 0)
            return -1;
        sum[T_KEYGEN] += cpu_now() - t0;
        regs[i].name = p[i].name;
        regs[i].name_len = strlen(p[i].name);
        memcpy(regs[i].Z, p[i].id.Z, 32);
        regs[i].pok = p[i].id.pok;
    }
    t0 = cpu_now();
    if (ceremony_create("bench", 5, t, regs, n, &c) != PROTO_OK)
        return -1;
    sum[B_SETUP] += cpu_now() - t0;
    for (i = 0; i < n; i++) {
        /* a trustee checks the setup (every proof) before it deals */
        t0 = cpu_now();
        ceremony_free(again);
        again = NULL;
        if (ceremony_create("bench", 5, t, regs, n, &again) != PROTO_OK ||
            trustee_deal(again, i + 1, p[i].id.z, &rng, &p[i].dealing, p[i].own) != 0)
            return -1;
        sum[T_DEAL] += cpu_now() - t0;
        t0 = cpu_now();
        if (ceremony_dealing_add(c, &p[i].dealing) != PROTO_OK)
            return -1;
        sum[B_DEALING] += cpu_now() - t0;
    }
    ceremony_dealings_close(c);
    for (i = 0; i < n; i++) {
        uint32_t k;
        /* a trustee checks the setup and every dealing itself, as the CLI does */
        t0 = cpu_now();
        ceremony_free(again);
        again = NULL;
        if (ceremony_create("bench", 5, t, regs, n, &again) != PROTO_OK)
            return -1;
        for (k = 0; k < n; k++)
            if (ceremony_dealing_add(again, &p[k].dealing) != PROTO_OK)
                return -1;
        if (ceremony_dealings_close(again) != 0 ||
            trustee_verdict(again, i + 1, p[i].id.z, &p[i].dealing, &rng, &p[i].verdict) !=
                PROTO_OK)
            return -1;
        sum[T_VERDICT] += cpu_now() - t0;
        t0 = cpu_now();
        if (ceremony_verdict_add(c, &p[i].verdict) != PROTO_OK)
            return -1;
        sum[B_VERDICT] += cpu_now() - t0;
    }
    t0 = cpu_now();
    if (ceremony_finish(c) != PROTO_OK)
        return -1;
    sum[B_FINISH] += cpu_now() - t0;
    text = ceremony_transcript_serialize(c, 0, &len);
    for (i = 0; i < n; i++) {
        ceremony_free(again);
        again = NULL;
        t0 = cpu_now();
        if (ceremony_transcript_parse(text, len, &again, NULL, 0) != PROTO_OK ||
            trustee_key_share(again, i + 1, p[i].id.z, p[i].own, x) != PROTO_OK)
            return -1;
        sum[T_SHARE] += cpu_now() - t0;
    }
    t0 = cpu_now();
    ceremony_free(again);
    again = NULL;
    if (ceremony_transcript_parse(text, len, &again, NULL, 0) != PROTO_OK)
        return -1;
    sum[B_REPLAY] += cpu_now() - t0;
    free(text);
    ceremony_free(again);
    ceremony_free(c);
    for (i = 0; i < n; i++)
        trustee_identity_wipe(&p[i].id);
    sodium_memzero(x, sizeof x);
    return 0;
}

static int bench(uint32_t t, uint32_t n)
{
    static struct party p[64];
    double sum[NSTEPS] = { 0 }, per;
    int r, k;

    for (r = 0; r < ROUNDS; r++)
        if (one_ceremony(t, n, p, sum) != 0) {
            fprintf(stderr, "bench_ceremony: a ceremony failed\n");
            return -1;
        }
    printf("\n%u of %u, %d ceremonies, CPU time on one thread:\n\n", t, n, ROUNDS);
    printf("| step | ms |\n|---|---|\n");
    for (k = 0; k < NSTEPS; k++) {
        per = sum[k] / ROUNDS;
        if (k == T_KEYGEN || k == T_DEAL || k == T_VERDICT || k == T_SHARE ||
            k == B_DEALING || k == B_VERDICT)
            per /= n;           /* each trustee's, each message's */
        printf("| %s | %.2f |\n", step_name[k], per * 1e3);
    }
    per = (sum[T_KEYGEN] + sum[T_DEAL] + sum[T_VERDICT] + sum[T_SHARE]) / ROUNDS / n;
    printf("| **one trustee's whole ceremony** | **%.2f** |\n", per * 1e3);
    per = (sum[B_SETUP] + sum[B_DEALING] + sum[B_VERDICT] + sum[B_FINISH]) / ROUNDS;
    printf("| **the board's checks of the whole ceremony** | **%.2f** |\n", per * 1e3);
    return 0;
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    printf("bench_ceremony: the key ceremony in process (trustee.h, ceremony.h)\n");
    return bench(3, 5) == 0 && bench(11, 16) == 0 ? 0 : 1;
}
