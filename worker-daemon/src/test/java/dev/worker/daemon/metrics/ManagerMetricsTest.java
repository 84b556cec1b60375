package dev.worker.daemon.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkState;
import dev.worker.core.DataManager;
import dev.worker.core.TestChunks;
import dev.worker.daemon.FakeDataManager;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

final class ManagerMetricsTest {
    private final FakeDataManager manager = new FakeDataManager();
    private final AtomicLong nanos = new AtomicLong(1_000);

    @Test
    void prometheusOutput_usesTheDocumentedNames() {
        try (DaemonMetrics metrics = new DaemonMetrics()) {
            PrometheusMeterRegistry registry = metrics.registry();
            new ManagerMetrics(() -> Optional.of(manager), () -> 2, used -> used * 10, Duration.ofSeconds(1),
                    System::nanoTime).bindTo(registry);
            manager.addListener(ChunkPhaseTimer.downloads(registry, System::nanoTime));
            manager.addListener(ChunkPhaseTimer.removals(registry, System::nanoTime));
            ChunkDescriptor a = TestChunks.descriptor("a", "eth", 0, 10);
            manager.download(a);
            manager.makeReady(a.id(), Path.of("/tmp/a"));

            String text = metrics.scrape();
            assertThat(text)
                    .contains("worker_chunks{state=\"ready\"} 1.0")
                    .contains("worker_chunks{state=\"queued\"} 0.0")
                    .contains("worker_chunks{state=\"downloading\"}")
                    .contains("worker_chunks{state=\"failed\"}")
                    .contains("worker_chunks{state=\"removing\"}")
                    .doesNotContain("state=\"absent\"")
                    .contains("worker_download_bytes_total 1234.0")
                    .contains("worker_download_files_total{outcome=\"ok\"} 3.0")
                    .contains("worker_download_files_total{outcome=\"cancelled\"} 0.0")
                    .contains("worker_download_retries_total{reason=\"http_5xx\"} 2.0")
                    .contains("worker_download_retries_total{reason=\"stall\"} 0.0")
                    .contains("worker_refs_active 0.0")
                    .contains("worker_refs_leaked_total 0.0")
                    .contains("worker_disk_used_bytes 4096.0")
                    .contains("worker_disk_reserved_bytes 512.0")
                    .contains("worker_disk_budget_bytes 40960.0")
                    .contains("worker_ready 1.0")
                    .contains("worker_chunk_removal_seconds_count 0")
                    .contains("worker_pending_delete_bytes 0.0")
                    .contains("worker_startup_seconds 0.042")
                    .contains("worker_leases_active 2.0")
                    .contains("worker_chunk_download_seconds_bucket{le=\"1.0\"} 1")
                    .contains("worker_chunk_download_seconds_count 1")
                    .contains("worker_chunk_download_seconds_sum")
                    .contains("jvm_memory_used_bytes")
                    .contains("jvm_threads_live_threads")
                    .contains("jvm_classes_loaded_classes")
                    .contains("jvm_gc_")
                    .contains("system_cpu_count")
                    .contains("process_uptime_seconds");
        }
    }

    @Test
    void meters_keepReading_afterTheBinderIsOnlyReferencedByTheRegistry() throws InterruptedException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ManagerMetrics(() -> Optional.of(manager), () -> 7).bindTo(registry);
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(registry.scrape()).contains("worker_leases_active 7.0")
                .contains("worker_chunks{state=\"ready\"} 0.0");
    }

    @Test
    void beforeTheManagerIsOpen_metersReadZero_andStartupNaN() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ManagerMetrics(Optional::empty, () -> 0).bindTo(registry);
        String text = registry.scrape();
        assertThat(text).contains("worker_chunks{state=\"ready\"} 0.0").contains("worker_startup_seconds NaN");
    }

    @Test
    void oneSnapshotServesAScrape_andIsRefreshedAfterTheCacheTime() {
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<DataManager> counting = new AtomicReference<>(manager);
        ManagerMetrics metrics = new ManagerMetrics(() -> {
            calls.incrementAndGet();
            return Optional.of(counting.get());
        }, () -> 0, used -> 0, Duration.ofSeconds(1), nanos::get);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.bindTo(registry);
        registry.scrape();
        registry.scrape();
        assertThat(calls.get()).isEqualTo(1);
        nanos.addAndGet(1_000_000_001L);
        registry.scrape();
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void downloadTimer_countsQueuedToReady_only() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ChunkPhaseTimer timer = ChunkPhaseTimer.downloads(registry, nanos::get);
        var a = TestChunks.chunkId("a");
        var b = TestChunks.chunkId("b");
        timer.onStateChange(a, ChunkState.ABSENT, ChunkState.QUEUED);
        nanos.addAndGet(2_000_000_000L);
        timer.onStateChange(a, ChunkState.QUEUED, ChunkState.DOWNLOADING);
        nanos.addAndGet(1_000_000_000L);
        timer.onStateChange(a, ChunkState.DOWNLOADING, ChunkState.READY);
        timer.onStateChange(b, ChunkState.ABSENT, ChunkState.QUEUED);
        timer.onStateChange(b, ChunkState.QUEUED, ChunkState.ABSENT);
        timer.onStateChange(a, ChunkState.READY, ChunkState.REMOVING);
        timer.onStateChange(a, ChunkState.REMOVING, ChunkState.READY);
        var t = registry.get("worker.chunk.download").timer();
        assertThat(t.count()).isEqualTo(1);
        assertThat(t.totalTime(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(3.0);
        assertThat(timer.inProgress()).isZero();
    }

    @Test
    void removalTimer_countsRemovingToGone_notRevivedChunks() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ChunkPhaseTimer timer = ChunkPhaseTimer.removals(registry, nanos::get);
        var a = TestChunks.chunkId("a");
        var b = TestChunks.chunkId("b");
        var c = TestChunks.chunkId("c");
        timer.onStateChange(a, ChunkState.READY, ChunkState.REMOVING);
        timer.onStateChange(b, ChunkState.READY, ChunkState.REMOVING);
        nanos.addAndGet(5_000_000_000L);
        timer.onStateChange(a, ChunkState.REMOVING, ChunkState.ABSENT);
        timer.onStateChange(b, ChunkState.REMOVING, ChunkState.READY);
        timer.onStateChange(b, ChunkState.READY, ChunkState.ABSENT);
        timer.onStateChange(c, ChunkState.QUEUED, ChunkState.ABSENT);
        var t = registry.get("worker.chunk.removal").timer();
        assertThat(t.count()).isEqualTo(1);
        assertThat(t.totalTime(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(5.0);
        assertThat(timer.inProgress()).isZero();
        assertThat(registry.scrape()).contains("worker_chunk_removal_seconds_bucket{le=\"10.0\"} 1");
    }

    @Test
    void ready_isZeroUntilTheManagerIsOpen() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AtomicReference<Optional<DataManager>> open = new AtomicReference<>(Optional.empty());
        new ManagerMetrics(open::get, () -> 0, used -> 0, Duration.ZERO, nanos::get).bindTo(registry);
        assertThat(registry.scrape()).contains("worker_ready 0.0");
        open.set(Optional.of(manager));
        assertThat(registry.scrape()).contains("worker_ready 1.0");
    }
}
