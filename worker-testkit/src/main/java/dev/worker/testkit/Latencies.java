package dev.worker.testkit;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Recorded durations of one kind of call, in nanoseconds, and their percentiles. Exact: every sample is kept and
 * sorted (a few million fit easily), so p99.9 is a real sample, not a histogram bucket. Thread-safe; a hot loop keeps
 * one per thread (the lock is then never contended) and {@link #merge}s them afterwards.
 */
public final class Latencies {
    private final ReentrantLock lock = new ReentrantLock();
    // INVARIANT: the first count entries of samples are the recorded values; guarded by lock.
    private long[] samples;
    private int count;

    public Latencies() {
        this(1024);
    }

    /** @param expected how many samples to make room for at once */
    public Latencies(int expected) {
        samples = new long[Math.max(16, expected)];
    }

    public void record(long nanos) {
        lock.lock();
        try {
            if (count == samples.length) {
                samples = Arrays.copyOf(samples, samples.length * 2);
            }
            samples[count++] = nanos;
        } finally {
            lock.unlock();
        }
    }

    public int count() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** Records every sample of {@code other}. */
    public void merge(Latencies other) {
        for (long sample : other.sorted()) {
            record(sample);
        }
    }

    /** The {@code p}-th percentile (0 to 100) in nanoseconds, nearest rank; 0 when empty. */
    public long percentile(double p) {
        return at(sorted(), p / 100);
    }

    public long max() {
        return percentile(100);
    }

    /** The percentiles of what was recorded so far. */
    public Summary summary() {
        long[] sorted = sorted();
        double sum = 0;
        for (long s : sorted) {
            sum += s;
        }
        return new Summary(sorted.length, sorted.length == 0 ? 0 : sum / sorted.length, at(sorted, 0.50),
                at(sorted, 0.90), at(sorted, 0.99), at(sorted, 0.999), at(sorted, 1));
    }

    /** {@code n=1234 p50=0.8ms p99=3.1ms max=12.0ms}. */
    public String describe() {
        Summary s = summary();
        return String.format(Locale.ROOT, "n=%d p50=%.1fms p99=%.1fms max=%.1fms", s.count(), s.p50() / 1e6,
                s.p99() / 1e6, s.max() / 1e6);
    }

    private long[] sorted() {
        long[] copy;
        lock.lock();
        try {
            copy = Arrays.copyOf(samples, count);
        } finally {
            lock.unlock();
        }
        Arrays.sort(copy);
        return copy;
    }

    /** The smallest sample that at least {@code q} of the samples do not exceed (nearest rank). */
    static long at(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }

    /** Percentiles in nanoseconds. */
    public record Summary(int count, double meanNanos, long p50, long p90, long p99, long p999, long max) {
        /** A JSON object with the values in microseconds. */
        public String toJson() {
            return String.format(Locale.ROOT, "{\"count\": %d, \"mean_us\": %.2f, \"p50_us\": %.2f, \"p90_us\": %.2f,"
                    + " \"p99_us\": %.2f, \"p999_us\": %.2f, \"max_us\": %.2f}", count, meanNanos / 1e3, p50 / 1e3,
                    p90 / 1e3, p99 / 1e3, p999 / 1e3, max / 1e3);
        }
    }
}
