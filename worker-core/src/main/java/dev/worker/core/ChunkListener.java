package dev.worker.core;

/**
 * Told of every change of a chunk's state, in order per chunk, on a single notification thread (never on the
 * caller's thread and never under a lock). A listener that throws is logged and kept.
 */
@FunctionalInterface
public interface ChunkListener {
    /**
     * @param id       the chunk
     * @param previous the state before ({@link ChunkState#ABSENT} when newly known)
     * @param current  the state now ({@link ChunkState#ABSENT} when forgotten)
     */
    void onStateChange(ChunkId id, ChunkState previous, ChunkState current);
}
