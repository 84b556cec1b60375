#!/usr/bin/env bash
# Churn: how fast and how cleanly the worker converges under a random stream of intents, with connection resets.
#
# Usage: bench/churn.sh [--smoke] [--runs N]   (default 3 runs; --smoke: 500 operations on 20 small chunks)
#
# Two mock storages serve the same set (same seed): 500 chunks of 8 MiB (5 files each), capped at 200 MB/s in
# total (a link, not the CPU, is the limit). One injects connection resets into 5% of the bodies (the worker
# downloads from it); the other has no faults and measures the bandwidth: curl --parallel --parallel-max 16
# -o /dev/null of the whole set. Per run, a fresh `worker serve` is driven by `worker-mock drive` (10,000
# operations, 16 at a time, default mix download=50,delete=30,assign=5,find=10,lease=5, seed = run number), which
# waits for convergence and checks the invariants (files, refs, leases, data directory).
#   time      first operation to convergence (played + converged)   vs   bytes needed / measured bandwidth
#   waste     bytes the daemon downloaded / bytes needed (chunks ready at the end that were not at the start)
# and the same two for the convergence phase alone, from the moment the last operation was answered:
#   time      last operation to convergence   vs   bytes still needed then / measured bandwidth
#   waste     bytes downloaded from then on / bytes still needed then (final chunks' bytes not yet on disk)
# Goals: time <= 1.1x the ideal; waste <= 1.05.
. "$(dirname "$0")/lib.sh"
bench_init churn 3 "$@"

if [ "$SMOKE" = 1 ]; then
    CHUNKS=20; CHUNK_SIZE=1MiB; OPS=500
else
    CHUNKS=500; CHUNK_SIZE=8MiB; OPS=10000
fi
CAP=200MB
CONCURRENCY=16
W="$BENCH_WORK"
rm -rf "$W/data"
MOCK_ARGS=(storage --chunks "$CHUNKS" --chunk-size "$CHUNK_SIZE" --datasets 4 --seed 7 --total-bandwidth "$CAP")

start_bg "$W/mock-faults.log" "$JAVA" -jar "$BENCH_JARS_MOCK" "${MOCK_ARGS[@]}" --reset-rate 0.05
FAULTY_URL=$(wait_for_line "$W/mock-faults.log" '^mock storage: http' 60 | sed -E 's/^mock storage: (http:\/\/[^ ]+\/).*/\1/')
start_bg "$W/mock-clean.log" "$JAVA" -jar "$BENCH_JARS_MOCK" "${MOCK_ARGS[@]}" --no-checksums
CLEAN_URL=$(wait_for_line "$W/mock-clean.log" '^mock storage: http' 60 | sed -E 's/^mock storage: (http:\/\/[^ ]+\/).*/\1/')
log "computing the manifests (checksums of the set)"
curl -sf "${CLEAN_URL}manifest.json" > "$W/manifest.json"
curl -sf "${FAULTY_URL}manifest.json" > /dev/null
SET_BYTES=$(jq '[.chunks[].files[].size] | add' "$W/manifest.json")
CHUNK_BYTES=$(jq '[.chunks[0].files[].size] | add' "$W/manifest.json")

measure_bandwidth() {
    local t0 t1
    jq -r '.chunks[].files[].url' "$W/manifest.json" | sed -E 's#^(.*)$#url = "\1"\noutput = "/dev/null"#' > "$W/null.cfg"
    t0=$(now_ns)
    curl -sSf --parallel --parallel-max 16 -K "$W/null.cfg" 2> "$W/curl.err" || { cat "$W/curl.err" >&2; exit 1; }
    t1=$(now_ns)
    BANDWIDTH=$(awk -v b="$SET_BYTES" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", b / (ns / 1e9) }')
}

runs="[]"
for run in $(seq 1 "$RUNS"); do
    wait_idle
    log "run $run/$RUNS (CPUs ${IDLE}% idle before)"
    measure_bandwidth
    log "  bandwidth (curl, no faults): $((BANDWIDTH / 1000000)) MB/s"
    rm -rf "$W/data"
    start_daemon "$W/data"
    wait_http_ok "$DAEMON_URL/health/ready" 60
    set +e
    "$JAVA" -jar "$BENCH_JARS_MOCK" drive --daemon "$DAEMON_URL" --storage "$FAULTY_URL" --data-dir "$W/data" \
        --ops "$OPS" --concurrency "$CONCURRENCY" --seed "$run" --timeout 10m --json > "$W/drive-$run.json" 2> "$W/drive-$run.log"
    rc=$?
    set -e
    # Where the bytes went: chunk downloads that completed (each a whole chunk, all chunks have the same size) and
    # everything else (transfers cut by a delete, bytes resent after a reset).
    curl -s "$DAEMON_URL/metrics" > "$W/metrics-$run.txt"
    stop_pid "$DAEMON_PID"
    completed=$(awk '/^worker_chunk_download_seconds_count/ { printf "%.0f", $2 }' "$W/metrics-$run.txt")
    cancelled=$(awk 'index($0, "worker_download_files_total{outcome=\"cancelled\"") == 1 { printf "%.0f", $2 }' "$W/metrics-$run.txt")
    report=$(tail -n 1 "$W/drive-$run.json")
    if ! jq -e .converged <<< "$report" > /dev/null 2>&1; then
        echo "error: worker-mock drive did not converge or did not run (exit $rc); see $W/drive-$run.log" >&2
        exit 1
    fi
    if [ "$rc" != 0 ] || [ "$(jq -r .ok <<< "$report")" != true ]; then
        # The figures stand, but the run found a correctness problem: it is reported with them.
        log "  worker-mock drive reported violations or errors (exit $rc; seed $run):"
        jq -c '{violations, errors}' <<< "$report" >&2
    fi
    runs=$(jq -c --argjson r "$report" --arg bw "$BANDWIDTH" --arg done "${completed:-0}" --arg cut "${cancelled:-0}" \
        --arg cs "$CHUNK_BYTES" '. + [$r + {bandwidth_bytes_per_s: ($bw | tonumber),
        chunk_downloads_completed: ($done | tonumber), file_transfers_cancelled: ($cut | tonumber),
        bytes_in_completed_chunk_downloads: (($done | tonumber) * ($cs | tonumber)),
        bytes_in_cut_transfers: ($r.bytes_downloaded - ($done | tonumber) * ($cs | tonumber)),
        total_ms: ($r.played_ms + $r.convergence_ms),
        ideal_ms: (if $r.bytes_needed > 0 then $r.bytes_needed / ($bw | tonumber) * 1000 else null end),
        after_play_ideal_ms: (if $r.after_play.bytes_still_needed > 0
            then $r.after_play.bytes_still_needed / ($bw | tonumber) * 1000 else null end)}
        | . + {time_ratio: (if .ideal_ms then .total_ms / .ideal_ms else null end),
               after_play_time_ratio: (if .after_play_ideal_ms then .convergence_ms / .after_play_ideal_ms else null end),
               after_play_download_ratio: .after_play.download_ratio}]' <<< "$runs")
    jq -c '.[-1] | {played_ms, convergence_ms, total_ms, ideal_ms: (.ideal_ms | floor), time_ratio, bytes_needed,
        bytes_downloaded, download_ratio, chunk_downloads_completed, bytes_in_cut_transfers, daemon_retries,
        resets: .storage_stats.faults.reset, after_play, after_play_ideal_ms: (.after_play_ideal_ms // 0 | floor),
        after_play_time_ratio, ok}' <<< "$runs" >&2
done
med='sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end'
summary=$(jq -c "{played_ms: ([.[].played_ms] | $med), convergence_ms: ([.[].convergence_ms] | $med),
    total_ms: ([.[].total_ms] | $med), ideal_ms: ([.[].ideal_ms] | $med), time_ratio: ([.[].time_ratio] | $med),
    download_ratio: ([.[].download_ratio] | $med), bytes_needed: ([.[].bytes_needed] | $med),
    bytes_downloaded: ([.[].bytes_downloaded] | $med), bandwidth_bytes_per_s: ([.[].bandwidth_bytes_per_s] | $med),
    resets: ([.[].storage_stats.faults.reset] | $med), daemon_retries: ([.[].daemon_retries] | $med),
    chunk_downloads_completed: ([.[].chunk_downloads_completed] | $med),
    bytes_in_completed_chunk_downloads: ([.[].bytes_in_completed_chunk_downloads] | $med),
    bytes_in_cut_transfers: ([.[].bytes_in_cut_transfers] | $med),
    after_play_bytes_still_needed: ([.[].after_play.bytes_still_needed] | $med),
    after_play_bytes_downloaded: ([.[].after_play.bytes_downloaded] | $med),
    after_play_ideal_ms: ([.[].after_play_ideal_ms] | $med),
    after_play_time_ratio: ([.[].after_play_time_ratio] | $med),
    after_play_download_ratio: ([.[].after_play_download_ratio] | $med),
    runs_with_violations: ([.[] | select(.ok | not)] | length),
    violations: ([.[] | select(.ok | not) | {seed, violations, errors}])}" <<< "$runs")
{
    printf '\nChurn: %s operations on %s chunks (%s bytes), 5%% of bodies reset, link capped at %s/s; median of %s runs\n' \
        "$OPS" "$CHUNKS" "$SET_BYTES" "$CAP" "$RUNS"
    jq -r '"bandwidth (curl, no faults): \(.bandwidth_bytes_per_s / 1e6 | floor) MB/s; bytes needed \(.bytes_needed), downloaded \(.bytes_downloaded); resets \(.resets), daemon retries \(.daemon_retries)",
        "time: played \(.played_ms) ms + converged \(.convergence_ms) ms = \(.total_ms) ms; ideal (needed / bandwidth) \(.ideal_ms | floor) ms; ratio \(.time_ratio * 100 | round / 100) (goal <= 1.1: \(if .time_ratio <= 1.1 then "met" else "missed" end))",
        "waste: downloaded / needed = \(.download_ratio * 1000 | round / 1000) (goal <= 1.05: \(if .download_ratio <= 1.05 then "met" else "missed" end))",
        "where the bytes went: \(.chunk_downloads_completed) chunk downloads completed (\(.bytes_in_completed_chunk_downloads) bytes; the chunks the sequence deleted after they were ready must be downloaded again when wanted again), \(.bytes_in_cut_transfers) bytes in transfers cut by a delete or a reset",
        "after the last operation (the daemon alone; the sequence no longer changes what is needed): \(.after_play_bytes_still_needed) bytes still needed, \(.after_play_bytes_downloaded) downloaded",
        if .after_play_bytes_still_needed > 0 then
        "  time: converged in \(.convergence_ms) ms; ideal (still needed / bandwidth) \(.after_play_ideal_ms | floor) ms; ratio \(.after_play_time_ratio * 100 | round / 100) (goal <= 1.1: \(if .after_play_time_ratio <= 1.1 then "met" else "missed" end))",
        "  waste: downloaded / still needed = \(.after_play_download_ratio * 1000 | round / 1000) (goal <= 1.05: \(if .after_play_download_ratio <= 1.05 then "met" else "missed" end))"
        else "  (nothing was still needed: no ratios)" end,
        "runs in which worker-mock drive reported a violation or error: \(.runs_with_violations)"' <<< "$summary"
} | tee "$W/table.txt"
jq -n --argjson runs "$runs" --argjson summary "$summary" --arg ops "$OPS" --arg chunks "$CHUNKS" --arg cap "$CAP" \
    --arg bytes "$SET_BYTES" '{ops: ($ops | tonumber), chunks: ($chunks | tonumber), set_bytes: ($bytes | tonumber),
      bandwidth_cap: $cap, reset_rate: 0.05, concurrency: '"$CONCURRENCY"', summary: $summary, runs: $runs}' | write_result
