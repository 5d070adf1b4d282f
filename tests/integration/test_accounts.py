"""Accounts over real HTTP and the CLI: one-time passwords (choose your own at
first login, nothing else until then, expiry, resets), changing one's
password on /account, set-password links for imported members and the
roster's states, members' own API tokens on /account/tokens, the audit log
(every admin action, append-only, nothing about votes), deactivating a
member of an open poll's roll (a confirmation, and the poll's page says so),
and POST-redirect-GET on every account form (a refresh never re-runs an
action nor shows a secret twice)."""
import os
import re
import sqlite3
import subprocess
import tempfile
import time

from harness import (Client, Server, Suite, add_member, close_now, create_token, login_form,
                     no_inline_code, page, run_cli, text, vote, wait_result, web_login)
from harness import post_form as form

GENPASS = r"[1-9A-HJ-NP-Za-km-z]{20}"


def db(srv):
    return sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"))


def secret_of(r, ident):
    m = re.search(r'id="' + ident + r'">([^<]+)<', text(r))
    return m.group(1) if m else None


def admin_client(srv):
    pw = add_member(srv.data_dir, "root", admin=True, display="Rosa Root")
    adm = Client(srv)
    adm.login("root", pw)
    return adm


def add_by_admin(adm, username, display=None):
    """Adds a member on /admin/members; returns the one-time password shown."""
    r = form(adm, "/admin/members", {"action": "add", "username": username,
                                     "display_name": display or ""})
    assert r.status == 303, r.status
    return secret_of(page(adm, "/admin/members"), "new-password")


def state_of(adm, username):
    """The state the roster shows for USERNAME."""
    html = text(page(adm, "/admin/members"))
    m = re.search(r'<tr id="member-' + re.escape(username) +
                  r'">.*?<span class="state [^"]*">([^<]+)</span>', html, re.S)
    return m.group(1) if m else None


def test_one_time_passwords(t):
    with Server() as srv:
        adm = admin_client(srv)
        otp = add_by_admin(adm, "dora", "Dora Dee")
        t.check(otp and re.fullmatch(GENPASS, otp), "a one-time password is shown once")
        t.eq(state_of(adm, "dora"), "must change password", "roster: must change password")
        r = Client(srv).login("dora", otp)
        t.check(r.status == 403 and r.error_code() == "password_change_required" and
                not r.headers_all("Set-Cookie"),
                f"API login with it: 403 password_change_required, no session ({r.status})")
        r, dora = web_login(srv, "dora", otp)
        t.check(r.status == 303 and r.header("Location") == "/account" and dora,
                "the login form goes to choosing a password")
        for path in ("/", "/polls/new", "/account/tokens", "/admin/members"):
            r = page(dora, path)
            t.check(r.status == 303 and r.header("Location") == "/account",
                    f"{path}: nothing else until the password is chosen ({r.status})")
        r = page(dora, "/account")
        t.check(r.status == 200 and "Choose your password" in text(r) and
                'name="current_password"' not in text(r), "the choose-your-password page")
        t.check(dora.get("/api/v1/me").status == 403 and
                dora.get("/api/v1/me").error_code() == "password_change_required",
                "the API refuses that session too")
        r = form(dora, "/account", {"new_password": "dora-own-pass-1",
                                    "new_password_again": "dora-own-pass-2"})
        t.check(r.status == 303 and "differ" in text(page(dora, "/account")),
                "two different new passwords: said, after a redirect")
        form(dora, "/account", {"new_password": otp, "new_password_again": otp})
        t.check("not the one you were given" in text(page(dora, "/account")),
                "the one-time password cannot stay")
        form(dora, "/account", {"new_password": "short", "new_password_again": "short"})
        t.check("shorter than 10" in text(page(dora, "/account")), "the length rule")
        r = form(dora, "/account", {"new_password": "dora-own-pass-1",
                                    "new_password_again": "dora-own-pass-1"})
        r = page(dora, "/account")
        t.check("Your password is set" in text(r) and "Your account" in text(r),
                "the password is set; the session goes on")
        t.eq(page(dora, "/").status, 200, "the pages open now")
        t.eq(Client(srv).login("dora", otp).status, 401, "the one-time password is gone")
        t.eq(Client(srv).login("dora", "dora-own-pass-1").status, 200, "their own works")
        t.eq(state_of(adm, "dora"), "active", "roster: active")

        # an admin-made password expires after 72 hours (moved back in the database)
        otp2 = add_by_admin(adm, "eli")
        with db(srv) as c:
            c.execute("UPDATE members SET password_expires_at = ? WHERE username = 'eli'",
                      (int(time.time()) - 1,))
        r = Client(srv).login("eli", otp2)
        t.check(r.status == 401 and r.error_code() == "password_expired", "API: password_expired")
        r, none = web_login(srv, "eli", otp2)
        cookie, _ = login_form(srv)
        t.check(none is None and r.status == 303, "the form refuses it")
        t.eq(Client(srv).login("eli", "wrong-password-1").error_code(), "invalid_credentials",
             "a wrong password is still just wrong (expiry is told only to whoever knows it)")
        t.eq(state_of(adm, "eli"), "one-time password expired", "roster: expired")
        # ... so the admin resets it, and the new one is shown once
        r = form(adm, "/admin/members", {"action": "reset", "username": "eli"})
        otp3 = secret_of(page(adm, "/admin/members"), "new-password")
        t.check(r.status == 303 and otp3 and otp3 != otp2, "reset: a new one-time password")
        t.check(secret_of(page(adm, "/admin/members"), "new-password") is None, "shown once")
        r, eli = web_login(srv, "eli", otp3)
        t.check(eli is not None and r.header("Location") == "/account", "it works, once")

        # the CLI: a generated password is one-time, one given on stdin is the member's own
        rc, out, err = run_cli(["user", "passwd", "dora"], srv.data_dir)
        t.check(rc == 0 and "one-time" in err and
                Client(srv).login("dora", out.strip()).error_code() == "password_change_required",
                "user passwd: a one-time password")
        rc, out, err = run_cli(["user", "passwd", "dora", "--password-stdin"], srv.data_dir,
                               stdin="dora-cli-pass-1\n")
        t.check(rc == 0 and Client(srv).login("dora", "dora-cli-pass-1").status == 200,
                "user passwd --password-stdin: the member's own")
        t.check(otp not in srv.log() and otp3 not in srv.log(), "no password in the log")


def test_change_password(t):
    with Server() as srv:
        pw = add_member(srv.data_dir, "fay")
        api = Client(srv)
        api.login("fay", pw)
        token = create_token(srv.data_dir, "fay")
        r, web = web_login(srv, "fay", pw)
        r = page(web, "/account")
        t.check(r.status == 200 and 'name="current_password"' in text(r) and
                'href="/account/tokens"' in text(r), "the account page")
        t.check('href="/account"' in text(page(web, "/")), "the header links the account page")
        form(web, "/account", {"current_password": "not-my-password",
                               "new_password": "fay-new-pass-1", "new_password_again":
                               "fay-new-pass-1"})
        t.check("current password is not right" in text(page(web, "/account")),
                "a wrong current password")
        r = form(web, "/account", {"current_password": pw, "new_password": "fay-new-pass-1",
                                   "new_password_again": "fay-new-pass-1"})
        t.check(r.status == 303 and "other sessions have ended" in text(page(web, "/account")),
                "changed")
        t.eq(api.get("/api/v1/me").status, 401, "the other session ended")
        t.eq(page(web, "/").status, 200, "this one goes on")
        t.eq(Client(srv, token=token).get("/api/v1/me").status, 200, "tokens stay")
        t.eq(Client(srv).login("fay", "fay-new-pass-1").status, 200, "the new one works")
        # wrong current passwords count like failed logins, for that address only
        for i in range(5):
            form(web, "/account", {"current_password": f"guess-{i}-password",
                                   "new_password": "fay-new-pass-2",
                                   "new_password_again": "fay-new-pass-2"})
        r = form(web, "/account", {"current_password": "fay-new-pass-1",
                                   "new_password": "fay-new-pass-2",
                                   "new_password_again": "fay-new-pass-2"})
        t.check((r.header("Retry-After") or "").isdigit() and
                "too many wrong passwords" in text(page(web, "/account")),
                "a session cannot guess the password: throttled like a login")
        t.eq(Client(srv, source="127.0.0.2").login("fay", "fay-new-pass-1").status, 200,
             "and the member still logs in from elsewhere")


def test_set_password_links(t):
    with Server() as srv:
        adm = admin_client(srv)
        rc, out, err = run_cli(["user", "import", "-"], srv.data_dir,
                               stdin="gus,Gus Grant,\nhan,Han,\n")
        t.check(rc == 0 and "2 added" in out, "two members imported")
        t.eq(state_of(adm, "gus"), "no password yet", "roster: no password yet")
        r = form(adm, "/admin/members", {"action": "link", "username": "gus"})
        r = page(adm, "/admin/members")
        link = secret_of(r, "new-link")
        t.check(r.status == 200 and link and
                link.startswith(f"http://127.0.0.1:{srv.port}/set-password?link="),
                f"a set-password link with the server's address ({link})")
        t.check("Gus Grant (gus)" in text(r), "named by display name")
        t.check(secret_of(page(adm, "/admin/members"), "new-link") is None, "shown once")
        t.eq(state_of(adm, "gus"), "invitation pending", "roster: invitation pending")
        path = link.split(f"127.0.0.1:{srv.port}", 1)[1] if link else "/set-password"
        r = srv.request("GET", path)
        t.check(r.status == 200 and "Welcome, Gus Grant (gus)" in text(r) and
                'name="new_password"' in text(r), "the link's page, without logging in")
        token = re.search(r'name="login_token" value="([0-9a-f]+)"', text(r))
        cookie = re.search(r"conclave_login=([0-9a-f]+)", r.header("Set-Cookie") or "")
        hdr = {"Content-Type": "application/x-www-form-urlencoded",
               "Cookie": "conclave_login=" + (cookie.group(1) if cookie else "")}
        secret = path.split("link=", 1)[1]
        body = (f"login_token={token.group(1) if token else ''}&link={secret}"
                f"&new_password=gus-own-pass-1&new_password_again=gus-own-pass-9")
        r = srv.request("POST", "/set-password", body, hdr)
        t.check(r.status == 303 and r.header("Location") == path, "mismatch: back to the page")
        r = srv.request("GET", path, headers=hdr)
        t.check("differ" in text(r), "with the reason")
        body = body.replace("gus-own-pass-9", "gus-own-pass-1")
        r = srv.request("POST", "/set-password", body, hdr)
        sid = re.search(r"conclave_session=([0-9a-f]+)", " ".join(r.headers_all("Set-Cookie")))
        t.check(r.status == 303 and r.header("Location") == "/account" and sid,
                f"the password is set and the member logged in ({r.status})")
        t.eq(Client(srv).login("gus", "gus-own-pass-1").status, 200, "gus logs in")
        t.eq(srv.request("GET", path).status, 410, "the link works once")
        r = srv.request("POST", "/set-password", body, hdr)
        t.check(r.status == 303 and Client(srv).login("gus", "gus-own-pass-1").status == 200,
                "a second use changes nothing")
        t.eq(state_of(adm, "gus"), "active", "roster: active")
        rc, out, err = run_cli(["user", "invite", "han", "--url", "https://vote.example.org/"],
                               srv.data_dir)
        t.check(rc == 0 and re.fullmatch(r"https://vote\.example\.org/set-password\?link="
                                         r"[A-Za-z0-9_-]{43}\n", out),
                f"user invite --url prints the whole link ({out!r})")
        rc, out2, err = run_cli(["user", "invite", "han"], srv.data_dir)
        t.check(rc == 0 and out2.startswith("/set-password?link="), "without --url: the path")
        t.eq(srv.request("GET", out.strip().split(".org", 1)[1]).status, 410,
             "a new link replaces the older one")
        rc, _, _ = run_cli(["user", "invite", "han", "--url", "ftp://x"], srv.data_dir)
        t.eq(rc, 2, "a bad --url is a usage error")
        with db(srv) as c:
            c.execute("UPDATE password_links SET expires_at = 1")
        t.eq(srv.request("GET", out2.strip()).status, 410, "an expired link")
        with open(os.path.join(srv.data_dir, "conclave.db"), "rb") as f:
            raw = f.read()
        t.check(secret.encode() not in raw and out2.strip().split("=")[1].encode() not in raw,
                "links are not stored in the clear")
        t.check(secret not in srv.log(), "nor logged (the path is logged without its query)")


def test_tokens_page(t):
    with Server() as srv:
        pw = add_member(srv.data_dir, "ivy")
        other = add_member(srv.data_dir, "jon")
        with db(srv) as c:
            entries = c.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        r, ivy = web_login(srv, "ivy", pw)
        r = page(ivy, "/account/tokens")
        t.check(r.status == 200 and "You have no token." in text(r), "the tokens page")
        r = form(ivy, "/account/tokens", {"action": "create", "label": "laptop"})
        t.eq(r.status, 303, "make a token: a redirect")
        r = page(ivy, "/account/tokens")
        tok = secret_of(r, "new-token")
        t.check(tok and tok.startswith("cnv_"), "the token is shown once")
        t.check(f"--server http://127.0.0.1:{srv.port}" in text(r), "with the command to vote")
        r = page(ivy, "/account/tokens")
        t.check(secret_of(r, "new-token") is None and
                text(r).count('class="token-label">laptop<') == 1,
                "a refresh neither shows it again nor makes another")
        t.eq(Client(srv, token=tok).get("/api/v1/me").json()["username"], "ivy",
             "the token acts as the member")
        form(ivy, "/account/tokens", {"action": "create", "label": "x" * 101})
        r = page(ivy, "/account/tokens")
        t.check("longer than 100 bytes" in text(r) and 'value="' + "x" * 101 + '"' in text(r),
                "label rules; the label is kept")
        with db(srv) as c:
            tid = c.execute("SELECT id FROM api_tokens WHERE label = 'laptop'").fetchone()[0]
        _, jon = web_login(srv, "jon", other)
        form(jon, "/account/tokens", {"action": "revoke", "id": str(tid)})
        t.check("no such token of yours" in text(page(jon, "/account/tokens")) and
                Client(srv, token=tok).get("/api/v1/me").status == 200,
                "another member cannot revoke it")
        form(ivy, "/account/tokens", {"action": "revoke", "id": str(tid)})
        r = page(ivy, "/account/tokens")
        t.check("is revoked" in text(r) and "Revoked tokens" in text(r), "revoked, and listed so")
        t.eq(Client(srv, token=tok).get("/api/v1/me").status, 401, "it no longer works")
        with db(srv) as c:
            n = c.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        t.eq(n, entries, "a member's own tokens are not admin actions: no audit entry")


def test_audit_log(t):
    with Server() as srv:
        adm = admin_client(srv)
        add_by_admin(adm, "kim", "Kim Kay")
        form(adm, "/admin/members", {"action": "deactivate", "username": "kim"})
        form(adm, "/admin/members", {"action": "activate", "username": "kim"})
        form(adm, "/admin/members", {"action": "reset", "username": "kim"})
        form(adm, "/admin/members", {"action": "link", "username": "kim"})
        run_cli(["token", "create", "kim", "--label", "for kim"], srv.data_dir)
        run_cli(["user", "import", "-"], srv.data_dir, stdin="lou,Lou,\n")
        user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
        r = page(adm, "/admin/audit")
        html = text(r)
        t.check(r.status == 200 and "Audit log" in html, "the audit log page")
        rows = re.findall(r"<tr>\s*<td><time[^>]*>[^<]*</time></td>\s*<td>([^<]*)</td>\s*"
                          r"<td>([^<]*)</td>\s*<td>([^<]*)</td>", html)
        got = [(a, w, s) for a, w, s in rows]
        want = [(f"cli:{user}", "members imported", ""),
                (f"cli:{user}", "token made for member", "Kim Kay (kim)"),
                ("Rosa Root (root)", "set-password link made", "Kim Kay (kim)"),
                ("Rosa Root (root)", "password reset", "Kim Kay (kim)"),
                ("Rosa Root (root)", "member reactivated", "Kim Kay (kim)"),
                ("Rosa Root (root)", "member deactivated", "Kim Kay (kim)"),
                ("Rosa Root (root)", "member added", "Kim Kay (kim)")]
        t.eq(got[:7], want, f"every admin action, newest first, by whom:\n{got[:7]}\n{want}")
        t.check('href="/admin/audit"' in text(page(adm, "/admin/members")),
                "admins find it from the header")
        with db(srv) as c:
            for sql in ("UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log"):
                try:
                    c.execute(sql)
                    t.check(False, f"{sql} must be refused")
                except sqlite3.DatabaseError as e:
                    t.check("append-only" in str(e), f"{sql}: refused ({e})")
        for i in range(30):
            form(adm, "/admin/members", {"action": "deactivate", "username": "lou"})
            form(adm, "/admin/members", {"action": "activate", "username": "lou"})
        r = page(adm, "/admin/audit")
        older = re.search(r'href="(/admin/audit\?before=\d+)"', text(r))
        t.check(text(r).count("<tr>") == 51 and older, "50 entries a page, and older ones")
        r2 = page(adm, older.group(1) if older else "/admin/audit")
        t.check(r2.status == 200 and "member added" in text(r2), "the older page")
        t.eq(page(adm, "/admin/audit?before=x").status, 400, "a bad page")


def test_deactivate_mid_poll(t):
    with Server() as srv:
        adm = admin_client(srv)
        ann = add_member(srv.data_dir, "ann")
        bob = add_member(srv.data_dir, "bob", display="Bob Bell")
        cal = add_member(srv.data_dir, "cal")
        token = create_token(srv.data_dir, "ann")
        a = Client(srv)
        a.login("ann", ann)
        pid = a.post("/api/v1/polls", {"nominee": "Nora Nominee", "statement": "s"}).json()["id"]
        home = tempfile.mkdtemp(prefix="conclave-home-")
        rc, tracker, _, err = vote(srv, token, pid, "yes", home)
        t.check(rc == 0 and tracker, f"ann voted ({err})")
        with db(srv) as c:
            before = c.execute("SELECT count(*), group_concat(detail) FROM audit_log").fetchone()
        r = form(adm, "/admin/members", {"action": "deactivate", "username": "bob"})
        t.check(r.status == 303 and r.header("Location") ==
                "/admin/members/deactivate?username=bob", "a roll member: asked to confirm")
        r = page(adm, r.header("Location"))
        t.check(r.status == 200 and "Deactivate Bob Bell (bob)?" in text(r) and
                f'href="/polls/{pid}"' in text(r) and "Nora Nominee" in text(r),
                "the confirmation names the open poll")
        b = Client(srv)
        t.eq(b.login("bob", bob).status, 200, "bob is still active until confirmed")
        r = form(adm, "/admin/members", {"action": "deactivate", "username": "bob",
                                         "confirm": "1"})
        t.check(r.status == 303 and "Bob Bell (bob) is now deactivated." in
                text(page(adm, "/admin/members")), "confirmed: deactivated")
        t.eq(b.get(f"/api/v1/polls/{pid}").status, 401, "bob can no longer vote")
        r = page(a, f"/polls/{pid}")
        t.check("1 member of the roll was deactivated during the poll." in text(r),
                "the poll's page says so to everyone")
        t.check("bob" not in text(r).lower().replace("nobody", ""), "without saying who")
        rc, out, err = run_cli(["user", "deactivate", "cal"], srv.data_dir)
        t.check(rc == 1 and f"cal is on the roll of 1 open poll:\n  {pid}  Nora Nominee" in err
                and "--yes" in err, f"the CLI asks too: exit 1 naming the poll ({rc}, {err!r})")
        c2 = Client(srv)
        t.eq(c2.login("cal", cal).status, 200, "cal is still active until confirmed")
        rc, out, err = run_cli(["user", "deactivate", "cal", "--yes"], srv.data_dir)
        t.eq(rc, 0, f"--yes: deactivated ({err!r})")
        form(adm, "/admin/members", {"action": "activate", "username": "bob"})
        form(adm, "/admin/members", {"action": "deactivate", "username": "bob", "confirm": "1"})
        t.check("2 members of the roll were deactivated during the poll." in
                text(page(a, f"/polls/{pid}")), "counted once per member, CLI included")
        with db(srv) as c:
            rows = c.execute("SELECT action, subject, detail FROM audit_log WHERE id > ?",
                             (before[0],)).fetchall()
        t.check(("member deactivated", "bob", f"on the roll of 1 open poll: {pid}") in rows,
                f"the audit log names the poll ({rows[:2]})")
        with db(srv) as c:
            dump = "\n".join(c.iterdump())
        audit = [l for l in dump.splitlines() if "audit_log" in l and "INSERT" in l]
        t.check(not any(tracker in l for l in audit), "the audit log holds nothing of a vote")
        r = form(adm, "/admin/members", {"action": "deactivate", "username": "ann"})
        rc, out, err = run_cli(["user", "list"], srv.data_dir)
        t.check("ann" in out and r.status == 303, "ann: asked too")
        admin_page = page(adm, "/admin/members/deactivate?username=nobody")
        t.eq(admin_page.status, 404, "no such member: 404")
        # after the close the result page, public, says it too
        close_now(srv, pid)
        wait_result(srv, pid)
        r = srv.request("GET", f"/polls/{pid}/result")
        t.check(r.status == 200 and "2 members of the roll were deactivated during the poll." in
                text(r), "the public result page says so too")


def test_pages_plain(t):
    """The account pages: the site's header, a CSRF token in every form, no
    inline script or style, and the navigation to them."""
    with Server() as srv:
        adm = admin_client(srv)
        pw = add_member(srv.data_dir, "mia")
        run_cli(["user", "import", "-"], srv.data_dir, stdin="ned,Ned,\n")
        form(adm, "/admin/members", {"action": "link", "username": "ned"})
        link = secret_of(page(adm, "/admin/members"), "new-link") or ""
        _, mia = web_login(srv, "mia", pw)
        pages = [(adm, "/admin/members"), (adm, "/admin/audit"),
                 (adm, "/admin/members/deactivate?username=mia"), (mia, "/account"),
                 (mia, "/account/tokens"), (Client(srv), "/set-password?link=" +
                                             link.split("link=")[-1])]
        for who, path in pages:
            r = page(who, path)
            html = text(r)
            forms = html.count("<form ")
            tokens = html.count('name="csrf_token"') + html.count('name="login_token"')
            t.check(r.status == 200 and no_inline_code(html) and forms > 0 and
                    forms == tokens and '<header class="top">' in html and
                    'class="bottom"' in html,
                    f"{path}: header, footer, a token in each of {forms} forms ({tokens}), "
                    f"no inline code")
        nav = text(page(adm, "/"))
        t.check(all(f'href="{p}"' in nav for p in ("/account", "/admin/members", "/admin/audit")),
                "the header links Account, Members and Audit log for admins")
        nav = text(page(mia, "/"))
        t.check('href="/account"' in nav and 'href="/admin/audit"' not in nav,
                "and Account only for members")


if __name__ == "__main__":
    suite = Suite("test_accounts")
    suite.run(test_one_time_passwords, test_change_password, test_set_password_links,
              test_tokens_page, test_audit_log, test_deactivate_mid_poll, test_pages_plain)
    suite.finish()
