"""The per-thread read connections (server/store/store_read.c) against the
real binary: each HTTP thread's reader caches the statements it runs, one
slot per distinct SQL text. With every page an admin meets served by ONE
thread (--threads 1), and then an API token's lookup on that same thread,
no request may fail for want of a slot (the cache was 8 slots once, and the
tenth statement answered 500 internal). And the slots must outnumber the
statements the server's code gives its readers."""
import os
import re

from harness import Client, Server, Suite, add_member, create_token, page

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def test_one_thread_every_reader(t):
    with Server(args=["--threads", "1", "--poll-duration", "3600"]) as srv:
        pw = add_member(srv.data_dir, "root", admin=True, display="Rosa Root")
        add_member(srv.data_dir, "ann")
        adm = Client(srv)
        adm.login("root", pw)
        token = create_token(srv.data_dir, "root")
        pid = Client(srv, token=token).post("/api/v1/polls", {
            "nominee": "Grace Hopper", "statement": "Good work."}).json()["id"]
        statuses = {}
        for path in ("/", f"/polls/{pid}", "/admin/members", "/admin/audit", "/admin/mail",
                     "/admin/webhooks", "/admin/decryptions", "/admin/councils",
                     "/account", "/account/tokens", "/"):
            statuses[path] = page(adm, path).status
        bad = {p: s for p, s in statuses.items() if s != 200}
        t.eq(bad, {}, "every admin page on one thread answers 200")
        api = Client(srv, token=token)
        for path in ("/api/v1/polls", f"/api/v1/polls/{pid}", "/api/v1/decryptions"):
            t.eq(api.get(path).status, 200, f"then a token's {path} on the same thread")


def test_slots_outnumber_statements(t):
    names = set()
    for folder, _, files in os.walk(os.path.join(ROOT, "server")):
        for f in files:
            if f.endswith(".c"):
                with open(os.path.join(folder, f)) as fh:
                    names |= set(re.findall(r"store_read_stmt\(\s*\w+\s*,\s*(\w+)", fh.read()))
    with open(os.path.join(ROOT, "server", "store", "store_read.c")) as fh:
        slots = int(re.search(r"#define READ_STMTS\s+(\d+)", fh.read()).group(1))
    t.check(len(names) >= 9 and len(names) <= slots // 2,
            f"{len(names)} reader statements in server/, at most half of READ_STMTS ({slots})")


if __name__ == "__main__":
    s = Suite("test_store_read")
    s.run(test_one_thread_every_reader, test_slots_outnumber_statements)
    s.finish()
