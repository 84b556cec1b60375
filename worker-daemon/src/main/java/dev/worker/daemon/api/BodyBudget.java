package dev.worker.daemon.api;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of request bodies held in memory, all connections together, against one limit: a thousand connections each
 * sending a large body cannot make the daemon hold a thousand large bodies.
 */
final class BodyBudget {
    private final long max;
    // INVARIANT: 0 <= held <= max. Each reservation is released exactly once, by the RequestGate that made it,
    // when its request ends or its connection closes.
    private final AtomicLong held = new AtomicLong();

    BodyBudget(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("body budget must be >= 1 byte, got " + max);
        }
        this.max = max;
    }

    /** Reserves {@code bytes}, or nothing when they do not fit. */
    boolean tryReserve(long bytes) {
        while (true) {
            long now = held.get();
            if (bytes > max - now) {
                return false;
            }
            if (held.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        long left = held.addAndGet(-bytes);
        if (left < 0) {
            throw new IllegalStateException("released " + bytes + " body bytes more than were reserved");
        }
    }

    long held() {
        return held.get();
    }

    long max() {
        return max;
    }
}
