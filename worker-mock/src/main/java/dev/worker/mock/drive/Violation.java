package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

/**
 * A broken invariant.
 *
 * @param check   which check found it: {@code find}, {@code lease}, {@code convergence}, {@code content},
 *                {@code disk}, {@code refs}, {@code leases} or {@code errors}
 * @param message what was seen and what was expected
 */
record Violation(String check, String message) {
    Violation {
        requireNonNull(check, "check");
        requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return check + ": " + message;
    }
}
