package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How to run {@code worker-mock drive}.
 *
 * @param daemon      the daemon's admin API, e.g. {@code http://127.0.0.1:7070}
 * @param token       the bearer token, when the daemon wants one
 * @param storage     the mock storage's root URL (ending with {@code /}), where {@code manifest.json} is
 * @param dataDir     the daemon's data directory, for the on-disk checks
 * @param ops         operations to play (0 only checks the daemon's current state)
 * @param concurrency workers playing them
 * @param seed        the seed of the operation sequence
 * @param mix         the weights of the operation kinds
 * @param chunks      play with the first N chunks of the manifest only
 * @param timeout     how long to wait for the daemon to be ready, and then to converge
 * @param json        report as one JSON object
 */
record DriveOptions(URI daemon, Optional<String> token, URI storage, Optional<Path> dataDir, long ops,
        int concurrency, long seed, OperationMix mix, OptionalInt chunks, Duration timeout, boolean json) {
    static final int MAX_CONCURRENCY = 1024;

    DriveOptions {
        requireHttp(daemon, "daemon");
        requireNonNull(token, "token");
        requireHttp(storage, "storage");
        requireNonNull(dataDir, "dataDir");
        if (ops < 0) {
            throw new IllegalArgumentException("ops must be >= 0, got " + ops);
        }
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency must be 1 to " + MAX_CONCURRENCY + ", got " + concurrency);
        }
        requireNonNull(mix, "mix");
        if (requireNonNull(chunks, "chunks").isPresent() && chunks.getAsInt() < 1) {
            throw new IllegalArgumentException("chunks must be >= 1, got " + chunks.getAsInt());
        }
        if (requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be > 0, got " + timeout);
        }
    }

    private static void requireHttp(URI uri, String what) {
        requireNonNull(uri, what);
        String scheme = uri.getScheme();
        if (!uri.isAbsolute() || uri.getHost() == null
                || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            throw new IllegalArgumentException(what + " must be an http(s) URL like http://127.0.0.1:7070, got '"
                    + uri + "'");
        }
    }
}
