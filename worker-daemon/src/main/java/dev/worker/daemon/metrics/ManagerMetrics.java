package dev.worker.daemon.metrics;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkState;
import dev.worker.core.DataManager;
import dev.worker.core.ManagerStats;
import dev.worker.core.download.RetryReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Exports the manager's {@link ManagerStats} as meters. One snapshot serves a whole scrape: it is taken at most once
 * per {@code cacheFor} (taking one walks every chunk entry). Before the manager is open every meter reads 0 (the
 * startup time reads NaN). Meters hold this binder strongly (Micrometer's default is a weak reference, which
 * would turn them into NaN once the binder is collected).
 *
 * <p>Prometheus names: {@code worker_chunks{state}}, {@code worker_download_bytes_total},
 * {@code worker_download_files_total{outcome}}, {@code worker_download_retries_total{reason}},
 * {@code worker_refs_active}, {@code worker_refs_leaked_total}, {@code worker_disk_used_bytes},
 * {@code worker_disk_reserved_bytes}, {@code worker_disk_budget_bytes}, {@code worker_pending_delete_bytes},
 * {@code worker_startup_seconds}, {@code worker_leases_active}, {@code worker_ready}.
 */
public final class ManagerMetrics implements MeterBinder {
    /** File outcomes and retry reasons are registered up front, so they are exported (as 0) before they occur. */
    static final Set<String> OUTCOMES = Set.of("ok", "failed", "cancelled");

    private final Supplier<Optional<DataManager>> manager;
    private final LongSupplier leasesActive;
    private final LongUnaryOperator diskBudget;
    private final LongSupplier nanoTime;
    private final long cacheNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<String> registeredOutcomes = ConcurrentHashMap.newKeySet();
    private final Set<String> registeredReasons = ConcurrentHashMap.newKeySet();
    private volatile MeterRegistry registry;
    // Guarded by lock.
    private Optional<ManagerStats> cached = Optional.empty();
    private long cachedAt;
    private boolean hasCache;

    /**
     * @param manager      the manager once it is open (the daemon is ready then)
     * @param diskBudget   from the bytes used, the bytes the data directory may hold in all (0 when unknown)
     */
    public ManagerMetrics(Supplier<Optional<DataManager>> manager, LongSupplier leasesActive,
            LongUnaryOperator diskBudget, Duration cacheFor, LongSupplier nanoTime) {
        this.manager = requireNonNull(manager, "manager");
        this.leasesActive = requireNonNull(leasesActive, "leasesActive");
        this.diskBudget = requireNonNull(diskBudget, "diskBudget");
        this.cacheNanos = requireNonNull(cacheFor, "cacheFor").toNanos();
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    public ManagerMetrics(Supplier<Optional<DataManager>> manager, LongSupplier leasesActive) {
        this(manager, leasesActive, used -> 0, Duration.ofSeconds(1), System::nanoTime);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        for (ChunkState state : ChunkState.values()) {
            if (state == ChunkState.ABSENT) {
                continue;
            }
            Gauge.builder("worker.chunks", this, m -> m.stat(s -> s.chunks().getOrDefault(state, 0)))
                    .description("Chunks the manager knows, by state")
                    .tag("state", state.wireName())
                    .strongReference(true)
                    .register(registry);
        }
        FunctionCounter.builder("worker.download", this, m -> m.stat(ManagerStats::bytesDownloaded))
                .description("Bytes received from storage, retried bytes included")
                .baseUnit(BaseUnits.BYTES)
                .register(registry);
        OUTCOMES.forEach(this::registerOutcome);
        for (RetryReason reason : RetryReason.values()) {
            registerReason(reason.code());
        }
        Gauge.builder("worker.refs.active", this, m -> m.stat(ManagerStats::refsActive))
                .description("Open chunk refs (leases and in-process readers)")
                .strongReference(true)
                .register(registry);
        FunctionCounter.builder("worker.refs.leaked", this, m -> m.stat(ManagerStats::refsLeaked))
                .description("Chunk refs released by the leak detector because their holder never closed them")
                .register(registry);
        bytesGauge("worker.disk.used", "Bytes of published chunks and partial downloads", ManagerStats::diskUsedBytes);
        bytesGauge("worker.disk.reserved", "Bytes reserved for downloads in progress beyond what they wrote",
                ManagerStats::diskReservedBytes);
        bytesGauge("worker.disk.budget", "Bytes the data directory may hold in all: --max-disk, or less when the file "
                + "system has less room (used + free - --min-free)", s -> diskBudget.applyAsLong(s.diskUsedBytes()));
        bytesGauge("worker.pending.delete", "Bytes of chunks no longer wanted that have not left the disk yet",
                ManagerStats::pendingDeleteBytes);
        TimeGauge.builder("worker.startup", this, TimeUnit.SECONDS, ManagerMetrics::startupSeconds)
                .description("How long the startup scan of the data directory took")
                .strongReference(true)
                .register(registry);
        Gauge.builder("worker.ready", this, m -> m.snapshot().isPresent() ? 1 : 0)
                .description("1 once the startup scan is done and the daemon serves requests (/health/ready), else 0")
                .strongReference(true)
                .register(registry);
        Gauge.builder("worker.leases.active", leasesActive, s -> s.getAsLong())
                .description("Leases held over the admin API")
                .strongReference(true)
                .register(registry);
    }

    private void bytesGauge(String name, String description, ToDoubleFunction<ManagerStats> value) {
        Gauge.builder(name, this, m -> m.stat(value))
                .description(description)
                .baseUnit(BaseUnits.BYTES)
                .strongReference(true)
                .register(registry);
    }

    private void registerOutcome(String outcome) {
        if (registeredOutcomes.add(outcome)) {
            FunctionCounter.builder("worker.download.files", this,
                            m -> m.stat(s -> s.filesDownloaded().getOrDefault(outcome, 0L)))
                    .description("Finished file transfers by outcome")
                    .tag("outcome", outcome)
                    .register(registry);
        }
    }

    private void registerReason(String reason) {
        if (registeredReasons.add(reason)) {
            FunctionCounter.builder("worker.download.retries", this,
                            m -> m.stat(s -> s.retries().getOrDefault(reason, 0L)))
                    .description("Transfer retries by reason")
                    .tag("reason", reason)
                    .register(registry);
        }
    }

    private double startupSeconds() {
        Optional<ManagerStats> stats = snapshot();
        return stats.isEmpty() ? Double.NaN : stats.get().startup().toNanos() / 1e9;
    }

    private double stat(ToDoubleFunction<ManagerStats> value) {
        Optional<ManagerStats> stats = snapshot();
        return stats.isEmpty() ? 0 : value.applyAsDouble(stats.get());
    }

    /** The cached snapshot, refreshed when older than the cache time. */
    public Optional<ManagerStats> snapshot() {
        Optional<ManagerStats> fresh;
        lock.lock();
        try {
            long now = nanoTime.getAsLong();
            if (hasCache && now - cachedAt < cacheNanos) {
                return cached;
            }
            fresh = manager.get().map(DataManager::stats);
            cached = fresh;
            cachedAt = now;
            hasCache = true;
        } finally {
            lock.unlock();
        }
        // Outcomes and reasons the core added after this binder was written still get a series.
        fresh.ifPresent(s -> {
            registerNew(s.filesDownloaded(), true);
            registerNew(s.retries(), false);
        });
        return fresh;
    }

    private void registerNew(Map<String, Long> counts, boolean outcomes) {
        if (registry == null) {
            return;
        }
        for (String key : counts.keySet()) {
            if (outcomes) {
                registerOutcome(key);
            } else {
                registerReason(key);
            }
        }
    }
}
