package dev.worker.core;

import static java.util.Objects.requireNonNull;

/** The size and SHA-256 of a file as written to disk. */
public record FileDigest(long size, Bytes32 sha256) {
    public FileDigest {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        requireNonNull(sha256, "sha256");
    }
}
