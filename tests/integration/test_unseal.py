#!/usr/bin/env python3
"""test_unseal.py — polls sealed by a council of trustees, on the real binary
(PROTOCOL-threshold T6, T7, T10).

One server (the test build, for the hook that seeds a council: the vectors'
3-of-5 ceremony, QUAL = trustees 1, 2, 3, 5, usernames the setup's names),
five CLI trustees with key files built from the vectors' trace, polls of 40 s (150 s under ASan):
- without a council a poll says "sealed by the server only"; with one, the
  record carries "threshold" and every view names the trustees;
- poll A (6 ballots from `conclave vote`): closes into `decrypting` (result
  409 decrypting, a partial board that `conclave verify` accepts as partial);
  three `trustee watch` agents publish the result within seconds, and
  `conclave verify --ceremony-digest` accepts the final board; x_0 is gone
  from the database's files after the compaction;
- poll B (5 ballots; the agents run with --min-ballots 6 and refuse it):
  trustee 1's key is lost; trustees 2 and 3 decrypt: no result, and a copy of
  the database with x_0, the board and the API give no count
  (tests/node/try-unseal.mjs tries every combination); trustee 5 then
  decrypts and the result comes (the same script finds it on the final board:
  the control);
- poll C: T10 refusals with their exit codes (before the deadline 4, roster 5,
  --min-ballots 6, a second tally of one fingerprint 7, a key that is no
  trustee of the poll 8, a key file readable by others 1) and the API's
  refusals of bad entries (shape, proof, not_a_trustee, wrong_holder,
  not_qualified, already_decrypted);
- the pages: who seals a poll, the result page while decrypting and who
  decrypted, /admin/decryptions;
- GET /api/v1/decryptions (the light route: its body, ?council=, its ETag
  and 304) and the watch agent's use of it (trustee 1's agent goes through a
  proxy that notes each route);
- a poll that waits for its trustees (the test build's 8 s for
  --decrypt-remind-hours; mail on, to a sink): the log says so once, naming
  who has and has not decrypted, the admin with an address gets one mail,
  /admin/decryptions marks it overdue, the poll page says how long it has
  waited and who has not decrypted, and a restart tells nobody again.
Then the production binary alone, end to end: a 3-of-5 council made by the
trustees' own `conclave trustee keygen/deal/verdict` (QUAL all five), a
sealed poll, trustee 1's key lost, the other four decrypt (the third
completes the result), `conclave verify --ceremony-digest` accepts the board.
"""
import json
import os
import sys
import shutil
import sqlite3
import subprocess
import tempfile
import time

import harness as h

# polls of 40 s; 150 s under ASan (`make asan`), where the votes of the instrumented
# CLI and the browser's ballot do not all fit in 40 s on a loaded machine
DURATION = 150 if os.environ.get("ASAN_OPTIONS") else 40
TRUSTEES = ["trustee-ada", "trustee-grace", "trustee-barbara", "trustee-edsger",
            "trustee-frances"]
COUNCIL = "council-2026"


class World:
    pass


# --decrypt-remind-hours, in the test build's seconds
STALL_ENV = {"CONCLAVE_TEST_DECRYPT_REMIND_SECONDS": "8"}


def setup():
    w = World()
    w.sink = h.SmtpSink().start()
    w.srv = h.Server(binary=h.TEST_BIN, args=["--poll-duration", str(DURATION)] +
                     h.mail_args(w.sink)).start(env=STALL_ENV)
    h.run_cli(["user", "add", "auditor", "--admin", "--email", "auditor@example.org"],
              w.srv.data_dir)
    w.tmp = tempfile.mkdtemp(prefix="conclave-unseal-")
    w.tokens = h.members_with_tokens(w.srv, TRUSTEES + ["voter-one"])
    w.tokens["admin"] = h.create_token(w.srv.data_dir, "admin")
    w.browser_pw = h.add_member(w.srv.data_dir, "browser-voter")
    w.roster = os.path.join(w.tmp, "roster.txt")
    with open(w.roster, "w") as f:
        f.write("# the council's roster\n" + "\n".join(["admin", "auditor", "browser-voter"] +
                                                        TRUSTEES + ["voter-one"]) + "\n")
    return w


def api(w, user):
    return h.Client(w.srv, token=w.tokens[user])


def keys(w, vec):
    """Key files of the trustees of QUAL (1, 2, 3, 5) in their own config homes."""
    tr = vec["trace"]
    w.digest = tr["ceremony_digest"]
    w.home = {}
    for k in tr["verification_keys"]:
        j = k["index"]
        w.home[j] = os.path.join(w.tmp, f"trustee-{j}")
        h.write_trustee_key(w.home[j], w.srv, COUNCIL, j, k["x"], k["X"], w.digest, tr["Y_T"])


def cast(w, pid, voters, yes):
    for i, n in enumerate(voters):
        rc, _, _, err = h.vote(w.srv, w.tokens[n], pid, "yes" if i < yes else "no",
                               os.path.join(w.tmp, "voter-" + n))
        if rc != 0:
            raise RuntimeError(f"vote {n}: {err}")


def board(w, pid, name):
    r = w.srv.request("GET", f"/api/v1/polls/{pid}/board")
    path = os.path.join(w.tmp, name)
    with open(path, "wb") as f:
        f.write(r.body)
    return r, path


def verify(path, *args):
    p = subprocess.run([h.BIN, "verify", path] + list(args), capture_output=True, text=True,
                       timeout=120)
    return p.returncode, p.stdout + p.stderr


def try_unseal(path, x0_hex):
    p = subprocess.run(["node", "tests/node/try-unseal.mjs", path, x0_hex], capture_output=True,
                       text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("try-unseal: " + p.stderr)
    return json.loads(p.stdout)


def db_copy(w, name):
    """A copy of the live database (SQLite's backup API), as a thief would take it."""
    path = os.path.join(w.tmp, name)
    src = sqlite3.connect(os.path.join(w.srv.data_dir, "conclave.db"), timeout=30)
    dst = sqlite3.connect(path)
    src.backup(dst)
    src.close()
    return dst


def poll_row(con, pid):
    return con.execute("select secret_key, result, decrypting, council_id from polls where id = ?",
                       (pid,)).fetchone()


def test_sealing(s, w):
    c = api(w, "admin")
    r = c.post("/api/v1/polls", {"nominee": "Server Only", "statement": "No council yet."})
    s.eq(r.status, 201, "a poll opened without a council")
    v = r.json()
    s.eq(v["sealed_by"], {"kind": "server", "text": "sealed by the server only"},
         "a poll without a council says it is sealed by the server only")
    s.check("threshold" not in v["record"], "its record has no threshold field")
    vec = h.seed_council(w.srv)
    keys(w, vec)
    c = api(w, "voter-one")
    w.polls = {}
    for name in ("A", "B", "C"):
        r = c.post("/api/v1/polls", {"nominee": f"Nominee {name}", "statement": "Sealed."})
        s.eq(r.status, 201, f"poll {name} opened with a council in use")
        w.polls[name] = r.json()["id"]
    v = r.json()
    seal = v["sealed_by"]
    s.eq(seal["text"], "sealed by 3 of 4 trustees: trustee-ada, trustee-grace, trustee-barbara, "
         "trustee-frances", "the poll says who seals it (QUAL, in index order)")
    s.eq([t["index"] for t in seal["trustees"]], [1, 2, 3, 5], "the trustees' indices")
    s.eq(v["record"]["threshold"]["digest"], w.digest, "the record carries the ceremony digest")
    s.eq(len(v["record"]["holders"]), 1, "the record has one holder: the server")


def browser_vote(s, w, pid, option):
    """One ballot from the browser's booth (tests/e2e/vote-sealed.mjs), if the
    machine has the browser; returns its tracker, or None when it cannot run."""
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not (os.path.exists("node_modules/playwright-core") and os.path.exists(chromium)):
        print("test_unseal: no browser (make deps, npm ci): the booth's ballot is skipped",
              file=sys.stderr)
        return None
    p = subprocess.run(["node", "tests/e2e/vote-sealed.mjs", f"http://127.0.0.1:{w.srv.port}",
                        "browser-voter", w.browser_pw, pid, option], capture_output=True,
                       text=True, timeout=180)
    s.eq(p.returncode, 0, "a ballot from the browser's booth: " + p.stderr[-500:])
    got = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else {}
    s.check(got.get("sealed", "").startswith("Sealed by 3 of 4 trustees:"),
            f"the booth's page says who seals the poll ({got.get('sealed')})")
    return got.get("tracker")


def test_votes_and_early(s, w):
    w.browser_tracker = browser_vote(s, w, w.polls["A"], "Promote Nominee A")
    cast(w, w.polls["A"], TRUSTEES + ["voter-one"], 4)
    cast(w, w.polls["B"], TRUSTEES, 4)
    cast(w, w.polls["C"], TRUSTEES, 3)
    rc, out, err = h.trustee_decrypt(w.srv, w.home[1], w.tokens["trustee-ada"], w.polls["C"],
                                     w.roster)
    s.eq(rc, 4, "T10 rule 2: a trustee asked while the poll is open refuses (exit 4): " + err)
    s.check("still open" in err, "and says the poll is still open: " + err)
    # the agents: trustees 1, 3 and 5, refusing polls of fewer than 6 ballots
    # (trustee 1's through a proxy that notes the routes it uses)
    w.agents = []
    w.proxy = h.LossyProxy(w.srv)
    for j, user in ((1, "trustee-ada"), (3, "trustee-barbara"), (5, "trustee-frances")):
        w.agents.append(h.trustee_watch(w.proxy if j == 1 else w.srv, w.home[j],
                                        w.tokens[user], w.roster, ["--min-ballots", "6"]))


def test_result_with_agents(s, w):
    pid = w.polls["A"]
    c = api(w, "voter-one")
    s.check(h.wait_state(c, pid, "decrypting", DURATION + 30) or
            c.get(f"/api/v1/polls/{pid}").json()["state"] == "closed",
            "poll A closed at its deadline into decrypting")
    t0 = time.time()
    r = h.wait_for(lambda: w.srv.request("GET", f"/api/v1/polls/{pid}/result"), 30, 0.1,
                   done=lambda r: r.status == 200)
    elapsed = time.time() - t0
    s.eq(r.status, 200, "the three agents' shares give the result")
    s.check(elapsed < 10, f"within seconds of decrypting ({elapsed:.1f} s)")
    res = r.json()
    yes = 5 if w.browser_tracker else 4
    s.eq(res["counts"], [yes, 2], "the counts of the ballots (CLI and browser)")
    v = c.get(f"/api/v1/polls/{pid}").json()
    s.eq(v["state"], "closed", "poll A is closed with its result")
    s.eq([t["index"] for t in v["sealed_by"]["trustees"] if t["decrypted"]], [1, 3, 5],
         "the view says which trustees decrypted")
    r, path = board(w, pid, "board-A.json")
    with open(os.path.join(w.tmp, "server.pem"), "wb") as f:
        f.write(w.srv.request("GET", "/api/v1/server-key").body)
    rc, out = verify(path, "--server-key", os.path.join(w.tmp, "server.pem"),
                     "--ceremony-digest", w.digest)
    s.eq(rc, 0, "conclave verify --ceremony-digest accepts the final board: " + out)
    s.check("shares of the server and trustees 1, 3, 5" in out, "with the shares present: " + out)
    if w.browser_tracker:
        s.check(w.browser_tracker in [b["tracker"] for b in json.loads(r.body)["ballots"]],
                "the browser's ballot is on the board")
    con = db_copy(w, "after-A.db")
    s.eq(poll_row(con, pid)[0], None, "x_0 of poll A is erased with the result")
    con.close()
    seen = list(w.proxy.seen)
    s.check(("GET", f"/api/v1/decryptions?council={COUNCIL}") in seen,
            f"the watch agent looks at the light route of its council: {seen[:4]}")
    s.check(("GET", f"/api/v1/polls/{pid}/board") in seen,
            "and fetches the board of the poll it decrypts")
    sealed = [f"/api/v1/polls/{w.polls[k]}/{r}" for k in "ABC" for r in ("board", "decryptions")]
    s.eq([p for m, p in seen if p.startswith("/api/v1/polls") and p not in sealed], [],
         "and never the list of polls (every record), nor a board of a poll not waiting for it")


def test_two_act(s, w):
    pid = w.polls["B"]
    c = api(w, "voter-one")
    s.check(h.wait_state(c, pid, "decrypting", 30), "poll B is decrypting")
    r = w.srv.request("GET", f"/api/v1/polls/{pid}/result")
    s.eq((r.status, r.error_code()), (409, "decrypting"), "its result answers 409 decrypting")
    r, path = board(w, pid, "partial-B.json")
    rc, out = verify(path, "--allow-partial", "--ceremony-digest", w.digest)
    s.eq(rc, 0, "the partial board verifies as partial: " + out)
    rc, out = verify(path, "--ceremony-digest", w.digest)
    s.eq(rc, 3, "and is partial (exit 3)")
    time.sleep(2.5)                                 # the agents looked at B and refused it
    etag = light_route(s, w, pid)
    stall_told(s, w, pid)
    for proc, log in w.agents:
        with open(log) as f:
            s.check(f"poll {pid}" in f.read() and "fewer than --min-ballots 6" in open(log).read(),
                    "an agent refuses a poll below its --min-ballots, saying so")
    # trustee 1's key is lost; 2 and 3 decrypt
    for j, user in ((2, "trustee-grace"), (3, "trustee-barbara")):
        rc, out, err = h.trustee_decrypt(w.srv, w.home[j], w.tokens[user], pid, w.roster)
        s.eq(rc, 0, f"trustee {j} decrypts poll B: {out} {err}")
    s.check("publish out of band: fingerprint" in out, "the CLI prints what to publish")
    rc, out, err = h.trustee_decrypt(w.srv, w.home[2], w.tokens["trustee-grace"], pid, w.roster)
    s.eq(rc, 0, "a second run is no error")
    s.check("already" in out, "and says the shares are in already: " + out)
    r = w.srv.request("GET", f"/api/v1/polls/{pid}/result")
    s.eq(r.error_code(), "decrypting", "two trustees' shares give no result")
    r = api(w, "voter-one").request("GET", "/api/v1/decryptions", headers={"If-None-Match": etag})
    s.eq(r.status, 200, "the light route's ETag changes when trustees' shares come in")
    entry = [d for d in r.json()["decryptions"] if d["id"] == pid][0]
    s.eq([t["index"] for t in entry["trustees"] if t["decrypted"]], [2, 3],
         "and it says which trustees have posted")
    r, path = board(w, pid, "partial-B2.json")
    b = json.loads(r.body)
    s.eq([d["holder"] for d in b["decryptions"]], [0, 2, 3], "the partial board lists the shares in")
    again = w.srv.request("POST", f"/api/v1/polls/{pid}/decryptions", b["decryptions"][1],
                          {"Authorization": "Bearer " + w.tokens["trustee-grace"]})
    s.eq((again.status, again.error_code()), (409, "already_decrypted"),
         "the same trustee's entry again: 409 already_decrypted")
    con = db_copy(w, "stolen-B.db")
    x0, result, decrypting, council = poll_row(con, pid)
    s.check(x0 is not None and len(x0) == 32, "the copy holds x_0 while the poll is decrypting")
    s.eq((result, decrypting, council), (None, 1, COUNCIL), "and no result")
    n = con.execute("select count(*) from poll_decryptions where poll_id = ?", (pid,)).fetchone()[0]
    s.eq(n, 3, "the copy holds the server's and two trustees' entries")
    con.close()
    w.x0_b = x0
    got = try_unseal(path, x0.hex())
    s.eq(got["found"], False, "x_0, the board and two trustees' shares give no count")
    # trustee 5 decrypts: the result
    rc, out, err = h.trustee_decrypt(w.srv, w.home[5], w.tokens["trustee-frances"], pid,
                                     w.roster, ["--min-ballots", "5"])
    s.eq(rc, 0, "trustee 5 decrypts: " + out + err)
    s.check("result published" in out, "and its share completes the result: " + out)
    r = w.srv.request("GET", f"/api/v1/polls/{pid}/result")
    s.eq((r.status, r.json().get("counts")), (200, [4, 1]),
         "with trustee 1's key lost, 2, 3 and 5 give the result")
    r, path = board(w, pid, "board-B.json")
    got = try_unseal(path, "00" * 32)
    s.eq((got["found"], got.get("counts")), (True, [4, 1]),
         "control: the same attack finds the counts once t trustees' shares are out")
    s.check(h.wait_log(w.srv, f"poll {pid}: database compacted", 30), "then the compaction")
    time.sleep(0.5)
    leftovers = []
    for f in os.listdir(w.srv.data_dir):
        if f.startswith("conclave.db"):
            with open(os.path.join(w.srv.data_dir, f), "rb") as fh:
                if w.x0_b in fh.read():
                    leftovers.append(f)
    s.eq(leftovers, [], "x_0's bytes are in no file of the data directory after the result")
    s.eq(w.srv.log().count(f"poll {pid} has waited"), 1, "the log told of B's wait once")
    s.eq(len(stall_mails(w, "Nominee B")), 1, "and the admin got one mail")


def stall_mails(w, nominee):
    return [m for m in w.sink.to("auditor@example.org")
            if h.mail_subject(m) == f"The poll on {nominee} waits for its trustees"]


def stall_told(s, w, pid):
    """Poll B (PID) waits for every trustee past the reminder's 8 s: the log
    says so, naming who has and has not decrypted, and the admin with an
    address gets a mail saying what to do."""
    s.check(h.wait_log(w.srv, f"poll {pid} has waited", 30),
            "the log says that poll B has waited for its trustees")
    line = [l for l in w.srv.log().splitlines() if f"poll {pid} has waited" in l][0]
    s.check("0 of 3 needed have decrypted (decrypted: nobody; not yet: trustee-ada, "
            "trustee-grace, trustee-barbara, trustee-frances)" in line and
            "admins told by mail and on /admin/decryptions" in line,
            "naming who has and has not decrypted: " + line)
    mails = h.wait_for(lambda: stall_mails(w, "Nominee B"), 30)
    s.eq(len(mails or []), 1, "the admin with an address gets one mail")
    body = h.mail_body(mails[0]) if mails else ""
    s.check("Not yet: trustee-ada, trustee-grace, trustee-barbara, trustee-frances." in body
            and "conclave trustee decrypt" in body and
            "https://vote.example.org/admin/decryptions" in body and
            "neither the server nor an admin" in body, "saying what to do: " + body)


def light_route(s, w, pid):
    """GET /api/v1/decryptions while poll PID (5 ballots) waits for every
    trustee: its light body, filtered by council, with an ETag. The ETag."""
    c = api(w, "voter-one")
    r = c.request("GET", "/api/v1/decryptions")
    s.eq(r.status, 200, "GET /api/v1/decryptions answers a member")
    view = c.get(f"/api/v1/polls/{pid}").json()
    want = {"id": pid, "council": COUNCIL, "fingerprint": view["fingerprint"],
            "closes_at": view["closes_at"], "ballots_cast": 5, "t": 3,
            "trustees": [{"index": j, "name": TRUSTEES[j - 1], "decrypted": False}
                         for j in (1, 2, 3, 5)]}
    got = r.json()["decryptions"]
    s.eq([d for d in got if d["id"] == pid], [want],
         "it lists the polls waiting for trustees, light: no record, no statement, no board")
    s.eq(sorted(d["id"] for d in got), sorted([pid, w.polls["C"]]),
         "all of them (B and C; A is published), none other")
    s.check(len(r.body) < 600 * len(got), f"a small body ({len(r.body)} bytes)")
    etag = r.header("ETag")
    s.eq(r.header("Cache-Control"), "private, no-cache", "cacheable, revalidated each time")
    again = c.request("GET", "/api/v1/decryptions", headers={"If-None-Match": etag})
    s.eq((again.status, again.body), (304, b""), "If-None-Match with its ETag: 304, no body")
    r = c.request("GET", f"/api/v1/decryptions?council={COUNCIL}")
    s.eq(sorted(d["id"] for d in r.json()["decryptions"]), sorted([pid, w.polls["C"]]),
         "?council=ID keeps that council's")
    r = c.request("GET", "/api/v1/decryptions?council=another")
    s.eq(r.json(), {"decryptions": []}, "and another council's list is empty")
    r = w.srv.request("GET", "/api/v1/decryptions")
    s.eq((r.status, r.error_code()), (401, "unauthenticated"), "no answer without a login")
    return etag


def entry_post(w, user, pid, entry):
    return w.srv.request("POST", f"/api/v1/polls/{pid}/decryptions", entry,
                         {"Authorization": "Bearer " + w.tokens[user]})


def test_refusals(s, w):
    pid = w.polls["C"]
    c = api(w, "voter-one")
    s.check(h.wait_state(c, pid, "decrypting", 30), "poll C is decrypting")
    other = os.path.join(w.tmp, "roster-other.txt")
    with open(other, "w") as f:
        f.write("\n".join(["admin", "auditor", "browser-voter"] + TRUSTEES + ["mallory"]) + "\n")
    rc, out, err = h.trustee_decrypt(w.srv, w.home[2], w.tokens["trustee-grace"], pid, other)
    s.eq(rc, 5, "T10 rule 3: a roster that differs from the roll is refused (exit 5): " + err)
    s.check("voter-one" in err and "mallory" in err, "naming a name each way: " + err)
    rc, out, err = h.trustee_decrypt(w.srv, w.home[2], w.tokens["trustee-grace"], pid, w.roster,
                                     ["--min-ballots", "100"])
    s.eq(rc, 6, "T10 rule 4: fewer ballots than --min-ballots is refused (exit 6): " + err)
    # a second tally of one fingerprint: the list beside the key holds another digest
    fp = c.get(f"/api/v1/polls/{pid}").json()["fingerprint"]
    tallies = os.path.join(w.home[2], "conclave", f"trustee-{COUNCIL}.json.tallies")
    with open(tallies, "a") as f:
        f.write(f"{fp} {'ab' * 32} 5 {pid}\n")
    rc, out, err = h.trustee_decrypt(w.srv, w.home[2], w.tokens["trustee-grace"], pid, w.roster)
    s.eq(rc, 7, "T10 rule 5: a second tally of one fingerprint is refused (exit 7): " + err)
    s.check("raise the alarm" in err, "and says what it means: " + err)
    # a key that is not a trustee of this poll: trustee 4 (outside QUAL) with 1's share
    vk = {k["index"]: k for k in json.load(open(h.THRESHOLD_CEREMONY))["trace"]["verification_keys"]}
    home4 = os.path.join(w.tmp, "trustee-4")
    h.write_trustee_key(home4, w.srv, COUNCIL, 4, vk[1]["x"], vk[1]["X"], w.digest, "00" * 32)
    rc, out, err = h.trustee_decrypt(w.srv, home4, w.tokens["trustee-edsger"], pid, w.roster)
    s.eq(rc, 8, "T10 rule 1: a key that is no trustee of the poll is refused (exit 8): " + err)
    home1 = os.path.join(w.tmp, "trustee-1-open")
    h.write_trustee_key(home1, w.srv, COUNCIL, 1, vk[1]["x"], vk[1]["X"], w.digest, "00" * 32,
                        mode=0o644)
    rc, out, err = h.trustee_decrypt(w.srv, home1, w.tokens["trustee-ada"], pid, w.roster)
    s.eq(rc, 1, "a key file that others can read is refused: " + err)
    s.check("group or others" in err, "saying why: " + err)
    # the API's refusals
    server_entry = json.loads(board(w, pid, "partial-C.json")[0].body)["decryptions"][0]
    r = entry_post(w, "voter-one", pid, dict(server_entry, holder=1))
    s.eq((r.status, r.error_code()), (403, "not_a_trustee"), "a member who is no trustee: 403")
    r = entry_post(w, "trustee-ada", pid, dict(server_entry, holder=3))
    s.eq((r.status, r.error_code()), (403, "wrong_holder"), "another trustee's index: 403")
    r = entry_post(w, "trustee-edsger", pid, dict(server_entry, holder=4))
    s.eq((r.status, r.error_code()), (403, "not_qualified"), "a trustee outside QUAL: 403")
    r = entry_post(w, "trustee-ada", pid, dict(server_entry, holder=1))
    s.eq((r.status, r.error_code(), (r.json() or {}).get("error", {}).get("reason")),
         (400, "invalid_shares", "proof"), "the server's shares posted as trustee 1's: proof")
    r = entry_post(w, "trustee-ada", pid, {"holder": 1, "shares": []})
    s.eq((r.status, r.error_code(), (r.json() or {}).get("error", {}).get("reason")),
         (400, "invalid_shares", "shape"), "an entry of the wrong shape: shape")
    r = w.srv.request("POST", f"/api/v1/polls/{w.polls['A']}/decryptions", server_entry,
                      {"Authorization": "Bearer " + w.tokens["trustee-ada"]})
    s.eq((r.status, r.error_code()), (409, "result_published"), "after the result: 409")
    s.eq(w.srv.request("GET", f"/api/v1/polls/{pid}/result").error_code(), "decrypting",
         "poll C is still decrypting after all the refusals")


def test_pages(s, w):
    c = h.Client(w.srv)
    s.eq(c.login("voter-one", "voter-one-password-123").status, 200, "voter-one logs in")
    doc = h.parse_html(h.page(c, f"/polls/{w.polls['C']}").body)
    seal = doc.find(id="poll-seal")
    s.check(seal is not None and "Sealed by 3 of 4 trustees" in seal.text() and
            all(n in seal.text() for n in ("trustee-ada", "trustee-grace", "trustee-barbara",
                                           "trustee-frances")),
            "the poll page names the trustees who seal it")
    s.check(doc.find(id="poll-decrypting") is not None, "and says the trustees are decrypting")
    r = w.srv.request("GET", f"/polls/{w.polls['C']}/result")
    doc = h.parse_html(r.body)
    s.eq(r.status, 409, "the result page of a decrypting poll, public, answers 409")
    s.check(doc.find(id="result-decrypting") is not None and
            "not yet" in doc.find(id="result-decrypting").text(),
            "and says the trustees are decrypting, with each one's progress")
    doc = h.parse_html(w.srv.request("GET", f"/polls/{w.polls['A']}/result").body)
    sec = doc.find(id="result-trustees")
    s.check(sec is not None and "trustee-ada, trustee-barbara, trustee-frances" in sec.text(),
            "the result page shows which trustees decrypted")
    s.check("--ceremony-digest" in h.text(w.srv.request("GET", f"/polls/{w.polls['A']}/result")),
            "and the verify command asks for the ceremony digest")
    polls = c.get("/api/v1/polls").json()["polls"]
    plain = [p for p in polls if p["sealed_by"]["kind"] == "server"][0]["id"]
    doc = h.parse_html(h.page(c, f"/polls/{plain}").body)
    s.check("Sealed by the server only" in doc.find(id="poll-seal").text(),
            "a poll without a council says it is sealed by the server only")
    s.eq(h.page(c, "/admin/decryptions").status, 403, "the decryptions page is for admins")
    a = h.member_client(w.srv, "second-admin", admin=True)
    r = h.page(a, "/admin/decryptions")
    s.eq(r.status, 200, "an admin sees the decryptions page")
    doc = h.parse_html(r.body)
    dec = [e.get("data-poll") for e in doc.find_all("article", cls="decrypting")]
    pub = [e.get("data-poll") for e in doc.find_all("article", cls="published")]
    s.eq(dec, [w.polls["C"]], "poll C waits for its trustees")
    s.eq(sorted(pub), sorted([w.polls["A"], w.polls["B"]]), "polls A and B are published")
    s.check("0 of 3 trustees needed have decrypted" in h.text(r), "with their progress")
    over = [e.get("data-poll") for e in doc.find_all("article", cls="overdue")]
    s.eq(over, [w.polls["C"]], "past the reminder's time it is marked overdue")
    alert = doc.find(id="decrypt-overdue")
    s.check(alert is not None and "1 poll has waited more than 8 seconds for its trustees"
            in alert.text(), "with a notice at the top: " + (alert.text() if alert else "none"))
    waited = doc.find("article", cls="overdue").find("span", cls="waited")
    s.check(waited is not None and ("minute" in waited.text() or "second" in waited.text()),
            "saying how long it has waited")
    doc = h.parse_html(h.page(c, f"/polls/{w.polls['C']}").body)
    s.check(doc.find(id="decrypt-waited") is not None and
            doc.find(id="decrypt-missing").text() ==
            "trustee-ada, trustee-grace, trustee-barbara, trustee-frances",
            "the poll page says how long it has waited and who has not decrypted")


def test_restart(s, w):
    """A restart while poll C is decrypting: its x_0 and entries stay, the
    aggregate is summed again from the ballots, and three trustees' shares
    still give the result."""
    for proc, _ in w.agents:
        proc.terminate()
        s.eq(proc.wait(timeout=10), 0, "an agent stops on SIGTERM with 0")
    w.agents = []
    w.srv.stop()
    w.srv.start(env=STALL_ENV)
    pid = w.polls["C"]
    s.eq(w.srv.request("GET", f"/api/v1/polls/{pid}/result").error_code(), "decrypting",
         "after a restart poll C is still decrypting")
    told = len(h.wait_for(lambda: stall_mails(w, "Nominee C"), 30) or [])
    time.sleep(2)
    s.check(f"poll {pid} has waited" not in w.srv.log() and
            len(stall_mails(w, "Nominee C")) == told == 1,
            "and told of once already, it is not told of again")
    out = ""
    for j, user in ((1, "trustee-ada"), (3, "trustee-barbara"), (5, "trustee-frances")):
        rc, out, err = h.trustee_decrypt(w.srv, w.home[j], w.tokens[user], pid, w.roster)
        s.eq(rc, 0, f"trustee {j} decrypts poll C after the restart: {out} {err}")
    s.check("result published" in out, "the third completes the result: " + out)
    r = w.srv.request("GET", f"/api/v1/polls/{pid}/result")
    s.eq((r.status, (r.json() or {}).get("counts")), (200, [3, 2]), "poll C's result")


def test_real_ceremony(s, _w):
    """The production binary end to end: a 3-of-5 council made by the trustees'
    own `conclave trustee keygen/deal/verdict` (QUAL: all five), a sealed poll,
    trustee 1's key lost, the other four decrypt (the third completes it)."""
    names = ["ann", "bob", "cid", "dot", "eve"]
    srv = h.Server(args=["--poll-duration", "15"]).start()
    homes = {n: tempfile.mkdtemp(prefix=f"conclave-unseal-{n}-") for n in names}
    try:
        tokens = h.members_with_tokens(srv, names + ["voter"])
        rc, council, err = h.run_cli(["council", "create", "Steering", "--threshold", "3"] +
                                     sum((["--trustee", n] for n in names), []), srv.data_dir)
        council = council.strip()
        s.eq(rc, 0, "council create: " + err)
        lines = []
        for n in names:
            rc, out, err = h.trustee_cli(srv, ["keygen", "--server", "{server}", council],
                                         homes[n], tokens[n])
            lines.append(out.strip())
        for n in names:
            with open(os.path.join(homes[n], "trustees.txt"), "w") as f:
                f.write("threshold 3\n" + "\n".join(lines) + "\n")
        for n in names:
            rc, out, err = h.trustee_cli(srv, ["deal", "--server", "{server}", council,
                                               "--trustees", os.path.join(homes[n], "trustees.txt")],
                                         homes[n], tokens[n])
            s.eq(rc, 0, f"{n} deals: {err[-200:]}")
        digests = set()
        for _ in range(2):
            for n in names:
                rc, out, err = h.trustee_cli(srv, ["verdict", "--server", "{server}", council],
                                             homes[n], tokens[n])
                if out.strip():
                    digests.add(out.strip())
        s.eq(len(digests), 1, f"every trustee prints one ceremony digest ({digests})")
        digest = digests.pop() if digests else ""
        rc, out, err = h.run_cli(["council", "use", council], srv.data_dir)
        s.eq(rc, 0, "council use: " + err)
        r = h.Client(srv, token=tokens["voter"]).post("/api/v1/polls",
                                                      {"nominee": "Real Ceremony",
                                                       "statement": "Sealed."})
        pid = r.json()["id"]
        s.eq(r.json()["sealed_by"]["text"], "sealed by 3 of 5 trustees: ann, bob, cid, dot, eve",
             "the poll is sealed by the council the trustees made")
        work = tempfile.mkdtemp(prefix="conclave-unseal-votes-")
        for i, n in enumerate(names + ["voter"]):
            h.vote(srv, tokens[n], pid, "yes" if i < 5 else "no", os.path.join(work, n))
        roster = os.path.join(work, "roster.txt")
        with open(roster, "w") as f:
            f.write("\n".join(["admin"] + names + ["voter"]) + "\n")
        c = h.Client(srv, token=tokens["voter"])
        s.check(h.wait_state(c, pid, "decrypting", 40), "the poll closes into decrypting")
        outs = []
        for n in names[1:]:                        # ann's key is lost
            rc, out, err = h.trustee_cli(srv, ["decrypt", "--server", "{server}", pid,
                                               "--roster", roster], homes[n], tokens[n])
            s.eq(rc, 0, f"{n} decrypts: {out} {err}")
            outs.append(out)
        s.check("result published" in outs[2] and "published already" in outs[3],
                f"the third trustee's shares publish the result; the fourth has nothing to do ({outs})")
        r = srv.request("GET", f"/api/v1/polls/{pid}/result")
        s.eq((r.status, (r.json() or {}).get("counts")), (200, [5, 1]), "the result")
        path = os.path.join(work, "board.json")
        with open(path, "wb") as f:
            f.write(srv.request("GET", f"/api/v1/polls/{pid}/board").body)
        with open(os.path.join(work, "server.pem"), "wb") as f:
            f.write(srv.request("GET", "/api/v1/server-key").body)
        rc, out = verify(path, "--server-key", os.path.join(work, "server.pem"),
                         "--ceremony-digest", digest)
        s.eq(rc, 0, "conclave verify --ceremony-digest accepts the board: " + out)
        shutil.rmtree(work, ignore_errors=True)
    finally:
        srv.cleanup()
        for d in homes.values():
            shutil.rmtree(d, ignore_errors=True)


def main():
    s = h.Suite("test_unseal")
    w = setup()
    try:
        s.run(*(lambda s, t=t: t(s, w) for t in (test_sealing, test_votes_and_early,
                                                test_result_with_agents, test_two_act,
                                                test_refusals, test_pages, test_restart,
                                                test_real_ceremony)))
    finally:
        for proc, _ in getattr(w, "agents", []):
            proc.terminate()
            try:
                s.eq(proc.wait(timeout=10), 0, "an agent stops on SIGTERM with 0")
            except subprocess.TimeoutExpired:
                proc.kill()
        w.srv.cleanup()
        w.sink.stop()
        shutil.rmtree(w.tmp, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
