package dev.worker.core;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of what the manager knows about one chunk.
 *
 * @param bytesDone   bytes on disk for this chunk (all of them once ready)
 * @param bytesTotal  bytes expected in all ({@code 0} while unknown)
 * @param attempts    transfer attempts made since the chunk was last requested
 * @param lastError   the last transfer error, cleared when the chunk becomes ready
 * @param refs        open {@link ChunkRef}s
 * @param nextRetryAt when a download waiting after a transient error tries again
 * @param path        the published directory, while ready
 */
public record ChunkStatus(
        ChunkDescriptor descriptor,
        ChunkState state,
        long bytesDone,
        long bytesTotal,
        int attempts,
        Optional<String> lastError,
        int refs,
        Optional<Instant> nextRetryAt,
        Optional<Path> path) {

    public ChunkStatus {
        requireNonNull(descriptor, "descriptor");
        requireNonNull(state, "state");
        requireNonNull(lastError, "lastError");
        requireNonNull(nextRetryAt, "nextRetryAt");
        requireNonNull(path, "path");
        if (state == ChunkState.ABSENT) {
            throw new IllegalArgumentException("a known chunk cannot be absent: " + descriptor.id());
        }
    }

    public ChunkId id() {
        return descriptor.id();
    }
}
