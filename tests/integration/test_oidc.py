"""Login through the team's OpenID Connect provider (issue 19), against a real
provider on loopback (npm oidc-provider, tests/oidc/provider.mjs, started by
the harness): the whole flow in a browser's cookies (start, sign in at the
provider, callback, Conclave's own session); member matching by a verified
email and then by the link (issuer, sub); the roster from a group; password
login off; and every refusal: a wrong or replayed state, a declined login, ID
tokens the provider's token endpoint tampers with (another audience, expired,
another nonce, another key, an unknown kid, alg none), a user outside the
group, one on no roster, a deactivated member, a provider down; the options
that cannot work refused at start-up."""
import os
import re
import sqlite3
import stat
import tempfile
import urllib.parse

from harness import (Browser, Client, OidcProvider, Server, Suite, add_member, free_port,
                     oidc_login, oidc_server, oidc_to_callback, parse_html, post_login, run_cli, text,
                     write_secret)


def base(srv):
    return f"http://127.0.0.1:{srv.port}"


def links(srv):
    with sqlite3.connect(os.path.join(srv.data_dir, "conclave.db")) as c:
        return c.execute("SELECT l.subject, m.username FROM oidc_links l JOIN members m"
                         " ON m.id = l.member_id ORDER BY m.username").fetchall()


def logged_in_as(browser, srv):
    """The username the header shows on / for BROWSER's session, or None."""
    r = browser.request(base(srv) + "/")
    m = re.search(r'title="Logged in as ([A-Za-z0-9-]+)"', text(r))
    return m.group(1) if r.status == 200 and m else None


def refused(t, r, status, words, what):
    t.eq(r.status, status, what + ": status")
    doc = parse_html(r.body)
    p = doc.find(id="refused")
    t.check(p is not None and words in p.text(), f"{what}: the page says '{words}'")
    t.check(doc.find("a", id="again") is not None, f"{what}: a 'try again' link")


def login_form_admin(srv):
    """GET /login?admin=1: (the login cookie, the form's token)."""
    r = srv.request("GET", "/login?admin=1")
    cookie = re.search(r"conclave_login=([0-9a-f]+)", r.header("Set-Cookie") or "").group(1)
    token = re.search(r'name="login_token" value="([0-9a-f]+)"', text(r)).group(1)
    return cookie, token


def log_lines(srv, what):
    return [line for line in srv.log().splitlines() if "oidc: login refused" in line and what in line]


class Env:
    """A provider and a Conclave server using it (EXTRA: more serve options)."""

    def __init__(self, extra=(), auth="basic"):
        self.port = free_port()
        self.tmp = tempfile.mkdtemp(prefix="conclave-oidc-")
        self.provider = OidcProvider(f"http://127.0.0.1:{self.port}/login/oidc/callback",
                                     auth=auth).start()
        self.srv = oidc_server(self.provider, self.port, self.tmp, extra)

    def __enter__(self):
        self.srv.start(port=self.port)
        return self

    def __exit__(self, *exc):
        self.srv.cleanup()
        self.provider.stop()


def test_login_by_email_then_link(t):
    with Env() as e:
        srv = e.srv
        add_member(srv.data_dir, "carol", email="carol@example.org", display="Carol C")
        r = srv.request("GET", "/login")
        doc = parse_html(r.body)
        button = doc.find("a", id="oidc-login")
        t.check(button is not None and button.text().strip() == "Log in with Test SSO",
                "the login page has 'Log in with Test SSO'")
        t.check(doc.find("form", id="password-form") is not None,
                "with password login on, the password form is there too")
        b = Browser()
        r = oidc_login(b, srv, "carol", next_path="/account")
        t.eq(r.status, 200, "carol's callback answers the page that moves on")
        t.check('<meta http-equiv="refresh" content="0; url=/account">' in text(r),
                "it moves on to the page asked for (/account)")
        t.check(b.cookie("conclave_session") is not None, "a Conclave session cookie is set")
        t.check(b.cookie("conclave_oidc") is None, "the login's cookie is cleared")
        t.eq(logged_in_as(b, srv), "carol", "logged in as carol (matched by verified email)")
        t.eq(links(srv), [("carol", "carol")], "carol is linked to (issuer, her subject)")
        r = b.request(base(srv) + "/account/tokens")
        t.eq(r.status, 200, "the token page works for a member logged in through the provider")
        # the link, not the address, names the member from now on
        run_cli(["user", "import", "-"], srv.data_dir,
                stdin="username,display name,email\ncarol,Carol C,carol@elsewhere.example\n")
        b2 = Browser()
        oidc_login(b2, srv, "carol")
        t.eq(logged_in_as(b2, srv), "carol", "a linked member logs in after an email change")
        # logging out of Conclave needs no provider
        r = b2.request(base(srv) + "/")
        csrf = re.search(r'name="csrf-token" content="([0-9a-f]+)"', text(r)).group(1)
        r = b2.request(base(srv) + "/logout", {"csrf_token": csrf})
        t.eq(r.status, 303, "logout answers 303")
        t.eq(logged_in_as(b2, srv), None, "logged out")


def test_refusals_without_group(t):
    with Env() as e:
        srv = e.srv
        add_member(srv.data_dir, "dave", email="dave@example.org")
        add_member(srv.data_dir, "erin", email="erin@example.org")
        run_cli(["user", "deactivate", "erin"], srv.data_dir)
        refused(t, oidc_login(Browser(), srv, "bob"), 403, "No member",
                "bob (no member has his address, no group)")
        refused(t, oidc_login(Browser(), srv, "dave"), 403, "No member",
                "dave (his address is a member's, but not verified)")
        refused(t, oidc_login(Browser(), srv, "erin"), 403, "deactivated",
                "erin (a deactivated member)")
        t.eq(links(srv), [], "no refused login linked anyone")
        r = oidc_login(Browser(), srv, "alice")
        t.check(r.status == 403 and "Not a member" in text(r),
                "without --oidc-group a login that matches nobody creates nobody")
        log = srv.log()
        t.check(len(log_lines(srv, "CV_NOT_MEMBER")) >= 2 and log_lines(srv, "CV_DEACTIVATED"),
                "each refusal is one log line with its reason")
        t.check("@example.org" not in log, "the log holds no address")


def test_state(t):
    with Env() as e:
        srv = e.srv
        add_member(srv.data_dir, "carol", email="carol@example.org")
        b = Browser()
        cb = oidc_to_callback(b, srv, "carol")
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(cb).query)
        code, state = q["code"][0], q["state"][0]
        tokens = e.provider.stats()["token"]
        wrong = cb.replace("state=" + state, "state=" + state[:-2] + ("AA" if state[-2:] != "AA" else "BB"))
        refused(t, b.request(wrong), 400, "another browser", "a callback with another state")
        t.eq(e.provider.stats()["token"], tokens, "a wrong state is refused before any exchange")
        cookie = b.cookie("conclave_oidc")
        r = b.request(cb)
        t.eq(logged_in_as(b, srv), "carol", "the right state still works after a wrong one")
        # the same callback again, cookie and all (a replay, or a double click)
        replay = Browser()
        replay.set_cookie("conclave_oidc", cookie)
        tokens = e.provider.stats()["token"]
        refused(t, replay.request(cb), 400, "used already", "a replayed callback")
        t.eq(e.provider.stats()["token"], tokens,
             "a replayed callback is refused by Conclave (the code is not sent again)")
        t.eq(replay.cookie("conclave_session"), None, "no session from a replay")
        # a callback in a browser that did not start the login (login CSRF)
        b3 = Browser()
        cb3 = oidc_to_callback(b3, srv, "carol")
        refused(t, Browser().request(cb3), 400, "another browser",
                "a callback without the login's cookie")
        t.check(code not in srv.log() and state not in srv.log(),
                "neither the code nor the state is logged")
        r = b.request(base(srv) + "/login/oidc/callback?error=access_denied")
        t.eq(r.status, 400, "an error without a state is refused as a stray callback")
        b4 = Browser()
        cb4 = oidc_to_callback(b4, srv, "carol", decline=True)
        refused(t, b4.request(cb4), 403, "declined", "declined at the provider")


def test_tampered_tokens(t):
    cases = [("aud", "bad_audience"), ("expired", "expired"), ("nonce", "bad_nonce"),
             ("other-key", "bad_signature"), ("new-kid", "unknown_kid"),
             ("alg-none", "alg_refused"), ("alg-hs256", "alg_refused")]
    with Env() as e:
        srv = e.srv
        add_member(srv.data_dir, "carol", email="carol@example.org")
        for mode, reason in cases:
            e.provider.set_mode(mode)
            b = Browser()
            r = oidc_login(b, srv, "carol")
            refused(t, r, 401, "failed Conclave's checks", f"an ID token with {mode}")
            t.eq(b.cookie("conclave_session"), None, f"{mode}: no session")
            t.check(log_lines(srv, "the ID token: " + reason),
                    f"{mode}: the log says {reason}")
        jwks = e.provider.stats()["jwks"]
        e.provider.set_mode("new-kid")
        oidc_login(Browser(), srv, "carol")
        oidc_login(Browser(), srv, "carol")
        t.check(e.provider.stats()["jwks"] - jwks <= 1,
                "two tokens of an unknown kid in a row refetch the keys at most once "
                f"(rate-limited; {e.provider.stats()['jwks'] - jwks} fetches)")
        e.provider.set_mode("token-500")
        refused(t, oidc_login(Browser(), srv, "carol"), 502, "did not complete",
                "the token endpoint failing")
        e.provider.set_mode("")
        b = Browser()
        oidc_login(b, srv, "carol")
        t.eq(logged_in_as(b, srv), "carol", "the honest provider again: logged in")
        t.eq(links(srv), [("carol", "carol")], "only the honest login linked carol")


def test_group_roster_password_off(t):
    extra = ["--oidc-group", "conclave-core", "--password-login", "off"]
    with Env(extra, auth="post") as e:
        srv = e.srv
        admin_pw = add_member(srv.data_dir, "root", admin=True)
        member_pw = add_member(srv.data_dir, "mia")
        add_member(srv.data_dir, "carol-c", email="someone@example.org")
        r = srv.request("GET", "/login")
        doc = parse_html(r.body)
        t.check(doc.find("form", id="password-form") is None,
                "password login off: no password form on /login")
        t.check(doc.find("a", id="admin-login") is not None, "an 'administrator login' link")
        t.check(parse_html(srv.request("GET", "/login?admin=1").body).find(
            "form", id="password-form") is not None, "the link shows the form")
        t.eq(Client(srv).login("mia", member_pw).status, 403,
             "password login off: a member's right password is refused (API)")
        t.eq(Client(srv).login("root", admin_pw).status, 200, "an admin still logs in")
        cookie, token = login_form_admin(srv)
        r = post_login(srv, {"username": "root", "password": "wrong-password-1", "login_token":
                             token, "next": "/"}, cookie)
        again = srv.request("GET", r.header("Location"), headers={"Cookie": "conclave_login=" + cookie})
        doc = parse_html(again.body)
        t.check(doc.find("form", id="password-form") is not None and
                "Wrong username or password" in text(again),
                "an admin's wrong password: back to the form, not to the button alone")
        b = Browser()
        r = oidc_login(b, srv, "alice")
        t.eq(logged_in_as(b, srv), "alice", "a group member's first login creates the member")
        r = run_cli(["user", "list"], srv.data_dir)
        t.check("alice" in r[1], "alice is on the roster")
        refused(t, oidc_login(Browser(), srv, "bob"), 403, "not in the group",
                "bob (outside the group)")
        b = Browser()
        oidc_login(b, srv, "erin")
        t.eq(logged_in_as(b, srv), "erin-dot", "preferred_username erin.dot becomes erin-dot")
        acct = b.request(base(srv) + "/account")
        t.check(acct.status == 200 and "no Conclave password to change" in text(acct) and
                'name="current_password"' not in text(acct),
                "/account of a member made by the provider: no change-password form")
        refused(t, oidc_login(Browser(), srv, "carol"), 409, "taken",
                "carol.c -> carol-c, a name another member has")
        t.eq(links(srv), [("alice", "alice"), ("erin", "erin-dot")],
             "links made for the created members only")
        run_cli(["user", "deactivate", "alice"], srv.data_dir)
        refused(t, oidc_login(Browser(), srv, "alice"), 403, "deactivated",
                "a deactivated member (linked) cannot log in through the provider")


def test_provider_down(t):
    port = free_port()
    dead = free_port()
    tmp = tempfile.mkdtemp(prefix="conclave-oidc-")
    srv = Server(args=["--public-url", f"http://127.0.0.1:{port}", "--oidc-issuer",
                       f"http://127.0.0.1:{dead}", "--oidc-client-id", "conclave",
                       "--oidc-client-secret-file", write_secret(tmp)])
    srv.start(port=port)
    try:
        pw = add_member(srv.data_dir, "mia")
        b = Browser()
        r = b.request(base(srv) + "/login/oidc/start")
        refused(t, r, 502, "cannot be reached", "the provider down")
        t.check(parse_html(r.body).find("a", id="password-login") is not None,
                "the page offers the password login")
        t.eq(Client(srv).login("mia", pw).status, 200, "password login works meanwhile")
        t.eq(srv.request("GET", "/login/oidc/callback").status, 400,
             "a stray callback is refused")
    finally:
        srv.cleanup()


def test_discovery_issuer(t):
    """A discovery document that names another issuer than the configured one is
    not trusted (the same provider reached as localhost names itself 127.0.0.1)."""
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="conclave-oidc-")
    with OidcProvider(f"http://127.0.0.1:{port}/login/oidc/callback") as p:
        srv = Server(args=["--public-url", f"http://127.0.0.1:{port}", "--oidc-issuer",
                           f"http://localhost:{p.port}", "--oidc-client-id", "conclave",
                           "--oidc-client-secret-file", write_secret(tmp)])
        srv.start(port=port)
        try:
            r = Browser().request(base(srv) + "/login/oidc/start")
            refused(t, r, 502, "cannot be reached", "a discovery naming another issuer")
            t.check("names another issuer" in srv.log(), "the log says why")
        finally:
            srv.cleanup()


def test_options(t):
    tmp = tempfile.mkdtemp(prefix="conclave-oidc-")
    secret = write_secret(tmp)
    good = ["--oidc-client-id", "c", "--oidc-client-secret-file", secret]
    cases = [
        (["--oidc-issuer", "http://idp.example.org", "--public-url", "https://v.example.org"]
         + good, "https"),
        (["--oidc-issuer", "https://idp.example.org"] + good, "--public-url"),
        (["--oidc-issuer", "https://idp.example.org", "--public-url", "https://v.example.org"],
         "--oidc-client-id"),
        (["--oidc-group", "core"], "need --oidc-issuer"),
        (["--password-login", "off"], "needs --oidc-issuer"),
        (["--password-login", "maybe"], "--password-login"),
        (["--oidc-issuer", "http://127.0.0.1@idp.example.org", "--public-url",
          "https://v.example.org"] + good, "https"),
    ]
    for args, words in cases:
        rc, out, err = run_cli(["serve", "--listen", f"127.0.0.1:{free_port()}"] + args, tmp)
        t.check(rc == 2 and words in err, f"serve {' '.join(args)}: refused naming {words} "
                f"(rc {rc}: {err.splitlines()[0] if err else ''})")
    os.chmod(secret, 0o644)
    rc, out, err = run_cli(["serve", "--listen", f"127.0.0.1:{free_port()}", "--oidc-issuer",
                            "https://idp.example.org", "--public-url", "https://v.example.org"]
                           + good, tmp)
    t.check(rc == 1 and "--oidc-client-secret-file" in err and "chmod 600" in err,
            f"a secret file others can read is refused (rc {rc})")
    t.check(stat.S_IMODE(os.stat(secret).st_mode) == 0o644, "the file is left as it was")
    rc, out, err = run_cli(["serve", "--help"])
    t.check(rc == 0 and all(o in out for o in ("--oidc-issuer", "--oidc-client-id",
            "--oidc-client-secret-file", "--oidc-name", "--oidc-group", "--oidc-groups-claim",
            "--password-login")), "serve --help lists the OIDC options")


if __name__ == "__main__":
    s = Suite("test_oidc")
    s.run(test_options, test_login_by_email_then_link, test_refusals_without_group, test_state,
          test_tampered_tokens, test_group_roster_password_off, test_provider_down,
          test_discovery_issuer)
    s.finish()
