"""The poll events and the webhook, against a real HTTP receiver on loopback
(WebhookSink: http.server, started by the test, checking the HMAC-SHA256
over the raw body bytes): poll.opened, poll.closed (with the signed result
as GET /api/v1/polls/{id}/result serves it) and poll.withdrawn arrive once
each, signed; a receiver that fails or is away gets them later, none lost,
none twice; a server killed after the change and before the delivery
delivers on restart, once; /admin/webhooks lists deliveries and failures and
retries a given-up one; polls from before schema 013, and events from before
the webhook was turned on, post nothing; no body holds a ballot or a
tracker."""
import json
import os
import re
import shutil
import signal
import sqlite3
import tempfile
import time

from harness import (Client, Server, Suite, TEST_BIN, WebhookSink, add_member, close_now,
                     members_with_tokens, page, run_cli, text, vote, wait_for, wait_result,
                     webhook_args, webhook_signature, UNDO_013, UNDO_014)
from harness import post_form as form

SECRET = b"whsec-test-0123456789-abcdef"


def db(srv):
    return sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"), timeout=30)


def events(srv):
    """The events' rows: (type, poll_id, mailed, hooked)."""
    with db(srv) as c:
        return c.execute("SELECT type, poll_id, mailed_at IS NOT NULL, hooked_at IS NOT NULL"
                         " FROM events ORDER BY id").fetchall()


def deliveries(srv):
    """The deliveries' rows: (event type, attempts, delivered, failed)."""
    with db(srv) as c:
        return c.execute("SELECT e.type, d.attempts, d.delivered_at IS NOT NULL,"
                         " d.failed_at IS NOT NULL FROM webhook_deliveries d"
                         " JOIN events e ON e.id = d.event_id ORDER BY d.id").fetchall()


def admin_client(srv):
    pw = add_member(srv.data_dir, "root", admin=True, display="Rosa Root")
    adm = Client(srv)
    adm.login("root", pw)
    return adm


def hook_server(sink, secret_dir, extra=(), binary=None):
    return Server(args=webhook_args(sink, os.path.join(secret_dir, "webhook-secret"), extra),
                  binary=binary)


def bodies(sink):
    """The JSON bodies delivered, parsed, in order of arrival."""
    return [json.loads(b) for (_, b, _) in sink.delivered()]


def test_options(t):
    work = tempfile.mkdtemp(prefix="conclave-hook-opt-")
    try:
        secret = os.path.join(work, "secret")
        with open(secret, "w") as f:
            f.write("a-secret-of-enough-bytes\n")
        os.chmod(secret, 0o600)
        pub = ["--public-url", "https://vote.example.org"]
        for args, want in ((["--webhook-url", "https://h.example.org/x"] + pub, "go together"),
                           (["--webhook-secret-file", secret] + pub, "go together"),
                           (["--webhook-url", "https://h.example.org/x",
                             "--webhook-secret-file", secret], "--public-url"),
                           (["--webhook-url", "http://h.example.org/x",
                             "--webhook-secret-file", secret] + pub, "https://"),
                           (["--webhook-url", "ftp://h.example.org/x",
                             "--webhook-secret-file", secret] + pub, "--webhook-url")):
            rc, out, err = run_cli(["serve"] + args)
            t.check(rc == 2 and want in err, f"serve {' '.join(args)}: exit 2 naming {want} "
                    f"({rc}, {err.strip()[:160]})")
        for content, mode, want in (("a-secret-of-enough-bytes\n", 0o644, "chmod 600"),
                                    ("short\n", 0o600, "16 to")):
            with open(secret, "w") as f:
                f.write(content)
            os.chmod(secret, mode)
            srv = Server(args=["--webhook-url", "http://127.0.0.1:9/x", "--webhook-secret-file",
                               secret] + pub)
            try:
                try:
                    srv.start(timeout=30)
                    started = True
                except RuntimeError:
                    started = False
                t.check(not started and want in srv.log(),
                        f"a secret file refused: {want} ({srv.log().strip()[-160:]})")
            finally:
                srv.cleanup()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_signed(t, sink):
    """Every request was signed under SECRET, and a wrong secret fails."""
    reqs = sink.delivered()
    t.check(reqs and all(g for (_, _, g) in reqs),
            f"every delivery's signature checks under the secret ({len(reqs)})")
    if reqs:
        h, body, _ = reqs[0]
        t.check(h.get("X-Conclave-Signature") != webhook_signature(b"another-secret-000000", body),
                "under another secret the signature does not check")
        t.check(h.get("X-Conclave-Signature") != webhook_signature(SECRET, body + b" "),
                "nor over other bytes")


def test_events(t):
    """Opened, withdrawn, closed: one delivery each, signed, with the right
    headers and bodies; the closed one carries the result byte for byte."""
    work = tempfile.mkdtemp(prefix="conclave-hook-")
    home = tempfile.mkdtemp(prefix="conclave-hook-home-")
    with WebhookSink(SECRET) as sink:
        srv = hook_server(sink, work, ["--poll-duration", "3600"])
        try:
            srv.start()
            tok = members_with_tokens(srv, ["ann", "bob"])
            ann, bob = Client(srv, token=tok["ann"]), Client(srv, token=tok["bob"])
            r = ann.post("/api/v1/polls", {"nominee": "Zoë Quinn", "statement": "Yes."})
            t.eq(r.status, 201, "ann opens a poll")
            pid = r.json()["id"]
            other = bob.post("/api/v1/polls", {"nominee": "Ola Other", "statement": "Hm."})
            oid = other.json()["id"]
            t.eq(sink.wait_delivered(2), 2, "two poll.opened deliveries arrive")
            rc, tracker, receipt, err = vote(srv, tok["ann"], pid, "yes", home)
            t.eq(rc, 0, f"ann votes ({err.strip()[:200]})")
            t.eq(bob.post(f"/api/v1/polls/{oid}/withdraw").status, 200, "bob withdraws his")
            t.eq(sink.wait_delivered(3), 3, "poll.withdrawn arrives")
            close_now(srv, pid)
            result = srv.request("GET", f"/api/v1/polls/{pid}/result")
            wait_result(srv, pid)
            result = srv.request("GET", f"/api/v1/polls/{pid}/result")
            t.eq(sink.wait_delivered(4), 4, "poll.closed arrives")
            time.sleep(2.5)
            got = sink.delivered()
            t.eq(len(got), 4, "four deliveries in all: none twice")
            check_signed(t, sink)
            kinds = [(h.get("X-Conclave-Event"), json.loads(b)["type"], json.loads(b)["poll"]["id"])
                     for (h, b, _) in got]
            t.eq(sorted(kinds), sorted([("poll.opened", "poll.opened", pid),
                                        ("poll.opened", "poll.opened", oid),
                                        ("poll.withdrawn", "poll.withdrawn", oid),
                                        ("poll.closed", "poll.closed", pid)]),
                 "each event once, X-Conclave-Event naming its type")
            ids = {h.get("X-Conclave-Delivery") for (h, _, _) in got}
            t.check(len(ids) == 4 and all(re.fullmatch(r"[0-9a-f]{32}", i or "") for i in ids),
                    "each delivery has an id of its own")
            t.check(all(h.get("Content-Type") == "application/json" for (h, _, _) in got),
                    "Content-Type: application/json")
            closed = [b for (h, b, _) in got if h.get("X-Conclave-Event") == "poll.closed"]
            if closed:
                body = json.loads(closed[0])
                t.check(b'"result":' + result.body + b"}" == closed[0][-len(result.body) - 10:],
                        "the closed event carries the result exactly as GET .../result serves it")
                t.eq(body["poll"]["result_url"], f"https://vote.example.org/polls/{pid}/result",
                     "and the result page's link")
                t.eq(body["result"]["counts"], [1, 0], "the counts")
                t.eq(body["poll"]["nominee"], "Zoë Quinn", "the nominee, UTF-8")
            wd = [json.loads(b) for (h, b, _) in got if h.get("X-Conclave-Event") == "poll.withdrawn"]
            if wd:
                t.eq(wd[0]["poll"]["withdrawn_by"], "bob", "who withdrew it")
            every = b"\n".join(b for (_, b, _) in got).decode()
            t.check(tracker and tracker not in every and receipt not in every,
                    "no body carries the tracker or the receipt")
            t.check(not re.search(r'"(ballot|tracker|voted|voters|roll|ballots_cast|rho)"', every),
                    "nor a ballot, the roll or who voted")
            t.eq(events(srv), [("poll.opened", pid, 0, 1), ("poll.opened", oid, 0, 1),
                               ("poll.withdrawn", oid, 0, 1), ("poll.closed", pid, 0, 1)],
                 "the events, in order, each hooked (mail off: not mailed)")
            adm = admin_client(srv)
            r = page(adm, "/admin/webhooks")
            t.check(r.status == 200 and "The webhook is on" in text(r) and
                    text(r).count("delivered") >= 4 and "poll.withdrawn" in text(r),
                    "/admin/webhooks lists the deliveries")
            t.check(SECRET.decode() not in text(r) and SECRET.decode() not in srv.log(),
                    "neither the page nor the log holds the secret")
        finally:
            srv.cleanup()
            shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(home, ignore_errors=True)


def test_receiver_down(t):
    """The receiver answers 500, then is away, then is back: retried with a
    pause, failures shown and logged, delivered once at last."""
    work = tempfile.mkdtemp(prefix="conclave-hook-")
    sink = WebhookSink(SECRET).start()
    srv = hook_server(sink, work, binary=TEST_BIN)
    try:
        srv.start(env={"CONCLAVE_TEST_WEBHOOK_BACKOFF": "1"})
        sink.fail_always = True
        tok = members_with_tokens(srv, ["cy"])
        cy = Client(srv, token=tok["cy"])
        pid = cy.post("/api/v1/polls", {"nominee": "Rae Retry", "statement": "."}).json()["id"]
        rows = wait_for(lambda: deliveries(srv), timeout=20,
                        done=lambda rs: rs and rs[0][1] >= 2)
        t.check(rows and rows[0][1] >= 2 and not rows[0][2],
                f"answered 500: tried again, not delivered ({rows})")
        adm = admin_client(srv)
        r = page(adm, "/admin/webhooks")
        t.check("retrying" in text(r) and "HTTP 500" in text(r) and "Retry now" in text(r),
                "/admin/webhooks shows the failure, why, and offers a retry")
        log = srv.log()
        t.check("webhook delivery" in log and "failed (attempt" in log and "HTTP 500" in log,
                "each failure is logged")
        t.check(SECRET.decode() not in log and "Rae Retry" not in log,
                "without the secret or the body")
        sink.stop()
        tried = deliveries(srv)[0][1]
        wait_for(lambda: deliveries(srv), timeout=30, done=lambda rs: rs[0][1] >= tried + 2)
        t.check(deliveries(srv)[0][1] >= tried + 2, "receiver away: tried again")
        t.check("Connection refused" in srv.log() or "connect" in srv.log().lower(),
                "the log says it could not connect")
        sink.fail_always = False
        sink.start()
        t.eq(sink.wait_delivered(1, timeout=60), 1, "delivered once the receiver is back")
        time.sleep(3)
        t.eq(len(sink.delivered()), 1, "and only once")
        t.eq([r[2] for r in deliveries(srv)], [1], "marked delivered")
        t.check(all(g for (_, _, g, _) in sink.requests), "every attempt was signed")
        t.eq(json.loads(sink.delivered()[0][1])["poll"]["id"], pid, "the poll's opening")
    finally:
        srv.cleanup()
        sink.stop()
        shutil.rmtree(work, ignore_errors=True)


def test_crash_before_delivery(t):
    """The poll opens, the server is killed before the delivery goes: the
    restart delivers it, once; the event was in the database all along."""
    work = tempfile.mkdtemp(prefix="conclave-hook-")
    with WebhookSink(SECRET) as sink:
        srv = hook_server(sink, work, binary=TEST_BIN)
        try:
            srv.start(env={"CONCLAVE_TEST_WEBHOOK_HOLD": "1"})
            tok = members_with_tokens(srv, ["dee"])
            dee = Client(srv, token=tok["dee"])
            pid = dee.post("/api/v1/polls", {"nominee": "Kim Kill", "statement": "."}).json()["id"]
            wait_for(lambda: deliveries(srv), timeout=10)
            time.sleep(1)
            t.eq(sink.count(), 0, "held: nothing sent")
            srv.stop(signal.SIGKILL)
            t.eq(events(srv), [("poll.opened", pid, 0, 1)], "the event survived the kill")
            t.eq(deliveries(srv), [("poll.opened", 0, 0, 0)], "and its delivery, waiting")
            srv.start()
            t.eq(sink.wait_delivered(1), 1, "delivered after the restart")
            time.sleep(2.5)
            t.eq(len(sink.delivered()), 1, "once")
            srv.stop()
            srv.start()
            time.sleep(2.5)
            t.eq(len(sink.delivered()), 1, "a restart after the delivery sends nothing again")
        finally:
            srv.cleanup()
            shutil.rmtree(work, ignore_errors=True)


def test_give_up_and_retry(t):
    """A delivery failing past its deadline is given up (logged, shown); an
    admin's "Retry now" (CSRF-checked) sends it again at once."""
    work = tempfile.mkdtemp(prefix="conclave-hook-")
    with WebhookSink(SECRET) as sink:
        srv = hook_server(sink, work, binary=TEST_BIN)
        try:
            srv.start(env={"CONCLAVE_TEST_WEBHOOK_BACKOFF": "1",
                           "CONCLAVE_TEST_WEBHOOK_GIVE_UP": "3"})
            sink.fail_always = True
            adm = admin_client(srv)
            r = adm.post("/api/v1/polls", {"nominee": "Gus Given", "statement": "."})
            rows = wait_for(lambda: deliveries(srv), timeout=20, done=lambda rs: rs and rs[0][3])
            t.check(rows and rows[0][3], f"given up ({rows})")
            t.check("given up after" in srv.log(), "the log says so")
            r = page(adm, "/admin/webhooks")
            t.check("given up" in text(r) and "Retry now" in text(r), "the page shows it")
            did = re.search(r'name="id" value="(\d+)"', text(r))
            did = did.group(1) if did else "0"
            r = form(adm, "/admin/webhooks", {"action": "retry", "id": did}, csrf=False)
            t.eq(r.status, 403, "a retry without the CSRF token is refused")
            sink.fail_always = False
            r = form(adm, "/admin/webhooks", {"action": "retry", "id": did})
            t.check(r.status == 303 and r.header("Location") == "/admin/webhooks",
                    f"Retry now: 303 back ({r.status})")
            t.check("is due now" in text(page(adm, "/admin/webhooks")), "the page says so")
            t.eq(sink.wait_delivered(1), 1, "delivered")
            t.eq([x[2] for x in wait_for(lambda: deliveries(srv), timeout=10,
                                         done=lambda rs: rs and rs[0][2])], [1],
                 "marked delivered")
            r = form(adm, "/admin/webhooks", {"action": "retry", "id": did})
            t.check("delivered already" in text(page(adm, "/admin/webhooks")),
                    "a delivered one is not sent again")
            time.sleep(1.5)
            t.eq(len(sink.delivered()), 1, "once")
        finally:
            srv.cleanup()
            shutil.rmtree(work, ignore_errors=True)


def test_off_and_old_news(t):
    """Without --webhook-url the page says how to turn it on and nothing is
    posted; events from before it was on, and polls from before schema 013,
    post nothing; what happens after does."""
    work = tempfile.mkdtemp(prefix="conclave-hook-")
    with WebhookSink(SECRET) as sink:
        srv = Server(args=["--poll-duration", "3600"])
        try:
            srv.start()
            adm = admin_client(srv)
            r = page(adm, "/admin/webhooks")
            t.check(r.status == 200 and "The webhook is off" in text(r) and
                    "--webhook-url" in text(r), "/admin/webhooks says how to turn it on")
            t.check('href="/admin/webhooks"' in text(page(adm, "/admin/mail")),
                    "linked from the admin pages")
            old = adm.post("/api/v1/polls", {"nominee": "Old Olga", "statement": "."}).json()["id"]
            srv.stop()
            with db(srv) as c:      # back to schema 12: the poll predates the events
                c.executescript(UNDO_014 + UNDO_013)
            srv.start()
            t.eq(events(srv), [], "a poll from before schema 013 has no event")
            early = adm.post("/api/v1/polls", {"nominee": "Early Eve", "statement": "."})
            early = early.json()["id"]
            t.eq([e[:2] for e in events(srv)], [("poll.opened", early)],
                 "with the webhook off the event is recorded")
            srv.stop()
            srv.args = webhook_args(sink, os.path.join(work, "secret"), ["--poll-duration", "3600"])
            srv.start()
            time.sleep(1.5)
            t.eq(sink.count(), 0, "turned on: the events from before are old news")
            t.eq(adm.post(f"/api/v1/polls/{old}/withdraw").status, 200, "the old poll withdrawn")
            t.eq(sink.wait_delivered(1), 1, "its withdrawal is posted")
            got = bodies(sink)
            t.check(got and got[0]["type"] == "poll.withdrawn" and got[0]["poll"]["id"] == old,
                    "as poll.withdrawn")
            time.sleep(1)
            t.eq(len(sink.delivered()), 1, "and nothing else")
        finally:
            srv.cleanup()
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    s = Suite("test_webhooks")
    s.run(test_options, test_events, test_receiver_down, test_crash_before_delivery,
          test_give_up_and_retry, test_off_and_old_news)
    s.finish()
