"""Crash safety: many voters cast at once against the real server, which is
killed with SIGKILL in the middle of the load (several times, at different
points), restarted, and left to close the poll. Then: every ballot that got a
201 and a receipt is on the board; any other ballot there is one whose answer
the kill cut off; none is there twice; the board has exactly as many ballots
as voters marked as having voted. And a kill inside the close transaction
(held open by the test-only CONCLAVE_TEST_CLOSE_DELAY_MS hook): on restart
the close happens exactly once.

Ballots are made beforehand by tests/node/make-ballots.mjs (each posted by a
different voter); API tokens are written straight into the store, as
`conclave token create` would, to keep ninety voters quick to set up."""
import base64
import hashlib
import http.client
import json
import os
import queue
import shutil
import signal
import sqlite3
import tempfile
import threading
import time

from harness import (TEST_BIN, Client, Server, Suite, close_now, make_ballots, run_cli,
                     wait_log, wait_result)


def voters_with_tokens(srv, names):
    """Imports NAMES (and 'opener') as members; returns {name: token}."""
    csv = os.path.join(srv.data_dir, "team.csv")
    with open(csv, "w") as f:
        for n in names + ["opener"]:
            f.write(f"{n},{n},\n")
    rc, _, err = run_cli(["user", "import", csv], srv.data_dir)
    if rc != 0:
        raise RuntimeError("import failed: " + err)
    tokens = {}
    con = sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"), timeout=30)
    for n in names + ["opener"]:
        tok = "cnv_" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
        mid = con.execute("select id from members where username = ?", (n,)).fetchone()[0]
        con.execute("insert into api_tokens (member_id, label, token_hash, created_at)"
                    " values (?, 'crash test', ?, ?)",
                    (mid, hashlib.sha256(tok.encode()).digest(), int(time.time())))
        tokens[n] = tok
    con.commit()
    con.close()
    return tokens


def post_ballot(port, token, pid, body):
    """('ok', tracker) on 201; ('refused',) if nothing reached the server;
    ('cut',) if the answer never came; ('status', code, error) otherwise."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        try:
            conn.connect()
        except (ConnectionRefusedError, ConnectionResetError):
            return ("refused",)     # no listener, or reset in the dead one's backlog
        try:
            conn.request("POST", f"/api/v1/polls/{pid}/ballots", body=body.encode(),
                         headers={"Authorization": "Bearer " + token,
                                  "Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException):
            return ("cut",)
        if r.status == 201:
            doc = json.loads(data)
            return ("ok", doc["tracker"], doc["receipt"])
        try:
            err = json.loads(data)["error"]["code"]
        except (ValueError, KeyError, TypeError):
            err = None
        return ("status", r.status, err)
    finally:
        conn.close()


def cast_phase(srv, pid, tokens, ballots, todo, workers, kill_after):
    """Casts ballots of the voters in TODO with WORKERS threads; SIGKILLs the
    server as the KILL_AFTER-th 201 of this phase arrives (None: no kill).
    Returns {voter: outcome}."""
    q = queue.Queue()
    for v in todo:
        q.put(v)
    out = {}
    lock = threading.Lock()
    oks = [0]
    port = srv.port
    proc = srv.proc

    def work():
        while True:
            try:
                v = q.get_nowait()
            except queue.Empty:
                return
            res = post_ballot(port, tokens[v], pid, ballots[v][0])
            with lock:
                out[v] = res
                if res[0] == "ok":
                    oks[0] += 1
                    if kill_after is not None and oks[0] == kill_after:
                        proc.send_signal(signal.SIGKILL)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if kill_after is not None:
        proc.wait()
        srv.proc = None
    return out


def wal_size(data_dir):
    wal = os.path.join(data_dir, "conclave.db-wal")
    return os.path.getsize(wal) if os.path.exists(wal) else 0


def check_board(t, srv, pid, acked, uncertain, work):
    """The four promises, on the board and in the store after the close."""
    board_bytes = srv.request("GET", f"/api/v1/polls/{pid}/board").body
    board = json.loads(board_bytes)
    trackers = [b["tracker"] for b in board["ballots"]]
    on_board = set(trackers)
    t.eq(len(trackers), len(on_board), "no ballot is on the board twice")
    missing = set(acked) - on_board
    t.check(not missing, f"every ballot answered 201 is on the board ({len(missing)} missing)")
    extra = on_board - set(acked)
    t.check(extra <= set(uncertain),
            f"every other ballot on the board is one whose answer was cut off "
            f"({len(extra - set(uncertain))} unexplained)")
    con = sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"), timeout=30)
    voted = {r[0] for r in con.execute("select username from poll_roll"
                                       " where poll_id = ? and voted = 1", (pid,))}
    con.close()
    t.eq(len(voted), len(trackers),
         f"ballots on the board ({len(trackers)}) = voters marked ({len(voted)})")
    t.check(set(acked.values()) <= voted, "every acknowledged voter is marked as having voted")
    t.check(voted <= set(acked.values()) | set(uncertain.values()),
            "no voter is marked who did not send a ballot")
    path = os.path.join(work, f"board-{pid}.json")
    with open(path, "wb") as f:
        f.write(board_bytes)
    pem = os.path.join(work, "server.pem")
    with open(pem, "wb") as f:
        f.write(srv.request("GET", "/api/v1/server-key").body)
    rc, out, err = run_cli(["verify", path, "--server-key", pem])
    t.check(rc == 0 and f"board ok: {len(trackers)} ballots" in out,
            f"conclave verify ({out.strip()}{err.strip()})")
    return board_bytes


def test_kill_during_casts(t):
    names = [f"v{i:03d}" for i in range(90)]
    srv = Server(args=["--poll-duration", "3600", "--threads", "4"]).start()
    work = tempfile.mkdtemp(prefix="conclave-crash-")
    try:
        tokens = voters_with_tokens(srv, names)
        opener = Client(srv, token=tokens["opener"])
        r = opener.post("/api/v1/polls", {"nominee": "Crash Test", "statement": "kill -9"})
        poll = r.json()
        pid = poll["id"]
        made = [(json.dumps(m["ballot"]), m["tracker"])
                for m in make_ballots(poll, len(names), "crash")]
        ballots = dict(zip(names, made))
        tracker_of = {v: ballots[v][1] for v in names}

        acked, uncertain = {}, {}       # tracker -> voter
        pending = list(names)
        # kill as the 1st, the 20th and the 25th 201 of a phase arrive, with more
        # or fewer casts in flight; the last phase runs to the end
        plan = [(8, 1), (8, 20), (3, 25), (8, None)]
        retried = set()
        for n, (workers, kill_after) in enumerate(plan):
            todo = pending
            pending = []
            out = cast_phase(srv, pid, tokens, ballots, todo, workers, kill_after)
            cut_now = []
            for v, res in out.items():
                if res[0] == "ok":
                    t.eq(res[1], tracker_of[v], f"{v}: tracker as computed")
                    acked[res[1]] = v
                    uncertain.pop(tracker_of[v], None)
                elif res[0] == "refused":
                    pending.append(v)       # never reached the server: send later
                elif res[0] == "cut":
                    uncertain[tracker_of[v]] = v
                    cut_now.append(v)
                elif res[0] == "status" and res[1] == 409 and res[2] == "already_voted" \
                        and v in retried:
                    pass                    # the cut-off first attempt had been stored
                else:
                    t.check(False, f"{v}: unexpected answer {res}")
            if kill_after is not None:
                oks = sum(1 for r in out.values() if r[0] == "ok")
                print(f"phase {n}: {oks} acknowledged, {len(cut_now)} cut off, "
                      f"{len(pending)} not sent")
                t.check(oks >= kill_after and len(pending) > 0,
                        f"phase {n}: killed mid-load at the {kill_after}th 201")
                # half of the voters cut off try again after the restart
                again = sorted(cut_now)[::2]
                retried.update(again)
                pending += again
                srv.start()
                t.eq(wal_size(srv.data_dir), 0,
                     f"phase {n}: the WAL left by the kill is checkpointed at start-up")
        left = set(names) - set(acked.values()) - set(uncertain.values())
        t.check(not left, f"every voter has sent a ballot ({sorted(left)[:5]})")
        t.check(len(uncertain) > 0, f"some answers were cut off ({len(uncertain)})")
        close_now(srv, pid)
        result = wait_result(srv, pid)
        check_board(t, srv, pid, acked, uncertain, work)
        t.check(result["ballots"] >= len(acked), "the result counts every acknowledged ballot")
        srv.stop()
        t.eq(wal_size(srv.data_dir), 0, "WAL empty after the close")
    finally:
        srv.cleanup()
        shutil.rmtree(work, ignore_errors=True)


def test_kill_during_close(t):
    names = [f"w{i:03d}" for i in range(40)]
    srv = Server(args=["--poll-duration", "3600"], binary=TEST_BIN).start(
        env={"CONCLAVE_TEST_CLOSE_DELAY_MS": "4000"})
    work = tempfile.mkdtemp(prefix="conclave-crash-")
    try:
        tokens = voters_with_tokens(srv, names)
        opener = Client(srv, token=tokens["opener"])
        poll = opener.post("/api/v1/polls", {"nominee": "Close Crash", "statement": "s"}).json()
        pid = poll["id"]
        ballots = {n: (json.dumps(m["ballot"]), m["tracker"])
                   for n, m in zip(names, make_ballots(poll, len(names), "close"))}
        out = cast_phase(srv, pid, tokens, ballots, names, 8, None)
        acked = {res[1]: v for v, res in out.items() if res[0] == "ok"}
        t.eq(len(acked), len(names), f"all {len(names)} ballots accepted")
        close_now(srv, pid)
        t.check(wait_log(srv, "test hook: holding the close"), "the close is under way")
        time.sleep(0.5)
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
        srv.proc = None
        con = sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"), timeout=30)
        row = con.execute("select closed, result is null, board is null, secret_key is not null"
                          " from polls where id = ?", (pid,)).fetchone()
        con.close()
        t.eq(row, (0, 1, 1, 1), f"killed inside the close: nothing of it stored {row}")
        srv.start()                 # without the hook: closes at start-up
        r1 = srv.request("GET", f"/api/v1/polls/{pid}/result")
        t.eq(r1.status, 200, "the close completes at start-up")
        t.check(r1.status == 200 and r1.json()["ballots"] == len(names),
                f"with every ballot ({r1.json() if r1.status == 200 else r1.status})")
        board1 = check_board(t, srv, pid, acked, {}, work)
        srv.stop()
        srv.start()
        r2 = srv.request("GET", f"/api/v1/polls/{pid}/result")
        board2 = srv.request("GET", f"/api/v1/polls/{pid}/board").body
        t.check(r2.body == r1.body and board2 == board1,
                "exactly once: the same result and board after another restart")
        logs = ""
        for f in os.listdir(srv.data_dir):
            if f.startswith("server-") and f.endswith(".log"):
                with open(os.path.join(srv.data_dir, f), errors="replace") as fh:
                    logs += fh.read()
        t.eq(logs.count(f"poll {pid} closed"), 1,
             f"one close committed in all the logs ({logs.count(f'poll {pid} closed')})")
        con = sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"), timeout=30)
        t.eq(con.execute("select secret_key is null from polls where id = ?",
                         (pid,)).fetchone()[0], 1, "the secret key is gone")
        con.close()
    finally:
        srv.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    suite = Suite("test_crash")
    if shutil.which("node") is None or not os.path.isdir("node_modules"):
        print("test_crash: node and node_modules are needed (make deps check-tests)")
        suite.failed += 1
    else:
        suite.run(test_kill_during_casts, test_kill_during_close)
    suite.finish()
