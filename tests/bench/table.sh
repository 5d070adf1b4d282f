#!/bin/sh
# tests/bench/table.sh RESULTS BIG SMALL CONNS SERVE_ARGS — the table of
# BENCHMARKS.md (Markdown on stdout) from run.sh's "key value" lines: each
# figure with its goal and, where a limit or peer is known, the ratio.
set -eu
res=$1 big=$2 small=$3 conns=$4 serve_args=$5
cap=$(awk '$2 == "AUTH_MAX_VERIFIERS" { print $3 }' server/auth.h)
model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
awk -v big="$big" -v small="$small" -v conns="$conns" -v cap="$cap" -v model="$model" \
    -v commit="$commit" -v args="$serve_args" -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" '
function ok(c) { return c ? "met" : "**missed**" }
function n0(x,    s, r) {
    s = sprintf("%.0f", x); r = ""
    while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
    return s r
}
function mb(k) { return sprintf("%.1f MB", v[k] / 1024) }
{ v[$1] = $2 }
END {
    lim = v["limit_bps"]; thr = v["big_closed_bps"]; ver = big / v["verify_s"]
    lcap = cap / v["argon2_s"]
    printf "# Benchmarks\n\n"
    printf "`make bench` on %d cores (%s), %s, commit %s; server `conclave serve` with its defaults%s,\n", v["cores"], model, date, commit, args == "" ? "" : " and " args
    printf "load from `tests/bench/loadgen.c` on %d keep-alive connections over loopback, one voter and one API token per ballot.\n\n", conns
    printf "| measure | result | goal | ratio / verdict |\n|---|---|---|---|\n"
    printf "| limit: `ballot_verify` of yes/no ballots in process, %d threads | %s ballots/s (1 thread: %s) | — | the reference |\n", v["cores"], n0(lim), n0(v["limit_1core_bps"])
    printf "| cast throughput: 201 (durable), %s ballots closed loop | %s ballots/s | ≥ 0.8 × limit | %.2f — %s |\n", n0(big), n0(thr), thr / lim, ok(thr / lim >= 0.8)
    printf "| cast latency, open loop at half that rate (%s/s, %s casts) | p50 %.1f ms, p99 %.1f ms (max %.1f) | p99 ≤ 10 ms | %s |\n", n0(v["half_rate"]), n0(v["small_open_ok"]), v["small_open_p50_ms"], v["small_open_p99_ms"], v["small_open_max_ms"], ok(v["small_open_p99_ms"] <= 10)
    printf "| close + tally + board, %s ballots: deadline → result served (close transaction; then compaction) | %.2f s (%.2f s; %.2f s) | — | — |\n", n0(small), v["small_close_s"], v["small_close_txn_ms"] / 1e3, v["small_compact_ms"] / 1e3
    printf "| close + tally + board, %s ballots: deadline → result served (close transaction; then compaction) | %.2f s (%.2f s; %.2f s) | ≤ 1 s | %s |\n", n0(big), v["big_close_s"], v["big_close_txn_ms"] / 1e3, v["big_compact_ms"] / 1e3, ok(v["big_close_s"] <= 1)
    printf "| `conclave verify` of the %s-ballot board (%.0f MB), every core | %s ballots/s (%.1f s) | ≥ 0.9 × limit | %.2f — %s |\n", n0(big), v["board_bytes"] / 1e6, n0(ver), v["verify_s"], ver / lim, ok(ver / lim >= 0.9)
    printf "| server peak RSS casting and closing %s + %s ballots%s | %s | < 50 MB | %s |\n", n0(big), n0(small), v["rss_reset"] ? "" : " (peak since start)", mb("rss_ballots_hwm_kb"), ok(v["rss_ballots_hwm_kb"] < 50 * 1024)
    printf "| server peak RSS, then serving the board once | %s | — | — |\n", mb("rss_board_hwm_kb")
    printf "| server peak RSS at start-up (argon2id dummy hash) | %s | — | — |\n", mb("rss_start_hwm_kb")
    printf "| login, 8 connections, argon2id capped at %d at once | %.1f logins/s, p50 %.0f ms, p99 %.0f ms | cap: %d / %.0f ms = %.1f/s | %.2f of the cap |\n", cap, v["login_per_s"], v["login_p50_ms"], v["login_p99_ms"], cap, v["argon2_s"] * 1e3, lcap, v["login_per_s"] / lcap
    printf "\nOther figures of the run: the server used %.2f ms of CPU per cast (one `ballot_verify` alone: %.2f ms), the load generator %.3f ms; closed-loop cast latency p50 %.1f ms, p99 %.1f ms; ballots built by the load generator at %s/s; the small poll'"'"'s closed-loop rest cast at %s ballots/s; board fetched in %.2f s.\n", v["big_server_cpu_ms"], 1e3 / v["limit_1core_bps"], v["big_closed_client_cpu_ms"], v["big_closed_p50_ms"], v["big_closed_p99_ms"], n0(v["big_build_bps"]), n0(v["small_closed_bps"]), v["board_fetch_s"]
}' "$res"
