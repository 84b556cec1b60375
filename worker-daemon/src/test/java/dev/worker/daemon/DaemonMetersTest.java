package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.DataManager;
import dev.worker.core.ManagerConfig;
import dev.worker.testkit.AdminHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The meters the dashboard and the alerts read, from a running daemon's /metrics. */
@Timeout(60)
final class DaemonMetersTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void metrics_showReadiness_budget_deletionLag_andApiLatency() throws Exception {
        try (TestStorage storage = new TestStorage();
                Daemon daemon = Daemon.start(DaemonConfig.of(ManagerConfig.builder(dir).minFreeBytes(0)
                        .maxDiskBytes(10_000_000).build(), ListenAddress.parse("127.0.0.1:0")));
                AdminHttp http = new AdminHttp(daemon.url())) {
            DataManager manager = daemon.ready().get(30, TimeUnit.SECONDS);
            ChunkDescriptor a = storage.chunk("a", "eth", 0, 100, 2, 4096);
            manager.download(a).get(30, TimeUnit.SECONDS);
            http.awaitState(a.id().toString(), "ready", WAIT);
            http.get("/v1/chunks");
            http.get("/v1/chunks");
            assertThat(http.get("/v1/chunks/" + "9".repeat(64)).status()).isEqualTo(404);
            manager.delete(a.id()).get(30, TimeUnit.SECONDS);
            http.awaitState(a.id().toString(), "absent", WAIT);

            Map<String, Double> m = http.metrics();
            assertThat(m).containsEntry("worker_ready", 1.0)
                    .containsEntry("worker_disk_budget_bytes", 10_000_000.0)
                    .containsEntry("worker_chunk_removal_seconds_count", 1.0)
                    .containsEntry("worker_chunk_download_seconds_count", 1.0)
                    .containsEntry("worker_api_request_seconds_count{route=\"list_chunks\",status=\"200\"}", 2.0)
                    .containsKey("worker_api_request_seconds_bucket{route=\"list_chunks\",status=\"200\",le=\"0.5\"}");
            // Polling for the chunk's end asked for it until it answered 404.
            assertThat(m.get("worker_api_request_seconds_count{route=\"get_chunk\",status=\"404\"}")).isPositive();
        }
    }
}
