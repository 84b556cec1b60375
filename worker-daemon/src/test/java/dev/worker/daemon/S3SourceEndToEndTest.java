package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.BlockRange;
import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import dev.worker.core.FileSource;
import dev.worker.daemon.s3.CuttingProxy;
import dev.worker.daemon.s3.S3Proxy;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.DaemonProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * s3:// sources end to end: a worker daemon (child process) downloading from s3proxy, a real S3 implementation that
 * verifies every SigV4 signature (child process), through a loopback TCP proxy that cuts a connection mid-body and
 * counts the bytes on the wire.
 */
@Timeout(240)
final class S3SourceEndToEndTest {
    private static final String KEY = "AKIDWORKERTEST0001";
    private static final String SECRET = "worker-test-secret-key-0001";
    private static final String BUCKET = "chunks";

    @TempDir
    Path tmp;

    @Test
    void aChunkOfThreeObjects_becomesReady_andACutConnectionResumesWithASignedRange() throws Exception {
        byte[] a = random(1_500_000, 1);
        byte[] b = random(700_000, 2);
        byte[] c = random(300_000, 3);
        try (S3Proxy s3 = S3Proxy.start(tmp.resolve("store"), KEY, SECRET);
                CuttingProxy wire = new CuttingProxy(s3.port(), 600_000, () -> { })) {
            s3.createBucket(BUCKET);
            Map<String, byte[]> files = Map.of("a.parquet", a, "b.parquet", b, "c.parquet", c);
            ChunkDescriptor chunk = upload(s3, "eth/0000000000-0000000999-abc", files, 1);
            try (DaemonProcess daemon = DaemonProcess.serve(keys(SECRET, null), tmp.resolve("data"),
                    "--s3-endpoint", "http://127.0.0.1:" + wire.port(), "--s3-region", S3Proxy.REGION);
                    AdminHttp http = new AdminHttp(daemon.url())) {
                daemon.awaitReady(http);
                assertThat(post(http, chunk).status()).isEqualTo(202);

                JsonNode status = awaitState(http, chunk.id(), "ready");

                for (Map.Entry<String, byte[]> file : files.entrySet()) {
                    assertThat(Path.of(status.path("path").asText()).resolve(file.getKey()))
                            .hasBinaryContent(file.getValue());
                }
            }
            assertThat(wire.hasCut()).isTrue();
            List<String> heads = wire.requestHeads();
            assertThat(heads).allSatisfy(h -> assertThat(h).containsIgnoringCase("Authorization: AWS4-HMAC-SHA256"));
            assertThat(heads).filteredOn(h -> h.toLowerCase().contains("\r\nrange: bytes=")).hasSize(1)
                    .allSatisfy(h -> assertThat(h).containsIgnoringCase("If-Range: \""));
            long objects = a.length + b.length + c.length;
            assertThat(wire.bytesToClient()).isGreaterThan(objects).isLessThanOrEqualTo((long) (objects * 1.05));
        }
    }

    @Test
    void aWrongSecret_failsWithTheS3ErrorCode_andTheSecretIsInNoLogStatusFileOrMetric() throws Exception {
        String wrongSecret = "wrong-secret-MUST-NOT-LEAK-4711";
        try (S3Proxy s3 = S3Proxy.start(tmp.resolve("store"), KEY, SECRET)) {
            s3.createBucket(BUCKET);
            ChunkDescriptor chunk = upload(s3, "eth/0000001000-0000001999-def", Map.of("a.parquet",
                    random(20_000, 4)), 2);
            // No session token here: s3proxy answers any request carrying one with 501 NotImplemented.
            Map<String, String> env = new TreeMap<>(keys(wrongSecret, null));
            env.put("WORKER_LOG_LEVEL", "DEBUG");
            Path data = tmp.resolve("data");
            try (DaemonProcess daemon = DaemonProcess.serve(env, data, "--s3-endpoint", s3.endpoint().toString(),
                    "--s3-region", S3Proxy.REGION); AdminHttp http = new AdminHttp(daemon.url())) {
                daemon.awaitReady(http);
                assertThat(post(http, chunk).status()).isEqualTo(202);

                JsonNode status = awaitState(http, chunk.id(), "failed");

                assertThat(status.path("last_error").asText()).contains("SignatureDoesNotMatch", "HTTP 403");
                List<String> seen = new ArrayList<>();
                seen.add(http.get("/v1/chunks/" + chunk.id()).body());
                seen.add(http.get("/v1/chunks").body());
                seen.add(http.get("/metrics").body());
                seen.add(String.join(" ", ProcessHandle.of(daemon.pid()).orElseThrow().info().arguments()
                        .orElse(new String[0])));
                assertThat(daemon.terminate()).isZero();
                seen.addAll(daemon.stdout());
                seen.addAll(daemon.stderr());
                assertThat(daemon.stdout()).anyMatch(line -> line.contains(" DEBUG "));
                try (Stream<Path> files = Files.walk(data)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        seen.add(file + ": " + new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                    }
                }
                assertThat(seen).anyMatch(s -> s.contains("intents.log"));
                assertThat(seen).noneMatch(s -> s.contains(wrongSecret));
            }
        }
    }

    @Test
    void credentialsRotatedInTheProfileFile_areUsedByTheNextAttempt() throws Exception {
        Path home = tmp.resolve("home");
        Path credentials = home.resolve(".aws").resolve("credentials");
        Files.createDirectories(credentials.getParent());
        Files.writeString(credentials, profile("AKIDOLD0000000000001", "old-secret-0001"));
        Path store = tmp.resolve("store");
        try (S3Proxy old = S3Proxy.start(store, "AKIDOLD0000000000001", "old-secret-0001");
                S3Proxy rotated = S3Proxy.start(store, "AKIDNEW0000000000002", "new-secret-0002")) {
            old.createBucket(BUCKET);
            byte[] content = random(1_200_000, 5);
            ChunkDescriptor chunk = upload(old, "eth/0000002000-0000002999-fed", Map.of("a.parquet", content), 3);
            AtomicReference<CuttingProxy> holder = new AtomicReference<>();
            // At the cut, before the worker can notice it: the key pair is rotated in the file, and the store that
            // accepted the old one is replaced by one that accepts only the new one.
            try (CuttingProxy wire = new CuttingProxy(old.port(), 500_000, () -> {
                rotate(credentials, profile("AKIDNEW0000000000002", "new-secret-0002"));
                holder.get().upstream(rotated.port());
            })) {
                holder.set(wire);
                try (DaemonProcess daemon = DaemonProcess.serve(Map.of("HOME", home.toString()), tmp.resolve("data"),
                        "--s3-endpoint", "http://127.0.0.1:" + wire.port(), "--s3-region", S3Proxy.REGION);
                        AdminHttp http = new AdminHttp(daemon.url())) {
                    daemon.awaitReady(http);
                    assertThat(post(http, chunk).status()).isEqualTo(202);

                    JsonNode status = awaitState(http, chunk.id(), "ready");

                    assertThat(Path.of(status.path("path").asText()).resolve("a.parquet")).hasBinaryContent(content);
                }
                assertThat(wire.hasCut()).isTrue();
                List<String> heads = wire.requestHeads();
                assertThat(heads.get(0)).contains("Credential=AKIDOLD0000000000001/");
                assertThat(heads.get(heads.size() - 1)).contains("Credential=AKIDNEW0000000000002/")
                        .containsIgnoringCase("\r\nRange: bytes=");
            }
        }
    }

    static Map<String, String> keys(String secret, String token) {
        Map<String, String> env = new TreeMap<>();
        env.put("AWS_ACCESS_KEY_ID", KEY);
        env.put("AWS_SECRET_ACCESS_KEY", secret);
        if (token != null) {
            env.put("AWS_SESSION_TOKEN", token);
        }
        return env;
    }

    static String profile(String key, String secret) {
        return "[default]\naws_access_key_id = " + key + "\naws_secret_access_key = " + secret + "\n";
    }

    private static void rotate(Path credentials, String content) {
        try {
            Path next = credentials.resolveSibling("credentials.new");
            Files.writeString(next, content);
            Files.move(next, credentials, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** PUTs the files into {@code folder} of the bucket; the descriptor declares their sizes and SHA-256. */
    static ChunkDescriptor upload(S3Proxy s3, String folder, Map<String, byte[]> files, long id) throws Exception {
        Map<String, FileSource> sources = new TreeMap<>();
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            s3.put(BUCKET, folder + "/" + file.getKey(), file.getValue());
            sources.put(file.getKey(), FileSource.of("s3://" + BUCKET + "/" + folder + "/" + file.getKey(),
                    file.getValue().length, Bytes32.fromBytes(MessageDigest.getInstance("SHA-256")
                            .digest(file.getValue()))));
        }
        return ChunkDescriptor.of(new ChunkId(new Bytes32(7, 7, 7, id)), new DatasetId(new Bytes32(1, 1, 1, 1)),
                new BlockRange(id * 1000, id * 1000 + 1000), sources);
    }

    static AdminHttp.Reply post(AdminHttp http, ChunkDescriptor chunk) {
        return http.post("/v1/chunks", ChunkDescriptorJson.toJson(chunk));
    }

    static JsonNode awaitState(AdminHttp http, ChunkId id, String state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = http.get("/v1/chunks/" + id).json();
            if (status.path("state").asText().equals(state)) {
                return status;
            }
            if (status.path("state").asText().equals("failed")) {
                throw new AssertionError("chunk " + id + " failed instead of becoming " + state + ": " + status);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("chunk " + id + " not " + state + " within 120 s: " + status);
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }
}
