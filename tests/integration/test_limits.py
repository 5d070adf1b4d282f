"""Every limit of the server, over real HTTP: body size, header and URL size,
connection count, the request deadline for slow clients, JSON depth and
sizes, statement size, open polls per member, ballots per member per minute,
login attempts per username and per address, and concurrent argon2 runs.
Each limit answers with its status and JSON error code (where libmicrohttpd
answers by itself — oversized headers, the connection limit — the test shows
what it does, as README documents)."""
import json
import socket
import threading
import time

from harness import Client, Server, Suite, add_member, create_token


def raw(port, data, timeout=10, source=None):
    """Sends DATA on a new connection (from address SOURCE if given);
    returns everything read until close."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                 source_address=(source, 0) if source else None)
    try:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


def status_of(resp):
    try:
        return int(resp.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def json_body(resp):
    try:
        return json.loads(resp.split(b"\r\n\r\n", 1)[1])
    except (IndexError, ValueError):
        return None


def test_body_and_headers(t):
    with Server() as srv:
        r = raw(srv.port, b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Length: 70000\r\nContent-Type: application/json\r\n\r\n")
        t.check(status_of(r) == 413 and json_body(r)["error"]["code"] == "too_large",
                "declared body over 64 KiB: 413 too_large before any byte is read")
        r = srv.request("POST", "/api/v1/session", b"{" + b" " * (64 * 1024) + b"}",
                        headers={"Content-Type": "application/json"})
        t.check(r.status == 413 and r.error_code() == "too_large", "body of 64 KiB + 2: 413")
        r = raw(srv.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000
                + b"\r\n\r\n")
        t.eq(status_of(r), 431, f"header over 64 KiB: 431 from libmicrohttpd " f"({r[:40]!r})")
        r = raw(srv.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                + b"".join(b"X-H%d: v\r\n" % i for i in range(8000)) + b"\r\n")
        t.eq(status_of(r), 431, "8000 headers: 431")
        r = raw(srv.port, b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        t.eq(status_of(r), 414, "URL over 64 KiB: 414")
        t.eq(srv.request("GET", "/healthz").status, 200, "the server is fine afterwards")


def test_connection_limit(t):
    with Server(args=["--threads", "1", "--max-connections", "4"]) as srv:
        held = []
        for _ in range(4):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            t.check(b" 200 " in s.recv(4096), "a connection within the limit is served")
            held.append(s)          # kept alive, idle
        extra = raw(srv.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5)
        t.eq(extra, b"", "the fifth connection is closed at once, unanswered")
        held.pop().close()
        time.sleep(0.3)
        t.eq(srv.request("GET", "/healthz").status, 200,
             "a slot freed by a closing client is used again")
        for s in held:
            s.close()


def closed_at_once(s, wait=0.5):
    """1 if the server closed socket S (nothing to read, then EOF) within WAIT s."""
    s.settimeout(wait)
    try:
        return s.recv(4096) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


def test_connections_per_address(t):
    """One address holding every connection with partial requests kept
    everyone out (/healthz refused 8 of 8 times over 40 s): now an address
    holds at most --max-connections-per-address (default 32) and the rest of
    --max-connections stays open to others. The greedy client is 127.0.0.9,
    an address nothing else uses (the harness's start-up check comes from
    127.0.0.1, and a server under load may not have reaped that closed
    connection yet: it would count, rightly, towards 127.0.0.1's cap)."""
    greedy = "127.0.0.9"
    with Server(args=["--max-connections", "64", "--request-timeout", "60",
                      "--header-timeout", "60"]) as srv:
        held = []
        for _ in range(64):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5,
                                         source_address=(greedy, 0))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")     # never finished
            held.append(s)
        # The server accepts at its own pace under load: wait until the 32 past
        # the cap are closed (up to 10 s), then make sure no more follow.
        open_socks, closed, deadline = list(held), 0, time.time() + 10
        while closed < 32 and time.time() < deadline:
            still = [s for s in open_socks if not closed_at_once(s, 0.05)]
            closed += len(open_socks) - len(still)
            open_socks = still
        time.sleep(0.5)
        closed += sum(closed_at_once(s, 0.01) for s in open_socks)
        t.eq(closed, 32, f"64 partial requests from {greedy}: the 32 past the cap are "
                         f"closed at once ({closed} closed)")
        answered = []
        for _ in range(8):
            t0 = time.time()
            try:
                r = srv.request("GET", "/healthz", source="127.0.0.2", timeout=5)
                answered.append((r.status, time.time() - t0))
            except OSError as e:
                answered.append((str(e), time.time() - t0))
        t.check(all(st == 200 and took < 2 for st, took in answered),
                f"meanwhile 127.0.0.2 is answered at once, 8 of 8 ({answered[:3]})")
        r = raw(srv.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5,
                source=greedy)
        t.eq(r, b"", f"a 33rd connection from {greedy} is closed unanswered")
        for s in held:
            s.close()
        time.sleep(0.3)
        t.eq(srv.request("GET", "/healthz", source=greedy).status, 200,
             f"once they close, {greedy} is served again")
    with Server(args=["--max-connections-per-address", "0", "--max-connections", "40"]) as srv:
        held = [socket.create_connection(("127.0.0.1", srv.port), timeout=5) for _ in range(36)]
        time.sleep(0.3)
        t.check(not any(closed_at_once(s, 0.05) for s in held),
                "--max-connections-per-address 0: no cap per address (behind a proxy)")
        for s in held:
            s.close()


def test_header_deadline(t):
    """Headers have --header-timeout (default 10 s), shorter than the whole
    request's --request-timeout: a slow request line frees its slot sooner."""
    with Server(args=["--request-timeout", "8", "--header-timeout", "2"]) as srv:
        took, got = slow_send(srv.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                              b"X-Padding: " + b"p" * 60 + b"\r\n\r\n", 0.5, 15)
        t.check(1.5 < took < 4.5, f"headers at one byte per 0.5 s: cut off after {took:.1f} s "
                                  f"(--header-timeout 2)")
        t.eq(status_of(got), 408, f"... with 408 ({got[:40]!r})")
        head = (b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: "
                b"application/json\r\nContent-Length: 14\r\n\r\n")
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=15)
        s.sendall(head)
        t0 = time.time()
        alive = True
        for c in b'{"a": "bcdef"}':
            time.sleep(0.3)
            try:
                s.sendall(bytes([c]))
            except OSError:
                alive = False
                break
        took = time.time() - t0
        reply = b""
        s.settimeout(10)
        try:
            reply = s.recv(4096)
        except OSError:
            pass
        s.close()
        t.check(alive and took > 3 and status_of(reply) == 400,
                f"a body sent slowly after prompt headers has the whole request's time "
                f"({took:.1f} s, then {reply[:30]!r})")


def slow_send(port, data, interval, limit):
    """Sends DATA one byte per INTERVAL seconds until the server closes the
    connection; returns (seconds until closed or LIMIT, bytes received)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=limit)
    t0 = time.time()
    got = b""
    try:
        for c in data:
            try:
                s.sendall(bytes([c]))
            except OSError:
                break
            end = time.time() + interval
            closed = False
            while time.time() < end:
                s.settimeout(max(0.01, end - time.time()))
                try:
                    chunk = s.recv(4096)
                except socket.timeout:
                    continue
                except OSError:
                    closed = True
                    break
                if not chunk:
                    closed = True
                    break
                got += chunk
            if closed or time.time() - t0 > limit:
                break
        return time.time() - t0, got
    finally:
        s.close()


def test_slow_clients(t):
    with Server(args=["--request-timeout", "2"]) as srv:
        t0 = time.time()
        results = {}

        def headers():
            results["headers"] = slow_send(srv.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                                           b"X-Padding: " + b"p" * 60 + b"\r\n\r\n", 0.5, 15)

        def body():
            head = (b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: "
                    b"application/json\r\nContent-Length: 60\r\n\r\n")
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=15)
            s.sendall(head)
            start = time.time()
            got = b""
            try:
                for c in b"{" + b" " * 58 + b"}":
                    s.sendall(bytes([c]))
                    s.settimeout(0.5)
                    try:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        got += chunk
                    except socket.timeout:
                        pass
            except OSError:
                pass
            results["body"] = (time.time() - start, got)
            s.close()

        threads = [threading.Thread(target=headers), threading.Thread(target=body)]
        for th in threads:
            th.start()
        # meanwhile a normal client on a kept-alive connection is unaffected:
        # each request starts a new deadline
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        codes = []
        for _ in range(4):
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            resp.read()
            codes.append(resp.status)
            time.sleep(1.0)
        conn.close()
        for th in threads:
            th.join()
        took, got = results["headers"]
        t.check(took < 5, f"headers at one byte per 0.5 s: cut off after {took:.1f} s")
        t.check(status_of(got) == 408 and json_body(got)["error"]["code"] == "request_timeout",
                f"... with 408 request_timeout ({got[:60]!r})")
        took, got = results["body"]
        t.check(took < 5, f"a body at one byte per 0.5 s: cut off after {took:.1f} s")
        t.check(got == b"" or status_of(got) == 408, f"... closed or 408 ({got[:60]!r})")
        t.eq(codes, [200] * 4, f"a kept-alive client sending whole requests is served "
                                f"({codes}, {time.time() - t0:.1f} s)")
        t.eq(srv.request("GET", "/healthz").status, 200, "the server is fine afterwards")
        t.check(" 408 " in srv.log(), "the log line of the cut request says 408")


def test_json_limits(t):
    with Server() as srv:
        add_member(srv.data_dir, "judy")
        token = create_token(srv.data_dir, "judy")
        c = Client(srv, token=token)
        deep = "[" * 9 + "]" * 9
        r = srv.request("POST", "/api/v1/session", '{"username": ' + deep + ', "password": "x"}',
                        headers={"Content-Type": "application/json"})
        t.check(r.status == 400 and r.error_code() == "bad_json"
                and "deep" in r.json()["error"]["message"], "nesting 10 deep: 400 bad_json")
        r = srv.request("POST", "/api/v1/session", "[" * 30000 + "]" * 30000,
                        headers={"Content-Type": "application/json"})
        t.check(r.status == 400 and r.error_code() == "bad_json", "nesting 30000 deep: 400")
        r = c.post("/api/v1/polls", '{"nominee": "A", "statement": ' + "[" * 20 + "]" * 20 + "}")
        t.check(r.status == 400 and r.error_code() == "bad_json", "deep poll body: 400")
        r = c.post("/api/v1/polls", {"nominee": "Deep Ballot", "statement": "s"})
        pid = r.json()["id"]
        r = c.post(f"/api/v1/polls/{pid}/ballots", '{"poll": ' + "[" * 9 + "]" * 9 + "}")
        t.check(r.status == 400 and r.json()["error"]["reason"] == "shape",
                "deep ballot: 400 invalid_ballot, reason shape")
        big = "x" * (60 * 1024)
        t0 = time.time()
        r = srv.request("POST", "/api/v1/session", {"username": "judy", "password": big},
                        headers={"Content-Type": "application/json"})
        t.check(r.status == 401 and time.time() - t0 < 5, "a 60 KiB password: 401, quickly")
        r = srv.request("POST", "/api/v1/session", {"username": big, "password": "x" * 12},
                        headers={"Content-Type": "application/json"})
        t.eq(r.status, 401, "a 60 KiB username: 401")
        r = c.post("/api/v1/polls", {"nominee": "N" * 101, "statement": "s"})
        t.check(r.status == 400 and r.error_code() == "invalid_poll", "nominee of 101: 400")
        r = c.post("/api/v1/polls", {"nominee": "Stmt Max", "statement": "s" * 20000})
        t.eq(r.status, 201, "statement of exactly 20,000 bytes: 201")
        r = c.post("/api/v1/polls", {"nominee": "Stmt Over", "statement": "s" * 20001})
        t.check(r.status == 400 and r.error_code() == "invalid_poll"
                and "20000" in r.json()["error"]["message"], "statement of 20,001 bytes: 400")


def test_open_polls_per_member(t):
    with Server(args=["--poll-duration", "4"]) as srv:
        tokens = {}
        for n in ("kim", "lou"):
            add_member(srv.data_dir, n)
            tokens[n] = create_token(srv.data_dir, n)
        kim = Client(srv, token=tokens["kim"])
        for i in range(3):
            r = kim.post("/api/v1/polls", {"nominee": f"Nominee {i}", "statement": "s"})
            t.eq(r.status, 201, f"open poll {i + 1} of 3")
        r = kim.post("/api/v1/polls", {"nominee": "Nominee 3", "statement": "s"})
        t.check(r.status == 409 and r.error_code() == "too_many_polls",
                f"a fourth open poll: 409 too_many_polls ({r.status} {r.error_code()})")
        r = Client(srv, token=tokens["lou"]).post("/api/v1/polls",
                                                  {"nominee": "Nominee 3", "statement": "s"})
        t.eq(r.status, 201, "another member may still open one")
        time.sleep(5.5)             # the first three close
        r = kim.post("/api/v1/polls", {"nominee": "Nominee 4", "statement": "s"})
        t.eq(r.status, 201, "once they have closed, the member may open again")

        # concurrent opens cannot slip past the cap
        add_member(srv.data_dir, "max")
        mx = Client(srv, token=create_token(srv.data_dir, "max"))
        codes = []

        def open_one(i):
            codes.append(mx.post("/api/v1/polls", {"nominee": f"Race {i}", "statement": "s"})
                         .status)
        threads = [threading.Thread(target=open_one, args=(i,)) for i in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        t.eq(sorted(codes), [201] * 3 + [409] * 5, f"8 concurrent opens: 3 open ({codes})")


def test_cast_rate(t):
    with Server() as srv:
        tokens = {}
        for n in ("ned", "ola"):
            add_member(srv.data_dir, n)
            tokens[n] = create_token(srv.data_dir, n)
        ned = Client(srv, token=tokens["ned"])
        pid = ned.post("/api/v1/polls", {"nominee": "Rate Limit", "statement": "s"}).json()["id"]
        codes = [ned.post(f"/api/v1/polls/{pid}/ballots", {}).status for _ in range(30)]
        t.eq(codes, [400] * 30, "30 ballots in a minute are processed (here: invalid)")
        r = ned.post(f"/api/v1/polls/{pid}/ballots", {})
        t.check(r.status == 429 and r.error_code() == "too_many_requests",
                f"the 31st: 429 too_many_requests ({r.status} {r.error_code()})")
        ra = r.header("Retry-After")
        t.check(ra is not None and ra.isdigit() and 1 <= int(ra) <= 60, f"Retry-After {ra}")
        r = Client(srv, token=tokens["ola"]).post(f"/api/v1/polls/{pid}/ballots", {})
        t.eq(r.status, 400, "another member is not limited")
        time.sleep(int(ra) + 0.2)
        r = ned.post(f"/api/v1/polls/{pid}/ballots", {})
        t.eq(r.status, 400, "after Retry-After seconds the member may send again")
    with Server(args=["--cast-limit", "0"]) as srv:
        add_member(srv.data_dir, "pam")
        c = Client(srv, token=create_token(srv.data_dir, "pam"))
        pid = c.post("/api/v1/polls", {"nominee": "No Limit", "statement": "s"}).json()["id"]
        codes = {c.post(f"/api/v1/polls/{pid}/ballots", {}).status for _ in range(40)}
        t.eq(codes, {400}, "--cast-limit 0 turns the limit off")


def test_login_rates(t):
    """Failures per (username, address): 5 at once, then one every 3 minutes;
    successes cost nothing; per address, --login-limit attempts a minute."""
    with Server() as srv:
        pw = add_member(srv.data_dir, "quinn")
        codes = [Client(srv).login("quinn", pw).status for _ in range(25)]
        t.eq(codes, [200] * 25, "successful logins are not throttled per username")
        codes = [Client(srv).login("quinn", "not-the-password").status for _ in range(7)]
        t.eq(codes, [401] * 5 + [429] * 2, f"5 failures, then 429 for that address ({codes})")
        r = Client(srv).login("QUINN", pw)
        t.check(r.status == 429 and r.error_code() == "too_many_attempts",
                "the same username in other case is the same pair")
        ra = r.header("Retry-After")
        t.check(ra is not None and ra.isdigit() and 170 <= int(ra) <= 180, f"Retry-After {ra}")
        t.eq(Client(srv, source="127.0.0.5").login("quinn", pw).status, 200,
             "the same username from another address is not limited")
        other = add_member(srv.data_dir, "rhea")
        t.eq(Client(srv).login("rhea", other).status, 200,
             "another username from the same address is not limited")
    with Server(args=["--login-limit", "10"]) as srv:
        # --login-limit attempts a minute from one address (default 60), whatever
        # the usernames
        results = []
        lock = threading.Lock()

        def attempt(i):
            r = Client(srv).login(f"nobody{i}", "not-a-password")
            with lock:
                results.append((r.status, r.error_code(), r.header("Retry-After")))
        t0 = time.time()
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        took = time.time() - t0
        refused = [x for x in results if x[0] == 429]
        answered = sum(1 for x in results if x[0] == 401)
        others = [x for x in results if x[0] not in (401, 429)]
        t.check(10 <= answered <= 10 + int(took / 6) + 1 and not others and len(results) == 20,
                f"20 attempts from one address in {took:.1f} s: {answered} answered, "
                f"{len(refused)} refused, others {others[:3]}, {len(results)} in all")
        t.check(refused and all(x[1] == "too_many_attempts" and x[2] and x[2].isdigit()
                                for x in refused), "429 too_many_attempts with Retry-After")
        page = srv.request("GET", "/login")
        token = next((v.split(";")[0].split("=", 1)[1] for v in page.headers_all("Set-Cookie")
                      if v.startswith("conclave_login=")), "")
        r = srv.request("POST", "/login", f"username=sam&password=whatever-123&login_token={token}",
                        headers={"Content-Type": "application/x-www-form-urlencoded",
                                 "Cookie": "conclave_login=" + token})
        again = srv.request("GET", r.header("Location") or "/login",
                            headers={"Cookie": "conclave_login=" + token})
        t.check(r.status == 303 and (r.header("Retry-After") or "").isdigit() and
                "Too many login attempts from this address" in again.body.decode(),
                f"the login form shares the address's limit: told after the redirect, "
                f"with Retry-After ({r.status})")
    with Server(args=["--login-limit", "0"]) as srv:
        pw = add_member(srv.data_dir, "ross")
        codes = [Client(srv).login("ross", pw if i % 2 else "wrong-password").status
                 for i in range(24)]
        t.eq(codes, [401, 200] * 12,
             f"--login-limit 0: no limit per address nor per (username, address) ({codes})")


def test_argon2_concurrency(t):
    with Server() as srv:
        pw = add_member(srv.data_dir, "rita")
        single = []
        for _ in range(3):
            t0 = time.perf_counter()
            Client(srv).login("rita", pw)
            single.append(time.perf_counter() - t0)
        one = min(single)
        statuses = []
        t0 = time.perf_counter()
        threads = [threading.Thread(target=lambda: statuses.append(
            Client(srv).login("rita", pw).status)) for _ in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        took = time.perf_counter() - t0
        t.eq(statuses, [200] * 8, "8 concurrent logins all succeed (they queue)")
        t.check(took >= 3.0 * one, f"two argon2 runs at a time: 8 logins took {took:.2f} s, "
                                   f"one takes {one:.2f} s")


if __name__ == "__main__":
    suite = Suite("test_limits")
    suite.run(test_body_and_headers, test_connection_limit, test_connections_per_address,
              test_header_deadline, test_slow_clients,
              test_json_limits, test_open_polls_per_member, test_cast_rate,
              test_login_rates, test_argon2_concurrency)
    suite.finish()
