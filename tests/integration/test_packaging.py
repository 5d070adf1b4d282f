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
                     close_now, create_token, free_port, wait_result)

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
    t.eq([p for p in here if os.path.isfile(p)], listed,
         "every file of tests/vectors/ is listed, and no other")
    for path, want in sorted(sums.items()):
        with open(path, "rb") as f:
            got = hashlib.sha256(f.read()).hexdigest()
        t.eq(got, want, f"{path}: sha256 {got}, recorded {want}")
    for doc in ("README.md", "SECURITY.md", "NOTES-crypto.md"):
        with open(doc) as f:
            t.check("../shared" not in f.read(), f"{doc} links no ../shared (a clone has none)")
    if not os.path.isfile(os.path.join("..", "shared", "PROTOCOL.md")):
        print("test_packaging: ../shared is not there: the copies were checked against "
              "docs/SHA256SUMS only (skipped: the comparison with ../shared)")
        return
    theirs = sorted(glob.glob("../shared/vectors/**/*", recursive=True))
    theirs = [os.path.relpath(p, "../shared/vectors") for p in theirs if os.path.isfile(p)]
    t.eq(theirs, [p[len("tests/vectors/"):] for p in listed],
         "tests/vectors/ holds the files of ../shared/vectors/, no more, no fewer "
         "(make sync-protocol copies them)")
    for path in sorted(sums):
        with open(path, "rb") as a, open(shared_of(path), "rb") as b:
            t.eq(a.read(), b.read(),
                 f"{path} equals {shared_of(path)} (make sync-protocol copies it)")


UNIT_DIRECTIVES = ("User=conclave", "StateDirectory=conclave", "StateDirectoryMode=0700",
                   "UMask=0077", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                   "NoNewPrivileges=yes", "CapabilityBoundingSet=\n",
                   "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                   "SystemCallFilter=@system-service", "IPAddressAllow=localhost")


def make_install(dest):
    """`make install DESTDIR=DEST PREFIX=/usr` of the binary under test."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(["make", "-s", "install", f"DESTDIR={dest}", "PREFIX=/usr",
                           f"BIN={os.path.basename(BIN)}",
                           f"BUILD={os.environ.get('CONCLAVE_BUILD', 'build')}"],
                          capture_output=True, text=True, timeout=600, env=env)


def check_unit(t, dest):
    """The installed unit: its command, its sandbox, and systemd's own check."""
    with open(os.path.join(dest, "usr/lib/systemd/system/conclave.service")) as f:
        unit = f.read()
    start = re.search(r"^ExecStart=(.*)$", unit, re.M)
    cmd = start.group(1).split() if start else []
    t.check(cmd[:2] == ["/usr/bin/conclave", "serve"] and
            all(o in " ".join(cmd) for o in ("--data /var/lib/conclave", "--secure-cookies",
                                            "--listen 127.0.0.1:",
                                            "--static /usr/share/conclave/static")),
            f"the unit serves /var/lib/conclave on loopback, Secure cookies ({cmd})")
    missing = [d for d in UNIT_DIRECTIVES if d not in unit]
    t.check(not missing, f"the unit's sandbox ({missing} missing)")
    listen = cmd[cmd.index("--listen") + 1] if "--listen" in cmd else None
    with open(os.path.join(dest, "usr/share/doc/conclave/examples/nginx-conclave.conf")) as f:
        nginx = f.read()
    t.check(f"server {listen};" in nginx and "listen 443 ssl" in nginx and
            "proxy_set_header Host $http_host;" in nginx,
            f"the nginx example proxies TLS to the unit's address {listen}")
    def seconds(name):
        m = re.search(r"^\s*" + name + r"\s+(\d+)s;", nginx, re.M)
        return int(m.group(1)) if m else None
    t.check(seconds("client_header_timeout") is not None and
            seconds("client_header_timeout") < (seconds("client_body_timeout") or 0),
            "the nginx example gives headers a shorter time than the body "
            f"({seconds('client_header_timeout')} s, {seconds('client_body_timeout')} s)")
    host = listen.rsplit(":", 1)[0] if listen else None
    t.check(f"--trusted-proxy {host}" in " ".join(cmd) and "--login-limit 0" not in unit and
            "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx,
            "the unit trusts the proxy's X-Forwarded-For, which the example appends the client "
            "to, and keeps the login limits on")
    if shutil.which("systemd-analyze") is None:
        print("test_packaging: systemd-analyze is not installed: unit check skipped")
        return
    local = os.path.join(dest, "conclave-verify.service")
    with open(local, "w") as f:     # the same unit, with the staged paths
        f.write(unit.replace("/usr/bin/", f"{dest}/usr/bin/").replace(
            "/usr/share/conclave", f"{dest}/usr/share/conclave"))
    p = subprocess.run(["systemd-analyze", "verify", "--man=no", local], capture_output=True,
                       text=True, timeout=60)
    t.check(p.returncode == 0 and p.stderr.strip() == "" and p.stdout.strip() == "",
            f"systemd-analyze verify finds nothing to say ({p.stdout!r} {p.stderr!r})")


def check_unit_command(t, dest):
    """The unit's own command line starts the installed server (its data
    directory and port replaced by temporary ones): every option it passes is
    one this binary takes."""
    with open(os.path.join(dest, "usr/lib/systemd/system/conclave.service")) as f:
        cmd = re.search(r"^ExecStart=(.*)$", f.read(), re.M).group(1).split()
    p = subprocess.run([BIN, "serve", "--help"], capture_output=True, text=True, timeout=30)
    if "--max-connections-per-address" in p.stdout:
        # behind the proxy every client has its address: no cap per address
        t.check("--max-connections-per-address 0" in " ".join(cmd),
                "the unit lifts the per-address connection cap (the proxy caps per client)")
    data = tempfile.mkdtemp(prefix="conclave-unit-")
    args, i = [], 2
    while i < len(cmd):
        opt = cmd[i]
        takes = i + 1 < len(cmd) and not cmd[i + 1].startswith("--")
        val = cmd[i + 1] if takes else None
        if opt == "--static":
            val = dest + val
        if opt not in ("--data", "--listen"):
            args += [opt] + ([val] if takes else [])
        i += 2 if takes else 1
    srv = Server(data_dir=data, args=args, binary=os.path.join(dest, "usr/bin/conclave"))
    try:
        srv.start()
        r = srv.request("GET", "/login")
        t.check(r.status == 200 and b"/static/css/site.css" in r.body,
                f"the unit's command line serves the pages ({' '.join(args)})")
        # behind the proxy (requests from 127.0.0.1 naming their client, as the
        # example's nginx does), a guesser is slowed and the member gets in
        pw = add_member(data, "uma")

        def login(client, password):
            return srv.request("POST", "/api/v1/session", {"username": "uma", "password": password},
                               headers={"X-Forwarded-For": client}).status
        codes = [login("203.0.113.7", f"guess-{i}-password") for i in range(6)]
        t.check(codes == [401] * 5 + [429] and login("198.51.100.2", pw) == 200,
                f"with the unit's options, failures through the proxy slow down their client only "
                f"({codes})")
    except RuntimeError as e:
        t.check(False, f"the unit's command line starts the server ({args}): {e}")
    finally:
        srv.cleanup()
        shutil.rmtree(data, ignore_errors=True)


def test_make_install(t):
    """make install DESTDIR=tmp PREFIX=/usr: the tree, the unit, and the
    installed binary serving the installed static files by itself."""
    dest = tempfile.mkdtemp(prefix="conclave-install-")
    try:
        p = make_install(dest)
        t.eq(p.returncode, 0, f"make install ({p.stderr[-500:]})")
        want = ["usr/bin/conclave", "usr/lib/systemd/system/conclave.service",
                "usr/lib/sysusers.d/conclave.conf", "usr/share/doc/conclave/README.md",
                "usr/share/doc/conclave/SECURITY.md", "usr/share/doc/conclave/PROTOCOL.md",
                "usr/share/doc/conclave/PROTOCOL-threshold.md",
                "usr/share/doc/conclave/examples/nginx-conclave.conf"]
        want += ["usr/share/conclave/static/" + a for a in page_assets()]
        missing = [w for w in want if not os.path.isfile(os.path.join(dest, w))]
        t.check(not missing, f"the installed tree ({missing} missing)")
        mode = os.stat(os.path.join(dest, "usr/bin/conclave")).st_mode & 0o7777
        t.eq(mode, 0o755, f"the binary is 0755 ({oct(mode)})")
        with open(os.path.join(dest, "usr/lib/sysusers.d/conclave.conf")) as f:
            t.check(re.search(r"^u conclave ", f.read(), re.M), "sysusers.d makes the user")
        if not missing:
            check_unit(t, dest)
            check_unit_command(t, dest)
            installed = os.path.join(dest, "usr/share/conclave/static")
            with open(os.path.join(installed, "css/site.css"), "a") as f:
                f.write("/* the installed copy */\n")
            data = tempfile.mkdtemp(prefix="conclave-installed-")
            srv = Server(data_dir=data, binary=os.path.join(dest, "usr/bin/conclave")).start()
            try:
                end = time.time() + 10      # the line comes just after the first answers
                while f"static files from {installed}" not in srv.log() and time.time() < end:
                    time.sleep(0.05)
                t.check(f"static files from {installed}" in srv.log(),
                        f"the installed binary finds the installed static files "
                        f"({srv.log()[-300:]!r})")
                for a in page_assets():
                    r = srv.request("GET", "/static/" + a)
                    with open(os.path.join(installed, a), "rb") as f:
                        t.check(r.status == 200 and r.body == f.read(),
                                f"it serves the installed {a} ({r.status})")
            finally:
                srv.cleanup()
                shutil.rmtree(data, ignore_errors=True)
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def login_cookie(srv, user, password):
    """A session cookie ("name=value") from the API login, whatever its name."""
    r = srv.request("POST", "/api/v1/session", {"username": user, "password": password})
    m = re.match(r"([^=;]*conclave_session)=([^;]*)", r.header("Set-Cookie") or "")
    return f"{m.group(1)}={m.group(2)}" if m else ""


def test_result_page_commands(t):
    """The result page's offline check: its `conclave verify` line, run on the
    files its commands fetch, exits 0 (it passes the server key)."""
    work = tempfile.mkdtemp(prefix="conclave-page-")
    srv = Server(args=["--secure-cookies"]).start()
    try:
        add_member(srv.data_dir, "uma")
        tok = create_token(srv.data_dir, "uma")
        pid = Client(srv, token=tok).post("/api/v1/polls",
                                          {"nominee": "Offline Check", "statement": "s"}).json()["id"]
        close_now(srv, pid)
        wait_result(srv, pid)
        page = srv.request("GET", f"/polls/{pid}/result", headers={
            "Cookie": login_cookie(srv, "uma", "uma-password-123")}).body.decode()
        pre = re.search(r"<pre[^>]*>((?:<span>)?curl .*?)</pre>", page, re.S)
        lines = re.sub(r"<[^>]*>", "", pre.group(1)).splitlines() if pre else []
        t.check(len(lines) == 3 and all(f"127.0.0.1:{srv.port}/api/v1/" in ln
                                        for ln in lines[:2]),
                f"the commands fetch from this server ({lines})")
        for ln in lines[:2]:
            _, _, name, url = ln.split()
            with open(os.path.join(work, name), "wb") as f:
                f.write(srv.request("GET", url.split(str(srv.port), 1)[1]).body)
        argv = lines[2].split() if len(lines) == 3 else ["false"]
        p = subprocess.run([os.path.abspath(BIN)] + argv[1:], cwd=work, capture_output=True, text=True,
                           timeout=60) if argv[0] == "conclave" else None
        t.check(p is not None and p.returncode == 0,
                f"the page's conclave verify line exits 0 ({lines[2:]}, "
                f"{p and (p.stdout + p.stderr)!r})")
    finally:
        srv.cleanup()
        shutil.rmtree(work, ignore_errors=True)


def test_claims(t):
    """The README's opening and SECURITY.md say what holds in this version: no
    claim that the operator sees nothing; the poll's key with the running
    server and in any copy of the data taken mid-poll; trustees later."""
    with open("README.md") as f:
        intro = f.read().split("\n## ", 1)[0]
    with open("SECURITY.md") as f:
        security = f.read()
    t.check("operator included" not in intro, "the README no longer says 'the operator included'")
    for doc, text in (("README.md", intro), ("SECURITY.md", security)):
        flat = " ".join(text.split())
        t.check(all(w in flat for w in ("encrypted and proved valid in the voter's client",
                                         "copy of the data directory", "decrypt every ballot",
                                         "running count", "trustees")),
                f"{doc} states the key holder's limit and what trustees add")
    # nor do the pages claim more: the server holds the key of a poll sealed by
    # the server only; the claim holds only where the page speaks of a poll sealed
    # by trustees (a {{#sealed_by_trustees}} section, test_unseal.py shows it)
    for page in sorted(glob.glob("templates/*.html")):
        with open(page) as f:
            text = re.sub(r"\{\{#sealed_by_trustees\}\}.*?\{\{/sealed_by_trustees\}\}", " ",
                          f.read(), flags=re.S)
            flat = " ".join(re.sub(r"<[^>]*>", " ", text).split())
        claims = re.findall(r"[^.?]*(?:server included|cannot read it|cannot decrypt)[^.]*\.", flat)
        t.check(not claims, f"{page} claims no more than holds ({claims})")


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
              test_make_install, test_result_page_commands, test_claims,
              test_run_sh_counts_missing_suites)
    suite.finish()
