#!/usr/bin/env bash
# Memory: heap per ready chunk (MemoryProbe) and the daemon's resident set when idle, at 100,000 ready chunks.
#
# Usage: bench/memory.sh [--smoke] [--runs N]   (default 3 runs; --smoke: 300 chunks, 1 run)
#
# The data directory: 100,000 ready chunks of 5 files each (DataDirGenerator, URLs of ~110 characters).
#   heap/chunk  MemoryProbe in a fresh JVM: heap after full GCs with the manager open, minus before, / chunks
#   daemon RSS  `worker serve` on the directory (default JVM options, as bin/worker runs it), 10 s after
#               /health/ready: `ps -o rss`, and the heap in use from /metrics (jvm_memory_used_bytes, area=heap)
# Goal: <= 1 KB (1,024 bytes) of heap per chunk.
. "$(dirname "$0")/lib.sh"
bench_init memory 3 "$@"

if [ "$SMOKE" = 1 ]; then CHUNKS=300; SETTLE=1; else CHUNKS=100000; SETTLE=10; fi
dir=$(datadir "$CHUNKS" 5)
RESULTS="$BENCH_WORK/results.txt"
: > "$RESULTS"
for run in $(seq 1 "$RUNS"); do
    wait_idle
    log "run $run/$RUNS (CPUs ${IDLE}% idle before)"
    line=$(bench_java dev.worker.bench.MemoryProbe "$dir")
    per=$(jq -r .bytes_per_chunk <<< "$line")
    start_daemon "$dir"
    wait_http_ok "$DAEMON_URL/health/ready" 300
    sleep "$SETTLE"
    rss=$(ps -o rss= -p "$DAEMON_PID" | tr -d ' ')
    heap=$(curl -s "$DAEMON_URL/metrics" | awk 'index($0, "jvm_memory_used_bytes{area=\"heap\"") == 1 { s += $NF } END { printf "%.0f", s }')
    committed=$(curl -s "$DAEMON_URL/metrics" | awk 'index($0, "jvm_memory_committed_bytes{area=\"heap\"") == 1 { s += $NF } END { printf "%.0f", s }')
    stop_pid "$DAEMON_PID"
    echo "$run $per $rss $heap $committed" >> "$RESULTS"
    log "  heap/chunk ${per} B, daemon RSS ${rss} KiB, heap used $((heap / 1048576)) MiB of $((committed / 1048576)) MiB committed"
done
col() { awk -v c="$1" '{ print $c }' "$RESULTS" | median; }
all() { awk -v c="$1" '{ print $c }' "$RESULTS" | jq -s -c .; }
PER=$(col 2); RSS=$(col 3); HEAP=$(col 4); COMMITTED=$(col 5)
{
    printf '\nMemory at %s ready chunks (5 files each), median of %s runs\n' "$CHUNKS" "$RUNS"
    printf 'heap per ready chunk (MemoryProbe): %s bytes (goal <= 1024: %s)\n' "$PER" \
        "$(awk -v p="$PER" 'BEGIN { print (p <= 1024) ? "met" : "missed" }')"
    printf 'daemon idle: RSS %s MiB, heap used %s MiB, heap committed %s MiB\n' "$((RSS / 1024))" \
        "$((HEAP / 1048576))" "$((COMMITTED / 1048576))"
} | tee "$BENCH_WORK/table.txt"
jq -n --argjson per "$(all 2)" --argjson rss "$(all 3)" --argjson heap "$(all 4)" --argjson committed "$(all 5)" \
    --arg chunks "$CHUNKS" '{ready_chunks: ($chunks | tonumber), files_per_chunk: 5, heap_bytes_per_chunk: $per,
      daemon_rss_kib: $rss, daemon_heap_used_bytes: $heap, daemon_heap_committed_bytes: $committed,
      median: {heap_bytes_per_chunk: ($per | sort | .[length / 2 | floor]), daemon_rss_kib: ($rss | sort | .[length / 2 | floor])}}' \
    | write_result
