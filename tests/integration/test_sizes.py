"""The size rules of server/ (tools/sizes.py): no file over 800 lines, no
function over 60, each offender named. The checker itself is tried on a
made-up tree: a function of 61 lines and a file of 801 are reported, with the
command's exit status; one of 60 lines is not; an initialised table is no
function.
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
import sizes  # noqa: E402

SIZES = os.path.join(ROOT, "tools", "sizes.py")


def function(name, lines):
    """A C function of LINES lines in our style (signature, braces alone)."""
    body = [f"    x += {i};" for i in range(lines - 4)]
    return "\n".join([f"static int {name}(int x,", "              int y)", "{", *body,
                      "}"]) + "\n"


def test_tree(t):
    bad = sizes.offenders(os.path.join(ROOT, "server"))
    for line in bad:
        t.check(False, line)
    t.check(not bad, f"every file of server/ <= 800 lines, every function <= 60 "
                     f"({len(bad)} over)")


def test_checker(t):
    tmp = tempfile.mkdtemp(prefix="conclave-sizes-")
    try:
        os.makedirs(os.path.join(tmp, "server", "base"))
        with open(os.path.join(tmp, "server", "base", "a.c"), "w", encoding="utf-8") as fh:
            fh.write(function("long_one", 61) + "\n" + function("just_right", 60) +
                     "\nstatic const int table[] =\n{\n" + "    1,\n" * 70 + "};\n")
        with open(os.path.join(tmp, "server", "base", "b.h"), "w", encoding="utf-8") as fh:
            fh.write("/* x */\n" * 801)
        found = {name: last - first + 1 for name, first, last in
                 sizes.functions(function("long_one", 61) + function("just_right", 60))}
        t.eq(found, {"long_one": 61, "just_right": 60}, "functions and their lengths")
        r = subprocess.run([sys.executable, SIZES, os.path.join(tmp, "server")],
                           capture_output=True, text=True, timeout=60)
        t.eq(r.returncode, 1, "exit 1 with offenders")
        t.check("server/base/a.c:1: long_one() has 61 lines (at most 60)" in r.stdout,
                f"the long function named with its place: {r.stdout!r}")
        t.check("server/base/b.h: 801 lines (at most 800)" in r.stdout,
                f"the long file named: {r.stdout!r}")
        t.check("just_right" not in r.stdout and "table" not in r.stdout,
                f"60 lines pass, a table is no function: {r.stdout!r}")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    suite = Suite("test_sizes")
    suite.run(test_tree, test_checker)
    suite.finish()
