package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.daemon.cli.WorkerCommand;
import dev.worker.daemon.s3.S3Proxy;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.DaemonProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code worker catalog} over a prefix of 1,001 chunk folders (1,002 tiny objects, so ListObjectsV2 takes two pages)
 * in s3proxy, then {@code worker assign} of what it printed, until every chunk is ready.
 */
@Timeout(300)
final class S3CatalogEndToEndTest {
    private static final int FOLDERS = 1001;
    private static final String BUCKET = "lake";

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    @Test
    void catalogOfMoreThanOnePage_yieldsTheExpectedDescriptors_andAssigningThemConverges() throws Exception {
        try (S3Proxy s3 = S3Proxy.start(tmp.resolve("store"), "AKIDCATALOG000000001", "catalog-secret-0001")) {
            s3.createBucket(BUCKET);
            Map<String, byte[]> objects = new TreeMap<>();
            for (int i = 0; i < FOLDERS; i++) {
                String folder = String.format("eth/%010d-%010d-%08x", i * 100L, i * 100L + 99, i * 7919);
                objects.put(folder + "/blocks.parquet", ("blocks of folder " + i).getBytes(StandardCharsets.UTF_8));
            }
            objects.put(String.format("eth/%010d-%010d-%08x", 0, 99, 0) + "/logs.parquet", new byte[] {1, 2, 3});
            objects.put("eth/README", new byte[] {4}); // not in a chunk folder: left out
            putAll(s3, objects);
            Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "AKIDCATALOG000000001",
                    "AWS_SECRET_ACCESS_KEY", "catalog-secret-0001", "HOME", tmp.toString());
            String[] catalog = {"catalog", "s3://" + BUCKET + "/eth/", "--dataset", "ethereum-mainnet",
                    "--s3-endpoint", s3.endpoint().toString(), "--s3-region", S3Proxy.REGION};

            Run first = run(env, catalog);
            Run second = run(env, catalog);

            assertThat(first.code()).as(first.err()).isZero();
            assertThat(first.err()).contains("1001 chunks", "1003 objects (2 listing pages)", "1 objects left out");
            assertThat(second.out()).as("same listing, same ids").isEqualTo(first.out());
            List<ChunkDescriptor> chunks = new ArrayList<>();
            for (JsonNode node : ChunkDescriptorJson.MAPPER.readTree(first.out()).path("chunks")) {
                chunks.add(ChunkDescriptorJson.parse(node));
            }
            assertThat(chunks).hasSize(FOLDERS);
            assertThat(chunks.stream().map(ChunkDescriptor::id).distinct()).hasSize(FOLDERS);
            for (int i = 0; i < FOLDERS; i++) {
                ChunkDescriptor chunk = chunks.get(i);
                String folder = String.format("eth/%010d-%010d-%08x", i * 100L, i * 100L + 99, i * 7919);
                assertThat(chunk.range().start()).isEqualTo(i * 100L);
                assertThat(chunk.range().end()).as("SQD's end is inclusive").isEqualTo(i * 100L + 100);
                assertThat(chunk.files()).containsKey("blocks.parquet").hasSize(i == 0 ? 2 : 1);
                assertThat(chunk.files().get("blocks.parquet").url())
                        .isEqualTo("s3://" + BUCKET + "/" + folder + "/blocks.parquet");
                assertThat(chunk.files().get("blocks.parquet").size())
                        .hasValue(objects.get(folder + "/blocks.parquet").length);
            }
            assertThat(chunks.get(0).datasetId().toString()).isEqualTo(sha256Hex("worker-dataset\nethereum-mainnet"));
            String folder = String.format("eth/%010d-%010d-%08x", 5 * 100L, 5 * 100L + 99, 5 * 7919);
            byte[] blocks = objects.get(folder + "/blocks.parquet");
            assertThat(chunks.get(5).id().toString()).as("the documented derivation").isEqualTo(sha256Hex(
                    "worker-chunk-v1\ndataset=" + chunks.get(5).datasetId() + "\nrange=500-600\nfolder=s3://" + BUCKET
                            + "/" + folder + "/\nfile=blocks.parquet " + blocks.length + " \""
                            + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(blocks)) + "\"\n"));

            Path assignment = Files.writeString(tmp.resolve("assignment.json"), first.out());
            try (DaemonProcess daemon = DaemonProcess.serve(env, tmp.resolve("data"), "--s3-endpoint",
                    s3.endpoint().toString(), "--s3-region", S3Proxy.REGION);
                    AdminHttp http = new AdminHttp(daemon.url())) {
                daemon.awaitReady(http);
                Run assign = run(Map.of("WORKER_URL", daemon.url().toString()), "assign", assignment.toString());
                assertThat(assign.code()).as(assign.err()).isZero();
                assertThat(assign.out()).contains("assigned: " + FOLDERS + " to download");

                awaitAllReady(http);

                JsonNode ready = http.get("/v1/chunks?state=ready").json().path("chunks");
                assertThat(ready).hasSize(FOLDERS);
                JsonNode found = http.get("/v1/datasets/" + chunks.get(0).datasetId() + "/blocks/73050").json();
                assertThat(Path.of(found.path("path").asText()).resolve("blocks.parquet"))
                        .hasBinaryContent(objects.get(String.format("eth/%010d-%010d-%08x", 73000L, 73099L,
                                730 * 7919) + "/blocks.parquet"));
            }
        }
    }

    private static void putAll(S3Proxy s3, Map<String, byte[]> objects) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> puts = new ArrayList<>();
            objects.forEach((key, content) -> puts.add(pool.submit(() -> {
                s3.put(BUCKET, key, content);
                return null;
            })));
            for (Future<?> put : puts) {
                put.get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static void awaitAllReady(AdminHttp http) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        int ready = 0;
        while (System.nanoTime() < deadline) {
            JsonNode all = http.get("/v1/chunks").json().path("chunks");
            ready = 0;
            for (JsonNode chunk : all) {
                String state = chunk.path("state").asText();
                if (state.equals("failed")) {
                    throw new AssertionError("a chunk failed: " + chunk);
                }
                ready += state.equals("ready") ? 1 : 0;
            }
            if (ready == FOLDERS) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("only " + ready + " of " + FOLDERS + " chunks ready within 180 s");
    }

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = WorkerCommand.run(args, env, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static String sha256Hex(String text) throws Exception {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        return HexFormat.of().formatHex(sha256.digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
