package dev.worker.mock.drive;

import dev.worker.core.ChunkId;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Serialises intents per chunk, which is what makes {@link DriverModel}'s ordering sound: a download or delete holds
 * its chunk's lock (under the shared side of the assignment lock) from sending the request until its answer is
 * recorded; an assignment holds the exclusive side, so it runs alone among intents. Finds and leases take no lock.
 * The locks are held across HTTP requests on purpose (the ordering is the point); they are {@link ReentrantLock}s, so
 * virtual threads waiting on them do not pin their carriers.
 */
final class IntentLocks {
    // Fair, so a waiting assignment is not starved by a stream of downloads and deletes.
    private final ReentrantReadWriteLock assignment = new ReentrantReadWriteLock(true);
    private final ConcurrentHashMap<ChunkId, ReentrantLock> chunks = new ConcurrentHashMap<>();

    void lockChunk(ChunkId chunk) {
        assignment.readLock().lock();
        chunks.computeIfAbsent(chunk, id -> new ReentrantLock()).lock();
    }

    void unlockChunk(ChunkId chunk) {
        try {
            chunks.get(chunk).unlock();
        } finally {
            assignment.readLock().unlock();
        }
    }

    void lockAll() {
        assignment.writeLock().lock();
    }

    void unlockAll() {
        assignment.writeLock().unlock();
    }
}
