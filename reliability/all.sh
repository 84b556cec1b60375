#!/usr/bin/env bash
# Runs the five reliability suites at their full sizes, one after the other, each bounded in time:
#   reliability/all.sh [--seed N]
# Prints each suite's report into OUT_DIR (default reliability/out/<time>/SUITE.txt) and a summary; exits 1 when
# any suite did not pass. Takes about 25 minutes on 2 cores.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SEED=20261123
if [ "${1:-}" = "--seed" ] && [ -n "${2:-}" ]; then
    SEED="$2"
elif [ $# -gt 0 ]; then
    echo "usage: reliability/all.sh [--seed N]" >&2
    exit 2
fi
OUT="${OUT_DIR:-$ROOT/reliability/out/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
# Build from this checkout's modules (never from jars another checkout installed in the local repository), then
# run every suite from one copy of the jar.
WORKER_REBUILD=1 "$ROOT/reliability/run.sh" crash --help >/dev/null || exit 1
cp "$ROOT/worker-reliability/target/worker-reliability-all.jar" "$OUT/worker-reliability-all.jar"
export RELIABILITY_JAR="$OUT/worker-reliability-all.jar"
echo "seed $SEED; reports in $OUT"
failed=0
run() {
    local name="$1"
    shift
    local started=$SECONDS
    "$ROOT/reliability/run.sh" "$name" --seed "$SEED" "$@" >"$OUT/$name.txt" 2>&1
    local code=$?
    printf '%-10s exit %d after %4d s  (%s)\n' "$name" "$code" $((SECONDS - started)) "$OUT/$name.txt"
    [ "$code" -eq 0 ] || failed=1
}
run crash --iterations 50
run soak --duration 5m
run bad-input --fuzz-cases 10000 --idle-check
run full-disk
run refs --duration 3m
exit "$failed"
