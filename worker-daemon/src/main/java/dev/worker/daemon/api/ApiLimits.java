package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The admin API's limits.
 *
 * @param maxBodyBytes           a single-chunk or lease body (and any body on a route that takes none)
 * @param maxAssignmentBodyBytes an assignment body
 * @param defaultLeaseTtl        lease time when the request gives none
 * @param maxLeaseTtl            the longest lease a request may ask for
 * @param maxLeases              active leases at once
 * @param idleTimeout            a connection that sends nothing for this long (between or within requests) closes
 * @param headerTimeout          a request's line and headers must arrive within this time of its first byte
 * @param responseTimeout        longest wait for the manager to make an intent durable before answering 503
 * @param maxConnections         open connections at once; more are closed at once
 * @param maxInitialLineLength   request line (method, target, version) length; longer gets 414
 * @param maxHeaderSize          all header lines together; larger gets 431
 */
public record ApiLimits(
        int maxBodyBytes,
        long maxAssignmentBodyBytes,
        Duration defaultLeaseTtl,
        Duration maxLeaseTtl,
        int maxLeases,
        Duration idleTimeout,
        Duration headerTimeout,
        Duration responseTimeout,
        int maxConnections,
        int maxInitialLineLength,
        int maxHeaderSize) {

    public static final int MIB = 1 << 20;

    public ApiLimits {
        positive(maxBodyBytes, "max body bytes");
        positive(maxAssignmentBodyBytes, "max assignment body bytes");
        if (maxAssignmentBodyBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("max assignment body must be below 2 GiB, got "
                    + maxAssignmentBodyBytes);
        }
        positive(defaultLeaseTtl, "default lease ttl");
        positive(maxLeaseTtl, "max lease ttl");
        if (maxLeaseTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("max lease ttl must be at least 1s, got " + maxLeaseTtl);
        }
        if (defaultLeaseTtl.compareTo(maxLeaseTtl) > 0) {
            defaultLeaseTtl = maxLeaseTtl;
        }
        positive(maxLeases, "max leases");
        positive(idleTimeout, "idle timeout");
        positive(headerTimeout, "header timeout");
        positive(responseTimeout, "response timeout");
        positive(maxConnections, "max connections");
        positive(maxInitialLineLength, "max initial line length");
        positive(maxHeaderSize, "max header size");
    }

    /** The documented defaults: 1 MiB bodies, 64 MiB assignments, leases 300 s by default and 3600 s at most. */
    public static ApiLimits defaults() {
        return new ApiLimits(MIB, 64L * MIB, Duration.ofSeconds(300), Duration.ofSeconds(3600), 100_000,
                Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30), 1024, 8192, 16384);
    }

    public ApiLimits withMaxAssignmentBodyBytes(long value) {
        return new ApiLimits(maxBodyBytes, value, defaultLeaseTtl, maxLeaseTtl, maxLeases, idleTimeout, headerTimeout,
                responseTimeout, maxConnections, maxInitialLineLength, maxHeaderSize);
    }

    public ApiLimits withMaxLeaseTtl(Duration value) {
        return new ApiLimits(maxBodyBytes, maxAssignmentBodyBytes, defaultLeaseTtl, value, maxLeases, idleTimeout,
                headerTimeout, responseTimeout, maxConnections, maxInitialLineLength, maxHeaderSize);
    }

    public ApiLimits withTimeouts(Duration idle, Duration header) {
        return new ApiLimits(maxBodyBytes, maxAssignmentBodyBytes, defaultLeaseTtl, maxLeaseTtl, maxLeases, idle,
                header, responseTimeout, maxConnections, maxInitialLineLength, maxHeaderSize);
    }

    public ApiLimits withMaxConnections(int value) {
        return new ApiLimits(maxBodyBytes, maxAssignmentBodyBytes, defaultLeaseTtl, maxLeaseTtl,
                maxLeases, idleTimeout, headerTimeout, responseTimeout, value, maxInitialLineLength, maxHeaderSize);
    }

    /** The body limit of a route. */
    public long bodyLimit(Route route) {
        return switch (route.bodyLimit()) {
            case NONE, SINGLE -> maxBodyBytes;
            case ASSIGNMENT -> maxAssignmentBodyBytes;
        };
    }

    private static void positive(long value, String what) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + value);
        }
    }

    private static void positive(Duration value, String what) {
        requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }
}
