package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real daemon (real core, real files, real HTTP on 127.0.0.1) against a test storage. */
@Timeout(90)
final class EndToEndTest {
    @TempDir
    Path dir;
    private TestStorage storage;
    private Daemon daemon;
    private AdminHttp http;

    @BeforeEach
    void setUp() throws Exception {
        storage = new TestStorage();
        daemon = RealCore.startDaemon(dir.resolve("data"));
        http = new AdminHttp(daemon.url());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            assertThat(daemon.ready().get().stats().refsActive()).as("open refs at the end of the test").isZero();
        }
        if (http != null) {
            http.close();
        }
        if (daemon != null) {
            daemon.close();
        }
        if (storage != null) {
            storage.close();
        }
    }

    /** The chunk's status once it is in {@code state}; null once it is absent. */
    private JsonNode awaitState(ChunkDescriptor chunk, String state) throws InterruptedException {
        return http.awaitState(chunk.id().toString(), state, Duration.ofSeconds(60)).orElse(null);
    }

    private static void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(30), condition);
    }

    @Test
    void chunk_isDownloaded_found_andDeleted() throws Exception {
        ChunkDescriptor a = storage.chunk("a", "eth", 1000, 2000, 3, 100_000);
        AdminHttp.Reply accepted = http.post("/v1/chunks", ChunkDescriptorJson.toJson(a));
        assertThat(accepted.status()).isEqualTo(202);
        assertThat(accepted.json().get("id").asText()).isEqualTo(a.id().toString());
        assertThat(accepted.json().get("bytes_total").asLong()).isEqualTo(300_000);

        JsonNode ready = awaitState(a, "ready");
        Path path = Path.of(ready.get("path").asText());
        assertThat(path).isAbsolute();
        assertThat(Files.readAllBytes(path.resolve("f1.bin"))).isEqualTo(storage.content("a", "f1.bin"));
        assertThat(ready.get("bytes_done").asLong()).isEqualTo(300_000);
        assertThat(http.get("/v1/chunks?state=ready").json().get("chunks")).hasSize(1);
        assertThat(http.get("/v1/chunks?dataset_id=" + a.datasetId()).json().get("chunks")).hasSize(1);

        AdminHttp.Reply found = http.get("/v1/datasets/" + a.datasetId() + "/blocks/1999");
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.json().get("path").asText()).isEqualTo(path.toString());
        assertThat(http.get("/v1/datasets/" + a.datasetId() + "/blocks/2000").status()).isEqualTo(404);

        assertThat(http.post("/v1/chunks", ChunkDescriptorJson.toJson(a)).json().get("state").asText())
                .isEqualTo("ready");
        assertThat(http.delete("/v1/chunks/" + a.id()).status()).isEqualTo(202);
        assertThat(http.get("/v1/datasets/" + a.datasetId() + "/blocks/1500").status()).isEqualTo(404);
        awaitState(a, "absent");
        awaitCondition("the chunk's directory leaving the disk", () -> !Files.exists(path));
    }

    @Test
    void aDeletedChunk_staysOnDiskWhileLeased_andLeavesWhenTheLeaseIsReleased() throws Exception {
        ChunkDescriptor a = storage.chunk("leased", "eth", 0, 100, 1, 10_000);
        http.post("/v1/chunks", ChunkDescriptorJson.toJson(a));
        awaitState(a, "ready");
        AdminHttp.Reply lease = http.post("/v1/leases", "{\"dataset_id\": \"" + a.datasetId() + "\", \"block\": 5}");
        assertThat(lease.status()).isEqualTo(201);
        Path path = Path.of(lease.json().get("path").asText());
        assertThat(lease.json().get("chunk").get("refs").asInt()).isEqualTo(1);

        assertThat(http.delete("/v1/chunks/" + a.id()).status()).isEqualTo(202);
        assertThat(http.get("/v1/datasets/" + a.datasetId() + "/blocks/5").status()).isEqualTo(404);
        assertThat(http.get("/v1/chunks/" + a.id()).json().get("state").asText()).isEqualTo("removing");
        assertThat(Files.readAllBytes(path.resolve("f0.bin"))).isEqualTo(storage.content("leased", "f0.bin"));

        assertThat(http.delete("/v1/leases/" + lease.json().get("lease_id").asText()).status()).isEqualTo(204);
        awaitCondition("the chunk leaving the disk after its lease", () -> !Files.exists(path));
        awaitState(a, "absent");
    }

    @Test
    void anExpiredLease_releasesTheChunk() throws Exception {
        ChunkDescriptor a = storage.chunk("expiring", "eth", 0, 100, 1, 10_000);
        http.post("/v1/chunks", ChunkDescriptorJson.toJson(a));
        awaitState(a, "ready");
        AdminHttp.Reply lease = http.post("/v1/leases",
                "{\"dataset_id\": \"" + a.datasetId() + "\", \"block\": 5, \"ttl_seconds\": 1}");
        Path path = Path.of(lease.json().get("path").asText());
        http.delete("/v1/chunks/" + a.id());
        assertThat(Files.exists(path)).isTrue();
        awaitCondition("the lease expiring and the chunk leaving", () -> !Files.exists(path));
        assertThat(http.delete("/v1/leases/" + lease.json().get("lease_id").asText()).status()).isEqualTo(404);
    }

    @Test
    void assignment_replacesTheDesiredSet() throws Exception {
        ChunkDescriptor a = storage.chunk("s1", "eth", 0, 100, 1, 10_000);
        ChunkDescriptor b = storage.chunk("s2", "btc", 0, 100, 2, 10_000);
        AdminHttp.Reply first = http.put("/v1/assignment", "{\"chunks\": [" + ChunkDescriptorJson.toJson(a) + ","
                + ChunkDescriptorJson.toJson(b) + "]}");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("download").asInt()).isEqualTo(2);
        awaitState(a, "ready");
        awaitState(b, "ready");
        AdminHttp.Reply second = http.put("/v1/assignment", "{\"chunks\": [" + ChunkDescriptorJson.toJson(b) + "]}");
        assertThat(second.json().get("keep").asInt()).isEqualTo(1);
        assertThat(second.json().get("delete").asInt()).isEqualTo(1);
        awaitState(a, "absent");
        assertThat(http.get("/v1/chunks").json().get("chunks")).hasSize(1);
    }

    @Test
    void aPermanentStorageError_makesTheChunkFailed_withTheReason() throws Exception {
        ChunkDescriptor gone = storage.missingChunk("gone", "eth", 0, 100);
        http.post("/v1/chunks", ChunkDescriptorJson.toJson(gone));
        JsonNode failed = awaitState(gone, "failed");
        assertThat(failed.get("last_error").asText()).contains("404");
        assertThat(http.get("/v1/datasets/" + gone.datasetId() + "/blocks/1").status()).isEqualTo(404);
    }

    @Test
    void badInput_getsTheJsonError_andChangesNothing() throws Exception {
        ChunkDescriptor a = storage.chunk("x", "eth", 0, 100, 1, 1000);
        http.post("/v1/chunks", ChunkDescriptorJson.toJson(a));
        awaitState(a, "ready");
        String before = http.get("/v1/chunks").body();

        assertThat(http.post("/v1/chunks", "{nope").errorCode()).isEqualTo("invalid_json");
        assertThat(http.post("/v1/chunks", ChunkDescriptorJson.toJson(a).replace("f0.bin", "../f0.bin")).errorCode())
                .isEqualTo("invalid_request");
        ChunkDescriptor conflicting = ChunkDescriptor.of(a.id(), a.datasetId(), new dev.worker.core.BlockRange(0, 99),
                a.files());
        AdminHttp.Reply conflict = http.post("/v1/chunks", ChunkDescriptorJson.toJson(conflicting));
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(http.get("/v1/chunks/" + storage.chunk("y", "eth", 0, 1, 1, 1).id()).status()).isEqualTo(404);
        AdminHttp.Reply wrongMethod = http.get("/v1/assignment");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.header("Allow")).hasValue("PUT");
        AdminHttp.Reply tooLarge = http.post("/v1/chunks", "{\"pad\": \"" + "x".repeat(2 << 20) + "\"}");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(http.get("/nowhere").status()).isEqualTo(404);

        assertThat(http.get("/v1/chunks").body()).isEqualTo(before);
        assertThat(http.get("/health/ready").status()).isEqualTo(200);
    }

    @Test
    void metrics_showTheDocumentedNames() throws Exception {
        ChunkDescriptor a = storage.chunk("m", "eth", 0, 100, 2, 50_000);
        http.post("/v1/chunks", ChunkDescriptorJson.toJson(a));
        awaitState(a, "ready");
        AdminHttp.Reply lease = http.post("/v1/leases", "{\"dataset_id\": \"" + a.datasetId() + "\", \"block\": 1}");
        assertThat(lease.status()).isEqualTo(201);
        awaitCondition("the metrics snapshot to refresh", () -> http.get("/metrics").body().contains(
                "worker_leases_active 1.0"));
        AdminHttp.Reply metrics = http.get("/metrics");
        assertThat(metrics.header("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("text/plain"));
        assertThat(metrics.body())
                .contains("worker_chunks{state=\"ready\"} 1.0")
                .contains("worker_download_bytes_total")
                .contains("worker_download_files_total{outcome=\"ok\"}")
                .contains("worker_download_retries_total{reason=")
                .contains("worker_chunk_download_seconds_bucket")
                .contains("worker_chunk_download_seconds_count 1")
                .contains("worker_refs_active 1.0")
                .contains("worker_refs_leaked_total")
                .contains("worker_disk_used_bytes")
                .contains("worker_disk_reserved_bytes")
                .contains("worker_pending_delete_bytes")
                .contains("worker_startup_seconds")
                .contains("worker_leases_active 1.0")
                .contains("jvm_memory_used_bytes");
        http.delete("/v1/leases/" + lease.json().get("lease_id").asText());
    }
}
