/*
 * loadgen.c — the measuring half of `make bench` (tests/bench/run.sh drives it).
 *
 *   loadgen limit SECONDS                 ballot_verify rate in process, 1 and all cores,
 *                                         and its CPU time per call; the same for the
 *                                         reference verifier (bench_reference.c); one
 *                                         argon2id verification's time
 *   loadgen tokens DATA_DIR COUNT OUT     API tokens for v000000.. in one process and one
 *                                         transaction (auth_token_create, the real code)
 *   loadgen open PORT TOKEN NOMINEE       opens a poll, prints its id
 *   loadgen cast PORT TOKENS POLL COUNT CONNS [RATE RATED]
 *                                         builds COUNT ballots of voters 0..COUNT-1 with
 *                                         ballot_create against the fetched record, then
 *                                         casts them: one per connection to warm up, then
 *                                         RATED open loop at RATE/s
 *                                         (latency from the scheduled time), the rest
 *                                         closed loop on CONNS keep-alive connections
 *   loadgen close PORT DB POLL            moves the poll's deadline to now, times the server's
 *                                         close until the result is served
 *   loadgen board PORT POLL OUT           fetches the board into OUT
 *   loadgen login PORT USERS CONNS SECONDS
 *                                         logins ("username password" lines) on CONNS
 *                                         connections for SECONDS
 *   loadgen fsync DIR COUNT               fdatasync latency of the disk under DIR
 *   loadgen run CMD ARGS...               CMD's wall and CPU time
 *
 * Every figure goes to stdout as a "key value" line; progress goes to stderr.
 * Exit 0, or 1 when a phase could not run (setup failure, unexpected answers).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "auth.h"
#include "ballot.h"
#include "bench.h"
#include "record.h"
#include "sjson.h"
#include "store.h"

#define LIMIT_BALLOTS 64
#define MAX_THREADS 256

/* --- limit ----------------------------------------------------------------- */

struct limit_job {
    const struct record *rec;
    struct ballot **ballots;
    int reference;              /* bench_reference_verify instead of ballot_verify */
    double until;
    size_t done;
    double cpu;                 /* the thread's CPU seconds */
    int bad;
};

static double thread_cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *limit_run(void *arg)
{
    struct limit_job *job = arg;
    double cpu = thread_cpu_seconds();
    size_t i = 0;

    while (bench_now() < job->until) {
        const struct ballot *b = job->ballots[i % LIMIT_BALLOTS];

        if (job->reference ? bench_reference_verify(b, job->rec) != 0
                           : ballot_verify(b, job->rec) != PROTO_OK)
            job->bad = 1;
        i++;
    }
    job->done = i;
    job->cpu = thread_cpu_seconds() - cpu;
    return NULL;
}

/* ballot_verify calls (bench_reference_verify if reference) per second on
 * THREADS threads for SECONDS; *cpu_each the CPU seconds one call took (what
 * the rate would be without the other processes of a shared machine). */
static double limit_rate(const struct record *rec, struct ballot **b, int reference,
                         unsigned threads, double seconds, double *cpu_each)
{
    pthread_t th[MAX_THREADS];
    struct limit_job jobs[MAX_THREADS];
    double start = bench_now(), cpu = 0;
    size_t total = 0;
    unsigned t;

    for (t = 0; t < threads; t++) {
        jobs[t] = (struct limit_job){rec, b, reference, start + seconds, 0, 0, 0};
        if (pthread_create(&th[t], NULL, limit_run, &jobs[t]) != 0)
            return -1;
    }
    for (t = 0; t < threads; t++) {
        pthread_join(th[t], NULL);
        if (jobs[t].bad)
            return -1;
        total += jobs[t].done;
        cpu += jobs[t].cpu;
    }
    *cpu_each = cpu / (double)(total ? total : 1);
    return (double)total / (bench_now() - start);
}

/* Seconds of one argon2id verification with the server's parameters. */
static double limit_argon2(void)
{
    char hash[crypto_pwhash_STRBYTES];
    const char *pw = "correct horse battery";
    double t;

    if (crypto_pwhash_str(hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return -1;
    t = bench_now();
    if (crypto_pwhash_str_verify(hash, pw, strlen(pw)) != 0)
        return -1;
    return bench_now() - t;
}

static int cmd_limit(int argc, char **argv)
{
    struct crypto_rng rng = crypto_rng_system();
    struct ballot *b[LIMIT_BALLOTS];
    double seconds = argc > 0 ? atof(argv[0]) : 3.0, one, all, cpu_one, cpu_all;
    double ref_one, ref_all, ref_cpu_one, ref_cpu_all;
    unsigned char x0[32];
    struct record *rec = bench_record(1000, x0);
    unsigned char rho[32];
    size_t i;

    sodium_memzero(x0, sizeof x0);
    if (rec == NULL)
        return 1;
    for (i = 0; i < LIMIT_BALLOTS; i++) {
        uint8_t votes[2] = {(uint8_t)(i % 2), (uint8_t)(1 - i % 2)};
        crypto_rng_bytes(&rng, rho, sizeof rho);
        if (ballot_create(rec, votes, rho, NULL, &rng, &b[i]) != 0)
            return 1;
    }
    /* the server's verifier and the reference in turn, under the same load */
    one = limit_rate(rec, b, 0, 1, seconds / 3, &cpu_one);
    ref_one = limit_rate(rec, b, 1, 1, seconds / 3, &ref_cpu_one);
    all = limit_rate(rec, b, 0, bench_cpus(), seconds / 2, &cpu_all);
    ref_all = limit_rate(rec, b, 1, bench_cpus(), seconds / 2, &ref_cpu_all);
    bench_report("cores", bench_cpus());
    bench_report("limit_1core_bps", one);
    bench_report("limit_bps", all);
    bench_report("verify_cpu_ms", 1e3 * (cpu_one < cpu_all ? cpu_one : cpu_all));
    bench_report("ref_1core_bps", ref_one);
    bench_report("ref_bps", ref_all);
    bench_report("ref_cpu_ms", 1e3 * (ref_cpu_one < ref_cpu_all ? ref_cpu_one : ref_cpu_all));
    bench_report("argon2_s", limit_argon2());
    for (i = 0; i < LIMIT_BALLOTS; i++)
        ballot_free(b[i]);
    record_free(rec);
    return one > 0 && all > 0 && ref_one > 0 && ref_all > 0 ? 0 : 1;
}

/* --- tokens ---------------------------------------------------------------- */

/* One token per voter v000000..; one transaction, so one fsync for all. */
static int tokens_create(struct auth *a, struct store *st, long count, FILE *out)
{
    char name[24], token[AUTH_TOKEN_LEN + 1];
    const char *why = NULL;
    long i;

    if (store_begin(st) != 0)
        return -1;
    for (i = 0; i < count; i++) {
        snprintf(name, sizeof name, "v%06ld", i);
        if (auth_token_create(a, name, "bench", NULL, token, NULL, &why) != CV_OK) {
            fprintf(stderr, "loadgen: token for %s: %s\n", name, why ? why : "error");
            store_rollback(st);
            return -1;
        }
        fprintf(out, "%s\n", token);
    }
    return store_commit(st);
}

static int cmd_tokens(int argc, char **argv)
{
    struct store *st = NULL;
    struct auth *a = NULL;
    FILE *out;
    int rc = 1;

    if (argc != 3)
        return 2;
    if ((out = fopen(argv[2], "w")) == NULL)
        return 1;
    if (store_open(argv[0], &st) == 0 && auth_open(st, NULL, &a) == 0 &&
        tokens_create(a, st, atol(argv[1]), out) == 0)
        rc = 0;
    if (fclose(out) != 0)
        rc = 1;
    auth_close(a);
    store_close(st);
    return rc;
}

/* --- open ------------------------------------------------------------------ */

static int cmd_open(int argc, char **argv)
{
    json_t *req, *resp;
    char *body = NULL, *text;
    int status;

    if (argc != 3)
        return 2;
    req = json_pack("{s:s, s:s, s:s}", "nominee", argv[2], "statement", "A benchmark poll.",
                    "nominee_consent", "attested");   /* the server runs in attest mode */
    text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    status = bench_http_once((unsigned)atoi(argv[0]), "POST", "/api/v1/polls", argv[1], text,
                             &body, NULL);
    free(text);
    resp = status == 201 && body ? json_loads(body, 0, NULL) : NULL;
    if (resp == NULL || !json_is_string(json_object_get(resp, "id"))) {
        fprintf(stderr, "loadgen: opening a poll: status %d %s\n", status, body ? body : "");
        free(body);
        return 1;
    }
    printf("%s\n", json_string_value(json_object_get(resp, "id")));
    json_decref(resp);
    free(body);
    return 0;
}

/* --- cast: building the ballots -------------------------------------------- */

/* The voters' tokens, one a line, indexed by voter number. */
struct token_list {
    char *text;
    char **tok;
    size_t n;
};

static int tokens_load(const char *path, struct token_list *tl)
{
    size_t len, cap = 1024;
    char *p, *nl;

    memset(tl, 0, sizeof *tl);
    if ((tl->text = bench_read_file(path, &len)) == NULL ||
        (tl->tok = malloc(cap * sizeof *tl->tok)) == NULL)
        return -1;
    for (p = tl->text; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        *nl = '\0';
        if (tl->n == cap) {
            char **grown = realloc(tl->tok, 2 * cap * sizeof *grown);
            if (grown == NULL)
                return -1;
            tl->tok = grown;
            cap *= 2;
        }
        tl->tok[tl->n++] = p;
    }
    return 0;
}

/* The poll's record as the server publishes it (GET /api/v1/polls/{id}). */
static struct record *cast_fetch_record(unsigned port, const char *token, const char *poll)
{
    char path[128], *body = NULL;
    struct record *rec = NULL;
    json_t *root = NULL;
    size_t len = 0;

    snprintf(path, sizeof path, "/api/v1/polls/%s", poll);
    if (bench_http_once(port, "GET", path, token, NULL, &body, &len) == 200 && body)
        root = json_loadb(body, len, 0, NULL);
    if (root == NULL || record_from_json_kind(json_object_get(root, "record"),
                                              RECORD_V1 | RECORD_THRESHOLD, &rec) != PROTO_OK)
        rec = NULL;
    json_decref(root);
    free(body);
    return rec;
}

struct build_job {
    const struct record *rec;
    const struct token_list *tokens;
    const char *path;           /* POST path of the poll's ballots */
    char **reqs;                /* out: complete requests */
    size_t *lens;
    size_t from, to;
    int bad;
};

/* Voter i's request: a fresh yes (two in three) or no ballot, POST form. */
static char *build_one(const struct build_job *job, size_t i, size_t *len)
{
    struct crypto_rng rng = crypto_rng_system();
    uint8_t votes[2] = {(uint8_t)(i % 3 != 2), (uint8_t)(i % 3 == 2)};
    struct ballot *b = NULL;
    unsigned char rho[32];
    char *text, *req = NULL;

    crypto_rng_bytes(&rng, rho, sizeof rho);
    if (ballot_create(job->rec, votes, rho, NULL, &rng, &b) != 0)
        return NULL;
    if ((text = ballot_serialize(b, BALLOT_FORM_POST, 0, NULL)) != NULL)
        req = bench_request("POST", job->path, job->tokens->tok[i], text, len);
    free(text);
    ballot_free(b);
    return req;
}

static void *build_run(void *arg)
{
    struct build_job *job = arg;
    size_t i;

    for (i = job->from; i < job->to && !job->bad; i++)
        if ((job->reqs[i] = build_one(job, i, &job->lens[i])) == NULL)
            job->bad = 1;
    return NULL;
}

/* Builds the N requests on every core. 0 or -1. */
static int cast_build(const struct record *rec, const struct token_list *tokens,
                      const char *path, size_t n, char **reqs, size_t *lens)
{
    pthread_t th[MAX_THREADS];
    struct build_job jobs[MAX_THREADS];
    unsigned t, cpus = bench_cpus();
    int bad = 0;

    for (t = 0; t < cpus; t++) {
        jobs[t] = (struct build_job){rec, tokens, path, reqs, lens, n * t / cpus,
                                     n * (t + 1) / cpus, 0};
        if (pthread_create(&th[t], NULL, build_run, &jobs[t]) != 0)
            return -1;
    }
    for (t = 0; t < cpus; t++) {
        pthread_join(th[t], NULL);
        bad |= jobs[t].bad;
    }
    return bad ? -1 : 0;
}

/* --- cast: sending them ---------------------------------------------------- */

/* One phase: requests [from, to) on conns connections, open loop at rate
 * (requests/s from t0) or closed loop when rate is 0. */
struct cast_phase {
    unsigned port;
    char **reqs;
    size_t *lens;
    size_t from, to;
    double rate, t0;
    atomic_size_t next;
    atomic_size_t ok, failed;
    double *lat;                /* seconds, per request */
};

/* Counts a cast's outcome; the first few failures are printed, with the
 * connection's reason when no answer came (status -1). */
static void cast_note(struct cast_phase *ph, int status, const struct bench_resp *r,
                      const struct bench_conn *c)
{
    if (status == 201) {
        atomic_fetch_add(&ph->ok, 1);
        return;
    }
    if (atomic_fetch_add(&ph->failed, 1) < 5)
        fprintf(stderr, "loadgen: cast answered %d %.*s\n", status,
                r ? (int)(r->body_len > 200 ? 200 : r->body_len) : (int)strlen(c->why),
                r ? r->body : c->why);
}

static void *cast_run(void *arg)
{
    struct cast_phase *ph = arg;
    struct bench_conn c;
    struct bench_resp r;
    size_t i;

    if (bench_conn_init(&c, ph->port) != 0)
        return NULL;
    while ((i = atomic_fetch_add(&ph->next, 1)) < ph->to) {
        double start = ph->rate > 0 ? ph->t0 + (double)(i - ph->from) / ph->rate : bench_now();
        int rc;

        bench_sleep_until(start);
        rc = bench_conn_send(&c, ph->reqs[i], ph->lens[i], &r);
        ph->lat[i - ph->from] = bench_now() - start;
        cast_note(ph, rc == 0 ? r.status : -1, rc == 0 ? &r : NULL, &c);
    }
    bench_conn_close(&c);
    return NULL;
}

/* The machine's CPU time so far from /proc/stat: all of it and the idle
 * part, in clock ticks summed over the cores. 0 or -1. */
static int machine_ticks(double *total, double *idle)
{
    unsigned long long v[10] = {0};
    FILE *f = fopen("/proc/stat", "r");
    int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
                       &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) : 0;
    int i;

    if (f)
        fclose(f);
    if (n < 5)
        return -1;
    *total = 0;
    for (i = 0; i < 8; i++)     /* guest time is counted in user already */
        *total += (double)v[i];
    *idle = (double)(v[3] + v[4]);
    return 0;
}

/* CPU seconds this process has used (user + system). */
static double cpu_seconds(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* With $BENCH_LATENCY_DUMP set, writes "start_s latency_ms" per request of
 * the open-loop phase to that file (for finding what the slow ones share). */
static void cast_dump(const struct cast_phase *ph)
{
    const char *path = getenv("BENCH_LATENCY_DUMP");
    FILE *f;
    size_t i;

    if (path == NULL || ph->rate <= 0 || (f = fopen(path, "w")) == NULL)
        return;
    for (i = 0; i < ph->to - ph->from; i++)
        fprintf(f, "%.4f %.3f\n", (double)i / ph->rate, 1e3 * ph->lat[i]);
    fclose(f);
}

/* Runs the phase; reports PREFIX_{ok,failed,seconds,bps,p50_ms,p99_ms,max_ms},
 * the load generator's own CPU per cast (PREFIX_client_cpu_ms) and how many
 * cores' worth of the machine were busy and idle meanwhile (PREFIX_busy_cores,
 * PREFIX_idle_cores: on a shared machine, the others' share shows there). */
static int cast_phase_run(struct cast_phase *ph, unsigned conns, const char *prefix)
{
    pthread_t th[MAX_THREADS];
    size_t n = ph->to - ph->from;
    double t, cpu = cpu_seconds(), tot0 = 0, idle0 = 0, tot1 = 0, idle1 = 0;
    double hz = (double)sysconf(_SC_CLK_TCK);
    char key[64];
    unsigned c;

    if ((ph->lat = calloc(n ? n : 1, sizeof *ph->lat)) == NULL)
        return -1;
    atomic_init(&ph->next, ph->from);
    machine_ticks(&tot0, &idle0);
    ph->t0 = bench_now() + 0.05;
    for (c = 0; c < conns; c++)
        if (pthread_create(&th[c], NULL, cast_run, ph) != 0)
            return -1;
    for (c = 0; c < conns; c++)
        pthread_join(th[c], NULL);
    t = bench_now() - ph->t0;
    machine_ticks(&tot1, &idle1);
    cast_dump(ph);          /* before the quantiles sort the latencies */
#define CAST_KEY(suffix, v) (snprintf(key, sizeof key, "%s_%s", prefix, suffix), \
                             bench_report(key, (v)))
    CAST_KEY("ok", (double)atomic_load(&ph->ok));
    CAST_KEY("failed", (double)atomic_load(&ph->failed));
    CAST_KEY("seconds", t);
    CAST_KEY("bps", (double)atomic_load(&ph->ok) / t);
    CAST_KEY("p50_ms", 1e3 * bench_quantile(ph->lat, n, 0.50));
    CAST_KEY("p99_ms", 1e3 * bench_quantile(ph->lat, n, 0.99));
    CAST_KEY("max_ms", 1e3 * bench_quantile(ph->lat, n, 1.0));
    CAST_KEY("client_cpu_ms", 1e3 * (cpu_seconds() - cpu) / (double)(n ? n : 1));
    CAST_KEY("busy_cores", (tot1 - tot0 - (idle1 - idle0)) / hz / (t + 0.05));
    CAST_KEY("idle_cores", (idle1 - idle0) / hz / (t + 0.05));
#undef CAST_KEY
    free(ph->lat);
    return atomic_load(&ph->failed) == 0 ? 0 : -1;
}

static int cmd_cast(int argc, char **argv)
{
    struct token_list tokens;
    struct cast_phase warm_ph, open_ph, closed_ph;
    unsigned port, conns;
    size_t n, rated, warm, *lens;
    char path[128], **reqs;
    struct record *rec;
    double rate, t;

    if (argc != 5 && argc != 7)
        return 2;
    port = (unsigned)atoi(argv[0]);
    n = (size_t)atol(argv[3]);
    conns = (unsigned)atoi(argv[4]);
    rate = argc == 7 ? atof(argv[5]) : 0;
    rated = argc == 7 ? (size_t)atol(argv[6]) : 0;
    if (tokens_load(argv[1], &tokens) != 0 || tokens.n < n || n == 0 || rated > n ||
        conns == 0 || conns > MAX_THREADS)
        return 2;
    snprintf(path, sizeof path, "/api/v1/polls/%s/ballots", argv[2]);
    reqs = calloc(n, sizeof *reqs);
    lens = calloc(n, sizeof *lens);
    if ((rec = cast_fetch_record(port, tokens.tok[0], argv[2])) == NULL || !reqs || !lens) {
        fprintf(stderr, "loadgen: cannot fetch poll %s's record\n", argv[2]);
        return 1;
    }
    t = bench_now();
    if (cast_build(rec, &tokens, path, n, reqs, lens) != 0)
        return 1;
    bench_report("build_bps", (double)n / (bench_now() - t));
    /* One cast per connection first, so that the measured ones find the
     * connections open and the poll's record loaded by the server. */
    warm = conns < n ? conns : n;
    rated = rated < n - warm ? rated : n - warm;
    warm_ph = (struct cast_phase){.port = port, .reqs = reqs, .lens = lens, .to = warm};
    open_ph = (struct cast_phase){.port = port, .reqs = reqs, .lens = lens, .from = warm,
                                  .to = warm + rated, .rate = rate};
    closed_ph = (struct cast_phase){.port = port, .reqs = reqs, .lens = lens,
                                    .from = warm + rated, .to = n};
    if (cast_phase_run(&warm_ph, conns, "warm") != 0)
        return 1;
    if (rated > 0 && cast_phase_run(&open_ph, conns, "open") != 0)
        return 1;
    if (warm + rated < n && cast_phase_run(&closed_ph, conns, "closed") != 0)
        return 1;
    return 0;                   /* the OS frees the requests and tokens */
}

/* --- close and board ------------------------------------------------------- */

/* Sets the poll's closes_at to now (a bench shortcut for the week's wait). */
static int close_move_deadline(const char *db_path, const char *poll)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int ok;

    ok = sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
         sqlite3_busy_timeout(db, 30000) == SQLITE_OK &&
         sqlite3_prepare_v2(db, "UPDATE polls SET closes_at = ?1 WHERE id = ?2", -1, &st,
                            NULL) == SQLITE_OK &&
         sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL)) == SQLITE_OK &&
         sqlite3_bind_text(st, 2, poll, -1, SQLITE_STATIC) == SQLITE_OK &&
         sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok ? 0 : -1;
}

static int cmd_close(int argc, char **argv)
{
    unsigned port;
    char path[128];
    double t0, deadline;
    int status = 0;

    if (argc != 3)
        return 2;
    port = (unsigned)atoi(argv[0]);
    snprintf(path, sizeof path, "/api/v1/polls/%s/result", argv[2]);
    if (close_move_deadline(argv[1], argv[2]) != 0) {
        fprintf(stderr, "loadgen: cannot move poll %s's deadline\n", argv[2]);
        return 1;
    }
    t0 = bench_now();
    deadline = t0 + 300;
    while (bench_now() < deadline &&
           (status = bench_http_once(port, "GET", path, NULL, NULL, NULL, NULL)) != 200)
        bench_sleep_until(bench_now() + 0.005);
    bench_report("close_s", bench_now() - t0);
    return status == 200 ? 0 : 1;
}

static int cmd_board(int argc, char **argv)
{
    char path[128], *body = NULL;
    size_t len = 0;
    double t;
    FILE *f;
    int ok;

    if (argc != 3)
        return 2;
    snprintf(path, sizeof path, "/api/v1/polls/%s/board", argv[1]);
    t = bench_now();
    if (bench_http_once((unsigned)atoi(argv[0]), "GET", path, NULL, NULL, &body, &len) != 200 ||
        body == NULL)
        return 1;
    t = bench_now() - t;
    ok = (f = fopen(argv[2], "wb")) != NULL && fwrite(body, 1, len, f) == len;
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    free(body);
    bench_report("board_bytes", (double)len);
    bench_report("board_fetch_s", t);
    return ok ? 0 : 1;
}

/* --- login ----------------------------------------------------------------- */

struct login_job {
    unsigned port;
    char **reqs;                /* one per user */
    size_t nusers;
    double until;
    double *lat;                /* room for cap samples */
    size_t n, cap;
    size_t failed;
};

static void *login_run(void *arg)
{
    struct login_job *job = arg;
    struct bench_conn c;
    struct bench_resp r;
    size_t i = 0;

    if (bench_conn_init(&c, job->port) != 0)
        return NULL;
    while (bench_now() < job->until && job->n < job->cap) {
        const char *req = job->reqs[i++ % job->nusers];
        double start = bench_now();
        if (bench_conn_send(&c, req, strlen(req), &r) == 0 && r.status == 200)
            job->lat[job->n++] = bench_now() - start;
        else
            job->failed++;
    }
    bench_conn_close(&c);
    return NULL;
}

/* Login requests for each "username password" line of PATH. */
static char **login_requests(const char *path, size_t *n)
{
    size_t len, rlen, i = 0;
    char *text = bench_read_file(path, &len), *line, *save = NULL, **reqs;

    if (text == NULL || (reqs = calloc(len, sizeof *reqs)) == NULL)
        return NULL;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        json_t *o;
        char *body;
        if (sp == NULL)
            continue;
        *sp = '\0';
        o = json_pack("{s:s, s:s}", "username", line, "password", sp + 1);
        body = json_dumps(o, JSON_COMPACT);
        reqs[i++] = bench_request("POST", "/api/v1/session", NULL, body, &rlen);
        json_decref(o);
        free(body);
    }
    free(text);
    *n = i;
    return i ? reqs : NULL;
}

static int cmd_login(int argc, char **argv)
{
    struct login_job jobs[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    unsigned conns, c;
    size_t nusers, total = 0, failed = 0, k;
    double *all, start, t;
    char **reqs;

    if (argc != 4 || (conns = (unsigned)atoi(argv[2])) == 0 || conns > MAX_THREADS)
        return 2;
    if ((reqs = login_requests(argv[1], &nusers)) == NULL)
        return 1;
    start = bench_now();
    for (c = 0; c < conns; c++) {
        jobs[c] = (struct login_job){(unsigned)atoi(argv[0]), reqs, nusers,
                                     start + atof(argv[3]), calloc(100000, sizeof(double)),
                                     0, 100000, 0};
        if (jobs[c].lat == NULL || pthread_create(&th[c], NULL, login_run, &jobs[c]) != 0)
            return 1;
    }
    for (c = 0; c < conns; c++) {
        pthread_join(th[c], NULL);
        total += jobs[c].n;
        failed += jobs[c].failed;
    }
    t = bench_now() - start;
    if ((all = calloc(total ? total : 1, sizeof *all)) == NULL)
        return 1;
    for (c = 0, k = 0; c < conns; c++) {
        memcpy(all + k, jobs[c].lat, jobs[c].n * sizeof *all);
        k += jobs[c].n;
    }
    bench_report("login_ok", (double)total);
    bench_report("login_failed", (double)failed);
    bench_report("login_per_s", (double)total / t);
    bench_report("login_p50_ms", 1e3 * bench_quantile(all, total, 0.50));
    bench_report("login_p99_ms", 1e3 * bench_quantile(all, total, 0.99));
    return failed == 0 && total > 0 ? 0 : 1;
}

/* --- peers ----------------------------------------------------------------- */

/* The disk's answer time: 16 KiB appended then fdatasync'd, COUNT times, in
 * directory DIR (the data directory): the floor under a durable cast. */
static int cmd_fsync(int argc, char **argv)
{
    char path[4096], block[16384];
    double *lat;
    long i, n;
    int fd;

    if (argc != 2 || (n = atol(argv[1])) <= 0)
        return 2;
    snprintf(path, sizeof path, "%s/bench-fsync.tmp", argv[0]);
    memset(block, 'x', sizeof block);
    if ((lat = calloc((size_t)n, sizeof *lat)) == NULL ||
        (fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600)) < 0)
        return 1;
    for (i = 0; i < n; i++) {
        double t;
        if (write(fd, block, sizeof block) != (ssize_t)sizeof block)
            break;
        t = bench_now();
        if (fdatasync(fd) != 0)
            break;
        lat[i] = bench_now() - t;
    }
    close(fd);
    unlink(path);
    bench_report("fsync_p50_ms", 1e3 * bench_quantile(lat, (size_t)i, 0.50));
    bench_report("fsync_p99_ms", 1e3 * bench_quantile(lat, (size_t)i, 0.99));
    free(lat);
    return i == n ? 0 : 1;
}

/* Runs ARGV to completion: its wall time and its CPU time (user + system). */
static int cmd_run(int argc, char **argv)
{
    struct rusage ru;
    double t = bench_now();
    pid_t pid;
    int status;

    if (argc < 1)
        return 2;
    if ((pid = fork()) == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 1);      /* stdout is for our report lines */
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid)
        return 1;
    bench_report("run_wall_s", bench_now() - t);
    bench_report("run_cpu_s", (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                                  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* --- main ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"limit", cmd_limit}, {"tokens", cmd_tokens}, {"open", cmd_open},
                {"cast", cmd_cast},   {"close", cmd_close},   {"board", cmd_board},
                {"login", cmd_login}, {"fsync", cmd_fsync},   {"run", cmd_run}};
    size_t i;
    int rc;

    if (crypto_init() != 0)
        return 1;
    for (i = 0; argc > 1 && i < sizeof cmds / sizeof cmds[0]; i++) {
        if (strcmp(argv[1], cmds[i].name) != 0)
            continue;
        if ((rc = cmds[i].fn(argc - 2, argv + 2)) == 2)
            fprintf(stderr, "loadgen %s: bad arguments (see tests/bench/loadgen.c)\n", argv[1]);
        return rc;
    }
    fprintf(stderr, "usage: loadgen limit|tokens|open|cast|close|board|login|fsync|run ARGS...\n");
    return 2;
}
