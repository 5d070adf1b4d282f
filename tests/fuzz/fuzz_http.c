/*
 * fuzz_http.c — libFuzzer target: the whole HTTP front end. Each input is
 * the raw bytes a client sends on one TCP connection to a real server in
 * this process (libmicrohttpd, the route table, every API handler and page,
 * the store), so the fuzzer reaches our parsing of Content-Length, the
 * Authorization bearer, the session cookie and CSRF header, JSON bodies
 * (login, poll submission, ballots) and forms, behind libmicrohttpd's own.
 *
 * The server is made once: a store in a fresh directory under /tmp,
 * members "basil" (admin) and "polly", a fixed API token and a fixed session
 * for basil (so seeds can authenticate: see FUZZ_TOKEN, FUZZ_SESSION,
 * FUZZ_CSRF), and the vectors' poll-1 (basil and polly are on its roll, so
 * the vectors' ballots reach the cast path). Rate limits are off (the fuzzer
 * would only meet 429s), and argon2 is replaced below by a cheap stand-in,
 * since the fuzzer is after parsing, not password hashing.
 *
 * Findings: any sanitizer report, a reply that is not HTTP/1.x, and a 500
 * (an input must never make the server fail; it is refused with a 4xx).
 * Run from the project's root (the poll comes from tests/vectors/).
 */
#define _GNU_SOURCE 1    /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <sys/poll.h>      /* not <poll.h>: -Iserver has our poll.h */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "app.h"
#include "auth.h"
#include "ballotbox.h"
#include "config.h"
#include "crypto.h"
#include "http.h"
#include "record.h"
#include "sign.h"
#include "store_durable.h"
#include "store_int.h"
#include "store_poll.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_TOKEN   "cnv_fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuz"
#define FUZZ_SESSION "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define FUZZ_CSRF    "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
#define FUZZ_PASSWORD "fuzz-password-1"

static struct config fuzz_cfg;
static struct app fuzz_app;
static struct http_server *fuzz_srv;
static unsigned fuzz_port;

/* --- argon2 stand-in: "$fuzz$" + hex(SHA-256(password)) ---------------------- */

int crypto_pwhash_str(char out[crypto_pwhash_STRBYTES], const char *const passwd,
                      unsigned long long passwdlen, unsigned long long opslimit,
                      size_t memlimit)
{
    unsigned char h[32];

    (void)opslimit;
    (void)memlimit;
    crypto_hash_sha256(h, (const unsigned char *)passwd, passwdlen);
    memcpy(out, "$fuzz$", 6);
    sodium_bin2hex(out + 6, 65, h, sizeof h);
    return 0;
}

int crypto_pwhash_str_verify(const char str[crypto_pwhash_STRBYTES], const char *const passwd,
                             unsigned long long passwdlen)
{
    char want[crypto_pwhash_STRBYTES];

    if (crypto_pwhash_str(want, passwd, passwdlen, 0, 0) != 0)
        return -1;
    return strcmp(want, str) == 0 ? 0 : -1;
}

/* --- the server --------------------------------------------------------------- */

static void fuzz_die(const char *what)
{
    fprintf(stderr, "fuzz_http: %s (run from the project's root)\n", what);
    abort();
}

static void fuzz_member(const char *name, int admin)
{
    struct auth_member_new m = {name, NULL, NULL, admin, FUZZ_PASSWORD, 0};
    const char *why = NULL;

    if (auth_member_add(fuzz_app.auth, &m, "test", &why) != CV_OK)
        fuzz_die(why ? why : "cannot add a member");
}

/* SHA-256 of basil's fixed session id, as the store keys it. */
static void fuzz_session_hash(unsigned char hash[32])
{
    unsigned char id[32];
    size_t n;

    if (sodium_hex2bin(id, sizeof id, FUZZ_SESSION, 64, NULL, &n, NULL) != 0 || n != 32)
        fuzz_die("bad session constant");
    crypto_hash_sha256(hash, id, sizeof id);
}

/* basil's fixed token and session, stored as the server would store them. */
static void fuzz_credentials(void)
{
    struct store_member m;
    unsigned char hash[32];
    int64_t now = (int64_t)time(NULL);

    if (store_member_get(fuzz_app.store, "basil", &m) != CV_OK)
        fuzz_die("no basil");
    crypto_hash_sha256(hash, (const unsigned char *)FUZZ_TOKEN, strlen(FUZZ_TOKEN));
    if (store_token_insert(fuzz_app.store, m.id, "fuzz", hash, now, NULL) != CV_OK)
        fuzz_die("cannot store the token");
    fuzz_session_hash(hash);
    if (store_session_insert(fuzz_app.store, hash, m.id, FUZZ_CSRF, now,
                             now + 10 * 365 * 86400) != CV_OK)
        fuzz_die("cannot store the session");
}

/* An input may log basil out (logout, a login sending his cookie) or have
 * the admin form deactivate him: undo it, so every input starts alike. */
static void fuzz_restore(void)
{
    struct store_member m, seen;
    unsigned char hash[32];
    char csrf[STORE_CSRF_LEN + 1];
    int64_t now = (int64_t)time(NULL);

    if (store_member_get(fuzz_app.store, "basil", &m) != CV_OK)
        fuzz_die("basil is gone");
    if (!m.active && store_member_set_active(fuzz_app.store, "basil", 1) != CV_OK)
        fuzz_die("cannot re-activate basil");
    fuzz_session_hash(hash);
    if (store_session_lookup(fuzz_app.store, hash, now, &seen, csrf) == CV_NOT_FOUND &&
        store_session_insert(fuzz_app.store, hash, m.id, FUZZ_CSRF, now,
                             now + 10 * 365 * 86400) != CV_OK)
        fuzz_die("cannot restore the session");
}

/* The vectors' poll-1, open for a year, with holder 0's secret. */
static void fuzz_poll(void)
{
    FILE *f = fopen("tests/vectors/poll.json", "rb");
    json_t *root = f != NULL ? json_loadf(f, 0, NULL) : NULL;
    json_t *entry = json_array_get(json_object_get(root, "polls"), 0);
    const char *x = json_string_value(json_object_get(
        json_array_get(json_object_get(entry, "holder_secrets"), 0), "x"));
    const char *roll[] = {"Manuel", "basil", "polly", "sybil", "terry"};
    struct record *rec = NULL;
    struct store_poll p;
    unsigned char secret[32];
    size_t len;

    if (f != NULL)
        fclose(f);
    if (record_from_json(json_object_get(entry, "record"), &rec) != PROTO_OK || x == NULL ||
        crypto_hex_decode(secret, sizeof secret, x, strlen(x)) != 0)
        fuzz_die("cannot read tests/vectors/poll.json");
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "poll-1");
    snprintf(p.nominee, sizeof p.nominee, "Vector Poll");
    snprintf(p.nominated_by, sizeof p.nominated_by, "basil");
    crypto_hex_encode(p.fingerprint, record_fingerprint(rec), 32);
    p.statement = (char *)(uintptr_t)"s";
    p.statement_html = (char *)(uintptr_t)"<p>s</p>";
    p.record = record_serialize(rec, 0, &len);
    p.opens_at = (int64_t)time(NULL) - 5;
    p.closes_at = p.opens_at + 365 * 86400;
    p.eligible = 5;
    if (p.record == NULL || store_poll_insert(fuzz_app.store, &p, NULL, secret, roll, 5) != 0)
        fuzz_die("cannot store poll-1");
    free(p.record);
    record_free(rec);
    json_decref(root);
}

static char fuzz_dir[] = "/tmp/conclave-fuzz-http-XXXXXX";

static int fuzz_unlink(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* The data directory goes with the process (the server's threads may still
 * run: they only ever see a deleted directory). */
static void fuzz_cleanup(void)
{
    nftw(fuzz_dir, fuzz_unlink, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *dir = fuzz_dir;

    (void)argc;
    (void)argv;
    if (crypto_init() != 0 || mkdtemp(fuzz_dir) == NULL)
        fuzz_die("cannot make a data directory under /tmp");
    atexit(fuzz_cleanup);
    config_defaults(&fuzz_cfg);
    snprintf(fuzz_cfg.data_dir, sizeof fuzz_cfg.data_dir, "%s", dir);
    fuzz_cfg.listen_port = 0;
    fuzz_cfg.threads = 2;
    fuzz_cfg.request_timeout = 0;       /* the watchdog is about time, not input */
    fuzz_cfg.connection_timeout = 2;    /* reap connections left waiting for bytes */
    fuzz_cfg.connection_limit = 4096;
    fuzz_cfg.login_limit = 0;
    fuzz_cfg.cast_limit = 0;
    fuzz_app.cfg = &fuzz_cfg;
    if (store_open(dir, &fuzz_app.store) != 0 ||
        sign_key_open(dir, &fuzz_app.key) != 0 ||
        auth_open(fuzz_app.store, NULL, &fuzz_app.auth) != 0 ||
        auth_set_attempt_limit(fuzz_app.auth, 0) != 0 ||
        ballotbox_new(fuzz_app.store, fuzz_app.key, &fuzz_app.box) != 0)
        fuzz_die("cannot open the store");
    /* the fuzzer's store need not survive a power cut */
    store_lock(fuzz_app.store);
    sqlite3_exec(store_db(fuzz_app.store), "PRAGMA synchronous=OFF", NULL, NULL, NULL);
    store_unlock(fuzz_app.store);
    if (store_durable_start(fuzz_app.store) != 0)   /* the casts' group commit */
        fuzz_die("cannot start the store's group commit");
    fuzz_member("basil", 1);
    fuzz_member("polly", 0);
    fuzz_credentials();
    fuzz_poll();
    if (http_server_start(&fuzz_cfg, &fuzz_app, &fuzz_srv) != 0)
        fuzz_die("cannot start the server");
    fuzz_port = http_server_port(fuzz_srv);
    return 0;
}

/* Walks the HTTP answers in BUF (LEN bytes; each with its Content-Length
 * body, none for 1xx, 204 and 304). Returns 1 if BUF is whole answers only;
 * *status_500 is set if one of them (its status line, not a body that
 * echoes the input) is a 500. */
static int fuzz_answers(const char *buf, size_t len, int *status_500)
{
    const char *p = buf, *end = buf + len, *head_end, *cl;
    unsigned long body, status;

    while (p < end) {
        head_end = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (head_end == NULL || head_end - p < 12)
            return 0;
        status = strtoul(p + 9, NULL, 10);
        if (status == 500)
            *status_500 = 1;
        body = 0;
        cl = memmem(p, (size_t)(head_end - p), "Content-Length: ", 16);
        if (status >= 200 && status != 204 && status != 304) {
            if (cl == NULL)
                return 0;       /* the body runs until the close */
            body = strtoul(cl + 16, NULL, 10);
        }
        p = head_end + 4;
        if ((size_t)(end - p) < body)
            return 0;
        p += body;
    }
    return 1;
}

/*
 * Sends DATA on a new connection and reads the answers. libmicrohttpd (edge-
 * triggered epoll) may not notice a FIN that arrives with the request's last
 * bytes, and then keeps the connection open after its answer; so the FIN is
 * sent a moment later, and the reading stops at the close, or once whole
 * answers have been followed by a short silence.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sockaddr_in sa;
    struct pollfd pfd;
    static char resp[1 << 20];
    size_t got = 0, sent = 0;
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), quiet_ms = 0, failed = 0;

    if (fd < 0)
        abort();
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)fuzz_port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        abort();
    pfd.fd = fd;
    pfd.events = POLLIN;
    while (sent < size) {
        n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;          /* the server may answer and close early (413, 431) */
        sent += (size_t)n;
    }
    (void)poll(&pfd, 1, 2);
    shutdown(fd, SHUT_WR);
    for (;;) {
        if (poll(&pfd, 1, 5) == 0) {
            quiet_ms += 5;
            if ((got > 0 && fuzz_answers(resp, got, &failed) && quiet_ms >= 20) ||
                quiet_ms >= 300)
                break;      /* answered and idle, or waiting for bytes that never come */
            continue;
        }
        n = recv(fd, resp + got, got < sizeof resp - 1 ? sizeof resp - 1 - got : 1, 0);
        if (n <= 0)
            break;          /* closed (or reset) */
        if (got < sizeof resp - 1)
            got += (size_t)n;
        quiet_ms = 0;
    }
    close(fd);
    resp[got] = '\0';
    fuzz_restore();
    if (got > 0 && strncmp(resp, "HTTP/1.", 7) != 0) {
        fprintf(stderr, "fuzz_http: the answer is not HTTP: %.40s\n", resp);
        abort();
    }
    /* every answer on the connection (requests may be pipelined) */
    failed = 0;
    (void)fuzz_answers(resp, got, &failed);
    if (failed) {
        fprintf(stderr, "fuzz_http: a 500 answer:\n%.600s\n", resp);
        abort();
    }
    return 0;
}
