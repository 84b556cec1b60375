package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import dev.worker.daemon.lease.LeaseLimits;
import java.time.Duration;

/**
 * The admin API's limits.
 *
 * @param maxBodyBytes           a single-chunk or lease body
 * @param maxAssignmentBodyBytes an assignment body
 * @param maxBufferedBodyBytes   request bodies held in memory at once, all connections together (at least
 *                               {@code maxAssignmentBodyBytes}); beyond it a request is answered 503
 * @param idleTimeout            a connection with no request in progress that sends and receives nothing for this
 *                               long is closed
 * @param headerTimeout          a request's line and headers must arrive within this time of its first byte (and
 *                               the whole of a refused request, whose body is read only to be dropped)
 * @param bodyTimeout            an accepted request's body must arrive within this time of its headers
 * @param responseTimeout        longest wait for the manager to make an intent durable before answering 503
 * @param maxConnections         open connections at once; more are closed at once
 * @param maxInitialLineLength   request line (method, target, version) length; longer gets 414
 * @param maxHeaderSize          all header lines together; larger gets 431
 * @param leases                 how many leases, and how long
 */
public record ApiLimits(
        int maxBodyBytes,
        long maxAssignmentBodyBytes,
        long maxBufferedBodyBytes,
        Duration idleTimeout,
        Duration headerTimeout,
        Duration bodyTimeout,
        Duration responseTimeout,
        int maxConnections,
        int maxInitialLineLength,
        int maxHeaderSize,
        LeaseLimits leases) {

    public static final int MIB = 1 << 20;

    public ApiLimits {
        positive(maxBodyBytes, "max body bytes");
        positive(maxAssignmentBodyBytes, "max assignment body bytes");
        if (maxAssignmentBodyBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("max assignment body must be below 2 GiB, got "
                    + maxAssignmentBodyBytes);
        }
        positive(maxBufferedBodyBytes, "max buffered body bytes");
        maxBufferedBodyBytes = Math.max(maxBufferedBodyBytes, Math.max(maxBodyBytes, maxAssignmentBodyBytes));
        positive(idleTimeout, "idle timeout");
        positive(headerTimeout, "header timeout");
        positive(bodyTimeout, "body timeout");
        positive(responseTimeout, "response timeout");
        positive(maxConnections, "max connections");
        positive(maxInitialLineLength, "max initial line length");
        positive(maxHeaderSize, "max header size");
        requireNonNull(leases, "leases");
    }

    /**
     * The documented defaults: 1 MiB bodies, 64 MiB assignments, 128 MiB of bodies in memory at once, 60 s idle,
     * 10 s for headers, 60 s for a body, 1024 connections, and {@link LeaseLimits#defaults()}.
     */
    public static ApiLimits defaults() {
        return new ApiLimits(MIB, 64L * MIB, 128L * MIB, Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofSeconds(60), Duration.ofSeconds(30), 1024, 8192, 16384, LeaseLimits.defaults());
    }

    public ApiLimits withMaxAssignmentBodyBytes(long value) {
        return new ApiLimits(maxBodyBytes, value, maxBufferedBodyBytes, idleTimeout, headerTimeout, bodyTimeout,
                responseTimeout, maxConnections, maxInitialLineLength, maxHeaderSize, leases);
    }

    public ApiLimits withMaxBufferedBodyBytes(long value) {
        return new ApiLimits(maxBodyBytes, maxAssignmentBodyBytes, value, idleTimeout, headerTimeout, bodyTimeout,
                responseTimeout, maxConnections, maxInitialLineLength, maxHeaderSize, leases);
    }

    public ApiLimits withTimeouts(Duration idle, Duration header, Duration body) {
        return new ApiLimits(maxBodyBytes, maxAssignmentBodyBytes, maxBufferedBodyBytes, idle, header, body,
                responseTimeout, maxConnections, maxInitialLineLength, maxHeaderSize, leases);
    }

    public ApiLimits withMaxConnections(int value) {
        return new ApiLimits(maxBodyBytes, maxAssignmentBodyBytes, maxBufferedBodyBytes, idleTimeout, headerTimeout,
                bodyTimeout, responseTimeout, value, maxInitialLineLength, maxHeaderSize, leases);
    }

    public ApiLimits withLeases(LeaseLimits value) {
        return new ApiLimits(maxBodyBytes, maxAssignmentBodyBytes, maxBufferedBodyBytes, idleTimeout, headerTimeout,
                bodyTimeout, responseTimeout, maxConnections, maxInitialLineLength, maxHeaderSize, value);
    }

    /** The body limit of a route: 0 for routes that take no body. */
    public long bodyLimit(Route route) {
        return switch (route.bodyLimit()) {
            case NONE -> 0;
            case SINGLE -> maxBodyBytes;
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
