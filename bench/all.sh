#!/usr/bin/env bash
# Runs every benchmark in turn (about an hour; --smoke: about three minutes). Options go to each script.
#
# Usage: bench/all.sh [--smoke] [--runs N]
# Each script writes bench/out/<name>.json and prints its table; this one also collects the tables in
# bench/out/all.txt. A failing script is reported and the others still run; the exit code is 1 if any failed.
# BENCH_OUT and BENCH_WORK move the results and the scratch files elsewhere (the build's smoke test does).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${BENCH_OUT:-bench/out}"
mkdir -p "$OUT"
: > "$OUT/all.txt"
failed=()
for name in startup find latency memory deletion-lag admin-api download-throughput s3-throughput churn; do
    echo "=== $name $*" | tee -a "$OUT/all.txt"
    if ! bench/$name.sh "$@" | tee -a "$OUT/all.txt"; then
        failed+=("$name")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "failed: ${failed[*]}" | tee -a "$OUT/all.txt"
    exit 1
fi
