package dev.worker.daemon.metrics;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkId;
import dev.worker.core.ChunkListener;
import dev.worker.core.ChunkState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Times one phase of each chunk's life from state changes into a histogram: from entering one of the start states to
 * reaching the end state. Leaving for any other state drops the chunk's clock, so it is not counted.
 * <ul>
 * <li>{@link #downloads}: {@code worker_chunk_download_seconds}, from wanted (queued or downloading) to ready; a chunk
 * that fails or is removed first is not counted, nor one revived from removal without a download.</li>
 * <li>{@link #removals}: {@code worker_chunk_removal_seconds}, the deletion lag: from no longer wanted (removing) to
 * gone from the disk; refs and leases hold it meanwhile. A chunk wanted again before it is gone is not counted.</li>
 * </ul>
 */
public final class ChunkPhaseTimer implements ChunkListener {
    private static final Duration[] DOWNLOAD_BUCKETS = {
            Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
            Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30),
            Duration.ofHours(1)};
    private static final Duration[] REMOVAL_BUCKETS = {
            Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1)};

    private final Set<ChunkState> start;
    private final ChunkState end;
    private final Timer timer;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<ChunkId, Long> started = new ConcurrentHashMap<>();

    private ChunkPhaseTimer(Set<ChunkState> start, ChunkState end, Timer timer, LongSupplier nanoTime) {
        this.start = EnumSet.copyOf(start);
        this.end = end;
        this.timer = timer;
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    public static ChunkPhaseTimer downloads(MeterRegistry registry, LongSupplier nanoTime) {
        return new ChunkPhaseTimer(EnumSet.of(ChunkState.QUEUED, ChunkState.DOWNLOADING), ChunkState.READY,
                Timer.builder("worker.chunk.download")
                        .description("Time from a chunk being queued to it being ready")
                        .serviceLevelObjectives(DOWNLOAD_BUCKETS)
                        .register(registry), nanoTime);
    }

    public static ChunkPhaseTimer removals(MeterRegistry registry, LongSupplier nanoTime) {
        return new ChunkPhaseTimer(EnumSet.of(ChunkState.REMOVING), ChunkState.ABSENT,
                Timer.builder("worker.chunk.removal")
                        .description("Time from a chunk no longer being wanted to its files leaving the disk")
                        .serviceLevelObjectives(REMOVAL_BUCKETS)
                        .register(registry), nanoTime);
    }

    @Override
    public void onStateChange(ChunkId id, ChunkState previous, ChunkState current) {
        if (start.contains(current)) {
            started.putIfAbsent(id, nanoTime.getAsLong());
        } else if (current == end) {
            Long since = started.remove(id);
            if (since != null) {
                timer.record(nanoTime.getAsLong() - since, TimeUnit.NANOSECONDS);
            }
        } else {
            started.remove(id);
        }
    }

    /** Chunks being timed. */
    int inProgress() {
        return started.size();
    }
}
