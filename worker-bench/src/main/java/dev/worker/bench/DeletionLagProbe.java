package dev.worker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkRef;
import dev.worker.core.DatasetId;
import dev.worker.core.ManagerConfig;
import dev.worker.core.WorkerDataManager;
import dev.worker.testkit.Latencies;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Deletion lag: the time from the release of the last ref to a deleted chunk until its directory has left
 * {@code chunks/}. Per sample: take a ref to a ready chunk, delete the chunk (and wait until the delete is durable),
 * then release the ref and poll the directory every {@value #POLL_MICROS} µs until it is gone.
 *
 * <ul>
 *   <li>in-process: lays out {@code samples} ready chunks in a fresh {@code DIR/data}, opens the manager, refs are
 *       {@code find} + {@link ChunkRef#close()}.</li>
 *   <li>{@code --url URL}: against a running daemon whose data directory holds the chunks of
 *       {@code DataDirGenerator DIR samples}: refs are leases ({@code POST /v1/leases}), deletes
 *       {@code DELETE /v1/chunks/{id}}, the release {@code DELETE /v1/leases/{id}} (timed from just before it is
 *       sent).</li>
 * </ul>
 *
 * <p>Prints one JSON object. Usage: {@code DeletionLagProbe --dir DIR [--samples N] [--url URL]}
 */
public final class DeletionLagProbe {
    static final int POLL_MICROS = 100;
    private static final int DATASETS = 10;
    private static final Duration GIVE_UP = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeletionLagProbe() {
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args, List.of("dir", "samples", "url"),
                "DeletionLagProbe --dir DIR [--samples N] [--url URL]");
        Path dir = a.path("dir", System.getProperty("java.io.tmpdir") + "/deletion-lag");
        int samples = a.intValue("samples", 1000);
        String url = a.string("url", "");
        System.out.println(url.isEmpty() ? inProcess(dir, samples) : daemon(URI.create(url), dir, samples));
    }

    /** In-process: returns the JSON of {@code samples} measurements. */
    public static String inProcess(Path base, int samples) throws IOException, InterruptedException {
        Path dir = base.resolve("data");
        Trees.deleteRecursively(dir);
        DataDirGenerator.generate(dir, samples, DATASETS, 1, 64);
        Latencies lags = new Latencies(samples);
        int timeouts = 0;
        try (WorkerDataManager manager = WorkerDataManager.open(ManagerConfig.builder(dir).minFreeBytes(0).build())) {
            for (int i = 0; i < samples; i++) {
                ChunkDescriptor d = DataDirGenerator.descriptor(i, DATASETS, 1, 64);
                ChunkRef ref = manager.find(d.datasetId(), d.range().start()).orElseThrow(
                        () -> new IllegalStateException("chunk " + d.id() + " is not ready"));
                Path chunkDir = ref.path();
                manager.delete(d.id()).join();
                if (!Files.isDirectory(chunkDir)) {
                    throw new IllegalStateException("chunk " + d.id() + " left the disk while a ref was open");
                }
                long t0 = System.nanoTime();
                ref.close();
                long lag = awaitGone(chunkDir, t0);
                if (lag < 0) {
                    timeouts++;
                } else {
                    lags.record(lag);
                }
            }
        } finally {
            Trees.deleteRecursively(dir);
        }
        return result("in-process (find + ChunkRef.close)", lags, timeouts);
    }

    /** Through a daemon's API; its data directory holds {@code DataDirGenerator} chunks 0..samples-1. */
    public static String daemon(URI url, Path dataDir, int samples) throws IOException, InterruptedException {
        Latencies lags = new Latencies(samples);
        int timeouts = 0;
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (int i = 0; i < samples; i++) {
                ChunkDescriptor d = DataDirGenerator.descriptor(i, DATASETS, 1, 64);
                DatasetId dataset = d.datasetId();
                JsonNode lease = send(client, HttpRequest.newBuilder(url.resolve("/v1/leases"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"dataset_id\": \"" + dataset + "\", \"block\": "
                                + d.range().start() + ", \"ttl_seconds\": 60}")), 201);
                Path chunkDir = Path.of(lease.get("path").asText());
                if (!chunkDir.getFileName().toString().equals(d.id().toString())) {
                    throw new IllegalStateException("lease for " + d.id() + " returned " + chunkDir);
                }
                send(client, HttpRequest.newBuilder(url.resolve("/v1/chunks/" + d.id())).DELETE(), 202);
                if (!Files.isDirectory(chunkDir)) {
                    throw new IllegalStateException("chunk " + d.id() + " left the disk while a lease was held");
                }
                HttpRequest release = HttpRequest.newBuilder(url.resolve("/v1/leases/" + lease.get("lease_id")
                        .asText())).DELETE().build();
                long t0 = System.nanoTime();
                HttpResponse<Void> answer = client.send(release, HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() != 204) {
                    throw new IOException("DELETE lease answered " + answer.statusCode());
                }
                long lag = awaitGone(chunkDir, t0);
                if (lag < 0) {
                    timeouts++;
                } else {
                    lags.record(lag);
                }
            }
        }
        return result("daemon (POST /v1/leases, DELETE /v1/chunks/{id}, then DELETE /v1/leases/{id})", lags,
                timeouts);
    }

    /** Nanoseconds from {@code t0} until {@code dir} is gone, or -1 after {@link #GIVE_UP}. */
    private static long awaitGone(Path dir, long t0) {
        long deadline = t0 + GIVE_UP.toNanos();
        while (Files.exists(dir)) {
            if (System.nanoTime() > deadline) {
                return -1;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(POLL_MICROS));
        }
        return System.nanoTime() - t0;
    }

    private static JsonNode send(HttpClient client, HttpRequest.Builder request, int expected)
            throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request.header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IOException(response.request().method() + " " + response.request().uri() + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static String result(String mode, Latencies lags, int timeouts) {
        Latencies.Summary s = lags.summary();
        return String.format(Locale.ROOT, "{\"mode\": \"%s\", \"poll_us\": %d, \"timeouts\": %d,"
                        + " \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, \"lag\": %s}", mode, POLL_MICROS,
                timeouts, s.p50() / 1e6, s.p99() / 1e6, s.max() / 1e6, s.toJson());
    }
}
