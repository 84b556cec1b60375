package dev.worker.core.download;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * @param maxConcurrentTransfers  file transfers in flight at once, across all chunks (a fair semaphore)
 * @param bandwidthBytesPerSecond total rate cap across all transfers; 0 for none
 * @param stallTimeout            no byte for this long: the transfer is aborted and retried
 * @param connectTimeout          TCP/TLS connect timeout
 * @param retryBase               first backoff delay
 * @param retryCap                longest backoff delay
 * @param randomSeed              seed for backoff jitter
 */
public record DownloadSettings(
        int maxConcurrentTransfers,
        long bandwidthBytesPerSecond,
        Duration stallTimeout,
        Duration connectTimeout,
        Duration retryBase,
        Duration retryCap,
        long randomSeed) {
    public DownloadSettings {
        if (maxConcurrentTransfers < 1) {
            throw new IllegalArgumentException("maxConcurrentTransfers must be >= 1, got " + maxConcurrentTransfers);
        }
        if (bandwidthBytesPerSecond < 0) {
            throw new IllegalArgumentException("bandwidth must be >= 0, got " + bandwidthBytesPerSecond);
        }
        requirePositive(stallTimeout, "stallTimeout");
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(retryBase, "retryBase");
        requirePositive(retryCap, "retryCap");
        if (retryCap.compareTo(retryBase) < 0) {
            throw new IllegalArgumentException("retryCap " + retryCap + " is below retryBase " + retryBase);
        }
    }

    private static void requirePositive(Duration value, String what) {
        requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }
}
