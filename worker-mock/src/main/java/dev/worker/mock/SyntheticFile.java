package dev.worker.mock;

import static java.util.Objects.requireNonNull;

import dev.worker.core.FileNames;

/**
 * One file of a synthetic chunk: its name within the chunk, the URL path the storage serves it at (unique in the
 * set, starting with {@code /}) and its size (at least 1 byte). Its content is {@link ContentGenerator}'s for the
 * path.
 */
public record SyntheticFile(String name, String path, long size) {
    public SyntheticFile {
        FileNames.check(name);
        requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/', got '" + path + "'");
        }
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1, got " + size + " for " + path);
        }
    }
}
