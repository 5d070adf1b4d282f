#!/bin/sh
# tests/bench/run.sh — `make bench`: the real server on loopback with a
# temporary data directory, driven by the C load generator (loadgen.c), every
# figure in one run, printed as one table and written to BENCHMARKS.md.
#
#   BIN           the conclave binary (default ./conclave)
#   LOADGEN       the load generator (default $BUILD/loadgen)
#   BENCH_BIG     ballots of the large poll (default 100000)
#   BENCH_SMALL   ballots of the small poll (default 10000)
#   BENCH_CONNS   keep-alive connections of the load generator (default 32)
#   BENCH_OUT     where the table goes (default BENCHMARKS.md)
#   BENCH_ARGS    extra `conclave serve` options (e.g. "--threads 8")
#   BENCH_KEEP    1: keep the temporary directory (data, server log, board)
#   BENCH_PERF    a file: `perf record -g` the server while the large poll is cast
#   BENCH_TRACE   a command run with the server's pid while the large poll is cast
#                 (e.g. "strace -c -f -e trace=fdatasync,fsync -p"); output in BENCH_TRACE_OUT
#
# Steps: roster by `conclave user import`, tokens in bulk (loadgen tokens),
# the in-process limit, the server, two polls; the large poll cast closed loop
# (throughput), the small one open loop at half that rate (latency) then
# closed loop; both closed by the server's own close job (the bench moves each
# deadline to now); the board fetched and checked by `conclave verify`; logins.
# Everything stops by itself; a watchdog ends the run after BENCH_TIMEOUT
# seconds (default 1200).
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BIN=${BIN:-./conclave}
LOADGEN=${LOADGEN:-$BUILD/loadgen}
BIG=${BENCH_BIG:-100000}
SMALL=${BENCH_SMALL:-10000}
CONNS=${BENCH_CONNS:-32}
OUT=${BENCH_OUT:-BENCHMARKS.md}
SERVE_ARGS=${BENCH_ARGS:-}
TIMEOUT=${BENCH_TIMEOUT:-1200}

dir=$(mktemp -d "${TMPDIR:-/tmp}/conclave-bench.XXXXXX")
data="$dir/data"
res="$dir/results"
server_pid=""
watchdog_pid=""
: >"$res"

cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    if [ -n "$watchdog_pid" ]; then kill "$watchdog_pid" 2>/dev/null || true; fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: kept $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t_start=$(date +%s)
say() { echo "bench: [$(( $(date +%s) - t_start )) s] $*" >&2; }
put() { echo "$1 $2" >>"$res"; }
get() { awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? "nan" : v) }' "$res"; }
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$server_pid/status"; }
# The server's CPU time so far (user + system, in clock ticks).
ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
# The same per thread name (libmicrohttpd names its threads MHD-worker; the server
# names its own: committer, syncer, checkpointer, watchdog), as "name ticks" lines.
thread_ticks() {
    for t in /proc/"$server_pid"/task/*; do
        echo "$(cat "$t/comm" 2>/dev/null) $(cut -d' ' -f14,15 "$t/stat" 2>/dev/null)"
    done | awk 'NF == 3 { c[$1] += $2 + $3 } END { for (n in c) print n, c[n] }'
}

say "roster of $BIG members, tokens, passwords"
awk -v n="$BIG" 'BEGIN { print "username,display name,email";
    for (i = 0; i < n; i++) printf "v%06d,Voter %d,\n", i, i }' >"$dir/roster.csv"
"$BIN" user import "$dir/roster.csv" --data "$data" >/dev/null
"$LOADGEN" tokens "$data" "$BIG" "$dir/tokens"
: >"$dir/users"
for i in 1 2 3 4 5 6 7 8; do
    u=$(printf 'v%06d' "$i")
    echo "bench-password-$i" | "$BIN" user passwd "$u" --password-stdin --data "$data" >/dev/null
    echo "$u bench-password-$i" >>"$dir/users"
done

say "the disk's fdatasync; ballot_verify and the reference verifier in process on every core"
"$LOADGEN" fsync "$data" 300 >>"$res"
"$LOADGEN" limit 4 | sed 's/^/a_/' >>"$res"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The rate limits (--login-limit, --cast-limit) are off: the bench measures throughput.
# shellcheck disable=SC2086
"$BIN" serve --data "$data" --listen "127.0.0.1:$port" --poll-duration 86400 \
    --login-limit 0 --cast-limit 0 $SERVE_ARGS \
    2>"$dir/server.log" &
server_pid=$!
# The watchdog: the bench never runs unbounded (without a server every phase fails).
( t=0; while [ "$t" -lt "$TIMEOUT" ]; do sleep 1; t=$((t + 1)); done
  echo "bench: timed out after $TIMEOUT s" >&2; kill -TERM "$server_pid" $$ ) &
watchdog_pid=$!
i=0
until "$LOADGEN" open "$port" "$(head -n 1 "$dir/tokens")" "Bench Nominee Large" >"$dir/poll_big" 2>/dev/null; do
    i=$((i + 1)); [ "$i" -lt 200 ] || { say "server did not start"; cat "$dir/server.log" >&2; exit 1; }
    sleep 0.1
done
"$LOADGEN" open "$port" "$(head -n 1 "$dir/tokens")" "Bench Nominee Small" >"$dir/poll_small"
put rss_start_hwm_kb "$(kb VmHWM)"
# From here on the peak counts the ballots' work, not start-up's argon2 dummy hash.
echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null && put rss_reset 1 || put rss_reset 0

say "casting $BIG ballots closed loop on $CONNS connections"
perf_pid=""
cpu0=$(ticks)
thread_ticks >"$dir/threads0"
if [ -n "${BENCH_PERF:-}" ]; then
    perf record -F 499 -g -p "$server_pid" -o "$BENCH_PERF" 2>/dev/null &
    perf_pid=$!
elif [ -n "${BENCH_TRACE:-}" ]; then
    # shellcheck disable=SC2086
    $BENCH_TRACE "$server_pid" >"${BENCH_TRACE_OUT:-/dev/null}" 2>&1 &
    perf_pid=$!
fi
"$LOADGEN" cast "$port" "$dir/tokens" "$(cat "$dir/poll_big")" "$BIG" "$CONNS" >"$dir/big"
if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
put big_server_cpu_ms "$(awk -v a="$cpu0" -v b="$(ticks)" -v hz="$(getconf CLK_TCK)" -v n="$BIG" \
    'BEGIN { print (b - a) * 1000 / hz / n }')"
thread_ticks | awk -v hz="$(getconf CLK_TCK)" -v n="$BIG" 'NR == FNR { a[$1] = $2; next }
    { printf "big_thread_%s_ms %s\n", $1, ($2 - a[$1]) * 1000 / hz / n }' "$dir/threads0" - >>"$res"
sed 's/^/big_/' "$dir/big" >>"$res"
rate=$(awk '$1 == "closed_bps" { print $2 / 2 }' "$dir/big")
rated=$(awk -v r="$rate" -v n="$SMALL" 'BEGIN { m = int(r * 10); print (m < n ? m : n) }')
put half_rate "$rate"

say "casting $SMALL ballots: $rated open loop at $rate/s, the rest closed loop"
"$LOADGEN" cast "$port" "$dir/tokens" "$(cat "$dir/poll_small")" "$SMALL" "$CONNS" \
    "$rate" "$rated" >"$dir/small"
sed 's/^/small_/' "$dir/small" >>"$res"

say "ballot_verify and the reference again (the machine is shared: the best of the two counts)"
"$LOADGEN" limit 4 | sed 's/^/b_/' >>"$res"
awk '{ v[$1] = $2 } END {
    m = v["a_limit_bps"] > v["b_limit_bps"] ? v["a_limit_bps"] : v["b_limit_bps"]
    o = v["a_limit_1core_bps"] > v["b_limit_1core_bps"] ? v["a_limit_1core_bps"] : v["b_limit_1core_bps"]
    c = v["a_verify_cpu_ms"] < v["b_verify_cpu_ms"] ? v["a_verify_cpu_ms"] : v["b_verify_cpu_ms"]
    r = v["a_ref_bps"] > v["b_ref_bps"] ? v["a_ref_bps"] : v["b_ref_bps"]
    r1 = v["a_ref_1core_bps"] > v["b_ref_1core_bps"] ? v["a_ref_1core_bps"] : v["b_ref_1core_bps"]
    rc = v["a_ref_cpu_ms"] < v["b_ref_cpu_ms"] ? v["a_ref_cpu_ms"] : v["b_ref_cpu_ms"]
    print "ref_bps", r; print "ref_1core_bps", r1; print "ref_cpu_ms", rc
    a = v["a_argon2_s"] < v["b_argon2_s"] ? v["a_argon2_s"] : v["b_argon2_s"]
    print "limit_bps", m; print "limit_1core_bps", o; print "verify_cpu_ms", c
    print "argon2_s", a; print "cores", v["a_cores"] }' "$res" >"$dir/limit"
cat "$dir/limit" >>"$res"

# Waits until the server has compacted the database after poll $1's close (a
# compaction waits for every other reader, such as the next close's deadline move).
compacted() {
    i=0
    until grep -q "poll $1: database compacted" "$dir/server.log"; do
        i=$((i + 1)); [ "$i" -lt 1200 ] || { say "no compaction after closing $1"; return 1; }
        sleep 0.1
    done
}

say "closing the polls"
"$LOADGEN" close "$port" "$data/conclave.db" "$(cat "$dir/poll_small")" | sed 's/^/small_/' >>"$res"
compacted "$(cat "$dir/poll_small")"
"$LOADGEN" close "$port" "$data/conclave.db" "$(cat "$dir/poll_big")" | sed 's/^/big_/' >>"$res"
compacted "$(cat "$dir/poll_big")"
put rss_ballots_hwm_kb "$(kb VmHWM)"
# The server's own account of each close: the transaction, then the compaction.
for which in small big; do
    id=$(cat "$dir/poll_$which")
    put "${which}_close_txn_ms" "$(sed -n "s/.*poll $id closed: [0-9]* ballots in \([0-9]*\) ms.*/\1/p" "$dir/server.log" | tail -n 1)"
    put "${which}_compact_ms" "$(sed -n "s/.*poll $id: database compacted in \([0-9]*\) ms.*/\1/p" "$dir/server.log" | tail -n 1)"
done
put db_kb "$(du -k "$data/conclave.db" | cut -f1)"

say "fetching the board, conclave verify"
"$LOADGEN" board "$port" "$(cat "$dir/poll_big")" "$dir/board.json" >>"$res"
put rss_board_hwm_kb "$(kb VmHWM)"
python3 -c 'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())' \
    "http://127.0.0.1:$port/api/v1/server-key" >"$dir/server.pem"
"$LOADGEN" run "$BIN" verify "$dir/board.json" --server-key "$dir/server.pem" >"$dir/verify" ||
    { say "conclave verify rejected the board"; exit 1; }
sed 's/^run_/verify_/' "$dir/verify" >>"$res"

say "logins on 8 connections for 5 s"
"$LOADGEN" login "$port" "$dir/users" 8 5 >>"$res"
put rss_end_hwm_kb "$(kb VmHWM)"
kill -TERM "$server_pid"
wait "$server_pid" || { say "server exited badly"; tail -n 20 "$dir/server.log" >&2; exit 1; }
server_pid=""

put bench_s "$(( $(date +%s) - t_start ))"
sh tests/bench/table.sh "$res" "$BIG" "$SMALL" "$CONNS" "$SERVE_ARGS" >"$dir/table.md"
cp "$dir/table.md" "$OUT"
cat "$OUT"
