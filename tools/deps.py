#!/usr/bin/env python3
"""deps.py — the include graph of server/ by layer, and the rules it keeps.

Every C file and header of server/ belongs to a module (x.c and x.h are
module x; a private header x_internal.h or x_int.h is x's too; a file split
off a module for size is declared a part of it in PARTS) and every module
to one layer, declared here and nowhere else (LAYERS); its files sit in the
layer's folder, server/LAYER/, so the tree shows the layers. Dependencies
point one way: a module includes headers of its own layer, or of a layer its
layer may reach (MAY_INCLUDE); and the graph of modules has no cycle. The
README's Layout section shows the same table (--readme prints it).

    python3 tools/deps.py [SERVER_DIR]          check; exit 1 naming each violation
    python3 tools/deps.py --graph [SERVER_DIR]  the layers and their modules' edges
    python3 tools/deps.py --dot [SERVER_DIR]    the same for Graphviz (dot -Tsvg)
    python3 tools/deps.py --readme              the table of allowed edges (Markdown)

tests/integration/test_layers.py runs the check in `make test`.
"""
import fnmatch
import os
import re
import sys

# Top to bottom: (layer, what it holds, its modules: names or fnmatch
# patterns; an exact name anywhere wins over a pattern).
LAYERS = [
    ("cli", "the program: start-up and shutdown, the command line and its clients",
     ["main", "serve", "cli", "cli_*"]),
    ("http", "the daemon (libmicrohttpd), its guard against slow clients, the route table",
     ["http", "http_guard", "route"]),
    ("api", "the JSON API's handlers", ["api", "api_*"]),
    ("web", "the HTML pages' handlers, their forms, flashes and static files",
     ["web", "web_*", "assets"]),
    ("request", "a request as its handler sees it; the cookies; the table from an outcome "
     "(enum cv_err) to HTTP status, error code and message",
     ["http_request", "cookie", "http_error"]),
    ("domain", "polls (opening, closing, what a member sees, the result), the cast path, "
     "accounts and sessions, councils of trustees and their key ceremony, a sealed poll's "
     "decryption (and the admins told when it stalls), the mails, the mailer and the poll "
     "notices, the poll events' mails and "
     "webhook deliveries, the webhook's delivery thread, the outgoing URLs' loopback rule",
     ["poll", "poll_close", "poll_decrypt", "poll_stall", "nominee", "poll_view", "poll_result", "ballotbox",
      "auth", "auth_*", "council", "mail", "mailer", "notice", "oidc", "oidc_fetch", "consent",
      "event", "webhook", "url"]),
    ("store", "SQLite: the rows, transactions, the WAL, the stored board",
     ["store", "store_*", "schema", "board_stream"]),
    ("protocol", "the protocol's data and cryptography (records, ballots, proofs, tally, "
     "board, signatures, strict JSON; the trustees' key ceremony and shares; OpenID ID tokens "
     "and the provider's keys)",
     ["proto", "crypto", "group", "pubmul", "proof", "proof_*", "sign", "sjson", "jscan", "record",
      "record_*", "ballot", "ballot_*", "tally", "tally_*", "board", "board_*", "ceremony", "ceremony_*", "poly", "trustee",
      "jwks", "jwt"]),
    ("base", "leaves: configuration, log, memory, text (UTF-8, names, Markdown), templates, "
     "the flash table, rate limits, the app struct, the one error enum (err.h), a background "
     "worker thread",
     ["config", "log", "heap", "app", "err", "utf8", "name", "statement", "tmpl", "tmpl_*", "flash",
      "ratelimit", "worker"]),
]

# The layers a layer may include besides its own.
MAY_INCLUDE = {
    "cli": ["http", "api", "web", "request", "domain", "store", "protocol", "base"],
    "http": ["api", "web", "request", "base"],
    "api": ["request", "domain", "store", "protocol", "base"],
    "web": ["request", "domain", "store", "protocol", "base"],
    "request": ["base"],
    "domain": ["store", "protocol", "base"],
    "store": ["base"],
    "protocol": ["base"],
    "base": [],
}

# Files that are parts of another module, split off for size: they share its
# private header (x_internal.h), so they count as that module.
PARTS = {
    "auth_account": "auth", "auth_import": "auth", "auth_member": "auth",
    "tmpl_value": "tmpl", "auth_oidc": "auth", "oidc_login": "oidc", "config_oidc": "config", "record_threshold": "record", "ballot_read_json": "ballot_read",
}

# Cycles that exist and have an owner working on them: (modules, who, why).
# Each must still be a cycle: once it is gone, its entry must go too.
KNOWN_CYCLES = [
]

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module_of(filename):
    """x.c, x.h, x_internal.h and x_int.h are module x (or PARTS[x])."""
    stem = os.path.splitext(os.path.basename(filename))[0]
    for suffix in ("_internal", "_int"):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    return PARTS.get(stem, stem)


def layer_of(module):
    """The layer declared for MODULE, or None."""
    for name, _, members in LAYERS:
        if module in members:
            return name
    for name, _, members in LAYERS:
        if any(fnmatch.fnmatchcase(module, p) for p in members if any(c in p for c in "*?[")):
            return name
    return None


def scan(server_dir):
    """The files of SERVER_DIR (its layers' folders and, wrongly, its top) and
    their includes of its headers: {file: [header, ...]}, each file named by
    its path under SERVER_DIR ("domain/poll.c"), each header by its name (every
    folder is on the include path)."""
    files = []
    for top, dirs, names in os.walk(server_dir):
        dirs.sort()
        rel = os.path.relpath(top, server_dir)
        files += [f if rel == "." else f"{rel}/{f}" for f in names if f.endswith((".c", ".h"))]
    present = {os.path.basename(f) for f in files}
    graph = {}
    for f in sorted(files):
        with open(os.path.join(server_dir, f), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        graph[f] = [h for h in INCLUDE_RE.findall(text) if h in present]
    return graph


def folder_of(path):
    """The folder of a file under server/ ("domain" for "domain/poll.c"; "" at the top)."""
    return os.path.dirname(path)


def module_edges(graph):
    """{(from_module, to_module): [(file, header), ...]} without self-edges."""
    edges = {}
    for f, headers in graph.items():
        for h in headers:
            a, b = module_of(f), module_of(h)
            if a != b:
                edges.setdefault((a, b), []).append((f, h))
    return edges


def cycles(modules, edges):
    """The strongly connected components of more than one module (Tarjan)."""
    succ = {m: sorted({b for (a, b) in edges if a == m}) for m in modules}
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in succ.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    sys.setrecursionlimit(max(1000, 4 * len(modules)))
    for m in sorted(modules):
        if m not in index:
            visit(m)
    return out


def cycle_path(comp, edges):
    """One cycle through the modules of COMP, as 'a -> b -> a'."""
    start = min(comp)
    path, seen = [start], {start}
    while True:
        nxt = sorted(b for (a, b) in edges if a == path[-1] and b in comp)
        back = [b for b in nxt if b == start]
        if back and len(path) > 1:
            return " -> ".join(path + [start])
        fresh = [b for b in nxt if b not in seen]
        if not fresh:
            return " -> ".join(path + [nxt[0]]) if nxt else " <-> ".join(sorted(comp))
        path.append(fresh[0])
        seen.add(fresh[0])


def check(server_dir):
    """Every violation of the rules in SERVER_DIR, as lines of text."""
    graph = scan(server_dir)
    modules = {module_of(f) for f in graph}
    edges = module_edges(graph)
    bad = []
    for f in graph:
        layer = layer_of(module_of(f))
        if layer is None:
            bad.append(f"server/{f}: module {module_of(f)} has no layer: declare it in "
                       f"LAYERS (tools/deps.py) and in the README's Layout")
        elif folder_of(f) != layer:
            bad.append(f"server/{f}: module {module_of(f)} is in layer {layer}: "
                       f"move it to server/{layer}/")
    for (a, b), sites in sorted(edges.items()):
        la, lb = layer_of(a), layer_of(b)
        if la is None or lb is None or la == lb or lb in MAY_INCLUDE[la]:
            continue
        for f, h in sites:
            bad.append(f"server/{f} includes {h}: {la} -> {lb} points the wrong way "
                       f"({la} may include {', '.join(MAY_INCLUDE[la]) or 'nothing else'})")
    found = cycles(modules, edges)
    for comp in found:
        if any(comp == known for known, _, _ in KNOWN_CYCLES):
            continue
        sites = sorted(f"server/{f} includes {h}" for (a, b), s in edges.items()
                       if a in comp and b in comp for f, h in s)
        bad.append(f"cycle {cycle_path(comp, edges)} ({'; '.join(sites)})")
    for known, who, why in KNOWN_CYCLES:
        if known not in found:
            bad.append(f"KNOWN_CYCLES lists {' <-> '.join(sorted(known))} ({who}: {why}), "
                       f"which is no cycle any more: remove it from tools/deps.py")
    return bad


def layered(server_dir):
    """{layer: {module: [module it includes, ...]}} in LAYERS order."""
    graph = scan(server_dir)
    edges = module_edges(graph)
    out = {name: {} for name, _, _ in LAYERS}
    out[None] = {}
    for m in sorted({module_of(f) for f in graph}):
        out[layer_of(m)][m] = sorted({b for (a, b) in edges if a == m})
    return out


def print_graph(server_dir):
    by_layer = layered(server_dir)
    for name, what, _ in LAYERS:
        print(f"{name}: {what}")
        for m, deps in by_layer[name].items():
            print(f"    {m}" + (f" -> {', '.join(deps)}" if deps else ""))
    if by_layer[None]:
        print("(no layer): " + ", ".join(by_layer[None]))


def print_dot(server_dir):
    by_layer = layered(server_dir)
    print("digraph conclave {\n  rankdir=TB;\n  node [shape=box, fontsize=10];")
    for i, (name, _, _) in enumerate(LAYERS):
        print(f'  subgraph cluster_{i} {{ label="{name}"; ' +
              " ".join(f'"{m}";' for m in by_layer[name]) + " }")
    for layer in by_layer.values():
        for m, deps in layer.items():
            for d in deps:
                print(f'  "{m}" -> "{d}";')
    print("}")


def readme_table():
    """The Markdown table of layers and allowed edges in the README's Layout."""
    rows = ["| layer (`server/LAYER/`) | modules | may include, besides its own layer |",
            "|---|---|---|"]
    for name, _, members in LAYERS:
        mods = ", ".join(f"`{m}`" for m in members)
        may = ", ".join(MAY_INCLUDE[name]) or "nothing"
        rows.append(f"| {name} | {mods} | {may} |")
    return "\n".join(rows)


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    server_dir = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "server")
    if "--readme" in argv:
        print(readme_table())
        return 0
    if "--graph" in argv:
        print_graph(server_dir)
        return 0
    if "--dot" in argv:
        print_dot(server_dir)
        return 0
    bad = check(server_dir)
    for line in bad:
        print(line, file=sys.stderr)
    graph = scan(server_dir)
    print(f"deps: {len(graph)} files, {len({module_of(f) for f in graph})} modules, "
          f"{len(LAYERS)} layers: " + ("ok" if not bad else f"{len(bad)} violations"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
