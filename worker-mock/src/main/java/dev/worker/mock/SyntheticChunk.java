package dev.worker.mock;

import static java.util.Objects.requireNonNull;

import dev.worker.core.BlockRange;
import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import dev.worker.core.FileSource;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;

/** One chunk of a synthetic set, independent of where it is served. */
public record SyntheticChunk(ChunkId id, DatasetId datasetId, BlockRange range, List<SyntheticFile> files) {
    public SyntheticChunk {
        requireNonNull(id, "id");
        requireNonNull(datasetId, "datasetId");
        requireNonNull(range, "range");
        files = List.copyOf(files);
        if (files.isEmpty() || files.size() > ChunkDescriptor.MAX_FILES) {
            throw new IllegalArgumentException(
                    "chunk " + id + " needs 1 to " + ChunkDescriptor.MAX_FILES + " files, got " + files.size());
        }
    }

    /** The sum of the file sizes. */
    public long size() {
        long total = 0;
        for (SyntheticFile file : files) {
            total += file.size();
        }
        return total;
    }

    /**
     * The descriptor of this chunk as served from {@code baseUrl} (which ends with {@code /}): every file with its
     * size, and with the SHA-256 {@code checksums} gives for it, if any.
     */
    public ChunkDescriptor descriptor(URI baseUrl, Function<SyntheticFile, Optional<Bytes32>> checksums) {
        String base = baseUrl.toString();
        if (!base.endsWith("/")) {
            throw new IllegalArgumentException("base URL must end with '/', got " + base);
        }
        TreeMap<String, FileSource> sources = new TreeMap<>();
        for (SyntheticFile file : files) {
            String url = base + file.path().substring(1);
            sources.put(file.name(), new FileSource(url, OptionalLong.of(file.size()), checksums.apply(file)));
        }
        return new ChunkDescriptor(id, datasetId, range, sources);
    }
}
