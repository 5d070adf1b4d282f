#!/bin/sh
# Builds every libFuzzer target in build-fuzz/ (clang, ASan + UBSan, the
# server objects minus main.c) and runs each for SECONDS (default 30),
# seeded from tests/vectors/. Each target first replays the crashing inputs
# kept in tests/fuzz/regressions/TARGET/ (also replayed by `make test`, see
# tests/test_fuzz_regressions.c). Exits non-zero if a target finds a crash;
# the input is then in build-fuzz/crashes/TARGET/: fix the bug and copy the
# input into tests/fuzz/regressions/TARGET/.
#   sh tests/fuzz/run.sh [SECONDS] [TARGET...]
set -eu
SECONDS_EACH=${1:-30}
[ $# -gt 0 ] && shift
TARGETS=${*:-"ballot board tmpl web_form http crypto pubmul record statement ceremony ceremony_message record_threshold jwt jwks"}
cd "$(dirname "$0")/../.."
OUT=build-fuzz
CC=${FUZZ_CC:-clang}
PKGS="libmicrohttpd libsodium sqlite3 jansson libcmark libcrypto"
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -fno-omit-frame-pointer \
 -fsanitize=address,undefined -fno-sanitize-recover=undefined -pthread $(for d in server/*/; do printf -- '-I%s ' "${d%/}"; done) -I$OUT \
 $(pkg-config --cflags $PKGS) -isystem /usr/include/decaf"
# libunistring and libdecaf (fuzz_pubmul's second reference): no .pc on Debian
LIBS="$(pkg-config --libs $PKGS) -ldecaf -lunistring -pthread -lm"
mkdir -p "$OUT/obj"

# The server objects (minus main.c) in an archive: a target links only the
# objects it needs, so another module's unusual dependency cannot break it.
# An object that does not compile is left out (and reported).
objs=""
for src in server/*/*.c; do
    name=$(basename "$src" .c)
    [ "$name" = main ] && continue
    obj="$OUT/obj/$name.o"
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find server -name '*.h' -newer "$obj")" ]; then
        if ! $CC $CFLAGS -fsanitize=fuzzer-no-link -c -o "$obj" "$src" 2>"$OUT/obj/$name.err"; then
            echo "fuzz: $src does not compile, left out (see $OUT/obj/$name.err)"
            rm -f "$obj"
            continue
        fi
    fi
    objs="$objs $obj"
done
# The embedded schema and templates, as the Makefile makes them (the store
# and the pages of fuzz_http need them).
sh schema/embed.sh schema/[0-9][0-9][0-9]_*.sql >"$OUT/schema_gen.c"
sh templates/embed.sh templates/*.html >"$OUT/templates_gen.c"
for gen in schema_gen templates_gen; do
    $CC $CFLAGS -fsanitize=fuzzer-no-link -c -o "$OUT/obj/$gen.o" "$OUT/$gen.c"
    objs="$objs $OUT/obj/$gen.o"
done
rm -f "$OUT/libserver.a"
ar rcs "$OUT/libserver.a" $objs

# Seeds: every ballot and board of the vectors.
python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
vec = "tests/vectors"
def put(kind, name, text):
    d = os.path.join(out, "seeds", kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w", encoding="utf-8") as f:
        f.write(text)
def compact(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
b = json.load(open(os.path.join(vec, "ballots.json"), encoding="utf-8"))
for x in b["ballots"] + [b["replacement"]]:
    put("ballot", "valid-" + x["name"], compact(x["ballot"]))
inv = json.load(open(os.path.join(vec, "invalid-ballots.json"), encoding="utf-8"))
for c in inv["cases"]:
    put("ballot", "invalid-" + c["name"], c.get("ballot_text") or compact(c["ballot"]))
board = json.load(open(os.path.join(vec, "board.json"), encoding="utf-8"))
for i, x in enumerate(board["ballots"][:3]):
    put("ballot", "board-form-%d" % i, compact(x))
for name in os.listdir(vec):
    if name.startswith("board") and name.endswith(".json"):
        put("board", name, open(os.path.join(vec, name), encoding="utf-8").read())
# The threshold addendum: boards, the ceremony and its messages, the record.
tvec = os.path.join(vec, "threshold")
for name in os.listdir(tvec):
    if name.startswith("board") and name.endswith(".json"):
        put("board", "threshold-" + name, open(os.path.join(tvec, name), encoding="utf-8").read())
cer = json.load(open(os.path.join(tvec, "ceremony.json"), encoding="utf-8"))["transcript"]
put("ceremony", "transcript", compact(cer))
put("ceremony", "setup", compact({k: cer[k] for k in ("id", "t", "trustees")}))
for c in json.load(open(os.path.join(tvec, "invalid.json"), encoding="utf-8"))["cases"]:
    if "ceremony" in c:
        put("ceremony", "invalid-" + c["name"], compact(c["ceremony"]))
    else:
        put("board", "threshold-invalid-" + c["name"], json.dumps(c["board"], indent=2,
                                                                  ensure_ascii=False))
put("ceremony_message", "registration-1", compact(cer["trustees"][0]))
for i, d in enumerate(cer["dealings"]):
    put("ceremony_message", "dealing-%d" % (i + 1), compact(d))
for i, v in enumerate(cer["verdicts"]):
    put("ceremony_message", "verdict-%d" % (i + 1), compact(v))
for i, e in enumerate(json.load(open(os.path.join(tvec, "board.json"),
                                     encoding="utf-8"))["decryptions"]):
    put("ceremony_message", "entry-%d" % i, compact(e))
put("record_threshold", "poll-t1",
    compact(json.load(open(os.path.join(tvec, "poll.json"), encoding="utf-8"))["record"]))
for p in json.load(open(os.path.join(vec, "poll.json"), encoding="utf-8"))["polls"]:
    put("record_threshold", p["record"]["id"], compact(p["record"]))
# The page templates, and forms like the pages post (web_form.c).
for name in os.listdir("templates"):
    if name.endswith(".html"):
        put("tmpl", name, open(os.path.join("templates", name), encoding="utf-8").read())
put("tmpl", "partial", "{{#l}}{{>p}}{{/l}}\0[{{i}}{{#even}}e{{/even}}{{{x}}}]")
for i, body in enumerate(["username=ada&password=p%40ss+word&login_token=00ff&next=%2F",
                          "csrf_token=ab&nominee=Grace+Hopper&statement=%2A%2AYes%2A%2A%0D%0A",
                          "action=add&username=x&display_name=caf%C3%A9&admin=1", ""]):
    put("web_form", "form-%d" % i, body)
# Points, scalars and hex of the vectors (crypto.h's decoders).
def hexes(v):
    if isinstance(v, str):
        if len(v) == 64 and all(c in "0123456789abcdef" for c in v):
            yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from hexes(x)
    elif isinstance(v, list):
        for x in v:
            yield from hexes(x)
seen = set()
for name in ("poll.json", "ballots.json", "proofs.json"):
    path = os.path.join(vec, name)
    if os.path.exists(path):
        for h in hexes(json.load(open(path, encoding="utf-8"))):
            if h not in seen and len(seen) < 64:
                seen.add(h)
                put("crypto", "hex-%d" % len(seen), h)
                put("crypto", "raw-%d" % len(seen), bytes.fromhex(h).decode("latin-1"))
put("crypto", "l", "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
put("crypto", "bit255", "00" * 31 + "80")
# fuzz_pubmul: P, Q, s, c as raw bytes, from the vectors' points and scalars.
hx = sorted(seen)
d = os.path.join(out, "seeds", "pubmul")
os.makedirs(d, exist_ok=True)
for i in range(0, max(len(hx) - 3, 0)):
    with open(os.path.join(d, "vec-%d" % i), "wb") as f:
        f.write(bytes.fromhex("".join(hx[i:i + 4])) + bytes([i % 7, i % 5]))
# Poll records (PROTOCOL §3), as a server would send them to `conclave vote`.
for p in json.load(open(os.path.join(vec, "poll.json"), encoding="utf-8"))["polls"]:
    put("record", p["record"]["id"], compact(p["record"]))
# Whole HTTP requests for every route, with fuzz_http.c's fixed credentials.
TOKEN = "cnv_fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuz"
SESSION = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
CSRF = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
def req(method, path, body=None, headers=(), ctype="application/json"):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"] + list(headers)
    if body is not None:
        data = body.encode("utf-8")
        lines += [f"Content-Type: {ctype}", f"Content-Length: {len(data)}"]
    return "\r\n".join(lines) + "\r\n\r\n" + (body or "")
bearer = ["Authorization: Bearer " + TOKEN]
cookie = ["Cookie: conclave_session=" + SESSION, "X-CSRF-Token: " + CSRF]
form = "application/x-www-form-urlencoded"
yes = next(x for x in b["ballots"] if x["poll"] == "poll-1")
http = {
    "healthz": req("GET", "/healthz"),
    "login": req("POST", "/api/v1/session", '{"username":"basil","password":"fuzz-password-1"}'),
    "login-bad": req("POST", "/api/v1/session", '{"username":"basil","password":"nope-nope-1"}'),
    "login-rotate": req("POST", "/api/v1/session",
                        '{"username":"polly","password":"fuzz-password-1"}',
                        ["Cookie: conclave_session=" + "ab" * 32]),
    "logout": req("DELETE", "/api/v1/session", None, cookie),
    "me-bearer": req("GET", "/api/v1/me", None, bearer),
    "me-cookie": req("GET", "/api/v1/me", None, ["Cookie: a=b; conclave_session=" + SESSION
                                                  + "; c=d"]),
    "poll-create": req("POST", "/api/v1/polls",
                       '{"nominee":"Grace Hopper","statement":"**Yes** <b>x</b> [a](b)"}', bearer),
    "poll-create-cookie": req("POST", "/api/v1/polls",
                              '{"nominee":"Ada L","statement":"# Title\\n\\n- a\\n- b"}', cookie),
    "polls": req("GET", "/api/v1/polls", None, bearer),
    "poll": req("GET", "/api/v1/polls/poll-1", None, bearer),
    "result": req("GET", "/api/v1/polls/poll-1/result"),
    "board": req("GET", "/api/v1/polls/poll-1/board"),
    "ballot": req("POST", "/api/v1/polls/poll-1/ballots", compact(yes["ballot"]), bearer),
    "ballot-invalid": req("POST", "/api/v1/polls/poll-1/ballots",
                          compact(inv["cases"][0].get("ballot") or {}), bearer),
    "server-key": req("GET", "/api/v1/server-key"),
    "home": req("GET", "/", None, cookie),
    "login-page": req("GET", "/login?next=/polls/poll-1"),
    "login-form": req("POST", "/login", "username=basil&password=fuzz-password-1&login_token="
                      + CSRF + "&next=%2F", ["Cookie: conclave_login=" + CSRF], form),
    "logout-form": req("POST", "/logout", "csrf_token=" + CSRF, cookie, form),
    "poll-new": req("GET", "/polls/new", None, cookie),
    "poll-new-form": req("POST", "/polls/new", "csrf_token=" + CSRF
                         + "&nominee=Linus&statement=%2A%2Ahi%2A%2A", cookie, form),
    "poll-page": req("GET", "/polls/poll-1", None, cookie),
    "result-page": req("GET", "/polls/poll-1/result", None, cookie),
    "admin": req("GET", "/admin/members", None, cookie),
    "admin-add": req("POST", "/admin/members", "csrf_token=" + CSRF
                     + "&action=add&username=newbie&display_name=New+Bie&email=a%40b.c",
                     cookie + ["Origin: http://127.0.0.1"], form),
    "static": req("GET", "/static/css/site.css"),
    "too-large": "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n",
    "chunked": "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               "5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n",
    "expect": "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
              "Content-Length: 2\r\n\r\n{}",
    "http10": "GET /api/v1/me HTTP/1.0\r\nAuthorization: bearer " + TOKEN + "\r\n\r\n",
    "pipelined": req("GET", "/healthz") + req("GET", "/api/v1/me", None, bearer),
}
for name, text in http.items():
    put("http", name, text)
# ID tokens and JWKS documents: the kept inputs (fuzz_jwt.c, fuzz_jwks.c).
for kind in ("jwt", "jwks"):
    d = os.path.join("tests/fuzz/regressions", kind)
    for name in os.listdir(d):
        put(kind, name, open(os.path.join(d, name), encoding="latin-1").read())
PY

status=0
for target in $TARGETS; do
    bin="$OUT/fuzz_$target"
    $CC $CFLAGS -fsanitize=fuzzer -o "$bin" "tests/fuzz/fuzz_$target.c" "$OUT/libserver.a" $LIBS
    corpus="$OUT/corpus/$target"
    mkdir -p "$corpus" "$OUT/crashes/$target"
    dict=tests/fuzz/protocol.dict
    [ -f "tests/fuzz/$target.dict" ] && dict="tests/fuzz/$target.dict"
    [ "$target" = jwks ] && dict=tests/fuzz/jwt.dict
    regress="tests/fuzz/regressions/$target"
    if [ -d "$regress" ] && [ -n "$(ls "$regress")" ]; then
        if ! ASAN_OPTIONS=detect_leaks=1 "$bin" "$regress"/* >"$OUT/regress_$target.log" 2>&1; then
            echo "fuzz_$target: a kept regression input fails again (see $OUT/regress_$target.log)"
            tail -n 30 "$OUT/regress_$target.log"
            status=1
            continue
        fi
        echo "fuzz_$target: $(ls "$regress" | wc -l) regression inputs pass"
    fi
    echo "fuzz_$target: $SECONDS_EACH s"
    if ! ASAN_OPTIONS=detect_leaks=1 "$bin" -max_total_time="$SECONDS_EACH" -max_len=65536 \
         -dict="$dict" -artifact_prefix="$OUT/crashes/$target/" \
         -print_final_stats=1 "$corpus" "$OUT/seeds/$target" > "$OUT/fuzz_$target.log" 2>&1; then
        echo "fuzz_$target: FAILED (see $OUT/fuzz_$target.log and $OUT/crashes/$target/)"
        tail -n 30 "$OUT/fuzz_$target.log"
        status=1
    else
        grep -aE 'stat::number_of_executed_units|Done' "$OUT/fuzz_$target.log" | tail -n 2
    fi
done
exit $status
