#!/usr/bin/env bash
# S3 download throughput: the same objects from the same S3 server, SigV4-signed (s3:// sources) and as plain
# unsigned HTTP (http:// sources), by one worker daemon, alternating, in one run. What signing costs.
#
# Usage: bench/s3-throughput.sh [--smoke] [--runs N]   (default 5 runs; --smoke: 2 chunks x 2 files x 256 KiB, 1 run)
#
# Two s3proxy instances (the S3 implementation the tests use, which verifies every signature; its jar is copied by
# the build into worker-daemon/target/s3proxy/) serve one directory of objects (16 chunks x 4 files, 1 GiB; files
# written straight into its storage): one requires SigV4 (the worker's s3:// sources, --s3-endpoint), the other
# allows anonymous reads (the same objects as http:// URLs, path-style). Per run, in alternating order, the daemon
# downloads the whole set one way, drops it, then the other way. Reported: MB/s (10^6 bytes/s) of each, their ratio
# (signed / plain: the goal is >= 0.98, signing costing under 2%), and the daemon's own CPU-seconds per GiB for each
# path (from /proc/<pid>/stat: the server's CPU is not counted), since s3proxy itself may be what limits the rate;
# and the signer timed alone (worker-bench's SignerCost), as a share of the daemon's CPU per GiB.
. "$(dirname "$0")/lib.sh"
bench_init s3-throughput 5 "$@"

if [ "$SMOKE" = 1 ]; then
    CHUNKS=2; FILES=2; FILE_SIZE=$((256 * 1024))
else
    CHUNKS=16; FILES=4; FILE_SIZE=$((16 * 1024 * 1024))
fi
W="$BENCH_WORK"
S3PROXY_JAR="$BENCH_ROOT/worker-daemon/target/s3proxy/s3proxy.jar"
BUCKET=bench
KEY=AKIDBENCH00000000001
SECRET=bench-secret-not-a-real-one
rm -rf "$W"/{store,data}
mkdir -p "$W/store/$BUCKET"

if [ ! -f "$S3PROXY_JAR" ]; then
    log "copying the s3proxy jar (./mvnw -pl worker-daemon generate-test-resources)"
    (cd "$BENCH_ROOT" && ./mvnw -q -B -pl worker-daemon generate-test-resources) >&2
fi

# ---- the objects ------------------------------------------------------------------------------------------------
log "writing $CHUNKS chunks x $FILES files x $FILE_SIZE bytes"
hex64() { printf '%s' "$1" | sha256sum | cut -c1-64; }
DATASET=$(hex64 bench-dataset)
: > "$W/chunks.tsv"
for c in $(seq 0 $((CHUNKS - 1))); do
    folder=$(printf '%010d-%010d-bench' $((c * 1000)) $((c * 1000 + 999)))
    mkdir -p "$W/store/$BUCKET/$folder"
    for f in $(seq 0 $((FILES - 1))); do
        head -c "$FILE_SIZE" /dev/urandom > "$W/store/$BUCKET/$folder/f$f.bin"
        echo "$c $folder f$f.bin $(sha256sum "$W/store/$BUCKET/$folder/f$f.bin" | cut -c1-64)" >> "$W/chunks.tsv"
    done
done
TOTAL_BYTES=$((CHUNKS * FILES * FILE_SIZE))

# ---- the servers ------------------------------------------------------------------------------------------------
# Sets S3PROXY_PORT. Not run in a $(...) subshell: the pid start_bg records must reach this shell's cleanup.
start_s3proxy() { # name authorization
    cat > "$W/$1.properties" <<EOF2
s3proxy.endpoint=http://127.0.0.1:0
s3proxy.authorization=$2
s3proxy.identity=$KEY
s3proxy.credential=$SECRET
jclouds.provider=filesystem
jclouds.filesystem.basedir=$W/store
jclouds.identity=unused
jclouds.credential=unused
EOF2
    start_bg "$W/$1.log" "$JAVA" -Xmx512m -jar "$S3PROXY_JAR" --properties "$W/$1.properties"
    S3PROXY_PORT=$(wait_for_line "$W/$1.log" 'ServerConnector@.*\{127\.0\.0\.1:[0-9]+\}' 90 \
        | sed -E 's/.*\{127\.0\.0\.1:([0-9]+)\}.*/\1/')
}
log "starting s3proxy twice over the same objects: signed and anonymous"
start_s3proxy signed aws-v2-or-v4; SIGNED_PORT=$S3PROXY_PORT
start_s3proxy plain none; PLAIN_PORT=$S3PROXY_PORT

# Two assignment documents: the same chunks (same ids), as s3:// and as http:// sources.
assignment() { # url-prefix
    local c folder files first=1
    printf '{"chunks": ['
    for c in $(seq 0 $((CHUNKS - 1))); do
        folder=$(awk -v c="$c" '$1 == c { print $2; exit }' "$W/chunks.tsv")
        files=$(awk -v c="$c" -v p="$1" -v s="$FILE_SIZE" '$1 == c {
            printf "%s\"%s\": {\"url\": \"%s%s/%s\", \"size\": %d, \"sha256\": \"%s\"}", (n++ ? ", " : ""), $3, p, $2, $3, s, $4 }' \
            "$W/chunks.tsv")
        [ "$first" = 1 ] || printf ', '
        first=0
        printf '{"id": "%s", "dataset_id": "%s", "block_range": {"start": %d, "end": %d}, "files": {%s}}' \
            "$(hex64 "$folder")" "$DATASET" $((c * 1000)) $((c * 1000 + 1000)) "$files"
    done
    printf ']}\n'
}
assignment "s3://$BUCKET/" > "$W/assign-s3.json"
assignment "http://127.0.0.1:$PLAIN_PORT/$BUCKET/" > "$W/assign-http.json"

# ---- the worker -------------------------------------------------------------------------------------------------
AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET start_daemon "$W/data" \
    --s3-endpoint "http://127.0.0.1:$SIGNED_PORT" --s3-region us-east-1
wait_http_ok "$DAEMON_URL/health/ready" 60

daemon_cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat"
}

# Downloads the set described by $1 and drops it again; sets R (MB/s) and CPU_S (the daemon's CPU-seconds).
timed_set() { # assignment-file
    local t0 t1 c0 ready
    c0=$(daemon_cpu_ticks)
    t0=$(now_ns)
    curl -sSf -X PUT -H 'Content-Type: application/json' --data-binary @"$1" "$DAEMON_URL/v1/assignment" > /dev/null
    while :; do
        ready=$(curl -s "$DAEMON_URL/v1/chunks?state=ready" | jq '.chunks | length')
        [ "$ready" = "$CHUNKS" ] && break
        if curl -s "$DAEMON_URL/v1/chunks" | grep -q '"state":"failed"'; then
            echo "error: a chunk failed; see $W/daemon.log" >&2
            curl -s "$DAEMON_URL/v1/chunks" | jq -c '.chunks[] | select(.state == "failed") | .last_error' >&2
            exit 1
        fi
        sleep 0.1
    done
    t1=$(stat -c '%.9Y' "$W/data/chunks" | tr -d .)
    CPU_S=$(awk -v a="$c0" -v b="$(daemon_cpu_ticks)" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }')
    R=$(awk -v b="$TOTAL_BYTES" -v ns="$((t1 - t0))" 'BEGIN { printf "%.1f", b / (ns / 1e9) / 1e6 }')
    curl -sSf -X PUT -H 'Content-Type: application/json' --data-binary '{"chunks": []}' "$DAEMON_URL/v1/assignment" > /dev/null
    while [ "$(curl -s "$DAEMON_URL/v1/chunks" | jq '.chunks | length')" != 0 ]; do
        sleep 0.05
    done
    sync
}

RESULTS="$W/results.txt"
: > "$RESULTS"
log "warm-up: one download each way (not counted)"
timed_set "$W/assign-s3.json"
timed_set "$W/assign-http.json"
for run in $(seq 1 "$RUNS"); do
    wait_idle
    if [ $((run % 2)) = 1 ]; then order="s3 http"; else order="http s3"; fi
    for kind in $order; do
        timed_set "$W/assign-$kind.json"
        echo "$kind $run $R $CPU_S" >> "$RESULTS"
        log "run $run/$RUNS: $kind $R MB/s, daemon CPU $CPU_S s"
    done
done
stop_pid "$DAEMON_PID"
# The signing itself, apart from any server: microseconds of CPU per signature (one thread), and so per GiB of
# the set (one signature per file request: the runs above had no retries).
log "timing the signer alone"
SIGN_US=$(bench_java dev.worker.bench.SignerCost --count $([ "$SMOKE" = 1 ] && echo 2000 || echo 50000))

med() { # kind column
    awk -v k="$1" -v c="$2" '$1 == k { print $c }' "$RESULTS" | median
}
all() { # kind column
    awk -v k="$1" -v c="$2" '$1 == k { print $c }' "$RESULTS" | jq -s -c .
}
GIB=$(awk -v b="$TOTAL_BYTES" 'BEGIN { print b / 2^30 }')
per_gib() { awk -v c="$1" -v g="$GIB" 'BEGIN { printf "%.2f", c / g }'; }
S3=$(med s3 3); HTTP=$(med http 3)
RATIO=$(awk -v a="$S3" -v b="$HTTP" 'BEGIN { printf "%.3f", a / b }')
CPU_RATIO=$(awk -v a="$(med s3 4)" -v b="$(med http 4)" 'BEGIN { if (b == 0) print "-"; else printf "%.3f", a / b }')
{
    printf '\nS3 throughput, %s bytes in %s files from s3proxy on loopback, median of %s runs (MB/s = 10^6 bytes/s)\n' \
        "$TOTAL_BYTES" "$((CHUNKS * FILES))" "$RUNS"
    printf '%-22s %9s %22s\n' path MB/s "daemon CPU-s per GiB"
    printf '%-22s %9s %22s\n' "s3:// (SigV4-signed)" "$S3" "$(per_gib "$(med s3 4)")"
    printf '%-22s %9s %22s\n' "http:// (unsigned)" "$HTTP" "$(per_gib "$(med http 4)")"
    printf 'signed / unsigned: throughput %s, daemon CPU %s (goal: throughput >= 0.98)\n' "$RATIO" "$CPU_RATIO"
    printf 'the signer alone: %s us per signature, %s signatures per GiB here: %s%% of the unsigned path'"'"'s daemon CPU per GiB\n' \
        "$SIGN_US" "$(awk -v f="$((CHUNKS * FILES))" -v g="$GIB" 'BEGIN { printf "%.0f", f / g }')" \
        "$(awk -v us="$SIGN_US" -v f="$((CHUNKS * FILES))" -v c="$(med http 4)" 'BEGIN { printf "%.3f", us * f / 1e6 / c * 100 }')"
} | tee "$W/table.txt"

jq -n --argjson s3 "$(all s3 3)" --argjson http "$(all http 3)" --argjson s3cpu "$(all s3 4)" \
    --argjson httpcpu "$(all http 4)" --arg sign "$SIGN_US" --arg bytes "$TOTAL_BYTES" --arg files "$((CHUNKS * FILES))" "$JQ_DEFS"'
    {unit: "MB/s (10^6 bytes/s)", bytes: ($bytes | tonumber), files: ($files | tonumber), server: "s3proxy 4.1.0",
     signer_us_per_signature: ($sign | tonumber), s3_mbps: $s3, http_mbps: $http, s3_daemon_cpu_seconds: $s3cpu, http_daemon_cpu_seconds: $httpcpu,
     medians: {s3_mbps: ($s3 | median), http_mbps: ($http | median),
               ratio: (($s3 | median) / ($http | median)),
               daemon_cpu_ratio: (if ($httpcpu | median) == 0 then null else ($s3cpu | median) / ($httpcpu | median) end)}}' \
    | write_result
