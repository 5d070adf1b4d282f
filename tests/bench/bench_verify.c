/*
 * bench_verify.c — how fast ballots and boards are verified (make bench-verify).
 *
 * 1. The cost of libsodium's scalar multiplications here, and so the bound
 *    for one yes/no ballot: its verification does 15 variable-base and 5
 *    fixed-base multiplications (PROTOCOL §4: per branch s·G, c·α, s·Y,
 *    c·(β − M·G); 2 branches per choice, 1 for the sum).
 * 2. Ballots per second parsing + verifying yes/no ballots on one core and
 *    on every core, the ratio to the bound, and the scaling.
 * 3. A generated 10,000-ballot board (build/bench/board-10000.json, made
 *    once) verified in process and by `conclave verify` ($CONCLAVE_BIN) on
 *    one thread and on every core, and both against the limit of issue #7
 *    (ballot_verify alone on every core, measured before and after).
 * Not a test: it prints numbers and always exits 0 unless setup fails.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bench.h"
#include "board.h"
#include "board_split.h"
#include "sjson.h"

#define BENCH_BALLOTS 64
#define BENCH_BOARD_N 10000
#define BENCH_BOARD_PATH "build/bench/board-10000.json"
#define BENCH_KEY_PATH "build/bench/server.pem"

static double bench_cpu(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the serial part (cutting the board into frame and ballots,
 * parsing the frame) and of a one-thread verification: the speed-up idle
 * cores would give (Amdahl), whatever else runs on the machine. */
static void bench_amdahl(const char *text, size_t len, const unsigned char *pk)
{
    struct board_report rep;
    struct board_split sp;
    enum proto_reason why;
    double serial, total;
    json_t *root = NULL;
    unsigned cpus;
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    cpus = n < 1 ? 1 : (unsigned)n;
    serial = bench_cpu();
    if (board_split(text, len, &sp) == 0)
        root = sjson_parse(sp.frame, sp.frame_len, PROTO_MAX_BOARD, &why);
    json_decref(root);
    board_split_free(&sp);
    serial = bench_cpu() - serial;
    total = bench_cpu();
    board_verify(text, len, pk, 1, &rep);
    total = bench_cpu() - total;
    printf("CPU time: %.2f s in all, %.2f s serial (cutting the board, parsing its frame): "
           "on %u idle cores %.2fx\n", total, serial, cpus,
           total / (serial + (total - serial) / cpus));
}

/* Seconds per call of a libsodium scalar multiplication. */
static void bench_scalarmult(double *t_var, double *t_base)
{
    unsigned char s[32], p[32], q[32];
    int i, n = 400;
    double t;

    crypto_core_ristretto255_scalar_random(s);
    crypto_scalarmult_ristretto255_base(p, s);
    t = bench_now();
    for (i = 0; i < n; i++) {
        s[0] = (unsigned char)i;
        if (crypto_scalarmult_ristretto255(q, s, p) != 0)
            abort();
    }
    *t_var = (bench_now() - t) / n;
    t = bench_now();
    for (i = 0; i < n; i++) {
        s[0] = (unsigned char)i;
        if (crypto_scalarmult_ristretto255_base(q, s) != 0)
            abort();
    }
    *t_base = (bench_now() - t) / n;
}

struct bench_job {
    const struct record *rec;
    char **texts;
    struct ballot **parsed;     /* when not NULL: ballot_verify only (the limit) */
    size_t n, rounds;
    int bad;
};

static void *bench_verify_run(void *arg)
{
    struct bench_job *job = arg;
    size_t r, i;

    for (r = 0; r < job->rounds; r++)
        for (i = 0; i < job->n; i++) {
            struct ballot *b = NULL;

            if (job->parsed != NULL) {
                job->bad |= ballot_verify(job->parsed[i], job->rec) != PROTO_OK;
                continue;
            }

            if (ballot_parse(job->texts[i], strlen(job->texts[i]), BALLOT_FORM_POST, &b) !=
                    PROTO_OK || ballot_verify(b, job->rec) != PROTO_OK)
                job->bad = 1;
            ballot_free(b);
        }
    return NULL;
}

/* Ballots per second on `threads` threads (ballot_verify only if parsed). */
static double bench_ballots(const struct record *rec, char **texts, struct ballot **parsed,
                            size_t n, unsigned threads, size_t rounds)
{
    pthread_t th[BENCH_MAX_CPUS];
    struct bench_job jobs[BENCH_MAX_CPUS];
    unsigned t;
    double start;

    start = bench_now();
    for (t = 0; t < threads; t++) {
        jobs[t] = (struct bench_job){ rec, texts, parsed, n, rounds, 0 };
        if (pthread_create(&th[t], NULL, bench_verify_run, &jobs[t]) != 0)
            abort();
    }
    for (t = 0; t < threads; t++) {
        pthread_join(th[t], NULL);
        if (jobs[t].bad)
            abort();
    }
    return (double)(n * rounds * threads) / (bench_now() - start);
}

/* Wall seconds of `conclave verify` with the given --threads (0: default). */
static double bench_cli(const char *bin, unsigned threads)
{
    char cmd[512];
    double t;
    int rc;

    if (threads > 0)
        snprintf(cmd, sizeof cmd, "%s verify --threads %u --server-key %s %s >/dev/null", bin,
                 threads, BENCH_KEY_PATH, BENCH_BOARD_PATH);
    else
        snprintf(cmd, sizeof cmd, "%s verify --server-key %s %s >/dev/null", bin, BENCH_KEY_PATH,
                 BENCH_BOARD_PATH);
    t = bench_now();
    rc = system(cmd);
    t = bench_now() - t;
    return rc == 0 ? t : -1.0;
}

/* Ballots per second of the board in process and of `conclave verify`
 * (0 when not run), both on every core. */
static void bench_board(double *in_process, double *cli)
{
    const char *bin = getenv("CONCLAVE_BIN");
    struct board_report rep;
    unsigned char pk[32];
    size_t len = 0, plen = 0;
    char *text, *pem;
    double t1, tn, c1, cn;
    struct stat st;
    int trial;

    *in_process = *cli = 0;

    if (stat(BENCH_BOARD_PATH, &st) != 0 || stat(BENCH_KEY_PATH, &st) != 0) {
        printf("making %s (%d ballots)...\n", BENCH_BOARD_PATH, BENCH_BOARD_N);
        mkdir("build", 0755);
        mkdir("build/bench", 0755);
        if (bench_board_make(BENCH_BOARD_N, BENCH_BOARD_PATH, BENCH_KEY_PATH) != 0) {
            printf("  failed\n");
            return;
        }
    }
    text = bench_read_file(BENCH_BOARD_PATH, &len);
    pem = bench_read_file(BENCH_KEY_PATH, &plen);
    if (text == NULL || pem == NULL || sign_public_from_pem(pem, plen, pk) != 0)
        return;
    /* best of three alternating runs each: the machine may be shared */
    t1 = tn = c1 = cn = 1e9;
    for (trial = 0; trial < 3; trial++) {
        double t = bench_now();

        board_verify(text, len, pk, 1, &rep);
        t = bench_now() - t;
        t1 = t < t1 ? t : t1;
        t = bench_now();
        board_verify(text, len, pk, 0, &rep);
        t = bench_now() - t;
        tn = t < tn ? t : tn;
    }
    printf("board of %u ballots (%.1f MB), in process: 1 thread %.2f s, %u threads %.2f s, "
           "speed-up %.2fx (%s)\n", (unsigned)rep.ballots, (double)len / 1e6, t1, bench_cpus(),
           tn, t1 / tn, proto_reason_code(rep.reason));
    *in_process = rep.ballots / tn;
    bench_amdahl(text, len, pk);
    if (bin != NULL && access(bin, X_OK) == 0) {
        for (trial = 0; trial < 2; trial++) {
            double a = bench_cli(bin, 1), b = bench_cli(bin, 0);

            c1 = a > 0 && a < c1 ? a : c1;
            cn = b > 0 && b < cn ? b : cn;
        }
        printf("conclave verify: --threads 1 %.2f s, default (%u cores) %.2f s, speed-up %.2fx\n",
               c1, bench_cpus(), cn, c1 / cn);
        *cli = cn < 1e9 ? rep.ballots / cn : 0;
    } else {
        printf("conclave verify: not run (set CONCLAVE_BIN to the binary)\n");
    }
    free(text);
    free(pem);
}

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Paired trials: the multiplications of one ballot, then one ballot, back to
 * back, many times. The machine may be shared; the minimum of each is the
 * cost without interference and the median of the pair ratios is robust. */
static void bench_trials(const struct record *rec, char **texts, double *t_var, double *t_base,
                         double *one, double *ratio, double *ratio20)
{
    double r[25], r20[25], v, b, o;
    int trial;

    *t_var = *t_base = *one = 1e9;
    for (trial = 0; trial < 25; trial++) {
        bench_scalarmult(&v, &b);
        o = 1.0 / bench_ballots(rec, texts, NULL, BENCH_BALLOTS, 1, 1);
        r[trial] = o / (15 * v + 5 * b);
        r20[trial] = o / (20 * v);
        *t_var = v < *t_var ? v : *t_var;
        *t_base = b < *t_base ? b : *t_base;
        *one = o < *one ? o : *one;
    }
    qsort(r, 25, sizeof r[0], bench_cmp_double);
    qsort(r20, 25, sizeof r20[0], bench_cmp_double);
    *ratio = r[12];
    *ratio20 = r20[12];
}

/* The limit of issue #7: ballot_verify alone (ballots parsed beforehand) on
 * every core, as `loadgen limit` counts it. */
static double bench_limit(const struct record *rec, char **texts)
{
    struct ballot *parsed[BENCH_BALLOTS];
    double rate;
    size_t i;

    for (i = 0; i < BENCH_BALLOTS; i++)
        if (ballot_parse(texts[i], strlen(texts[i]), BALLOT_FORM_POST, &parsed[i]) != PROTO_OK)
            abort();
    rate = bench_ballots(rec, texts, parsed, BENCH_BALLOTS, bench_cpus(), 24);
    for (i = 0; i < BENCH_BALLOTS; i++)
        ballot_free(parsed[i]);
    return rate;
}

int main(void)
{
    unsigned char x0[32], rho[32];
    struct record *rec;
    struct crypto_rng rng;
    char *texts[BENCH_BALLOTS];
    double t_var, t_base, bound, one, all, ratio, ratio20, limit, after, board, cli;
    unsigned cpus = bench_cpus();
    size_t i;

    if (crypto_init() != 0 || (rec = bench_record(5, x0)) == NULL)
        return 1;
    rng = crypto_rng_system();
    for (i = 0; i < BENCH_BALLOTS; i++) {
        uint8_t votes[2] = { (uint8_t)(i % 2), (uint8_t)(1 - i % 2) };
        struct ballot *b = NULL;

        crypto_rng_bytes(&rng, rho, 32);
        if (ballot_create(rec, votes, rho, NULL, &rng, &b) != 0)
            return 1;
        texts[i] = ballot_serialize(b, BALLOT_FORM_POST, 0, NULL);
        ballot_free(b);
    }
    bench_ballots(rec, texts, NULL, BENCH_BALLOTS, 1, 2);   /* warm up */
    bench_trials(rec, texts, &t_var, &t_base, &one, &ratio, &ratio20);
    bound = 15 * t_var + 5 * t_base;
    printf("libsodium here: variable-base scalarmult %.1f us, fixed-base %.1f us, "
           "point add %s\n", t_var * 1e6, t_base * 1e6, "(see NOTES-crypto.md)");
    printf("one yes/no ballot = 15 var + 5 fixed-base scalarmults = %.3f ms "
           "(counted as 20 var: %.3f ms)\n", bound * 1e3, 20 * t_var * 1e3);
    printf("parse + verify, one core: %.0f ballots/s = %.3f ms/ballot\n", 1.0 / one, one * 1e3);
    printf("ratio to the scalarmults (median of paired trials): %.2fx the 15+5 sum, "
           "%.2fx the 20-var sum\n", ratio, ratio20);
    all = bench_ballots(rec, texts, NULL, BENCH_BALLOTS, cpus, 16);
    printf("parse + verify, %u cores: %.0f ballots/s, %.2fx one core\n", cpus, all, all * one);
    limit = bench_limit(rec, texts);
    bench_board(&board, &cli);
    after = bench_limit(rec, texts);
    limit = after > limit ? after : limit;
    printf("limit (ballot_verify on %u cores, the better of before and after): %.0f ballots/s; "
           "the board in process %.2f of it, conclave verify %.2f (goal >= 0.9)\n", cpus, limit,
           board / limit, cli / limit);
    for (i = 0; i < BENCH_BALLOTS; i++)
        free(texts[i]);
    record_free(rec);
    return 0;
}
