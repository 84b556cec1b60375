package dev.worker.daemon.catalog;

import static java.util.Objects.requireNonNull;

/** One object of a bucket listing: its key, size and ETag (as the store wrote it, quotes included). */
public record ListedObject(String key, long size, String etag) {
    public ListedObject {
        requireNonNull(key, "key");
        requireNonNull(etag, "etag");
        if (size < 0) {
            throw new IllegalArgumentException("object size must be >= 0, got " + size + " for " + key);
        }
    }
}
