#!/usr/bin/env bash
# Admin API: requests/s of the daemon's find endpoint against nginx serving a static body of the same size.
#
# Usage: bench/admin-api.sh [--smoke] [--runs N]   (default 5 runs; --smoke: 300 chunks, 2 s per run, 1 run)
#
# The daemon runs on a copy of a data directory of 30,000 ready chunks; wrk (keep-alive, $WRK_THREADS threads,
# $WRK_CONNECTIONS connections, $WRK_SECONDS s) asks GET /v1/datasets/{d}/blocks/{b} of it, then GET of a static
# file with the very same JSON body from nginx (a config written here, on a free port, 1 worker process so both
# servers get the same cores). Runs alternate daemon and nginx. The table shows medians.
# Goal: the daemon >= 0.7x nginx requests/s.
. "$(dirname "$0")/lib.sh"
bench_init admin-api 5 "$@"

WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-8}"
if [ "$SMOKE" = 1 ]; then CHUNKS=300; WRK_SECONDS="${WRK_SECONDS:-2}"; else CHUNKS=30000; WRK_SECONDS="${WRK_SECONDS:-10}"; fi
W="$BENCH_WORK"
have_nginx=0
need nginx && have_nginx=1
if ! need wrk; then
    # Nothing can be measured without the load generator; the result says so (every figure missing).
    print_missing
    jq -n --arg chunks "$CHUNKS" '{wrk: null, ready_chunks: ($chunks | tonumber), daemon_rps: [], nginx_rps: [],
        daemon_p99_ms: [], nginx_p99_ms: [], median: {daemon_rps: null, nginx_rps: null, daemon_vs_nginx: null}}' \
        | write_result
    exit 0
fi

src=$(datadir "$CHUNKS" 5)
rm -rf "$W/data" "$W/www" "$W/nginx"
cp -a "$src" "$W/data"
mkdir -p "$W/www" "$W/nginx"

start_daemon "$W/data"
wait_http_ok "$DAEMON_URL/health/ready" 120
DATASET=$(bench_java dev.worker.bench.DataDirGenerator --dataset 3)
BLOCK=$(( (CHUNKS / 20) * 1000 + 500 ))
PATH_FIND="/v1/datasets/$DATASET/blocks/$BLOCK"
curl -sf "$DAEMON_URL$PATH_FIND" > "$W/www/find.json"
BODY_BYTES=$(wc -c < "$W/www/find.json")
log "daemon $DAEMON_URL answers $PATH_FIND with $BODY_BYTES bytes"

if [ "$have_nginx" = 1 ]; then
    NGINX_PORT=$(free_port)
    cat > "$W/nginx/nginx.conf" <<EOF
$(nginx_user_directive)
worker_processes 1;
daemon off;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $W/nginx/body;
    proxy_temp_path $W/nginx/proxy;
    fastcgi_temp_path $W/nginx/fastcgi;
    uwsgi_temp_path $W/nginx/uwsgi;
    scgi_temp_path $W/nginx/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $W/www;
        location = /find.json { default_type application/json; }
    }
}
EOF
    chmod -R a+rX "$W/www"
    start_bg "$W/nginx/stdout.log" nginx -c "$W/nginx/nginx.conf" -p "$W/nginx"
    NGINX_URL="http://127.0.0.1:$NGINX_PORT/find.json"
    wait_http_ok "$NGINX_URL" 30
    cmp -s <(curl -s "$NGINX_URL") "$W/www/find.json" || { echo "error: nginx serves another body" >&2; exit 1; }
fi

# wrk's summary: "Requests/sec: N" and the latency percentiles of --latency.
run_wrk() { # url -> R (requests/s), P99 (ms)
    local out
    out=$(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WRK_SECONDS}s" --latency "$1")
    R=$(awk '/^Requests\/sec:/ { print $2 }' <<< "$out")
    P99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; print v }' <<< "$out")
    if ! grep -q 'Non-2xx' <<< "$out"; then return 0; fi
    echo "error: non-2xx answers from $1:" >&2
    echo "$out" >&2
    exit 1
}

# Warm-up: the JIT compiles the request path (not measured).
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$([ "$SMOKE" = 1 ] && echo 1 || echo 10)s" "$DAEMON_URL$PATH_FIND" > /dev/null

RESULTS="$W/results.txt"
: > "$RESULTS"
for run in $(seq 1 "$RUNS"); do
    log "run $run/$RUNS (load $(cut -d' ' -f1 /proc/loadavg))"
    run_wrk "$DAEMON_URL$PATH_FIND"; echo "daemon $run $R $P99" >> "$RESULTS"
    if [ "$have_nginx" = 1 ]; then
        run_wrk "$NGINX_URL"; echo "nginx $run $R $P99" >> "$RESULTS"
    fi
    awk -v r="$run" '$2 == r { printf "  %-7s %10s req/s  p99 %s ms\n", $1, $3, $4 }' "$RESULTS" >&2
done
RSS_KB=$(ps -o rss= -p "$DAEMON_PID" | tr -d ' ')
stop_pid "$DAEMON_PID"

med() { awk -v w="$1" -v c="$2" '$1 == w { print $c }' "$RESULTS" | median; }
all() { awk -v w="$1" -v c="$2" '$1 == w { print $c }' "$RESULTS" | jq -s -c .; }
D=$(med daemon 3); N=$(med nginx 3)
R=$(ratio "$D" "$N")
{
    printf '\nAdmin API: GET %s (%s-byte body), wrk -t%s -c%s -d%ss, median of %s runs\n' "/v1/datasets/{d}/blocks/{b}" \
        "$BODY_BYTES" "$WRK_THREADS" "$WRK_CONNECTIONS" "$WRK_SECONDS" "$RUNS"
    printf '%-8s %12s %10s\n' server 'requests/s' 'p99 ms'
    printf '%-8s %12s %10s\n' daemon "$D" "$(med daemon 4)"
    printf '%-8s %12s %10s\n' nginx "$(or_missing "$N")" "$(or_missing "$(med nginx 4)")"
    printf 'daemon / nginx: %s (goal >= 0.7: %s)\n' "$R" \
        "$(awk -v r="$R" 'BEGIN { print (r == "-") ? "no figure (nginx missing)" : (r >= 0.7) ? "met" : "missed" }')"
    print_missing
} | tee "$W/table.txt"
jq -n --argjson d "$(all daemon 3)" --argjson n "$(all nginx 3)" --argjson dp "$(all daemon 4)" \
    --argjson np "$(all nginx 4)" --arg body "$BODY_BYTES" --arg chunks "$CHUNKS" --arg rss "$RSS_KB" \
    --arg wrk "wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_SECONDS}s --latency" \
    "$JQ_DEFS"'{wrk: $wrk, body_bytes: ($body | tonumber), ready_chunks: ($chunks | tonumber),
      daemon_rps: $d, nginx_rps: $n, daemon_p99_ms: $dp, nginx_p99_ms: $np,
      daemon_rss_kb_after: ($rss | tonumber),
      median: {daemon_rps: ($d | median), nginx_rps: ($n | median),
               daemon_vs_nginx: (if ($n | median) then ($d | median) / ($n | median) else null end)}}' | write_result
