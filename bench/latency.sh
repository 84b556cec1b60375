#!/usr/bin/env bash
# Call latency under load: download / delete / find (+ close) while 16 file transfers run.
#
# Usage: bench/latency.sh [--smoke] [--runs N]   (default 3 runs of 30 s after 10 s of warm-up; --smoke: 2,000
#                                                 ready chunks, 2 s)
#
# CallLatencyBench, in a fresh JVM per run (default heap and GC): a manager over 100,000 ready chunks (for find)
# downloads 16 files of 1 GiB from an in-process mock storage capped at 16 MB/s in total, so the 16 transfers run
# for the whole measurement; one thread calls the manager 10,000 times a second (half finds, a quarter downloads
# and a quarter deletes of small chunks that stay queued behind the transfers), timing each call alone. Exact
# percentiles of all calls of a run; the table shows, per call, the median over runs of each percentile. The limit,
# measured first in the same JVM at the same rate: the time the caller takes to unpark a parked thread (a download
# or a delete hands work to other threads, so it cannot be faster than that).
# Goal: p99.9 < 100 µs.
. "$(dirname "$0")/lib.sh"
bench_init latency 3 "$@"

if [ "$SMOKE" = 1 ]; then
    ARGS=(--ready 2000 --seconds 2 --warmup 1)
else
    ARGS=(--ready 100000 --seconds 30 --warmup 10)
fi
runs="[]"
for run in $(seq 1 "$RUNS"); do
    wait_idle
    log "run $run/$RUNS (CPUs ${IDLE}% idle before)"
    line=$(bench_java dev.worker.bench.CallLatencyBench --dir "$BENCH_WORK" "${ARGS[@]}")
    jq -c '.ops | to_entries[] | {op: .key, p50: .value.p50_us, p99: .value.p99_us, p999: .value.p999_us, max: .value.max_us}' <<< "$line" >&2
    runs=$(jq -c --argjson r "$line" '. + [$r]' <<< "$runs")
done
med='sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end'
summary=$(jq -c "[\"find\", \"download\", \"delete\"] as \$ops | [\$ops[] as \$op | {op: \$op,
    p50_us: ([.[].ops[\$op].p50_us] | $med), p99_us: ([.[].ops[\$op].p99_us] | $med),
    p999_us: ([.[].ops[\$op].p999_us] | $med), max_us: ([.[].ops[\$op].max_us] | $med),
    calls_per_run: ([.[].ops[\$op].count] | $med)}] + [{op: \"limit: unpark\",
    p50_us: ([.[].limit_unpark.p50_us] | $med), p99_us: ([.[].limit_unpark.p99_us] | $med),
    p999_us: ([.[].limit_unpark.p999_us] | $med), max_us: ([.[].limit_unpark.max_us] | $med),
    calls_per_run: ([.[].limit_unpark.count] | $med)}]" <<< "$runs")
{
    printf '\nCall latency while %s transfers run, median of %s runs (µs)\n' "$(jq '.[0].transfers' <<< "$runs")" "$RUNS"
    printf '%-14s %8s %8s %8s %9s %10s %s\n' call p50 p99 p99.9 max calls/run goal
    jq -r '.[] | [.op, .p50_us, .p99_us, .p999_us, .max_us, .calls_per_run, (if (.op | startswith("limit")) then "-" elif .p999_us < 100 then "met (p99.9 < 100 µs)" else "missed (p99.9 < 100 µs)" end)] | @tsv' <<< "$summary" \
        | awk -F'\t' '{ printf "%-14s %8.1f %8.1f %8.1f %9.1f %10d %s\n", $1, $2, $3, $4, $5, $6, $7 }'
    jq -r '"transfers downloading at the end of each run: \([.[].transfers_downloading_at_end] | map(tostring) | join(", ")); GCs per run: \([.[].gc_count] | map(tostring) | join(", "))"' <<< "$runs"
} | tee "$BENCH_WORK/table.txt"
jq -n --argjson runs "$runs" --argjson summary "$summary" '{summary: $summary, runs: $runs}' | write_result
