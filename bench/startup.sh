#!/usr/bin/env bash
# Startup: how long the worker takes to open a data directory of ready chunks, against the file-system floor.
#
# Usage: bench/startup.sh [--smoke] [--runs N]   (default 5 runs; --smoke: 300 chunks, 1 run)
#
# Data directories of 30,000 and 100,000 ready chunks (5 files each, as the mock storage lays chunks out) are
# generated once by DataDirGenerator under bench/work/datadirs (kept between runs; BENCH_WORK moves it) and opened
# once before measuring, so that they hold a journal, as a directory a worker has used does. Per size, run and
# cache state (cold: page cache dropped before each measurement, needs root; warm: right after a previous pass):
#   floor      find DIR/chunks -type f -printf '%s\n' | wc -l  (every directory entry and file size, no content)
#   in-process StartupProbe in a fresh JVM: WorkerDataManager.open (lock, journal, parallel scan, snapshot)
#   daemon     `worker serve` from process start to the first 200 from /health/ready (JVM start included;
#              /health/ready polled every 5 ms)
# The table shows medians in ms. Goal: 30,000 chunks open in < 1 s in-process and within 3x the floor.
. "$(dirname "$0")/lib.sh"
bench_init startup 5 "$@"

if [ "$SMOKE" = 1 ]; then SIZES="300"; else SIZES="30000 100000"; fi
FILES_PER_CHUNK=5
CACHES="warm"
if drop_caches; then CACHES="cold warm"; else log "note: cannot drop the page cache (not root): warm cache only"; fi

RESULTS="$BENCH_WORK/results.txt"
: > "$RESULTS"

prepare_cache() { # cache dir
    if [ "$1" = cold ]; then
        drop_caches
    else
        find "$2" -type f -printf '%s\n' > /dev/null
        find "$2/chunks" -name chunk.json -exec cat {} + > /dev/null
        cat "$2/ready.index" "$2/intents.log" > /dev/null 2>&1 || true # the files an open reads whole
    fi
}

measure_floor() { # dir -> ms
    local t0 t1 n
    t0=$(now_ns)
    n=$(find "$1/chunks" -type f -printf '%s\n' | wc -l)
    t1=$(now_ns)
    R=$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", ns / 1e6 }')
    FLOOR_FILES=$n
}

measure_probe() { # dir -> ms
    local line
    line=$(bench_java dev.worker.bench.StartupProbe "$1")
    R=$(jq -r .open_ms <<< "$line")
    PROBE_CHUNKS=$(jq -r .chunks <<< "$line")
}

measure_daemon() { # dir -> ms
    local port t0 t1 pid
    port=$(free_port)
    t0=$(now_ns)
    WORKER_LOG_LEVEL=WARN start_bg "$BENCH_WORK/daemon.log" "$JAVA" ${DAEMON_JAVA_OPTS:-} -jar "$BENCH_JARS_DAEMON" \
        serve --data-dir "$1" --listen "127.0.0.1:$port" --min-free 0
    pid=$BG_PID
    while [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")" != 200 ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: the daemon exited; see $BENCH_WORK/daemon.log" >&2
            exit 1
        fi
        sleep 0.005
    done
    t1=$(now_ns)
    stop_pid "$pid"
    R=$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", ns / 1e6 }')
}

declare -A DIRS
for size in $SIZES; do
    DIRS[$size]=$(datadir "$size" "$FILES_PER_CHUNK")
done
for run in $(seq 1 "$RUNS"); do
    log "run $run/$RUNS (load $(cut -d' ' -f1 /proc/loadavg))"
    for size in $SIZES; do
        dir="${DIRS[$size]}"
        for cache in $CACHES; do
            prepare_cache "$cache" "$dir"; measure_floor "$dir"; echo "$size $cache floor $run $R" >> "$RESULTS"
            prepare_cache "$cache" "$dir"; measure_probe "$dir"; echo "$size $cache inprocess $run $R" >> "$RESULTS"
            if [ "$PROBE_CHUNKS" != "$size" ]; then
                echo "error: the probe found $PROBE_CHUNKS ready chunks in $dir, expected $size" >&2
                exit 1
            fi
            prepare_cache "$cache" "$dir"; measure_daemon "$dir"; echo "$size $cache daemon $run $R" >> "$RESULTS"
            awk -v s="$size" -v c="$cache" -v r="$run" '$1 == s && $2 == c && $4 == r { printf "  %7s %-5s %-10s %9s ms\n", $1, $2, $3, $5 }' "$RESULTS" >&2
        done
    done
done

med() { # size cache what
    awk -v s="$1" -v c="$2" -v w="$3" '$1 == s && $2 == c && $3 == w { print $5 }' "$RESULTS" | median
}
all() {
    awk -v s="$1" -v c="$2" -v w="$3" '$1 == s && $2 == c && $3 == w { print $5 }' "$RESULTS" | jq -s -c .
}

json="[]"
{
    printf '\nStartup, median of %s runs (ms); chunks of %s files + chunk.json\n' "$RUNS" "$FILES_PER_CHUNK"
    printf '%8s %-5s %10s %12s %9s %14s %s\n' chunks cache floor in-process vs_floor daemon_ready goal
    for size in $SIZES; do
        for cache in $CACHES; do
            fl=$(med "$size" "$cache" floor); ip=$(med "$size" "$cache" inprocess); dm=$(med "$size" "$cache" daemon)
            r=$(ratio "$ip" "$fl")
            goal="-"
            if [ "$size" = 30000 ]; then
                goal=$(awk -v ip="$ip" -v r="$r" 'BEGIN { print (ip < 1000 && r != "-" && r <= 3) ? "met (<1 s, <=3x floor)" : "missed (<1 s, <=3x floor)" }')
            fi
            printf '%8s %-5s %10s %12s %9s %14s %s\n' "$size" "$cache" "$fl" "$ip" "$r" "$dm" "$goal"
            json=$(jq -c --arg s "$size" --arg c "$cache" --argjson f "$(all "$size" "$cache" floor)" \
                --argjson i "$(all "$size" "$cache" inprocess)" --argjson d "$(all "$size" "$cache" daemon)" \
                --arg fm "$fl" --arg im "$ip" --arg dmm "$dm" \
                '. + [{chunks: ($s | tonumber), cache: $c, floor_ms: $f, inprocess_open_ms: $i, daemon_ready_ms: $d,
                       median: {floor_ms: ($fm | tonumber), inprocess_open_ms: ($im | tonumber),
                                daemon_ready_ms: ($dmm | tonumber)}}]' <<< "$json")
        done
    done
} > "$BENCH_WORK/table.txt"
cat "$BENCH_WORK/table.txt"
jq -n --argjson rows "$json" --arg files "$FILES_PER_CHUNK" '{files_per_chunk: ($files | tonumber), rows: $rows}' | write_result
