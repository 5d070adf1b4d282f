/*
 * bench.h — the pieces the load generator (loadgen.c) is made of: a minimal
 * HTTP/1.1 keep-alive client over plain sockets (bench_http.c) and clock,
 * statistics, file and poll-record helpers (bench_util.c), shared with
 * bench_verify.c.
 *
 * Bench code only: it talks to a server on 127.0.0.1 that the bench itself
 * started, trusts its answers' framing (Content-Length, or chunked for the
 * streamed board) and never runs in `make test`.
 */
#ifndef CONCLAVE_BENCH_H
#define CONCLAVE_BENCH_H

#include <stddef.h>

/* One keep-alive connection to 127.0.0.1:port. */
struct bench_conn {
    int fd;                 /* -1 while not connected */
    unsigned port;
    char *buf;              /* received bytes not yet consumed */
    size_t len, cap;
    char *body;             /* a chunked body, decoded */
    size_t body_len, body_cap;
    char why[96];           /* why the last bench_conn_send failed */
};

/* A parsed response; body points into the connection's buffer and stays
 * valid until the next request on that connection. */
struct bench_resp {
    int status;
    const char *body;
    size_t body_len;
};

/* Prepares C for port (connects lazily). 0 or -1. */
int bench_conn_init(struct bench_conn *c, unsigned port);

/* Closes the socket and frees the buffer. */
void bench_conn_close(struct bench_conn *c);

/* Sends the complete request REQ (LEN bytes, headers and body) and reads one
 * response into *out, reconnecting once if the server had closed the
 * connection. 0, or -1 on a socket or framing error. */
int bench_conn_send(struct bench_conn *c, const char *req, size_t len, struct bench_resp *out);

/* Formats a request: METHOD PATH with an optional bearer TOKEN and an
 * optional JSON BODY (NULL: none). Malloc'd text, *len its length. */
char *bench_request(const char *method, const char *path, const char *token,
                    const char *body, size_t *len);

/* One request on its own (fresh) connection; the body is copied to a
 * malloc'd NUL-terminated *body (may be NULL). Returns the status or -1. */
int bench_http_once(unsigned port, const char *method, const char *path, const char *token,
                    const char *json, char **body, size_t *body_len);

/* Monotonic seconds. */
double bench_now(void);

/* Sleeps until the monotonic time T (seconds). */
void bench_sleep_until(double t);

#define BENCH_MAX_CPUS 256

/* Online CPUs (at least 1, at most BENCH_MAX_CPUS). */
unsigned bench_cpus(void);

/* Sorts V (N values) and returns the P-quantile (0 <= p <= 1); 0 when N = 0. */
double bench_quantile(double *v, size_t n, double p);

/* A whole file, NUL-terminated (malloc'd); NULL on error. */
char *bench_read_file(const char *path, size_t *len);

struct record;

/* A record like an opened poll's (yes/no, min = max = 1) with a roll of
 * N_ROLL voters "v00000000".. and a fresh server key whose secret goes to x0.
 * NULL on failure; free with record_free. */
struct record *bench_record(size_t n_roll, unsigned char x0[32]);

/* Prints "key value" on stdout (the line format run.sh reads). */
void bench_report(const char *key, double value);

/* The reference verifier (bench_reference.c): a ballot's proofs checked with
 * libsodium's scalar multiplications, as before issue 20. 0 if they hold,
 * -1 if not. */
struct ballot;
struct record;
int bench_reference_verify(const struct ballot *b, const struct record *rec);

/* Writes a signed board of N yes/no ballots of a fresh poll (bench_record)
 * to BOARD_PATH and its server key (PEM) to KEY_PATH (bench_board.c). 0 or -1. */
int bench_board_make(size_t n, const char *board_path, const char *key_path);

#endif
