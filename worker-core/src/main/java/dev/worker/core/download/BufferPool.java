package dev.worker.core.download;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct staging buffers, one per transfer in flight: received bytes are gathered here and written in large
 * writes straight from native memory. Each starts at an address aligned to {@link #ALIGNMENT}, as direct I/O
 * needs. Keeps at most {@code retain} buffers; the rest go to the garbage collector.
 */
final class BufferPool {
    /** Memory alignment of the buffers: a multiple of every block size direct I/O is used with. */
    static final int ALIGNMENT = 4096;

    private final int bufferSize;
    private final int retain;
    private final Queue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger freeCount = new AtomicInteger();

    BufferPool(int bufferSize, int retain) {
        this.bufferSize = bufferSize;
        this.retain = retain;
    }

    ByteBuffer take() {
        ByteBuffer buffer = free.poll();
        if (buffer == null) {
            return ByteBuffer.allocateDirect(bufferSize + ALIGNMENT).alignedSlice(ALIGNMENT);
        }
        freeCount.decrementAndGet();
        return buffer.clear();
    }

    void give(ByteBuffer buffer) {
        if (freeCount.incrementAndGet() <= retain) {
            free.add(buffer);
        } else {
            freeCount.decrementAndGet();
        }
    }
}
