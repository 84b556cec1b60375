package dev.worker.core;

import static java.util.Objects.requireNonNull;

import dev.worker.core.source.Sources;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * How a {@link DataManager} runs. Build with {@link #builder(Path)}; every value is checked.
 *
 * @param dataDir                the data directory (created if missing)
 * @param maxConcurrentTransfers file transfers in flight at once, across all chunks
 * @param maxDiskBytes           bytes the data directory may hold (published + in progress); 0 for no limit
 * @param minFreeBytes           free space the file system must keep; downloads wait rather than go below it
 * @param bandwidthBytesPerSecond total download rate cap; 0 for none
 * @param stallTimeout           a transfer that receives no byte for this long is retried
 * @param connectTimeout         TCP/TLS connect timeout
 * @param retryBase              first retry delay after a transient error
 * @param retryCap               longest retry delay
 * @param verifyOnStart          re-hash every ready chunk at startup (slow; off by default)
 * @param sources                how sources are reached: the source policy, per-host headers, S3 settings
 * @param clock                  wall clock for timestamps (tests inject one)
 * @param randomSeed             seed for retry jitter
 */
public record ManagerConfig(
        Path dataDir,
        int maxConcurrentTransfers,
        long maxDiskBytes,
        long minFreeBytes,
        long bandwidthBytesPerSecond,
        Duration stallTimeout,
        Duration connectTimeout,
        Duration retryBase,
        Duration retryCap,
        boolean verifyOnStart,
        Sources sources,
        Clock clock,
        long randomSeed) {

    public static final int DEFAULT_MAX_TRANSFERS = 16;

    public ManagerConfig {
        requireNonNull(dataDir, "dataDir");
        dataDir = dataDir.toAbsolutePath().normalize();
        if (maxConcurrentTransfers < 1 || maxConcurrentTransfers > 4096) {
            throw new IllegalArgumentException("max concurrent transfers must be 1..4096, got "
                    + maxConcurrentTransfers);
        }
        if (maxDiskBytes < 0) {
            throw new IllegalArgumentException("max disk bytes must be >= 0 (0 = no limit), got " + maxDiskBytes);
        }
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("min free bytes must be >= 0, got " + minFreeBytes);
        }
        if (bandwidthBytesPerSecond < 0) {
            throw new IllegalArgumentException(
                    "bandwidth must be >= 0 bytes/s (0 = no limit), got " + bandwidthBytesPerSecond);
        }
        requirePositive(stallTimeout, "stall timeout");
        requirePositive(connectTimeout, "connect timeout");
        requirePositive(retryBase, "retry base");
        requirePositive(retryCap, "retry cap");
        if (retryCap.compareTo(retryBase) < 0) {
            throw new IllegalArgumentException("retry cap " + retryCap + " is below retry base " + retryBase);
        }
        requireNonNull(sources, "sources");
        requireNonNull(clock, "clock");
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    public Builder toBuilder() {
        return new Builder(dataDir)
                .maxConcurrentTransfers(maxConcurrentTransfers)
                .maxDiskBytes(maxDiskBytes)
                .minFreeBytes(minFreeBytes)
                .bandwidthBytesPerSecond(bandwidthBytesPerSecond)
                .stallTimeout(stallTimeout)
                .connectTimeout(connectTimeout)
                .retryBase(retryBase)
                .retryCap(retryCap)
                .verifyOnStart(verifyOnStart)
                .sources(sources)
                .clock(clock)
                .randomSeed(randomSeed);
    }

    private static void requirePositive(Duration value, String what) {
        requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }

    /** Defaults: 16 transfers, no disk limit, 1 GiB free-space floor, no bandwidth cap, 30 s stall, 1 s..60 s retry. */
    public static final class Builder {
        private final Path dataDir;
        private int maxConcurrentTransfers = DEFAULT_MAX_TRANSFERS;
        private long maxDiskBytes;
        private long minFreeBytes = 1L << 30;
        private long bandwidthBytesPerSecond;
        private Duration stallTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration retryBase = Duration.ofSeconds(1);
        private Duration retryCap = Duration.ofSeconds(60);
        private boolean verifyOnStart;
        private Sources sources = Sources.defaults();
        private Clock clock = Clock.systemUTC();
        private long randomSeed = System.nanoTime();

        private Builder(Path dataDir) {
            this.dataDir = requireNonNull(dataDir, "dataDir");
        }

        public Builder maxConcurrentTransfers(int value) {
            this.maxConcurrentTransfers = value;
            return this;
        }

        public Builder maxDiskBytes(long value) {
            this.maxDiskBytes = value;
            return this;
        }

        public Builder minFreeBytes(long value) {
            this.minFreeBytes = value;
            return this;
        }

        public Builder bandwidthBytesPerSecond(long value) {
            this.bandwidthBytesPerSecond = value;
            return this;
        }

        public Builder stallTimeout(Duration value) {
            this.stallTimeout = value;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        public Builder retryBase(Duration value) {
            this.retryBase = value;
            return this;
        }

        public Builder retryCap(Duration value) {
            this.retryCap = value;
            return this;
        }

        public Builder verifyOnStart(boolean value) {
            this.verifyOnStart = value;
            return this;
        }

        public Builder sources(Sources value) {
            this.sources = value;
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = value;
            return this;
        }

        public Builder randomSeed(long value) {
            this.randomSeed = value;
            return this;
        }

        public ManagerConfig build() {
            return new ManagerConfig(dataDir, maxConcurrentTransfers, maxDiskBytes, minFreeBytes,
                    bandwidthBytesPerSecond, stallTimeout, connectTimeout, retryBase, retryCap, verifyOnStart, sources,
                    clock, randomSeed);
        }
    }
}
