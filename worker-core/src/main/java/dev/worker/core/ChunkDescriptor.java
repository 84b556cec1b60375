package dev.worker.core;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything needed to fetch a chunk: its id, dataset, block range and files (name to source, sorted by name,
 * immutable).
 * Ids name content, so two different descriptors with the same id are a conflict.
 */
public record ChunkDescriptor(ChunkId id, DatasetId datasetId, BlockRange range, SortedMap<String, FileSource> files) {
    public static final int MAX_FILES = 64;

    public ChunkDescriptor {
        requireNonNull(id, "id");
        requireNonNull(datasetId, "datasetId");
        requireNonNull(range, "range");
        requireNonNull(files, "files");
        datasetId = DatasetId.canonical(datasetId);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("chunk " + id + " has no files (need 1 to " + MAX_FILES + ")");
        }
        if (files.size() > MAX_FILES) {
            throw new IllegalArgumentException(
                    "chunk " + id + " has " + files.size() + " files (at most " + MAX_FILES + ")");
        }
        if (!(files instanceof FileMap)) {
            TreeMap<String, FileSource> copy = new TreeMap<>();
            files.forEach((name, source) -> {
                FileNames.check(name);
                copy.put(FileNames.canonical(name), requireNonNull(source, "source of " + name));
            });
            files = FileMap.copyOf(copy);
        }
    }

    public static ChunkDescriptor of(ChunkId id, DatasetId datasetId, BlockRange range, Map<String, FileSource> files) {
        return new ChunkDescriptor(id, datasetId, range, new TreeMap<>(files));
    }

    /** The sum of the declared file sizes, when every file declares one. */
    public OptionalLong declaredSize() {
        long total = 0;
        for (FileSource source : files.values()) {
            if (source.size().isEmpty()) {
                return OptionalLong.empty();
            }
            total += source.size().getAsLong();
        }
        return OptionalLong.of(total);
    }
}
