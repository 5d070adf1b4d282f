"""The HTML pages over real HTTP: redirects to /login, the login form and its
double-submit token, CSRF and origin checks on every form, logout, the
nomination form's validation, escaping, the booth page, the result page after
the close (chart, counts, find my tracker), the admin's member pages, static
files (types, caching, no traversal, no listings), no inline script or style;
and ballots made by the browser's crypto module (tests/node/make-ballots.mjs)
accepted by the C verifier."""
import json
import os
import re
import shutil

from harness import (FORM, Client, Server, Suite, add_member, login_form, make_ballots,
                     no_inline_code, page, parse_html, post_login, text, wait_for)
from harness import post_form as form
from harness import post_refused as refused

def test_redirects_and_headers(t):
    with Server() as srv:
        for path in ("/", "/polls/new", "/admin/members", "/polls/abc", "/polls/abc/result"):
            r = srv.request("GET", path)
            t.check(r.status == 303 and (r.header("Location") or "").startswith("/login"),
                    f"{path} without a session redirects to /login")
        r = srv.request("GET", "/polls/abc")
        t.eq(r.header("Location"), "/login?next=/polls/abc", "coming back after login")
        r = srv.request("POST", "/logout", "", {"Content-Type": FORM})
        t.check(r.status == 303 and r.header("Location") == "/login", "logout without session")
        r = srv.request("GET", "/login")
        t.check(r.status == 200 and r.header("Content-Type").startswith("text/html"), "login page")
        csp = r.header("Content-Security-Policy") or ""
        t.check("default-src 'self'" in csp and "script-src 'self'" in csp, "strict CSP")
        t.eq(r.header("X-Frame-Options"), "DENY", "no framing")
        t.check(r.header("Referrer-Policy") is not None, "referrer policy")
        t.eq(r.header("Cache-Control"), "no-store", "pages are not cached")
        t.check(no_inline_code(text(r)), "no inline code on the login page")
        t.check('<label for="username">' in text(r) and 'id="username"' in text(r),
                "labelled controls")


def test_login_form(t):
    with Server() as srv:
        pw = add_member(srv.data_dir, "ada")
        cookie, token = login_form(srv)
        t.check(cookie and cookie == token, "the login form's token is also in a cookie")
        good = {"username": "ada", "password": pw, "login_token": token, "next": "/"}

        r = post_login(srv, good, None)
        t.check(r.status == 403 and "expired" in text(r), "no login cookie: refused")
        r = post_login(srv, dict(good, login_token="0" * 64), cookie)
        t.eq(r.status, 403, "a token that does not match the cookie: refused")
        r = post_login(srv, good, cookie, {"Sec-Fetch-Site": "cross-site"})
        t.eq(r.status, 403, "a cross-site post (Fetch Metadata): refused")
        r = post_login(srv, good, cookie, {"Origin": "http://evil.example"})
        t.eq(r.status, 403, "a post from another origin: refused")
        r = srv.request("POST", "/login", json.dumps({"username": "ada"}),
                        {"Content-Type": "application/json", "Cookie": "conclave_login=" + cookie})
        t.eq(r.status, 415, "only forms")
        r = srv.request("POST", "/login", "username=ada&&x", {"Content-Type": FORM,
                                                              "Cookie": "conclave_login=" + cookie})
        t.eq(r.status, 400, "a malformed form is a 400")
        r = post_login(srv, dict(good, password="wrong-password"), cookie)
        t.check(r.status == 303 and (r.header("Location") or "").startswith("/login"),
                f"a wrong password: redirected back to the form, never re-posted ({r.status})")
        r = srv.request("GET", r.header("Location") or "/login",
                        headers={"Cookie": "conclave_login=" + cookie})
        t.check(r.status == 200 and "Wrong username or password." in text(r), "wrong password")
        t.check('value="ada"' in text(r), "the username is kept after an error")
        t.check("wrong-password" not in text(r), "the password is not echoed")
        t.check(re.search(r'<input id="password"[^>]*\sautofocus', text(r)) and
                not re.search(r'<input id="username"[^>]*\sautofocus', text(r)),
                "after an error the focus is on the password, not the username")
        r = srv.request("GET", "/login", headers={"Cookie": "conclave_login=" + cookie})
        t.check("Wrong username" not in text(r) and
                re.search(r'<input id="username"[^>]*\sautofocus', text(r)),
                "a refresh shows the plain form, focus on the username")

        r = post_login(srv, dict(good, next="/polls/new"), cookie,
                       {"Origin": f"http://127.0.0.1:{srv.port}", "Sec-Fetch-Site": "same-origin"})
        t.check(r.status == 303 and r.header("Location") == "/polls/new", "login goes to next")
        cookies = r.headers_all("Set-Cookie")
        session = [c for c in cookies if c.startswith("conclave_session=")]
        t.check(session and "HttpOnly" in session[0] and "SameSite=Strict" in session[0],
                "a session cookie is set")
        t.check(any(c.startswith("conclave_login=;") and "Max-Age=0" in c for c in cookies),
                "the login cookie is cleared")
        sid = session[0].split(";")[0].split("=", 1)[1]
        r = srv.request("GET", "/login", headers={"Cookie": "conclave_session=" + sid})
        t.check(r.status == 303 and r.header("Location") == "/", "logged in: /login goes home")
        for bad in ("//evil.example/x", "http://evil.example/", "/\\evil", "javascript:alert(1)"):
            r = post_login(srv, dict(good, next=bad), cookie)
            t.check(r.status == 303 and r.header("Location") == "/", f"next={bad} is ignored")
        for log_line in srv.log().splitlines():
            if pw in log_line:
                t.check(False, "the password is never logged")


def test_logout_and_csrf(t):
    with Server() as srv:
        pw = add_member(srv.data_dir, "ada")
        c = Client(srv)
        c.login("ada", pw)
        r = page(c, "/")
        t.check(r.status == 200 and f'<meta name="csrf-token" content="{c.csrf}">' in text(r),
                "pages carry the CSRF token for scripts")
        t.check(f'name="csrf_token" value="{c.csrf}"' in text(r), "forms carry the CSRF token")
        t.check(no_inline_code(text(r)), "no inline code on the list")
        r = form(c, "/polls/new", {"nominee": "Grace", "statement": "x"}, csrf=False)
        t.eq(r.status, 403, "a form without the token is refused")
        r = form(c, "/polls/new", {"nominee": "Grace", "statement": "x", "csrf_token": "f" * 64})
        t.eq(r.status, 403, "a form with a wrong token is refused")
        r = form(c, "/polls/new", {"nominee": "Grace", "statement": "x"},
                 headers={"Sec-Fetch-Site": "cross-site"})
        t.eq(r.status, 403, "a cross-site form is refused")
        t.eq(c.get("/api/v1/polls").json()["polls"], [], "nothing was opened")
        r = form(c, "/logout", {}, csrf=False)
        t.eq(r.status, 403, "logout needs the token")
        r = form(c, "/logout", {})
        t.check(r.status == 303 and r.header("Location") == "/login", "logout")
        t.eq(c.get("/api/v1/me").status, 401, "the session is gone")


def test_nomination_form(t):
    with Server() as srv:
        pw = add_member(srv.data_dir, "ada")
        c = Client(srv)
        c.login("ada", pw)
        r = page(c, "/polls/new")
        t.check(r.status == 200 and 'for="nominee"' in text(r) and 'for="statement"' in text(r),
                "the nomination form with labels")
        r = refused(c, "/polls/new", {"nominee": "", "statement": "Good."})
        t.check(r.posted == 303 and r.status == 200 and "aria-invalid" in text(r) and
                "1 to 100 characters" in text(r),
                "an empty nominee is explained, after a redirect (POST-redirect-GET)")
        r = page(c, "/polls/new")
        t.check(r.status == 200 and "aria-invalid" not in text(r),
                "the refusal is shown once: a refresh shows the plain form")
        r = refused(c, "/polls/new", {"nominee": "Grace", "statement": ""})
        t.check(r.status == 200 and 'id="statement-error"' in text(r), "an empty statement")
        r = refused(c, "/polls/new", {"nominee": "Gr\u00e2ce", "statement": "x" * 20001})
        t.check(r.status == 200 and "20000 bytes" in text(r), "a statement too long")
        t.eq(r.body.count(b"x" * 20001), 1, "the statement is kept for correction")
        t.check('value="Gr\u00e2ce"' in text(r), "and the nominee's name")
        r = refused(c, "/polls/new", {"nominee": "ada", "statement": "Hi"})
        t.check(r.status == 200 and "already an active member" in text(r), "a member")
        r = refused(c, "/polls/new", {"nominee": "Grace"})
        t.check(r.posted == 303 and r.status == 200 and "is missing" in text(r),
                "a missing field")
        r = refused(c, "/polls/new", {"nominee": "Grace\u2800Hopper", "statement": "Hi"})
        t.check(r.status == 200 and "invisible characters" in text(r), "a blank Braille pattern")
        r = form(c, "/polls/new", {"nominee": "Jose\u0301", "statement": "Hi"})
        t.eq(r.status, 303, "a decomposed name opens")
        r = refused(c, "/polls/new", {"nominee": "JOS\u00c9", "statement": "Hi"})
        t.check(r.status == 200 and "already an open poll for Jos\u00e9" in text(r),
                "its composed upper case is taken")
        r = refused(c, "/polls/new", {"nominee": "ADA", "statement": "Hi"})
        t.check(r.status == 200 and "already an active member" in text(r), "a member, upper case")

        evil = '<img src=x onerror=alert(1)>"\''
        r = form(c, "/polls/new", {"nominee": evil,
                                    "statement": "**Yes**\n\n<script>alert(2)</script>\n\n"
                                                 "[click](javascript:alert(3))"})
        t.check(r.status == 303 and re.match(r"^/polls/[0-9a-f]+$", r.header("Location") or ""),
                "success redirects to the poll")
        pid = r.header("Location").rsplit("/", 1)[1]
        r = refused(c, "/polls/new", {"nominee": evil, "statement": "again"})
        err = parse_html(r.body).find(id="nominee-error")
        t.check(r.status == 200 and err is not None and "already an open poll" in err.text() and
                err.find("a", href=f"/polls/{pid}") is not None,
                "a second open poll: the error links the open one")
        for path in ("/", f"/polls/{pid}"):
            html = text(page(c, path))
            t.check("<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;"
                    in html, f"the nominee is escaped on {path}")
            t.check("<script>alert" not in html, f"no script from the statement on {path}")
            t.check(no_inline_code(html), f"no inline code on {path}")
        html = text(page(c, f"/polls/{pid}"))
        view = c.get(f"/api/v1/polls/{pid}").json()
        t.check(f'data-fingerprint="{view["fingerprint"]}"' in html, "the booth has the fingerprint")
        t.check('<strong>Yes</strong>' in html, "the statement is Markdown")
        t.check("javascript:" not in html, "no javascript: link from the statement")
        late_pw = add_member(srv.data_dir, "late")
        late = Client(srv)
        late.login("late", late_pw)
        late_html = text(page(late, f"/polls/{pid}"))
        t.check("not on this poll's roll" in late_html and 'id="booth-form"' not in late_html,
                "a member who joined after the opening has no booth")
        t.check('name="choice" value="0"' in html and 'name="choice" value="1"' in html,
                "the booth's two options")
        t.check('src="/static/js/booth.mjs"' in html, "the booth's script")
        t.check(f"0 of {view['eligible']} have voted" in html, "the turnout")
        r = page(c, f"/polls/{pid}/result")
        t.check(r.status == 409 and "not out yet" in text(r), "no result page before the close")
        t.eq(page(c, "/polls/nosuchpoll").status, 404, "an unknown poll is a 404 page")


def test_admin(t):
    with Server() as srv:
        apw = add_member(srv.data_dir, "root", admin=True)
        bpw = add_member(srv.data_dir, "bob", display="Bob Builder")
        bob = Client(srv)
        bob.login("bob", bpw)
        t.eq(page(bob, "/admin/members").status, 403, "members only for admins")
        t.eq(form(bob, "/admin/members", {"action": "add", "username": "eve"}).status, 403,
             "and so is adding one")
        t.eq(page(bob, "/admin/audit").status, 403, "the audit log only for admins")
        adm = Client(srv)
        adm.login("root", apw)
        r = page(adm, "/admin/members")
        t.check(r.status == 200 and "bob" in text(r) and "Members" in text(r), "the roster")
        t.check(no_inline_code(text(r)), "no inline code on the admin page")
        r = form(adm, "/admin/members", {"action": "add", "username": "new-one",
                                          "display_name": "New <One>", "email": "n@example.org",
                                          "admin": "1"})
        t.check(r.status == 303 and r.header("Location") == "/admin/members",
                f"adding answers a redirect (POST-redirect-GET) ({r.status})")
        r = page(adm, "/admin/members")
        m = re.search(r'id="new-password">([^<]+)<', text(r))
        t.check(r.status == 200 and m, "the one-time password is shown after the redirect")
        t.check("New &lt;One&gt; (new-one) was added" in text(r),
                "display names are escaped, and name the member")
        if m:
            t.check(m.group(1) not in srv.log(), "the password is not logged")
            t.check(m.group(1) not in text(page(adm, "/admin/members")),
                    "a refresh does not show it again")
        r = form(adm, "/admin/members", {"action": "add", "username": "bad name",
                                          "display_name": "Kept Name"})
        r = page(adm, "/admin/members")
        t.check("Could not add the member" in text(r) and 'value="bad name"' in text(r) and
                'value="Kept Name"' in text(r), "a bad username: told, the form kept")
        form(adm, "/admin/members", {"action": "add", "username": "bob"})
        t.check("username taken" in text(page(adm, "/admin/members")), "a taken username")
        r = form(adm, "/admin/members", {"action": "deactivate", "username": "bob"})
        t.eq(r.status, 303, "deactivate: a redirect")
        t.check("Bob Builder (bob) is now deactivated." in text(page(adm, "/admin/members")),
                "deactivate, named by display name")
        t.eq(bob.get("/api/v1/me").status, 401, "the member's session ended")
        t.eq(Client(srv).login("bob", bpw).status, 401, "and they cannot log in")
        form(adm, "/admin/members", {"action": "activate", "username": "bob"})
        t.check("Bob Builder (bob) is now active." in text(page(adm, "/admin/members")),
                "reactivate")
        t.eq(Client(srv).login("bob", bpw).status, 200, "they can log in again")
        form(adm, "/admin/members", {"action": "deactivate", "username": "root"})
        t.check("your own account" in text(page(adm, "/admin/members")), "not oneself")
        form(adm, "/admin/members", {"action": "deactivate", "username": "nobody"})
        t.check("no such member" in text(page(adm, "/admin/members")), "an unknown member")
        r = form(adm, "/admin/members", {"action": "explode"})
        t.eq(r.status, 400, "an unknown action")


def test_static(t):
    with Server() as srv:
        for path, ctype in (("/static/js/booth.mjs", "text/javascript"),
                            ("/static/js/conclave-crypto.mjs", "text/javascript"),
                            ("/static/css/site.css", "text/css"),
                            ("/static/img/favicon.svg", "image/svg+xml")):
            r = srv.request("GET", path)
            t.check(r.status == 200 and (r.header("Content-Type") or "").startswith(ctype),
                    f"{path} is served as {ctype}")
            t.check("max-age" in (r.header("Cache-Control") or ""), f"{path} is cacheable")
            with open("." + path, "rb") as f:
                t.eq(r.body, f.read(), f"{path} is the file")
        for path in ("/static/vendor/.stamp", "/static/js/nope.mjs", "/static/js",
                     "/static/js/", "/static/vendor", "/static/..", "/static/../Makefile",
                     "/static/js/../../Makefile", "/static/%2e%2e/Makefile",
                     "/static/js/%2e%2e", "/static/../server/web.c", "/static/x/..",
                     "/static/css/site.css/", "/static/js/booth.mjs.bak", "/static/a/b/c.css"):
            r = srv.request("GET", path)
            t.check(r.status in (404, 405), f"{path} is not served ({r.status})")


def test_js_ballots_and_result(t):
    names = ["m1", "m2", "m3", "m4", "m5"]
    with Server(args=["--poll-duration", "6"]) as srv:
        clients = {}
        for n in names:
            pw = add_member(srv.data_dir, n)
            clients[n] = Client(srv)
            clients[n].login(n, pw)
        c = clients["m1"]
        r = form(c, "/polls/new", {"nominee": "Grace", "statement": "Yes."})
        pid = r.header("Location").rsplit("/", 1)[1]
        view = c.get(f"/api/v1/polls/{pid}").json()
        if shutil.which("node") and os.path.exists("static/vendor/noble.mjs"):
            made = make_ballots(view["record"], len(names), "web-" + pid)
            trackers = []
            for n, m in zip(names, made):
                r = clients[n].post(f"/api/v1/polls/{pid}/ballots", m["ballot"])
                t.check(r.status == 201 and r.json()["tracker"] == m["tracker"],
                        "a ballot made by the JS module passes the C verifier")
                trackers.append(m["tracker"])
            yes = sum(m["votes"][0] for m in made)
        else:
            print("test_web: node or static/vendor missing; JS ballots skipped")
            trackers, yes = [], 0
        html = text(page(c, "/"))
        t.check(f"{len(trackers)} of {view['eligible']} have voted" in html,
                "the list shows the turnout")
        t.check("You voted" in html or not trackers, "the list shows the badge")
        wait_for(lambda: page(c, f"/polls/{pid}/result").status == 200, 60, 0.25)
        r = page(c, f"/polls/{pid}/result")
        html = text(r)
        t.check(r.status == 200 and '<svg class="chart"' in html, "the result page has the chart")
        t.check(no_inline_code(html), "no inline code on the result page")
        field = parse_html(html).find(id="tracker")
        t.check(field is not None and field.text() == "" and "Found:" not in html,
                "the server fills in no tracker when none was asked for")
        t.check('id="find-local" hidden' in html and "<noscript>" in html,
                "the in-browser lookup's note waits for the script; without it, the page says what the form sends")
        res = srv.request("GET", f"/api/v1/polls/{pid}/result").json()
        no = len(trackers) - yes
        t.eq(res["counts"], [yes, no], "the counts are the JS ballots' votes")
        t.check(f"{yes} promote" in html and f"{no} do not promote" in html, "counts on the page")
        t.check(res["signature"] in html and res["message"] in html, "the signed result")
        t.check(f'href="/api/v1/polls/{pid}/board"' in html and 'href="/api/v1/server-key"' in html,
                "links to the board and the key")
        t.check("conclave verify board.json --server-key server.pem" in html, "offline check")
        verdict = "Passed" if res["passed"] else "Not passed"
        t.check(verdict in html, "the verdict")
        t.check("Closed" in text(page(c, "/")) and verdict in text(page(c, "/")),
                "the list shows the closed poll's outcome")
        if trackers:
            r = page(c, f"/polls/{pid}/result?tracker={trackers[2].upper()}")
            t.check("Found: this ballot is on the board" in text(r), "find my tracker")
        r = page(c, f"/polls/{pid}/result?tracker={'ab' * 32}")
        t.check("Not on the board" in text(r), "an unknown tracker")
        r = page(c, f"/polls/{pid}/result?tracker=%3Cb%3Exyz")
        t.check("64 hexadecimal digits" in text(r) and "&lt;b&gt;xyz" in text(r),
                "a malformed tracker is explained and escaped")
        html = text(page(c, f"/polls/{pid}"))
        t.check("See the result" in html and 'id="booth-form"' not in html,
                "a closed poll's page has no booth")


if __name__ == "__main__":
    s = Suite("test_web")
    s.run(test_redirects_and_headers, test_login_form, test_logout_and_csrf,
          test_nomination_form, test_admin, test_static, test_js_ballots_and_result)
    s.finish()
