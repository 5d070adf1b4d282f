#!/usr/bin/env python3
"""sizes.py — the size rules of server/: no file over 800 lines, no function
over 60.

A function is counted as the before-stop hook's ctags count it: from the line
that names it (the first line of its signature, at column 0) to its closing
brace at column 0, both included. Our style puts a definition's signature at
column 0 (continuations indented), its opening brace alone at column 0, and
its closing brace alone at column 0, so no C parser is needed.

    python3 tools/sizes.py [SERVER_DIR]    list each offender; exit 1 if any

tests/integration/test_sizes.py runs it in `make test`.
"""
import os
import re
import sys

FILE_MAX = 800
FUNCTION_MAX = 60

NAME_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def functions(text):
    """[(name, first_line, last_line)] of the function definitions in TEXT
    (lines numbered from 1)."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        if lines[i] == "{":
            start = i - 1
            while start > 0 and lines[start][:1] in (" ", "\t"):
                start -= 1
            end = i + 1
            while end < len(lines) and not lines[end].startswith("}"):
                end += 1
            sig = " ".join(lines[start:i])
            m = NAME_RE.search(sig)
            if m and "=" not in sig:        # not an initialised table
                out.append((m.group(1), start + 1, end + 1))
            i = end
        i += 1
    return out


def offenders(server_dir):
    """Each file over FILE_MAX lines and function over FUNCTION_MAX, as text."""
    bad = []
    for root, _, files in sorted(os.walk(server_dir)):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, os.path.dirname(os.path.abspath(server_dir)))
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            n = text.count("\n")
            if n > FILE_MAX:
                bad.append(f"{rel}: {n} lines (at most {FILE_MAX})")
            if f.endswith(".c"):
                for name, first, last in functions(text):
                    if last - first + 1 > FUNCTION_MAX:
                        bad.append(f"{rel}:{first}: {name}() has {last - first + 1} lines "
                                   f"(at most {FUNCTION_MAX})")
    return bad


def main(argv):
    server = argv[1] if len(argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "server")
    bad = offenders(server)
    for line in bad:
        print(line)
    print(f"sizes: {len(bad)} over the limits" if bad else
          f"sizes: every file <= {FILE_MAX} lines, every function <= {FUNCTION_MAX}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
