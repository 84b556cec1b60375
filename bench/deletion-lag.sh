#!/usr/bin/env bash
# Deletion lag: from the release of the last ref to a deleted chunk until its directory has left chunks/.
#
# Usage: bench/deletion-lag.sh [--smoke] [--runs N]   (default 3 runs of 1,000 samples; --smoke: 50 samples)
#
# DeletionLagProbe, polling the directory every 100 µs:
#   in-process  WorkerDataManager: find -> delete (durable) -> ChunkRef.close, timed from the close
#   daemon      `worker serve`: POST /v1/leases -> DELETE /v1/chunks/{id} -> DELETE /v1/leases/{id}, timed from
#               just before the release request is sent (its HTTP round trip included)
# Each run uses fresh data directories of ready chunks (DataDirGenerator). The table shows the medians over runs
# of each run's p50, p99 and max. Goal: p99 <= 100 ms.
. "$(dirname "$0")/lib.sh"
bench_init deletion-lag 3 "$@"

if [ "$SMOKE" = 1 ]; then SAMPLES=50; else SAMPLES=1000; fi
runs="[]"
for run in $(seq 1 "$RUNS"); do
    wait_idle
    log "run $run/$RUNS (CPUs ${IDLE}% idle before)"
    inproc=$(bench_java dev.worker.bench.DeletionLagProbe --dir "$BENCH_WORK/inprocess" --samples "$SAMPLES")
    rm -rf "$BENCH_WORK/daemon"
    bench_java dev.worker.bench.DataDirGenerator "$BENCH_WORK/daemon" "$SAMPLES" 10 1 64 > /dev/null
    start_daemon "$BENCH_WORK/daemon"
    wait_http_ok "$DAEMON_URL/health/ready" 120
    viadaemon=$(bench_java dev.worker.bench.DeletionLagProbe --dir "$BENCH_WORK/daemon" --samples "$SAMPLES" --url "$DAEMON_URL")
    stop_pid "$DAEMON_PID"
    rm -rf "$BENCH_WORK/daemon"
    jq -c '{mode, p50_ms, p99_ms, max_ms, timeouts}' <<< "$inproc" >&2
    jq -c '{mode, p50_ms, p99_ms, max_ms, timeouts}' <<< "$viadaemon" >&2
    runs=$(jq -c --argjson a "$inproc" --argjson b "$viadaemon" '. + [{in_process: $a, daemon: $b}]' <<< "$runs")
done
med='sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end'
summary=$(jq -c "[\"in_process\", \"daemon\"] as \$ms | [\$ms[] as \$m | {mode: \$m,
    p50_ms: ([.[][\$m].p50_ms] | $med), p99_ms: ([.[][\$m].p99_ms] | $med), max_ms: ([.[][\$m].max_ms] | $med),
    timeouts: ([.[][\$m].timeouts] | add)}]" <<< "$runs")
{
    printf '\nDeletion lag, %s samples per run, median of %s runs (ms)\n' "$SAMPLES" "$RUNS"
    printf '%-11s %8s %8s %8s %9s %s\n' mode p50 p99 max timeouts goal
    jq -r '.[] | [.mode, .p50_ms, .p99_ms, .max_ms, .timeouts, (if .p99_ms <= 100 and .timeouts == 0 then "met (p99 <= 100 ms)" else "missed (p99 <= 100 ms)" end)] | @tsv' <<< "$summary" \
        | awk -F'\t' '{ printf "%-11s %8.2f %8.2f %8.2f %9d %s\n", $1, $2, $3, $4, $5, $6 }'
} | tee "$BENCH_WORK/table.txt"
jq -n --argjson runs "$runs" --argjson summary "$summary" --arg samples "$SAMPLES" \
    '{samples_per_run: ($samples | tonumber), summary: $summary, runs: $runs}' | write_result
