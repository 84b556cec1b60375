#!/usr/bin/env bash
# Builds the release from the runnable jars: a directory laid out as the archive, the archive
# worker-<version>-linux-x64.tar.gz, and the Debian package worker_<version>_amd64.deb (when dpkg-deb is there).
# Run by the build of worker-dist (`./mvnw -Prelease package`, or before the archive tests in `./mvnw verify`).
#
#   build.sh VERSION OUT_DIR
#
# The Java runtime is made with jlink from the JDK that runs the launchers (bin/find-java.sh), with the modules jdeps
# finds in the jars plus EXTRA_MODULES, which code reaches only by reflection or by name.
set -euo pipefail

VERSION="$1"
OUT="$2"
DIST_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DIST_SRC/../../../.." && pwd)"
DAEMON_JAR="$ROOT/worker-daemon/target/worker-daemon-all.jar"
MOCK_JAR="$ROOT/worker-mock/target/worker-mock-all.jar"
# jdk.crypto.ec: elliptic-curve TLS on a JDK 21 (from JDK 22 on, java.base has it and the module is empty).
EXTRA_MODULES="jdk.crypto.ec"

for jar in "$DAEMON_JAR" "$MOCK_JAR"; do
    [ -f "$jar" ] || { echo "error: $jar is missing: package worker-daemon and worker-mock first" >&2; exit 1; }
done

# The JDK: the one the launchers would pick in this checkout (no runtime/ here, so JAVA_HOME, PATH, /usr/lib/jvm).
. "$ROOT/bin/find-java.sh"
find_java
JDK_BIN="$(dirname "$(readlink -f "$JAVA")")"
for tool in jlink jdeps; do
    [ -x "$JDK_BIN/$tool" ] || { echo "error: $JDK_BIN/$tool not found: a full JDK 21+ is needed to build the release" >&2; exit 1; }
done

NAME="worker-$VERSION"
STAGE="$OUT/$NAME"
mkdir -p "$OUT"

# ---- runtime: reused while the JDK and the module list stay the same -------------------------------------------
MODULES="$("$JDK_BIN/jdeps" --multi-release 21 --ignore-missing-deps --print-module-deps "$DAEMON_JAR" "$MOCK_JAR"),$EXTRA_MODULES"
RUNTIME_KEY="$("$JAVA" -version 2>&1 | head -n 1) $MODULES"
RUNTIME="$OUT/runtime"
if [ ! -f "$RUNTIME.key" ] || [ "$(cat "$RUNTIME.key")" != "$RUNTIME_KEY" ]; then
    rm -rf "$RUNTIME" "$RUNTIME.key"
    # Not --compress: classes load faster from an uncompressed image, and the archive's gzip shrinks it as much.
    "$JDK_BIN/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --output "$RUNTIME"
    echo "$RUNTIME_KEY" > "$RUNTIME.key"
fi
echo "runtime: modules $MODULES; $(du -sm "$RUNTIME" | cut -f1) MiB"

# ---- the release directory ------------------------------------------------------------------------------------
rm -rf "$STAGE"
mkdir -p "$STAGE/bin" "$STAGE/lib" "$STAGE/etc"
install -m 0755 "$ROOT/bin/worker" "$ROOT/bin/worker-mock" "$STAGE/bin/"
install -m 0644 "$ROOT/bin/find-java.sh" "$STAGE/bin/"
install -m 0644 "$DAEMON_JAR" "$MOCK_JAR" "$STAGE/lib/"
install -m 0644 "$DIST_SRC/etc/worker.env" "$DIST_SRC/etc/worker.service" "$DIST_SRC/etc/worker-controller.service" \
    "$STAGE/etc/"
cp -a "$RUNTIME" "$STAGE/runtime"
echo "$VERSION" > "$STAGE/VERSION"

# Reproducible: sorted names, fixed owner and time.
EPOCH="${SOURCE_DATE_EPOCH:-1767225600}"
ARCHIVE="$OUT/$NAME-linux-x64.tar.gz"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$EPOCH" -C "$OUT" -cf - "$NAME" | gzip -n -6 > "$ARCHIVE"
echo "archive: $ARCHIVE ($(du -m "$ARCHIVE" | cut -f1) MiB)"

# ---- the Debian package ---------------------------------------------------------------------------------------
if ! command -v dpkg-deb > /dev/null; then
    echo "note: dpkg-deb not found; no Debian package built"
    exit 0
fi
DEB_VERSION="${VERSION//-/\~}"
DEB_ROOT="$OUT/deb"
rm -rf "$DEB_ROOT"
mkdir -p "$DEB_ROOT/DEBIAN" "$DEB_ROOT/opt/worker" "$DEB_ROOT/etc/default" "$DEB_ROOT/lib/systemd/system"
cp -a "$STAGE/bin" "$STAGE/lib" "$STAGE/runtime" "$STAGE/VERSION" "$DEB_ROOT/opt/worker/"
install -m 0644 "$DIST_SRC/etc/worker.env" "$DEB_ROOT/etc/default/worker"
install -m 0644 "$DIST_SRC/etc/worker.service" "$DIST_SRC/etc/worker-controller.service" \
    "$DEB_ROOT/lib/systemd/system/"
install -m 0755 "$DIST_SRC/debian/postinst" "$DIST_SRC/debian/prerm" "$DIST_SRC/debian/postrm" "$DEB_ROOT/DEBIAN/"
install -m 0644 "$DIST_SRC/debian/conffiles" "$DEB_ROOT/DEBIAN/"
sed -e "s/@VERSION@/$DEB_VERSION/" -e "s/@INSTALLED_SIZE@/$(du -sk --exclude=DEBIAN "$DEB_ROOT" | cut -f1)/" \
    "$DIST_SRC/debian/control" > "$DEB_ROOT/DEBIAN/control"
find "$DEB_ROOT" -exec touch -h -d "@$EPOCH" {} +
DEB="$OUT/worker_${DEB_VERSION}_amd64.deb"
SOURCE_DATE_EPOCH="$EPOCH" dpkg-deb --root-owner-group -Zgzip -z6 --build "$DEB_ROOT" "$DEB" > /dev/null
echo "package: $DEB ($(du -m "$DEB" | cut -f1) MiB)"
