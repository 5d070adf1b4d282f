"""What an operator gets from a clean clone: the production binary without the
test hooks, a server that refuses to start without the static files its
pages load, `make` building them, `make install`, and the protocol kept in
the repository.
"""
import glob
import hashlib
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import (BIN, TEST_BIN, Client, Server, Suite, add_member,  # noqa: E402
                     create_token, free_port)

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


def page_assets():
    """What the pages load, read here from the sources: every /static/ path in
    templates/, and the modules those scripts import, transitively."""
    todo = []
    for page in sorted(glob.glob("templates/*.html")):
        with open(page) as f:
            todo += re.findall(r"/static/([A-Za-z0-9._~/-]+)", f.read())
    seen = []
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.append(path)
        if path.endswith((".mjs", ".js")):
            with open(os.path.join("static", path)) as f:
                for spec in re.findall(r"""(?:\bfrom|\bimport)\s*\(?\s*['"](\.\.?/[^'"\n]+)['"]""",
                                       f.read()):
                    todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), spec)))
    return seen


def serve_once(static_dir, binary=None):
    """Starts `conclave serve --static STATIC_DIR` (no --static if None) and
    returns (exit code or None if it kept running, its output)."""
    data = tempfile.mkdtemp(prefix="conclave-static-")
    port = str(free_port())
    args = [binary or BIN, "serve", "--data", data, "--listen", "127.0.0.1:" + port]
    args += ["--static", static_dir] if static_dir else []
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = p.communicate(timeout=3)
        return p.returncode, out
    except subprocess.TimeoutExpired:
        p.terminate()
        out, _ = p.communicate(timeout=20)
        return None, out
    finally:
        shutil.rmtree(data, ignore_errors=True)


def test_static_assets_checked(t):
    """`conclave serve` refuses to start, with one line naming the file and how
    to build it, when a file the pages load is missing; `make` builds them."""
    assets = page_assets()
    t.check("vendor/noble.mjs" in assets and "js/booth.mjs" in assets,
            f"the pages load the booth and its bundled crypto ({assets})")
    work = tempfile.mkdtemp(prefix="conclave-static-")
    try:
        for path in assets:
            copy = os.path.join(work, path.replace("/", "_"))
            shutil.copytree("static", copy)
            os.remove(os.path.join(copy, path))
            rc, out = serve_once(copy)
            lines = out.strip().splitlines()
            t.check(rc == 1 and len(lines) == 1 and f"{copy}/{path}: missing" in lines[0]
                    and "make" in lines[0],
                    f"without {path}: exit 1 and one line naming it and `make` ({rc}, {out!r})")
        rc, out = serve_once(os.path.abspath("static"))
        t.check(rc is None and "listening on" in out,
                f"with every file, the server starts ({rc}, {out[-300:]!r})")
        rc, out = serve_once(None)
        t.check(rc is None and f"static files from {os.path.abspath('static')}" in out,
                f"without --static, the static/ beside the binary ({out[-300:]!r})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # `make` (the default target) builds the bundle: were its source newer, the
    # default target would run esbuild.
    p = subprocess.run(["make", "-n", "-W", "tools/noble-entry.mjs"], capture_output=True,
                       text=True, timeout=120)
    t.check(p.returncode == 0 and "esbuild" in p.stdout,
            f"`make` builds static/vendor/noble.mjs ({p.stdout[-300:]!r} {p.stderr[-300:]!r})")


def copies():
    """docs/SHA256SUMS: {path: sha256} of the protocol's copies in this repository."""
    with open("docs/SHA256SUMS") as f:
        return {line.split()[1]: line.split()[0] for line in f if line.strip()}


def shared_of(path):
    """Where PATH (a copy listed in docs/SHA256SUMS) comes from in ../shared."""
    if path.startswith("docs/"):
        return os.path.join("..", "shared", path[len("docs/"):])
    return os.path.join("..", "shared", "vectors", path[len("tests/vectors/"):])


def test_protocol_copies(t):
    """docs/PROTOCOL*.md and tests/vectors/ are the shared specification's,
    byte for byte: checked against the recorded SHA-256 always (a clone
    without ../shared), and against ../shared itself when it is there (CI
    clones the repository beside it)."""
    sums = copies()
    t.check("docs/PROTOCOL.md" in sums and "docs/PROTOCOL-threshold.md" in sums and
            "tests/vectors/board.json" in sums, "docs/SHA256SUMS lists the protocol's copies")
    here = sorted(glob.glob("tests/vectors/**/*", recursive=True))
    listed = sorted(p for p in sums if p.startswith("tests/vectors/"))
    t.check([p for p in here if os.path.isfile(p)] == listed,
            "every file of tests/vectors/ is listed, and no other")
    for path, want in sorted(sums.items()):
        with open(path, "rb") as f:
            got = hashlib.sha256(f.read()).hexdigest()
        t.check(got == want, f"{path}: sha256 {got}, recorded {want}")
    for doc in ("README.md", "SECURITY.md", "NOTES-crypto.md"):
        with open(doc) as f:
            t.check("../shared" not in f.read(), f"{doc} links no ../shared (a clone has none)")
    if not os.path.isfile(os.path.join("..", "shared", "PROTOCOL.md")):
        print("test_packaging: ../shared is not there: the copies were checked against "
              "docs/SHA256SUMS only (skipped: the comparison with ../shared)")
        return
    theirs = sorted(glob.glob("../shared/vectors/**/*", recursive=True))
    theirs = [os.path.relpath(p, "../shared/vectors") for p in theirs if os.path.isfile(p)]
    t.check(theirs == [p[len("tests/vectors/"):] for p in listed],
            "tests/vectors/ holds the files of ../shared/vectors/, no more, no fewer "
            "(make sync-protocol copies them)")
    for path in sorted(sums):
        with open(path, "rb") as a, open(shared_of(path), "rb") as b:
            t.check(a.read() == b.read(),
                    f"{path} equals {shared_of(path)} (make sync-protocol copies it)")


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
    suite.run(test_static_assets_checked, test_no_test_hooks, test_protocol_copies,
              test_run_sh_counts_missing_suites)
    suite.finish()
