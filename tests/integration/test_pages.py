"""The pages' fixes of issue 15, checked on parsed pages: statements rendered
safely (no raw HTML, no javascript: links, no image from elsewhere, headings
below the page's own; item 14); the result page public after the close, with
"Log in" in the header, and not before (item 16); the nomination form posted
twice creates nothing the second time (item 17); no "Vote" button for members
not on the roll (item 21); the no-JavaScript hint names this server and the
token page (item 23); display names, one UTC time per <time>, the chart's
neutral two-thirds line, hex fields that fit a phone (item 24)."""
import re

from harness import (Server, Suite, member_client, open_poll_form, parse_html,
                     post_form, post_refused, wait_state)

STATEMENT = """# Why Grace

She wrote **the compiler**.

## Her work

<script>alert(1)</script>
<div onclick="alert(2)">raw block</div>

An inline <b onmouseover="alert(3)">tag</b>, [a bad link](javascript:alert(4)),
[a data link](data:text/html,hi) and [a good one](https://example.org/grace).

![tracking pixel](https://tracker.example/pixel.png?who=you)
![](//cdn.example/x.gif)
![local path](/polls/abc)
![a data image](data:image/png;base64,iVBORw0KGgo=)
![our icon](/static/img/favicon.svg)
[![a badge](https://ci.example/badge.svg)](https://ci.example/)
"""


def poll_card(doc, pid):
    """The home page's card of poll PID: the article that links its page."""
    return next((a for a in doc.find_all("article")
                 if a.find("a", href=f"/polls/{pid}") is not None), None)


def statement_checks(t, root, where):
    """The checks of a rendered STATEMENT (root: the parsed statement)."""
    imgs = root.find_all("img")
    t.eq([i.get("src") for i in imgs], ["/static/img/favicon.svg"],
         f"{where}: only our own /static/ image is an image: {[i.get('src') for i in imgs]}")
    t.check(not root.find_all("script") and not root.find_all("div") and not root.find_all("b"),
            f"{where}: no raw HTML element")
    handlers = [k for e in root.iter() for k in e.attrs if k.startswith("on")]
    t.check(not handlers, f"{where}: no event handler attribute: {handlers}")
    hrefs = [a.get("href") for a in root.find_all("a")]
    t.check(all(h.startswith(("https://", "http://", "/", "#", "mailto:")) for h in hrefs),
            f"{where}: only web, mailto and local links: {hrefs}")
    pixel = root.find("a", href="https://tracker.example/pixel.png?who=you")
    t.check(pixel is not None and pixel.text() == "tracking pixel (image)",
            f"{where}: an image from elsewhere becomes a link to it, with its alt text")
    t.check(root.find("a", href="//cdn.example/x.gif") is not None,
            f"{where}: so does a protocol-relative one (text 'image')")
    text = root.text()
    t.check("local path" in text and "a data image" in text and "a bad link" in text,
            f"{where}: other images and bad links keep their text")
    badge = root.find("a", href="https://ci.example/")
    t.check(badge is not None and badge.text() == "a badge" and not badge.find_all("a")[1:],
            f"{where}: an image in a link: its alt text, no link in the link")
    heads = [(e.tag, e.text()) for e in root.iter() if re.match(r"^h[1-6]$", e.tag)]
    t.check(("h3", "Why Grace") in heads and ("h4", "Her work") in heads and
            not any(tag in ("h1", "h2") for tag, txt in heads if txt != "Statement"),
            f"{where}: the statement's headings are below the page's h1/h2: {heads}")


def test_statement(t):
    with Server() as srv:
        ada = member_client(srv, "ada")
        pid = open_poll_form(ada, "Grace", STATEMENT)
        doc = parse_html(ada.get(f"/polls/{pid}").body)
        section = doc.find("section", cls="statement")
        statement_checks(t, section, "the poll page")
        label = section.find("h2")
        t.check(label is not None and "card-label" in label.classes() and
                label.text() == "Statement", "the card's label is a label, apart from them")
        html = ada.get(f"/api/v1/polls/{pid}").json()["statement_html"]
        statement_checks(t, parse_html(html), "the API's statement_html")
        css = open("static/css/site.css").read()
        t.check(re.search(r"\.statement h3[^{]*\{[^}]*text-transform: none", css) is not None,
                "statement headings are styled as body headings, not as card labels")


def test_result_public(t):
    with Server(args=["--poll-duration", "3"]) as srv:
        ada = member_client(srv, "ada")
        member_client(srv, "bob")
        pid = open_poll_form(ada, "Grace")
        r = srv.request("GET", f"/polls/{pid}/result")
        t.check(r.status == 303 and r.header("Location") == f"/login?next=/polls/{pid}/result",
                f"before the close a visitor goes to the login form ({r.status})")
        r = srv.request("GET", "/polls/0123456789abcdef/result")
        t.eq(r.status, 303, "an unknown poll's result too")
        wait_state(ada, pid, "closed")
        r = srv.request("GET", f"/polls/{pid}/result")
        doc = parse_html(r.body)
        t.check(r.status == 200 and doc.find("svg", cls="chart") is not None,
                f"after the close the result page is public ({r.status})")
        login = doc.find("header").find("a", href=f"/login?next=/polls/{pid}/result")
        t.check(login is not None and login.text() == "Log in",
                "its header offers 'Log in' (and back)")
        t.check(doc.find("form", action="/logout") is None and
                doc.find("meta", name="csrf-token") is None, "and nothing of a session")
        r = srv.request("GET", f"/polls/{pid}/result?tracker={'ab' * 32}")
        t.check(r.status == 200 and "Not on the board" in parse_html(r.body).text(),
                "a visitor can look a tracker up")
        for what in ("result", "board"):
            r = srv.request("GET", f"/api/v1/polls/{pid}/{what}")
            t.eq(r.status, 200, f"the API's {what} is public too ({r.status})")
        doc = parse_html(ada.get(f"/polls/{pid}/result").body)
        t.check(doc.find("a", href=f"/login?next=/polls/{pid}/result") is None and
                doc.find("form", action="/logout") is not None,
                "a member sees the usual header")


def test_form_posted_twice(t):
    with Server() as srv:
        ada = member_client(srv, "ada")
        doc = parse_html(ada.get("/polls/new").body)
        once = doc.find("input", name="form_once")
        t.check(once is not None and re.match(r"^[0-9a-f]{32}$", once.get("value", "")),
                "the form carries a one-time token")
        fields = {"nominee": "Grace", "statement": "Yes.", "form_once": once.get("value")}
        r = post_form(ada, "/polls/new", fields)
        t.check(r.status == 303 and r.header("Location").startswith("/polls/"),
                "a nomination answers 303 to the new poll")
        pid = r.header("Location").rsplit("/", 1)[1]
        r = post_refused(ada, "/polls/new", fields)
        doc = parse_html(r.body)
        alert = doc.find(role="alert")
        t.check(r.posted == 303 and r.status == 200 and alert is not None and
                "sent already" in alert.text(),
                f"the same form again (back, send) is refused as sent already ({r.status})")
        t.eq(doc.find("textarea", name="statement").text(), "Yes.", "with the values kept")
        t.eq(len(ada.get("/api/v1/polls").json()["polls"]), 1, "nothing more opened")
        r = post_form(ada, "/polls/new", dict(fields, nominee="Linus", statement="Other."))
        t.eq(r.status, 303, "the same page's form sent with other values opens a poll")
        t.eq(ada.post(f"/api/v1/polls/{r.header('Location').rsplit('/', 1)[1]}/withdraw")
             .status, 200, "(withdrawn again)")

        # an error page reloaded: the same post, after the cause went away
        once = parse_html(ada.get("/polls/new").body).find("input", name="form_once")
        fields = {"nominee": "GRACE", "statement": "Again.", "form_once": once.get("value")}
        r = post_refused(ada, "/polls/new", fields)
        t.check(r.posted == 303 and "already an open poll" in parse_html(r.body).text(),
                "a poll for her is open: refused")
        r = ada.post(f"/api/v1/polls/{pid}/withdraw")
        t.eq(r.status, 200, "the open poll is withdrawn")
        r = post_refused(ada, "/polls/new", fields)
        t.check(r.posted == 303 and "sent already" in parse_html(r.body).text(),
                "sending the refused form again opens nothing")
        polls = ada.get("/api/v1/polls").json()["polls"]
        t.eq([p["state"] for p in polls], ["withdrawn", "withdrawn"], "still no other poll")
        fresh = parse_html(r.body).find("input", name="form_once").get("value")
        r = post_form(ada, "/polls/new", dict(fields, form_once=fresh))
        t.eq(r.status, 303, "the form sent again on purpose opens the poll")


def test_vote_button(t):
    with Server() as srv:
        ada = member_client(srv, "ada")
        pid = open_poll_form(ada, "Grace")
        late = member_client(srv, "late")
        card = poll_card(parse_html(late.get("/").body), pid)
        t.check(card is not None and "Not on the roll" in card.text(), "not on the roll")
        t.check(card is not None and card.find("a", cls="button") is None,
                "and no Vote button beside it")
        card = poll_card(parse_html(ada.get("/").body), pid)
        button = card.find("a", cls="button") if card else None
        t.check(button is not None and button.text() == "Vote" and
                button.get("href") == f"/polls/{pid}", "a member on the roll has one")


def noscript_hint(doc):
    ns = doc.find("noscript")
    return ns, (ns.find("pre", cls="command") if ns else None)


def test_noscript_hint(t):
    with Server() as srv:
        ada = member_client(srv, "ada")
        pid = open_poll_form(ada, "Grace")
        ns, cmd = noscript_hint(parse_html(ada.get(f"/polls/{pid}").body))
        t.check(cmd is not None and
                f"conclave vote --server http://127.0.0.1:{srv.port} {pid} yes" in cmd.text(),
                f"the hint's command names this server and the poll: {cmd.text() if cmd else None}")
        t.check(ns is not None and ns.find("a", href="/account/tokens") is not None,
                "and links the token page")
        r = ada.request("GET", f"/polls/{pid}", headers={"Host": "vote.example.org"})
        _, cmd = noscript_hint(parse_html(r.body))
        t.check(cmd is not None and "--server http://vote.example.org " in cmd.text(),
                "the address the browser used (Host)")
        r = ada.request("GET", f"/polls/{pid}", headers={"Host": "evil.example/<x> y"})
        _, cmd = noscript_hint(parse_html(r.body))
        t.check(cmd is not None and f"--server http://127.0.0.1:{srv.port} " in cmd.text(),
                "a Host that is no host falls back to --listen")
    with Server(args=["--secure-cookies"]) as srv:
        ada = member_client(srv, "ada")
        pid = open_poll_form(ada, "Grace")
        r = ada.request("GET", f"/polls/{pid}", headers={"Host": "vote.example.org"})
        _, cmd = noscript_hint(parse_html(r.body))
        t.check(cmd is not None and "--server https://vote.example.org " in cmd.text(),
                "https behind a TLS proxy (--secure-cookies)")


def times_ok(t, doc, where):
    """Each time once: a <time datetime=ISO> whose text is that time in UTC."""
    times = doc.find_all("time")
    t.check(times, f"{where}: has times")
    for e in times:
        iso = e.get("datetime", "")
        m = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):\d\dZ$", iso)
        t.check(m is not None and e.text().endswith(f"{m.group(4)}:{m.group(5)} UTC")
                and str(int(m.group(3))) in e.text().split(),
                f"{where}: <time datetime={iso}> reads {e.text()!r}")
    t.check(not doc.find_all(cls="local") and
            not any("data-local" in e.attrs for e in doc.iter()) and
            "your time" not in doc.text(), f"{where}: no second copy of a time")


def test_wording_and_layout(t):
    with Server(args=["--poll-duration", "3"]) as srv:
        ada = member_client(srv, "ada", display="Ada Lovelace")
        pid = open_poll_form(ada, "Grace")
        for path in ("/", f"/polls/{pid}"):
            doc = parse_html(ada.get(path).body)
            meta = next((m for m in doc.find_all("p", cls="meta") if "Nominated by" in m.text()),
                        None)
            person = meta.find("span", cls="person") if meta else None
            t.check(person is not None and person.text() == "Ada Lovelace (ada)" and
                    person.find("small", cls="username").text() == "(ada)",
                    f"{path}: nominated by the display name, the username in small text: "
                    f"{person.text() if person else None}")
            times_ok(t, doc, path)
        wait_state(ada, pid, "closed")
        doc = parse_html(ada.get(f"/polls/{pid}/result").body)
        times_ok(t, doc, "the result page")
        svg = doc.find("svg", cls="chart")
        label = svg.find("text", cls="line-label") if svg else None
        t.check(label is not None and label.text() == "\u2154 needed",
                f"the chart's line reads '\u2154 needed': {label.text() if label else None}")
        field = doc.find(id="tracker")
        t.check(field is not None and field.tag == "textarea" and "hex-field" in field.classes(),
                "the tracker field wraps (a textarea of hex)")
        msg = doc.find(cls="signed-message")
        sig = doc.find(cls="hex-block")
        t.check(msg is not None and sig is not None and sig.find("code", id="signature") and
                re.match(r"^[0-9a-f]{128}$", sig.text()) and not msg.find_all(cls="tracker"),
                "the signed message and the signature in blocks of their own")
        r = ada.get(f"/polls/{pid}/result?tracker=" + "AB" * 16 + "%0D%0A" + "ab+" * 16)
        t.check("Not on the board" in parse_html(r.body).text(),
                "a tracker pasted across lines is read")
        css = open("static/css/site.css").read()

        def rule(sel):
            m = re.search(re.escape(sel) + r"\s*\{([^}]*)\}", css)
            return m.group(1) if m else ""
        t.check("break-all" in rule(".hex-field") and "break-all" in rule(".hex-block code"),
                "hex may break anywhere")
        t.check("word-break: normal" in rule(".signed-message code"),
                "the signed message breaks at spaces first")
        t.check("--bad" not in rule(".chart .line") and "dasharray" in rule(".chart .line") and
                "--bad" not in rule(".chart .line-label"),
                "the two-thirds line is neutral and dashed")
        body_px = float(re.search(r"font:\s*(\d+)px", rule("body")).group(1))
        sizes = [float(x) for x in re.findall(r"font-size:\s*(\d+(?:\.\d+)?)px",
                                              rule(".chart text") + rule(".chart .line-label"))]
        max_w = re.search(r"max-width:\s*(\d+)px", rule(".chart "))
        view_w = float(svg.get("viewbox", "0 0 0 0").split()[2]) if svg else 0
        t.check(sizes and max(sizes) <= body_px and max_w and float(max_w.group(1)) <= view_w,
                f"the chart's labels are at most the text's size ({sizes} <= {body_px}, "
                f"drawn at most 1:1)")


def test_duplicate_links_the_poll(t):
    with Server() as srv:
        ada = member_client(srv, "ada")
        pid = open_poll_form(ada, "Grace Hopper")
        r = post_refused(ada, "/polls/new", {"nominee": "grace hopper", "statement": "x"})
        err = parse_html(r.body).find(id="nominee-error")
        t.check(r.status == 200 and err is not None and
                err.text() == "There is already an open poll for Grace Hopper: see that poll." and
                err.find("a", href=f"/polls/{pid}") is not None,
                f"the duplicate-nominee error links the open poll: {err.text() if err else None}")


if __name__ == "__main__":
    s = Suite("test_pages")
    s.run(test_statement, test_result_public, test_form_posted_twice, test_vote_button,
          test_noscript_hint, test_wording_and_layout, test_duplicate_links_the_poll)
    s.finish()
