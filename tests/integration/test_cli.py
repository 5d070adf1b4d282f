"""Integration tests of the admin CLI (`conclave user ...`, `conclave token ...`)
driving the real binary ($CONCLAVE_BIN) on temporary data directories: exit
codes 0/1/2, --help, one-line errors, generated passwords and tokens printed
once and never stored in the clear, CSV import (all or nothing, re-import),
file modes, and the CLI changing the roster while a server is running.
Python 3 standard library only.
"""
import os
import re
import shutil
import stat
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import Client, Server, Suite, run_cli  # noqa: E402

TOKEN_RE = re.compile(r"^cnv_[A-Za-z0-9_-]{43}$")
GENPASS_RE = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{20}$")


def one_line(err):
    """True when stderr holds exactly one non-empty line."""
    lines = [l for l in err.splitlines() if l.strip()]
    return len(lines) == 1


def fails(t, args, data, what, stdin=None):
    rc, out, err = run_cli(args, data, stdin=stdin)
    t.eq(rc, 1, f"{what}: exit 1 (got {rc}; {err.strip()!r})")
    t.check(one_line(err), f"{what}: one line on stderr (got {err!r})")
    return err


def usage_error(t, args, what, data=None):
    rc, out, err = run_cli(args, data)
    t.eq(rc, 2, f"{what}: exit 2 (got {rc}; {err.strip()!r})")
    t.check("usage" in err.lower() or "unknown" in err.lower(), f"{what}: says why on stderr")


def test_help_and_usage(t):
    for args in (["user", "--help"], ["user", "add", "--help"], ["user", "list", "--help"],
                 ["user", "deactivate", "--help"], ["user", "activate", "--help"],
                 ["user", "passwd", "--help"], ["user", "import", "--help"],
                 ["token", "--help"], ["token", "create", "--help"], ["token", "list", "-h"],
                 ["token", "revoke", "--help"]):
        rc, out, err = run_cli(args)
        t.check(rc == 0 and "usage" in out.lower(), f"{' '.join(args)}: exit 0, usage on stdout")
    usage_error(t, ["user"], "user without a command")
    usage_error(t, ["user", "frobnicate"], "unknown user command")
    usage_error(t, ["token", "frobnicate"], "unknown token command")
    usage_error(t, ["user", "add"], "user add without a username")
    usage_error(t, ["user", "add", "a", "b"], "user add with two usernames")
    usage_error(t, ["user", "add", "x", "--bogus"], "unknown option")
    usage_error(t, ["user", "add", "x", "--email"], "option without its value")
    usage_error(t, ["user", "add", "x", "--help", "--bogus"], "bad option wins over --help")
    usage_error(t, ["user", "list", "extra"], "user list with an argument")
    usage_error(t, ["user", "import"], "user import without a file")
    usage_error(t, ["token", "create"], "token create without a username")
    usage_error(t, ["token", "revoke", "abc"], "token revoke with a non-numeric id")
    usage_error(t, ["token", "revoke", "-5"], "token revoke with a negative id")
    usage_error(t, ["user", "list", "--data", ""], "empty --data")


def test_users(t, data):
    rc, out, err = run_cli(["user", "add", "alice", "--display-name", "Alice Liddell",
                            "--email", "alice@example.org"], data)
    t.eq(rc, 0, f"user add alice: exit 0 ({err!r})")
    pw = out.strip()
    t.check(GENPASS_RE.match(pw) is not None, f"a strong generated password alone on stdout ({out!r})")
    t.check(pw not in err, "the password is not repeated on stderr")
    st = os.stat(data)
    t.eq(stat.S_IMODE(st.st_mode), 0o700, "data directory created 0700")
    st = os.stat(os.path.join(data, "conclave.db"))
    t.eq(stat.S_IMODE(st.st_mode), 0o600, "conclave.db created 0600")

    rc, out, err = run_cli(["user", "add", "bob", "--admin", "--password-stdin",
                            "--display-name", "Bob B", "--email=bob@example.org"], data,
                           stdin="bob-password-123\n")
    t.check(rc == 0 and out.strip() == "", f"user add --password-stdin: exit 0, nothing on stdout")

    err = fails(t, ["user", "add", "ALICE"], data, "duplicate username in other case")
    t.check("taken" in err, "duplicate: says the username is taken")
    fails(t, ["user", "add", "bad_name"], data, "invalid username")
    fails(t, ["user", "add", "--data", data, "--", "-carol"], None, "leading hyphen (after --)")
    fails(t, ["user", "add", "carol", "--email", "nope"], data, "invalid email")
    fails(t, ["user", "add", "carol", "--display-name", "a\tb"], data, "control character")
    fails(t, ["user", "add", "carol", "--password-stdin"], data, "short password",
          stdin="short\n")
    fails(t, ["user", "add", "carol", "--password-stdin"], data, "empty stdin", stdin="")

    rc, out, err = run_cli(["user", "list"], data)
    lines = out.strip().splitlines()
    t.check(rc == 0 and len(lines) == 3, f"user list: header and two members ({out!r})")
    t.check(any(l.split()[0] == "alice" and "Alice Liddell <alice@example.org>" in l
                for l in lines), "list shows alice's name and email")
    bob = [l for l in lines if l.split()[0] == "bob"]
    t.check(bob and bob[0].split()[1:3] == ["yes", "active"], "list: bob is admin and active")
    alice = [l for l in lines if l.split()[0] == "alice"]
    t.check(alice and "must change password" in alice[0],
            f"list: alice's generated password is one-time ({alice})")

    rc, out, err = run_cli(["user", "deactivate", "bob"], data)
    t.eq(rc, 0, "deactivate bob")
    rc, out, err = run_cli(["user", "list"], data)
    bob = [l for l in out.splitlines() if l.split()[0] == "bob"]
    t.check(bob and bob[0].split()[2] == "deactivated", "list: bob is inactive")
    fails(t, ["user", "deactivate", "nobody"], data, "deactivate an unknown member")
    fails(t, ["user", "activate", "nobody"], data, "activate an unknown member")
    rc, out, err = run_cli(["user", "activate", "BOB"], data)
    t.eq(rc, 0, "activate bob (any case)")

    rc, out, err = run_cli(["user", "passwd", "bob", "--password-stdin"], data,
                           stdin="another-password-456\r\n")
    t.check(rc == 0 and out == "", "passwd --password-stdin")
    rc, out, err = run_cli(["user", "passwd", "alice"], data)
    t.check(rc == 0 and GENPASS_RE.match(out.strip()) is not None,
            "passwd without --password-stdin prints a generated password")
    fails(t, ["user", "passwd", "nobody", "--password-stdin"], data, "passwd unknown member",
          stdin="long-enough-password\n")
    fails(t, ["user", "passwd", "bob", "--password-stdin"], data, "passwd too short",
          stdin="123\n")
    fails(t, ["user", "passwd", "bob", "--password-stdin"], data, "passwd too long",
          stdin="x" * 1025 + "\n")

    with open(os.path.join(data, "conclave.db"), "rb") as f:
        raw = f.read()
    for name in ("conclave.db-wal",):
        p = os.path.join(data, name)
        if os.path.exists(p):
            with open(p, "rb") as f:
                raw += f.read()
    t.check(pw.encode() not in raw and b"another-password-456" not in raw,
            "passwords are not stored in the clear")
    t.check(b"$argon2id$" in raw, "passwords are stored as argon2id hashes")


def test_import(t, data):
    good = os.path.join(data, "..", "members.csv")
    with open(good, "w", newline="") as f:
        f.write("username,display name,email\r\n"
                "dora,\"Explorer, Dora\",dora@example.org\r\n"
                "\r\n"
                "emil,\"Emil \"\"E\"\" Edison\",\r\n"
                "fay,Fay,\r\n")
    rc, out, err = run_cli(["user", "import", good], data)
    t.check(rc == 0 and "3 added, 0 updated" in out, f"import: three added ({out!r} {err!r})")
    import_err = err
    rc, out, err = run_cli(["user", "import", good], data)
    t.check(rc == 0 and "0 added, 3 updated" in out, f"re-import updates ({out!r})")
    rc, out, err = run_cli(["user", "list"], data)
    rows = [l.split()[0] for l in out.strip().splitlines()[1:]]
    t.eq(sorted(rows), ["alice", "bob", "dora", "emil", "fay"], f"no duplicates ({rows})")
    t.check("Explorer, Dora <dora@example.org>" in out and 'Emil "E" Edison' in out,
            "quoted fields imported")
    dora = [l for l in out.splitlines() if l.split()[0] == "dora"][0]
    t.check(dora.split()[1] == "no" and "no password yet" in dora,
            f"imported: not admin, no password yet ({dora!r})")
    t.check("conclave user invite" in import_err, "import says how new members get in")

    bad = os.path.join(data, "..", "bad.csv")
    with open(bad, "w") as f:
        f.write("username,display name,email\ngwen,Gwen,\nhal,Hal,not-an-email\nivan,Ivan,\n")
    err = fails(t, ["user", "import", bad], data, "import with a bad row")
    t.check("line 3" in err, f"the bad row's line number is reported ({err!r})")
    rc, out, err = run_cli(["user", "list"], data)
    t.check("gwen" not in out and "ivan" not in out, "a bad row rejects the whole file")
    with open(bad, "w") as f:
        f.write("jo,Jo,\n\"kim,Kim,\n")
    err = fails(t, ["user", "import", bad], data, "import with an unterminated quote")
    t.check("line 2" in err, "unterminated quote: line reported")
    fails(t, ["user", "import", os.path.join(data, "..", "missing.csv")], data,
          "import of a missing file")
    rc, out, err = run_cli(["user", "import", "-"], data, stdin="lena,Lena,\n")
    t.check(rc == 0 and "1 added" in out, "import from stdin")


def test_tokens(t, data):
    rc, out, err = run_cli(["token", "create", "dora", "--label", "ci bot"], data)
    tok = out.strip()
    t.check(rc == 0 and TOKEN_RE.match(tok) is not None, f"token create prints a token ({out!r})")
    m = re.search(r"token (\d+)", err)
    t.check(m is not None, "token create tells the token's id on stderr")
    tid = m.group(1) if m else "0"
    rc, out2, err = run_cli(["token", "create", "dora"], data)
    t.check(rc == 0 and out2.strip() != tok, "a second token differs")
    rc, out, err = run_cli(["token", "list", "DORA"], data)
    lines = out.strip().splitlines()
    t.check(rc == 0 and len(lines) == 3, f"token list: header and two tokens ({out!r})")
    t.check(any(l.split()[0] == tid and "active" in l and "ci bot" in l for l in lines),
            "list shows the label and status")
    t.check(tok not in out, "list never shows a token")
    fails(t, ["token", "list", "nobody"], data, "token list of an unknown member")
    fails(t, ["token", "create", "nobody"], data, "token create for an unknown member")
    rc, out, err = run_cli(["token", "revoke", tid], data)
    t.eq(rc, 0, "token revoke")
    fails(t, ["token", "revoke", tid], data, "revoke twice")
    fails(t, ["token", "revoke", "999999"], data, "revoke an unknown id")
    rc, out, err = run_cli(["token", "list", "dora"], data)
    t.check(any(l.split()[0] == tid and "revoked" in l for l in out.splitlines()),
            "list shows the revoked token")
    run_cli(["user", "deactivate", "fay"], data)
    fails(t, ["token", "create", "fay"], data, "no token for a deactivated member")
    with open(os.path.join(data, "conclave.db"), "rb") as f:
        raw = f.read()
    t.check(tok.encode() not in raw, "tokens are not stored in the clear")


def test_refusals(t, data):
    db = os.path.join(data, "conclave.db")
    os.chmod(db, 0o644)
    err = fails(t, ["user", "list"], data, "group/world-readable database")
    t.check("chmod" in err, "the refusal says how to fix it")
    os.chmod(db, 0o600)
    rc, out, err = run_cli(["user", "list"], data)
    t.eq(rc, 0, "works again after chmod 600")


def test_with_server(t):
    data = tempfile.mkdtemp(prefix="conclave-cli-")
    try:
        rc, out, err = run_cli(["user", "add", "olga", "--password-stdin"], data,
                               stdin="olga-password-123\n")
        t.eq(rc, 0, "add a member before the server starts")
        with Server(data_dir=data) as srv:
            t.check(srv.admin_password is None, "non-empty roster: no admin bootstrap")
            rc, out, err = run_cli(["user", "add", "pete", "--password-stdin"], data,
                                   stdin="pete-password-123\n")
            t.eq(rc, 0, f"user add while the server runs ({err!r})")
            c = Client(srv)
            r = c.login("pete", "pete-password-123")
            t.eq(r.status, 200, f"the server sees the new member (login {r.status})")
            rc, out, err = run_cli(["token", "create", "olga"], data)
            tok = out.strip()
            r = Client(srv, token=tok).get("/api/v1/me")
            t.check(rc == 0 and r.status == 200, f"a CLI token works on the API ({r.status})")
            rc, out, err = run_cli(["user", "deactivate", "pete"], data)
            t.eq(rc, 0, "deactivate while the server runs")
            t.eq(c.get("/api/v1/me").status, 401, "deactivation ends the live session")
            t.eq(c.login("pete", "pete-password-123").status, 401,
                 "deactivated member cannot log in")
            rc, out, err = run_cli(["user", "import", "-"], data, stdin="quinn,Quinn,\n")
            t.eq(rc, 0, "import while the server runs")
    finally:
        shutil.rmtree(data, ignore_errors=True)


def test_vote_token_sources(t):
    """`conclave vote` and `result` take the API token from $CONCLAVE_TOKEN or
    a file (a command-line --token shows in the process list); with none, one
    clear line. Text from a server is printed without its control bytes."""
    import http.server
    import subprocess
    import threading
    from harness import BIN, add_member, create_token, vote_command
    work = tempfile.mkdtemp(prefix="conclave-tok-")
    try:
        with Server() as srv:
            tokens = {}
            for n in ("rosa", "sven", "tara"):
                add_member(srv.data_dir, n)
                tokens[n] = create_token(srv.data_dir, n)
            pid = Client(srv, token=tokens["rosa"]).post(
                "/api/v1/polls", {"nominee": "Token Sources", "statement": "s"}).json()["id"]

            def vote(who, extra, env=None, stdin=None):
                args, e = vote_command(srv, None, pid, "yes", os.path.join(work, who),
                                       extra=extra)
                e.update(env or {})
                return subprocess.run(args, capture_output=True, text=True, timeout=60, env=e,
                                      input=stdin)
            p = vote("rosa", [], {"CONCLAVE_TOKEN": tokens["rosa"]})
            t.check(p.returncode == 0 and "tracker: " in p.stdout,
                    f"the token from $CONCLAVE_TOKEN ({p.stderr.strip()!r})")
            path = os.path.join(work, "sven-token")
            with open(path, "w") as f:
                f.write(tokens["sven"] + "\r\n")
            p = vote("sven", ["--token-file", path])
            t.check(p.returncode == 0 and "tracker: " in p.stdout,
                    f"the token from --token-file, CRLF ended ({p.stderr.strip()!r})")
            p = vote("tara", ["--token-file", "-"], stdin=tokens["tara"] + "\n")
            t.check(p.returncode == 0 and "tracker: " in p.stdout,
                    f"the token from --token-file - ({p.stderr.strip()!r})")
            p = vote("tara", [])
            t.check(p.returncode == 1 and one_line(p.stderr) and "CONCLAVE_TOKEN" in p.stderr,
                    f"no token: exit 1, one line naming CONCLAVE_TOKEN ({p.stderr!r})")
            p = vote("tara", ["--token-file", os.path.join(work, "absent")])
            t.check(p.returncode == 1 and "token file" in p.stderr, "a missing token file")
            poll = Client(srv, token=tokens["rosa"]).get(f"/api/v1/polls/{pid}").json()
            t.eq(poll["ballots_cast"], 3, f"three ballots cast ({poll['ballots_cast']})")

        class Hostile(http.server.BaseHTTPRequestHandler):
            def do_GET(self):   # noqa: N802
                body = b'{"error": {"code": "not_found", "message": "\\u001b[2J\\u009bgone"}}'
                self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass
        hostile = http.server.HTTPServer(("127.0.0.1", 0), Hostile)
        threading.Thread(target=hostile.serve_forever, daemon=True).start()
        p = subprocess.run([BIN, "result", "--server", f"http://127.0.0.1:{hostile.server_port}",
                            "p1"], capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, CONCLAVE_TOKEN="cnv_x"))
        hostile.shutdown()
        t.check(p.returncode == 1 and "?[2J?gone" in p.stderr and "\x1b" not in p.stderr
                and "\x9b" not in p.stderr,
                f"a server's message reaches the terminal without control bytes ({p.stderr!r})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    t = Suite("test_cli")
    root = tempfile.mkdtemp(prefix="conclave-cli-")
    data = os.path.join(root, "var")
    try:
        t.run(test_help_and_usage,
              lambda s: test_users(s, data),
              lambda s: test_import(s, data),
              lambda s: test_tokens(s, data),
              lambda s: test_refusals(s, data),
              test_with_server,
              test_vote_token_sources)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    t.finish()


if __name__ == "__main__":
    main()
