#!/bin/sh
# Builds every libFuzzer target in build-fuzz/ (clang, ASan + UBSan, the
# server objects minus main.c) and runs each for SECONDS (default 30),
# seeded from tests/vectors/. Exits non-zero if a target finds a crash.
#   sh tests/fuzz/run.sh [SECONDS]
set -eu
SECONDS_EACH=${1:-30}
cd "$(dirname "$0")/../.."
OUT=build-fuzz
CC=${FUZZ_CC:-clang}
PKGS="libmicrohttpd libsodium sqlite3 jansson libcmark libcrypto"
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -fno-omit-frame-pointer \
 -fsanitize=address,undefined -fno-sanitize-recover=undefined -pthread -Iserver -I$OUT \
 $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -pthread -lm"
mkdir -p "$OUT/obj"

# The server objects (minus main.c) in an archive: a target links only the
# objects it needs, so another module's unusual dependency cannot break it.
# An object that does not compile is left out (and reported).
objs=""
for src in server/*.c; do
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
# The page templates, and forms like the pages post (web_form.c).
for name in os.listdir("templates"):
    if name.endswith(".html"):
        put("tmpl", name, open(os.path.join("templates", name), encoding="utf-8").read())
put("tmpl", "partial", "{{#l}}{{>p}}{{/l}}\0[{{i}}{{#even}}e{{/even}}{{{x}}}]")
for i, body in enumerate(["username=ada&password=p%40ss+word&login_token=00ff&next=%2F",
                          "csrf_token=ab&nominee=Grace+Hopper&statement=%2A%2AYes%2A%2A%0D%0A",
                          "action=add&username=x&display_name=caf%C3%A9&admin=1", ""]):
    put("web_form", "form-%d" % i, body)
PY

status=0
for target in ballot board tmpl web_form; do
    bin="$OUT/fuzz_$target"
    $CC $CFLAGS -fsanitize=fuzzer -o "$bin" "tests/fuzz/fuzz_$target.c" "$OUT/libserver.a" $LIBS
    corpus="$OUT/corpus/$target"
    mkdir -p "$corpus" "$OUT/crashes/$target"
    echo "fuzz_$target: $SECONDS_EACH s"
    if ! ASAN_OPTIONS=detect_leaks=1 "$bin" -max_total_time="$SECONDS_EACH" -max_len=65536 \
         -dict=tests/fuzz/protocol.dict -artifact_prefix="$OUT/crashes/$target/" \
         -print_final_stats=1 "$corpus" "$OUT/seeds/$target" > "$OUT/fuzz_$target.log" 2>&1; then
        echo "fuzz_$target: FAILED (see $OUT/fuzz_$target.log and $OUT/crashes/$target/)"
        tail -n 30 "$OUT/fuzz_$target.log"
        status=1
    else
        grep -aE 'stat::number_of_executed_units|Done' "$OUT/fuzz_$target.log" | tail -n 2
    fi
done
exit $status
