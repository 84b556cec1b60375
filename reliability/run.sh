#!/usr/bin/env bash
# Runs one reliability suite: reliability/run.sh SUITE [options]
#   SUITE: crash | soak | bad-input | full-disk | refs
#   common options: --iterations N  --duration 60s  --seed N  --work-dir DIR  --keep  --help
# Exit code: 0 passed, 1 violations found (or the suite could not run), 2 usage error, 3 skipped (full-disk
# without root). Every suite is bounded by its iterations or duration; a hard wall-clock limit
# (RELIABILITY_TIMEOUT, default 30m) ends a run that hangs regardless. See docs/reliability.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/bin/find-java.sh"
find_java
# RELIABILITY_JAR runs a copy of the jar (all.sh uses one, so a rebuild during a long run cannot pull the classes
# out from under the suite and its daemon processes).
JAR="${RELIABILITY_JAR:-$ROOT/worker-reliability/target/worker-reliability-all.jar}"
if [ -z "${RELIABILITY_JAR:-}" ] && { [ ! -f "$JAR" ] || [ -n "${WORKER_REBUILD:-}" ]; }; then
    echo "building the reliability jar (first run; takes a minute)..." >&2
    (cd "$ROOT" && ./mvnw -o -q -B package -DskipTests -pl worker-reliability -am) >&2 || {
        echo "error: the build failed; run ./mvnw -o package -DskipTests -pl worker-reliability -am to see why" >&2
        exit 1
    }
fi
if [ $# -eq 0 ]; then
    echo "usage: reliability/run.sh SUITE [options]   (SUITE: crash, soak, bad-input, full-disk, refs)" >&2
    exit 2
fi
# The corpus path and the daemon's relative paths resolve against the repository root.
cd "$ROOT"
exec timeout --signal=KILL "${RELIABILITY_TIMEOUT:-30m}" "$JAVA" ${RELIABILITY_JAVA_OPTS:-} -jar "$JAR" "$@"
