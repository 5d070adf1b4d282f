"""Poll withdrawal (issue 15 item 25): by the member who opened the poll or an
admin, while it is open and before any ballot; the page's two steps (the
question, then the withdrawal) and the API; what a withdrawn poll shows (its
own state on the home page, "Withdrawn by X on DATE", no booth, no result or
board: 409 poll_withdrawn); refused for another member (403), after a ballot
(409 ballots_cast) and twice; a ballot after the withdrawal refused (409
poll_withdrawn, and `conclave vote` says so); a ballot and a withdrawal at
the same moment: exactly one wins; the nominee freed and the nominator's
open polls counted without it; the secret key erased; a restart keeps it
withdrawn and the closer never tallies it."""
import os
import re
import subprocess
import tempfile
import threading
import time

from harness import (Client, Server, Suite, create_token, member_client, open_poll_form,
                     parse_html, post_form, post_refused, vote, vote_command, wait_for)


def withdraw_form(doc, pid):
    """The form on a page that posts to /polls/{pid}/withdraw, or None."""
    return doc.find("form", action=f"/polls/{pid}/withdraw")


def db(srv, sql):
    """One value from the server's database, read with the sqlite3 shell (WAL
    lets it read beside the running server)."""
    p = subprocess.run(["sqlite3", os.path.join(srv.data_dir, "conclave.db"), sql],
                       capture_output=True, text=True, timeout=30)
    return p.stdout.strip()


def test_nominator_withdraws(t):
    with Server() as srv:
        ada = member_client(srv, "ada", display="Ada Lovelace")
        bob = member_client(srv, "bob")
        pid = open_poll_form(ada, "Grace Hopper")
        t.eq(db(srv, f"SELECT secret_key IS NOT NULL FROM polls WHERE id = '{pid}'"), "1",
             "an open poll has its secret key")

        doc = parse_html(ada.get(f"/polls/{pid}").body)
        t.check(withdraw_form(doc, pid) is not None, "the nominator's page offers to withdraw")
        doc = parse_html(bob.get(f"/polls/{pid}").body)
        t.check(withdraw_form(doc, pid) is None, "another member's page does not")
        r = post_refused(bob, f"/polls/{pid}/withdraw", {})
        t.check(r.posted == 303 and r.status == 403,
                f"another member is refused the question, after a redirect ({r.status})")
        r = post_refused(bob, f"/polls/{pid}/withdraw", {"confirm": "yes"},
                         again=f"/polls/{pid}/withdraw")
        t.check(r.posted == 303 and r.status == 403 and "Only the member who opened" in
                parse_html(r.body).text(), f"and the withdrawal ({r.status})")
        r = bob.post(f"/api/v1/polls/{pid}/withdraw")
        t.check(r.status == 403 and r.error_code() == "forbidden",
                f"and over the API: 403 forbidden ({r.status} {r.error_code()})")

        # the first step asks, and changes nothing
        r = post_refused(ada, f"/polls/{pid}/withdraw", {})
        doc = parse_html(r.body)
        confirm = withdraw_form(doc, pid)
        t.check(r.posted == 303 and r.status == 200 and "This cannot be undone" in doc.text(),
                "the first step asks, after a redirect to GET /polls/{id}/withdraw: "
                "'Withdraw this poll? This cannot be undone.'")
        t.check(confirm is not None and
                confirm.find("input", name="confirm", value="yes") is not None and
                confirm.find("input", name="csrf_token", value=ada.csrf) is not None,
                "its form confirms, with the CSRF token")
        t.eq(ada.get(f"/api/v1/polls/{pid}").json()["state"], "open",
             "the question changed nothing")
        r = post_form(ada, f"/polls/{pid}/withdraw", {"confirm": "yes"}, csrf=False)
        t.check(r.status == 403 and ada.get(f"/api/v1/polls/{pid}").json()["state"] == "open",
                "no withdrawal without the CSRF token")

        r = post_form(ada, f"/polls/{pid}/withdraw", {"confirm": "yes"})
        t.check(r.status == 303 and r.header("Location") == f"/polls/{pid}",
                f"the withdrawal answers 303 to the poll's page ({r.status})")
        view = ada.get(f"/api/v1/polls/{pid}").json()
        t.check(view["state"] == "withdrawn" and view["withdrawn_by"] == "ada" and
                re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", view.get("withdrawn_at", "")),
                f"the API says withdrawn, by whom and when: {view.get('state')}, "
                f"{view.get('withdrawn_by')}, {view.get('withdrawn_at')}")
        t.eq(db(srv, f"SELECT secret_key IS NULL FROM polls WHERE id = '{pid}'"), "1",
             "the secret key is erased")

        doc = parse_html(bob.get(f"/polls/{pid}").body)
        note = doc.find(id="poll-withdrawn")
        t.check(note is not None and "Withdrawn by Ada Lovelace" in note.text(),
                f"the page says who withdrew it: {note.text() if note else None}")
        when = note.find("time") if note else None
        t.check(when is not None and when.get("datetime") == view.get("withdrawn_at"),
                "and when, in a <time>")
        t.check(doc.find(id="booth") is None and withdraw_form(doc, pid) is None,
                "no booth, nothing to withdraw")
        t.check(doc.find("a", href=f"/polls/{pid}/result") is None, "no link to a result")

        home = parse_html(bob.get("/").body)
        card = home.find("article", **{"data-poll": pid})
        section = next((a for a in card.ancestors() if a.tag == "section"), None) if card else None
        t.check(card is not None and "withdrawn" in card.classes() and section is not None and
                section.find("h2").text() == "Withdrawn",
                "the home page lists it under Withdrawn")
        t.check(card is not None and card.find("a", cls="button") is None, "with no Vote button")
        open_section = home.find("section", **{"aria-labelledby": "open-h"})
        t.check(open_section.find("article", **{"data-poll": pid}) is None, "not under Open")

        for what in ("result", "board"):
            r = srv.request("GET", f"/api/v1/polls/{pid}/{what}")
            t.check(r.status == 409 and r.error_code() == "poll_withdrawn",
                    f"no {what}: 409 poll_withdrawn ({r.status} {r.error_code()})")
        r = bob.get(f"/polls/{pid}/result")
        t.check(r.status == 404 and "withdrawn" in parse_html(r.body).text(),
                f"the result page says there is none ({r.status})")
        r = srv.request("GET", f"/polls/{pid}/result")
        t.check(r.status == 303 and r.header("Location").startswith("/login"),
                "and sends a visitor to the login form")

        r = ada.post(f"/api/v1/polls/{pid}/withdraw")
        t.check(r.status == 409 and r.error_code() == "poll_withdrawn", "withdrawn once only")
        r = post_form(ada, f"/polls/{pid}/withdraw", {"confirm": "yes"})
        t.check(r.status == 303 and r.header("Location") == f"/polls/{pid}",
                "a second confirmation (a reload) goes back to the poll's page")

        r = bob.post(f"/api/v1/polls/{pid}/ballots", {"ballot": "anything"})
        t.check(r.status == 409 and r.error_code() == "poll_withdrawn",
                f"a ballot is refused: 409 poll_withdrawn ({r.status} {r.error_code()})")
        home_dir = tempfile.mkdtemp(prefix="conclave-withdraw-")
        rc, tracker, _, err = vote(srv, create_token(srv.data_dir, "bob"), pid, "yes", home_dir)
        t.check(rc != 0 and "withdrawn" in err and tracker is None,
                f"`conclave vote` says the poll was withdrawn (exit {rc}): {err.strip()}")

        # the nominee is free again, and the poll does not count as ada's
        p2 = open_poll_form(ada, "Grace Hopper", "Second try.")
        t.check(p2 != pid, "the nominee can have a new poll")
        open_poll_form(ada, "Linus")
        open_poll_form(ada, "Margaret")
        r = post_refused(ada, "/polls/new", {"nominee": "Dennis", "statement": "x"})
        t.check(r.posted == 303 and "3 polls" in parse_html(r.body).text(),
                "three open polls are the most (the withdrawn one not counted)")


def test_admin_withdraws(t):
    with Server() as srv:
        ada = member_client(srv, "ada")
        member_client(srv, "root", admin=True)
        token = create_token(srv.data_dir, "root")
        pid = open_poll_form(ada, "Grace")
        root = Client(srv, token=token)
        r = root.post(f"/api/v1/polls/{pid}/withdraw", {"extra": 1})
        t.eq(r.status, 400, f"the API takes no fields ({r.status})")
        r = root.post(f"/api/v1/polls/{pid}/withdraw")
        body = r.json() or {}
        t.check(r.status == 200 and body.get("state") == "withdrawn" and
                body.get("withdrawn_by") == "root" and body.get("id") == pid,
                f"an admin withdraws a member's poll over the API: 200 with the poll "
                f"({r.status} {body.get('state')} {body.get('withdrawn_by')})")
        pid2 = open_poll_form(ada, "Linus")
        admin = member_client(srv, "root2", admin=True)
        doc = parse_html(admin.get(f"/polls/{pid2}").body)
        t.check(withdraw_form(doc, pid2) is not None, "an admin's page offers it")
        r = post_form(admin, f"/polls/{pid2}/withdraw", {"confirm": "yes"})
        t.eq(r.status, 303, "and the page withdraws it")
        r = root.post("/api/v1/polls/nosuchpoll/withdraw")
        t.check(r.status == 404 and r.error_code() == "not_found", "an unknown poll: 404")


def test_refused_after_ballot(t):
    with Server() as srv:
        ada = member_client(srv, "ada")
        member_client(srv, "bob")
        pid = open_poll_form(ada, "Grace")
        home_dir = tempfile.mkdtemp(prefix="conclave-withdraw-")
        rc, _, _, err = vote(srv, create_token(srv.data_dir, "bob"), pid, "no", home_dir)
        t.eq(rc, 0, f"bob votes ({err.strip()})")
        doc = parse_html(ada.get(f"/polls/{pid}").body)
        t.check(withdraw_form(doc, pid) is None, "no withdrawal offered after a ballot")
        r = ada.post(f"/api/v1/polls/{pid}/withdraw")
        t.check(r.status == 409 and r.error_code() == "ballots_cast",
                f"the API: 409 ballots_cast ({r.status} {r.error_code()})")
        r = post_refused(ada, f"/polls/{pid}/withdraw", {"confirm": "yes"},
                         again=f"/polls/{pid}/withdraw")
        t.check(r.posted == 303 and r.status == 409 and
                "ballot has been cast" in parse_html(r.body).text(),
                f"the page: 303, then 409 and why ({r.status})")
        t.eq(ada.get(f"/api/v1/polls/{pid}").json()["state"], "open", "it stays open")


def test_race_restart_and_closer(t):
    """Ballots and withdrawals at the same moment, poll by poll: exactly one of
    the two wins each time. Then a restart, and the deadline: the withdrawn
    polls stay withdrawn and are never tallied; the others close."""
    duration = 40           # room for nine casts under ASan on a loaded machine
    with Server(args=["--poll-duration", str(duration)]) as srv:
        admin = member_client(srv, "root", admin=True)
        noms = [member_client(srv, f"n{i}") for i in range(3)]
        member_client(srv, "voter")
        token = create_token(srv.data_dir, "voter")
        started = time.time()
        pids = [open_poll_form(noms[i % 3], f"Nominee {i}") for i in range(9)]
        home_dir = tempfile.mkdtemp(prefix="conclave-race-")
        outcome = {}

        def withdraw(pid, delay):
            time.sleep(delay)
            outcome[pid] = admin.post(f"/api/v1/polls/{pid}/withdraw")

        for i, pid in enumerate(pids):
            args, env = vote_command(srv, token, pid, "yes", home_dir)
            th = threading.Thread(target=withdraw, args=(pid, 0.02 * (i % 5)))
            proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            th.start()
            out, err = proc.communicate(timeout=60)
            th.join()
            w = outcome[pid]
            view = admin.get(f"/api/v1/polls/{pid}").json()
            cast_won = proc.returncode == 0
            withdraw_won = w.status == 200
            t.check(cast_won != withdraw_won,
                    f"poll {i}: exactly one wins (vote exit {proc.returncode}, withdrawal "
                    f"{w.status} {w.error_code()}; {err.strip()[-200:]})")
            if withdraw_won:
                t.check(view["state"] == "withdrawn" and view["ballots_cast"] == 0 and
                        "withdrawn" in err, f"poll {i}: withdrawn, no ballot, the CLI told")
            else:
                t.check(view["state"] == "open" and view["ballots_cast"] == 1 and
                        w.error_code() == "ballots_cast",
                        f"poll {i}: the ballot counted, the withdrawal refused as ballots_cast")
        withdrawn = [p for p in pids if outcome[p].status == 200]
        voted = [p for p in pids if outcome[p].status != 200]
        print(f"test_withdraw: race: {len(withdrawn)} withdrawn, {len(voted)} voted")

        t.eq(srv.stop(), 0, "the server stops")
        srv.start()
        for pid in withdrawn:
            t.eq(admin.get(f"/api/v1/polls/{pid}").json()["state"], "withdrawn",
                 "a restart keeps it withdrawn")
        wait_for(lambda: all(admin.get(f"/api/v1/polls/{p}").json()["state"] == "closed"
                             for p in voted), started + duration + 30 - time.time(), 0.5)
        time.sleep(1.5)             # a tick more for the closer
        for pid in voted:
            r = srv.request("GET", f"/api/v1/polls/{pid}/result")
            t.check(r.status == 200 and r.json()["counts"] == [1, 0],
                    f"a poll with a ballot closes at its deadline ({r.status})")
        for pid in withdrawn:
            view = admin.get(f"/api/v1/polls/{pid}").json()
            t.eq(view["state"], "withdrawn", "past the deadline it is still withdrawn")
            r = srv.request("GET", f"/api/v1/polls/{pid}/result")
            t.check(r.status == 409 and r.error_code() == "poll_withdrawn",
                    "and has no result")
            t.check(f"poll {pid} closed" not in srv.log() and
                    f"poll {pid}: close failed" not in srv.log(),
                    "the closer never touched it")
            t.eq(db(srv, f"SELECT result IS NULL AND board IS NULL AND secret_key IS NULL "
                         f"FROM polls WHERE id = '{pid}'"), "1",
                 "no result, no board, no key in the store")


if __name__ == "__main__":
    s = Suite("test_withdraw")
    s.run(test_nominator_withdraws, test_admin_withdraws, test_refused_after_ballot,
          test_race_restart_and_closer)
    s.finish()
