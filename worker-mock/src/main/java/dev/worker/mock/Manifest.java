package dev.worker.mock;

import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.client.AssignmentDocument;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The chunk set's descriptors as served from the storage's base URL, and their JSON ({@code {"chunks": [...]}}).
 * Built once, on first use, off the caller's thread; the files' SHA-256 sums (when wanted) are computed in parallel,
 * which for a big set takes a while (about 1 GB/s per core).
 */
final class Manifest implements AutoCloseable {
    private final SyntheticChunkSet chunkSet;
    private final ContentGenerator content;
    private final boolean checksums;
    private final CompletableFuture<URI> baseUrl;
    private final int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** Threads start on the first submit, so a manifest never asked for costs nothing. */
    private final ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform()
            .name("mock-manifest-", 0).daemon(true).factory());
    private final ReentrantLock lock = new ReentrantLock();
    private CompletableFuture<List<ChunkDescriptor>> descriptors;
    private CompletableFuture<byte[]> json;

    Manifest(SyntheticChunkSet chunkSet, ContentGenerator content, boolean checksums, CompletableFuture<URI> baseUrl) {
        this.chunkSet = chunkSet;
        this.content = content;
        this.checksums = checksums;
        this.baseUrl = baseUrl;
    }

    boolean checksums() {
        return checksums;
    }

    /** The descriptors, in the chunk set's order; completes on a pool thread. */
    CompletableFuture<List<ChunkDescriptor>> descriptors() {
        lock.lock();
        try {
            if (descriptors == null) {
                descriptors = baseUrl.thenComposeAsync(this::build, pool);
            }
            return descriptors;
        } finally {
            lock.unlock();
        }
    }

    /** The manifest's JSON body; completes on a pool thread. */
    CompletableFuture<byte[]> json() {
        lock.lock();
        try {
            if (json == null) {
                json = descriptors().thenApplyAsync(AssignmentDocument::write, pool);
            }
            return json;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    private CompletableFuture<List<ChunkDescriptor>> build(URI base) {
        if (!checksums) {
            return CompletableFuture.completedFuture(describe(base, Map.of()));
        }
        List<SyntheticFile> files = new ArrayList<>(chunkSet.fileCount());
        chunkSet.chunks().forEach(chunk -> files.addAll(chunk.files()));
        Bytes32[] sums = new Bytes32[files.size()];
        AtomicInteger next = new AtomicInteger();
        CompletableFuture<?>[] workers = new CompletableFuture<?>[Math.min(threads, files.size())];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = CompletableFuture.runAsync(() -> {
                for (int i = next.getAndIncrement(); i < sums.length; i = next.getAndIncrement()) {
                    sums[i] = content.sha256(files.get(i).path(), files.get(i).size());
                }
            }, pool);
        }
        // INVARIANT: allOf's completion happens-after every worker's writes to sums.
        return CompletableFuture.allOf(workers).thenApply(done -> {
            Map<String, Bytes32> byPath = HashMap.newHashMap(sums.length);
            for (int i = 0; i < sums.length; i++) {
                byPath.put(files.get(i).path(), sums[i]);
            }
            return describe(base, byPath);
        });
    }

    private List<ChunkDescriptor> describe(URI base, Map<String, Bytes32> sums) {
        List<ChunkDescriptor> list = new ArrayList<>(chunkSet.chunks().size());
        for (SyntheticChunk chunk : chunkSet.chunks()) {
            list.add(chunk.descriptor(base, file -> Optional.ofNullable(sums.get(file.path()))));
        }
        return List.copyOf(list);
    }
}
