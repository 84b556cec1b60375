package dev.worker.daemon.metrics;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkId;
import dev.worker.core.ChunkListener;
import dev.worker.core.ChunkState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Feeds the {@code worker_chunk_download_seconds} histogram: the time from a chunk first becoming wanted
 * (queued or downloading) to becoming ready. A chunk that leaves (failed, removed) before it is ready is not
 * counted; a chunk revived from removal without a download is not counted.
 */
public final class ChunkDownloadTimer implements ChunkListener {
    private static final Duration[] BUCKETS = {
            Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
            Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30),
            Duration.ofHours(1)};

    private final Timer timer;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<ChunkId, Long> started = new ConcurrentHashMap<>();

    public ChunkDownloadTimer(MeterRegistry registry, LongSupplier nanoTime) {
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        this.timer = Timer.builder("worker.chunk.download")
                .description("Time from a chunk being queued to it being ready")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }

    public ChunkDownloadTimer(MeterRegistry registry) {
        this(registry, System::nanoTime);
    }

    @Override
    public void onStateChange(ChunkId id, ChunkState previous, ChunkState current) {
        switch (current) {
            case QUEUED, DOWNLOADING -> started.putIfAbsent(id, nanoTime.getAsLong());
            case READY -> {
                Long start = started.remove(id);
                if (start != null) {
                    timer.record(nanoTime.getAsLong() - start, TimeUnit.NANOSECONDS);
                }
            }
            case FAILED, REMOVING, ABSENT -> started.remove(id);
        }
    }

    /** Chunks whose download is being timed. */
    int inProgress() {
        return started.size();
    }
}
