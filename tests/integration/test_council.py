"""Councils of trustees and their key ceremony (issue 17): the server as the
ceremony's bulletin board, the admin's `conclave council` commands and
page, and five trustees' `conclave trustee` commands, each in its own HOME
as on its own machine.

A 3-of-5 ceremony runs to completion: every trustee's key file ends in its
final form (0600, the identity key erased, the key share kept) and every
trustee prints the server's ceremony digest; no secret reaches the server,
its database or its log. A cheating dealer (conclave-test's
CONCLAVE_TEST_BAD_SHARE_TO) is caught by its victim's complaint and left out
of QUAL while the ceremony completes. Deadlines (conclave-test's short
rounds): a missing dealer is left behind, fewer than t dealings or a missing
registration fail the council. A key file others can read is refused. The
API's errors; the admin page; `council use` and what it selects."""
import json
import os
import shutil
import stat
import subprocess
import tempfile
import threading
import time

from harness import (TEST_BIN, Server, Suite, create_token, member_client, members_with_tokens,
                     page, parse_html, post_form, run_cli, trustee_cli, trustee_key_path,
                     wait_for)

FIVE = ["ada", "grace", "barbara", "edsger", "frances"]


def db(srv, sql):
    p = subprocess.run(["sqlite3", os.path.join(srv.data_dir, "conclave.db"), sql],
                       capture_output=True, text=True, timeout=30)
    return p.stdout.strip()


def create_council(t, srv, name="Council 2027", threshold=3, trustees=FIVE, env=None,
                   binary=None):
    args = ["council", "create", name, "--threshold", str(threshold)]
    for u in trustees:
        args += ["--trustee", u]
    rc, out, err = run_cli(args, srv.data_dir, env=env, binary=binary)
    t.eq(rc, 0, f"council create exits 0 ({err.strip()})")
    return out.strip()


class Trustees:
    """Five trustees, each with its own HOME (its machine) and API token."""

    def __init__(self, srv, tokens, names=FIVE):
        self.srv = srv
        self.names = list(names)
        self.tokens = tokens
        self.homes = {n: tempfile.mkdtemp(prefix=f"conclave-trustee-{n}-") for n in names}

    def run(self, name, args, env=None, binary=None):
        return trustee_cli(self.srv, args, self.homes[name], self.tokens[name], env=env,
                           binary=binary)

    def key(self, name, council):
        with open(trustee_key_path(self.homes[name], council)) as f:
            return json.load(f)

    def keygen_all(self, t, council, names=None):
        lines = []
        for n in names or self.names:
            rc, out, err = self.run(n, ["keygen", "--server", "{server}", council])
            t.eq(rc, 0, f"{n}: keygen exits 0 ({err.strip()[-200:]})")
            lines.append(out.strip())
        return lines

    def publish(self, lines, threshold=3):
        """Each trustee's copy of the published lines, as --trustees FILE."""
        for n in self.names:
            with open(os.path.join(self.homes[n], "trustees.txt"), "w") as f:
                f.write("# the council's published identity keys\n")
                f.write(f"threshold {threshold}\n" + "\n".join(lines) + "\n")

    def deal(self, name, council, env=None, binary=None, extra=()):
        return self.run(name, ["deal", "--server", "{server}", council, "--trustees",
                               os.path.join(self.homes[name], "trustees.txt")] + list(extra),
                        env=env, binary=binary)

    def verdict(self, name, council, extra=()):
        return self.run(name, ["verdict", "--server", "{server}", council] + list(extra))

    def cleanup(self):
        for h in self.homes.values():
            shutil.rmtree(h, ignore_errors=True)


def council_view(srv, token, council):
    r = srv.request("GET", f"/api/v1/councils/{council}",
                    headers={"Authorization": f"Bearer {token}"})
    return r.status, r.json()


def finish_all(t, tr, council, names):
    """Runs `trustee verdict` for NAMES after the ceremony ended; returns
    {name: printed digest}."""
    digests = {}
    for n in names:
        rc, out, err = tr.verdict(n, council)
        t.eq(rc, 0, f"{n}: verdict after the end exits 0 ({err.strip()[-200:]})")
        digests[n] = out.strip()
    return digests


def test_ceremony(t):
    with Server() as srv:
        tokens = members_with_tokens(srv, FIVE)
        tr = Trustees(srv, tokens)
        try:
            council = create_council(t, srv)
            t.check(len(council) == 16, f"council create prints the id ({council!r})")
            lines = tr.keygen_all(t, council, FIVE[:4])
            # round 1 is not open until every trustee has registered
            tr.publish(lines)
            rc, out, err = tr.deal("ada", council)
            t.check(rc == 1 and "not every trustee has registered" in err,
                    f"deal before round 1 says why ({rc} {err.strip()})")
            lines += tr.keygen_all(t, council, FIVE[4:])
            t.check(all(len(line.split()) == 2 for line in lines), "keygen prints NAME KEY")
            rc, out, err = tr.run("ada", ["show", council])
            t.eq(out.strip(), lines[0], "trustee show prints the line keygen printed")
            path = trustee_key_path(tr.homes["ada"], council)
            t.eq(stat.S_IMODE(os.stat(path).st_mode), 0o600, "the key file is 0600")
            secrets = {n: tr.key(n, council)["identity_secret"] for n in FIVE}
            status, view = council_view(srv, tokens["ada"], council)
            t.check(status == 200 and view["state"] == "dealing" and view["you"] == 1,
                    f"the last registration opens round 1 ({status} {view.get('state')})")
            # the setup is checked against the published lines before anything is dealt
            forged = lines[:4] + [lines[4].split()[0] + " " + lines[0].split()[1]]
            cases = [(forged, 3, "lacks frances"), (lines[:4], 3, "lists 4"),
                     (lines, 2, "says 2")]
            for published, th, why in cases:
                tr.publish(published, threshold=th)
                rc, out, err = tr.deal("ada", council)
                t.check(rc == 1 and why in err and "do not deal" in err,
                        f"deal refuses a setup unlike the published list: {why} ({err.strip()})")
            t.check("own_share" not in tr.key("ada", council), "and nothing was dealt")
            tr.publish(lines)
            for n in FIVE:
                rc, out, err = tr.deal(n, council)
                t.eq(rc, 0, f"{n}: deal exits 0 ({err.strip()[-200:]})")
            shares = {n: tr.key(n, council)["own_share"] for n in FIVE}
            status, view = council_view(srv, tokens["ada"], council)
            t.check(view["state"] == "verdicts" and len(view["dealings"]) == 5,
                    "the last dealing opens round 2 with the five dealings")
            for n in FIVE[:4]:
                rc, out, err = tr.verdict(n, council)
                t.check(rc == 0 and "your verdict is in" in err,
                        f"{n}: verdict posted, the ceremony waits ({rc} {err.strip()[-200:]})")
            rc, out, err = tr.verdict("frances", council)
            t.eq(rc, 0, f"the last verdict completes the ceremony ({err.strip()[-200:]})")
            digests = finish_all(t, tr, council, FIVE[:4])
            digests["frances"] = out.strip()
            status, view = council_view(srv, tokens["ada"], council)
            t.eq(view["state"], "complete", "the council is complete")
            t.eq(view["qual"], [1, 2, 3, 4, 5], "QUAL is every trustee")
            t.check(all(d == view["digest"] for d in digests.values()),
                    f"every trustee prints the server's ceremony digest ({set(digests.values())} "
                    f"vs {view['digest']})")
            rc, out, err = run_cli(["council", "show", council], srv.data_dir)
            t.check(rc == 0 and view["digest"] in out, "council show prints the digest")
            for n in FIVE:
                k = tr.key(n, council)
                t.eq(sorted(k), sorted(["conclave_trustee_key", "server", "council", "index",
                                        "share", "verification_key", "ceremony_digest",
                                        "council_key"]), f"{n}: the key file's final form")
                t.eq(k["ceremony_digest"], view["digest"], f"{n}: the digest kept")
                t.eq(k["council_key"], view["council_key"], f"{n}: the council key kept")
                t.eq(stat.S_IMODE(os.stat(trustee_key_path(tr.homes[n], council)).st_mode),
                     0o600, f"{n}: still 0600")
            # no secret reached the server
            with open(os.path.join(srv.data_dir, "conclave.db"), "rb") as f:
                dbtext = f.read()
            log = srv.log()
            finals = [tr.key(n, council)["share"] for n in FIVE]
            for s in list(secrets.values()) + list(shares.values()) + finals:
                t.check(s not in log and s.encode() not in dbtext,
                        "no identity key, own share or key share in the server's log or db")
            rc, out, err = tr.verdict("ada", council)
            t.check(rc == 1 and "final" in err, "verdict on a final key file says it is over")
            # use
            rc, out, err = run_cli(["council", "use", council], srv.data_dir)
            t.eq(rc, 0, f"council use exits 0 ({err.strip()})")
            t.eq(db(srv, "SELECT council_id FROM council_current"), council,
                 "council_current names the council used (store_council_current reads it)")
            rc, out, err = run_cli(["council", "list"], srv.data_dir)
            t.check(council in out and "(current)" in out, "council list marks it current")
        finally:
            tr.cleanup()


def test_cheating_dealer(t):
    with Server() as srv:
        tokens = members_with_tokens(srv, FIVE)
        tr = Trustees(srv, tokens)
        try:
            council = create_council(t, srv)
            tr.publish(tr.keygen_all(t, council))
            for n in FIVE:
                env = {"CONCLAVE_TEST_BAD_SHARE_TO": "2"} if n == "edsger" else None
                rc, out, err = tr.deal(n, council, env=env, binary=TEST_BIN)
                t.eq(rc, 0, f"{n}: deal exits 0 ({err.strip()[-200:]})")
            for n in FIVE:
                rc, out, err = tr.verdict(n, council)
                t.eq(rc, 0, f"{n}: verdict exits 0 ({err.strip()[-200:]})")
                if n == "grace":
                    t.check("bad share" in err, f"grace is told of the bad share ({err.strip()})")
            finish_all(t, tr, council, FIVE[:4])
            status, view = council_view(srv, tokens["ada"], council)
            t.eq(view["state"], "complete", "the ceremony still completes")
            t.eq(view["qual"], [1, 2, 3, 5], "the cheating dealer (4) is left out of QUAL")
            complaints = [c for v in view["transcript"]["verdicts"] for c in v["complaints"]]
            t.eq([(c["dealer"]) for c in complaints], [4], "one complaint, against dealer 4")
            t.check("share" not in tr.key("edsger", council), "the cheat holds no key share")
            t.check(all(tr.key(n, council)["ceremony_digest"] == view["digest"]
                        for n in FIVE), "every trustee kept the server's digest")
            rc, out, err = run_cli(["council", "show", council], srv.data_dir)
            t.check("upheld complaint" in out, "council show names the upheld complaint")
            # the admin page shows the outcome and makes it current
            admin = member_client(srv, "root", admin=True)
            doc = parse_html(admin.get(f"/admin/councils/{council}").body)
            t.eq(doc.find(id="ceremony-digest").text(), view["digest"], "the page's digest")
            rows = {r.find("td").text().strip(): r.text() for r in doc.find_all("tr")
                    if r.find("td") is not None}
            t.check("upheld" in rows.get("edsger", ""), "the page says why edsger is not in QUAL")
            form = doc.find("form", action=f"/admin/councils/{council}/use")
            t.check(form is not None, "the page offers to seal new polls for the council")
            r = post_form(admin, f"/admin/councils/{council}/use", {})
            t.eq(r.status, 303, "using it from the page redirects")
            t.eq(db(srv, "SELECT council_id FROM council_current"), council, "it is current")
            doc = parse_html(admin.get(f"/admin/councils/{council}").body)
            t.check(doc.find("form", action=f"/admin/councils/{council}/use") is None and
                    "current" in doc.text(), "the page then says it is current")
        finally:
            tr.cleanup()


# The test build's round length: 6 s, or 20 s under ASan (`make asan`), where
# five trustees' keygen, each a process start of the instrumented binary, can
# outlast 6 s on a loaded machine.
ROUND = 20 if os.environ.get("ASAN_OPTIONS") else 6


def test_deadlines(t):
    short = {"CONCLAVE_TEST_COUNCIL_ROUND_SECONDS": str(ROUND)}
    with Server() as srv:
        tokens = members_with_tokens(srv, FIVE)
        tr = Trustees(srv, tokens)
        try:
            # a dealer missing at round 1's deadline is left behind
            council = create_council(t, srv, env=short, binary=TEST_BIN)
            tr.publish(tr.keygen_all(t, council))
            for n in FIVE[:4]:
                rc, out, err = tr.deal(n, council)
                t.eq(rc, 0, f"{n}: deal ({err.strip()[-200:]})")
            # ada waits (--wait) through round 1's deadline, gives her verdict and waits
            # for the end, while the others give theirs once round 2 is open
            waiting = {}
            th = threading.Thread(target=lambda: waiting.update(
                r=tr.verdict("ada", council, ["--wait"])))
            th.start()
            status, view = wait_for(lambda: council_view(srv, tokens["ada"], council),
                                    timeout=5 * ROUND, done=lambda sv: sv[1]["state"] != "dealing")
            t.eq(view["state"], "verdicts", "round 1 closes at its deadline, one dealer short")
            rc, out, err = tr.deal("frances", council)
            t.check(rc == 1 and "past round 1" in err, f"a late dealing is refused ({err.strip()})")
            for n in FIVE[1:4]:
                rc, out, err = tr.verdict(n, council)
                t.eq(rc, 0, f"{n}: verdict ({err.strip()[-200:]})")
            th.join(60 + 4 * ROUND)
            rc, out, err = waiting.get("r", (None, "", ""))
            t.eq(rc, 0, f"verdict --wait waited for both rounds ({err.strip()[-200:]})")
            status, view = council_view(srv, tokens["ada"], council)
            t.eq(out.strip(), view.get("digest"), "and printed the ceremony digest")
            t.check(view["state"] == "complete" and view["qual"] == [1, 2, 3, 4],
                    f"complete without the missing dealer ({view['state']} {view.get('qual')})")

            # fewer than t dealings at the deadline: the council fails
            council = create_council(t, srv, env=short, binary=TEST_BIN)
            tr.publish(tr.keygen_all(t, council))
            for n in FIVE[:2]:
                tr.deal(n, council)
            rc, out, err = tr.verdict("ada", council, ["--wait"])
            t.check(rc == 1 and "failed" in err and "quorum" in err,
                    f"two dealings of three: the ceremony fails ({err.strip()[-200:]})")
            k = tr.key("ada", council)
            t.check("identity_secret" not in k and "quorum" in k.get("failed", ""),
                    "the identity key is erased and the key file says why")

            # a registration missing at round 0's deadline fails the council
            council = create_council(t, srv, env=short, binary=TEST_BIN)
            tr.keygen_all(t, council, FIVE[:4])
            # the server's clock ends the round, without anyone asking
            out = wait_for(lambda: run_cli(["council", "list"], srv.data_dir)[1], timeout=4 * ROUND,
                           done=lambda o: any(council in line and "failed" in line
                                              for line in o.splitlines()))
            t.check(any(council in line and "failed" in line for line in out.splitlines()),
                    "council list shows it failed at its deadline (the server's tick)")
            status, view = council_view(srv, tokens["ada"], council)
            t.check(view["state"] == "failed" and "4 of 5" in view.get("failure", ""),
                    f"a missing registration fails the council ({view.get('failure')})")
            rc, out, err = tr.run("frances", ["keygen", "--server", "{server}", council])
            t.check(rc == 1 and "registrations" in err, "a late keygen is refused")
        finally:
            tr.cleanup()


def test_key_file_permissions(t):
    with Server() as srv:
        tokens = members_with_tokens(srv, FIVE[:3])
        tr = Trustees(srv, tokens, FIVE[:2])
        try:
            council = create_council(t, srv, threshold=1, trustees=FIVE[:3])
            tr.keygen_all(t, council)
            path = trustee_key_path(tr.homes["ada"], council)
            os.chmod(path, 0o644)
            for args in (["show", council], ["deal", "--server", "{server}", council]):
                rc, out, err = tr.run("ada", args)
                t.check(rc == 1 and "group or others" in err and "chmod 600" in err,
                        f"{args[0]}: a key file others can read is refused ({err.strip()})")
            os.chmod(path, 0o600)
            rc, out, err = tr.run("ada", ["show", council])
            t.eq(rc, 0, "0600 is accepted again")
            rc, out, err = tr.run("ada", ["keygen", "--server", "{server}", council])
            t.check(rc == 0, f"keygen again re-sends the same registration ({err.strip()})")
            other = os.path.join(tr.homes["ada"], "other.json")
            rc, out, err = tr.run("ada", ["keygen", "--server", "{server}", council, "--key",
                                          other])
            t.check(rc == 1 and "duplicate" in err, f"a second identity key is refused ({err})")
        finally:
            tr.cleanup()


def test_api_errors(t):
    with Server() as srv:
        tokens = members_with_tokens(srv, FIVE[:3] + ["mallory"])
        tr = Trustees(srv, tokens, FIVE[:3])
        try:
            council = create_council(t, srv, threshold=2, trustees=FIVE[:3])
            auth = {n: {"Authorization": f"Bearer {tok}"} for n, tok in tokens.items()}
            base = f"/api/v1/councils/{council}"
            r = srv.request("GET", base)
            t.eq(r.status, 401, "unauthenticated: 401")
            r = srv.request("GET", "/api/v1/councils/nosuchcouncil", headers=auth["ada"])
            t.check(r.status == 404 and r.error_code() == "not_found", "unknown council: 404")
            tr.keygen_all(t, council, ["ada"])
            reg = tr.key("ada", council)["registration"]
            r = srv.request("POST", base + "/registration", reg, headers=auth["mallory"])
            t.check(r.status == 403 and r.error_code() == "not_a_trustee",
                    f"not a trustee: 403 not_a_trustee ({r.status} {r.error_code()})")
            r = srv.request("POST", base + "/dealings", {"dealer": 1}, headers=auth["ada"])
            t.check(r.status == 409 and r.error_code() == "wrong_round",
                    f"a dealing while registering: 409 wrong_round ({r.status} {r.error_code()})")
            r = srv.request("POST", base + "/registration", reg, headers=auth["ada"])
            t.eq(r.status, 200, "the same registration again: 200 (a retry)")
            other = dict(reg, identity_key=tr.key("ada", council)["identity_key"][:-2] + "00")
            r = srv.request("POST", base + "/registration", other, headers=auth["ada"])
            t.check(r.status == 409 and r.error_code() == "duplicate",
                    f"another registration: 409 duplicate ({r.status} {r.error_code()})")
            r = srv.request("POST", base + "/registration", "{not json",
                            headers=dict(auth["grace"], **{"Content-Type": "application/json"}))
            t.check(r.status == 400 and r.error_code() == "bad_json",
                    f"malformed JSON: 400 bad_json ({r.status} {r.error_code()})")
            bad = dict(reg, name="grace")
            r = srv.request("POST", base + "/registration", bad, headers=auth["grace"])
            body = r.json() or {}
            t.check(r.status == 422 and r.error_code() == "invalid_message" and
                    body["error"].get("reason") == "proof",
                    f"ada's proof as grace's: 422 invalid_message (proof) ({r.status} {body})")
            r = srv.request("POST", base + "/registration", dict(reg, extra=1),
                            headers=auth["grace"])
            t.check(r.status == 422 and (r.json() or {})["error"].get("reason") == "shape",
                    f"an extra key: 422 (shape) ({r.status})")
            status, view = council_view(srv, tokens["mallory"], council)
            t.check(status == 200 and view["you"] is None and view["trustees"][0]["registered_at"],
                    "any member sees the board; 'you' is null for a non-trustee")
            t.check("setup" not in view and "dealings" not in view,
                    "no setup before every trustee registered")
        finally:
            tr.cleanup()


def test_admin_page(t):
    with Server() as srv:
        admin = member_client(srv, "root", admin=True)
        tokens = members_with_tokens(srv, FIVE[:3])
        member = member_client(srv, "mallory")
        r = member.get("/admin/councils")
        t.eq(r.status, 403, "a member who is no admin is refused the page")
        doc = parse_html(admin.get("/admin/councils").body)
        form = doc.find("form", action="/admin/councils")
        t.check(form is not None, "the page has the form that creates a council")
        r = post_form(admin, "/admin/councils", {"action": "create", "name": "Council 2028", "threshold": "2",
                                                 "trustees": "ada grace\nbarbara",
                                                 "round_hours": "48"})
        t.eq(r.status, 303, f"creating a council redirects ({r.status} {r.body[:200]!r})")
        council = r.header("Location").rsplit("/", 1)[1]
        tr = Trustees(srv, tokens, FIVE[:3])
        try:
            tr.keygen_all(t, council, ["ada"])
            doc = parse_html(admin.get(f"/admin/councils/{council}").body)
            text = doc.text()
            t.check("Council 2028" in text and "2 of 3" in text, "the page names the council")
            rows = {row.find("td").text().strip(): row.text() for row in doc.find_all("tr")
                    if row.find("td") is not None}
            ada_row = [row for row in doc.find_all("tr") if row.find("td") is not None
                       and row.find("td").text().strip() == "ada"]
            t.check(ada_row and ada_row[0].find("time") is not None,
                    f"ada is shown as registered, with the time ({rows.get('ada')})")
            t.check("grace" in rows and "waiting" in rows["grace"].lower(),
                    f"grace is shown as waiting ({rows.get('grace')})")
            t.check(doc.find("time") is not None, "the deadline is shown as a time")
            r = post_form(admin, "/admin/councils", {"action": "create", "name": "", "threshold": "5",
                                                     "trustees": "ada"})
            doc = parse_html(r.body)
            err = doc.find(id="council-error")
            t.check(r.status == 400 and err is not None and "threshold" in err.text().lower(),
                    f"a bad form is refused with the reason ({r.status})")
            t.check(doc.find("textarea", id="c-trustees").text().strip() == "ada",
                    "and keeps what was typed")
            r = post_form(admin, "/admin/councils", {"action": "create", "name": "X", "threshold": "1",
                                                     "trustees": "ada nobody",
                                                     "round_hours": "72"})
            err = parse_html(r.body).find(id="council-error")
            t.check(r.status == 400 and err is not None and "member" in err.text(),
                    f"a trustee who is no member is refused ({r.status})")
            doc = parse_html(admin.get("/admin/councils").body)
            t.check(council in doc.text() or doc.find("a", href=f"/admin/councils/{council}"),
                    "the list links the council")
        finally:
            tr.cleanup()


if __name__ == "__main__":
    import sys
    s = Suite("test_council")
    tests = [test_ceremony, test_cheating_dealer, test_deadlines, test_key_file_permissions,
             test_api_errors, test_admin_page]
    only = sys.argv[1:]
    s.run(*[f for f in tests if not only or f.__name__ in only])
    s.finish()
