package dev.worker.daemon.api;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * An expected failure of a request (bad input, unknown resource, not ready): carries the {@link ApiError}, a
 * message saying what and why, and response headers the error needs (e.g. {@code Allow}).
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ApiError error;
    private final transient Map<String, String> headers;

    public ApiException(ApiError error, String message) {
        this(error, message, Map.of(), null);
    }

    public ApiException(ApiError error, String message, Throwable cause) {
        this(error, message, Map.of(), cause);
    }

    public ApiException(ApiError error, String message, Map<String, String> headers, Throwable cause) {
        super(requireNonNull(message, "message"), cause, false, false);
        this.error = requireNonNull(error, "error");
        this.headers = Map.copyOf(headers);
    }

    public ApiError error() {
        return error;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
