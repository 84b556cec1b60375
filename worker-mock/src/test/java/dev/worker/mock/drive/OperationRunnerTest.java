package dev.worker.mock.drive;

import static dev.worker.mock.drive.Fixtures.chunk;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.client.AdminClient;
import dev.worker.testkit.StubServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The runner against a scripted daemon that misbehaves: each misbehaviour is reported as what it is. */
final class OperationRunnerTest {
    private static final ChunkDescriptor A = chunk(1, 1, 0, 100);

    private StubServer server;
    private AdminClient client;
    private final AtomicInteger releaseStatus = new AtomicInteger(204);
    private final AtomicInteger downloadStatus = new AtomicInteger(202);
    private final AtomicInteger downloads = new AtomicInteger();
    private final AtomicLong clock = new AtomicLong(1_000);
    private final Findings findings = new Findings();
    private DriverModel model;
    private OperationRunner runner;

    @BeforeEach
    void setUp() throws IOException {
        server = StubServer.start(this::serve);
        client = new AdminClient(server.base(), Optional.empty(), Drive.REQUEST_TIMEOUT);
        model = new DriverModel(Map.of(), 0, Duration.ofSeconds(100));
        runner = new OperationRunner(client, model, ChunkCatalog.of(List.of(A), OptionalInt.empty()),
                Optional.empty(), findings, clock::incrementAndGet);
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    /** Answers every find and lease with chunk A, ready, whatever was asked before. */
    private void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        String status = "{\"id\": \"" + A.id() + "\", \"dataset_id\": \"" + A.datasetId() + "\", \"block_range\": "
                + "{\"start\": 0, \"end\": 100}, \"state\": \"ready\", \"bytes_total\": 10, \"refs\": 0}";
        exchange.getRequestBody().readAllBytes();
        if (method.equals("POST") && path.equals("/v1/chunks")) {
            downloads.incrementAndGet();
            reply(exchange, downloadStatus.get(), downloadStatus.get() == 202 ? status
                    : "{\"error\": {\"code\": \"conflict\", \"message\": \"no\"}}");
        } else if (method.equals("DELETE") && path.startsWith("/v1/chunks/")) {
            reply(exchange, 202, status);
        } else if (path.startsWith("/v1/datasets/")) {
            reply(exchange, 200, "{\"chunk\": " + status + ", \"path\": \"/nowhere\"}");
        } else if (method.equals("POST") && path.equals("/v1/leases")) {
            reply(exchange, 201, "{\"lease_id\": \"0123456789abcdef0123456789abcdef\", \"chunk\": " + status
                    + ", \"path\": \"/nowhere\", \"expires_at\": \"2026-01-01T00:00:00.000Z\"}");
        } else if (method.equals("DELETE") && path.startsWith("/v1/leases/")) {
            reply(exchange, releaseStatus.get(), releaseStatus.get() == 204 ? null : "{}");
        } else {
            reply(exchange, 404, "{}");
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Test
    void aWantedChunk_mayBeFound() throws Exception {
        runner.execute(new Operation.Download(A));
        runner.execute(new Operation.Find(A.datasetId(), 5));
        assertThat(findings.violations()).isEmpty();
        assertThat(runner.counts().count(OpKind.FIND, Outcome.OK)).isEqualTo(1);
        assertThat(model.desired(A.id())).isEqualTo(DriverModel.Desired.PRESENT);
    }

    @Test
    void aDeletedChunkFound_isAViolation() throws Exception {
        runner.execute(new Operation.Download(A));
        runner.execute(new Operation.Delete(A.id()));
        runner.execute(new Operation.Find(A.datasetId(), 5));
        runner.execute(new Operation.Lease(A.datasetId(), 5, Duration.ZERO));
        assertThat(findings.violations()).extracting(Violation::check).containsExactly("find", "lease");
        assertThat(findings.violations().getFirst().message()).contains("block 5 of dataset " + A.datasetId(),
                "chunk " + A.id(), "did not want", "download sent at", "delete sent at");
        assertThat(findings.errorCount()).isZero();
    }

    @Test
    void aChunkFoundForABlockItDoesNotHold_isAViolation() throws Exception {
        runner.execute(new Operation.Download(A));
        runner.execute(new Operation.Find(A.datasetId(), 100));
        assertThat(findings.violations()).singleElement().extracting(Violation::message).asString()
                .contains("does not hold it");
    }

    @Test
    void aLeaseGoneBeforeItsRelease_isAViolation_andAnError() throws Exception {
        runner.execute(new Operation.Download(A));
        releaseStatus.set(404);
        runner.execute(new Operation.Lease(A.datasetId(), 5, Duration.ZERO));
        assertThat(findings.violations()).singleElement().extracting(Violation::message).asString()
                .contains("was gone when released");
        assertThat(runner.counts().count(OpKind.LEASE, Outcome.ERROR)).isEqualTo(1);
        assertThat(runner.openLeases()).isEmpty();
    }

    @Test
    void aLeaseNotReleased_staysOpen() throws Exception {
        runner.execute(new Operation.Download(A));
        releaseStatus.set(500);
        runner.execute(new Operation.Lease(A.datasetId(), 5, Duration.ZERO));
        assertThat(runner.openLeases()).containsExactly("0123456789abcdef0123456789abcdef");
        assertThat(findings.errors()).singleElement().asString().startsWith("lease: DELETE /v1/leases/");
    }

    @Test
    void aRefusedDownload_isAnError_andChangesNothing() throws Exception {
        downloadStatus.set(409);
        runner.execute(new Operation.Download(A));
        assertThat(model.desired(A.id())).isEqualTo(DriverModel.Desired.ABSENT);
        assertThat(findings.errors()).containsExactly("download: POST /v1/chunks: HTTP 409 conflict: no");
        assertThat(downloads.get()).as("a 4xx is not resent").isEqualTo(1);
    }

    @Test
    void a503_isResent_andLeavesTheIntentUncertain_whenItPersists() throws Exception {
        downloadStatus.set(503);
        runner.execute(new Operation.Download(A));
        assertThat(downloads.get()).isEqualTo(OperationRunner.ATTEMPTS);
        assertThat(model.desired(A.id())).isEqualTo(DriverModel.Desired.UNKNOWN);
        assertThat(runner.counts().count(OpKind.DOWNLOAD, Outcome.ERROR)).isEqualTo(1);
    }
}
