/*
 * bench_util.c — clocks, quantiles, files and the "key value" report lines
 * of the load generator.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "crypto.h"
#include "record.h"

double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void bench_sleep_until(double t)
{
    struct timespec ts;

    if (t <= 0)
        return;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

unsigned bench_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > BENCH_MAX_CPUS ? BENCH_MAX_CPUS : (unsigned)n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

double bench_quantile(double *v, size_t n, double p)
{
    size_t i;

    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

char *bench_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = '\0';
            *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

void bench_report(const char *key, double value)
{
    printf("%s %.6g\n", key, value);
    fflush(stdout);
}

struct record *bench_record(size_t n_roll, unsigned char x0[32])
{
    static const char *const opts[] = {"Promote", "Do not promote"};
    struct crypto_rng rng = crypto_rng_system();
    const char **roll = calloc(n_roll, sizeof *roll);
    char *names = calloc(n_roll, 24);
    struct record_params p = {"bench", "Promote the benchmark?", opts, 2, 1, 1,
                              "2025-01-01T00:00:00Z", "2025-01-08T00:00:00Z", NULL, n_roll};
    struct record *rec = NULL;
    size_t i;

    for (i = 0; roll != NULL && names != NULL && i < n_roll; i++) {
        snprintf(names + 24 * i, 24, "v%08zu", i);     /* byte order = number order */
        roll[i] = names + 24 * i;
    }
    p.roll = roll;
    if (roll == NULL || names == NULL || record_create(&p, NULL, 0, &rng, &rec, x0) != PROTO_OK)
        rec = NULL;
    free(roll);
    free(names);
    return rec;
}
