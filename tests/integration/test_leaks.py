"""No leaks: a whole poll run against the real server, then a look at
everything an observer could collect. No log line holds a count, a
decryption or a ballot's tracker (so none holds a username next to one); no
answer before the close holds a count (the poll, the list, the pages, the
result and board refusals); the database keeps voters and ballots apart in a
copy taken mid-poll (conclave.db, -wal and -shm copied while the server
runs) and in one taken after the close, whose WAL is empty."""
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time

from harness import Client, Server, Suite, add_member, create_token, vote, wait_log, wait_result

VOTERS = ["alba", "bruno", "chiara", "dario", "elena", "fabio"]
POLL_KEYS = {"id", "record", "fingerprint", "state", "nominee", "statement_html",
             "nominated_by", "ballots_cast", "eligible", "voted", "opens_at", "closes_at",
             "sealed_by",     # who seals it (the server, or which trustees): no count
             "consent"}       # how the nominee agreed (who attested, when): no count


def copy_data(data_dir, dest):
    """Copies the database files as they are on disk right now."""
    os.makedirs(dest, exist_ok=True)
    for f in ("conclave.db", "conclave.db-wal", "conclave.db-shm"):
        src = os.path.join(data_dir, f)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(dest, f))
    return os.path.join(dest, "conclave.db")


def check_store(t, db, when, trackers):
    """Voters and ballots apart: the table shapes, WITHOUT ROWID, no username
    inside a ballot, no tracker beside a username anywhere."""
    con = sqlite3.connect(db)
    cols = {tb: [r[1] for r in con.execute(f"pragma table_info({tb})")]
            for tb in ("ballots", "poll_roll", "ballot_used")}
    t.eq(cols["ballots"], ["poll_id", "tracker", "tag", "ballot"], f"{when}: ballot columns")
    t.eq(cols["poll_roll"], ["poll_id", "username", "voted"], f"{when}: roll columns")
    t.eq(cols["ballot_used"], ["poll_id", "kind", "value"], f"{when}: used-set columns")
    sqls = {r[0]: r[1] for r in con.execute(
        "select name, sql from sqlite_master where type = 'table'")}
    t.check(all("WITHOUT ROWID" in sqls[tb] for tb in ("ballots", "poll_roll", "ballot_used")),
            f"{when}: WITHOUT ROWID tables")
    t.check(not any(re.search(r"(time|_at|seq|order)", c) for tb in cols for c in cols[tb]),
            f"{when}: no time or order column beside voters or ballots")
    ballots = [r[0] for r in con.execute("select ballot from ballots")]
    t.check(not any(v in b for b in ballots for v in VOTERS), f"{when}: no username in a ballot")
    found = [r[0] for r in con.execute("select username from poll_roll where voted = 1")]
    t.check(set(found) <= set(VOTERS), f"{when}: the roll marks only voters")
    # every row of every table: never a username and a tracker together (but
    # the poll's own row, which after the close holds the public roll and board)
    for tb in set(sqls) - {"polls"}:
        names = [r[1] for r in con.execute(f"pragma table_info({tb})")]
        for row in con.execute(f"select * from {tb}"):
            text = " ".join(x.hex() if isinstance(x, bytes) else str(x) for x in row)
            both = [v for v in VOTERS if re.search(rf"\b{v}\b", text)] and \
                [tr for tr in trackers if tr in text]
            if both:
                t.check(False, f"{when}: a row of {tb} ({names}) holds a voter and a tracker")
                break
    con.close()


def test_whole_poll(t):
    srv = Server(args=["--poll-duration", "14"]).start()
    work = tempfile.mkdtemp(prefix="conclave-leaks-")
    try:
        tokens = {}
        for v in VOTERS:
            add_member(srv.data_dir, v)         # password: v + "-password-123"
            tokens[v] = create_token(srv.data_dir, v)
        browser = Client(srv)
        t.eq(browser.login("alba", "alba-password-123").status, 200, "alba logs in")
        opener = Client(srv, token=tokens["bruno"])
        r = opener.post("/api/v1/polls", {"nominee": "Leak Check", "statement": "Nothing leaks."})
        pid = r.json()["id"]
        before = []                 # every answer an observer could see before the close
        trackers, replaced = {}, []
        plan = {"alba": "yes", "bruno": "no", "chiara": "yes", "dario": "yes", "elena": "no"}
        for v, choice in plan.items():
            rc, tr, *_ = vote(srv, tokens[v], pid, choice, os.path.join(work, v))
            t.check(rc == 0 and tr, f"{v} votes")
            trackers[v] = tr
        rc, tr, *_ = vote(srv, tokens["elena"], pid, "yes", os.path.join(work, "elena"), replace=True)
        t.check(rc == 0 and tr, "elena replaces her ballot")
        replaced.append(trackers["elena"])
        trackers["elena"] = tr
        r = Client(srv, token=tokens["bruno"]).post(f"/api/v1/polls/{pid}/ballots", {})
        before.append(("invalid ballot", r))
        mid = copy_data(srv.data_dir, os.path.join(work, "mid"))

        for who in ("alba", "fabio"):
            c = Client(srv, token=tokens[who])
            before += [(f"{who} poll", c.get(f"/api/v1/polls/{pid}")),
                       (f"{who} list", c.get("/api/v1/polls"))]
        before += [("result", srv.request("GET", f"/api/v1/polls/{pid}/result")),
                   ("board", srv.request("GET", f"/api/v1/polls/{pid}/board")),
                   ("result with token", Client(srv, token=tokens["bruno"])
                    .get(f"/api/v1/polls/{pid}/result")),
                   ("home page", browser.get("/")),
                   ("poll page", browser.get(f"/polls/{pid}")),
                   ("result page", browser.get(f"/polls/{pid}/result"))]
        for what, r in before:
            body = r.body.decode("utf-8", "replace")
            t.check(not re.search(r'"(counts|tally|decryptions|shares|result|passed|yes|no)"',
                                  body), f"{what}: no count, tally or decryption ({r.status})")
            t.check("conclave-result-v1" not in body and "<svg" not in body
                    and "It passed" not in body and "did not pass" not in body,
                    f"{what}: no outcome")
        for what, r in before:
            if what in ("result", "board", "result with token"):
                t.check(r.status == 409 and r.error_code() == "poll_open", f"{what}: 409 poll_open")
            if what.endswith(" poll"):
                t.eq(set(r.json()), POLL_KEYS, f"{what}: exactly the poll's fields")
            if what.endswith(" list"):
                t.check(all(set(p) == POLL_KEYS for p in r.json()["polls"]),
                        f"{what}: exactly the poll's fields")

        result = wait_result(srv, pid)
        t.eq(result["counts"], [4, 1], f"result {result['counts']}")
        # the result is served while the database is compacted (on a connection
        # of its own): the copy that matters is the one taken after that
        if not wait_log(srv, f"poll {pid}: database compacted", 60):
            raise RuntimeError("the database was not compacted after the close")
        after = copy_data(srv.data_dir, os.path.join(work, "after"))
        wal = after + "-wal"
        t.check(not os.path.exists(wal) or os.path.getsize(wal) == 0,
                "copy after the close: the WAL is empty (checkpointed and truncated)")

        everything = set(trackers.values()) | set(replaced)
        check_store(t, mid, "mid-poll copy", everything)
        check_store(t, after, "copy after the close", everything)
        con = sqlite3.connect(after)
        t.eq(con.execute("select count(*) from polls where secret_key is not null")
             .fetchone()[0], 0, "after the close: no poll secret key")
        con.close()
        with open(after, "rb") as f:
            raw = f.read()
        t.check(not any(bytes.fromhex(tr) in raw for tr in replaced),
                "after the close: the replaced ballot's tracker is nowhere in the file")

        srv.stop()
        log = srv.log()
        lines = log.splitlines()
        bad = [ln for ln in lines for tr in everything if tr in ln or tr[:16] in ln]
        t.check(not bad, f"no log line holds a tracker ({bad[:1]})")
        both = [ln for ln in lines if any(re.search(rf"\b{v}\b", ln) for v in VOTERS)
                and any(tr[:8] in ln for tr in everything)]
        t.check(not both, "no log line holds a username next to a tracker")
        words = re.compile(r"\bcounts?\b|tally|decrypt|share|passed|\byes\b|\bno\b|"
                           r"\[\d+, ?\d+\]", re.I)
        t.check(not [ln for ln in lines if words.search(ln)],
                f"no log line holds a count or a decryption "
                f"({[ln for ln in lines if words.search(ln)][:2]})")
        t.check(not any(tok in log for tok in tokens.values()), "no token in the log")
        t.check(f"/api/v1/polls/{pid}/ballots 201" in log, "casts are logged (status only)")
    finally:
        srv.cleanup()
        shutil.rmtree(work, ignore_errors=True)


def shm_pages(data_dir):
    """The page numbers in the first block of the WAL index (conclave.db-shm):
    after the 136-byte headers, one 32-bit page number (native order) for each
    of frames 1 to 4062, stale ones included (SQLite's walformat)."""
    with open(os.path.join(data_dir, "conclave.db-shm"), "rb") as f:
        block = f.read(32768)
    return {int.from_bytes(block[i:i + 4], sys.byteorder) for i in range(136, 136 + 4062 * 4, 4)} - {0}


def test_wal_erased_after_casts(t):
    """While the poll is open, the WAL (the page history of each commit, which
    could pair a voter's row with a ballot's) is checkpointed and truncated
    as soon as the casts pause: within a tick or two of the last one; and the
    WAL's index (-shm), which would still list the pages each commit wrote,
    is cleared with it."""
    with Server() as srv:
        work = tempfile.mkdtemp(prefix="conclave-wal-")
        try:
            for v in VOTERS[:3]:
                add_member(srv.data_dir, v)
            tokens = {v: create_token(srv.data_dir, v) for v in VOTERS[:3]}
            r = Client(srv, token=tokens["alba"]).post(
                "/api/v1/polls", {"nominee": "Wal Check", "statement": "Erased."})
            pid = r.json()["id"]
            wal = os.path.join(srv.data_dir, "conclave.db-wal")
            for v in VOTERS[:3]:
                rc, tr, *_ = vote(srv, tokens[v], pid, "yes", os.path.join(work, v))
                t.check(rc == 0 and tr, f"{v} votes")
                t0 = time.time()
                while os.path.getsize(wal) > 0 and time.time() - t0 < 5:
                    time.sleep(0.02)
                waited = time.time() - t0
                t.check(os.path.getsize(wal) == 0 and waited < 1.5,
                        f"after {v}'s cast the WAL is empty within 1.5 s ({waited:.2f} s)")
                t0 = time.time()
                while (listed := shm_pages(srv.data_dir) - {1}) and time.time() - t0 < 2:
                    time.sleep(0.02)
                t.check(not listed, f"after {v}'s cast the WAL index lists no page the casts "
                                    f"wrote ({sorted(listed)[:8]})")
            poll = Client(srv, token=tokens["alba"]).get(f"/api/v1/polls/{pid}").json()
            t.check(poll["state"] == "open" and poll["ballots_cast"] == 3,
                    "the poll is still open, with its three ballots")
        finally:
            shutil.rmtree(work, ignore_errors=True)


def page_image(db, dest):
    """The database's pages as a reader sees them (the WAL's included), byte
    for byte at their page numbers: SQLite's backup copies pages as they are."""
    src, dst = sqlite3.connect(db, timeout=30), sqlite3.connect(dest)
    src.backup(dst)
    src.close()
    dst.close()
    with open(dest, "rb") as f:
        return f.read()


def btree_pages(raw, root):
    """The page numbers of the B-tree rooted at ROOT (interior and leaf pages)."""
    ps = int.from_bytes(raw[16:18], "big")
    ps = 65536 if ps == 1 else ps
    pages, todo = set(), [root]
    while todo:
        pg = todo.pop()
        pages.add(pg)
        base = (pg - 1) * ps
        h = base + (100 if pg == 1 else 0)
        if raw[h] in (2, 5):                # interior index, interior table
            todo.append(int.from_bytes(raw[h + 8:h + 12], "big"))
            for k in range(int.from_bytes(raw[h + 3:h + 5], "big")):
                off = int.from_bytes(raw[h + 12 + 2 * k:h + 14 + 2 * k], "big")
                todo.append(int.from_bytes(raw[base + off:base + off + 4], "big"))
    return pages


def test_roll_keeps_no_vote_order(t):
    """Inside a B-tree page, SQLite puts each new row below the one before:
    rows inserted as members vote would keep the order in which they voted,
    and lined up with the order the ballots arrived, link voters to ballots
    in a copy made mid-poll. The roll is written whole at the opening; a vote
    sets its row's flag in place. Between an image taken at the opening and
    one after the casts (in an order unlike the names'), the roll's pages
    differ only in one byte per voter (the flag's serial type, 8 → 9), and
    no page changed outside the roll and the ballots' tables."""
    voters = [f"member{i:02d}" for i in range(12)]
    with Server() as srv:
        work = tempfile.mkdtemp(prefix="conclave-roll-")
        try:
            for v in voters:
                add_member(srv.data_dir, v)
            tokens = {v: create_token(srv.data_dir, v) for v in voters}
            r = Client(srv, token=tokens[voters[0]]).post(
                "/api/v1/polls", {"nominee": "Order Check", "statement": "No order."})
            pid = r.json()["id"]
            db = os.path.join(srv.data_dir, "conclave.db")
            before = page_image(db, os.path.join(work, "before.db"))
            order = voters[5:] + voters[:5][::-1]
            for v in order:
                rc, tr, *_ = vote(srv, tokens[v], pid, "yes", os.path.join(work, v))
                t.check(rc == 0 and tr, f"{v} votes")
            after = page_image(db, os.path.join(work, "after.db"))
            con = sqlite3.connect(os.path.join(work, "after.db"))
            roots = con.execute("select tbl_name, rootpage from sqlite_master"
                                " where rootpage > 0").fetchall()
            con.close()
            ps = int.from_bytes(after[16:18], "big")
            owner = {pg: tb for tb, root in roots for pg in btree_pages(after, root)}
            roll = sorted(pg for pg, tb in owner.items() if tb == "poll_roll")
            changed = [(pg, i) for pg in roll for i in range((pg - 1) * ps, pg * ps)
                       if before[i] != after[i]]
            t.check(len(changed) == len(voters) and
                    all(before[i] == 8 and after[i] == 9 for _, i in changed),
                    f"the roll's pages differ only in one flag byte per voter "
                    f"({len(changed)} bytes differ, {len(voters)} voters)")
            pages = max(len(before), len(after)) // ps
            moved = {owner.get(pg, "?") for pg in range(2, pages + 1)
                     if before[(pg - 1) * ps:pg * ps] != after[(pg - 1) * ps:pg * ps]}
            t.check(moved <= {"poll_roll", "ballots", "ballot_used"},
                    f"casting changed pages of the roll and the ballots' tables only ({moved})")
        finally:
            shutil.rmtree(work, ignore_errors=True)


def test_log_injection(t):
    """The method and the path are the client's: nothing in them may forge or
    hide a log line (an escape sequence, a carriage return)."""
    import socket
    with Server() as srv:
        for method in (b"G\x1b[2JET", b"GE\rT", b"GET\x7f"):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            s.sendall(method + b" /x\x1b[31m\r/y HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            t.check(s.recv(100).startswith(b"HTTP/1.1 "), f"{method!r}: answered")
            s.close()
        time.sleep(0.2)
        with open(srv.log_path, "rb") as f:
            raw = f.read()
        t.check(b"\x1b" not in raw and b"\r" not in raw and b"\x7f" not in raw,
                "no escape, carriage return or DEL reaches the log")
        t.check(raw.count(b" http ") >= 3, "the requests are logged, made printable")


if __name__ == "__main__":
    suite = Suite("test_leaks")
    suite.run(test_whole_poll, test_wal_erased_after_casts, test_roll_keeps_no_vote_order,
              test_log_injection)
    suite.finish()
