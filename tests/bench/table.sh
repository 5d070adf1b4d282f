#!/bin/sh
# tests/bench/table.sh RESULTS BIG SMALL CONNS SERVE_ARGS — the table of
# BENCHMARKS.md (Markdown on stdout) from run.sh's "key value" lines: each
# figure with its goal and, where one is set, the ratio to the reference
# verifier's rate (tests/bench/bench_reference.c: libsodium's scalar
# multiplications, as the project verified until issue 20), measured in the
# same run.
#
# Two ratios where the machine's other load matters: by the clock (what the
# goal says), and by CPU time (the same work priced in CPU seconds, which the
# other processes of a shared machine do not change).
set -eu
res=$1 big=$2 small=$3 conns=$4 serve_args=$5
cap=$(awk '$2 == "AUTH_MAX_VERIFIERS" { print $3 }' server/domain/auth.h)
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
    cores = v["cores"]; lim = v["limit_bps"]; cv = v["verify_cpu_ms"]
    ref = v["ref_bps"]; rcv = v["ref_cpu_ms"]
    thr = v["big_closed_bps"]; cs = v["big_server_cpu_ms"]
    ver = big / v["verify_wall_s"]; vcpu = 1e3 * v["verify_cpu_s"] / big
    lcap = cap / v["argon2_s"]
    printf "# Benchmarks\n\n"
    printf "`make bench` on %d cores (%s), %s, commit %s. The server: `conclave serve` with its defaults%s (rate limits off),\n", cores, model, date, commit, args == "" ? "" : " and " args
    printf "on loopback with a temporary data directory; the load: `tests/bench/loadgen.c`, %d keep-alive connections,\n", conns
    printf "one voter and one API token per ballot, ballots made beforehand with `ballot_create`.\n\n"
    printf "| measure | result | goal | ratio — verdict |\n|---|---|---|---|\n"
    printf "| **reference**: the reference verifier (`tests/bench/bench_reference.c`: libsodium, two scalar multiplications and a subtraction per equation) on yes/no ballots in process, %d threads | %s ballots/s (1 thread: %s/s); %.2f ms of CPU each | — | the yardstick |\n", cores, n0(ref), n0(v["ref_1core_bps"]), rcv
    printf "| **`ballot_verify`** of the same ballots, %d threads | %s ballots/s (1 thread: %s/s); %.2f ms of CPU each | ≥ 2.0 × reference | %.2f by the clock — %s; %.2f by CPU time — %s |\n", cores, n0(lim), n0(v["limit_1core_bps"]), cv, lim / ref, ok(lim / ref >= 2.0), rcv / cv, ok(rcv / cv >= 2.0)
    printf "| **cast throughput**: 201 (durable), %s ballots closed loop | %s ballots/s; server CPU %.2f ms per cast | ≥ 1.2 × reference | %.2f by the clock — %s; %.2f by CPU time — %s |\n", n0(big), n0(thr), cs, thr / ref, ok(thr / ref >= 1.2), rcv / cs, ok(rcv / cs >= 1.2)
    printf "| **cast latency**, open loop at half that rate (%s/s, %s casts) | p50 %.1f ms, p99 %.1f ms (max %.1f) | p99 ≤ 10 ms | %s; the disk alone: fdatasync p50 %.1f ms, p99 %.1f ms |\n", n0(v["half_rate"]), n0(v["small_open_ok"]), v["small_open_p50_ms"], v["small_open_p99_ms"], v["small_open_max_ms"], ok(v["small_open_p99_ms"] <= 10), v["fsync_p50_ms"], v["fsync_p99_ms"]
    printf "| **close + tally + board**, %s ballots: deadline → result served (the close transaction; the compaction after it) | %.2f s (%.2f s; %.2f s) | — | — |\n", n0(small), v["small_close_s"], v["small_close_txn_ms"] / 1e3, v["small_compact_ms"] / 1e3
    printf "| **close + tally + board**, %s ballots: deadline → result served (the close transaction; the compaction after it) | %.2f s (%.2f s; %.2f s) | ≤ 1 s | close %s; served %s |\n", n0(big), v["big_close_s"], v["big_close_txn_ms"] / 1e3, v["big_compact_ms"] / 1e3, ok(v["big_close_txn_ms"] <= 1000), ok(v["big_close_s"] <= 1)
    printf "| **`conclave verify`** of the %s-ballot board (%.0f MB, streamed in %.1f s) | %s ballots/s (%.1f s); CPU %.2f ms per ballot | ≥ 1.8 × reference | %.2f by the clock — %s; %.2f by CPU time — %s |\n", n0(big), v["board_bytes"] / 1e6, v["board_fetch_s"], n0(ver), v["verify_wall_s"], vcpu, ver / ref, ok(ver / ref >= 1.8), rcv / vcpu, ok(rcv / vcpu >= 1.8)
    printf "| **server peak RSS**, casting and closing %s + %s ballots, then serving the board | %s (%s with the board served) | < 50 MB | %s |\n", n0(big), n0(small), mb("rss_ballots_hwm_kb"), mb("rss_board_hwm_kb"), ok(v["rss_board_hwm_kb"] < 50 * 1024)
    printf "| **login**, 8 connections, argon2id at most %d at once | %.1f logins/s, p50 %.0f ms, p99 %.0f ms | the cap: %d / %.0f ms = %.1f/s | %.2f of the cap |\n", cap, v["login_per_s"], v["login_p50_ms"], v["login_p99_ms"], cap, v["argon2_s"] * 1e3, lcap, v["login_per_s"] / lcap
    printf "\n**The machine meanwhile.** While the %s ballots were cast, %.2f of the %d cores were busy and %.2f idle;\n", n0(big), v["big_closed_busy_cores"], cores, v["big_closed_idle_cores"]
    printf "the server used %.2f and the load generator %.2f, so other processes used %.2f.\n", thr * cs / 1e3, thr * v["big_closed_client_cpu_ms"] / 1e3, v["big_closed_busy_cores"] - thr * (cs + v["big_closed_client_cpu_ms"]) / 1e3
    printf "Per cast, the server'"'"'s CPU by thread: the HTTP threads (MHD-worker) %.3f ms (parsing, the token, `ballot_verify` at %.2f ms in process, the receipt, the answer), the committer %.3f ms, the syncer %.3f ms, the checkpointer %.3f ms.\n", v["big_thread_MHD-worker_ms"], v["verify_cpu_ms"], v["big_thread_committer_ms"], v["big_thread_syncer_ms"], v["big_thread_checkpointer_ms"]
    printf "`ballot_verify` and the reference are each the better of two counts, before and after the casts (%s and %s ballots/s; the reference %s and %s), each count timing both in turn.\n", n0(v["a_limit_bps"]), n0(v["b_limit_bps"]), n0(v["a_ref_bps"]), n0(v["b_ref_bps"])
    printf "\n**Other figures.** Server peak RSS at start-up, before any ballot: %s (the argon2id dummy hash; `VmHWM` is reset after it, so the rows above count the ballots'"'"' work); after the logins: %s.\n", mb("rss_start_hwm_kb"), mb("rss_end_hwm_kb")
    last = v["small_closed_ok"] > 0 ? sprintf("the small poll'"'"'s last casts (closed loop) went at %s ballots/s", n0(v["small_closed_bps"])) : "the small poll had no casts left after its open loop"
    printf "Closed-loop cast latency p50 %.1f ms, p99 %.1f ms; the load generator used %.3f ms of CPU per cast and built ballots at %s/s; %s.\n", v["big_closed_p50_ms"], v["big_closed_p99_ms"], v["big_closed_client_cpu_ms"], n0(v["big_build_bps"]), last
    printf "Database after the closes: %.0f MB. The whole run took %d s.\n", v["db_kb"] / 1024, v["bench_s"]
}' "$res"
