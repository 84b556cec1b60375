package dev.worker.bench;

import dev.worker.core.ManagerConfig;
import dev.worker.core.WorkerDataManager;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;

/**
 * Heap held per ready chunk: heap after full GCs with the data directory open, minus before, over the chunk count.
 * Prints one JSON line. Usage: {@code MemoryProbe DIR}
 */
public final class MemoryProbe {
    private MemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        // Load the classes and warm the scan first, so that what is measured is the chunks, not the code.
        long before = settledHeap(memory);
        try (WorkerDataManager manager = WorkerDataManager.open(ManagerConfig.builder(dir).minFreeBytes(0).build())) {
            int chunks = manager.list().size();
            long after = settledHeap(memory);
            System.out.printf("{\"chunks\": %d, \"heap_before_bytes\": %d, \"heap_after_bytes\": %d,"
                    + " \"bytes_per_chunk\": %.0f}%n", chunks, before, after, (after - before) / (double) chunks);
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
