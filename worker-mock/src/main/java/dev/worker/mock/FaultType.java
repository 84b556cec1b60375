package dev.worker.mock;

import java.util.Locale;

/** The kinds of fault the mock storage injects into file requests, as counted in {@link MockStorageStats}. */
public enum FaultType {
    /** Answered 503, with {@code Retry-After} when configured. */
    ERROR,
    /** Part of the body sent, then the connection reset (RST). */
    RESET,
    /** Full {@code Content-Length} declared, part of the body sent, then a clean close. */
    TRUNCATE,
    /** Sending stopped mid-body for the stall duration, then the connection closed. */
    STALL,
    /** The response delayed before its headers. */
    LATENCY,
    /** A path of the set answered 404. */
    NOT_FOUND;

    /** The snake_case name used in JSON, e.g. {@code not_found}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
