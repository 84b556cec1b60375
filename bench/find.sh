#!/usr/bin/env bash
# find: throughput of find + close of the ref (JMH FindBenchmark), 1 and 2 threads.
#
# Usage: bench/find.sh [--smoke] [--runs N]   (default 3 runs = JMH forks; --smoke: 1,000 chunks, 1 s iterations)
#
# 100,000 ready chunks over 10 datasets (laid out by DataDirGenerator in /dev/shm, opened by WorkerDataManager);
# each operation finds a random block of a random dataset and closes the ref. JMH: 3 warm-up and 5 measured
# iterations of 2 s per fork, one fork per run. The table shows the median over forks of each fork's mean.
# Goal: >= 5 M ops/s per thread.
. "$(dirname "$0")/lib.sh"
bench_init find 3 "$@"

if [ "$SMOKE" = 1 ]; then
    JMH_OPTS=(-p chunks=1000 -wi 1 -i 1 -w 1s -r 1s)
else
    JMH_OPTS=()
fi
rows="[]"
for threads in 1 2; do
    wait_idle
    log "FindBenchmark, $threads thread(s), $RUNS fork(s) (CPUs ${IDLE}% idle before)"
    json="$BENCH_WORK/jmh-t$threads.json"
    "$JAVA" -jar "$BENCH_JARS_BENCH" FindBenchmark -t "$threads" -f "$RUNS" "${JMH_OPTS[@]}" -rf json -rff "$json" \
        > "$BENCH_WORK/jmh-t$threads.log"
    grep -E '^(Benchmark|FindBenchmark)' "$BENCH_WORK/jmh-t$threads.log" >&2 || true
    rows=$(jq -c --argjson t "$threads" --slurpfile r "$json" '. + [$r[0][0] | {
        threads: $t, chunks: (.params.chunks | tonumber), datasets: (.params.datasets | tonumber),
        jmh_score_ops_s: .primaryMetric.score, jmh_score_error: .primaryMetric.scoreError,
        fork_means_ops_s: [.primaryMetric.rawData[] | (add / length)],
        median_ops_s: ([.primaryMetric.rawData[] | (add / length)] | sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end)
      } | . + {median_ops_s_per_thread: (.median_ops_s / $t)}]' <<< "$rows")
done
{
    printf '\nfind + close, %s ready chunks in 10 datasets, median of %s JMH forks\n' "$(jq '.[0].chunks' <<< "$rows")" "$RUNS"
    printf '%7s %14s %18s %s\n' threads 'ops/s' 'ops/s per thread' goal
    jq -r '.[] | [.threads, (.median_ops_s | floor), (.median_ops_s_per_thread | floor),
        (if .median_ops_s_per_thread >= 5000000 then "met (>= 5 M/s per thread)" else "missed (>= 5 M/s per thread)" end)] | @tsv' <<< "$rows" \
        | awk -F'\t' '{ printf "%7s %14s %18s %s\n", $1, $2, $3, $4 }'
} | tee "$BENCH_WORK/table.txt"
jq -n --argjson rows "$rows" '{rows: $rows}' | write_result
