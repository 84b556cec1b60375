package dev.worker.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The published chunks of every dataset; lock-free for readers. */
final class FindIndex {
    private final ConcurrentHashMap<DatasetId, DatasetIndex> datasets = new ConcurrentHashMap<>();

    /** The newest published chunk of {@code dataset} covering {@code block}, acquired; null when none. */
    ChunkHandle find(DatasetId dataset, long block) {
        DatasetIndex index = datasets.get(dataset);
        return index == null ? null : index.find(block);
    }

    void add(ChunkHandle handle) {
        datasets.computeIfAbsent(handle.descriptor().datasetId(), d -> new DatasetIndex()).add(handle);
    }

    /** Adds many handles at once (startup). */
    void addAll(Collection<ChunkHandle> handles) {
        Map<DatasetId, List<ChunkHandle>> byDataset = new HashMap<>();
        for (ChunkHandle h : handles) {
            byDataset.computeIfAbsent(h.descriptor().datasetId(), d -> new ArrayList<>()).add(h);
        }
        byDataset.forEach((dataset, list) -> datasets.computeIfAbsent(dataset, d -> new DatasetIndex()).addAll(list));
    }

    // An emptied DatasetIndex stays in the map: removing it would race with a concurrent add to the same dataset,
    // and the number of datasets is small.
    void remove(ChunkHandle handle) {
        DatasetIndex index = datasets.get(handle.descriptor().datasetId());
        if (index != null) {
            index.remove(handle);
        }
    }
}
