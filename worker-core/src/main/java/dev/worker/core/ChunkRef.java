package dev.worker.core;

import java.nio.file.Path;

/**
 * A hold on a ready chunk. While any ref to a chunk is open its directory is neither deleted nor modified, even if
 * the chunk is deleted meanwhile. {@link #close()} is idempotent; every other method throws
 * {@link IllegalStateException} after it. A ref that becomes unreachable without being closed is released by the
 * manager and logged as a leak.
 */
public interface ChunkRef extends AutoCloseable {
    ChunkId id();

    ChunkDescriptor descriptor();

    /** The chunk's directory (absolute). */
    Path path();

    /** The absolute path of one of the chunk's files. */
    default Path file(String name) {
        if (!descriptor().files().containsKey(name)) {
            throw new IllegalArgumentException("chunk " + id() + " has no file '" + name + "'");
        }
        return path().resolve(name);
    }

    @Override
    void close();
}
