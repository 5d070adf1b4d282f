#!/bin/sh
# Runs every test suite and ends with the one line "N passed, N failed".
# Each suite prints "<suite>: N passed, N failed", to which this script adds
# how long the suite took ("(41.2 s)"); a suite that crashes or prints no
# such line counts as one failure. Before the last line, the slowest suites.
#   BUILD  build directory with the test_* binaries (default build)
#   BIN    the conclave binary the integration tests start (default ./conclave)
#   TEST_BIN  its test build, with the test hooks, for the few tests that need
#          one (default $BIN-test)
#   ALLOW_SKIP=1  report a suite whose tools are missing (node_modules,
#          chromium) as skipped; by default it counts as a failure
BUILD=${BUILD:-build}
BIN=${BIN:-./conclave}
TEST_BIN=${TEST_BIN:-$BIN-test}
export CONCLAVE_BIN="$BIN" CONCLAVE_TEST_BIN="$TEST_BIN" CONCLAVE_BUILD="$BUILD"
passed=0
failed=0
out=$(mktemp)
times=$(mktemp)
trap 'rm -f "$out" "$times"' EXIT

now_ms() {
    ns=$(date +%s%N)
    echo $((ns / 1000000))
}

# Milliseconds as seconds with one decimal: 41234 -> 41.2
seconds() {
    echo "$(($1 / 1000)).$(($1 % 1000 / 100))"
}

# The suite's output, its last count line (LINE) followed by " (T s)".
show_output() {
    awk -v line="$1" -v t="$2" '{ a[NR] = $0; if (line != "" && $0 == line) last = NR }
        END { for (i = 1; i <= NR; i++) print a[i] (i == last ? " (" t " s)" : "") }' "$out"
}

run_suite() {
    name=$1; shift
    t0=$(now_ms)
    "$@" >"$out" 2>&1
    rc=$?
    ms=$(($(now_ms) - t0))
    echo "$ms $name" >>"$times"
    line=$(grep -E '^[A-Za-z0-9_./-]+: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
    show_output "$line" "$(seconds "$ms")"
    if [ -z "$line" ]; then
        echo "$name: crashed or printed no count (exit $rc) ($(seconds "$ms") s)"
        failed=$((failed + 1))
        return
    fi
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/')
    f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$name: exited $rc"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
}

for t in "$BUILD"/test_*; do
    [ -x "$t" ] || continue
    run_suite "$(basename "$t")" "$t"
done
for t in tests/integration/test_*.py; do
    [ -f "$t" ] || continue
    run_suite "$(basename "$t" .py)" python3 "$t"
done
# A suite that cannot run is a failure, not a silent skip: `make test` installs
# everything they need, so a missing piece means something is broken. By hand,
# ALLOW_SKIP=1 sh tests/run.sh reports them as skipped instead.
cannot_run() {
    if [ "${ALLOW_SKIP:-0}" = 1 ]; then
        echo "$1: skipped ($2; ALLOW_SKIP=1)"
    else
        echo "$1: cannot run: $2 (run make test, or ALLOW_SKIP=1 to skip it)"
        failed=$((failed + 1))
    fi
}
if [ ! -d node_modules/@noble/curves ]; then
    cannot_run node "node_modules is missing (npm ci)"
elif ! command -v node >/dev/null 2>&1; then
    cannot_run node "node is not installed"
else
    run_suite node node tests/node/run.mjs
fi
# The booth in a real headless Chromium (Debian's chromium, playwright-core from npm).
if [ ! -d node_modules/playwright-core ]; then
    cannot_run e2e "node_modules/playwright-core is missing (npm ci)"
elif [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    cannot_run e2e "${CHROMIUM:-/usr/bin/chromium} is missing (make deps)"
else
    run_suite e2e node tests/e2e/booth.mjs
    # the login through the team's OpenID provider (npm oidc-provider on loopback)
    if [ ! -d node_modules/oidc-provider ]; then
        cannot_run e2e-oidc "node_modules/oidc-provider is missing (npm ci)"
    else
        run_suite e2e-oidc node tests/e2e/oidc.mjs
    fi
fi

echo "slowest suites:"
sort -rn "$times" | head -n 8 | while read -r ms name; do
    printf '  %7s s  %s\n' "$(seconds "$ms")" "$name"
done
echo "all suites: $(seconds "$(awk '{ s += $1 } END { print s + 0 }' "$times")") s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
