package dev.worker.reliability.harness;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/** Request latencies in microseconds, for percentiles. Thread-safe. */
public final class Latencies {
    private final ReentrantLock lock = new ReentrantLock();
    private long[] values = new long[1024];
    private int size;

    public void add(long micros) {
        lock.lock();
        try {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = micros;
        } finally {
            lock.unlock();
        }
    }

    public int count() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** The {@code p}-th percentile (0..100) in microseconds; 0 when empty. */
    public long percentile(double p) {
        lock.lock();
        try {
            if (size == 0) {
                return 0;
            }
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            int index = (int) Math.ceil(p / 100.0 * size) - 1;
            return sorted[Math.clamp(index, 0, size - 1)];
        } finally {
            lock.unlock();
        }
    }

    public long max() {
        return percentile(100);
    }

    /** {@code n=1234 p50=0.8ms p99=3.1ms max=12.0ms}. */
    public String describe() {
        return String.format(Locale.ROOT, "n=%d p50=%.1fms p99=%.1fms max=%.1fms", count(), percentile(50) / 1000.0,
                percentile(99) / 1000.0, max() / 1000.0);
    }
}
