package dev.worker.core.download;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The bandwidth cap shared by all transfers: {@code rate} tokens (bytes) per second, at most {@code burst} saved up,
 * starting empty. A caller takes its bytes at once and, when that leaves the bucket in debt, sleeps (interruptibly,
 * outside the lock) until the refill has paid its share of the debt.
 */
final class TokenBucket {
    private static final long MAX_BURST = 4L << 20;

    private final long rate;
    private final long burst;
    private final LongSupplier nanoTime;
    private final ReentrantLock lock = new ReentrantLock();
    // INVARIANT (guarded by lock): tokens may be negative; a negative balance is time already promised to callers
    // that are sleeping it off, so a new caller queues behind them.
    private double tokens;
    private long refilledAt;

    TokenBucket(long bytesPerSecond, LongSupplier nanoTime) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("rate must be > 0 bytes/s, got " + bytesPerSecond);
        }
        this.rate = bytesPerSecond;
        this.burst = Math.max(1, Math.min(bytesPerSecond, MAX_BURST));
        this.nanoTime = nanoTime;
        this.refilledAt = nanoTime.getAsLong();
    }

    /** Takes {@code bytes} tokens, sleeping while the bucket is in debt. Interrupted: the tokens are given back. */
    void acquire(long bytes) throws InterruptedException {
        long waitNanos = take(bytes);
        if (waitNanos <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(waitNanos);
        } catch (InterruptedException e) {
            giveBack(bytes);
            throw e;
        }
    }

    /** Debits {@code bytes} and returns how long the caller must wait for them, in nanoseconds. */
    long take(long bytes) {
        lock.lock();
        try {
            refill();
            tokens -= bytes;
            return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * 1e9 / rate);
        } finally {
            lock.unlock();
        }
    }

    private void giveBack(long bytes) {
        lock.lock();
        try {
            tokens = Math.min(burst, tokens + bytes);
        } finally {
            lock.unlock();
        }
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        long elapsed = now - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * (rate / 1e9));
            refilledAt = now;
        }
    }
}
