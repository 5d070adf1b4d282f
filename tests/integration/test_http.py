"""Foundation over real HTTP: the server binary on a loopback port with a
temporary SQLite store. Login, throttling, CSRF, tokens, deactivation, body
cap, bad JSON, unknown routes, graceful shutdown, migrations on an existing
database, file modes and what the log must never hold."""
import os
import re
import signal
import socket
import sqlite3
import stat
import threading
import time

from harness import (Client, Server, Suite, add_member, create_token, run_cli, web_login)
from harness import post_form as form


def test_first_start_and_health(t):
    with Server() as srv:
        r = srv.request("GET", "/healthz")
        t.check(r.status == 200 and r.json() == {"status": "ok"}, "healthz ok")
        t.eq(r.header("Cache-Control"), "no-store", "no-store on API")
        t.eq(r.header("X-Content-Type-Options"), "nosniff", "nosniff")
        t.check(srv.admin_password is not None and len(srv.admin_password) >= 16,
                "first start prints the admin's one-time password")
        c = Client(srv)
        r = c.login("admin", srv.admin_password)
        t.check(r.status == 403 and r.error_code() == "password_change_required",
                f"the printed password is one-time: the API says to choose one first ({r.status})")
        r, web = web_login(srv, "admin", srv.admin_password)
        t.check(r.status == 303 and r.header("Location") == "/account" and web is not None,
                "the login form takes it and goes to choosing a password")
        r = form(web, "/account", {"new_password": "admin-own-password-1",
                                   "new_password_again": "admin-own-password-1"})
        r = c.login("admin", "admin-own-password-1")
        t.eq(r.status, 200, "admin logs in with the password they chose")
        t.eq(r.json()["user"], {"username": "admin", "display_name": "Administrator",
                                "admin": True}, "login answer has the user")
        db = os.path.join(srv.data_dir, "conclave.db")
        t.eq(stat.S_IMODE(os.stat(db).st_mode), 0o600, "database file is 0600")
        srv.stop()
        srv.start()
        t.check("one-time password" not in srv.log().split("listening")[-1],
                "the password is not printed again on restart")
        t.eq(c.login("admin", "admin-own-password-1").status, 200, "admin survives the restart")


def test_login(t):
    with Server() as srv:
        pw = add_member(srv.data_dir, "ada", display="Ada Lovelace")
        c = Client(srv)
        r = c.login("ada", pw)
        t.eq(r.status, 200, "login ok")
        cookie = r.header("Set-Cookie") or ""
        for part in ("HttpOnly", "SameSite=Strict", "Path=/"):
            t.check(part in cookie, f"cookie has {part}")
        t.check("Secure" not in cookie, "no Secure without --secure-cookies")
        t.check(len(r.json()["csrf_token"]) >= 32, "csrf token returned")
        me = c.get("/api/v1/me")
        t.check(me.status == 200 and me.json()["username"] == "ada", "me after login")
        t.eq(me.json()["display_name"], "Ada Lovelace", "display name")
        t.eq(Client(srv).login("ADA", pw).status, 200, "username is case-insensitive")

        bad = Client(srv).login("ada", "wrong-password-x")
        t.check(bad.status == 401 and bad.error_code() == "invalid_credentials", "wrong pw")
        unknown = Client(srv).login("nobody", "whatever-password")
        t.check(unknown.status == 401 and unknown.error_code() == "invalid_credentials",
                "unknown user gives the same error")
        t.eq(bad.body, unknown.body, "identical bodies for wrong pw and unknown user")
        r = srv.request("POST", "/api/v1/session", {"username": "ada"})
        t.eq(r.status, 400, "missing password is 400")
        r = srv.request("POST", "/api/v1/session", {"username": "ada", "password": pw, "x": 1})
        t.eq(r.status, 400, "extra field is 400")
        r = srv.request("POST", "/api/v1/session", {"username": 1, "password": pw})
        t.eq(r.status, 400, "wrong type is 400")

        t.eq(Client(srv).get("/api/v1/me").status, 401, "me without session is 401")
        t.eq(Client(srv).get("/api/v1/me").error_code(), "unauthenticated", "code")
        forged = Client(srv)
        forged.cookie = "00" * 32
        t.eq(forged.get("/api/v1/me").status, 401, "forged cookie is 401")

        r = c.request("DELETE", "/api/v1/session", csrf=False)
        t.check(r.status == 403 and r.error_code() == "csrf_failed", "logout needs CSRF")
        r = c.request("DELETE", "/api/v1/session")
        t.eq(r.status, 204, "logout is 204")
        t.eq(c.get("/api/v1/me").status, 401, "session gone after logout")

        srv.stop()
        srv.args = ["--secure-cookies"]
        srv.start()
        r = Client(srv).login("ada", pw)
        t.check("Secure" in (r.header("Set-Cookie") or ""), "Secure with --secure-cookies")


def test_timing_equal(t):
    with Server() as srv:
        pw = add_member(srv.data_dir, "bob")
        add_member(srv.data_dir, "eve")
        run_cli(["user", "deactivate", "eve"], srv.data_dir)

        def timed(user):
            t0 = time.perf_counter()
            r = Client(srv).login(user, "not-the-password")
            return r, time.perf_counter() - t0

        r1, d1 = timed("bob")
        r2, d2 = timed("nobody-here")
        r3, d3 = timed("eve")
        t.check(r1.status == r2.status == r3.status == 401, "all three 401")
        t.check(r1.body == r2.body == r3.body, "same body for all three")
        lo, hi = min(d1, d2, d3), max(d1, d2, d3)
        t.check(hi < lo * 3 + 0.05, f"similar timings {d1:.3f} {d2:.3f} {d3:.3f}")
        r = Client(srv).login("eve", "eve-password-123")
        t.check(r.status == 401 and r.error_code() == "invalid_credentials",
                "deactivated member cannot log in with the right password")
        t.eq(Client(srv).login("bob", pw).status, 200, "bob still fine")


def test_throttling(t):
    """Lockout as a weapon: usernames are public, so failures by anyone must
    not keep the member out. Failures count per (username, client address):
    that client is slowed down (429 with Retry-After), the member logs in
    from elsewhere."""
    with Server() as srv:
        pw = add_member(srv.data_dir, "carol")
        codes = [Client(srv).login("carol", f"wrong-password-{i}").status for i in range(5)]
        t.eq(codes, [401] * 5, f"five failures from 127.0.0.1 are 401 ({codes})")
        r = Client(srv).login("carol", "wrong-password-6")
        t.check(r.status == 429 and r.error_code() == "too_many_attempts",
                f"the sixth from that address is 429 ({r.status})")
        ra = r.header("Retry-After")
        t.check(ra is not None and ra.isdigit() and 0 < int(ra) <= 180, f"Retry-After {ra}")
        for i in range(40):     # the flood goes on
            Client(srv).login("carol", f"flood-{i}-password")
        r = Client(srv).login("carol", pw)
        t.eq(r.status, 429, "the flooding address itself stays slowed, right password or not")
        r = Client(srv, source="127.0.0.2").login("carol", pw)
        t.eq(r.status, 200, f"carol logs in from 127.0.0.2 with the right password "
                            f"({r.status} {r.error_code()})")
        r = Client(srv, source="127.0.0.3").login("carol", "wrong-password-x")
        t.eq(r.status, 401, "a failure from a third address is its own: 401, not 429")
        bob = add_member(srv.data_dir, "bob")
        t.eq(Client(srv).login("bob", bob).status, 200,
             "other usernames are not throttled on the flooding address")
    # behind a reverse proxy (here: requests from 127.0.0.1 saying whom they
    # forward), the client is the address the proxy appended last
    with Server(args=["--trusted-proxy", "127.0.0.1"]) as srv:
        pw = add_member(srv.data_dir, "dina")

        def via(client_ip, password, xff=None):
            return srv.request("POST", "/api/v1/session",
                               {"username": "dina", "password": password},
                               headers={"X-Forwarded-For": xff or f"1.2.3.4, {client_ip}"})
        codes = [via("10.0.0.1", f"wrong-password-{i}").status for i in range(6)]
        t.eq(codes, [401] * 5 + [429], f"failures from one forwarded client ({codes})")
        t.eq(via("10.0.0.2", pw).status, 200,
             "another client through the same proxy logs in: no lock through the proxy")
        t.eq(via("10.0.0.1", pw).status, 429, "the guessing one stays slowed")
        t.eq(via("ignored", pw, xff="10.0.0.1, 10.0.0.3").status, 200,
             "only the last entry counts (the earlier ones come from the client)")
        r = srv.request("POST", "/api/v1/session", {"username": "dina", "password": "bad-pass-99"},
                        headers={"X-Forwarded-For": "10.0.0.9"}, source="127.0.0.2")
        codes = [srv.request("POST", "/api/v1/session",
                             {"username": "dina", "password": "bad-pass-99"},
                             headers={"X-Forwarded-For": f"10.0.1.{i}"},
                             source="127.0.0.2").status for i in range(6)]
        t.eq(codes[-1], 429, f"a client that is not the proxy cannot choose its address "
                             f"({codes})")


def test_tokens_and_deactivation(t):
    with Server() as srv:
        pw = add_member(srv.data_dir, "dave")
        token = create_token(srv.data_dir, "dave")
        tc = Client(srv, token=token)
        r = tc.get("/api/v1/me")
        t.check(r.status == 200 and r.json()["username"] == "dave", "bearer token works")
        r = srv.request("GET", "/api/v1/me", headers={"Authorization": "Bearer cnv_nope"})
        t.eq(r.status, 401, "bad token is 401")
        r = srv.request("GET", "/api/v1/me", headers={"Authorization": "Basic abc"})
        t.eq(r.status, 401, "non-bearer authorization is 401")
        c = Client(srv)
        t.eq(c.login("dave", pw).status, 200, "dave logs in")
        rc, _, _ = run_cli(["user", "deactivate", "dave"], srv.data_dir)
        t.eq(rc, 0, "deactivate while the server runs")
        t.eq(tc.get("/api/v1/me").status, 401, "token refused after deactivation")
        t.eq(c.get("/api/v1/me").status, 401, "session ended by deactivation")
        t.eq(Client(srv).login("dave", pw).status, 401, "cannot log in")
        run_cli(["user", "activate", "dave"], srv.data_dir)
        t.eq(tc.get("/api/v1/me").status, 200, "token works again after activation")
        rc, out, _ = run_cli(["token", "list", "dave"], srv.data_dir)
        t.check(rc == 0 and token not in out, "token list never shows the token")


def test_protocol_edges(t):
    with Server() as srv:
        for method, path in (("GET", "/api/v1/nope"), ("POST", "/nope"), ("GET", "/static/x/y")):
            r = srv.request(method, path)
            t.check(r.status == 404 and r.error_code() == "not_found" and
                    r.header("Content-Type") == "application/json",
                    f"{method} {path}: 404 in JSON ({r.status})")
        r = srv.request("GET", "/nope/<script>")
        page = r.body.decode("utf-8", "replace")
        t.check(r.status == 404 and (r.header("Content-Type") or "").startswith("text/html"),
                f"an unknown page address: an HTML 404 page ({r.status})")
        t.check("Page not found" in page and "<script>" not in page and "Log out" not in page,
                "the 404 page says so and echoes nothing; no session, no menu")
        c = Client(srv)
        t.eq(c.login("ada", add_member(srv.data_dir, "ada")).status, 200, "ada logs in")
        r = c.get("/polls/x/y/z")
        t.check(r.status == 404 and b"Page not found" in r.body and b"Log out" in r.body,
                "with a session, the 404 page has the menu")
        r = srv.request("PUT", "/api/v1/me")
        t.check(r.status == 405 and r.error_code() == "method_not_allowed", "405 JSON")
        get, head = srv.request("GET", "/healthz"), srv.request("HEAD", "/healthz")
        t.check(head.status == 200 and head.body == b"" and
                head.header("Content-Length") == str(len(get.body)),
                f"HEAD /healthz: 200, GET's length, no body ({head.status})")
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
            s.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            raw = b""
            while chunk := s.recv(4096):
                raw += chunk
        t.check(raw.startswith(b"HTTP/1.1 200") and raw.endswith(b"\r\n\r\n"),
                "HEAD: nothing after the headers on the wire")
        r = srv.request("HEAD", "/login")
        t.check(r.status == 200 and r.body == b"" and
                (r.header("Content-Type") or "").startswith("text/html"), "HEAD on a page")
        r = srv.request("POST", "/api/v1/session", "{not json",
                        headers={"Content-Type": "application/json"})
        t.check(r.status == 400 and r.error_code() == "bad_json", "bad JSON is 400")
        r = srv.request("POST", "/api/v1/session", '{"username":"a","username":"b","password":"x"}',
                        headers={"Content-Type": "application/json"})
        t.check(r.status == 400 and r.error_code() == "bad_json", "duplicate key is 400")
        r = srv.request("POST", "/api/v1/session", "[1,2]",
                        headers={"Content-Type": "application/json"})
        t.eq(r.status, 400, "non-object is 400")
        big = '{"username":"' + "a" * (70 * 1024) + '","password":"x"}'
        r = srv.request("POST", "/api/v1/session", big,
                        headers={"Content-Type": "application/json"})
        t.check(r.status == 413 and r.error_code() == "too_large", "over 64 KiB is 413")
        ok = '{"username":"' + "a" * (60 * 1024) + '","password":"x"}'
        r = srv.request("POST", "/api/v1/session", ok, headers={"Content-Type": "application/json"})
        t.eq(r.status, 401, "under the cap is processed")
        t.eq(chunked_post(srv.port, 70 * 1024), 413, "chunked body over cap is 413")
        t.eq(chunked_post(srv.port, 100), 400, "small chunked body is processed")
        # keep-alive: several requests on one connection
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        codes = []
        for _ in range(3):
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            resp.read()
            codes.append(resp.status)
        conn.close()
        t.eq(codes, [200, 200, 200], "keep-alive connection serves several requests")


def chunked_post(port, size):
    """POSTs a chunked body of SIZE bytes; returns the status code."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
                  b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n")
        sent = 0
        try:
            while sent < size:
                n = min(4096, size - sent)
                s.sendall(b"%x\r\n" % n + b"x" * n + b"\r\n")
                sent += n
            s.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may answer and close before the end
        data = s.recv(4096)
        return int(data.split(b" ")[1])
    finally:
        s.close()


def test_shutdown_and_logs(t):
    srv = Server().start()
    try:
        pw = add_member(srv.data_dir, "frank")
        token = create_token(srv.data_dir, "frank")
        results = []

        def login():
            results.append(Client(srv).login("frank", pw).status)

        threads = [threading.Thread(target=login) for _ in range(3)]
        for th in threads:
            th.start()
        time.sleep(0.05)
        rc = srv.stop(signal.SIGTERM)
        for th in threads:
            th.join()
        t.eq(rc, 0, f"SIGTERM exits 0 (got {rc})")
        t.check(results.count(200) >= 1 and all(s == 200 for s in results),
                f"requests in flight finish ({results})")
        log = srv.log()
        t.check(pw not in log, "no password in the log")
        t.check(token not in log, "no token in the log")
        t.check("POST /api/v1/session 200" in log, "one line per request with status")
        srv.start()
        c = Client(srv)
        c.login("frank", pw)
        c.get("/api/v1/me?secret=1")
        t.check(c.cookie and c.cookie not in srv.log(), "no cookie in the log")
        t.check("secret=1" not in srv.log(), "no query string in the log")
        t.eq(srv.stop(signal.SIGINT), 0, "SIGINT exits 0")
    finally:
        srv.cleanup()


def test_migrations(t):
    srv = Server().start()
    try:
        add_member(srv.data_dir, "grace")
        srv.stop()
        db = os.path.join(srv.data_dir, "conclave.db")
        con = sqlite3.connect(db)
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        versions = [r[0] for r in con.execute("select version from schema_version order by 1")]
        mode = con.execute("pragma journal_mode").fetchone()[0]
        con.close()
        t.check("members" in tables, "members table exists")
        files = sorted(int(f[:3]) for f in os.listdir("schema") if re.match(r"^\d{3}_.*\.sql$", f))
        t.check(versions and versions == files,
                f"every migration recorded once, in order ({versions}, files {files})")
        t.eq(mode, "wal", "database in WAL mode")
        srv.start()   # re-open the existing database
        t.eq(srv.request("GET", "/healthz").status, 200, "re-opens existing database")
        rc, out, _ = run_cli(["user", "list"], srv.data_dir)
        t.check(rc == 0 and "grace" in out, "data kept across restart")
        srv.stop()
        con = sqlite3.connect(db)
        con.execute("insert into schema_version(version, name, applied_at) values (999, 'future', 0)")
        con.commit()
        con.close()
        import subprocess
        from harness import BIN, free_port
        p = subprocess.run([BIN, "serve", "--data", srv.data_dir, "--listen",
                            f"127.0.0.1:{free_port()}"], capture_output=True, text=True,
                           timeout=20)
        t.check(p.returncode == 1 and "newer" in p.stderr, "refuses a newer database")
        os.chmod(db, 0o644)
        con = sqlite3.connect(db)
        con.execute("delete from schema_version where version = 999")
        con.commit()
        con.close()
        p = subprocess.run([BIN, "serve", "--data", srv.data_dir, "--listen",
                            f"127.0.0.1:{free_port()}"], capture_output=True, text=True,
                           timeout=20)
        t.eq(p.returncode, 1, "refuses a world-readable database")
        os.chmod(db, 0o600)
        os.chmod(srv.data_dir, 0o750)
        p = subprocess.run([BIN, "serve", "--data", srv.data_dir, "--listen",
                            f"127.0.0.1:{free_port()}"], capture_output=True, text=True,
                           timeout=20)
        t.check(p.returncode == 1 and "chmod 700" in p.stderr,
                f"refuses a data directory the group may list ({p.stderr.strip()[-80:]!r})")
        os.chmod(srv.data_dir, 0o700)
    finally:
        srv.cleanup()


def test_second_server(t):
    """One server per data directory: a second would keep its own running
    aggregates and could close a poll from one that misses the replacements
    the first accepted (a signed result that `conclave verify` rejects)."""
    import subprocess
    from harness import BIN, free_port
    srv = Server().start()
    try:
        add_member(srv.data_dir, "hal")
        p = subprocess.run([BIN, "serve", "--data", srv.data_dir, "--listen",
                            f"127.0.0.1:{free_port()}"], capture_output=True, text=True,
                           timeout=20)
        t.check(p.returncode == 1 and "another conclave serve" in p.stderr,
                f"a second server on the same data refuses to start ({p.returncode}, "
                f"{p.stderr.strip()[-120:]})")
        t.eq(srv.request("GET", "/healthz").status, 200, "the first one goes on")
        rc, out, _ = run_cli(["user", "list"], srv.data_dir)
        t.check(rc == 0 and "hal" in out, "the admin commands still work beside it")
        # as if the running server were of the version before the last migration
        db = os.path.join(srv.data_dir, "conclave.db")
        con = sqlite3.connect(db, timeout=10)
        last = con.execute("select max(version) from schema_version").fetchone()[0]
        row = con.execute("select * from schema_version where version = ?", (last,)).fetchone()
        con.execute("delete from schema_version where version = ?", (last,))
        con.commit()
        rc, out, err = run_cli(["user", "list"], srv.data_dir)
        after = con.execute("select max(version) from schema_version").fetchone()[0]
        before = con.execute("select max(version) from schema_version where version < ?",
                             (last,)).fetchone()[0]
        t.check(rc == 1 and "restart it with this binary" in err and after == before,
                f"beside an older server, an admin command does not migrate ({err.strip()!r})")
        con.execute("insert into schema_version values (?, ?, ?)", row)
        con.commit()
        con.close()
        srv.stop(signal.SIGKILL)
        srv.start()
        t.eq(srv.request("GET", "/healthz").status, 200,
             "a killed server's lock goes with it: a new one starts")
        srv.stop()
        # an admin command holds a shared lock while it works (no server may
        # start and find its database half migrated): a starting server waits
        import fcntl
        fd = os.open(srv.data_dir, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_SH)
        threading.Timer(1.0, lambda: fcntl.flock(fd, fcntl.LOCK_UN)).start()
        t0 = time.time()
        srv.start()
        t.check(srv.request("GET", "/healthz").status == 200 and time.time() - t0 >= 0.9,
                f"a server waits for an admin command to finish ({time.time() - t0:.1f} s)")
        os.close(fd)
    finally:
        srv.cleanup()


def test_usage(t):
    rc, out, _ = run_cli(["serve", "--help"])
    t.check(rc == 0 and "--listen" in out, "serve --help")
    flat = " ".join(out.split())
    t.check("5 failures per (username, client address)" in flat and "per username)" not in flat,
            "serve --help: --login-limit 0 names the throttle per (username, client address)")
    t.check("__Host- prefix" in flat, "serve --help: --secure-cookies names the __Host- prefix")
    rc, _, err = run_cli(["serve", "--bogus"])
    t.check(rc == 2 and "bogus" in err, "unknown option is a usage error")
    rc, _, _ = run_cli(["frobnicate"])
    t.eq(rc, 2, "unknown command exits 2")
    rc, out, _ = run_cli(["--help"])
    t.check(rc == 0 and "serve" in out, "conclave --help")


if __name__ == "__main__":
    suite = Suite("test_http")
    suite.run(test_usage, test_first_start_and_health, test_login, test_timing_equal,
              test_throttling, test_tokens_and_deactivation, test_protocol_edges,
              test_shutdown_and_logs, test_migrations, test_second_server)
    suite.finish()
