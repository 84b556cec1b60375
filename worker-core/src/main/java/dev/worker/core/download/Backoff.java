package dev.worker.core.download;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Exponential backoff with "equal jitter" for one file: the n-th consecutive failure waits d/2 + rand[0, d/2] where
 * d = min(cap, base * 2^(n-1)). Owned by one transfer thread; not thread-safe.
 */
final class Backoff {
    private final long baseNanos;
    private final long capNanos;
    private final SplittableRandom random;
    private int failures;

    Backoff(Duration base, Duration cap, SplittableRandom random) {
        this.baseNanos = Math.max(1, requireNonNull(base, "base").toNanos());
        this.capNanos = Math.max(baseNanos, requireNonNull(cap, "cap").toNanos());
        this.random = requireNonNull(random, "random");
    }

    /** The delay before the next attempt after one more failure. */
    Duration next() {
        failures = Math.min(failures + 1, 63);
        int shift = failures - 1;
        long ceiling = baseNanos > (capNanos >> shift) ? capNanos : baseNanos << shift;
        long half = ceiling / 2;
        return Duration.ofNanos(half + random.nextLong(ceiling - half + 1));
    }

    /** The file made progress: the next failure starts from the base delay again. */
    void reset() {
        failures = 0;
    }
}
