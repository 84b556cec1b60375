package dev.worker.core;

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

    // An emptied DatasetIndex stays in the map: removing it would race with a concurrent add to the same dataset,
    // and the number of datasets is small.
    void remove(ChunkHandle handle) {
        DatasetIndex index = datasets.get(handle.descriptor().datasetId());
        if (index != null) {
            index.remove(handle);
        }
    }
}
