package dev.worker.core.store;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.FileDigest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** A published chunk as recorded in its {@code chunk.json}. */
public record StoredChunk(ChunkDescriptor descriptor, Path dir, Map<String, FileDigest> files, Instant completedAt) {
    public StoredChunk {
        requireNonNull(descriptor, "descriptor");
        requireNonNull(dir, "dir");
        files = Map.copyOf(requireNonNull(files, "files"));
        requireNonNull(completedAt, "completedAt");
        if (!files.keySet().equals(descriptor.files().keySet())) {
            throw new IllegalArgumentException("chunk " + descriptor.id() + ": recorded files " + files.keySet()
                    + " differ from the descriptor's " + descriptor.files().keySet());
        }
    }

    public long totalSize() {
        long total = 0;
        for (FileDigest file : files.values()) {
            total += file.size();
        }
        return total;
    }
}
