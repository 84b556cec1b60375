package dev.worker.daemon.lease;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How many leases, and how long.
 *
 * @param defaultTtl         lease time when the request gives none (at most {@code maxTtl})
 * @param maxTtl             the longest lease a request may ask for, at least 1 s
 * @param maxLeases          active leases at once, all clients together
 * @param maxLeasesPerClient active leases at once of one client address (at most {@code maxLeases})
 */
public record LeaseLimits(Duration defaultTtl, Duration maxTtl, int maxLeases, int maxLeasesPerClient) {
    public LeaseLimits {
        requireNonNull(defaultTtl, "defaultTtl");
        requireNonNull(maxTtl, "maxTtl");
        if (maxTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("max lease ttl must be at least 1s, got " + maxTtl);
        }
        if (defaultTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("default lease ttl must be at least 1s, got " + defaultTtl);
        }
        if (maxLeases < 1) {
            throw new IllegalArgumentException("max leases must be >= 1, got " + maxLeases);
        }
        if (maxLeasesPerClient < 1) {
            throw new IllegalArgumentException("max leases per client must be >= 1, got " + maxLeasesPerClient);
        }
        if (defaultTtl.compareTo(maxTtl) > 0) {
            defaultTtl = maxTtl;
        }
        maxLeasesPerClient = Math.min(maxLeasesPerClient, maxLeases);
    }

    /** 300 s by default, 3600 s at most; 100,000 leases, 10,000 per client address. */
    public static LeaseLimits defaults() {
        return new LeaseLimits(Duration.ofSeconds(300), Duration.ofSeconds(3600), 100_000, 10_000);
    }

    public LeaseLimits withMaxTtl(Duration value) {
        return new LeaseLimits(defaultTtl, value, maxLeases, maxLeasesPerClient);
    }

    public LeaseLimits withMaxLeases(int value) {
        return new LeaseLimits(defaultTtl, maxTtl, value, maxLeasesPerClient);
    }

    public LeaseLimits withMaxLeasesPerClient(int value) {
        return new LeaseLimits(defaultTtl, maxTtl, maxLeases, value);
    }
}
