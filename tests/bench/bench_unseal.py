#!/usr/bin/env python3
"""bench_unseal.py — polls sealed by a council of trustees (`make bench-unseal`):

1. deadline to result with three `conclave trustee watch` agents (interval 1 s) on
   loopback, at BENCH_UNSEAL_AGENTS ballots (default 1,000): from the poll's
   closes_at to the first 200 of its result;
2. a trustee's `conclave trustee decrypt` on the partial board of a poll of
   BENCH_UNSEAL_BIG ballots (default 100,000), against `conclave verify` of the
   same board (wall and CPU time, the ratio).

Each poll lasts long enough to build and cast its ballots at BENCH_UNSEAL_RATE
casts a second (default 100, which a loaded 2-core machine keeps up); the
bench waits for the deadline either way. If a cast fails, the server's whole
log is kept in $BUILD/bench-unseal-server.log and loadgen says why (the
answer, or the connection's fate: refused, closed by the server, reset).

The council is the vectors' 3-of-5 (QUAL 1, 2, 3, 5), seeded with the test build's
hook; the roster is imported (`conclave user import`) and its tokens made in bulk
(`loadgen tokens`); ballots are built and cast by `loadgen cast`. Prints a
Markdown table on stdout. Python 3 standard library only.
"""
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

BUILD = os.environ.get("BUILD", "build")
BIN = os.environ.get("CONCLAVE_BIN", "./conclave")
TEST_BIN = os.environ.get("CONCLAVE_TEST_BIN", BIN + "-test")
LOADGEN = os.environ.get("LOADGEN", os.path.join(BUILD, "loadgen"))
AGENTS_N = int(os.environ.get("BENCH_UNSEAL_AGENTS", "1000"))
BIG_N = int(os.environ.get("BENCH_UNSEAL_BIG", "100000"))
# The casts per second the poll's duration allows for (the ballots are built, then
# cast, before the deadline): a loaded machine casts fewer than a quiet one.
RATE = int(os.environ.get("BENCH_UNSEAL_RATE", "100"))
VEC = json.load(open("tests/vectors/threshold/ceremony.json"))
TRUSTEES = ["trustee-ada", "trustee-grace", "trustee-barbara", "trustee-edsger",
            "trustee-frances"]


def say(msg):
    print(f"bench-unseal: {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, token=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def timed(argv, env=None):
    """Runs ARGV; returns (exit code, wall s, CPU s of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=3600)
    wall = time.time() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode not in (0, 3):
        say(f"{argv[1]}: exit {p.returncode}: {p.stderr.strip()}")
    return p.returncode, wall, cpu


class Bench:
    def __init__(self, n, duration):
        self.dir = tempfile.mkdtemp(prefix="conclave-bench-unseal-")
        self.data = os.path.join(self.dir, "data")
        self.n = n
        roster = os.path.join(self.dir, "roster.csv")
        with open(roster, "w") as f:
            f.write("username,display name,email\n")
            for i in range(n):
                f.write(f"v{i:06d},Voter {i},\n")
            for t in TRUSTEES:
                f.write(f"{t},{t},\n")
        subprocess.run([BIN, "user", "import", roster, "--data", self.data], check=True,
                       capture_output=True)
        self.tokens = os.path.join(self.dir, "tokens")
        subprocess.run([LOADGEN, "tokens", self.data, str(n), self.tokens], check=True,
                       capture_output=True)
        self.ttok = {}
        for t in TRUSTEES:
            out = subprocess.run([BIN, "token", "create", t, "--data", self.data], check=True,
                                 capture_output=True, text=True).stdout
            self.ttok[t] = [w for w in out.split() if w.startswith("cnv_")][0]
        subprocess.run([TEST_BIN, "test-seed-council", "--data", self.data,
                        "tests/vectors/threshold/ceremony.json"], check=True)
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "server.log"), "wb")
        self.srv = subprocess.Popen([BIN, "serve", "--data", self.data, "--listen",
                                     f"127.0.0.1:{self.port}", "--poll-duration", str(duration),
                                     "--login-limit", "0", "--cast-limit", "0"],
                                    stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                if get(self.port, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        self.keys()

    def keys(self):
        tr = VEC["trace"]
        self.homes = {}
        for k in tr["verification_keys"]:
            j = k["index"]
            home = os.path.join(self.dir, f"t{j}")
            os.makedirs(os.path.join(home, "conclave"))
            path = os.path.join(home, "conclave", "trustee-council-2026.json")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
            os.write(fd, json.dumps({"conclave_trustee_key": 1,
                                     "server": f"http://127.0.0.1:{self.port}",
                                     "council": "council-2026", "index": j, "share": k["x"],
                                     "verification_key": k["X"],
                                     "ceremony_digest": tr["ceremony_digest"],
                                     "council_key": tr["Y_T"]}).encode())
            os.close(fd)
            self.homes[j] = home

    def env(self, j):
        return dict(os.environ, XDG_CONFIG_HOME=self.homes[j],
                    CONCLAVE_TOKEN=self.ttok[TRUSTEES[j - 1]])

    def open_and_cast(self, nominee):
        tok = open(self.tokens).readline().strip()
        pid = subprocess.run([LOADGEN, "open", str(self.port), tok, nominee], check=True,
                             capture_output=True, text=True).stdout.strip()
        say(f"casting {self.n} ballots in poll {pid}")
        p = subprocess.run([LOADGEN, "cast", str(self.port), self.tokens, pid, str(self.n), "16"],
                           capture_output=True, text=True)
        if p.returncode != 0:
            kept = os.path.join(BUILD, "bench-unseal-server.log")
            shutil.copy(os.path.join(self.dir, "server.log"), kept)
            with open(kept, errors="replace") as f:
                log = f.read()[-1500:]
            raise RuntimeError("loadgen cast: " + p.stderr[-500:] + "\nserver (all of it in " +
                               kept + "): " + log)
        say("cast: " + " ".join(l for l in p.stdout.split("\n") if l.startswith("closed_")))
        st, body = get(self.port, f"/api/v1/polls/{pid}", tok)
        view = json.loads(body)
        roster = os.path.join(self.dir, f"roster-{pid}.txt")
        with open(roster, "w") as f:
            f.write("\n".join(view["record"]["roll"]) + "\n")
        return pid, view, roster

    def wait_state(self, pid, state, timeout):
        tok = open(self.tokens).readline().strip()
        end = time.time() + timeout
        while time.time() < end:
            st, body = get(self.port, f"/api/v1/polls/{pid}", tok)
            if st == 200 and json.loads(body)["state"] == state:
                return True
            time.sleep(0.1)
        return False

    def close(self):
        self.srv.terminate()
        self.srv.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def closes_epoch(view):
    return time.mktime(time.strptime(view["closes_at"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone


def bench_agents(rows):
    n = AGENTS_N
    b = Bench(n, 30 + n // RATE)
    try:
        pid, view, roster = b.open_and_cast("Bench Agents")
        agents = [subprocess.Popen([BIN, "trustee", "watch", "--server",
                                    f"http://127.0.0.1:{b.port}", "--roster", roster,
                                    "--interval", "1"], env=b.env(j), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL) for j in (1, 3, 5)]
        deadline = closes_epoch(view)
        say(f"waiting for the deadline ({deadline - time.time():.0f} s) and the result")
        while True:
            st, _ = get(b.port, f"/api/v1/polls/{pid}/result")
            if st == 200:
                break
            time.sleep(0.05)
        say(f"result {time.time() - deadline:.1f} s after the deadline")
        rows.append((f"deadline to published result, three `trustee watch` agents "
                     f"(--interval 1), {n:,} ballots", f"{time.time() - deadline:.1f} s"))
        for a in agents:
            a.terminate()
        for a in agents:
            try:
                a.wait(timeout=10)
            except subprocess.TimeoutExpired:
                a.kill()            # still verifying the board after the result: nothing to post
                a.wait()
    finally:
        b.close()


def bench_decrypt(rows):
    n = BIG_N
    b = Bench(n, 60 + n // RATE)
    try:
        pid, view, roster = b.open_and_cast("Bench Decrypt")
        say(f"waiting for poll {pid} to close")
        b.wait_state(pid, "decrypting", 60 + n // RATE + 300)
        st, board = get(b.port, f"/api/v1/polls/{pid}/board")
        path = os.path.join(b.dir, "partial.json")
        with open(path, "wb") as f:
            f.write(board)
        digest = VEC["trace"]["ceremony_digest"]
        say("conclave verify on the partial board")
        _, vwall, vcpu = timed([BIN, "verify", path, "--allow-partial", "--ceremony-digest", digest])
        say("conclave trustee decrypt")
        rc, dwall, dcpu = timed([BIN, "trustee", "decrypt", "--server",
                                 f"http://127.0.0.1:{b.port}", pid, "--roster", roster],
                                env=b.env(2))
        rows.append((f"`conclave verify` of the partial board, {n:,} ballots ({len(board) / 1e6:.0f} MB)",
                     f"{vwall:.1f} s wall, {vcpu:.1f} s CPU"))
        rows.append((f"a trustee's `conclave trustee decrypt` of it (fetch, verify, T10, shares, post; exit {rc})",
                     f"{dwall:.1f} s wall, {dcpu:.1f} s CPU: {dwall / vwall:.2f}× verify's wall time"))
    finally:
        b.close()


def main():
    rows = []
    if AGENTS_N > 0:
        bench_agents(rows)
    if BIG_N > 0:
        bench_decrypt(rows)
    print(f"| polls sealed by a council (`make bench-unseal`, {os.cpu_count()} cores) | |")
    print("|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
