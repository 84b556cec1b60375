package dev.worker.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.Await;
import dev.worker.testkit.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive, unpacked into a temporary directory, on a machine without a JDK as far as its launchers can tell:
 * no JAVA_HOME, no java on the PATH. It must run on its own runtime.
 */
@Timeout(240)
final class ArchiveIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String DATASET = "d".repeat(64);
    private static final String CHUNK = "e".repeat(64);

    @TempDir
    Path dir;

    @Test
    void version_printsTheBuildVersion_fromTheBundledRuntime() throws Exception {
        Path home = Release.unpack(dir);
        // -XshowSettings prints the running JVM's java.home: the proof that the bundled runtime ran.
        Commands.Result result = Commands.run(List.of(home.resolve("bin/worker").toString(), "--version"),
                Map.of("PATH", NoJavaPath.create(dir.resolve("path")), "HOME", dir.toString(),
                        "WORKER_JAVA_OPTS", "-XshowSettings:properties")).check();

        assertThat(result.output()).contains("worker " + Release.version());
        assertThat(result.output()).contains("java.home = " + home.resolve("runtime"));
    }

    @Test
    void demo_downloadsItsChunks_andAnHttpsSource_onTheBundledRuntime() throws Exception {
        Path home = Release.unpack(dir);
        byte[] content = new byte[3 << 20];
        new Random(18).nextBytes(content);
        try (TlsFileServer tls = TlsFileServer.start(Files.createDirectories(dir.resolve("tls")), "/chunk/data.bin",
                content)) {
            Map<String, String> env = Map.of("PATH", NoJavaPath.create(dir.resolve("path")), "HOME", dir.toString(),
                    "WORKER_JAVA_OPTS", "-Djavax.net.ssl.trustStore=" + tls.trustStore()
                            + " -Djavax.net.ssl.trustStorePassword=" + TlsFileServer.PASSWORD);
            try (DaemonProcess daemon = DaemonProcess.exec(List.of(home.resolve("bin/worker").toString(), "serve",
                    "--demo", "--listen", "127.0.0.1:0", "--data-dir", dir.resolve("data").toString()), env);
                    AdminHttp http = new AdminHttp(daemon.url(WAIT))) {
                Path runtimeJava = home.resolve("runtime/bin/java").toRealPath();
                assertThat(Path.of("/proc", Long.toString(daemon.pid()), "exe").toRealPath()).isEqualTo(runtimeJava);
                // The demo assigns its set once ready (an assignment replaces the desired set): add ours after it.
                Await.until("the demo's 12 chunks are assigned", WAIT,
                        () -> http.get("/v1/chunks").ok() && http.get("/v1/chunks").json().get("chunks").size() == 12);
                List<ProcessHandle> children = ProcessHandle.of(daemon.pid()).orElseThrow().children().toList();
                assertThat(children).as("the demo's mock storage").hasSize(1);
                assertThat(Path.of("/proc", Long.toString(children.getFirst().pid()), "exe").toRealPath())
                        .isEqualTo(runtimeJava);

                String descriptor = """
                        {"id": "%s", "dataset_id": "%s", "block_range": {"start": 0, "end": 100},
                         "files": {"data.bin": {"url": "%s", "size": %d, "sha256": "%s"}}}"""
                        .formatted(CHUNK, DATASET, tls.url("/chunk/data.bin"), content.length, sha256(content));
                assertThat(http.post("/v1/chunks", descriptor).status()).isEqualTo(202);
                JsonNode https = http.awaitState(CHUNK, "ready", WAIT).orElseThrow();
                assertThat(Files.readAllBytes(Path.of(https.get("path").asText(), "data.bin"))).isEqualTo(content);
                // The demo's storage is capped at 6 MiB/s for people to watch (its chunks are all ready after about
                // 12 s): bytes arriving from it are enough here.
                Await.until("the demo's chunks are downloading", WAIT, () -> {
                    long bytes = 0;
                    for (JsonNode chunk : http.get("/v1/chunks").json().get("chunks")) {
                        bytes += chunk.get("id").asText().equals(CHUNK) ? 0 : chunk.get("bytes_done").asLong();
                    }
                    return bytes > 0;
                });
                assertThat(http.get("/v1/datasets/" + DATASET + "/blocks/50").status()).isEqualTo(200);

                // JVM and process metrics need java.management and jdk.management in the runtime.
                Map<String, Double> metrics = http.metrics();
                assertThat(metrics).containsKeys("process_cpu_usage", "process_files_open_files");
                assertThat(metrics.get("process_files_open_files")).isPositive();
                assertThat(daemon.terminate()).isZero();
            }
        }
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
