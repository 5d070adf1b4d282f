"""Shared helpers of the integration tests: a counting harness, the real
`conclave` binary started on a free loopback port with a temporary data
directory, an HTTP client that keeps the session cookie and CSRF token, and a
runner for the CLI. Python 3 standard library only.

The binary is $CONCLAVE_BIN (default ./conclave); a test that needs a test
hook (CONCLAVE_TEST_* variables) starts the test build $CONCLAVE_TEST_BIN
(default: $CONCLAVE_BIN-test, made by `make check-tests`), as
Server(binary=TEST_BIN): the production binary has no hooks. Tests run from
the project's root. Pages are checked by parsing them (parse_html), not by
matching whole pages.
"""
import html.parser
import http.client
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

BIN = os.environ.get("CONCLAVE_BIN", "./conclave")
TEST_BIN = os.environ.get("CONCLAVE_TEST_BIN", BIN + "-test")
VECTORS = os.path.join(os.path.dirname(__file__), "..", "vectors")


class Suite:
    """Counts checks; finish() prints '<name>: N passed, N failed' and exits."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, cond, what):
        """Counts COND as a pass or a failure (printed with WHAT and the
        caller's line); returns COND."""
        if cond:
            self.passed += 1
        else:
            self._fail(what)
        return cond

    def eq(self, got, want, what):
        """Checks GOT == WANT; a failure prints what came and what was
        expected: "FAIL test_x.py:42: WHAT: got 404, want 200". Returns
        whether they were equal."""
        if got == want:
            self.passed += 1
            return True
        self._fail(f"{what}: got {_short(got)}, want {_short(want)}")
        return False

    def _fail(self, what):
        self.failed += 1
        frame = traceback.extract_stack(limit=3)[0]     # the caller of check or eq
        print(f"FAIL {os.path.basename(frame.filename)}:{frame.lineno}: {what}",
              file=sys.stderr, flush=True)

    def run(self, *tests):
        """Runs each test function; an exception counts as one failure."""
        for t in tests:
            try:
                t(self)
            except Exception:  # noqa: BLE001 - a crashing test is a failure
                self.failed += 1
                print(f"FAIL {t.__name__} raised:", file=sys.stderr)
                traceback.print_exc()

    def finish(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed", flush=True)
        sys.exit(1 if self.failed else 0)


def _short(v, limit=300):
    """repr(V), cut to LIMIT characters."""
    r = repr(v)
    return r if len(r) <= limit else r[:limit] + f"... ({len(r)} characters)"


def wait_for(fn, timeout=30, interval=0.2, done=bool):
    """Calls FN every INTERVAL seconds until DONE(its value) is true (by
    default: until the value is) or TIMEOUT seconds have passed; returns the
    last value, which the caller checks."""
    deadline = time.time() + timeout
    while True:
        v = fn()
        if done(v) or time.time() >= deadline:
            return v
        time.sleep(interval)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vote_command(srv, token, poll_id, choice, home, replace=False, port=None, extra=()):
    """The argv and environment of `conclave vote` (to PORT if given), its
    secrets under HOME; TOKEN None leaves the token to EXTRA options or to a
    CONCLAVE_TOKEN the caller puts in the environment."""
    args = [BIN, "vote", "--server", f"http://127.0.0.1:{port or srv.port}"]
    args += (["--token", token] if token is not None else []) + list(extra)
    args += [poll_id, choice] + (["--replace"] if replace else [])
    env = dict(os.environ, HOME=home, XDG_DATA_HOME="")
    env.pop("CONCLAVE_TOKEN", None)
    return args, env


def vote(srv, token, poll_id, choice, home, replace=False, port=None):
    """`conclave vote` (to PORT if given); returns (exit code, tracker, receipt, stderr)."""
    args, env = vote_command(srv, token, poll_id, choice, home, replace, port)
    p = subprocess.run(args, capture_output=True, text=True, timeout=60, env=env)
    tracker = receipt = None
    for line in p.stdout.splitlines():
        if line.startswith("tracker: "):
            tracker = line.split()[1]
        if line.startswith("receipt: "):
            receipt = line.split()[1]
    return p.returncode, tracker, receipt, p.stderr


def run_cli(args, data_dir=None, stdin=None, timeout=60, env=None, binary=None):
    """Runs `conclave ARGS [--data DIR]` (BINARY: another build, e.g. TEST_BIN;
    ENV: extra environment variables); returns (exit code, stdout, stderr)."""
    argv = [binary or BIN] + list(args)
    if data_dir is not None:
        argv += ["--data", data_dir]
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, **env) if env else None)
    return p.returncode, p.stdout, p.stderr


def trustee_cli(srv, args, home, token, env=None, binary=None, timeout=120):
    """`conclave trustee ARGS` as a trustee on its own machine: HOME is its own
    directory (the key file goes to HOME/.config/conclave/), TOKEN its API
    token (in $CONCLAVE_TOKEN); ARGS may hold "{server}", replaced by SRV's
    URL. Returns (exit code, stdout, stderr)."""
    url = f"http://127.0.0.1:{srv.port}"
    argv = [binary or BIN, "trustee"] + [a.replace("{server}", url) for a in args]
    e = dict(os.environ, HOME=home, CONCLAVE_TOKEN=token)
    e.pop("XDG_CONFIG_HOME", None)
    e.update(env or {})
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=e)
    return p.returncode, p.stdout, p.stderr


def trustee_key_path(home, council):
    """Where `conclave trustee` keeps a trustee's key file under HOME."""
    return os.path.join(home, ".config", "conclave", f"trustee-{council}.json")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers      # list of (name, value)
        self.body = body            # bytes

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def headers_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body) if self.body else None

    def error_code(self):
        try:
            return self.json()["error"]["code"]
        except (ValueError, TypeError, KeyError):
            return None


class Server:
    """A real `conclave serve` on 127.0.0.1:<free port> over a temp data dir."""

    def __init__(self, data_dir=None, args=(), binary=None):
        self.binary = binary or BIN
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="conclave-test-")
        self.args = list(args)
        self.port = None
        self.proc = None
        self.log_path = None
        self.admin_password = None

    def start(self, timeout=20, env=None, port=None):
        """Starts the server; ENV: extra environment variables for this start only;
        PORT: the port to listen on (default: a free one)."""
        self.port = port or free_port()
        self.log_path = os.path.join(self.data_dir, f"server-{self.port}.log")
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--data", self.data_dir, "--listen", f"127.0.0.1:{self.port}"]
            + self.args, stdout=log, stderr=subprocess.STDOUT,
            env=dict(os.environ, **env) if env else None)
        log.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}:\n{self.log()}")
            try:
                if self.request("GET", "/healthz").status == 200:
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("server did not come up:\n" + self.log())
        m = re.search(r"one-time password\s+(\S+)", self.log())
        if m and self.admin_password is None:
            self.admin_password = m.group(1)
        return self

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def request(self, method, path, body=None, headers=None, timeout=30, source=None):
        """One request on a new connection. body: dict/list (JSON), str or bytes.
        SOURCE: the client's own address (another loopback address, e.g.
        "127.0.0.2": all of 127/8 is this machine, so the server sees another
        client)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(source, 0) if source else None)
        if method == "POST" and path == "/api/v1/polls":
            body = with_consent(body)
        try:
            hdrs = dict(headers or {})
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
                hdrs.setdefault("Content-Type", "application/json")
            elif isinstance(body, str):
                body = body.encode()
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Sends SIG and waits; returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        return rc

    def cleanup(self):
        self.stop()
        if os.environ.get("CONCLAVE_KEEP_LOGS") and self.log_path:
            shutil.copy(self.log_path, os.environ["CONCLAVE_KEEP_LOGS"])
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


# The nominee's consent (issue 18), in the one place every test opens polls
# through: a nomination (POST /api/v1/polls, the form /polls/new) without
# "nominee_consent" or "nominee_email" gets "nominee_consent": "attested",
# as a server in attest mode (without mail, the default) requires. A test
# that checks the refusal without it gives "nominee_consent": None, which
# is then left out; one in mail mode gives "nominee_email".
CONSENT = {"nominee_consent": "attested"}


def with_consent(body):
    """BODY (a dict) with the attested consent added, as described above."""
    if not isinstance(body, dict):
        return body
    body = dict(body)
    if body.get("nominee_consent", "") is None:
        del body["nominee_consent"]
    elif "nominee_consent" not in body and "nominee_email" not in body:
        body.update(CONSENT)
    return body


class Client:
    """A member's client: keeps the session cookie and CSRF token, or a token;
    SOURCE: the loopback address it connects from (Server.request)."""

    def __init__(self, server, token=None, source=None):
        self.server = server
        self.cookie = None
        self.csrf = None
        self.token = token
        self.source = source
        self.cookie_name = "conclave_session"   # "__Host-conclave_session" with --secure-cookies

    def login(self, username, password):
        r = self.server.request("POST", "/api/v1/session",
                                {"username": username, "password": password},
                                source=self.source)
        if r.status == 200:
            m = re.match(r"((?:__Host-)?conclave_session)=([^;]*)", r.header("Set-Cookie") or "")
            self.cookie_name = m.group(1) if m else "conclave_session"
            self.cookie = m.group(2) if m else None
            self.csrf = r.json()["csrf_token"]
        return r

    def request(self, method, path, body=None, csrf=True, headers=None):
        hdrs = dict(headers or {})
        if self.token:
            hdrs["Authorization"] = "Bearer " + self.token
        if self.cookie:
            hdrs["Cookie"] = f"{self.cookie_name}={self.cookie}"
            if csrf and method not in ("GET", "HEAD"):
                hdrs["X-CSRF-Token"] = self.csrf
        return self.server.request(method, path, body, hdrs, source=self.source)

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)


class LossyProxy:
    """A loopback HTTP proxy in front of SERVER that can lose answers: after
    drop_next_post(), the next POST is forwarded and done by the server, but
    its client's connection is closed without the answer (a network failure
    after the server acted); drop_next_post(502) answers a gateway error
    instead. rewrite maps a requested path to the one forwarded (a server
    that answers for another poll). Every answer it passes says Connection: close.
    seen lists the (method, path) of every request, in order (which routes a
    client used)."""

    def __init__(self, server):
        self.server = server
        self.drops = []             # per POST to come: None (cut) or a status
        self.dropped = 0
        self.seen = []
        self.rewrite = {}
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def drop_next_post(self, status=None):
        self.drops.append(status)

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        with conn:
            f = conn.makefile("rb")
            line = f.readline().decode("latin-1").split()
            if len(line) < 2:
                return
            headers = {}
            for h in iter(f.readline, b"\r\n"):
                k, _, v = h.decode("latin-1").partition(":")
                headers[k.strip().lower()] = v.strip()
            body = f.read(int(headers.get("content-length", "0")))
            self.seen.append((line[0], line[1]))
            fwd = {k: v for k, v in headers.items() if k in ("authorization", "content-type")}
            r = self.server.request(line[0], self.rewrite.get(line[1], line[1]), body or None, fwd)
            if line[0] == "POST" and self.drops:
                status = self.drops.pop(0)
                self.dropped += 1
                if status is not None:  # the server acted; the client hears an error
                    page = b"<html><body>Bad Gateway</body></html>"
                    conn.sendall(f"HTTP/1.1 {status} Bad Gateway\r\nContent-Type: text/html\r\n"
                                 f"Content-Length: {len(page)}\r\nConnection: close\r\n\r\n"
                                 .encode("latin-1") + page)
                return                  # or nothing at all
            head = f"HTTP/1.1 {r.status} X\r\nContent-Length: {len(r.body)}\r\n"
            for k, v in r.headers:
                if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                    head += f"{k}: {v}\r\n"
            conn.sendall((head + "Connection: close\r\n\r\n").encode("latin-1") + r.body)

    def close(self):
        self.sock.close()


def close_now(srv, pid):
    """Moves the poll's deadline to now, as if its week had passed (the server
    closes it within a second)."""
    import sqlite3
    con = sqlite3.connect(os.path.join(srv.data_dir, "conclave.db"), timeout=30)
    con.execute("update polls set closes_at = ? where id = ?", (int(time.time()) - 1, pid))
    con.commit()
    con.close()


def wait_result(srv, pid, timeout=90):
    """Waits for the poll's result (public once it closed) and returns it;
    RuntimeError if it does not come within TIMEOUT seconds."""
    r = wait_for(lambda: srv.request("GET", f"/api/v1/polls/{pid}/result"), timeout,
                 done=lambda r: r.status == 200)
    if r.status != 200:
        raise RuntimeError(f"poll {pid} did not close within {timeout} s ({r.status})")
    return r.json()


def wait_state(client, pid, state, timeout=30):
    """Waits until CLIENT sees poll PID in STATE ("closed", ...); returns
    whether it did within TIMEOUT seconds."""
    return wait_for(lambda: client.get(f"/api/v1/polls/{pid}").json()["state"] == state,
                    timeout, 0.25)


def wait_log(srv, line, timeout=30):
    """Waits until the server's log holds LINE; returns whether it did."""
    return wait_for(lambda: line in srv.log(), timeout, 0.1)


# --- the HTML pages: forms, the login form, pages ----------------------------

FORM = "application/x-www-form-urlencoded"


def text(r):
    return r.body.decode("utf-8", "replace")


def no_inline_code(html):
    """No inline script, no style attribute or element, no event handler."""
    tags = re.findall(r"<[^>]*>", html)
    inline_script = [g for g in tags if g.startswith("<script") and " src=" not in g]
    return not inline_script and not any(re.search(r"\s(style|on[a-z]+)=", g) for g in tags) \
        and "<style" not in html


def page(client, path):
    return client.request("GET", path)


def login_form(srv, source=None):
    """GET /login: returns (login cookie, token from the hidden field)."""
    r = srv.request("GET", "/login", source=source)
    cookie = re.search(r"conclave_login=([0-9a-f]+)", r.header("Set-Cookie") or "")
    token = re.search(r'name="login_token" value="([0-9a-f]+)"', text(r))
    return (cookie.group(1) if cookie else None), (token.group(1) if token else None)


def post_login(srv, fields, cookie, headers=None, source=None):
    hdrs = {"Content-Type": FORM}
    if cookie:
        hdrs["Cookie"] = "conclave_login=" + cookie
    hdrs.update(headers or {})
    return srv.request("POST", "/login", urllib.parse.urlencode(fields), hdrs, source=source)


def cookie_value(resp, name):
    """The value RESP sets for cookie NAME, or None."""
    for v in resp.headers_all("Set-Cookie"):
        m = re.match(re.escape(name) + r"=([^;]*)", v)
        if m:
            return m.group(1)
    return None


def web_login(srv, username, password, source=None):
    """Logs in through the login form as a browser does; returns (the
    answer to the post, a Client holding the session and the page's CSRF
    token, or None when no session was made)."""
    cookie, token = login_form(srv, source)
    r = post_login(srv, {"username": username, "password": password, "login_token": token,
                         "next": "/"}, cookie, source=source)
    sid = cookie_value(r, "conclave_session")
    if not sid:
        return r, None
    c = Client(srv, source=source)
    c.cookie = sid
    m = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">',
                  text(c.get(r.header("Location") or "/")))
    c.csrf = m.group(1) if m else None
    return r, c


def add_member(data_dir, username, password=None, admin=False, display=None, email=None):
    """Creates a member with the CLI (with EMAIL: that address); returns its
    password."""
    args = ["user", "add", username]
    if admin:
        args.append("--admin")
    if display:
        args += ["--display-name", display]
    if email:
        args += ["--email", email]
    if password is None:
        password = username + "-password-123"
    args.append("--password-stdin")
    rc, out, err = run_cli(args, data_dir, stdin=password + "\n")
    if rc != 0:
        raise RuntimeError(f"user add {username} failed: {err}")
    return password


def create_token(data_dir, username):
    rc, out, err = run_cli(["token", "create", username], data_dir)
    if rc != 0:
        raise RuntimeError(f"token create failed: {err}")
    m = re.search(r"(cnv_[A-Za-z0-9_-]+)", out)
    return m.group(1)




def members_with_tokens(srv, names):
    """Adds members NAMES with the CLI, each with an API token; returns
    {name: token}."""
    tokens = {}
    for n in names:
        add_member(srv.data_dir, n)
        tokens[n] = create_token(srv.data_dir, n)
    return tokens


def make_ballots(record, n, seed, timeout=300):
    """N valid ballots for RECORD (the poll as the API returns it), made by
    static/js/conclave-crypto.mjs in Node (tests/node/make-ballots.mjs, seeded
    by SEED): a list of {"ballot", "tracker", ...} dicts, one per ballot."""
    d = tempfile.mkdtemp(prefix="conclave-record-")
    try:
        path = os.path.join(d, "record.json")
        with open(path, "w") as f:
            json.dump(record, f)
        p = subprocess.run(["node", "tests/node/make-ballots.mjs", path, str(n), "--seed", seed,
                            "--meta"], capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError("make-ballots failed: " + p.stderr)
        return [json.loads(line) for line in p.stdout.splitlines()]
    finally:
        shutil.rmtree(d, ignore_errors=True)


def post_form(client, path, fields, csrf=True, headers=None):
    """Posts FIELDS as an HTML form with CLIENT's session cookie (and its
    csrf_token unless CSRF is false or FIELDS has one). A nomination
    (/polls/new) carries the ticked consent box (with_consent)."""
    fields = with_consent(fields) if path == "/polls/new" else dict(fields)
    if csrf and client.csrf and "csrf_token" not in fields:
        fields["csrf_token"] = client.csrf
    hdrs = {"Content-Type": FORM}
    hdrs.update(headers or {})
    if client.cookie:
        hdrs["Cookie"] = f"{client.cookie_name}={client.cookie}"
    return client.server.request("POST", path, urllib.parse.urlencode(fields), hdrs,
                                 source=client.source)


def post_refused(client, path, fields, again=None):
    """Posts a form the server is expected to refuse. Every form is
    POST-redirect-GET: a refusal answers 303 to AGAIN (default PATH), whose GET
    shows it once. Returns that page, with .posted set to the POST's status;
    or the POST's own answer when it was not a 303 to AGAIN (a check on the
    page's status then fails)."""
    again = again or path
    r = post_form(client, path, fields)
    if r.status != 303 or r.header("Location") != again:
        r.posted = r.status
        return r
    shown = page(client, again)
    shown.posted = 303
    return shown


def open_poll_form(client, nominee, statement="Good work."):
    """Opens a poll through the nomination form as CLIENT (a session);
    returns its id. RuntimeError if the form does not redirect to it."""
    r = post_form(client, "/polls/new", {"nominee": nominee, "statement": statement})
    if r.status != 303:
        raise RuntimeError(f"opening a poll for {nominee}: {r.status} {r.body[:300]!r}")
    return r.header("Location").rsplit("/", 1)[1]


def member_client(srv, username, admin=False, display=None):
    """Adds member USERNAME with the CLI and returns a Client logged in as them."""
    pw = add_member(srv.data_dir, username, admin=admin, display=display)
    c = Client(srv)
    r = c.login(username, pw)
    if r.status != 200:
        raise RuntimeError(f"login {username}: {r.status}")
    return c


class Element:
    """An element of a parsed page: tag, attrs (dict), children (elements and
    strings), parent."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = {k: (v if v is not None else "") for k, v in attrs}
        self.parent = parent
        self.children = []

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    def classes(self):
        return self.attrs.get("class", "").split()

    def iter(self):
        """This element and every element under it, in document order."""
        yield self
        for c in self.children:
            if isinstance(c, Element):
                yield from c.iter()

    def _matches(self, tag, cls, attrs):
        return ((tag is None or self.tag == tag) and (cls is None or cls in self.classes())
                and all(self.attrs.get(k) == v for k, v in attrs.items()))

    def find_all(self, tag=None, cls=None, **attrs):
        """Elements under this one (itself included) with TAG, class CLS and
        the given attribute values (id="x"; an attribute named like a Python
        keyword: pass it through a dict, **{"for": "x"})."""
        return [e for e in self.iter() if e._matches(tag, cls, attrs)]

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def text(self):
        """The text under this element, with white space collapsed."""
        parts = []

        def walk(e):
            for c in e.children:
                if isinstance(c, Element):
                    walk(c)
                else:
                    parts.append(c)
        walk(self)
        return " ".join("".join(parts).split())

    def ancestors(self):
        e = self.parent
        while e is not None:
            yield e
            e = e.parent


class _TreeBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        e = Element(tag, attrs, self.cur)
        self.cur.children.append(e)
        if tag not in Element.VOID:
            self.cur = e

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Element(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        e = self.cur
        while e is not None and e.tag != tag:
            e = e.parent
        if e is not None and e.parent is not None:
            self.cur = e.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse_html(body):
    """Parses a page (bytes or str) into a tree of Element; returns its root."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    b = _TreeBuilder()
    b.feed(body)
    b.close()
    return b.root


# --- trustees: a council seeded from the vectors, key files, the trustee CLI ---

THRESHOLD_CEREMONY = os.path.join(VECTORS, "threshold", "ceremony.json")


def seed_council(srv, path=THRESHOLD_CEREMONY):
    """Stores the vectors' completed 3-of-5 ceremony (QUAL 1, 2, 3, 5) as a
    complete council, its trustees the setup's names as usernames, and makes it
    the server's current one: `conclave-test test-seed-council` (a test-build
    hook). Returns the vectors file's JSON."""
    p = subprocess.run([TEST_BIN, "test-seed-council", "--data", srv.data_dir, path],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("test-seed-council failed: " + p.stderr)
    with open(path) as f:
        return json.load(f)


def write_trustee_key(config_home, srv, council, index, share, X, digest, council_key,
                      mode=0o600):
    """Writes a completed trustee key file (the final form of the council's
    CLI) as $XDG_CONFIG_HOME/conclave/trustee-COUNCIL.json under CONFIG_HOME;
    returns its path."""
    d = os.path.join(config_home, "conclave")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, f"trustee-{council}.json")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.write(fd, json.dumps({"conclave_trustee_key": 1, "server": f"http://127.0.0.1:{srv.port}",
                             "council": council, "index": index, "share": share,
                             "verification_key": X, "ceremony_digest": digest,
                             "council_key": council_key}).encode())
    os.close(fd)
    os.chmod(path, mode)
    return path


def trustee_env(config_home, token):
    """The environment of a trustee's `conclave trustee` commands."""
    env = dict(os.environ, XDG_CONFIG_HOME=config_home, CONCLAVE_TOKEN=token)
    return env


def trustee_decrypt(srv, config_home, token, poll_id, roster, extra=()):
    """`conclave trustee decrypt` for POLL_ID; returns (exit code, stdout, stderr)."""
    p = subprocess.run([BIN, "trustee", "decrypt", "--server", f"http://127.0.0.1:{srv.port}",
                        poll_id, "--roster", roster] + list(extra), capture_output=True,
                       text=True, timeout=120, env=trustee_env(config_home, token))
    return p.returncode, p.stdout, p.stderr


def trustee_watch(srv, config_home, token, roster, extra=()):
    """Starts `conclave trustee watch` (stdout to a file beside the key);
    returns (Popen, path of its output)."""
    out = os.path.join(config_home, "watch.log")
    f = open(out, "wb")
    proc = subprocess.Popen([BIN, "trustee", "watch", "--server", f"http://127.0.0.1:{srv.port}",
                             "--roster", roster, "--interval", "1"] + list(extra),
                            stdout=f, stderr=subprocess.STDOUT,
                            env=trustee_env(config_home, token))
    f.close()
    return proc, out


class SmtpSink:
    """A real SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd, which `make
    deps` installs) that keeps every message it accepts: .messages is a list
    of (envelope sender, [recipients], email.message.Message). stop() and
    start() again take it down and bring it back on the same port, as an SMTP
    server that is away for a while."""

    def __init__(self):
        self.port = free_port()
        self.messages = []
        self.lock = threading.Lock()
        self.controller = None

    def start(self):
        try:
            from aiosmtpd.controller import Controller
        except ImportError:      # a Python of its own (pyenv) beside Debian's packages
            sys.path.append("/usr/lib/python3/dist-packages")
            from aiosmtpd.controller import Controller
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                import email
                msg = email.message_from_bytes(envelope.original_content or
                                               envelope.content)
                with sink.lock:
                    sink.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address):
        """The messages received for ADDRESS."""
        with self.lock:
            return [m for (_, rcpt, m) in self.messages if address in rcpt]

    def count(self):
        with self.lock:
            return len(self.messages)

    def wait(self, n, timeout=30):
        """Waits until N messages in all have arrived; returns the count."""
        return wait_for(self.count, timeout=timeout, done=lambda c: c >= n)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def mail_args(sink, extra=(), consent="attest"):
    """The `conclave serve` options that send mail to SINK. CONSENT: the
    --nominee-consent given (default attest, so that polls open at once with
    the harness's attestation, with_consent; None: the server's default,
    which with mail is mail)."""
    return (["--smtp-url", sink.url(), "--mail-from", "conclave@example.org",
             "--public-url", "https://vote.example.org"]
            + (["--nominee-consent", consent] if consent else []) + list(extra))


def mail_body(msg):
    """The text of MSG (an email.message.Message), decoded."""
    return msg.get_payload(decode=True).decode("utf-8")


def mail_subject(msg):
    """The Subject of MSG, RFC 2047 words decoded."""
    import email.header
    return str(email.header.make_header(email.header.decode_header(msg["Subject"] or "")))


def consent_link(msg):
    """The consent link's secret in MSG (the nominee's mail), or None."""
    m = re.search(r"/consent\?link=([A-Za-z0-9_-]+)", mail_body(msg))
    return m.group(1) if m else None


def consent_answer(srv, secret, answer):
    """Answers the consent page of SECRET as a browser does: ANSWER "accept"
    or "decline" posted in its form."""
    return srv.request("POST", "/consent", urllib.parse.urlencode(
        {"link": secret, "answer": answer}), {"Content-Type": FORM})


def mail_link(msg):
    """The set-password link's secret in MSG, or None."""
    m = re.search(r"/set-password\?link=([A-Za-z0-9_-]+)", mail_body(msg))
    return m.group(1) if m else None


def use_link(srv, secret, password):
    """Opens /set-password?link=SECRET as a browser does and chooses
    PASSWORD (typed twice); returns the answer to the post (a 303 to
    /account when the link worked)."""
    r = srv.request("GET", "/set-password?link=" + secret)
    token = re.search(r'name="login_token" value="([0-9a-f]+)"', text(r))
    cookie = re.search(r"conclave_login=([0-9a-f]+)", r.header("Set-Cookie") or "")
    hdr = {"Content-Type": FORM, "Cookie": "conclave_login=" + (cookie.group(1) if cookie else "")}
    body = urllib.parse.urlencode({"login_token": token.group(1) if token else "", "link": secret,
                                   "new_password": password, "new_password_again": password})
    return srv.request("POST", "/set-password", body, hdr)


def forgot_password(srv, who, source=None):
    """Posts WHO on /forgot-password as a browser does; returns the answer."""
    r = srv.request("GET", "/forgot-password", source=source)
    token = re.search(r'name="login_token" value="([0-9a-f]+)"', text(r))
    cookie = re.search(r"conclave_login=([0-9a-f]+)", r.header("Set-Cookie") or "")
    hdr = {"Content-Type": FORM, "Cookie": "conclave_login=" + (cookie.group(1) if cookie else "")}
    body = urllib.parse.urlencode({"login_token": token.group(1) if token else "", "who": who})
    return srv.request("POST", "/forgot-password", body, hdr, source=source)


# --- OpenID Connect: a real provider and a browser's cookies ----------------

OIDC_SECRET = "test-client-secret-0123456789abcdef"


class OidcProvider:
    """The test OpenID provider (tests/oidc/provider.mjs: npm oidc-provider) on
    127.0.0.1:<free port>, with its test accounts (alice and erin in the group
    conclave-core, bob not, carol's verified email carol@example.org, dave's
    email unverified) and one confidential client ("conclave", secret
    OIDC_SECRET) whose redirect URI is REDIRECT; AUTH "basic" or "post" (the
    client's token endpoint authentication). set_mode() makes its token
    endpoint tamper with the ID token (see provider.mjs)."""

    def __init__(self, redirect, auth="basic"):
        self.redirect = redirect
        self.auth = auth
        self.proc = None
        self.port = None
        self.issuer = None

    def start(self, timeout=30):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["node", "tests/oidc/provider.mjs", "--port", str(self.port), "--redirect",
             self.redirect, "--auth", self.auth],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the test OpenID provider did not start")
        self.issuer = json.loads(line)["issuer"]
        return self

    def control(self, path, fields=None):
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        with urllib.request.urlopen(self.issuer + path, data=data, timeout=10) as r:
            return json.loads(r.read())

    def set_mode(self, mode):
        """"" honest; "aud", "expired", "nonce", "other-key", "new-kid", "alg-none",
        "token-500": what its token endpoint does to the ID token."""
        return self.control("/__test/mode", {"mode": mode})

    def stats(self):
        """How many times its discovery, JWKS and token endpoints were asked."""
        return self.control("/__test/stats")

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def write_secret(directory, secret=OIDC_SECRET, mode=0o600):
    """Writes SECRET to DIRECTORY/oidc-secret with MODE; returns its path."""
    path = os.path.join(directory, "oidc-secret")
    with open(path, "w") as f:
        f.write(secret + "\n")
    os.chmod(path, mode)
    return path


def oidc_server(provider, port, secret_dir, extra=()):
    """A Server (not started) using PROVIDER, to start on PORT (its public URL
    http://127.0.0.1:PORT, as PROVIDER's redirect URI says)."""
    return Server(args=["--public-url", f"http://127.0.0.1:{port}",
                        "--oidc-issuer", provider.issuer, "--oidc-client-id", "conclave",
                        "--oidc-client-secret-file", write_secret(secret_dir),
                        "--oidc-name", "Test SSO"] + list(extra))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


class Browser:
    """A browser's cookies across the sites it visits (Conclave and the
    provider), one request at a time; redirects are followed only by
    follow(), which can stop before a URL (the callback) to hand it over."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(_NoRedirect,
                                                  urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, url, fields=None):
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        try:
            with self.opener.open(url, data=data, timeout=30) as r:
                return Response(r.status, r.getheaders(), r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, e.headers.items(), e.read())

    def follow(self, url, fields=None, stop=None, limit=12):
        """Requests URL (a POST with FIELDS) and follows its redirects; STOP(url)
        true: returns (None, that URL) without requesting it. (answer, URL)."""
        for _ in range(limit):
            if stop is not None and stop(url):
                return None, url
            r = self.request(url, fields)
            fields = None
            if r.status not in (301, 302, 303, 307) or not r.header("Location"):
                return r, url
            url = urllib.parse.urljoin(url, r.header("Location"))
        raise RuntimeError("too many redirects")

    def cookie(self, name):
        for c in self.jar:
            if c.name == name:
                return c.value
        return None

    def set_cookie(self, name, value, host="127.0.0.1"):
        self.jar.set_cookie(http.cookiejar.Cookie(
            0, name, value, None, False, host, False, False, "/", True, False, None, False,
            None, None, {}))


def oidc_to_callback(browser, srv, login, next_path=None, decline=False):
    """Starts a login through the provider at SRV in BROWSER and signs in at
    the provider as test account LOGIN (or declines); returns the callback
    URL the provider sends the browser to, not yet requested."""
    base = f"http://127.0.0.1:{srv.port}"
    start = base + "/login/oidc/start" + (f"?next={next_path}" if next_path else "")
    r, url = browser.follow(start)
    if r is None or r.status != 200 or "/interaction/" not in url:
        raise RuntimeError(f"no sign-in page at the provider: {r and r.status} {url}")
    action = url.rstrip("/") + ("/abort" if decline else "/login")
    r, url = browser.follow(action, {"login": login},
                            stop=lambda u: u.startswith(base + "/login/oidc/callback"))
    if r is not None:
        raise RuntimeError(f"the provider did not send the browser back: {r.status} {url}")
    return url


def oidc_login(browser, srv, login, next_path=None):
    """The whole login through the provider: returns the answer to the callback."""
    return browser.request(oidc_to_callback(browser, srv, login, next_path))


# --- the webhook's receiver ---------------------------------------------------

def webhook_signature(secret, body):
    """The X-Conclave-Signature a receiver expects for BODY (bytes) under
    SECRET (bytes): "sha256=" and the hex HMAC-SHA256 of the raw bytes."""
    import hashlib
    import hmac
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class WebhookSink:
    """A real HTTP receiver on 127.0.0.1 (the standard library's http.server)
    for --webhook-url: it checks each POST's X-Conclave-Signature over the raw
    body bytes with SECRET (constant-time), keeps every request it was sent
    in .requests as (headers dict, raw body, signature good, status answered),
    and answers 204, or .fail_status (e.g. 500) while .fail_left > 0 (or
    always while .fail_always). stop() and start() again take it down and
    bring it back on the same port."""

    def __init__(self, secret):
        self.secret = secret
        self.port = free_port()
        self.requests = []
        self.lock = threading.Lock()
        self.fail_status = 500
        self.fail_left = 0
        self.fail_always = False
        self.httpd = None

    def _answer(self):
        with self.lock:
            if self.fail_always or self.fail_left > 0:
                self.fail_left = max(0, self.fail_left - 1)
                return self.fail_status
        return 204

    def start(self):
        import hmac
        import http.server
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                good = hmac.compare_digest(self.headers.get("X-Conclave-Signature") or "",
                                           webhook_signature(sink.secret, body))
                status = sink._answer()
                with sink.lock:
                    sink.requests.append((dict(self.headers.items()), body, good, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks/conclave"

    def delivered(self):
        """The requests answered 2xx: (headers, body, good) each."""
        with self.lock:
            return [(h, b, g) for (h, b, g, s) in self.requests if 200 <= s < 300]

    def count(self):
        with self.lock:
            return len(self.requests)

    def wait_delivered(self, n, timeout=30):
        """Waits until N requests were answered 2xx; returns how many were."""
        return len(wait_for(self.delivered, timeout=timeout, done=lambda d: len(d) >= n))

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def webhook_args(sink, secret_path, extra=()):
    """The `conclave serve` options that post events to SINK, the secret in
    SECRET_PATH (written here, mode 0600)."""
    with open(secret_path, "wb") as f:
        f.write(sink.secret + b"\n")
    os.chmod(secret_path, 0o600)
    return ["--webhook-url", sink.url(), "--webhook-secret-file", secret_path,
            "--public-url", "https://vote.example.org"] + list(extra)


# What takes a database of schema 13 back to 12 (schema/013_events.sql undone).
UNDO_014 = """
    ALTER TABLE polls DROP COLUMN decrypt_reminded_at;
    DELETE FROM schema_version WHERE version = 14;"""

UNDO_013 = """
    DROP TRIGGER polls_event_opened;
    DROP TRIGGER polls_event_opened_later;
    DROP TRIGGER polls_event_closed;
    DROP TRIGGER polls_event_withdrawn;
    DROP TABLE webhook_deliveries;
    DROP TABLE webhook_settings;
    DROP TABLE events;
    DELETE FROM schema_version WHERE version = 13;"""
