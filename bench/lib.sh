# Shared helpers for the benchmark scripts; sourced, not run.
#
# Every script: `bench/NAME.sh [--smoke] [--runs N]`. --smoke uses tiny sizes and finishes in seconds; peers that
# are missing are then skipped with a note instead of installed. Results go to bench/out/NAME.json (the last run
# of each script; BENCH_OUT moves them, BENCH_WORK the scratch files) and a table to stdout. Processes a script
# starts are stopped by the script itself (by pid).

set -euo pipefail

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_OUT="${BENCH_OUT:-$BENCH_ROOT/bench/out}"
BENCH_JARS_DAEMON="$BENCH_ROOT/worker-daemon/target/worker-daemon-all.jar"
BENCH_JARS_MOCK="$BENCH_ROOT/worker-mock/target/worker-mock-all.jar"
BENCH_JARS_BENCH="$BENCH_ROOT/worker-bench/target/benchmarks.jar"
SMOKE=0
RUNS=""
BENCH_PIDS=()
# Peer tools a smoke run skipped because they are not installed; write_result reports them as "missing".
BENCH_MISSING=()
# jq definitions the scripts share. median: of an array of numbers; null for an empty one (a peer that did not run
# has no figure, and its figure is reported as missing, never computed from nothing).
JQ_DEFS='def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
                            else (.[length / 2 - 1] + .[length / 2]) / 2 end;'


# Parses the common options; the script's own default run count is $1.
bench_init() {
    local name="$1" default_runs="$2"
    shift 2
    while [ $# -gt 0 ]; do
        case "$1" in
            --smoke) SMOKE=1 ;;
            --runs) RUNS="$2"; shift ;;
            --runs=*) RUNS="${1#--runs=}" ;;
            -h|--help)
                sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
                exit 0 ;;
            *) echo "error: unknown option $1 (try --help)" >&2; exit 2 ;;
        esac
        shift
    done
    if [ -z "$RUNS" ]; then
        if [ "$SMOKE" = 1 ]; then RUNS=1; else RUNS="$default_runs"; fi
    fi
    BENCH_NAME="$name"
    # Real disk, not tmpfs: what is measured includes the file system. BENCH_WORK moves it elsewhere.
    BENCH_WORK="${BENCH_WORK:-$BENCH_ROOT/bench/work}/$name"
    mkdir -p "$BENCH_OUT" "$BENCH_WORK"
    . "$BENCH_ROOT/bin/find-java.sh"
    find_java
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
    ensure_jars
}

ensure_jars() {
    if [ ! -f "$BENCH_JARS_DAEMON" ] || [ ! -f "$BENCH_JARS_MOCK" ] || [ ! -f "$BENCH_JARS_BENCH" ] \
            || [ -n "${WORKER_REBUILD:-}" ]; then
        echo "building the jars (./mvnw -DskipTests package)..." >&2
        (cd "$BENCH_ROOT" && ./mvnw -q -B -DskipTests package) >&2
    fi
}

log() {
    echo "[$(date +%H:%M:%S)] $*" >&2
}

# Runs a class of worker-bench (with its dependencies) in a fresh JVM.
bench_java() {
    "$JAVA" ${BENCH_JAVA_OPTS:-} -cp "$BENCH_JARS_BENCH" "$@"
}

# Starts a background process with its output in $1; remembers its pid for cleanup. Sets BG_PID.
start_bg() {
    local logfile="$1"
    shift
    "$@" >"$logfile" 2>&1 &
    BG_PID=$!
    BENCH_PIDS+=("$BG_PID")
}

# Stops one process this script started: TERM, then KILL after 10 s.
stop_pid() {
    local pid="$1" i
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local kept=() p
    for p in "${BENCH_PIDS[@]+"${BENCH_PIDS[@]}"}"; do
        [ "$p" = "$pid" ] || kept+=("$p")
    done
    BENCH_PIDS=("${kept[@]+"${kept[@]}"}")
}

bench_cleanup() {
    local pid
    for pid in "${BENCH_PIDS[@]+"${BENCH_PIDS[@]}"}"; do
        stop_pid "$pid"
    done
}

# Waits until a line of file $1 matches the extended regex $2 (at most $3 s); prints the first match.
wait_for_line() {
    local file="$1" regex="$2" timeout="${3:-60}" deadline
    deadline=$(( $(date +%s) + timeout ))
    while [ "$(date +%s)" -le "$deadline" ]; do
        if grep -m1 -E "$regex" "$file" 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    echo "error: '$regex' did not appear in $file within ${timeout}s; its last lines:" >&2
    tail -n 20 "$file" >&2
    return 1
}

# A free TCP port on 127.0.0.1 (racy by nature; good enough for a benchmark).
free_port() {
    # Below the kernel's ephemeral range, so that no client connection (curl polling, wrk) takes the port between
    # this check and the bind; and not used by any socket now.
    local port low
    low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    while true; do
        port=$(( 10000 + RANDOM % (low - 10000) ))
        if ! ss -tanH "sport = :$port" | grep -q .; then
            echo "$port"
            return 0
        fi
    done
}

now_ns() {
    date +%s%N
}

# Median of the numbers on stdin (one per line); "null" when there are none.
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "null" } else if (NR % 2) { print v[(NR + 1) / 2] } else { print (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'
}

# Starts a daemon on data dir $1 with extra options ${@:2}; sets DAEMON_PID and DAEMON_URL, waits until it listens.
start_daemon() {
    local dir="$1"
    shift
    local logfile="$BENCH_WORK/daemon.log"
    WORKER_LOG_LEVEL="${WORKER_LOG_LEVEL:-INFO}" start_bg "$logfile" "$JAVA" ${DAEMON_JAVA_OPTS:-} -jar "$BENCH_JARS_DAEMON" \
        serve --data-dir "$dir" --listen 127.0.0.1:0 --min-free 0 "$@"
    DAEMON_PID=$BG_PID
    DAEMON_URL=$(wait_for_line "$logfile" 'listening on http://' 60 | sed -E 's/.*listening on (http:\/\/[^ ]+).*/\1/')
}

# Waits until GET $1 answers 200 (at most $2 s).
wait_http_ok() {
    local url="$1" timeout="${2:-120}" deadline
    deadline=$(( $(date +%s) + timeout ))
    while [ "$(date +%s)" -le "$deadline" ]; do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ]; then
            return 0
        fi
        sleep 0.02
    done
    echo "error: $url did not answer 200 within ${timeout}s" >&2
    return 1
}

# Installs Debian packages when a command is missing. In smoke mode nothing is installed: returns 1 instead.
need() {
    local cmd="$1" pkg="${2:-$1}"
    if command -v "$cmd" >/dev/null 2>&1; then
        return 0
    fi
    if [ "$SMOKE" = 1 ]; then
        log "note: $cmd not installed; skipped in smoke mode"
        BENCH_MISSING+=("$cmd")
        return 1
    fi
    log "installing $pkg"
    if [ "$(id -u)" != 0 ]; then
        echo "error: $cmd is missing; install it (apt-get install -y $pkg) or run as root" >&2
        exit 1
    fi
    if [ -z "${BENCH_APT_UPDATED:-}" ]; then
        apt-get update -qq >/dev/null
        BENCH_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
    command -v "$cmd" >/dev/null 2>&1
}

# The first line of a benchmark's nginx.conf. nginx started by root runs its workers as nobody, who may not reach
# files under a private BENCH_WORK; here they run as the user running the script.
nginx_user_directive() {
    if [ "$(id -u)" = 0 ]; then
        echo "user $(id -un) $(id -gn);"
    fi
}

# Drops the page cache when allowed (root); returns 1 otherwise.
drop_caches() {
    sync
    if [ -w /proc/sys/vm/drop_caches ] || [ "$(id -u)" = 0 ]; then
        echo 3 > /proc/sys/vm/drop_caches 2>/dev/null && return 0
    fi
    return 1
}

# The machine, as a JSON object: cores, memory, the disk under $1, kernel, JDK, load.
machine_json() {
    local dir="${1:-$BENCH_WORK}" dev fstype model
    dev=$(df -P "$dir" | awk 'NR == 2 { print $1 }')
    fstype=$(df -PT "$dir" | awk 'NR == 2 { print $2 }')
    model=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
    jq -n --arg nproc "$(nproc)" --arg cpu "$model" \
        --arg mem "$(free -b | awk '/^Mem:/ { print $2 }')" \
        --arg disk "$dev ($fstype)" --arg kernel "$(uname -r)" \
        --arg jdk "$("$JAVA" -version 2>&1 | head -n 1)" \
        --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
        '{nproc: ($nproc | tonumber), cpu: $cpu, mem_bytes: ($mem | tonumber), disk: $disk, kernel: $kernel,
          jdk: $jdk, loadavg_at_start: $load}'
}

# Writes bench/out/$BENCH_NAME.json from a JSON value on stdin, adding the machine, the run count (run_count:
# a script's own "runs" holds its per-run figures) and the peer tools that were missing (their figures are null).
# The file is written only from a complete, valid JSON value: a failed jq upstream leaves no result behind.
write_result() {
    local file="$BENCH_OUT/$BENCH_NAME.json" input missing
    input=$(cat)
    if ! jq -e 'type == "object"' <<< "$input" > /dev/null 2>&1; then
        echo "error: $BENCH_NAME produced no valid results (a JSON object was expected)" >&2
        return 1
    fi
    missing=$(printf '%s\n' "${BENCH_MISSING[@]+"${BENCH_MISSING[@]}"}" | jq -R -s -c 'split("\n") | map(select(. != ""))')
    jq --argjson machine "$(machine_json)" --arg smoke "$SMOKE" --arg runs "$RUNS" --argjson missing "$missing" \
        --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg commit "$(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
        '. + {benchmark: "'"$BENCH_NAME"'", date: $date, commit: $commit, smoke: ($smoke == "1"), run_count: ($runs | tonumber),
              missing_tools: $missing, machine: $machine}' <<< "$input" > "$file"
    log "results: $file"
}

# One line naming the peer tools this run skipped, if any (for the end of a script's table).
print_missing() {
    if [ ${#BENCH_MISSING[@]} -gt 0 ]; then
        printf 'not installed, so not measured (figures reported as missing): %s\n' "${BENCH_MISSING[*]}"
    fi
}

# Prints $1, or "missing" when it is empty or null (a peer that was not installed has no figure).
or_missing() {
    if [ -z "$1" ] || [ "$1" = null ]; then echo missing; else echo "$1"; fi
}

# Prints a ratio a/b with 2 decimals, or "-" when either is missing.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "null" || b == "null" || b == 0) print "-"; else printf "%.2f", a / b }'
}

# A data directory of $1 ready chunks with $2 files each (DataDirGenerator: 10 datasets, 64-byte files), generated
# once under bench/work/datadirs and opened once, so that it holds a journal like a directory a worker has used.
# Prints its path. Benchmarks that change the chunk set must copy it or use their own.
datadir() {
    local chunks="$1" files="${2:-5}" dir
    dir="$(dirname "$BENCH_WORK")/datadirs/c$chunks-f$files"
    if [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir"
        mkdir -p "$(dirname "$dir")"
        log "generating $chunks ready chunks x $files files in $dir"
        bench_java dev.worker.bench.DataDirGenerator "$dir" "$chunks" 10 "$files" 64 >&2
        bench_java dev.worker.bench.StartupProbe "$dir" > /dev/null
        touch "$dir/.complete"
    fi
    echo "$dir"
}

# Percent of CPU time idle over the next second, across all cores (from /proc/stat).
idle_pct() {
    local a b
    a=$(awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
    sleep 1
    b=$(awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%d", 100 * (y[1] - x[1]) / (y[2] - x[2]) }'
}

# The machine is shared: before each measured step wait (at most BENCH_IDLE_WAIT s, default 180) until the CPUs
# were at least BENCH_IDLE_PCT % idle (default 85) for BENCH_IDLE_SECONDS seconds in a row (default 3). Sets IDLE to
# the last reading; smoke runs do not wait.
wait_idle() {
    local waited=0 streak=0 need="${BENCH_IDLE_SECONDS:-3}"
    IDLE=$(idle_pct)
    [ "$SMOKE" = 1 ] && return 0
    while [ "$waited" -lt "${BENCH_IDLE_WAIT:-180}" ]; do
        if [ "$IDLE" -ge "${BENCH_IDLE_PCT:-85}" ]; then
            streak=$((streak + 1))
            [ "$streak" -ge "$need" ] && return 0
        else
            streak=0
        fi
        IDLE=$(idle_pct)
        waited=$((waited + 1))
    done
    log "note: CPUs only ${IDLE}% idle after waiting ${waited}s; measuring anyway"
}
