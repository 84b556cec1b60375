package dev.worker.mock;

import static java.util.Objects.requireNonNull;

import dev.worker.core.launch.ByteSizes;
import dev.worker.core.launch.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The faults the mock storage injects into file requests (never into {@code /manifest.json} or {@code /stats}).
 * Each request draws its faults independently from a random stream seeded by the chunk set's seed and the request's
 * sequence number. When several body faults are drawn for one request, the first of reset, truncate, stall applies.
 *
 * @param errorRate      fraction of requests answered 503
 * @param retryAfter     sent as {@code Retry-After} (whole seconds, rounded up) with each 503, when present
 * @param resetRate      fraction of bodies cut at a random point by a connection reset (RST)
 * @param truncateRate   fraction of bodies cut at a random point by a clean close, the full length declared
 * @param stallRate      fraction of bodies that stop at a random point for {@code stall}, then the connection closes
 * @param stall          how long a stalled body stays silent before the close; positive when {@code stallRate > 0}
 * @param latency        delay before the response headers of every file request
 * @param bandwidth      bytes per second per connection; 0 = unlimited
 * @param totalBandwidth bytes per second over all connections; 0 = unlimited
 * @param notFound       paths answered 404 although they are in the manifest
 */
public record FaultConfig(
        double errorRate,
        Optional<Duration> retryAfter,
        double resetRate,
        double truncateRate,
        double stallRate,
        Duration stall,
        Duration latency,
        long bandwidth,
        long totalBandwidth,
        SortedSet<String> notFound) {

    public static final Duration DEFAULT_STALL = Duration.ofSeconds(10);
    /** No faults at all. */
    public static final FaultConfig NONE = builder().build();

    public FaultConfig {
        checkRate("error rate", errorRate);
        checkRate("reset rate", resetRate);
        checkRate("truncate rate", truncateRate);
        checkRate("stall rate", stallRate);
        requireNonNull(retryAfter, "retryAfter");
        retryAfter.ifPresent(d -> checkNotNegative("retry-after", d));
        checkNotNegative("stall", stall);
        checkNotNegative("latency", latency);
        if (stallRate > 0 && stall.isZero()) {
            throw new IllegalArgumentException("stall duration must be positive when the stall rate is " + stallRate);
        }
        if (bandwidth < 0) {
            throw new IllegalArgumentException("bandwidth must be >= 0 bytes/s (0 = unlimited), got " + bandwidth);
        }
        if (totalBandwidth < 0) {
            throw new IllegalArgumentException(
                    "total bandwidth must be >= 0 bytes/s (0 = unlimited), got " + totalBandwidth);
        }
        TreeSet<String> paths = new TreeSet<>();
        for (String path : requireNonNull(notFound, "notFound")) {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("not-found paths must start with '/', got '" + path + "'");
            }
            paths.add(path);
        }
        notFound = Collections.unmodifiableSortedSet(paths);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Whether any fault is in effect (the stall duration alone is not one). */
    public boolean any() {
        return errorRate > 0 || resetRate > 0 || truncateRate > 0 || stallRate > 0 || latency.isPositive()
                || bandwidth > 0 || totalBandwidth > 0 || !notFound.isEmpty();
    }

    /** The configured faults in the CLI's option syntax, e.g. {@code error-rate=0.1 latency=PT0.5S}; "none". */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (errorRate > 0) {
            parts.add("error-rate=" + errorRate);
        }
        retryAfter.ifPresent(d -> parts.add("retry-after=" + Durations.format(d)));
        if (resetRate > 0) {
            parts.add("reset-rate=" + resetRate);
        }
        if (truncateRate > 0) {
            parts.add("truncate-rate=" + truncateRate);
        }
        if (stallRate > 0) {
            parts.add("stall-rate=" + stallRate + " stall=" + Durations.format(stall));
        }
        if (!latency.isZero()) {
            parts.add("latency=" + Durations.format(latency));
        }
        if (bandwidth > 0) {
            parts.add("bandwidth=" + ByteSizes.formatCompact(bandwidth) + "/s");
        }
        if (totalBandwidth > 0) {
            parts.add("total-bandwidth=" + ByteSizes.formatCompact(totalBandwidth) + "/s");
        }
        if (!notFound.isEmpty()) {
            parts.add("not-found=" + notFound.size() + " path(s)");
        }
        return parts.isEmpty() ? "none" : String.join(" ", parts);
    }

    private static void checkRate(String what, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(what + " must be a fraction from 0 to 1, got " + rate);
        }
    }

    private static void checkNotNegative(String what, Duration duration) {
        requireNonNull(duration, what);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, got " + duration);
        }
    }

    /** Builds a {@link FaultConfig}; every fault off unless set. */
    public static final class Builder {
        private double errorRate;
        private Optional<Duration> retryAfter = Optional.empty();
        private double resetRate;
        private double truncateRate;
        private double stallRate;
        private Duration stall = DEFAULT_STALL;
        private Duration latency = Duration.ZERO;
        private long bandwidth;
        private long totalBandwidth;
        private SortedSet<String> notFound = new TreeSet<>();

        private Builder() {
        }

        private Builder(FaultConfig config) {
            errorRate = config.errorRate;
            retryAfter = config.retryAfter;
            resetRate = config.resetRate;
            truncateRate = config.truncateRate;
            stallRate = config.stallRate;
            stall = config.stall;
            latency = config.latency;
            bandwidth = config.bandwidth;
            totalBandwidth = config.totalBandwidth;
            notFound = new TreeSet<>(config.notFound);
        }

        public Builder errorRate(double rate) {
            this.errorRate = rate;
            return this;
        }

        public Builder retryAfter(Duration retryAfter) {
            this.retryAfter = Optional.of(retryAfter);
            return this;
        }

        public Builder noRetryAfter() {
            this.retryAfter = Optional.empty();
            return this;
        }

        public Builder resetRate(double rate) {
            this.resetRate = rate;
            return this;
        }

        public Builder truncateRate(double rate) {
            this.truncateRate = rate;
            return this;
        }

        public Builder stallRate(double rate) {
            this.stallRate = rate;
            return this;
        }

        public Builder stall(Duration stall) {
            this.stall = stall;
            return this;
        }

        public Builder latency(Duration latency) {
            this.latency = latency;
            return this;
        }

        public Builder bandwidth(long bytesPerSecond) {
            this.bandwidth = bytesPerSecond;
            return this;
        }

        public Builder totalBandwidth(long bytesPerSecond) {
            this.totalBandwidth = bytesPerSecond;
            return this;
        }

        public Builder notFound(Collection<String> paths) {
            this.notFound = new TreeSet<>(paths);
            return this;
        }

        public FaultConfig build() {
            return new FaultConfig(errorRate, retryAfter, resetRate, truncateRate, stallRate, stall, latency,
                    bandwidth, totalBandwidth, notFound);
        }
    }
}
