"""The nominee's consent (issue 18), against the real binary and a real SMTP
server on loopback: --nominee-consent mail (the poll awaits consent, the
nominee's mail and link, accept opens the poll for its week with the roll
frozen then, decline and expiry withdraw it and tell the nominator, the link
works once and only by POST, ballots, result and board refused while
awaiting) and --nominee-consent attest (the API and the form refuse a
nomination without the attestation; the pages say who attested)."""
import os
import re
import sqlite3
import tempfile
import time

from harness import (Client, Server, SmtpSink, Suite, add_member, consent_answer,
                     consent_link, create_token, mail_args, mail_body, mail_subject, page,
                     post_refused, text, vote, wait_for, wait_result)
from harness import post_form as form

STATEMENT = "Grace reviewed **300** pull requests."


def db(srv):
    return sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"))


def nominate(client, nominee, email, statement=STATEMENT):
    return client.post("/api/v1/polls", {"nominee": nominee, "statement": statement,
                                         "nominee_email": email})


def nominee_mail(t, sink, address):
    """The one consent mail to ADDRESS (waits for it); its link's secret."""
    msgs = wait_for(lambda: sink.to(address), timeout=20)
    t.eq(len(msgs), 1, f"one mail to the nominee {address}")
    return consent_link(msgs[0]) if msgs else None, msgs[0] if msgs else None


def mail_server(sink, extra=()):
    """A server that mails SINK, with the default consent with mail (mail)."""
    return Server(args=mail_args(sink, ["--poll-duration", "3600"] + list(extra), consent=None))


def test_accept(t):
    with SmtpSink() as sink, mail_server(sink) as srv:
        add_member(srv.data_dir, "ada", display="Ada Lovelace", email="ada@example.org")
        add_member(srv.data_dir, "bob")
        ada = Client(srv, token=create_token(srv.data_dir, "ada"))
        r = nominate(ada, "Grace Hopper", "grace@example.org")
        t.eq(r.status, 201, "a nomination in mail mode is created")
        poll = r.json()
        pid = poll["id"]
        t.eq(poll["state"], "awaiting_consent", "the poll awaits the nominee's consent")
        t.check(poll.get("fingerprint") is None and "record" not in poll,
                "no record nor fingerprint while awaiting")
        t.eq(poll["consent"]["kind"], "awaiting", "consent kind awaiting")
        link, msg = nominee_mail(t, sink, "grace@example.org")
        t.check(link is not None and "300" in mail_body(msg) and "Ada Lovelace" in mail_body(msg),
                "the nominee's mail has the link, the statement and the nominator")
        with db(srv) as c:
            row = c.execute("SELECT consent_hash FROM polls WHERE id = ?", (pid,)).fetchone()
        t.check(row[0] is not None and link.encode() not in bytes(row[0]),
                "only the link's hash is stored")
        listed = {p["id"]: p["state"] for p in ada.get("/api/v1/polls").json()["polls"]}
        t.eq(listed.get(pid), "awaiting_consent", "listed as awaiting, not open")
        home = text(page(member_session(srv, "bob"), "/"))
        t.check("Awaiting the nominee" in home and "Vote</a>" not in home,
                "the home page lists it as awaiting, with no Vote button")
        r = ada.post(f"/api/v1/polls/{pid}/ballots", {"ballot": {}})
        t.check(r.status == 409 and r.json()["error"]["code"] == "awaiting_consent",
                f"a ballot while awaiting: 409 awaiting_consent ({r.status} {r.body[:120]!r})")
        for what in ("result", "board"):
            r = srv.request("GET", f"/api/v1/polls/{pid}/{what}")
            t.check(r.status == 409 and r.json()["error"]["code"] == "awaiting_consent",
                    f"the {what} while awaiting: 409 awaiting_consent ({r.status})")
        r = nominate(ada, "grace hopper", "grace2@example.org")
        t.check(r.status == 409 and r.json()["error"]["code"] == "poll_exists",
                "a second nomination of the same nominee while one awaits: 409 poll_exists")
        r = page(member_session(srv, "ada"), "/polls/new")
        t.check(r.status == 200 and 'name="nominee_email"' in text(r) and
                'name="nominee_consent"' not in text(r),
                f"the form in mail mode asks for the nominee's address ({r.status})")
        pg = text(page(member_session(srv, "ada"), f"/polls/{pid}"))
        t.check("waiting for the nominee" in pg and "booth-form" not in pg,
                "the poll page says it waits for consent, without a booth")
        time.sleep(1)
        t.eq([m for m in sink.to("ada@example.org") if "New poll" in mail_subject(m)], [],
             "no 'poll opened' notice before the acceptance")
        r1 = srv.request("GET", "/consent?link=" + link)
        r2 = srv.request("GET", "/consent?link=" + link)
        t.check(r1.status == 200 and r2.status == 200 and "Grace Hopper" in text(r1) and
                "<strong>300</strong>" in text(r1) and 'value="accept"' in text(r1)
                and 'value="decline"' in text(r1),
                "GET shows the nomination with Accept and Decline, twice")
        t.eq(ada.get(f"/api/v1/polls/{pid}").json()["state"], "awaiting_consent",
             "a GET of the page does not act")
        for bad in ("A" * 43, "short", link[:-1] + ("A" if link[-1] != "A" else "B")):
            r = srv.request("GET", "/consent?link=" + bad)
            t.check(r.status == 410 and "text/html" in (r.header("Content-Type") or ""),
                    f"a forged link: a plain 410 page ({r.status})")
        add_member(srv.data_dir, "carol")          # before the acceptance: on the roll
        time.sleep(1.1)
        before = int(time.time())
        r = consent_answer(srv, link, "accept")
        t.check(r.status == 200 and "Thank you" in text(r), f"accept answers ({r.status} {text(r)[-600:]!r})")
        add_member(srv.data_dir, "dave")           # after: not on the roll
        poll = ada.get(f"/api/v1/polls/{pid}").json()
        t.eq(poll["state"], "open", "accepted: the poll is open")
        opens = time.mktime(time.strptime(poll["opens_at"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        closes = time.mktime(time.strptime(poll["closes_at"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        t.check(before - 1 <= opens <= time.time() + 1 and closes - opens == 3600,
                f"open from the acceptance for --poll-duration ({poll['opens_at']} .. "
                f"{poll['closes_at']})")
        roll = poll["record"]["roll"]
        t.check("carol" in roll and "dave" not in roll and poll["eligible"] == len(roll),
                f"the roll frozen at the acceptance ({roll})")
        t.eq(poll["consent"]["kind"], "accepted", "consent accepted")
        pg = text(page(member_session(srv, "ada"), f"/polls/{pid}"))
        t.check("accepted by the nominee on" in pg, "the page says the nominee accepted")
        r = consent_answer(srv, link, "decline")
        t.eq(r.status, 410, "the link works once")
        t.eq(srv.request("GET", "/consent?link=" + link).status, 410, "a used link: 410")
        outcome = wait_for(lambda: [m for m in sink.to("ada@example.org")
                                    if "accepted" in mail_subject(m)], timeout=20)
        t.check(len(outcome) == 1, "the nominator is told of the acceptance")
        opened = wait_for(lambda: [m for m in sink.to("ada@example.org")
                                   if "New poll" in mail_subject(m)], timeout=20)
        t.check(len(opened) == 1, "the 'poll opened' notice goes out after the acceptance")
        work = tempfile.mkdtemp(prefix="conclave-consent-")
        rc, *_ = vote(srv, create_token(srv.data_dir, "carol"), pid, "yes", work)
        t.eq(rc, 0, "carol, added before the acceptance, votes")


def member_session(srv, username):
    c = Client(srv)
    c.login(username, username + "-password-123")
    return c


def test_decline_expire_withdraw(t):
    with SmtpSink() as sink, mail_server(sink) as srv:
        add_member(srv.data_dir, "ada", display="Ada Lovelace", email="ada@example.org")
        ada = Client(srv, token=create_token(srv.data_dir, "ada"))
        pid = nominate(ada, "Linus", "linus@example.org").json()["id"]
        link, _ = nominee_mail(t, sink, "linus@example.org")
        r = consent_answer(srv, link, "decline")
        t.check(r.status == 200 and "declined" in text(r), "decline answers")
        poll = ada.get(f"/api/v1/polls/{pid}").json()
        t.check(poll["state"] == "withdrawn" and poll.get("withdrawn_reason") ==
                "declined by the nominee" and poll.get("withdrawn_by") is None,
                f"declined: withdrawn, by the nominee ({poll.get('withdrawn_reason')})")
        told = wait_for(lambda: [m for m in sink.to("ada@example.org")
                                 if "withdrawn" in mail_subject(m)], timeout=20)
        t.check(len(told) == 1 and "declined" in mail_body(told[0]),
                "the nominator is mailed the decline")
        pg = text(page(member_session(srv, "ada"), f"/polls/{pid}"))
        t.check("declined by the nominee" in pg, "the page says why it was withdrawn")
        t.eq(nominate(ada, "Linus", "linus@example.org").status, 201,
             "the nominee may be nominated again")

        pid2 = nominate(ada, "Margaret", "margaret@example.org").json()["id"]
        link2, _ = nominee_mail(t, sink, "margaret@example.org")
        with db(srv) as c:
            c.execute("UPDATE polls SET closes_at = ? WHERE id = ?", (int(time.time()) - 1, pid2))
        state = wait_for(lambda: ada.get(f"/api/v1/polls/{pid2}").json(), timeout=20,
                         done=lambda p: p["state"] == "withdrawn")
        t.check(state["state"] == "withdrawn" and state.get("withdrawn_reason") ==
                "consent expired", f"expired: withdrawn on the tick ({state['state']})")
        t.eq(srv.request("GET", "/consent?link=" + link2).status, 410, "an expired link: 410")
        told = wait_for(lambda: [m for m in sink.to("ada@example.org")
                                 if "withdrawn" in mail_subject(m)], timeout=20,
                        done=lambda v: len(v) >= 2)
        t.check(len(told) == 2 and "did not answer" in mail_body(told[1]),
                "the nominator is mailed the expiry")

        pid3 = nominate(ada, "Ken", "ken@example.org").json()["id"]
        link3, _ = nominee_mail(t, sink, "ken@example.org")
        r = ada.post(f"/api/v1/polls/{pid3}/withdraw")
        t.check(r.status == 200 and r.json()["state"] == "withdrawn",
                "the nominator withdraws while awaiting")
        t.eq(consent_answer(srv, link3, "accept").status, 410, "its link no longer works")


def test_mail_mode_refusals(t):
    with SmtpSink() as sink, mail_server(sink) as srv:
        add_member(srv.data_dir, "ada")
        ada = Client(srv, token=create_token(srv.data_dir, "ada"))
        r = ada.post("/api/v1/polls", {"nominee": "No Mail", "statement": "s",
                                       "nominee_consent": None})
        t.check(r.status == 400 and "email" in r.json()["error"]["message"],
                "mail mode without nominee_email: 400 naming the address")
        r = nominate(ada, "Bad Mail", "not-an-address")
        t.eq(r.status, 400, "a bad address: 400")
        s = member_session(srv, "ada")
        r = post_refused(s, "/polls/new", {"nominee": "Bad Mail", "statement": "Fine work.",
                                           "nominee_email": "not-an-address"})
        t.check(r.posted == 303 and "consent-error" in text(r) and
                'value="not-an-address"' in text(r) and "Fine work." in text(r),
                "the form with a bad address is refused next to it, the address kept to fix")
        r = post_refused(s, "/polls/new", {"nominee": "ada", "statement": "Fine work.",
                                           "nominee_email": "ada.l@example.org"})
        t.check(r.posted == 303 and 'value="ada.l@example.org"' in text(r),
                "refused for the nominee (already a member): the typed address is kept")
        t.check('value="ada.l@example.org"' not in text(page(s, "/polls/new")),
                "... once: a fresh form is empty")


def test_attest(t):
    with Server(args=["--poll-duration", "4"]) as srv:
        add_member(srv.data_dir, "ada", display="Ada Lovelace")
        ada = Client(srv, token=create_token(srv.data_dir, "ada"))
        for body in ({"nominee_consent": None}, {"nominee_consent": "yes"},
                     {"nominee_consent": True}):
            r = ada.post("/api/v1/polls", dict({"nominee": "Grace", "statement": "s"}, **body))
            err = r.json().get("error", {}) if r.status == 400 else {}
            t.check(r.status == 400 and err.get("code") == "invalid_poll" and
                    "consent" in err.get("message", ""),
                    f"attest mode, {body}: 400 invalid_poll naming consent ({r.status} {err})")
        r = ada.post("/api/v1/polls", {"nominee": "Grace", "statement": "s",
                                       "nominee_email": "g@example.org"})
        t.eq(r.status, 400, "attest mode refuses nominee_email")
        s = member_session(srv, "ada")
        r = post_refused(s, "/polls/new", {"nominee": "Grace", "statement": "s",
                                           "nominee_consent": None})
        t.check(r.posted == 303 and "consent-error" in text(r) and "agreed" in text(r),
                "the form without the ticked box is refused, next to the box")
        t.eq(ada.get("/api/v1/polls").json()["polls"], [], "nothing opened")
        pg = text(page(s, "/polls/new"))
        t.check('name="nominee_consent"' in pg and "has agreed to be nominated" in pg and
                "required" in pg, "the form has the required box")
        r = ada.post("/api/v1/polls", {"nominee": "Grace", "statement": "s",
                                       "nominee_consent": "attested"})
        t.eq(r.status, 201, "with the attestation: 201")
        poll = r.json()
        t.check(poll["state"] == "open" and poll["consent"]["kind"] == "attested" and
                poll["consent"]["by"] == "ada" and "consent attested by" in
                poll["consent"]["text"], f"the API says who attested ({poll.get('consent')})")
        pg = text(page(s, f"/polls/{poll['id']}"))
        t.check("consent attested by Ada Lovelace" in pg, "the page: consent attested by X")
        wait_result(srv, poll["id"])
        r = srv.request("GET", f"/polls/{poll['id']}/result")
        t.check(r.status == 200 and "consent attested by Ada Lovelace" in text(r),
                f"the result page says who attested ({r.status})")


def test_option(t):
    srv = Server(args=["--nominee-consent", "mail"])
    try:
        srv.start()
        t.check(False, "--nominee-consent mail without --smtp-url starts")
    except RuntimeError as e:
        t.check("--nominee-consent mail needs --smtp-url" in str(e),
                f"refused at start with a clear message ({str(e)[-160:]!r})")
    finally:
        srv.stop()
    srv = Server(args=["--nominee-consent", "sometimes"])
    try:
        srv.start()
        t.check(False, "a bad --nominee-consent value starts")
    except RuntimeError:
        t.check(True, "a bad --nominee-consent value is refused")
    finally:
        srv.stop()


def test_nominee_result(t):
    """The result goes to the nominee too when the consent's mail gave their
    address (issue 18: "to the roll, the nominee (if an address is known) and
    the nominator"), once, without List-Unsubscribe (they are not a member)."""
    with SmtpSink() as sink, Server(args=mail_args(sink, ["--poll-duration", "8"],
                                                   consent=None)) as srv:
        add_member(srv.data_dir, "ada", display="Ada Lovelace", email="ada@example.org")
        add_member(srv.data_dir, "bob", email="bob@example.org")
        ada = Client(srv, token=create_token(srv.data_dir, "ada"))
        pid = nominate(ada, "Grace Hopper", "grace@example.org").json()["id"]
        link, _ = nominee_mail(t, sink, "grace@example.org")
        t.eq(consent_answer(srv, link, "accept").status, 200, "the nominee accepts")
        work = tempfile.mkdtemp(prefix="conclave-consent-")
        for who in ("ada", "bob"):
            rc, *_ = vote(srv, create_token(srv.data_dir, who), pid, "yes",
                          os.path.join(work, who))
            t.eq(rc, 0, f"{who} votes")
        wait_result(srv, pid)
        got = wait_for(lambda: [m for m in sink.to("grace@example.org")
                                if mail_subject(m).startswith("Result")], timeout=20)
        t.eq(len(got), 1, "the nominee is mailed the result once")
        if got:
            t.check("2" in mail_body(got[0]) and got[0]["List-Unsubscribe"] is None,
                    "with the counts, and no unsubscribe link (not a member)")
        t.eq(len([m for m in sink.to("ada@example.org") if mail_subject(m).startswith("Result")]),
             1, "the nominator, on the roll, is mailed the result once")


if __name__ == "__main__":
    s = Suite("test_consent")
    s.run(test_accept, test_decline_expire_withdraw, test_mail_mode_refusals, test_attest,
          test_option, test_nominee_result)
    s.finish()
