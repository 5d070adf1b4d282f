"""Sessions and keys over real HTTP: a new session id at every login (the
one the client held ends, so a planted id never becomes a session), expiry,
logout everywhere when a member is deactivated, CSRF tokens compared whole,
and the modes of the database and the server key: 0600 when made, refused
when group or others may read them."""
import os
import re
import stat
import subprocess
import time

from harness import BIN, Client, Server, Suite, add_member, create_token, free_port


def cookie_of(resp, name="conclave_session"):
    for v in resp.headers_all("Set-Cookie"):
        m = re.match(name + r"=([^;]*)", v)
        if m:
            return m.group(1)
    return None


def me(srv, cookie):
    return srv.request("GET", "/api/v1/me", headers={"Cookie": "conclave_session=" + cookie})


def test_rotation(t):
    with Server() as srv:
        pw = add_member(srv.data_dir, "ann")
        first = Client(srv)
        t.eq(first.login("ann", pw).status, 200, "login")
        old = first.cookie
        r = srv.request("POST", "/api/v1/session", {"username": "ann", "password": pw},
                        headers={"Cookie": "conclave_session=" + old})
        new = cookie_of(r)
        t.check(r.status == 200 and new and new != old, "a second login gives a new session id")
        t.eq(me(srv, old).status, 401, "the session id sent to the login ended")
        t.eq(me(srv, new).status, 200, "the new one works")
        planted = "ab" * 32
        r = srv.request("POST", "/api/v1/session", {"username": "ann", "password": pw},
                        headers={"Cookie": "conclave_session=" + planted})
        t.check(cookie_of(r) not in (None, planted), "a planted id is never adopted")
        t.eq(me(srv, planted).status, 401, "and never becomes a session")
        r = srv.request("POST", "/api/v1/session", {"username": "ann", "password": "wrong-pass-1"},
                        headers={"Cookie": "conclave_session=" + new})
        t.check(r.status == 401 and me(srv, new).status == 200,
                "a failed login leaves the current session alone")

        # the login form rotates the same way
        page = srv.request("GET", "/login")
        token = cookie_of(page, "conclave_login")
        t.check(page.status == 200 and token, "login page sets its double-submit cookie")
        r = srv.request("POST", "/login",
                        f"username=ann&password={pw}&login_token={token}&next=/",
                        headers={"Content-Type": "application/x-www-form-urlencoded",
                                 "Cookie": f"conclave_login={token}; conclave_session={new}"})
        web = cookie_of(r)
        t.check(r.status == 303 and web and web != new, f"form login: new id ({r.status})")
        t.check(me(srv, new).status == 401 and me(srv, web).status == 200,
                "form login ended the session the browser held")


def test_expiry(t):
    with Server(args=["--session-ttl", "2"]) as srv:
        pw = add_member(srv.data_dir, "bea")
        c = Client(srv)
        r = c.login("bea", pw)
        t.check("Max-Age=2" in (r.header("Set-Cookie") or ""), "cookie Max-Age is the TTL")
        t.eq(c.get("/api/v1/me").status, 200, "session works at once")
        time.sleep(3.1)
        r = c.get("/api/v1/me")
        t.check(r.status == 401 and r.error_code() == "unauthenticated",
                "after the TTL the session is refused by the server itself")
        t.check(c.login("bea", pw).status == 200 and c.get("/api/v1/me").status == 200,
                "logging in again works")


def test_deactivation_ends_everything(t):
    with Server() as srv:
        pw = add_member(srv.data_dir, "cid")
        token = create_token(srv.data_dir, "cid")
        a, b = Client(srv), Client(srv)
        a.login("cid", pw)
        b.login("cid", pw)
        tc = Client(srv, token=token)
        t.check(all(x.get("/api/v1/me").status == 200 for x in (a, b, tc)),
                "two sessions and a token work")
        rc = subprocess.run([BIN, "user", "deactivate", "cid", "--data", srv.data_dir],
                            capture_output=True).returncode
        t.eq(rc, 0, "deactivate while serving")
        t.check(all(x.get("/api/v1/me").status == 401 for x in (a, b, tc)),
                "every session and the token stop at once")
        r = b.post("/api/v1/polls", {"nominee": "X", "statement": "y"})
        t.eq(r.status, 401, "a deactivated member's session cannot act")
        subprocess.run([BIN, "user", "activate", "cid", "--data", srv.data_dir],
                       capture_output=True)
        t.check(a.get("/api/v1/me").status == 401 and b.get("/api/v1/me").status == 401,
                "sessions stay ended after re-activation (they were deleted)")
        t.eq(tc.get("/api/v1/me").status, 200, "the token works again (not revoked)")
        t.eq(Client(srv).login("cid", pw).status, 200, "the member can log in again")


def test_passwd_ends_sessions(t):
    """A new password logs out whoever logged in with the old one (a leaked
    password is reset to shut its holder out); the member's tokens stay."""
    with Server() as srv:
        pw = add_member(srv.data_dir, "cal")
        token = create_token(srv.data_dir, "cal")
        a = Client(srv)
        t.eq(a.login("cal", pw).status, 200, "logged in with the old password")
        p = subprocess.run([BIN, "user", "passwd", "cal", "--password-stdin", "--data",
                            srv.data_dir], input=b"a-brand-new-password\n", capture_output=True)
        t.eq(p.returncode, 0, "passwd while serving")
        r = a.get("/api/v1/me")
        t.check(r.status == 401 and r.error_code() == "unauthenticated",
                f"the old session ends with the new password ({r.status})")
        r = a.post("/api/v1/polls", {"nominee": "Leaked Session", "statement": "s"})
        t.eq(r.status, 401, "and cannot act")
        t.eq(Client(srv, token=token).get("/api/v1/me").status, 200,
             "the member's API token is not a session: it stays")
        b = Client(srv)
        t.check(b.login("cal", "a-brand-new-password").status == 200 and
                b.get("/api/v1/me").status == 200, "the new password logs in")


def test_secure_cookie_names(t):
    """With --secure-cookies the cookies carry the __Host- prefix (a browser
    then takes them only from this exact host over HTTPS, with Path=/ and no
    Domain, so a sibling host can neither plant nor shadow them); without it
    the plain names stay (a __Host- cookie needs Secure, which plain http
    cannot carry)."""
    with Server(args=["--secure-cookies"]) as srv:
        pw = add_member(srv.data_dir, "hal")
        c = Client(srv)
        r = c.login("hal", pw)
        sc = r.header("Set-Cookie") or ""
        t.check(sc.startswith("__Host-conclave_session=") and "; Secure" in sc and
                "Path=/;" in sc and "Domain" not in sc, f"__Host- session cookie ({sc[:40]}...)")
        t.eq(c.get("/api/v1/me").status, 200, "the server reads the __Host- cookie")
        r = srv.request("GET", "/api/v1/me", headers={"Cookie": "conclave_session=" + c.cookie})
        t.eq(r.status, 401, "and ignores the plain name")
        page = srv.request("GET", "/login")
        lc = [v for v in page.headers_all("Set-Cookie") if "conclave_login" in v]
        t.check(lc and lc[0].startswith("__Host-conclave_login=") and "; Secure" in lc[0] and
                "Path=/;" in lc[0], f"__Host- login cookie ({lc[:1]})")
        token = cookie_of(page, "__Host-conclave_login")
        r = srv.request("POST", "/login", f"username=hal&password={pw}&login_token={token}",
                        headers={"Content-Type": "application/x-www-form-urlencoded",
                                 "Cookie": f"__Host-conclave_login={token}"})
        names = [v.split("=", 1)[0] for v in r.headers_all("Set-Cookie")]
        t.check(r.status == 303 and "__Host-conclave_session" in names and
                "conclave_session" not in names, f"the login form sets it too ({r.status}, {names})")
        sid = cookie_of(r, "__Host-conclave_session")
        r = srv.request("GET", "/", headers={"Cookie": f"__Host-conclave_session={sid}"})
        t.eq(r.status, 200, "and the pages read it")
    with Server() as srv:
        pw = add_member(srv.data_dir, "ida")
        r = Client(srv).login("ida", pw)
        sc = r.header("Set-Cookie") or ""
        t.check(sc.startswith("conclave_session=") and "Secure" not in sc,
                "without --secure-cookies: the plain name, not Secure")
        page = srv.request("GET", "/login")
        lc = [v for v in page.headers_all("Set-Cookie") if "conclave_login" in v]
        t.check(lc and lc[0].startswith("conclave_login=") and "Path=/;" in lc[0],
                "and the plain login cookie")


def test_csrf(t):
    with Server() as srv:
        pw = add_member(srv.data_dir, "dan")
        c = Client(srv)
        c.login("dan", pw)
        good = c.csrf
        cases = {"missing": None, "empty": "", "one char off": good[:-1] + ("0" if good[-1] != "0"
                                                                            else "1"),
                 "prefix": good[:32], "longer": good + "0", "upper case": good.upper()}
        for what, value in cases.items():
            hdrs = {"Cookie": "conclave_session=" + c.cookie}
            if value is not None:
                hdrs["X-CSRF-Token"] = value
            r = srv.request("POST", "/api/v1/polls", {"nominee": "N", "statement": "s"},
                            headers=hdrs)
            t.check(r.status == 403 and r.error_code() == "csrf_failed", f"CSRF {what}: 403")
        # login CSRF: a hostile page's <form enctype="text/plain"> whose field is
        # named '{"username":"mal","password":"mal-pass-12' with the value '"}'
        add_member(srv.data_dir, "mal", password="mal-pass-12=")
        body = '{"username":"mal","password":"mal-pass-12' + '=' + '"}\r\n'
        for what, hdrs in (("Sec-Fetch-Site cross-site", {"Sec-Fetch-Site": "cross-site"}),
                           ("Origin of another site", {"Origin": "https://evil.example"})):
            r = srv.request("POST", "/api/v1/session", body,
                            headers=dict(hdrs, **{"Content-Type": "text/plain"}))
            t.check(r.status == 403 and r.error_code() == "cross_site" and
                    not r.header("Set-Cookie"), f"a cross-site login is refused: {what} "
                                                f"({r.status})")
        r = srv.request("POST", "/api/v1/session", body, headers={"Content-Type": "text/plain"})
        t.check(r.status == 415 and r.error_code() == "unsupported_media_type" and
                not r.header("Set-Cookie"),
                f"a login that is not declared JSON is refused, whatever the headers ({r.status})")
        r = srv.request("POST", "/api/v1/session", {"username": "mal", "password": "mal-pass-12="},
                        headers={"Sec-Fetch-Site": "same-origin",
                                 "Origin": f"http://127.0.0.1:{srv.port}"})
        t.eq(r.status, 200, f"a same-origin login passes ({r.status})")
        r = c.post("/api/v1/polls", {"nominee": "Csrf Ok", "statement": "s"})
        t.eq(r.status, 201, "the session's own token passes")
        # tokens are looked up by their SHA-256, so a near miss is simply unknown
        token = create_token(srv.data_dir, "dan")
        near = token[:-1] + ("A" if token[-1] != "A" else "B")
        r = srv.request("GET", "/api/v1/me", headers={"Authorization": "Bearer " + near})
        t.eq(r.status, 401, "a token one character off is refused")


def start_fails(data_dir):
    p = subprocess.run([BIN, "serve", "--data", data_dir, "--listen",
                        f"127.0.0.1:{free_port()}"], capture_output=True, text=True, timeout=30)
    return p.returncode, p.stderr


def test_file_modes(t):
    srv = Server().start()
    try:
        d = srv.data_dir
        add_member(d, "eve")
        mode = lambda p: stat.S_IMODE(os.stat(os.path.join(d, p)).st_mode)  # noqa: E731
        t.eq(mode("."), 0o700, f"data directory 0700 ({oct(mode('.'))})")
        for f in ("conclave.db", "conclave.db-wal", "conclave.db-shm", "receipt-key"):
            if os.path.exists(os.path.join(d, f)):
                t.eq(mode(f), 0o600, f"{f} is 0600 ({oct(mode(f))})")
        t.check(os.path.exists(os.path.join(d, "receipt-key")), "the key file exists")
        srv.stop()
        for f in ("receipt-key", "conclave.db"):
            for bad in (0o640, 0o604, 0o660):
                os.chmod(os.path.join(d, f), bad)
                rc, err = start_fails(d)
                t.check(rc == 1 and f in err, f"{f} mode {oct(bad)}: refused, naming the file "
                                              f"({rc}, {err.strip()[-120:]})")
                os.chmod(os.path.join(d, f), 0o600)
        key = open(os.path.join(d, "receipt-key")).read()
        srv.start()
        t.eq(srv.request("GET", "/healthz").status, 200, "0600 again: starts")
        t.eq(open(os.path.join(d, "receipt-key")).read(), key, "the key was kept, never replaced")
    finally:
        srv.cleanup()


if __name__ == "__main__":
    suite = Suite("test_sessions")
    suite.run(test_secure_cookie_names, test_rotation, test_expiry, test_deactivation_ends_everything,
              test_passwd_ends_sessions, test_csrf,
              test_file_modes)
    suite.finish()
