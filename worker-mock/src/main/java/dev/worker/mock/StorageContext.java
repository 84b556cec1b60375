package dev.worker.mock;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** What every connection of one storage shares: the set, its content, manifest, counters and current faults. */
final class StorageContext {
    /** The faults in force and the cap over all connections they call for. */
    record ActiveFaults(FaultConfig config, Throttle total) {
    }

    private final SyntheticChunkSet chunkSet;
    private final ContentGenerator content;
    private final Validators validators;
    private final Manifest manifest;
    private final StatsRecorder stats = new StatsRecorder();
    private final AtomicReference<ActiveFaults> faults = new AtomicReference<>();
    private final AtomicLong fileRequests = new AtomicLong();
    private final long faultSeed;

    StorageContext(SyntheticChunkSet chunkSet, ContentGenerator content, Manifest manifest, FaultConfig faults) {
        this.chunkSet = chunkSet;
        long seed = chunkSet.spec().seed();
        this.content = content;
        this.validators = new Validators(seed);
        this.manifest = manifest;
        this.faultSeed = Hashing.sha256("faults/" + seed).w0();
        faults(faults);
    }

    SyntheticChunkSet chunkSet() {
        return chunkSet;
    }

    ContentGenerator content() {
        return content;
    }

    Validators validators() {
        return validators;
    }

    Manifest manifest() {
        return manifest;
    }

    StatsRecorder stats() {
        return stats;
    }

    ActiveFaults faults() {
        return faults.get();
    }

    /** Puts {@code config} in force for requests that start from now on; keeps the total cap's state if unchanged. */
    void faults(FaultConfig config) {
        faults.updateAndGet(old -> new ActiveFaults(config,
                old != null && old.total().bytesPerSecond() == config.totalBandwidth()
                        ? old.total()
                        : Throttle.of(config.totalBandwidth())));
    }

    /** Draws the faults of the next file request from the seed and the request's sequence number. */
    FaultPlan drawFaults(FaultConfig config) {
        long n = fileRequests.getAndIncrement();
        return FaultPlan.draw(config, new SplittableRandom(faultSeed + n * Hashing.GAMMA));
    }
}
