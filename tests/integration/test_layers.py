"""The include graph of server/ keeps its layers (tools/deps.py): every module
has a declared layer, every include points down or within its layer, there
is no cycle, and the README's Layout shows the table the check enforces. The
checker itself is tried on broken copies of server/: an edge pointing the
wrong way, a cycle inside one layer, a file of no layer, a stale entry of
KNOWN_CYCLES, each named in its report, and the command's exit status.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import Suite  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import deps  # noqa: E402

SERVER = os.path.join(ROOT, "server")
DEPS = os.path.join(ROOT, "tools", "deps.py")


def broken_copy(edits):
    """A copy of server/'s sources with EDITS ({path under server/: text
    appended, or None to delete it}); the caller removes the directory."""
    tmp = tempfile.mkdtemp(prefix="conclave-layers-")
    shutil.rmtree(tmp)
    shutil.copytree(SERVER, tmp)
    for f, text in edits.items():
        path = os.path.join(tmp, f)
        if text is None:
            os.remove(path)
        else:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(text)
    return tmp


def test_tree(t):
    bad = deps.check(SERVER)
    for line in bad:
        t.check(False, line)
    t.check(not bad, f"server/ keeps its layers ({len(bad)} violations)")
    by_layer = deps.layered(SERVER)
    t.check(not by_layer[None], f"every module has a layer (none: {sorted(by_layer[None])})")
    handlers = {**by_layer["api"], **by_layer["web"]}
    daemon = [m for m, d in handlers.items() if "http" in d]
    t.check(handlers and not daemon, f"no handler includes the daemon's http.h ({daemon})")
    web_to_api = [m for m, d in by_layer["web"].items() if "api" in d]
    t.check(not web_to_api, f"no page includes the API's api.h ({web_to_api})")


def test_wrong_way(t):
    tmp = broken_copy({"api/api.c": '\n#include "web.h"\n',
                       "store/store_member.c": '\n#include "poll.h"\n'})
    try:
        bad = deps.check(tmp)
        t.check(any("server/api/api.c includes web.h: api -> web" in b for b in bad),
                f"api -> web reported: {bad}")
        t.check(any("server/store/store_member.c includes poll.h: store -> domain" in b for b in bad),
                f"store -> domain reported: {bad}")
    finally:
        shutil.rmtree(tmp)


def test_cycle(t):
    tmp = broken_copy({"protocol/crypto.c": '\n#include "ballot.h"\n'})
    try:
        bad = [b for b in deps.check(tmp) if b.startswith("cycle ")]
        t.check(len(bad) == 1 and "ballot" in bad[0] and "crypto" in bad[0] and
                "server/protocol/crypto.c includes ballot.h" in bad[0],
                f"the cycle crypto -> ballot -> ... -> crypto reported once: {bad}")
    finally:
        shutil.rmtree(tmp)


def test_undeclared_and_stale(t):
    tmp = broken_copy({"base/mystery.c": '#include "log.h"\n'})
    os.rename(os.path.join(tmp, "domain", "poll.c"), os.path.join(tmp, "poll.c"))
    saved = list(deps.KNOWN_CYCLES)
    try:
        bad = deps.check(tmp)
        t.check(any(b.startswith("server/base/mystery.c: module mystery has no layer") for b in bad),
                f"a file of no layer reported: {bad}")
        t.check(any(b == "server/poll.c: module poll is in layer domain: move it to "
                    "server/domain/" for b in bad), f"a file outside its layer's folder: {bad}")
        deps.KNOWN_CYCLES.append(({"crypto", "proof"}, "nobody", "a test"))
        bad = deps.check(SERVER)
        t.check(any("KNOWN_CYCLES lists crypto <-> proof" in b and "no cycle any more" in b
                    for b in bad), f"a stale known cycle reported: {bad}")
    finally:
        deps.KNOWN_CYCLES[:] = saved
        shutil.rmtree(tmp)


def test_command(t):
    ok = subprocess.run([sys.executable, DEPS], capture_output=True, text=True, timeout=60)
    t.check(ok.returncode == 0 and ok.stdout.startswith("deps: ") and ok.stdout.strip()
            .endswith(": ok"), f"tools/deps.py exits 0 on the tree: {ok.returncode} "
            f"{ok.stdout!r} {ok.stderr[:500]!r}")
    tmp = broken_copy({"web/web.c": '\n#include "api.h"\n'})
    try:
        bad = subprocess.run([sys.executable, DEPS, tmp], capture_output=True, text=True,
                             timeout=60)
        t.check(bad.returncode == 1 and "server/web/web.c includes api.h: web -> api" in bad.stderr,
                f"exit 1 naming the edge: {bad.returncode} {bad.stderr[:500]!r}")
    finally:
        shutil.rmtree(tmp)
    graph = subprocess.run([sys.executable, DEPS, "--graph"], capture_output=True, text=True,
                           timeout=60).stdout
    t.check(all(f"{name}: " in graph for name, _, _ in deps.LAYERS) and
            "    route -> api, http_request, web" in graph,
            f"--graph draws every layer and its modules' edges: {graph[:300]!r}")


def test_readme(t):
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    table = deps.readme_table()
    t.check(table in readme, "the README's Layout shows the table tools/deps.py enforces "
            "(python3 tools/deps.py --readme):\n" + table)


if __name__ == "__main__":
    suite = Suite("test_layers")
    suite.run(test_tree, test_wrong_way, test_cycle, test_undeclared_and_stale, test_command,
              test_readme)
    suite.finish()
