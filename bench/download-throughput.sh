#!/usr/bin/env bash
# Download throughput: the worker against aria2c and curl, and against the machine's limits, in one run.
#
# Usage: bench/download-throughput.sh [--smoke] [--runs N]   (default 5 runs; --smoke: 4 x 1 x 1 MiB, 1 run)
#
# A set of 16 chunks x 4 files (1 GiB, files of 8 to 24 MiB) is served on loopback twice: by nginx (static files
# on disk, from a config written here, on a free port) and by the mock storage (`worker-mock storage`, content
# generated on the fly). For each server and run:
#   worker   `worker serve` (fresh data dir); PUT the set to /v1/assignment; time until all chunks are ready.
#            Every file fsync'd, SHA-256 checked, published (the daemon's normal path).
#   aria2c   aria2c -j16 -x1 into the same file system, then sync
#   curl     curl --parallel --parallel-max 16 into the same file system, then sync
#   network  curl --parallel --parallel-max 16 -o /dev/null (the loopback/server limit)
#   disk     dd if=/dev/zero bs=1M count=<set size> conv=fsync (the durable sequential write limit)
# The table shows the median over the runs, in MB/s (10^6 bytes/s). One extra worker run per server samples
# /metrics every 100 ms for the plot docs/img/download-throughput.png (not counted in the medians).
. "$(dirname "$0")/lib.sh"
bench_init download-throughput 5 "$@"

if [ "$SMOKE" = 1 ]; then
    CHUNKS=4; FILES=1; CHUNK_SIZE=1MiB
else
    CHUNKS=16; FILES=4; CHUNK_SIZE=64MiB
fi
W="$BENCH_WORK"
rm -rf "$W"/{www,dl,data,nginx}
mkdir -p "$W"/{www,dl,nginx}

have_nginx=0; have_aria2=0
need nginx && have_nginx=1
need aria2c aria2 && have_aria2=1
have_openssl=0; need openssl openssl && have_openssl=1
have_gnuplot=0; need gnuplot gnuplot-nox && have_gnuplot=1

# curl --parallel; its progress meter ignores -s (curl 7.88), so stderr is shown only when it fails.
pcurl() {
    curl -sSf --parallel "$@" 2>"$W/curl.err" || { cat "$W/curl.err" >&2; return 1; }
}

# ---- the servers ----------------------------------------------------------------------------------------------
log "starting the mock storage ($CHUNKS chunks x $FILES files, $CHUNK_SIZE per chunk)"
start_bg "$W/mock.log" "$JAVA" -jar "$BENCH_JARS_MOCK" storage --chunks "$CHUNKS" --files-per-chunk "$FILES" \
    --chunk-size "$CHUNK_SIZE" --datasets 4 --seed 1
MOCK_PID=$BG_PID
MOCK_URL=$(wait_for_line "$W/mock.log" '^mock storage: http' 60 | sed -E 's/^mock storage: (http:\/\/[^ ]+\/).*/\1/')
curl -sf "${MOCK_URL}manifest.json" > "$W/manifest-mock.json"
jq -r '.chunks[].files[].url' "$W/manifest-mock.json" > "$W/urls-mock.txt"
TOTAL_BYTES=$(jq '[.chunks[].files[].size] | add' "$W/manifest-mock.json")
NFILES=$(wc -l < "$W/urls-mock.txt")
log "set: $NFILES files, $TOTAL_BYTES bytes"

SERVERS="mock"
if [ "$have_nginx" = 1 ]; then
    log "writing the set as static files for nginx"
    # The same bytes as the mock serves, at the same paths: the same descriptors work with the host swapped.
    sed -E "s#^${MOCK_URL}(.*)#url = \"${MOCK_URL}\\1\"\noutput = \"$W/www/\\1\"#" "$W/urls-mock.txt" > "$W/fetch.cfg"
    pcurl --parallel-max 8 --create-dirs -K "$W/fetch.cfg"
    chmod -R a+rX "$W/www"
    NGINX_PORT=$(free_port)
    cat > "$W/nginx/nginx.conf" <<EOF
$(nginx_user_directive)
worker_processes 2;
daemon off;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path $W/nginx/body;
    proxy_temp_path $W/nginx/proxy;
    fastcgi_temp_path $W/nginx/fastcgi;
    uwsgi_temp_path $W/nginx/uwsgi;
    scgi_temp_path $W/nginx/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $W/www;
    }
}
EOF
    start_bg "$W/nginx/stdout.log" nginx -c "$W/nginx/nginx.conf" -p "$W/nginx"
    NGINX_URL="http://127.0.0.1:$NGINX_PORT/"
    wait_http_ok "$NGINX_URL$(head -n 1 "$W/urls-mock.txt" | sed "s#^$MOCK_URL##")" 30
    sed "s#$MOCK_URL#$NGINX_URL#g" "$W/manifest-mock.json" > "$W/manifest-nginx.json"
    sed "s#$MOCK_URL#$NGINX_URL#g" "$W/urls-mock.txt" > "$W/urls-nginx.txt"
    SERVERS="nginx mock"
fi

# ---- the contenders -------------------------------------------------------------------------------------------
# CPU: busy time of the whole machine (user, nice, system, irq, softirq from /proc/stat; the server's share
# included) between cpu_start and cpu_end, in CPU-seconds, set in CPU_S.
cpu_busy_ticks() {
    awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat
}
cpu_start() {
    CPU_T0=$(cpu_busy_ticks)
}
cpu_end() {
    CPU_S=$(awk -v a="$CPU_T0" -v b="$(cpu_busy_ticks)" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }')
}

# Each run_* sets R to its throughput in MB/s (functions run in this shell, so cleanup knows their processes).
mbps() { # bytes nanos
    R=$(awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.1f", b / (ns / 1e9) / 1e6 }')
}

clean_dl() {
    rm -rf "$W/dl" "$W/data"
    mkdir -p "$W/dl"
    sync
    sleep 1
}

# Times one download of the set by the daemon at $DAEMON_URL: PUT the assignment, poll until every chunk is ready.
# With a samples file, /metrics is read every 100 ms meanwhile (worker_download_bytes_total).
timed_assignment() { # server [samples-file]
    local server="$1" samples="${2:-}" t0 t1 ready sampler="" base=0
    if [ -n "$samples" ]; then
        base=$(curl -s "$DAEMON_URL/metrics" | awk '/^worker_download_bytes_total/ { printf "%.0f", $2 }')
        : > "$samples"
        ( while :; do
            echo "$(now_ns) $(curl -s "$DAEMON_URL/metrics" | awk '/^worker_download_bytes_total/ { printf "%.0f", $2 }')"
            sleep 0.1
          done ) >> "$samples" &
        sampler=$!
        BENCH_PIDS+=("$sampler")
    fi
    cpu_start
    t0=$(now_ns)
    curl -sSf -X PUT -H 'Content-Type: application/json' --data-binary @"$W/manifest-$server.json" "$DAEMON_URL/v1/assignment" > /dev/null
    # A slow, cheap poll (every process it starts takes CPU from the contender); the end is exact anyway: the last
    # publish renames tmp/<id>.<n> into chunks/, which sets the directory's mtime (the directory fsync after it is
    # not counted).
    while :; do
        ready=$(curl -s "$DAEMON_URL/v1/chunks?state=ready" | tr ',' '\n' | grep -c '"state":"ready"' || true)
        [ "$ready" = "$CHUNKS" ] && break
        sleep 0.25
    done
    t1=$(stat -c '%.9Y' "$W/data/chunks" | tr -d .)
    cpu_end
    if [ -n "$sampler" ]; then
        sleep 0.3
        kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
        echo "$t0 start $base" >> "$samples"
    fi
    if grep -q '"state":"failed"' <(curl -s "$DAEMON_URL/v1/chunks"); then
        echo "error: a chunk failed; see $W/daemon.log" >&2
        exit 1
    fi
    mbps "$TOTAL_BYTES" $((t1 - t0))
}

# A fresh daemon downloads the set (R_COLD: its first download, JIT compilers still busy), then drops it, waits
# until it has left the disk, and downloads it again (R: the steady state of a running daemon).
run_worker() { # server [samples-prefix]
    local server="$1" prefix="${2:-}"
    clean_dl
    start_daemon "$W/data"
    wait_http_ok "$DAEMON_URL/health/ready" 60
    timed_assignment "$server" ${prefix:+"$prefix.cold.samples"}
    R_COLD=$R; CPU_COLD=$CPU_S
    curl -sSf -X PUT -H 'Content-Type: application/json' --data-binary '{"chunks": []}' "$DAEMON_URL/v1/assignment" > /dev/null
    while [ "$(curl -s "$DAEMON_URL/v1/chunks" | jq '.chunks | length')" != 0 ]; do
        sleep 0.05
    done
    sync
    sleep 1
    timed_assignment "$server" ${prefix:+"$prefix.warm.samples"}
    stop_pid "$DAEMON_PID"
}

run_aria2() { # server
    local server="$1" t0 t1
    clean_dl
    sed -E "s#^(http://[^/]+/)(.*)#\\1\\2\n  out=\\2#" "$W/urls-$server.txt" > "$W/aria2.txt"
    cpu_start
    t0=$(now_ns)
    aria2c -q -j16 -x1 -i "$W/aria2.txt" -d "$W/dl" --allow-overwrite=true --auto-file-renaming=false
    sync
    t1=$(now_ns)
    cpu_end
    mbps "$TOTAL_BYTES" $((t1 - t0))
}

run_curl() { # server
    local server="$1" t0 t1
    clean_dl
    sed -E "s#^(http://[^/]+/)(.*)#url = \"\\1\\2\"\noutput = \"$W/dl/\\2\"#" "$W/urls-$server.txt" > "$W/curl.cfg"
    cpu_start
    t0=$(now_ns)
    pcurl --parallel-max 16 --create-dirs -K "$W/curl.cfg"
    sync
    t1=$(now_ns)
    cpu_end
    mbps "$TOTAL_BYTES" $((t1 - t0))
}

run_network() { # server
    local server="$1" t0 t1
    sed -E 's#^(.*)$#url = "\1"\noutput = "/dev/null"#' "$W/urls-$server.txt" > "$W/null.cfg"
    cpu_start
    t0=$(now_ns)
    pcurl --parallel-max 16 -K "$W/null.cfg"
    t1=$(now_ns)
    cpu_end
    mbps "$TOTAL_BYTES" $((t1 - t0))
}

# The durable sequential write limit: the better of dd through the page cache and dd with direct I/O, both fsync'd.
run_disk() {
    local t0 t1 t2 mib
    clean_dl
    mib=$(( (TOTAL_BYTES + 1048575) / 1048576 ))
    t0=$(now_ns)
    dd if=/dev/zero of="$W/dl/dd.bin" bs=1M count="$mib" conv=fsync status=none
    t1=$(now_ns)
    rm -f "$W/dl/dd.bin"
    sync
    t2=$(now_ns)
    cpu_start
    dd if=/dev/zero of="$W/dl/dd.bin" bs=1M count="$mib" oflag=direct conv=fsync status=none 2>/dev/null \
        || dd if=/dev/zero of="$W/dl/dd.bin" bs=1M count="$mib" conv=fsync status=none
    t3=$(now_ns)
    cpu_end
    rm -f "$W/dl/dd.bin"
    mbps $((mib * 1048576)) $((t1 - t0)); R_BUFFERED=$R
    mbps $((mib * 1048576)) $((t3 - t2)); R_DIRECT=$R
    R=$(awk -v a="$R_BUFFERED" -v b="$R_DIRECT" 'BEGIN { print (a > b ? a : b) }')
}

# The hashing floor: SHA-256 on one core, in memory (openssl speed, 64 KiB blocks, SHA-NI where the CPU has it;
# its rate is per CPU-second of user time). Sets R (MB/s) and CPU_S (CPU-seconds to hash the set).
run_sha() {
    local kbps
    kbps=$(openssl speed -evp sha256 -bytes 65536 -seconds 2 2>/dev/null | awk '$1 == "sha256" { sub(/k$/, "", $2); print $2 }')
    R=$(awk -v k="$kbps" 'BEGIN { printf "%.1f", k * 1000 / 1e6 }')
    CPU_S=$(awk -v k="$kbps" -v b="$TOTAL_BYTES" 'BEGIN { printf "%.2f", b / (k * 1000) }')
}

RESULTS="$W/results.txt"
CPUS="$W/cpu.txt"
: > "$RESULTS"
: > "$CPUS"
# Keeps one measurement of run $run: its throughput in RESULTS, its CPU-seconds in CPUS.
record() { # tool server mbps cpu_seconds
    echo "$1 $2 $run $3" >> "$RESULTS"
    echo "$1 $2 $run $4" >> "$CPUS"
}
for run in $(seq 1 "$RUNS"); do
    wait_idle
    log "run $run/$RUNS (CPUs ${IDLE}% idle before)"
    run_disk; record disk - "$R" "$CPU_S"
    echo "disk_buffered - $run $R_BUFFERED" >> "$RESULTS"; echo "disk_direct - $run $R_DIRECT" >> "$RESULTS"
    for server in $SERVERS; do
        run_network "$server"; record network "$server" "$R" "$CPU_S"
        if [ "$have_aria2" = 1 ]; then
            run_aria2 "$server"; record aria2c "$server" "$R" "$CPU_S"
        fi
        run_curl "$server"; record curl "$server" "$R" "$CPU_S"
        run_worker "$server"; record worker_first "$server" "$R_COLD" "$CPU_COLD"; record worker "$server" "$R" "$CPU_S"
    done
    if [ "$have_openssl" = 1 ]; then
        run_sha; record sha256 - "$R" "$CPU_S"
    fi
    awk -v r="$run" '$3 == r { printf "  %-13s %-6s %8s MB/s\n", $1, $2, $4 }' "$RESULTS" >&2
done

# One sampled worker run per server, for the plot.
mkdir -p "$W/plot"
for server in $SERVERS; do
    log "sampled worker run from $server (for the plot)"
    run_worker "$server" "$W/plot/$server"
    echo "$R_COLD" > "$W/plot/$server.cold.mbps"
    echo "$R" > "$W/plot/$server.warm.mbps"
done

med() { # tool server [file]
    awk -v t="$1" -v s="$2" '$1 == t && $2 == s { print $4 }' "${3:-$RESULTS}" | median
}
all() { # tool server [file]
    awk -v t="$1" -v s="$2" '$1 == t && $2 == s { print $4 }' "${3:-$RESULTS}" | jq -s -c .
}
GIB=$(awk -v b="$TOTAL_BYTES" 'BEGIN { print b / 2^30 }')
per_gib() { # CPU-seconds for the set; "missing" when the contender did not run
    awk -v c="$1" -v g="$GIB" 'BEGIN { if (c == "null" || c == "") print "missing"; else printf "%.2f", c / g }'
}
CORES=$(nproc)
# The CPU a verifying download cannot avoid: what the server and the receiving socket cost (network), hashing
# (sha256) and the durable write (disk), each measured alone above; spread perfectly over the cores it bounds the
# throughput of any downloader that checks SHA-256, as the design requires.
verifying_limit() { # server
    awk -v n="$(med network "$1" "$CPUS")" -v h="$(med sha256 - "$CPUS")" -v d="$(med disk - "$CPUS")" \
        -v b="$TOTAL_BYTES" -v cores="$CORES" \
        'BEGIN { if (h == "null") { print "-"; exit } printf "%.1f", b / ((n + h + d) / cores) / 1e6 }'
}

# "met" or "missed" for ratio $1 against goal $2; without a ratio because peer $3 did not run: "no figure (peer missing)".
goal() { # ratio goal [peer]
    if [ "$1" = "-" ]; then
        echo "no figure${3:+ ($3 missing)}"
    else
        awk -v r="$1" -v g="$2" 'BEGIN { print (r >= g) ? "met" : "missed" }'
    fi
}

DISK=$(med disk -)
{
    printf '\nDownload throughput, %s bytes in %s files, median of %s runs (MB/s = 10^6 bytes/s)\n' "$TOTAL_BYTES" "$NFILES" "$RUNS"
    printf 'disk limit: %s (best of dd conv=fsync: %s, dd oflag=direct conv=fsync: %s)\n' "$DISK" \
        "$(med disk_buffered -)" "$(med disk_direct -)"
    printf '%-7s %-13s %9s %9s %9s %9s %10s %13s %s\n' server worker MB/s aria2c curl network vs_aria2c vs_min_limit goals
    for server in $SERVERS; do
        ar=$(med aria2c "$server"); cu=$(med curl "$server"); ne=$(med network "$server")
        lim=$(awk -v a="$ne" -v b="$DISK" 'BEGIN { print (a < b ? a : b) }')
        for kind in worker worker_first; do
            wk=$(med "$kind" "$server")
            r1=$(ratio "$wk" "$ar"); r2=$(ratio "$wk" "$lim")
            g1=$(goal "$r1" 1.0 aria2c); g2=$(goal "$r2" 0.8)
            label=$([ "$kind" = worker ] && echo "running" || echo "first (cold)")
            printf '%-7s %-13s %9s %9s %9s %9s %10s %13s %s\n' "$server" "$label" "$wk" "$(or_missing "$ar")" \
                "$cu" "$ne" "$r1" "$r2" ">=1.0x aria2c: $g1; >=0.8x min(network,disk): $g2"
        done
    done
    printf '\nCPU-seconds of the whole machine per GiB (server included), median; sha256: %s CPU-s/GiB (openssl speed, %s MB/s on one core), disk (dd oflag=direct): %s\n' \
        "$(per_gib "$(med sha256 - "$CPUS")")" "$(med sha256 -)" "$(per_gib "$(med disk - "$CPUS")")"
    printf '%-7s %9s %13s %9s %9s %9s %17s %16s\n' server worker "first (cold)" aria2c curl network verifying_limit worker_vs_limit
    for server in $SERVERS; do
        vl=$(verifying_limit "$server")
        printf '%-7s %9s %13s %9s %9s %9s %17s %16s\n' "$server" "$(per_gib "$(med worker "$server" "$CPUS")")" \
            "$(per_gib "$(med worker_first "$server" "$CPUS")")" "$(per_gib "$(med aria2c "$server" "$CPUS")")" \
            "$(per_gib "$(med curl "$server" "$CPUS")")" "$(per_gib "$(med network "$server" "$CPUS")")" \
            "$vl MB/s" "$(ratio "$(med worker "$server")" "$vl")"
    done
    print_missing
} | tee "$W/table.txt"

# ---- results JSON and plot ------------------------------------------------------------------------------------
servers_json="{}"
for server in $SERVERS; do
    servers_json=$(jq -c --arg s "$server" --argjson w "$(all worker "$server")" --argjson a "$(all aria2c "$server")" \
        --argjson c "$(all curl "$server")" --argjson n "$(all network "$server")" \
        --argjson f "$(all worker_first "$server")" \
        --argjson cpu "$(jq -n -c --argjson w "$(all worker "$server" "$CPUS")" --argjson f "$(all worker_first "$server" "$CPUS")" \
            --argjson a "$(all aria2c "$server" "$CPUS")" --argjson c "$(all curl "$server" "$CPUS")" \
            --argjson n "$(all network "$server" "$CPUS")" \
            '{worker: $w, worker_first_download: $f, aria2c: $a, curl: $c, network: $n}')" \
        --arg vl "$(verifying_limit "$server")" \
        '. + {($s): {worker_mbps: $w, worker_first_download_mbps: $f, aria2c_mbps: $a, curl_mbps: $c,
                     network_mbps: $n, cpu_seconds: $cpu,
                     verifying_limit_mbps: (if $vl == "-" then null else ($vl | tonumber) end)}}' <<< "$servers_json")
done
jq -n --argjson servers "$servers_json" --argjson disk "$(all disk -)" --arg bytes "$TOTAL_BYTES" \
    --argjson db "$(all disk_buffered -)" --argjson dd "$(all disk_direct -)" \
    --argjson shacpu "$(all sha256 - "$CPUS")" --argjson sha "$(all sha256 -)" --argjson diskcpu "$(all disk - "$CPUS")" \
    --arg files "$NFILES" "$JQ_DEFS"'{unit: "MB/s (10^6 bytes/s)", bytes: ($bytes | tonumber), files: ($files | tonumber),
      disk_mbps: $disk, disk_buffered_fsync_mbps: $db, disk_direct_fsync_mbps: $dd, servers: $servers,
      sha256_mbps: $sha, sha256_cpu_seconds: $shacpu, disk_direct_cpu_seconds: $diskcpu,
      medians: ($servers | with_entries(.value |= (del(.cpu_seconds, .verifying_limit_mbps) | map_values(median)))),
      disk_median_mbps: ($disk | median)}' \
    | write_result

if [ "$have_gnuplot" = 1 ]; then
    plot_args=""
    for server in $SERVERS; do
        for kind in cold warm; do
            # Samples: "nanos bytes" lines, then "t0 start base". Written as: seconds since the PUT, MB/s over the
            # interval, MB so far.
            awk '$2 == "start" { t0 = $1; base = $3; next } { t[NR] = $1; b[NR] = $2; n = NR }
                 END { pt = t0; pb = base; for (i = 1; i <= n; i++) { if (t[i] < t0 || b[i] == "") continue;
                       if (t[i] > pt) printf "%.3f %.1f %.1f\n", (t[i] - t0) / 1e9, (b[i] - pb) / ((t[i] - pt) / 1e9) / 1e6, (b[i] - base) / 1e6;
                       pt = t[i]; pb = b[i] } }' "$W/plot/$server.$kind.samples" > "$W/plot/$server.$kind.dat"
            label=$([ "$kind" = warm ] && echo "running daemon" || echo "first download after start")
            plot_args="$plot_args '$W/plot/$server.$kind.dat' using 1:2 with linespoints lw 2 pt 7 ps 0.5 title 'from $server, $label ($(cat "$W/plot/$server.$kind.mbps") MB/s overall)',"
        done
    done
    lim_title="min(network, disk) medians: $(for s in $SERVERS; do printf '%s %s ' "$s" "$(awk -v a="$(med network "$s")" -v b="$DISK" 'BEGIN { print (a < b ? a : b) }')"; done)MB/s"
    png="$BENCH_OUT/download-throughput.png"
    gnuplot <<EOF
set terminal pngcairo size 900,450 font ",10"
set output '$png'
set title "Worker download of $(awk -v b="$TOTAL_BYTES" 'BEGIN { printf "%.2f GiB", b / 2^30 }') ($NFILES files, 16 transfers), /metrics sampled every 100 ms\n$lim_title"
set xlabel 'seconds since PUT /v1/assignment'
set ylabel 'MB/s (10^6 bytes/s)'
set yrange [0:*]
set grid
set key bottom right
plot ${plot_args%,}
EOF
    log "plot: $png (copy to docs/img/ to publish)"
fi
