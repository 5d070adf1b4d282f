#!/usr/bin/env python3
"""test_verify_threshold.py — `conclave verify` on boards of polls sealed by trustees.

Runs the real binary (env CONCLAVE_BIN, default ./conclave) from the project's root
on tests/vectors/threshold/ (PROTOCOL-threshold T8): the final board passes with the
server key and the ceremony digest its trustees published; without the digest it
exits 5 (before 4, the unchecked signature) unless --no-ceremony-digest; the partial
board exits 3; a wrong digest, or a digest given for a board sealed by the server
only, exits 1 with code `ceremony`; every invalid case of invalid.json (the ceremony
cases put into the board as its transcript) exits 1 naming its code; usage errors
exit 2. Python 3 standard library only. The last line printed is
"test_verify_threshold: N passed, N failed"; the exit status is non-zero on failure.
"""
import json
import os
import subprocess
import sys
import tempfile

BIN = os.environ.get("CONCLAVE_BIN", "./conclave")
VEC = "tests/vectors/threshold"
KEY = "tests/vectors/server.pem"
BOARD = os.path.join(VEC, "board.json")
PARTIAL = os.path.join(VEC, "board-partial.json")

passed = 0
failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL test_verify_threshold: %s" % what)


def run(args):
    p = subprocess.run([BIN, "verify"] + args, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


DIGEST = load(os.path.join(VEC, "ceremony.json"))["trace"]["ceremony_digest"]
LINE = ("board ok: 7 ballots, counts [5, 2] passed=true; sealed by 3 of 4 trustees "
        "(ceremony digest %s), shares of the server and trustees 1, 3, 5\n" % DIGEST)


def test_final():
    rc, out, err = run([BOARD, "--server-key", KEY, "--ceremony-digest", DIGEST])
    check(rc == 0 and out == LINE and err == "",
          "key and digest: exit 0: rc=%d out=%r err=%r" % (rc, out, err))
    rc, out, err = run([BOARD, "--server-key", KEY, "--ceremony-digest", DIGEST.upper()])
    check(rc == 0, "the digest in capitals: rc=%d err=%r" % (rc, err))
    rc, out, err = run([BOARD, "--server-key", KEY])
    check(rc == 5 and out == LINE and "--ceremony-digest" in err and "exit 5" in err,
          "no digest: exit 5, saying why: rc=%d out=%r err=%r" % (rc, out, err))
    rc, out, err = run([BOARD])
    check(rc == 5, "neither digest nor key: 5 first: rc=%d err=%r" % (rc, err))
    rc, out, err = run([BOARD, "--ceremony-digest", DIGEST])
    check(rc == 4 and "--server-key" in err, "digest, no key: exit 4: rc=%d err=%r" % (rc, err))
    rc, out, err = run([BOARD, "--server-key", KEY, "--no-ceremony-digest"])
    check(rc == 0 and out == LINE and err == "", "--no-ceremony-digest: rc=%d" % rc)
    rc, out, err = run([BOARD, "--no-ceremony-digest", "--no-signature"])
    check(rc == 0, "both accepted unchecked: rc=%d" % rc)
    rc, out, err = run(["--threads", "1", BOARD, "--server-key", KEY, "--ceremony-digest",
                        DIGEST])
    check(rc == 0 and out == LINE, "one thread: rc=%d" % rc)
    wrong = ("0" if DIGEST[0] != "0" else "1") + DIGEST[1:]
    rc, out, err = run([BOARD, "--server-key", KEY, "--ceremony-digest", wrong])
    check(rc == 1 and out == "" and err.rstrip().endswith(": ceremony"),
          "another digest: exit 1, ceremony: rc=%d err=%r" % (rc, err))
    rc, out, err = run(["tests/vectors/board.json", "--server-key", KEY, "--ceremony-digest",
                        DIGEST])
    check(rc == 1 and "server only" in err,
          "a digest for a board sealed by the server only: rc=%d err=%r" % (rc, err))
    rc, out, err = run(["tests/vectors/board.json", "--server-key", KEY])
    check(rc == 0 and "sealed by" not in out, "a v1 board as before: rc=%d out=%r" % (rc, out))


def test_partial():
    for args in (["--server-key", KEY, "--ceremony-digest", DIGEST], [], ["--no-ceremony-digest"]):
        rc, out, err = run([PARTIAL] + args)
        check(rc == 3 and out.startswith("board ok (partial") and "trustee 1\n" in out,
              "partial %s: exit 3: rc=%d out=%r err=%r" % (args, rc, out, err))
    rc, out, err = run([PARTIAL, "--allow-partial", "--ceremony-digest", DIGEST])
    check(rc == 0 and err == "", "partial, accepted, digest compared: rc=%d err=%r" % (rc, err))
    rc, out, err = run([PARTIAL, "--allow-partial"])
    check(rc == 5, "partial, accepted, digest not compared: 5: rc=%d" % rc)


def test_invalid():
    cases = load(os.path.join(VEC, "invalid.json"))["cases"]
    board = load(BOARD)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "b.json")
        for case in cases:
            if "board" in case:
                doc = case["board"]
            else:               # the ceremony is checked first (T8 step 1)
                doc = dict(board)
                doc["ceremony"] = case["ceremony"]
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f, indent=2, ensure_ascii=False)
            rc, out, err = run([path, "--server-key", KEY, "--ceremony-digest", DIGEST])
            got = err.rstrip().rsplit(": ", 1)[-1]
            check(rc == 1 and out == "" and got == case["reason"],
                  "%s: want exit 1 %s, got exit %d %s (%r)"
                  % (case["name"], case["reason"], rc, got, err))


def test_usage():
    rc, out, err = run([BOARD, "--ceremony-digest", DIGEST, "--no-ceremony-digest"])
    check(rc == 2 and "contradict" in err, "digest and --no-ceremony-digest: rc=%d" % rc)
    rc, out, err = run([BOARD, "--ceremony-digest", DIGEST[:62]])
    check(rc == 2 and "64 hex" in err, "a short digest: rc=%d err=%r" % (rc, err))
    rc, out, err = run([BOARD, "--ceremony-digest"])
    check(rc == 2, "a missing digest: rc=%d" % rc)
    rc, out, err = run(["--help"])
    check(rc == 0 and all(s in out for s in ("--ceremony-digest HEX", "--no-ceremony-digest",
                                             "  5  sealed by trustees")),
          "--help documents the option and exit 5")


def main():
    try:
        test_final()
        test_partial()
        test_invalid()
        test_usage()
    except Exception as e:  # a crash counts as a failure, with its reason
        check(False, "exception: %r" % (e,))
    print("test_verify_threshold: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
