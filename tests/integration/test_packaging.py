"""What an operator gets from a clean clone: the production binary without the
test hooks, a server that refuses to start without the static files its
pages load, `make` building them, `make install`, and the protocol kept in
the repository.
"""
import os
import subprocess
import sys
import tempfile
import time
import shutil

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, TEST_BIN, Client, Server, Suite, add_member, create_token  # noqa: E402

HOOKS = {"CONCLAVE_TEST_CLOSE_DELAY_MS": "6000", "CONCLAVE_TEST_COMPACT_DELAY_MS": "6000"}


def close_and_compact(binary, env):
    """A 2-second poll with one ballot on BINARY (started with ENV); returns
    (seconds from the deadline to the result, seconds to the compaction, log)."""
    srv = Server(args=["--poll-duration", "2"], binary=binary).start(env=env)
    try:
        add_member(srv.data_dir, "hana")
        tok = create_token(srv.data_dir, "hana")
        poll = Client(srv, token=tok).post("/api/v1/polls",
                                           {"nominee": "Hook Test", "statement": "s"}).json()
        deadline = time.time() + 2          # --poll-duration 2, give or take a second
        closed = compacted = None
        end = time.time() + 40
        while time.time() < end and compacted is None:
            if closed is None and srv.request(
                    "GET", f"/api/v1/polls/{poll['id']}/result").status == 200:
                closed = time.time() - deadline
            if f"poll {poll['id']}: database compacted" in srv.log():
                compacted = time.time() - deadline
            time.sleep(0.1)
        return closed, compacted, srv.log()
    finally:
        srv.cleanup()


def test_no_test_hooks(t):
    """The production binary carries no test hook: no CONCLAVE_TEST_ variable
    in it, and setting them changes nothing; the test build has them."""
    with open(BIN, "rb") as f:
        image = f.read()
    t.check(b"CONCLAVE_TEST_" not in image,
            f"{BIN} names no CONCLAVE_TEST_ variable (found "
            f"{image.count(b'CONCLAVE_TEST_')})")
    closed, compacted, log = close_and_compact(BIN, HOOKS)
    t.check(closed is not None and closed < 4,
            f"with the hook variables set, {BIN} closes at once ({closed} s after the deadline)")
    t.check(compacted is not None and compacted < 5,
            f"... and compacts at once ({compacted} s)")
    t.check("test hook" not in log, "its log mentions no test hook")
    closed, compacted, log = close_and_compact(TEST_BIN, HOOKS)
    t.check("test hook: holding the close" in log and closed is not None and closed >= 5,
            f"the test build {TEST_BIN} has the hooks (closed {closed} s after the deadline)")


def test_run_sh_counts_missing_suites(t):
    """tests/run.sh in a tree without node_modules: the Node and browser suites
    count as failures with a line saying why, unless ALLOW_SKIP=1."""
    run_sh = os.path.abspath("tests/run.sh")
    work = tempfile.mkdtemp(prefix="conclave-runsh-")
    try:
        for f in ("tests/node/run.mjs", "tests/e2e/booth.mjs"):
            os.makedirs(os.path.join(work, os.path.dirname(f)), exist_ok=True)
            open(os.path.join(work, f), "w").close()
        env = {k: v for k, v in os.environ.items() if k != "ALLOW_SKIP"}
        p = subprocess.run(["sh", run_sh], cwd=work, env=env, capture_output=True, text=True,
                           timeout=60)
        lines = p.stdout.splitlines()
        t.check(p.returncode != 0 and lines[-1:] == ["0 passed, 2 failed"],
                f"two suites that cannot run are two failures ({p.returncode}, {lines[-1:]})")
        t.check(any(ln.startswith("node: cannot run: node_modules") for ln in lines) and
                any(ln.startswith("e2e: cannot run:") for ln in lines),
                f"each says why ({lines})")
        p = subprocess.run(["sh", run_sh], cwd=work, env=dict(env, ALLOW_SKIP="1"),
                           capture_output=True, text=True, timeout=60)
        lines = p.stdout.splitlines()
        t.check(p.returncode == 0 and lines[-1:] == ["0 passed, 0 failed"] and
                sum("skipped" in ln for ln in lines) == 2,
                f"ALLOW_SKIP=1: reported as skipped ({p.returncode}, {lines})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    suite = Suite("test_packaging")
    suite.run(test_no_test_hooks, test_run_sh_counts_missing_suites)
    suite.finish()
