package dev.worker.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Recorded durations of one kind of call, in nanoseconds, and their percentiles. Exact: every sample is kept and
 * sorted (a few million samples fit easily), so p99.9 is a real sample, not a histogram bucket. Not thread-safe:
 * one recorder per thread, {@link #merge}d afterwards.
 */
public final class Latencies {
    private long[] samples;
    private int count;

    public Latencies(int expected) {
        samples = new long[Math.max(16, expected)];
    }

    public void record(long nanos) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, samples.length * 2);
        }
        samples[count++] = nanos;
    }

    public int count() {
        return count;
    }

    public void merge(Latencies other) {
        for (int i = 0; i < other.count; i++) {
            record(other.samples[i]);
        }
    }

    /** The percentiles of what was recorded so far. */
    public Summary summary() {
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        double sum = 0;
        for (long s : sorted) {
            sum += s;
        }
        return new Summary(count, count == 0 ? 0 : sum / count, at(sorted, 0.50), at(sorted, 0.90), at(sorted, 0.99),
                at(sorted, 0.999), count == 0 ? 0 : sorted[count - 1]);
    }

    /** The smallest sample that at least {@code q} of the samples do not exceed (nearest rank). */
    static long at(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
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
