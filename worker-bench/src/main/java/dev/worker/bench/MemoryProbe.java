package dev.worker.bench;

import dev.worker.core.ManagerConfig;
import dev.worker.core.WorkerDataManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Heap held per ready chunk: heap after full GCs with the data directory open, minus before, over the chunk count.
 * Prints one JSON line. Usage: {@code MemoryProbe DIR}
 */
public final class MemoryProbe {
    private MemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(run(Path.of(args[0])));
    }

    /** Measures the heap held for the ready chunks of {@code dir}; returns the JSON line. */
    public static String run(Path dir) throws IOException, InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        // Open and close an empty directory first: classes, caches and other one-time objects are then in the
        // baseline, and what is measured is the chunks.
        Path empty = Files.createTempDirectory("memory-probe");
        try {
            WorkerDataManager.open(ManagerConfig.builder(empty).minFreeBytes(0).build()).close();
        } finally {
            Trees.deleteRecursively(empty);
        }
        long before = settledHeap(memory);
        try (WorkerDataManager manager = WorkerDataManager.open(ManagerConfig.builder(dir).minFreeBytes(0).build())) {
            int chunks = manager.list().size();
            long after = settledHeap(memory);
            return String.format(Locale.ROOT, "{\"chunks\": %d, \"heap_before_bytes\": %d, \"heap_after_bytes\": %d,"
                    + " \"bytes_per_chunk\": %.0f}", chunks, before, after, (after - before) / (double) chunks);
        }
    }

    private static long settledHeap(MemoryMXBean memory) throws InterruptedException {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(100);
            long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(used - last) < 64 * 1024) {
                return used;
            }
            last = used;
        }
        return last;
    }
}
