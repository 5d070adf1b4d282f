"""Outgoing mail against a real SMTP server on loopback (aiosmtpd, started by
the harness): the outbox, the mailer, invitations and password resets; a
server killed after queuing sends once on restart, a server killed right
after the 250 never sends again, an SMTP server away for a while delays mail
and loses none; without --smtp-url nothing is queued and the pages say how
to turn mail on."""
import os
import re
import shutil
import signal
import sqlite3
import tempfile
import time

from harness import (Client, Server, SmtpSink, Suite, TEST_BIN, add_member, create_token,
                     forgot_password, mail_args, mail_body, mail_link, mail_subject, page, run_cli, text,
                     use_link, vote, wait_for, web_login)
from harness import post_form as form


def db(srv):
    return sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"))


def outbox(srv):
    """The outbox's rows: (kind, recipient, attempts, sent, failed, text length)."""
    with db(srv) as c:
        return c.execute("SELECT kind, recipient, attempts, sent_at IS NOT NULL,"
                         " failed_at IS NOT NULL, length(message) FROM outbox ORDER BY id"
                         ).fetchall()


def admin_client(srv):
    pw = add_member(srv.data_dir, "root", admin=True, display="Rosa Root")
    adm = Client(srv)
    adm.login("root", pw)
    return adm


def invite(adm, username, email, display=""):
    return form(adm, "/admin/members", {"action": "add", "username": username,
                                        "display_name": display, "email": email})


def test_mail_off(t):
    with Server() as srv:
        adm = admin_client(srv)
        r = page(adm, "/admin/mail")
        t.check(r.status == 200 and "Mail is off" in text(r) and "--smtp-url" in text(r),
                "/admin/mail says mail is off and how to turn it on")
        r = invite(adm, "dora", "dora@example.org")
        r = page(adm, "/admin/members")
        t.check(re.search(r'id="new-password">[1-9A-HJ-NP-Za-km-z]{20}<', text(r)),
                "without mail, adding a member shows a one-time password")
        t.check("--smtp-url" in text(r), "the roster says how to invite by mail")
        t.eq(outbox(srv), [], "nothing queued without --smtp-url")
        r = srv.request("GET", "/login")
        t.check("/forgot-password" not in text(r), "no 'Forgot your password?' without mail")
        r = srv.request("GET", "/forgot-password")
        t.check(r.status == 200 and "sends no mail" in text(r),
                "/forgot-password says the server sends no mail")
        t.eq(forgot_password(srv, "dora").status, 409, "a reset cannot be asked for")
        t.check("mail is off" in srv.log(), "the log says mail is off at the start")
        r = adm.post("/api/v1/polls", {"nominee": "Una Uno", "statement": "Yes."})
        t.eq(r.status, 201, "a poll opens")
        time.sleep(1)
        t.eq(outbox(srv), [], "nothing is queued")
        with db(srv) as c:
            t.eq(c.execute("SELECT announced_at FROM polls").fetchall(), [(None,)],
                 "nor written: the poll's notice is not marked")
        with SmtpSink() as sink:
            srv.stop()
            srv.args = mail_args(sink)
            srv.start()
            run_cli(["user", "add", "vic", "--email", "vic@example.org"], srv.data_dir)
            t.eq(sink.wait(1), 1, "with mail turned on, vic's invitation is sent")
            time.sleep(1.5)
            t.eq([mail_subject(m) for (_, _, m) in sink.messages],
                 ["Your invitation to Conclave"],
                 "and the poll opened while mail was off is not announced: no old news")


def test_invitation(t):
    with SmtpSink() as sink, Server(args=mail_args(sink)) as srv:
        adm = admin_client(srv)
        r = invite(adm, "dora", "dora@example.org", "Dora Dee")
        t.eq(r.status, 303, "the member is added")
        r = page(adm, "/admin/members")
        t.check('id="new-password"' not in text(r), "no one-time password is shown")
        t.check("invited by mail to dora@example.org" in text(r), "the page says who was invited")
        t.eq(sink.wait(1), 1, "one mail arrives")
        mails = sink.to("dora@example.org")
        t.eq(len(mails), 1, "to dora's address")
        if not mails:
            return
        msg = mails[0]
        t.eq(msg["To"], "<dora@example.org>", "To")
        t.check("conclave@example.org" in msg["From"], "From is --mail-from")
        t.check(msg["Message-ID"] and msg["Message-ID"].endswith("@example.org>"), "a Message-ID")
        t.check(msg["Date"] and msg["Date"].endswith("+0000"), "a Date")
        t.check(msg["List-Unsubscribe"] is None, "an invitation has no List-Unsubscribe")
        t.eq(msg.get_content_type(), "text/plain", "plain text")
        body = mail_body(msg)
        link = mail_link(msg)
        t.check(link and f"https://vote.example.org/set-password?link={link}" in body,
                "the link is made of --public-url")
        t.check("Dora Dee" in body and "dora" in body, "the mail names the member")
        rows = wait_for(lambda: outbox(srv), done=lambda rs: rs and rs[0][3] == 1, timeout=10)
        t.eq([r[:5] for r in rows], [("invitation", "dora@example.org", 0, 1, 0)],
             "the outbox row is marked sent")
        t.eq(outbox(srv)[0][5], 0, "a sent mail's text (with its link) is erased")
        with db(srv) as c:
            det = c.execute("SELECT detail FROM audit_log WHERE action = 'member added'"
                            " AND subject = 'dora'").fetchone()
        t.check(det and "invitation sent by mail" in det[0], "the audit log says so")
        # the admin sends a new one: the first link stops working
        r = form(adm, "/admin/members", {"action": "invite", "username": "dora"})
        t.check("A new invitation was mailed" in text(page(adm, "/admin/members")),
                "resend: the page says it was mailed")
        t.eq(sink.wait(2), 2, "a second invitation arrives")
        link2 = mail_link(sink.to("dora@example.org")[-1])
        t.check(link2 and link2 != link, "with a new link")
        t.eq(srv.request("GET", "/set-password?link=" + link).status, 410,
             "the older link no longer works")
        r = use_link(srv, link2, "dora-own-password")
        t.check(r.status == 303 and r.header("Location") == "/account",
                f"the new link sets the password and logs in ({r.status})")
        t.eq(Client(srv).login("dora", "dora-own-password").status, 200, "dora logs in")
        t.eq(srv.request("GET", "/set-password?link=" + link2).status, 410, "the link works once")
        r = form(adm, "/admin/members", {"action": "invite", "username": "dora"})
        t.check("has chosen a password" in text(page(adm, "/admin/members")),
                "no invitation for a member with a password of their own")
        # an import invites the new members with an address, in its transaction
        r = form(adm, "/admin/members", {"action": "add", "username": "nomail"})
        t.check(re.search(r'id="new-password">', text(page(adm, "/admin/members"))),
                "without an address, a one-time password is shown even with mail on")
        r = page(adm, "/admin/mail")
        t.check(r.status == 200 and "Mail is on" in text(r) and "dora@example.org" in text(r)
                and "link=" not in text(r), "/admin/mail lists the mails, not their text")


def test_reset(t):
    with SmtpSink() as sink, Server(args=mail_args(sink)) as srv:
        add_member(srv.data_dir, "erin")
        rc, out, err = run_cli(["user", "import", "-"], srv.data_dir,
                               stdin="fay,Fay Fox,fay@example.org\n")
        t.eq(rc, 0, "fay imported with an address")
        r = srv.request("GET", "/login")
        t.check('href="/forgot-password"' in text(r), "the login page offers the reset")
        t.eq(sink.wait(1), 1, "fay's invitation (imported with mail on)")
        r = forgot_password(srv, "fay")
        t.check(r.status == 303 and r.header("Location") == "/forgot-password?sent=1",
                f"a known username: redirect ({r.status})")
        same = text(srv.request("GET", r.header("Location")))
        t.eq(sink.wait(2), 2, "a reset mail arrives")
        msg = sink.to("fay@example.org")[-1] if sink.to("fay@example.org") else None
        t.check(msg and "Reset" in msg["Subject"] and mail_link(msg), "with a link")
        for who in ("nobody", "nobody@example.org", "erin"):
            r = forgot_password(srv, who, source="127.0.0.2")
            t.check(r.status == 303 and r.header("Location") == "/forgot-password?sent=1",
                    f"{who}: the same answer")
        t.eq(text(srv.request("GET", "/forgot-password?sent=1")), same, "the same page")
        r = forgot_password(srv, "FAY@example.org", source="127.0.0.3")
        t.eq(r.status, 303, "by address, any case")
        time.sleep(2)
        t.eq(sink.count(), 2, "no mail for unknown names, none twice to fay within 2 minutes")
        with db(srv) as c:
            c.execute("UPDATE password_links SET expires_at = 1")
        t.eq(srv.request("GET", "/set-password?link=" + mail_link(msg)).status, 410,
             "an expired reset link is refused")
        statuses = [forgot_password(srv, "x", source="127.0.0.4").status for _ in range(6)]
        t.eq(statuses[:5], [303] * 5, "five requests a quarter hour from one address")
        t.eq(statuses[5], 429, "then 429")


def test_reset_link_ttl(t):
    with SmtpSink() as sink, Server(args=mail_args(sink)) as srv:
        run_cli(["user", "import", "-"], srv.data_dir, stdin="gil,Gil,gil@example.org\n")
        t.eq(sink.wait(1), 1, "gil's invitation")
        forgot_password(srv, "gil")
        t.eq(sink.wait(2), 2, "a reset mail")
        with db(srv) as c:
            row = c.execute("SELECT expires_at - created_at FROM password_links").fetchone()
        t.eq(row and row[0], 15 * 60, "a reset link lasts 15 minutes (it replaced the invitation's)")
        reset = [m for m in sink.to("gil@example.org") if "Reset" in mail_subject(m)]
        link = mail_link(reset[0]) if reset else None
        invitation = mail_link(sink.to("gil@example.org")[0])
        t.eq(srv.request("GET", "/set-password?link=" + invitation).status, 410,
             "the invitation's link no longer works")
        r = use_link(srv, link, "gil-new-password")
        t.eq(r.status, 303, "it sets the password")
        t.eq(Client(srv).login("gil", "gil-new-password").status, 200, "gil logs in")
        t.check(use_link(srv, link, "gil-other-password").status != 303, "a second use ...")
        t.eq(Client(srv).login("gil", "gil-other-password").status, 401, "... changes nothing")


def test_crash_before_send(t):
    """Queued, then the server is killed before the mailer sends: the restart
    sends it, once."""
    with SmtpSink() as sink:
        srv = Server(args=mail_args(sink), binary=TEST_BIN)
        try:
            srv.start(env={"CONCLAVE_TEST_MAIL_HOLD": "1"})
            adm = admin_client(srv)
            t.eq(invite(adm, "hal", "hal@example.org").status, 303, "hal added")
            time.sleep(1.5)
            t.eq(sink.count(), 0, "held: nothing sent")
            srv.stop(signal.SIGKILL)
            t.eq([r[:4] for r in outbox(srv)], [("invitation", "hal@example.org", 0, 0)],
                 "the mail is in the outbox after the kill")
            srv.start()
            t.eq(sink.wait(1), 1, "sent after the restart")
            time.sleep(2.5)
            t.eq(len(sink.to("hal@example.org")), 1, "once")
        finally:
            srv.cleanup()


def test_crash_after_250(t):
    """The server dies right after the 250 (the mail marked sent, before QUIT):
    a restart never sends it again."""
    with SmtpSink() as sink:
        srv = Server(args=mail_args(sink), binary=TEST_BIN)
        try:
            srv.start(env={"CONCLAVE_TEST_MAIL_EXIT_AFTER_SENT": "1"})
            adm = admin_client(srv)
            try:
                invite(adm, "ida", "ida@example.org")
            except OSError:
                pass        # the hook may end the server before it answers the post
            t.eq(wait_for(lambda: srv.proc.poll(), timeout=20), 3,
                 "the test hook ended the server after the mail was marked sent")
            srv.proc = None
            t.eq(sink.count(), 1, "the mail arrived")
            srv.start()
            time.sleep(3)
            t.eq(len(sink.to("ida@example.org")), 1, "not sent again after the restart")
            t.eq([r[:4] for r in outbox(srv)], [("invitation", "ida@example.org", 0, 1)], "sent")
        finally:
            srv.cleanup()


def test_smtp_down(t):
    """The SMTP server is away: the mail waits, is retried with a pause,
    failures are shown to admins and logged without secrets, and it arrives
    once the server is back: none lost, none twice."""
    sink = SmtpSink()
    srv = Server(args=mail_args(sink, ["--smtp-user", "conclave", "--smtp-password-file",
                                       "PWFILE"]), binary=TEST_BIN)
    pwfile = os.path.join(srv.data_dir, "smtp-password")
    with open(pwfile, "w") as f:
        f.write("smtp-secret-Zq9\n")
    os.chmod(pwfile, 0o600)
    srv.args[srv.args.index("PWFILE")] = pwfile
    try:
        srv.start(env={"CONCLAVE_TEST_MAIL_BACKOFF": "1"})
        adm = admin_client(srv)
        for n in ("jo", "kai", "lou"):
            invite(adm, n, f"{n}@example.org")
        rows = wait_for(lambda: outbox(srv), timeout=20,
                        done=lambda rs: len(rs) == 3 and all(r[2] >= 2 for r in rs))
        t.check(len(rows) == 3 and all(r[2] >= 2 and not r[3] for r in rows),
                f"each mail was tried again and is still waiting ({rows})")
        r = page(adm, "/admin/mail")
        t.check("retrying" in text(r) and "connect" in text(r).lower(),
                "/admin/mail shows the failures and why")
        log = srv.log()
        t.check("not sent (attempt" in log, "failures are logged")
        t.check("smtp-secret-Zq9" not in log and "link=" not in log,
                "the log holds neither the SMTP password nor a link")
        sink.start()
        t.eq(sink.wait(3, timeout=60), 3, "all three arrive once the SMTP server is back")
        time.sleep(2.5)
        t.eq(sorted(rc for (_, rcpt, _) in sink.messages for rc in rcpt),
             ["jo@example.org", "kai@example.org", "lou@example.org"], "none lost, none twice")
    finally:
        sink.stop()
        srv.cleanup()


def mail_member(srv, name, email=None):
    """Adds member NAME (with EMAIL if given) with the CLI; returns a Client
    logged in as them and their API token."""
    args = ["user", "add", name, "--password-stdin"] + (["--email", email] if email else [])
    rc, out, err = run_cli(args, srv.data_dir, stdin=name + "-password-123\n")
    assert rc == 0, err
    c = Client(srv)
    c.login(name, name + "-password-123")
    return c, create_token(srv.data_dir, name)


def test_notices(t):
    """A poll opened (to the roll), the reminder (to those on the roll who
    have not voted), the result (to the roll and the nominator): right
    recipients, notices off respected, and no mail carries a ballot, a
    tracker or a choice."""
    with SmtpSink() as sink:
        srv = Server(args=mail_args(sink, ["--poll-duration", "14"]), binary=TEST_BIN)
        home = tempfile.mkdtemp(prefix="conclave-mail-home-")
        try:
            srv.start(env={"CONCLAVE_TEST_REMINDER_SECONDS": "7"})
            ann, ann_tok = mail_member(srv, "ann", "ann@example.org")
            bob, _ = mail_member(srv, "bob", "bob@example.org")
            cy, _ = mail_member(srv, "cy", "cy@example.org")
            mail_member(srv, "dee")
            r, bobweb = web_login(srv, "bob", "bob-password-123")
            r = form(bobweb, "/account/notices", {"notices": "off"})
            t.check(r.status == 303 and "turned the\npoll notices off" in
                    text(page(bobweb, "/account")), "bob turns the notices off")
            r = ann.post("/api/v1/polls", {"nominee": "Zoë Quinn", "statement": "Great **work**."})
            t.eq(r.status, 201, "ann opens a poll")
            pid = r.json()["id"]
            rc, tracker, receipt, err = vote(srv, ann_tok, pid, "yes", home)
            t.eq(rc, 0, f"ann votes ({err.strip()[:200]})")
            opened = wait_for(lambda: [m for (_, _, m) in sink.messages
                                       if mail_subject(m).startswith("New poll")],
                              done=lambda ms: len(ms) >= 2, timeout=10)
            t.eq(sorted(m["To"] for m in opened), ["<ann@example.org>", "<cy@example.org>"],
                 "'poll opened' to the roll with addresses, not to bob (notices off)")
            if opened:
                t.eq(mail_subject(opened[0]), "New poll: Zoë Quinn", "the subject, UTF-8")
                body = mail_body(opened[0])
                t.check("Zoë Quinn" in body and "Great **work**." in body and
                        f"https://vote.example.org/polls/{pid}" in body,
                        "it names the nominee, gives the statement and the link")
                t.check(opened[0]["List-Unsubscribe"] == "<https://vote.example.org/account>",
                        "a notice has List-Unsubscribe")
            wait_for(lambda: [m for (_, _, m) in sink.messages
                              if mail_subject(m).startswith("Closing soon")], timeout=15)
            time.sleep(1)
            rem = [m for (_, _, m) in sink.messages if mail_subject(m).startswith("Closing soon")]
            t.eq([m["To"] for m in rem], ["<cy@example.org>"],
                 "the reminder goes to cy alone (ann voted, bob turned notices off)")
            res = wait_for(lambda: [m for (_, _, m) in sink.messages
                                    if mail_subject(m).startswith("Result")],
                           done=lambda ms: len(ms) >= 2, timeout=40)
            t.eq(sorted(m["To"] for m in res), ["<ann@example.org>", "<cy@example.org>"],
                 "the result to the roll (the nominator ann among them)")
            if res:
                body = mail_body(res[0])
                t.check("Promote: 1" in body and "Do not promote: 0" in body and
                        "passed" in body and f"/polls/{pid}/result" in body and
                        f"/api/v1/polls/{pid}/board" in body,
                        "the result mail gives the counts, the outcome and the links")
            every = "\n".join(str(m) for (_, _, m) in sink.messages)
            t.check(tracker and tracker not in every, "no mail carries the tracker")
            t.check(receipt and receipt not in every, "nor the receipt")
            t.check(not re.search(r"\b(rho|ρ|ballot secret|change code|you voted|voted for)\b",
                                  every, re.I), "nor a rho nor who voted how")
            time.sleep(1.5)
            t.eq(len(sink.messages), 5, "five mails in all: none twice")

        finally:
            shutil.rmtree(home, ignore_errors=True)
            srv.cleanup()


def test_next_steps(t):
    """After a pass, the nominator and the admins get the next steps an admin
    wrote on /admin/mail (audited); nothing without a text."""
    with SmtpSink() as sink, Server(args=mail_args(sink, ["--poll-duration", "8",
                                                          "--reminder-hours", "0"])) as srv:
        run_cli(["user", "add", "zed", "--admin", "--email", "zed@example.org",
                 "--password-stdin"], srv.data_dir, stdin="zed-password-123\n")
        r, zed = web_login(srv, "zed", "zed-password-123")
        r = form(zed, "/admin/mail", {"next_steps": "1. Add them to @core.\n2. Welcome post."})
        t.eq(r.status, 303, "the admin saves the next steps")
        r = page(zed, "/admin/mail")
        t.check("Add them to @core." in text(r) and "the next steps are mailed" in text(r),
                "the page shows them, and says it was saved")
        with db(srv) as c:
            t.eq(c.execute("SELECT actor, detail FROM audit_log WHERE action = 'next steps set'"
                           ).fetchall(), [("zed", "mailed after a pass")], "audited")
        amy, amy_tok = mail_member(srv, "amy", "amy@example.org")
        r = amy.post("/api/v1/polls", {"nominee": "Kit Kim", "statement": "Yes."})
        pid = r.json()["id"]
        home = tempfile.mkdtemp(prefix="conclave-mail-home-")
        try:
            t.eq(vote(srv, amy_tok, pid, "yes", home)[0], 0, "amy votes yes")
        finally:
            shutil.rmtree(home, ignore_errors=True)
        nxt = wait_for(lambda: [m for (_, _, m) in sink.messages
                                if mail_subject(m).startswith("Next steps")],
                       done=lambda ms: len(ms) >= 2, timeout=40)
        t.eq(sorted(m["To"] for m in nxt), ["<amy@example.org>", "<zed@example.org>"],
             "the next steps go to the nominator and the admin")
        t.check(nxt and "Add them to @core." in mail_body(nxt[0]) and "Kit Kim" in
                mail_body(nxt[0]), "with the admin's text and the nominee")
        time.sleep(1.5)
        t.eq(len([m for (_, _, m) in sink.messages
                  if mail_subject(m).startswith("Next steps")]), 2, "once each")


def test_cli_mail(t):
    """The admin commands beside a server with mail invite by mail as the
    pages do (the server's mailer sends what they queue); beside one without,
    they print passwords and links as before."""
    with SmtpSink() as sink, Server(args=mail_args(sink)) as srv:
        rc, out, err = run_cli(["user", "add", "mo", "--email", "mo@example.org"], srv.data_dir)
        t.check(rc == 0 and out == "" and "invited by mail to mo@example.org" in err,
                f"user add --email: invited by mail, no password printed ({rc}, {out!r})")
        t.eq(sink.wait(1), 1, "the running server sends the invitation")
        link = mail_link(sink.to("mo@example.org")[0]) if sink.to("mo@example.org") else None
        t.check(link and use_link(srv, link, "mo-own-password").status == 303,
                "its link sets mo's password")
        rc, out, err = run_cli(["user", "import", "-"], srv.data_dir,
                               stdin="nia,Nia,nia@example.org\nole,Ole,\n")
        t.check(rc == 0 and "invited by mail" in err, "user import: new members invited")
        t.eq(sink.wait(2), 2, "nia's invitation arrives")
        t.eq(len(sink.to("nia@example.org")), 1, "to nia")
        rc, out, err = run_cli(["user", "invite", "nia"], srv.data_dir)
        t.check(rc == 0 and out == "" and "mailed to nia@example.org" in err,
                "user invite: mailed")
        t.eq(sink.wait(3), 3, "a new invitation arrives")
        rc, out, err = run_cli(["user", "invite", "ole"], srv.data_dir)
        t.check(rc == 0 and "/set-password?link=" in out, "no address: the link is printed")
        rc, out, err = run_cli(["user", "invite", "nia", "--print"], srv.data_dir)
        t.check(rc == 0 and "/set-password?link=" in out, "--print: printed all the same")
        srv.stop()
        srv.args = []
        srv.start()
        rc, out, err = run_cli(["user", "add", "pia", "--email", "pia@example.org"], srv.data_dir)
        t.check(rc == 0 and re.fullmatch(r"[1-9A-HJ-NP-Za-km-z]{20}\n", out),
                "beside a server without mail: a one-time password, as before")
        time.sleep(1.5)
        t.eq(sink.count(), 3, "and nothing more is mailed")


def test_options(t):
    for args, want in ((["--smtp-url", "http://x"], "--smtp-url"),
                       (["--smtp-url", "smtp://127.0.0.1:25"], "--mail-from"),
                       (["--mail-from", "a@b.c"], "need --smtp-url"),
                       (["--smtp-url", "smtp://127.0.0.1:25", "--mail-from", "a@b.c",
                         "--public-url", "https://x", "--smtp-user", "u"], "go together")):
        rc, out, err = run_cli(["serve"] + args)
        t.check(rc == 2 and want in err, f"serve {' '.join(args)}: exit 2 naming {want} "
                f"({rc}, {err.strip()[:120]})")
    with SmtpSink() as sink:
        srv = Server(args=mail_args(sink, ["--smtp-user", "u", "--smtp-password-file",
                                           "/etc/hostname"]))
        try:
            try:
                srv.start(timeout=5)
                started = True
            except RuntimeError:
                started = False
            t.check(not started and "chmod 600" in srv.log(),
                    "a password file others can read is refused")
        finally:
            srv.cleanup()


if __name__ == "__main__":
    s = Suite("test_mail")
    s.run(test_options, test_mail_off, test_invitation, test_reset, test_reset_link_ttl,
          test_crash_before_send, test_crash_after_250, test_smtp_down, test_notices,
          test_cli_mail, test_next_steps)
    s.finish()
