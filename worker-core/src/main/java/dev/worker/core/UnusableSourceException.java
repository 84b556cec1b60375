package dev.worker.core;

/**
 * A chunk names a source this manager cannot fetch with its configuration (an {@code s3://} source without S3
 * settings, or without a region). Thrown by {@code download} and {@code assign} before anything is stored; the
 * admin API answers it with 400.
 */
public final class UnusableSourceException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnusableSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
