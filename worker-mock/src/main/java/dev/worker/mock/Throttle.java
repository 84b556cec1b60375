package dev.worker.mock;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A non-blocking bandwidth cap: callers reserve bytes and are told how long to wait before sending them, so an event
 * loop schedules the send instead of sleeping. Safe to share between threads (the cap over all connections).
 * Idle time earns no burst credit.
 */
final class Throttle {
    /** No cap: every reservation may be sent at once. */
    static final Throttle UNLIMITED = new Throttle(0, 0);

    private final long bytesPerSecond;
    /** When the bytes reserved so far have been paid for, in {@link System#nanoTime()} time. */
    private final AtomicLong paidUntil;

    Throttle(long bytesPerSecond, long nowNanos) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytes per second must be >= 0, got " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.paidUntil = new AtomicLong(nowNanos);
    }

    static Throttle of(long bytesPerSecond) {
        return bytesPerSecond == 0 ? UNLIMITED : new Throttle(bytesPerSecond, System.nanoTime());
    }

    long bytesPerSecond() {
        return bytesPerSecond;
    }

    boolean unlimited() {
        return bytesPerSecond == 0;
    }

    /** Reserves {@code bytes}; returns the nanoseconds to wait, from {@code nowNanos}, before sending them. */
    long reserve(long bytes, long nowNanos) {
        if (bytesPerSecond == 0) {
            return 0;
        }
        long cost = Math.max(1, (long) (bytes * 1e9 / bytesPerSecond));
        while (true) {
            long paid = paidUntil.get();
            long start = paid - nowNanos > 0 ? paid : nowNanos;
            if (paidUntil.compareAndSet(paid, start + cost)) {
                return start - nowNanos;
            }
        }
    }
}
