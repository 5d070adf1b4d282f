#!/bin/sh
# Runs every test suite and ends with the one line "N passed, N failed".
# Each suite prints "<suite>: N passed, N failed"; a suite that crashes or
# prints no such line counts as one failure.
#   BUILD  build directory with the test_* binaries (default build)
#   BIN    the conclave binary the integration tests start (default ./conclave)
BUILD=${BUILD:-build}
BIN=${BIN:-./conclave}
export CONCLAVE_BIN="$BIN"
passed=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run_suite() {
    name=$1; shift
    "$@" >"$out" 2>&1
    rc=$?
    cat "$out"
    line=$(grep -E '^[A-Za-z0-9_./-]+: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
    if [ -z "$line" ]; then
        echo "$name: crashed or printed no count (exit $rc)"
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
if [ -f tests/node/run.mjs ] && [ -d node_modules ]; then
    run_suite node node tests/node/run.mjs
fi
# The booth in a real headless Chromium (Debian's chromium, playwright-core from npm).
if [ -f tests/e2e/booth.mjs ] && [ -d node_modules/playwright-core ] && [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    run_suite e2e node tests/e2e/booth.mjs
elif [ -f tests/e2e/booth.mjs ]; then
    echo "e2e: skipped (needs node_modules/playwright-core and ${CHROMIUM:-/usr/bin/chromium}; run make test)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
