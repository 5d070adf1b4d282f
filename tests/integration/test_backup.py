"""Backup and restore as the README says: a live server with an open poll is
backed up with the README's own command, stopped, restored with the README's
own command into a new data directory, and started on it; the poll goes on,
more ballots are cast, it closes, and the result counts every ballot the
backup held and the new ones, on a board `conclave verify` accepts with the
server's (restored) key.
"""
import os
import re
import shlex
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import (BIN, Client, Server, Suite, add_member, close_now,  # noqa: E402
                     create_token, run_cli, wait_result)


def readme_commands():
    """The backup and restore commands of the README's "Backup and restore",
    as written there (an indented code line each, comment dropped)."""
    with open("README.md") as f:
        text = f.read()
    section = text[text.index("### Backup and restore"):]
    found = {}
    for line in section.splitlines():
        m = re.match(r"^    ((conclave backup|cp -a) [^#]*?)\s*(#.*)?$", line)
        if m and m.group(2) not in found:
            found[m.group(2)] = m.group(1)
    return found["conclave backup"], found["cp -a"]


def run_readme(command, **paths):
    """Runs a README command with its placeholders (BACKUP_DIR, DATA_DIR) set
    to PATHS and `conclave` being the binary under test."""
    argv = shlex.split(command)
    argv = [paths.get(a, a) for a in argv]
    if argv[0] == "conclave":
        argv[0] = BIN
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def vote(srv, token, pid, choice, home):
    p = subprocess.run([BIN, "vote", "--server", f"http://127.0.0.1:{srv.port}", pid, choice],
                       capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, HOME=home, XDG_DATA_HOME="", CONCLAVE_TOKEN=token))
    return p.returncode, p.stderr


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_backup_restore(t):
    backup_cmd, restore_cmd = readme_commands()
    t.check("BACKUP_DIR" in backup_cmd and "DATA_DIR" in backup_cmd and
            "BACKUP_DIR" in restore_cmd and "DATA_DIR" in restore_cmd,
            f"the README's commands ({backup_cmd!r}, {restore_cmd!r})")
    work = tempfile.mkdtemp(prefix="conclave-backup-")
    names = [f"m{i}" for i in range(7)]
    homes = {n: os.path.join(work, "homes", n) for n in names}
    backup = os.path.join(work, "backup-1")
    restored = os.path.join(work, "restored")
    srv = Server(args=["--poll-duration", "3600"]).start()
    srv2 = None
    try:
        tokens = {}
        for n in names:
            add_member(srv.data_dir, n)
            tokens[n] = create_token(srv.data_dir, n)
        pid = Client(srv, token=tokens["m0"]).post(
            "/api/v1/polls", {"nominee": "Backed Up", "statement": "s"}).json()["id"]
        key_before = srv.request("GET", "/api/v1/server-key").body
        for n, c in (("m0", "yes"), ("m1", "yes"), ("m2", "no")):
            rc, err = vote(srv, tokens[n], pid, c, homes[n])
            t.eq(rc, 0, f"{n} votes {c} before the backup ({err})")
        p = run_readme(backup_cmd, BACKUP_DIR=backup, DATA_DIR=srv.data_dir)
        t.check(p.returncode == 0 and "1 poll was open" in p.stdout and "secret key" in p.stdout,
                f"the README's backup command, server running ({p.stdout!r} {p.stderr!r})")
        t.check(sorted(os.listdir(backup)) == ["conclave.db", "receipt-key"] and
                mode(backup) == 0o700 and mode(os.path.join(backup, "conclave.db")) == 0o600 and
                mode(os.path.join(backup, "receipt-key")) == 0o600,
                "the backup: the database and the key, 0700 / 0600")
        con = sqlite3.connect(os.path.join(backup, "conclave.db"))
        key = con.execute("select secret_key from polls where id = ?", (pid,)).fetchone()[0]
        con.close()
        t.check(isinstance(key, bytes) and len(key) == 32,
                "as the README and SECURITY.md say, a copy taken mid-poll holds the poll's key")
        rc, err = vote(srv, tokens["m3"], pid, "no", homes["m3"])
        t.eq(rc, 0, "m3 votes after the backup (that ballot will be lost)")
        t.eq(srv.stop(), 0, "the server stops")
        p = run_readme(restore_cmd, BACKUP_DIR=backup, DATA_DIR=restored)
        t.check(p.returncode == 0 and mode(restored) == 0o700 and
                mode(os.path.join(restored, "conclave.db")) == 0o600,
                f"the README's restore command, into a new data directory ({p.stderr!r})")
        srv2 = Server(data_dir=restored, args=["--poll-duration", "3600"]).start()
        t.eq(srv2.request("GET", "/api/v1/server-key").body, key_before,
             "the restored server signs with the same key")
        view = Client(srv2, token=tokens["m0"]).get(f"/api/v1/polls/{pid}").json()
        t.check(view["state"] == "open" and view["ballots_cast"] == 3,
                f"the poll is open with the backup's 3 ballots ({view['ballots_cast']})")
        rc, err = vote(srv2, tokens["m1"], pid, "no", homes["m1"])
        t.check(rc != 0 and "already voted" in err, "a voter of the backup has voted")
        for n, c in (("m3", "yes"), ("m4", "yes"), ("m5", "yes"), ("m6", "no")):
            rc, err = vote(srv2, tokens[n], pid, c, homes[n])
            t.eq(rc, 0, f"{n} votes {c} after the restore ({err})")
        close_now(srv2, pid)
        res = wait_result(srv2, pid)
        t.check(res["counts"] == [5, 2] and res["ballots"] == 7,
                f"the close counts the backup's 3 ballots and the 4 new ones ({res['counts']})")
        board = os.path.join(work, "board.json")
        pem = os.path.join(work, "server.pem")
        with open(board, "wb") as f:
            f.write(srv2.request("GET", f"/api/v1/polls/{pid}/board").body)
        with open(pem, "wb") as f:
            f.write(key_before)
        rc, out, err = run_cli(["verify", board, "--server-key", pem])
        t.check(rc == 0 and out.startswith("board ok: 7 ballots, counts [5, 2]"),
                f"conclave verify with the original key ({out}{err})")
        p = run_readme(backup_cmd, BACKUP_DIR=backup, DATA_DIR=restored)
        t.check(p.returncode == 1 and "a backup goes to a new directory" in p.stderr,
                "a backup never overwrites another")
        p = run_readme(backup_cmd, BACKUP_DIR=os.path.join(work, "backup-2"), DATA_DIR=restored)
        t.check(p.returncode == 0 and "open" not in p.stdout,
                f"between polls a backup holds no poll key ({p.stdout!r})")
    finally:
        srv.cleanup()
        if srv2 is not None:
            srv2.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    suite = Suite("test_backup")
    suite.run(test_backup_restore)
    suite.finish()
