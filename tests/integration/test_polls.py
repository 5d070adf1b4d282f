"""Nomination polls end to end over real HTTP with the real store: opening,
casting sealed ballots (with `conclave vote` and with the vectors' ballots),
replacing, every rejection with its status and code, the close by the server
itself, the signed result and the board (checked with `conclave verify`, the
receipts with `openssl pkeyutl`), restarts, and what the database keeps."""
import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time

from harness import (BIN, TEST_BIN, UNDO_013, UNDO_014, VECTORS, Client, LossyProxy, Server, Suite,
                     add_member, close_now, create_token, members_with_tokens, run_cli, vote,
                     vote_command, wait_for, wait_log, wait_result)


def load_vector(name):
    with open(os.path.join(VECTORS, name)) as f:
        return json.load(f)


def openssl_verify(pem_path, message, signature_hex, workdir):
    msg = os.path.join(workdir, "msg")
    sig = os.path.join(workdir, "sig.bin")
    with open(msg, "wb") as f:
        f.write(message.encode())
    with open(sig, "wb") as f:
        f.write(bytes.fromhex(signature_hex))
    p = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pem_path,
                        "-rawin", "-in", msg, "-sigfile", sig], capture_output=True, text=True)
    return p.returncode == 0


def open_poll(client, nominee, statement="A long record of good work."):
    return client.post("/api/v1/polls", {"nominee": nominee, "statement": statement})


def test_seed_vote(t):
    """PEP 13's real vote: 32 members, 31 yes and 1 no, some by replacement."""
    srv = Server(args=["--poll-duration", "25"]).start()
    work = tempfile.mkdtemp(prefix="conclave-voters-")
    try:
        names = [f"dev{i:02d}" for i in range(32)]
        csv = os.path.join(work, "team.csv")
        with open(csv, "w") as f:
            f.write("username,display name,email\n")
            for n in names:
                f.write(f"{n},Developer {n},{n}@example.org\n")
        rc, _, err = run_cli(["user", "import", csv], srv.data_dir)
        t.eq(rc, 0, f"import 32 members ({err})")
        tokens = {n: create_token(srv.data_dir, n) for n in names}
        run_cli(["user", "deactivate", "admin"], srv.data_dir)
        opener = Client(srv, token=tokens["dev00"])
        r = open_poll(opener, "Basil Fawlty", "Basil has **fixed** 200 bugs.")
        t.eq(r.status, 201, f"poll opened ({r.status} {r.body[:200]})")
        poll = r.json()
        pid = poll["id"]
        t.check(poll["state"] == "open" and poll["eligible"] == 32, "32 eligible, open")
        t.eq(poll["record"]["question"], "Promote Basil Fawlty to core developer?", "question")
        t.eq(poll["record"]["options"], ["Promote Basil Fawlty", "Do not promote"], "options")
        t.eq(poll["record"]["roll"], sorted(names), "roll is the active members")
        t.check("<strong>fixed</strong>" in poll["statement_html"], "statement rendered")
        opens = time.strptime(poll["record"]["opens_at"], "%Y-%m-%dT%H:%M:%SZ")
        closes = time.strptime(poll["record"]["closes_at"], "%Y-%m-%dT%H:%M:%SZ")
        import calendar
        t.eq(calendar.timegm(closes) - calendar.timegm(opens), 25, "duration")

        t.eq(Client(srv).post(f"/api/v1/polls/{pid}/ballots", {}).status, 401,
             "no credentials: 401")

        for path in ("result", "board"):
            r = opener.get(f"/api/v1/polls/{pid}/{path}")
            t.check(r.status == 409 and r.error_code() == "poll_open", f"{path} 409 before close")

        receipts = {}
        lock = threading.Lock()

        def cast(name, choice, replace=False):
            res = vote(srv, tokens[name], pid, choice, os.path.join(work, name), replace)
            with lock:
                receipts.setdefault(name, []).append(res)

        voters = names               # 31 yes and dev30's "no"
        first_no = names[:3]         # three vote "no" first, then replace it with "yes"
        threads = [threading.Thread(target=cast, args=(n, "no" if n in first_no or n == "dev30"
                                                       else "yes")) for n in voters[:15]]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        # a restart while the poll is open keeps its ballots
        t.eq(srv.stop(), 0, "clean stop mid-poll")
        srv.start()
        threads = [threading.Thread(target=cast, args=(n, "no" if n == "dev30" else "yes"))
                   for n in voters[15:]]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        for n in first_no:
            cast(n, "yes", replace=True)
        ok = all(res[0] == 0 for runs in receipts.values() for res in runs)
        t.check(ok, "every cast accepted: " + "; ".join(
            r[3].strip() for runs in receipts.values() for r in runs if r[0] != 0)[:300])
        rc, _, _, err = vote(srv, tokens["dev05"], pid, "no", os.path.join(work, "x"))
        t.check(rc == 1 and "you have already voted" in err and "--change-code-file" in err,
                "second ballot without replaces from another device: refused, saying how "
                f"to change it ({err})")
        view = opener.get(f"/api/v1/polls/{pid}").json()
        t.check(view["ballots_cast"] == 32 and view["voted"] is True, "turnout 32, voted")
        t.check("counts" not in view and "result" not in view, "no counts while open")

        result = wait_result(srv, pid)
        t.eq(result["counts"], [31, 1], f"counts [31, 1] ({result['counts']})")
        t.check(result["ballots"] == 32 and result["eligible"] == 32, "ballots and eligible")
        t.check(result["rule"] == "two-thirds" and result["passed"] is True, "passed")
        pem = os.path.join(work, "server.pem")
        with open(pem, "w") as f:
            f.write(srv.request("GET", "/api/v1/server-key").body.decode())
        t.check(openssl_verify(pem, result["message"], result["signature"], work),
                "result signature verifies with openssl")
        board = srv.request("GET", f"/api/v1/polls/{pid}/board").body
        t.eq(board, srv.request("GET", f"/api/v1/polls/{pid}/board").body,
             "board is the same bytes on every request")
        bpath = os.path.join(work, "board.json")
        with open(bpath, "wb") as f:
            f.write(board)
        rc, out, err = run_cli(["verify", bpath, "--server-key", pem])
        t.check(rc == 0 and "board ok: 32 ballots" in out, f"conclave verify ({out}{err})")
        fp = json.loads(board)["fingerprint"]
        trackers = {b["tracker"] for b in json.loads(board)["ballots"]}
        final = [runs[-1] for runs in receipts.values()]
        t.check(all(r[1] in trackers for r in final), "every final tracker is on the board")
        replaced = [runs[0][1] for n, runs in receipts.items() if n in first_no]
        t.check(not any(tr in trackers for tr in replaced), "replaced ballots are gone")
        t.check(all(openssl_verify(pem, f"conclave-receipt-v1 {fp} {r[1]}", r[2], work)
                    for runs in receipts.values() for r in runs),
                "every receipt verifies with openssl pkeyutl -rawin")
        rc, out, _ = run_cli(["result", "--server", f"http://127.0.0.1:{srv.port}",
                              "--token", tokens["dev00"], pid])
        t.check(rc == 0 and "31" in out and "passed" in out, "conclave result")
        rc, _, _, err = vote(srv, tokens["dev01"], pid, "yes", os.path.join(work, "z"))
        t.check(rc == 1 and "is closed: it takes no more ballots" in err,
                f"ballot after the close ({err.strip()})")
        check_database(t, srv, names)
    finally:
        srv.cleanup()


def check_database(t, srv, names):
    """The store keeps no voter↔ballot link: separate tables, nothing shared."""
    srv.stop()
    db = os.path.join(srv.data_dir, "conclave.db")
    wal = db + "-wal"
    t.check(not os.path.exists(wal) or os.path.getsize(wal) == 0,
            "WAL empty after the close (checkpointed, truncated)")
    con = sqlite3.connect(db)
    cols = {tb: [r[1] for r in con.execute(f"pragma table_info({tb})")]
            for tb in ("ballots", "poll_roll", "ballot_used")}
    t.eq(cols["ballots"], ["poll_id", "tracker", "tag", "ballot"], "ballot columns")
    t.eq(cols["poll_roll"], ["poll_id", "username", "voted"], "roll columns")
    t.eq(set(cols["ballots"]) & set(cols["poll_roll"]), {"poll_id"},
         "nothing in common but the poll")
    sqls = {r[0]: r[1] for r in con.execute("select name, sql from sqlite_master where type='table'")}
    t.check("poll_voters" not in sqls, "no table of voters in the order they voted")
    t.check(all("WITHOUT ROWID" in sqls[tb] for tb in ("ballots", "poll_roll", "ballot_used")),
            "WITHOUT ROWID: no insertion order")
    ballots = [r[0] for r in con.execute("select ballot from ballots")]
    t.check(not any(n in b for b in ballots for n in names), "no username in any ballot")
    t.eq(con.execute("select count(*) from polls where secret_key is not null").fetchone()[0],
         0, "secret keys erased after the close")
    con.close()


def test_thresholds(t):
    """Exactly two thirds passes; below fails; no votes fails."""
    srv = Server(args=["--poll-duration", "8"]).start()
    work = tempfile.mkdtemp(prefix="conclave-voters-")
    try:
        tokens = members_with_tokens(srv, ["ann", "ben", "cat", "dee"])
        c = Client(srv, token=tokens["ann"])
        polls = {}
        for nominee in ("Two Thirds", "One One", "Nobody Voted"):
            r = open_poll(c, nominee)
            t.eq(r.status, 201, f"open {nominee}")
            polls[nominee] = r.json()["id"]
        # joins and deactivations after opening change nothing
        late = members_with_tokens(srv, ["latecomer"])["latecomer"]
        rc, _, _, err = vote(srv, late, polls["One One"], "yes", os.path.join(work, "late"))
        t.check(rc == 1 and "403 not_on_roll" in err, f"late joiner refused ({err.strip()})")
        run_cli(["user", "deactivate", "dee", "--yes"], srv.data_dir)
        rc, _, _, err = vote(srv, tokens["dee"], polls["One One"], "yes", os.path.join(work, "d"))
        t.check(rc == 1 and "401" in err, "member deactivated after opening refused")
        plan = {"Two Thirds": {"ann": "yes", "ben": "yes", "cat": "no"},
                "One One": {"ann": "yes", "ben": "no"}, "Nobody Voted": {}}
        for nominee, votes in plan.items():
            for who, choice in votes.items():
                rc, *_ = vote(srv, tokens[who], polls[nominee], choice, os.path.join(work, who))
                t.eq(rc, 0, f"{who} votes {choice} on {nominee}")
        res = {n: wait_result(srv, pid) for n, pid in polls.items()}
        t.check(res["Two Thirds"]["counts"] == [2, 1] and res["Two Thirds"]["passed"] is True,
                "2 yes 1 no passes")
        t.check(res["One One"]["counts"] == [1, 1] and res["One One"]["passed"] is False,
                "1 yes 1 no fails")
        t.check(res["Nobody Voted"]["counts"] == [0, 0] and res["Nobody Voted"]["passed"] is False
                and res["Nobody Voted"]["ballots"] == 0, "no votes fails")
        board = srv.request("GET", f"/api/v1/polls/{polls['Nobody Voted']}/board").json()
        t.check(board["decryptions"] == [] and board["ballots"] == [], "empty board")
    finally:
        srv.cleanup()


def test_opening_rules(t):
    srv = Server().start()
    try:
        tokens = members_with_tokens(srv, ["opener", "second", "third", "fourth"])
        add_member(srv.data_dir, "lena", display="L\u00e9na Brauer")
        c = Client(srv, token=tokens["opener"])
        cases = [({"nominee": "", "statement": "x"}, 400, "empty nominee"),
                 ({"nominee": "x" * 101, "statement": "x"}, 400, "nominee over 100 chars"),
                 ({"nominee": "Bad\u0007Name", "statement": "x"}, 400, "control character"),
                 ({"nominee": "Jane  Doe", "statement": "x"}, 400, "two spaces in a row"),
                 ({"nominee": "Jane\u00a0Doe", "statement": "x"}, 400, "a no-break space"),
                 ({"nominee": "Jane Doe\u200b", "statement": "x"}, 400, "a zero-width space"),
                 ({"nominee": "\u2060", "statement": "x"}, 400, "only a word joiner"),
                 ({"nominee": "Jane\u3000Doe", "statement": "x"}, 400, "an ideographic space"),
                 ({"nominee": "Alice Brown\U0001bca0", "statement": "x"}, 400,
                  "a shorthand format control"),
                 ({"nominee": "Bob Stone\U00013430", "statement": "x"}, 400,
                  "an Egyptian format control"),
                 ({"nominee": "Jane\u2800Doe", "statement": "x"}, 400, "a blank Braille pattern"),
                 ({"nominee": "Jane Doe\U0001d173", "statement": "x"}, 400,
                  "a musical formatting mark"),
                 ({"nominee": "Ok Name", "statement": "x" * 20001}, 400, "statement too long"),
                 ({"nominee": "Ok Name"}, 400, "missing statement"),
                 ({"nominee": "opener", "statement": "x"}, 409, "active member"),
                 ({"nominee": "OPENER", "statement": "x"}, 409, "active member, other case"),
                 ({"nominee": "\u017fecond", "statement": "x"}, 409,
                  "active member, a long s folding to ASCII"),
                 ({"nominee": "LE\u0301NA BRAUER", "statement": "x"}, 409,
                  "active member's display name, other case, decomposed")]
        for body, status, what in cases:
            r = c.post("/api/v1/polls", body)
            t.check(r.status == status and r.error_code() is not None,
                    f"{what}: {r.status} {r.error_code()}")
        t.eq(c.post("/api/v1/polls", {"nominee": "é" * 100, "statement": "ok"}).status, 201,
             "100 characters (200 bytes) accepted")
        r = c.post("/api/v1/polls", {"nominee": "e\u0301" * 100, "statement": "ok"})
        t.check(r.status == 409 and r.error_code() == "poll_exists",
                f"the same 100 characters decomposed (200 code points): {r.status}")
        r = Client(srv, token=tokens["second"]).post(
            "/api/v1/polls", {"nominee": "Łukasz Żółć-Ōta 山田 😀", "statement": "ok"})
        t.eq(r.status, 201, f"letters of any script, a hyphen, an emoji ({r.status})")
        r = open_poll(c, "Sybil Fawlty")
        t.eq(r.status, 201, "open")
        r2 = open_poll(c, "sybil fawlty")
        t.eq(r2.status, 409, "second open poll for the same nominee: 409")
        nfc, nfd = "Jos\u00e9 N\u00fa\u00f1ez", "Jose\u0301 Nu\u0301n\u0303ez"
        c3 = Client(srv, token=tokens["third"])
        r = open_poll(c3, nfd)
        t.check(r.status == 201 and r.json()["nominee"] == nfc, "NFD is stored as NFC")
        view = c.get(f"/api/v1/polls/{r.json()['id']}").json()
        t.check(view["nominee"] == nfc and nfc in view["record"]["question"]
                and nfd not in json.dumps(view, ensure_ascii=False),
                "GET serves the NFC name, in the record too")
        for name, what in ((nfc, "the same name in NFC"), (nfd, "the same name in NFD again"),
                           ("JOSE\u0301 N\u00da\u00d1EZ", "the same name, upper case, mixed")):
            r2 = open_poll(c3, name)
            t.check(r2.status == 409 and r2.error_code() == "poll_exists", f"{what}: 409")
        r = Client(srv, token=tokens["second"]).post(
            "/api/v1/polls", {"nominee": "\u00c9lodie Roux", "statement": "ok"})
        t.eq(r.status, 201, "\u00c9lodie Roux opened")
        r2 = Client(srv, token=tokens["second"]).post(
            "/api/v1/polls", {"nominee": "\u00e9lodie roux", "statement": "ok"})
        t.check(r2.status == 409 and r2.error_code() == "poll_exists",
                f"\u00e9lodie roux is the same nominee: {r2.status} {r2.error_code()}")
        c4 = Client(srv, token=tokens["fourth"])
        r = open_poll(c4, "\u0130rem Y\u0131lmaz")
        r2 = open_poll(c4, "irem yilmaz")
        t.check(r.status == 201 and r2.status == 409 and r2.error_code() == "poll_exists",
                f"\u0130rem Y\u0131lmaz and irem yilmaz are one nominee ({r.status}, {r2.status})")
        for name, what in (("\u0632\u06cc\u0646\u200c\u0627\u0644\u0639\u0627\u0628\u062f\u06cc\u0646",
                            "a Persian name with a zero-width non-joiner"),
                           ("Ada \U0001f468\u200d\U0001f469\u200d\U0001f467\ufe0f",
                            "an emoji sequence with joiners and a selector")):
            r = open_poll(c4, name)
            t.eq(r.status, 201, f"{what}: 201 ({r.status} {r.error_code()})")
        r = open_poll(c, "Raw Html", "<script>alert(1)</script> [x](javascript:alert(1))")
        html = r.json()["statement_html"]
        t.check("<script>" not in html and "javascript:" not in html, "safe Markdown")
        t.eq(Client(srv).post("/api/v1/polls", {"nominee": "A", "statement": "b"}).status,
             401, "anonymous cannot open")
        lst = c.get("/api/v1/polls")
        t.check(lst.status == 200 and len(lst.json()["polls"]) == 9, "list")
        t.eq(Client(srv).get("/api/v1/polls").status, 401, "list is members only")
        t.eq(c.get("/api/v1/polls/nope").status, 404, "unknown poll 404")
    finally:
        srv.cleanup()


def inject_vector_poll(srv, name, closes_in):
    """Stores a vectors poll record (poll.json) in the server's database with
    holder 0's secret, as if the server had opened it."""
    entry = next(p for p in load_vector("poll.json")["polls"] if p["record"]["id"] == name)
    rec = entry["record"]
    now = int(time.time())
    con = sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"), timeout=10)
    con.execute("insert into polls (id, nominee, statement, statement_html, nominated_by,"
                " record, fingerprint, opens_at, closes_at, eligible, secret_key)"
                " values (?,?,?,?,?,?,?,?,?,?,?)",
                (name, "Vector " + name, "s", "<p>s</p>", "basil", json.dumps(rec),
                 entry["fingerprint"], now - 5, now + closes_in, len(rec["roll"]),
                 bytes.fromhex(entry["holder_secrets"][0]["x"])))
    con.executemany("insert into poll_roll (poll_id, username, voted) values (?, ?, 0)",
                    [(name, v) for v in rec["roll"]])
    con.commit()
    con.close()
    return entry


def vector_server(closes_in_args=()):
    """A server whose receipt key is the vectors' test server key."""
    data = tempfile.mkdtemp(prefix="conclave-test-")
    seed = load_vector("tally.json")["server_key"]
    seed_hex = seed["seed"] if isinstance(seed, dict) and "seed" in seed else None
    if seed_hex is None:
        seed_hex = load_vector("ballots.json")["receipt"]["signing_seed"]
    fd = os.open(os.path.join(data, "receipt-key"), os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, (seed_hex + "\n").encode())
    os.close(fd)
    os.chmod(data, 0o700)
    srv = Server(data_dir=data, args=list(closes_in_args))
    srv.own_dir = True
    return srv.start()


def test_vector_ballots(t):
    """The vectors' own ballots against the vectors' poll-1: every invalid one
    refused with its code, the valid ones accepted with the vectors' receipt."""
    # one voter sends every invalid vector: more than --cast-limit's 30 a minute
    srv = vector_server(["--cast-limit", "0"])
    try:
        ballots = load_vector("ballots.json")
        roll = ["Manuel", "basil", "polly", "sybil", "terry"]
        tokens = members_with_tokens(srv, roll)
        inject_vector_poll(srv, "poll-1", 600)
        inject_vector_poll(srv, "poll-2", 600)
        voter = Client(srv, token=tokens["polly"])
        inv = load_vector("invalid-ballots.json")
        for case in inv["cases"]:
            body = case.get("ballot_text") or json.dumps(case["ballot"])
            r = voter.post(f"/api/v1/polls/{case['poll']}/ballots", body)
            err = (r.json() or {}).get("error", {}) if r.status != 201 else {}
            if case["reason"] == "replaces":
                ok = r.status == 400 and err.get("reason") == "replaces"
            else:
                ok = r.status == 400 and err.get("code") == "invalid_ballot" and \
                    err.get("reason") == case["reason"]
            t.check(ok, f"{case['name']}: want {case['reason']}, got {r.status} {err}")
        yes = next(b for b in ballots["ballots"] if b["poll"] == "poll-1" and b["name"] == "yes") \
            if any(b.get("name") == "yes" for b in ballots["ballots"]) else ballots["ballots"][0]
        con = sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"))
        t.eq(con.execute("select count(*) from ballots").fetchone()[0], 0,
             "rejected ballots stored nothing")
        t.eq(con.execute("select count(*) from ballot_used").fetchone()[0], 0,
             "rejected ballots used nothing")
        con.close()
        basil = Client(srv, token=tokens["basil"])
        r = basil.post("/api/v1/polls/poll-1/ballots", yes["ballot"])
        t.eq(r.status, 201, f"vector yes ballot accepted ({r.status} {r.body[:200]})")
        if r.status == 201:
            t.eq(r.json()["tracker"], yes["tracker"], "tracker as in the vectors")
            t.eq(r.json()["receipt"], ballots["receipt"]["signature"],
                 "receipt byte for byte as in the vectors")
        r = basil.post("/api/v1/polls/poll-1/ballots", yes["ballot"])
        t.check(r.status == 409 and r.error_code() == "already_voted", "replay by the same voter")
        r = Client(srv, token=tokens["sybil"]).post("/api/v1/polls/poll-1/ballots", yes["ballot"])
        t.check(r.status == 400 and r.json()["error"]["reason"] == "duplicate_tag",
                "replay by another voter: duplicate_tag")
        repl = ballots["replacement"]
        r = Client(srv, token=tokens["terry"]).post("/api/v1/polls/poll-1/ballots",
                                                    repl["ballot"])
        t.check(r.status == 400 and r.json()["error"]["reason"] == "replaces",
                "replaces from a voter who has not voted")
        r = basil.post("/api/v1/polls/poll-1/ballots", repl["ballot"])
        t.eq(r.status, 201, f"replacement accepted ({r.body[:200]})")
        r = basil.post("/api/v1/polls/poll-1/ballots", repl["ballot"])
        t.check(r.status in (400, 409), "replacement replayed refused")
        r = Client(srv, token=tokens["Manuel"]).post("/api/v1/polls/poll-1/ballots", yes["ballot"])
        t.check(r.status == 400 and r.json()["error"]["reason"] == "duplicate_tag",
                "the replaced ballot cannot come back")
        other = next(b for b in ballots["ballots"] if b["poll"] == "poll-2")
        r = Client(srv, token=tokens["Manuel"]).post("/api/v1/polls/poll-1/ballots",
                                                     other["ballot"])
        t.check(r.status == 400 and r.json()["error"]["reason"] in ("poll", "fingerprint", "shape"),
                "a ballot for another poll")
        con = sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"))
        n = con.execute("select count(*) from ballots where poll_id='poll-1'").fetchone()[0]
        t.eq(n, 1, f"one counted ballot (the replacement), got {n}")
        con.close()
    finally:
        srv.cleanup()


def test_vector_election(t):
    """poll-3's seven ballots cast through the API: the server's signed result
    equals the vectors' signed result byte for byte."""
    srv = vector_server()
    try:
        board = load_vector("board.json")
        names = ["Manuel", "audrey", "basil", "kurt", "polly", "sybil", "terry"]
        tokens = members_with_tokens(srv, names)
        inject_vector_poll(srv, "poll-3", 6)
        for name, b in zip(names, board["ballots"]):
            post = {k: v for k, v in b.items() if k != "tracker"}
            r = Client(srv, token=tokens[name]).post("/api/v1/polls/poll-3/ballots", post)
            t.check(r.status == 201 and r.json()["tracker"] == b["tracker"],
                    f"{name}'s ballot accepted with its tracker")
        result = wait_result(srv, "poll-3")
        want = board["result"]
        t.eq(result["counts"], want["counts"], f"counts {result['counts']}")
        t.eq(result["signature"], want["signature"], "result signature as in the vectors")
        ours = srv.request("GET", "/api/v1/polls/poll-3/board").json()
        t.eq(ours["result"], want, "board result identical to the vectors'")
        t.check(ours["ballots"] == board["ballots"] and ours["tally"] == board["tally"],
                "ballots and tally identical to the vectors'")
    finally:
        srv.cleanup()


def test_close_while_down(t):
    srv = Server(args=["--poll-duration", "4"]).start()
    work = tempfile.mkdtemp(prefix="conclave-voters-")
    try:
        tokens = members_with_tokens(srv, ["una", "vic"])
        r = open_poll(Client(srv, token=tokens["una"]), "Down Time")
        pid = r.json()["id"]
        for who in ("una", "vic"):
            rc, *_ = vote(srv, tokens[who], pid, "yes", os.path.join(work, who))
            t.eq(rc, 0, f"{who} voted")
        srv.stop()
        time.sleep(4.5)
        srv.start()
        r = srv.request("GET", f"/api/v1/polls/{pid}/result")
        t.check(r.status == 200 and r.json()["counts"] == [2, 0],
                "a poll whose deadline passed while down is closed at start-up")
        srv.stop()
        srv.start()
        r2 = srv.request("GET", f"/api/v1/polls/{pid}/result")
        t.eq(r2.body, r.body, "closed exactly once: the same result after a restart")
    finally:
        srv.cleanup()


# What takes a database of schema 6 back to 5 (schema/006_accounts.sql undone),
# for the tests that rebuild an older database.
UNDO_006 = """
    DROP TABLE poll_roll_deactivated;
    DROP TABLE audit_log;
    DROP TABLE password_links;
    ALTER TABLE members DROP COLUMN password_one_time;
    ALTER TABLE members DROP COLUMN password_expires_at;
    CREATE TABLE login_failures (username TEXT NOT NULL COLLATE NOCASE, at INTEGER NOT NULL);
    DELETE FROM schema_version WHERE version = 6;"""


UNDO_012 = """
    DROP INDEX polls_consent_hash;
    ALTER TABLE polls DROP COLUMN consent_hash;
    ALTER TABLE polls DROP COLUMN withdrawn_reason;
    ALTER TABLE polls DROP COLUMN nominee_email;
    ALTER TABLE polls DROP COLUMN consent_at;
    ALTER TABLE polls DROP COLUMN consent_by;
    ALTER TABLE polls DROP COLUMN consent;
    DELETE FROM schema_version WHERE version = 12;"""

UNDO_009 = """
    DROP TABLE poll_decryptions;
    ALTER TABLE polls DROP COLUMN decrypting;
    ALTER TABLE polls DROP COLUMN council_seal;
    ALTER TABLE polls DROP COLUMN council_id;
    DELETE FROM schema_version WHERE version = 9;"""


def test_voters_migrated(t):
    """schema/005 on a database with an open poll whose voters are rows of the
    old poll_voters table: they become the roll's voted flags, so a voter
    cannot vote a second time, and the others still can; the count holds."""
    srv = Server(args=["--poll-duration", "14"]).start()
    work = tempfile.mkdtemp(prefix="conclave-voters-")
    try:
        tokens = members_with_tokens(srv, ["wanda", "xeno", "yusuf"])
        pid = open_poll(Client(srv, token=tokens["wanda"]), "Old Schema").json()["id"]
        for who, choice in (("wanda", "yes"), ("xeno", "no")):
            rc, *_ = vote(srv, tokens[who], pid, choice, os.path.join(work, who))
            t.eq(rc, 0, f"{who} voted")
        srv.stop()
        con = sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"))
        con.executescript(UNDO_014 + UNDO_013 + UNDO_012 + UNDO_009 + UNDO_006)  # back to schema 5, then 4 below
        con.executescript("""
            CREATE TABLE poll_voters (
                poll_id   TEXT NOT NULL REFERENCES polls(id),
                username  TEXT NOT NULL COLLATE NOCASE,
                PRIMARY KEY (poll_id, username)
            ) WITHOUT ROWID;
            INSERT INTO poll_voters SELECT poll_id, username FROM poll_roll WHERE voted = 1;
            ALTER TABLE poll_roll DROP COLUMN voted;
            -- and back from the later migrations (schema/011, 010, 008, 007) to version 4
            DROP TABLE oidc_states;
            DROP TABLE oidc_links;
            DROP TABLE outbox;
            DROP TABLE mail_settings;
            DROP TABLE next_steps;
            ALTER TABLE members DROP COLUMN notices;
            ALTER TABLE polls DROP COLUMN announced_at;
            ALTER TABLE polls DROP COLUMN reminded_at;
            ALTER TABLE polls DROP COLUMN result_mailed_at;
            DROP TABLE council_current;
            DROP TABLE council_trustees;
            DROP TABLE councils;
            ALTER TABLE polls DROP COLUMN withdrawn_at;
            ALTER TABLE polls DROP COLUMN withdrawn_by;
            DELETE FROM schema_version WHERE version >= 5;""")
        con.close()
        srv.start()
        con = sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"))
        tables = {r[0] for r in con.execute("select name from sqlite_master")}
        voted = {r[0] for r in con.execute("select username from poll_roll where voted = 1")}
        con.close()
        t.check("poll_voters" not in tables and voted == {"wanda", "xeno"},
                f"the voters became the roll's flags ({sorted(voted)})")
        poll = Client(srv, token=tokens["xeno"]).get(f"/api/v1/polls/{pid}").json()
        t.check(poll["voted"] is True and poll["ballots_cast"] == 2, "xeno has voted; 2 cast")
        rc, *_, err = vote(srv, tokens["xeno"], pid, "yes", os.path.join(work, "xeno2"))
        t.check(rc != 0 and "already" in err, "xeno cannot vote a second time")
        rc, *_ = vote(srv, tokens["yusuf"], pid, "yes", os.path.join(work, "yusuf"))
        t.eq(rc, 0, "yusuf votes after the migration")
        result = wait_result(srv, pid)
        t.eq(result["counts"], [2, 1], f"counts {result['counts']}")
    finally:
        srv.cleanup()
        shutil.rmtree(work, ignore_errors=True)


def test_close_failure_isolated(t):
    """A poll whose close fails (here its stored record no longer parses) is
    retried, and does not keep the polls due after it open; nor do more of
    them than the close job takes at once (17 more, whose ids sort first)."""
    srv = Server(args=["--poll-duration", "3"]).start()
    try:
        tokens = members_with_tokens(srv, ["ona", "pia"])
        first = open_poll(Client(srv, token=tokens["ona"]), "Broken Record").json()["id"]
        time.sleep(1.1)
        second = open_poll(Client(srv, token=tokens["pia"]), "Sound Record").json()["id"]
        srv.stop()
        con = sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"))
        con.execute("UPDATE polls SET record = '{}' WHERE id = ?", (first,))
        for k in range(17):
            con.execute("INSERT INTO polls (id, nominee, statement, statement_html, nominated_by,"
                        " record, fingerprint, opens_at, closes_at, eligible)"
                        " SELECT ?, ?, statement, statement_html, nominated_by, record,"
                        " fingerprint, opens_at, closes_at, eligible FROM polls WHERE id = ?",
                        (f"!broken-{k:02d}", f"Broken {k}", first))
        con.commit()
        con.close()
        time.sleep(3)
        srv.start()
        r = wait_for(lambda: srv.request("GET", f"/api/v1/polls/{second}/result"), 5,
                     done=lambda r: r.status == 200)
        t.eq(r.status, 200, f"the poll due after a failing one closes ({r.status})")
        t.eq(srv.request("GET", f"/api/v1/polls/{first}/result").status, 409,
             "the failing one stays unpublished")
        t.check("close failed" in srv.log(), "its failure is logged")
    finally:
        srv.cleanup()


def test_lost_answer(t):
    """The answer to a cast is lost after the server counted the ballot:
    `conclave vote` keeps that ballot's secret as unconfirmed, and --replace
    finds the counted ballot among the kept secrets."""
    srv = Server(args=["--poll-duration", "14"]).start()
    proxy = LossyProxy(srv)
    work = tempfile.mkdtemp(prefix="conclave-voters-")
    home = os.path.join(work, "wes")
    try:
        tokens = members_with_tokens(srv, ["wes", "xan"])
        r = open_poll(Client(srv, token=tokens["wes"]), "Lost Answer")
        pid, fp = r.json()["id"], r.json()["fingerprint"]
        kept = os.path.join(home, ".local", "share", "conclave", "ballots", fp)
        proxy.drop_next_post()
        rc, _, _, err = vote(srv, tokens["wes"], pid, "yes", home, port=proxy.port)
        t.check(rc != 0 and proxy.dropped == 1 and "may or may not be in the box" in err,
                f"no answer: the vote fails and says the ballot may be in the box ({err})")
        t.check(os.path.exists(kept + ".unconfirmed") and not os.path.exists(kept),
                "its secret is kept as unconfirmed")
        me = Client(srv, token=tokens["wes"]).get(f"/api/v1/polls/{pid}").json()
        t.check(me["voted"] and me["ballots_cast"] == 1, "the server did count it")
        rc, _, _, err = vote(srv, tokens["wes"], pid, "yes", home)
        t.check(rc != 0 and "got no answer, but was counted" in err and "with --replace" in err,
                f"a second first vote is refused, pointing to --replace ({err})")
        rc, _, receipt, err = vote(srv, tokens["wes"], pid, "no", home, replace=True)
        t.check(rc == 0 and receipt, f"--replace changes the counted ballot ({err})")
        t.check(os.path.exists(kept) and not os.path.exists(kept + ".unconfirmed"),
                "after a receipt: one confirmed secret, none unconfirmed")
        proxy.drop_next_post()
        rc, *_ = vote(srv, tokens["wes"], pid, "yes", home, replace=True, port=proxy.port)
        t.check(rc != 0 and proxy.dropped == 2, "a replacement whose answer is lost")
        rc, _, receipt, err = vote(srv, tokens["wes"], pid, "no", home, replace=True)
        t.check(rc == 0 and receipt,
                f"--replace: the confirmed secret is stale, the unconfirmed one works ({err})")
        proxy.drop_next_post(502)
        rc, _, _, err = vote(srv, tokens["wes"], pid, "yes", home, replace=True, port=proxy.port)
        t.check(rc != 0 and proxy.dropped == 3 and "HTTP 502" in err and
                "may or may not be in the box" in err and os.path.exists(kept + ".unconfirmed"),
                f"a gateway error after the server counted: the secret is kept too ({err})")
        rc, _, receipt, err = vote(srv, tokens["wes"], pid, "no", home, replace=True)
        t.check(rc == 0 and receipt, f"--replace works after the gateway error ({err})")
        with open(kept + ".lock", "a") as lock:     # another `conclave vote` of this poll
            fcntl.flock(lock, fcntl.LOCK_EX)
            args, env = vote_command(srv, tokens["wes"], pid, "no", home, replace=True)
            p = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
            time.sleep(1.0)
            t.check(p.poll() is None, "a second conclave vote of the same poll waits")
            fcntl.flock(lock, fcntl.LOCK_UN)
        _, err = p.communicate(timeout=60)
        t.check(p.returncode == 0 and "waiting for another conclave vote" in err,
                f"then goes on ({p.returncode}: {err})")
        rc, *_ = vote(srv, tokens["xan"], pid, "yes", os.path.join(work, "xan"))
        t.eq(rc, 0, "xan votes")
        res = wait_result(srv, pid)
        t.check(res["counts"] == [1, 1] and res["ballots"] == 2,
                f"the last ballot of each counts: 1 yes, 1 no ({res['counts']})")
    finally:
        proxy.close()
        srv.cleanup()


def test_another_polls_answers(t):
    """A server that answers for another poll than the one asked: `conclave
    vote` refuses a record whose id is not the poll asked for (it would seal
    the ballot for that other poll and report a verified receipt), and
    `conclave result` refuses a board whose fingerprint is not that poll's
    (it would print the asked poll's question beside the other's counts)."""
    srv = Server(args=["--poll-duration", "8"]).start()
    proxy = LossyProxy(srv)
    work = tempfile.mkdtemp(prefix="conclave-voters-")
    try:
        tokens = members_with_tokens(srv, ["yan", "zed"])
        opener = Client(srv, token=tokens["yan"])
        asked = open_poll(opener, "Asked Nominee").json()["id"]
        other = open_poll(opener, "Other Nominee").json()["id"]
        for path in ("", "/ballots"):
            proxy.rewrite[f"/api/v1/polls/{asked}{path}"] = f"/api/v1/polls/{other}{path}"
        rc, _, _, err = vote(srv, tokens["zed"], asked, "yes", os.path.join(work, "zed"),
                             port=proxy.port)
        t.check(rc == 1 and "another poll" in err,
                f"vote: the record of another poll is refused ({rc}: {err.strip()})")
        t.eq(opener.get(f"/api/v1/polls/{other}").json()["ballots_cast"], 0,
             "nothing was cast in the other poll")
        for who, choice in (("yan", "yes"), ("zed", "no")):
            rc, *_ = vote(srv, tokens[who], asked, choice, os.path.join(work, who))
            t.eq(rc, 0, f"{who} votes in the asked poll")
        rc, *_ = vote(srv, tokens["yan"], other, "yes", os.path.join(work, "yan"))
        t.eq(rc, 0, "yan votes in the other poll")
        wait_result(srv, asked)
        wait_result(srv, other)
        proxy.rewrite = {f"/api/v1/polls/{asked}/board": f"/api/v1/polls/{other}/board"}
        p = subprocess.run([BIN, "result", "--server", f"http://127.0.0.1:{proxy.port}",
                            "--token", tokens["yan"], asked],
                           capture_output=True, text=True, timeout=60)
        t.check(p.returncode == 1 and "another poll" in p.stderr and p.stdout == "",
                f"result: another poll's board is refused ({p.returncode}: {p.stdout!r} "
                f"{p.stderr.strip()})")
        p = subprocess.run([BIN, "result", "--server", f"http://127.0.0.1:{proxy.port}",
                            "--token", tokens["yan"], other],
                           capture_output=True, text=True, timeout=60)
        t.check(p.returncode == 0 and "Other Nominee" in p.stdout,
                f"result: the poll's own board is accepted ({p.stderr.strip()})")
    finally:
        proxy.close()
        srv.cleanup()


def test_result_during_compaction(t):
    """The compaction after a close (checkpoint, VACUUM, checkpoint: seconds at
    100,000 ballots) runs on a connection of its own, without the store's lock:
    the result and every other read are served meanwhile, and a write waits for
    its end instead of failing. The test-only CONCLAVE_TEST_COMPACT_DELAY_MS
    hook holds the compaction open for 3 s between its VACUUM and its last
    checkpoint."""
    srv = Server(args=["--poll-duration", "4"], binary=TEST_BIN).start(
        env={"CONCLAVE_TEST_COMPACT_DELAY_MS": "3000"})
    work = tempfile.mkdtemp(prefix="conclave-voters-")
    try:
        tokens = members_with_tokens(srv, ["wes", "xia"])
        opener = Client(srv, token=tokens["wes"])
        browser = Client(srv)
        t.eq(browser.login("xia", "xia-password-123").status, 200, "xia logs in")
        pid = open_poll(opener, "Compaction Time").json()["id"]
        for who in ("wes", "xia"):
            rc, *_ = vote(srv, tokens[who], pid, "yes", os.path.join(work, who))
            t.eq(rc, 0, f"{who} voted")
        result = wait_result(srv, pid)
        done = f"poll {pid}: database compacted"
        t.eq(result["counts"], [2, 0], "the result is served")
        t.check(done not in srv.log(), "... while the compaction runs")
        slow = []
        for c, path in ((opener, f"/api/v1/polls/{pid}/result"),
                        (opener, f"/api/v1/polls/{pid}/board"),
                        (opener, f"/api/v1/polls/{pid}"), (opener, "/api/v1/polls"),
                        (browser, f"/polls/{pid}/result"), (browser, "/")):
            t0 = time.time()
            r = c.get(path)
            if r.status != 200 or time.time() - t0 > 1.0:
                slow.append((path, r.status, round(time.time() - t0, 2)))
        t.check(not slow, f"reads answer at once during the compaction ({slow})")
        t.check(done not in srv.log(), "... which is still running after them")
        r = open_poll(opener, "Written Meanwhile")
        t.eq(r.status, 201, f"a write during the compaction waits for it ({r.status})")
        t.check(wait_log(srv, done), "the compaction completes")
        ids = [p["id"] for p in opener.get("/api/v1/polls").json()["polls"]]
        t.check(r.status == 201 and r.json()["id"] in ids, "the poll written meanwhile is kept")
        t.eq(opener.get(f"/api/v1/polls/{pid}/result").json(), result,
             "the same result after the compaction")
    finally:
        srv.cleanup()


def test_close_large_roll(t):
    """A poll of 100,000 members closes: its record (the frozen roll) is a
    megabyte, and the close's UPDATE rewrites that row with its trigger's
    statement journal. With SQLite's statement journals spilling at 512 KiB
    (SQLITE_CONFIG_STMTJRNL_SPILL), SQLite 3.40 failed that UPDATE with
    "database or disk is full" on every try, so the poll never closed (make
    bench, 2026-12-07); the store keeps its statement journals in memory."""
    srv = Server(args=["--poll-duration", "3600"])
    work = tempfile.mkdtemp(prefix="conclave-roll-")
    try:
        roster = os.path.join(work, "roster.csv")
        with open(roster, "w") as f:
            f.writelines(f"r{i:06d},Roll Member {i},\n" for i in range(100000))
        srv.start()
        srv.stop()
        rc, _, err = run_cli(["user", "import", roster], data_dir=srv.data_dir, timeout=300)
        t.eq(rc, 0, f"100,000 members imported ({err[-200:]})")
        srv.start()
        tokens = members_with_tokens(srv, ["ria", "sol"])
        pid = open_poll(Client(srv, token=tokens["ria"]), "Large Roll").json()["id"]
        record = Client(srv, token=tokens["ria"]).get(f"/api/v1/polls/{pid}").json()
        t.check(len(json.dumps(record)) > 1_000_000, "the poll's record is over a megabyte")
        for who in ("ria", "sol"):
            rc, *_ = vote(srv, tokens[who], pid, "yes", os.path.join(work, who))
            t.eq(rc, 0, f"{who} voted")
        close_now(srv, pid)
        try:
            result = wait_result(srv, pid, timeout=240 if os.environ.get("ASAN_OPTIONS") else 60)
        except RuntimeError as e:
            result = {"error": str(e)}
        t.eq(result.get("counts"), [2, 0], "the poll closes and counts its two ballots")
        t.eq(result.get("eligible"), 100003, "... of 100,003 eligible (the roll, ria, sol, admin)")
        t.check("close failed" not in srv.log(), "no close failed on the way")
    finally:
        srv.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    suite = Suite("test_polls")
    suite.run(test_opening_rules, test_vector_ballots, test_vector_election,
              test_thresholds, test_close_while_down, test_close_failure_isolated,
              test_voters_migrated, test_lost_answer, test_another_polls_answers,
              test_result_during_compaction, test_close_large_roll, test_seed_vote)
    suite.finish()
