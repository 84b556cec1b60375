# Sourced by the launchers after they set ROOT (the directory holding bin/; scripts that do not set it get no
# release runtime). Two layouts share these launchers:
# a checkout (jars under <module>/target/, built on first use) and a release, i.e. the archive or the Debian
# package (jars under lib/, a Java runtime of its own under runtime/).
#
# find_java sets JAVA to a java binary of version >= 21, or exits 1 saying what is needed. Order: the release's own
# runtime, then $JAVA_HOME if it is 21+, then `java` on PATH if it is 21+, then the newest 21+ JDK under /usr/lib/jvm.

java_major() {
    # Prints the feature version of the java binary $1 (e.g. 17, 21, 25), or nothing.
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

find_java() {
    local candidate major best="" best_major=0
    if [ -n "${ROOT:-}" ] && [ -x "$ROOT/runtime/bin/java" ]; then
        JAVA="$ROOT/runtime/bin/java"
        return 0
    fi
    for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java 2>/dev/null)"; do
        [ -x "$candidate" ] || continue
        major=$(java_major "$candidate")
        if [ -n "$major" ] && [ "$major" -ge 21 ]; then
            JAVA="$candidate"
            return 0
        fi
    done
    for candidate in /usr/lib/jvm/*/bin/java; do
        [ -x "$candidate" ] || continue
        major=$(java_major "$candidate")
        if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
            best="$candidate"
            best_major="$major"
        fi
    done
    if [ -n "$best" ]; then
        JAVA="$best"
        return 0
    fi
    echo "error: a JDK 21 or newer is needed (checked \$JAVA_HOME, java on PATH and /usr/lib/jvm); install one or set JAVA_HOME" >&2
    exit 1
}

# Prints the runnable jar of module $1: lib/$1-all.jar in a release, else $1/target/$1-all.jar in a checkout.
worker_jar() {
    if [ -f "$ROOT/lib/$1-all.jar" ]; then
        echo "$ROOT/lib/$1-all.jar"
    else
        echo "$ROOT/$1/target/$1-all.jar"
    fi
}

# Builds the runnable jars on first use (when any of the given jars is missing), so a fresh checkout needs no
# separate build step.
ensure_built() {
    local jar missing=""
    for jar in "$@"; do
        [ -f "$jar" ] || missing=1
    done
    if [ -n "$missing" ] || [ -n "${WORKER_REBUILD:-}" ]; then
        echo "building (first run; takes a minute)..." >&2
        (cd "$ROOT" && ./mvnw -q -B -DskipTests package) >&2 || {
            echo "error: the build failed; run ./mvnw -DskipTests package to see why" >&2
            exit 1
        }
    fi
}
