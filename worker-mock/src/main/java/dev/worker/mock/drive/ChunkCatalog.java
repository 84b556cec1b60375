package dev.worker.mock.drive;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/** The chunks the driver plays with: the first N descriptors of the storage's manifest, in manifest order. */
final class ChunkCatalog {
    private final List<ChunkDescriptor> chunks;
    private final Map<ChunkId, ChunkDescriptor> byId;
    private final List<DatasetId> datasets;
    private final Map<DatasetId, Long> endOfDataset;

    private ChunkCatalog(List<ChunkDescriptor> chunks) {
        this.chunks = List.copyOf(chunks);
        Map<ChunkId, ChunkDescriptor> ids = new LinkedHashMap<>();
        Map<DatasetId, Long> ends = new TreeMap<>();
        for (ChunkDescriptor chunk : this.chunks) {
            if (ids.putIfAbsent(chunk.id(), chunk) != null) {
                throw new IllegalArgumentException("the manifest lists chunk " + chunk.id() + " twice");
            }
            ends.merge(chunk.datasetId(), chunk.range().end(), Math::max);
        }
        this.byId = Collections.unmodifiableMap(ids);
        this.datasets = List.copyOf(ends.keySet());
        this.endOfDataset = Collections.unmodifiableMap(ends);
    }

    /**
     * The first {@code limit} chunks of {@code manifest} (all of them when no limit is given).
     *
     * @throws IllegalArgumentException when the manifest is empty or lists an id twice
     */
    static ChunkCatalog of(List<ChunkDescriptor> manifest, OptionalInt limit) {
        requireNonNull(manifest, "manifest");
        if (manifest.isEmpty()) {
            throw new IllegalArgumentException("the manifest lists no chunks");
        }
        int n = Math.min(manifest.size(), requireNonNull(limit, "limit").orElse(manifest.size()));
        return new ChunkCatalog(new ArrayList<>(manifest.subList(0, n)));
    }

    List<ChunkDescriptor> chunks() {
        return chunks;
    }

    int size() {
        return chunks.size();
    }

    ChunkDescriptor get(int index) {
        return chunks.get(index);
    }

    Optional<ChunkDescriptor> get(ChunkId id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The datasets of the chunks, sorted. */
    List<DatasetId> datasets() {
        return datasets;
    }

    /** The end of the highest block range of {@code dataset} among the chunks: no chunk here holds it or later. */
    long endOf(DatasetId dataset) {
        Long end = endOfDataset.get(dataset);
        if (end == null) {
            throw new IllegalArgumentException("no chunk of dataset " + dataset + " in the catalog");
        }
        return end;
    }
}
