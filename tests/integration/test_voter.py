"""The voter's commands against the real server: `conclave vote` refuses a
second first vote in one line, takes its ballot to another device with a
change code, sends nothing over plain http:// but to this machine, and
`conclave result` needs no credentials once the poll has closed.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import (BIN, Client, Server, Suite, close_now,  # noqa: E402
                     members_with_tokens, wait_result)

CODE_RE = r"[0-9a-f]{8}(-[0-9a-f]{8}){7}"


def cli(args, token=None, home=None, stdin=None):
    """`conclave ARGS` with TOKEN in $CONCLAVE_TOKEN (None: no token at all);
    returns the CompletedProcess (text)."""
    env = {k: v for k, v in os.environ.items() if k != "CONCLAVE_TOKEN"}
    env.update(HOME=home or tempfile.gettempdir(), XDG_DATA_HOME="")
    if token is not None:
        env["CONCLAVE_TOKEN"] = token
    return subprocess.run([BIN] + args, capture_output=True, text=True, timeout=60, env=env,
                          input=stdin)


def vote(srv, token, pid, choice, state, extra=(), url=None, stdin=None):
    return cli(["vote", "--server", url or f"http://127.0.0.1:{srv.port}", "--state", state,
                pid, choice] + list(extra), token, stdin=stdin)


def print_code(srv, token, pid, state):
    return cli(["vote", "--server", f"http://127.0.0.1:{srv.port}", "--state", state, pid,
                "--print-change-code"], token)


def one_line(p, *words):
    """The command failed with exactly one line on stderr holding WORDS."""
    lines = p.stderr.strip().splitlines()
    return p.returncode == 1 and len(lines) == 1 and all(w in lines[0] for w in words)


def setup(srv, names, nominee):
    tokens = members_with_tokens(srv, names)
    r = Client(srv, token=tokens[names[0]]).post("/api/v1/polls",
                                                 {"nominee": nominee, "statement": "s"})
    return tokens, r.json()["id"]


def cast_count(srv, token, pid):
    return Client(srv, token=token).get(f"/api/v1/polls/{pid}").json()["ballots_cast"]


def test_already_voted(t):
    """A second `conclave vote` without --replace: one clear line, no tracker,
    nothing sent."""
    work = tempfile.mkdtemp(prefix="conclave-voter-")
    try:
        with Server() as srv:
            tokens, pid = setup(srv, ["ivy", "jon"], "Second Vote")
            here = os.path.join(work, "ivy")
            p = vote(srv, tokens["ivy"], pid, "yes", here)
            t.check(p.returncode == 0 and "tracker: " in p.stdout, f"ivy votes ({p.stderr})")
            p = vote(srv, tokens["ivy"], pid, "no", here)
            t.check(p.stderr == f"conclave vote: you have already voted in poll {pid}; to "
                    "change your vote, run this again with --replace\n" and p.returncode == 1,
                    f"again without --replace: exactly one line ({p.stderr!r})")
            t.check("tracker" not in p.stdout, f"and no tracker is printed ({p.stdout!r})")
            p = vote(srv, tokens["ivy"], pid, "no", os.path.join(work, "elsewhere"))
            t.check(one_line(p, "already voted", "--replace", "--change-code-file")
                    and "tracker" not in p.stdout,
                    f"from another state directory: one line naming both ways ({p.stderr!r})")
            t.eq(cast_count(srv, tokens["ivy"], pid), 1, "one ballot cast")
            p = vote(srv, tokens["ivy"], pid, "no", here, ["--replace"])
            t.eq(p.returncode, 0, f"--replace still changes it ({p.stderr})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_plain_http_refused(t):
    """No token or ballot over plain http:// to another host; https:// and
    loopback http:// are tried as before."""
    work = tempfile.mkdtemp(prefix="conclave-voter-")
    try:
        with Server() as srv:
            tokens, pid = setup(srv, ["kai"], "Plain Http")
            logged = srv.log().count("GET /api/v1/polls")
            # 0.0.0.0 reaches this machine's server, but is no loopback address
            for url in (f"http://0.0.0.0:{srv.port}", "http://vote.example.invalid",
                        f"HTTP://0.0.0.0:{srv.port}/"):
                p = vote(srv, tokens["kai"], pid, "yes", work, url=url)
                t.check(one_line(p, "refusing plain http://", "use https://")
                        and "tracker" not in p.stdout,
                        f"vote to {url}: refused in one line ({p.stderr!r})")
                p = cli(["result", "--server", url, pid], tokens["kai"])
                t.check(one_line(p, "refusing plain http://"), f"result to {url}: refused")
            p = vote(srv, tokens["kai"], pid, "yes", work, url=f"ftp://127.0.0.1:{srv.port}")
            t.check(one_line(p, "https://"), f"another scheme is refused ({p.stderr!r})")
            p = vote(srv, tokens["kai"], pid, "yes", work, url="127.0.0.1")
            t.check(one_line(p, "not a URL"), f"no scheme: refused ({p.stderr!r})")
            t.check(srv.log().count("GET /api/v1/polls") == logged and
                    cast_count(srv, tokens["kai"], pid) == 0,
                    "none of them reached the server")
            p = vote(srv, tokens["kai"], pid, "yes", work, url=f"https://127.0.0.1:{srv.port}")
            t.check(p.returncode == 1 and "refusing" not in p.stderr and
                    ("SSL" in p.stderr or "TLS" in p.stderr),
                    f"https:// is tried (this server speaks no TLS: {p.stderr.strip()!r})")
            p = vote(srv, tokens["kai"], pid, "yes", work, url=f"http://[::1]:{srv.port}")
            t.check(p.returncode == 1 and "refusing" not in p.stderr,
                    f"http://[::1] is loopback: tried ({p.stderr.strip()!r})")
            p = vote(srv, tokens["kai"], pid, "yes", work, url=f"http://localhost:{srv.port}")
            t.eq(p.returncode, 0, f"http://localhost works ({p.stderr})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_result_without_token(t):
    """After the close, `conclave result` needs no credentials; before, it
    says the poll is open; with a token it works as before."""
    work = tempfile.mkdtemp(prefix="conclave-voter-")
    try:
        with Server() as srv:
            tokens, pid = setup(srv, ["lea", "max", "ned"], "Public Result")
            for n, c in (("lea", "yes"), ("max", "yes"), ("ned", "no")):
                p = vote(srv, tokens[n], pid, c, os.path.join(work, n))
                t.eq(p.returncode, 0, f"{n} votes")
            url = f"http://127.0.0.1:{srv.port}"
            p = cli(["result", "--server", url, pid])
            t.check(one_line(p, "409 poll_open"), f"open: no result yet ({p.stderr!r})")
            close_now(srv, pid)
            wait_result(srv, pid)
            p = cli(["result", "--server", url, pid])
            t.check(p.returncode == 0 and re.search(r"Promote Public Result +2\n", p.stdout)
                    and re.search(r"Do not promote +1\n", p.stdout)
                    and "ballots: 3 of 4 eligible" in p.stdout and "board ok: 3 ballots"
                    in p.stdout and "passed" in p.stdout,
                    f"closed: the verified result without a token ({p.stdout!r} {p.stderr!r})")
            fp = Client(srv, token=tokens["lea"]).get(f"/api/v1/polls/{pid}").json()["fingerprint"]
            t.check(f"poll fingerprint: {fp}" in p.stdout, "with the poll's fingerprint")
            q = cli(["result", "--server", url, pid], tokens["lea"])
            t.check(q.returncode == 0 and q.stdout == p.stdout,
                    f"with a token: the same ({q.stderr!r})")
            p = cli(["result", "--server", url, "ffffffffffffffff"])
            t.check(one_line(p, "404"), f"no such poll ({p.stderr!r})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_change_code(t):
    """A vote cast with state A is replaced from state B with A's change code;
    A's secret and code stop working; the count at the close is the
    replacement's."""
    work = tempfile.mkdtemp(prefix="conclave-voter-")
    st = {k: os.path.join(work, k) for k in "ABCDE"}
    try:
        with Server() as srv:
            tokens, pid = setup(srv, ["ora", "pia"], "Change Code")
            tok = tokens["ora"]
            p = print_code(srv, tok, pid, st["A"])
            t.check(one_line(p, "no ballot of yours", "kept here"),
                    f"no code before a vote ({p.stderr!r})")
            t.eq(vote(srv, tok, pid, "yes", st["A"]).returncode, 0, "ora votes yes at A")
            p = print_code(srv, tok, pid, st["A"])
            lines = p.stdout.splitlines()
            t.check(p.returncode == 0 and re.fullmatch(CODE_RE, lines[0]) and lines[1] == ""
                    and any("Change Code" in ln for ln in lines) and
                    any("secret" in ln for ln in lines),
                    f"--print-change-code: the code on line 1, then what it is ({p.stdout!r})")
            old_code = lines[0]
            code_file = os.path.join(work, "code.txt")
            with open(code_file, "w") as f:
                f.write(p.stdout)
            p = vote(srv, tok, pid, "no", st["B"], ["--change-code-file", "nonexistent"])
            t.check(one_line(p, "cannot read the change code file"), "a missing file")
            for bad in ("xyz", old_code[:-1], old_code + "0", old_code.replace("-", "g", 1)):
                p = vote(srv, tok, pid, "no", st["B"], ["--change-code", bad])
                t.check(one_line(p, "a change code is 64 hexadecimal digits, in 8 groups of 8")
                        and "tracker" not in p.stdout, f"a bad code {bad!r} ({p.stderr!r})")
            p = vote(srv, tok, pid, "no", st["B"], ["--change-code-file", code_file])
            t.check(p.returncode == 0 and "receipt verified" in p.stdout and
                    "no longer works" in p.stdout,
                    f"from B with the code's file: replaced ({p.stderr!r})")
            t.eq(cast_count(srv, tok, pid), 1, "still one ballot of ora's")
            p = vote(srv, tok, pid, "yes", st["A"], ["--replace"])
            t.check(one_line(p, "none of the secrets kept here"),
                    f"A's secret no longer replaces it ({p.stderr!r})")
            p = vote(srv, tok, pid, "yes", st["C"], ["--change-code", old_code])
            t.check(one_line(p, "the change code is not the one of your counted ballot"),
                    f"nor does the old code ({p.stderr!r})")
            p = print_code(srv, tok, pid, st["B"])
            new_code = p.stdout.splitlines()[0] if p.returncode == 0 else ""
            t.check(re.fullmatch(CODE_RE, new_code) and new_code != old_code,
                    "B keeps the new ballot's code")
            p = vote(srv, tokens["pia"], pid, "yes", st["E"], ["--change-code", new_code])
            t.check(p.returncode == 1 and "not the one of your counted ballot" in p.stderr,
                    f"another member cannot use ora's code ({p.stderr!r})")
            # the code as a person may type it: upper case, spaces, no dashes
            typed = " ".join(new_code.replace("-", "").upper()[i:i + 4] for i in range(0, 64, 4))
            p = vote(srv, tok, pid, "no", st["D"], ["--change-code-file", "-"], stdin=typed + "\n")
            t.eq(p.returncode, 0, f"a typed code from stdin, at D ({p.stderr!r})")
            t.eq(vote(srv, tokens["pia"], pid, "yes", st["E"]).returncode, 0, "pia votes")
            close_now(srv, pid)
            res = wait_result(srv, pid)
            t.check(res["counts"] == [1, 1] and res["ballots"] == 2,
                    f"the close counts ora's replacement: 1 yes, 1 no ({res['counts']})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    suite = Suite("test_voter")
    suite.run(test_already_voted, test_plain_http_refused, test_result_without_token,
              test_change_code)
    suite.finish()
