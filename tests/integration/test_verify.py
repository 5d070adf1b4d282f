#!/usr/bin/env python3
"""test_verify.py — `conclave verify` on the vector boards and tampered copies.

Runs the real binary (env CONCLAVE_BIN, default ./conclave) from the project's
root: every vector board passes with the server key (and from stdin); without
it, exit 4 unless --no-signature; partial boards exit 3 unless
--allow-partial; tampered copies exit 1 naming the reason code, usage errors
exit 2. Python 3 standard library only. The last line printed is
"test_verify: N passed, N failed"; the exit status is non-zero on failure.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, Suite  # noqa: E402

VEC = "tests/vectors"
KEY = os.path.join(VEC, "server.pem")


def run(args, stdin=None):
    p = subprocess.run([BIN, "verify"] + args, input=stdin, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def load(name):
    with open(os.path.join(VEC, name), encoding="utf-8") as f:
        return json.load(f)


def test_vectors(t):
    want = {
        "board.json": "board ok: 7 ballots, counts [5, 2] passed=true\n",
        "board-3holders.json": "board ok: 6 ballots, counts [3, 1, 1] passed=none\n",
        "board-empty.json": "board ok: 0 ballots, counts [0, 0] passed=false\n",
        "board-identity.json": "board ok: 2 ballots, counts [1, 1] passed=false\n",
    }
    for name, line in want.items():
        path = os.path.join(VEC, name)
        rc, out, err = run([path, "--server-key", KEY])
        t.check(rc == 0 and out == line, "%s with key: rc=%d out=%r err=%r" % (name, rc, out, err))
        rc, out, err = run([path])
        t.check(rc == 4 and out == line and "signature was not checked" in err
              and "--server-key" in err,
              "%s without key: exit 4, saying why: rc=%d out=%r err=%r" % (name, rc, out, err))
        rc, out, err = run([path, "--no-signature"])
        t.check(rc == 0 and out == line and err == "",
              "%s without key, --no-signature: rc=%d out=%r err=%r" % (name, rc, out, err))
        with open(path, "rb") as f:
            rc, out, err = run(["-", "--server-key", KEY], stdin=f.read())
        t.check(rc == 0 and out == line, "%s from stdin: rc=%d out=%r" % (name, rc, out))
    partial = os.path.join(VEC, "board-partial.json")
    for args in (["--server-key", KEY], [], ["--no-signature"]):
        rc, out, err = run([partial] + args)
        t.check(rc == 3 and out.startswith("board ok (partial") and "6 ballots" in out
              and "partial board" in err and "--allow-partial" in err,
              "partial board %s: exit 3, saying why: rc=%d out=%r err=%r" % (args, rc, out, err))
    for args in (["--server-key", KEY], [], ["--no-signature"]):
        rc, out, err = run([partial, "--allow-partial"] + args)
        t.check(rc == 0 and out.startswith("board ok (partial") and err == "",
              "partial board --allow-partial %s: rc=%d err=%r" % (args, rc, err))
    rc, out, err = run([os.path.join(VEC, "board.json"), "--allow-partial"])
    t.eq(rc, 4, "a complete board without key, --allow-partial only: still 4 (rc=%d)" % rc)
    # The field test's case: a complete board whose decryptions and result were
    # emptied is partial (exit 3); with the keys deleted it is no board (exit 1).
    tmp = tempfile.mkdtemp(prefix="conclave-verify-cut-")
    try:
        board = load("board.json")
        board["decryptions"], board["result"] = [], None
        cut = os.path.join(tmp, "cut.json")
        with open(cut, "w", encoding="utf-8") as f:
            json.dump(board, f)
        rc, out, err = run([cut, "--server-key", KEY])
        t.check(rc == 3 and "partial board" in err,
                "board.json with its decryptions and result emptied: exit 3 (rc=%d err=%r)"
                % (rc, err))
        del board["decryptions"], board["result"]
        with open(cut, "w", encoding="utf-8") as f:
            json.dump(board, f)
        rc, out, err = run([cut, "--server-key", KEY])
        t.check(rc == 1 and out == "", "board.json with its decryptions and result deleted: "
                "exit 1, never 0 (rc=%d err=%r)" % (rc, err))
    finally:
        shutil.rmtree(tmp)
    rc, out, err = run(["--threads", "1", os.path.join(VEC, "board.json"), "--server-key", KEY])
    t.check(rc == 0 and "counts [5, 2]" in out, "one thread: rc=%d" % rc)


def tampered(t, tmp, name, mutate, want_code, key=True):
    board = load(name)
    mutate(board)
    path = os.path.join(tmp, "tampered.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(board, f, indent=2, ensure_ascii=False)
    rc, out, err = run([path] + (["--server-key", KEY] if key else []))
    t.check(rc == 1 and err.rstrip().endswith(": " + want_code) and out == "",
          "%s tampered, want %s: rc=%d out=%r err=%r" % (name, want_code, rc, out, err))


def flip(s):
    return ("1" if s[0] == "0" else "0") + s[1:]


def test_tampered(t):
    def count(b):
        b["result"]["counts"][0] += 1

    def share(b):
        sh = b["decryptions"][0]["shares"][1]
        sh["s"] = flip(sh["s"])

    def drop(b):
        del b["ballots"][2]

    def reorder(b):
        b["ballots"][0], b["ballots"][1] = b["ballots"][1], b["ballots"][0]

    def signature(b):
        b["result"]["signature"] = flip(b["result"]["signature"])

    def ballot_proof(b):
        p = b["ballots"][3]["choices"][0]["proof"][1]
        p["c"] = flip(p["c"])

    def passed(b):
        b["result"]["passed"] = False

    def digest(b):
        b["result"]["ballots_digest"] = flip(b["result"]["ballots_digest"])

    def extra(b):
        b["note"] = "hello"

    def duplicate(b):
        b["ballots"].insert(1, b["ballots"][1])

    with tempfile.TemporaryDirectory() as tmp:
        tampered(t, tmp, "board.json", count, "count")
        tampered(t, tmp, "board.json", share, "proof")
        tampered(t, tmp, "board.json", drop, "tally")
        tampered(t, tmp, "board.json", reorder, "order")
        tampered(t, tmp, "board.json", signature, "signature")
        tampered(t, tmp, "board.json", ballot_proof, "proof")
        tampered(t, tmp, "board.json", passed, "result")
        tampered(t, tmp, "board.json", digest, "ballots_digest")
        tampered(t, tmp, "board.json", extra, "shape")
        tampered(t, tmp, "board.json", duplicate, "order")
        tampered(t, tmp, "board-3holders.json", share, "proof")
        tampered(t, tmp, "board-partial.json", share, "proof")
        # without the key the signature is not checked
        board = load("board.json")
        signature(board)
        path = os.path.join(tmp, "sig.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(board, f, indent=2, ensure_ascii=False)
        rc, out, err = run([path])
        t.eq(rc, 4, "a forged signature without key: not checked, exit 4: rc=%d" % rc)
        rc, out, err = run([path, "--no-signature"])
        t.eq(rc, 0, "... and 0 when the caller accepts that: rc=%d" % rc)
        # not JSON at all
        with open(path, "w") as f:
            f.write("{\"protocol\": ")
        rc, out, err = run([path])
        t.check(rc == 1 and "shape" in err, "truncated board: rc=%d err=%r" % (rc, err))


def test_usage(t):
    rc, out, err = run([])
    t.check(rc == 2 and "usage" in err, "no board: rc=%d" % rc)
    rc, out, err = run(["--help"])
    t.check(rc == 0 and "usage" in out, "--help: rc=%d" % rc)
    rc, out, err = run(["--bogus", os.path.join(VEC, "board.json")])
    t.eq(rc, 2, "unknown option: rc=%d" % rc)
    rc, out, err = run(["a.json", "b.json"])
    t.eq(rc, 2, "two boards: rc=%d" % rc)
    rc, out, err = run([os.path.join(VEC, "board.json"), "--server-key", KEY, "--no-signature"])
    t.check(rc == 2 and "contradict" in err, "--server-key with --no-signature: rc=%d" % rc)
    rc, out, err = run(["--help"])
    t.check(all(s in out for s in ("--allow-partial", "--no-signature", "  3  partial",
                                 "  4  complete")), "--help documents the exit codes")
    rc, out, err = run(["/nonexistent/board.json"])
    t.check(rc == 1 and err != "", "missing file: rc=%d" % rc)
    rc, out, err = run([os.path.join(VEC, "board.json"), "--server-key",
                        os.path.join(VEC, "board.json")])
    t.check(rc == 1 and "PEM" in err, "bad key file: rc=%d err=%r" % (rc, err))


if __name__ == "__main__":
    t = Suite("test_verify")
    t.run(test_vectors, test_tampered, test_usage)
    t.finish()
