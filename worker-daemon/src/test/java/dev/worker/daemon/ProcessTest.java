package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.DaemonProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code worker serve} as a real process: restart, kill -9, lock, signals and port errors. */
@Timeout(120)
final class ProcessTest {
    @TempDir
    Path dir;

    private static void awaitState(AdminHttp http, ChunkDescriptor chunk, String state) throws InterruptedException {
        http.awaitState(chunk.id().toString(), state, Duration.ofSeconds(60));
    }

    @Test
    void restart_keepsReadyChunks() throws Exception {
        Path data = dir.resolve("data");
        ChunkDescriptor chunk;
        try (TestStorage storage = new TestStorage()) {
            chunk = storage.chunk("r1", "eth", 0, 100, 2, 64 * 1024);
            try (DaemonProcess first = DaemonProcess.serve(data); AdminHttp http = new AdminHttp(first.url())) {
                first.awaitReady(http);
                assertThat(http.post("/v1/chunks", ChunkDescriptorJson.toJson(chunk)).status()).isEqualTo(202);
                awaitState(http, chunk, "ready");
                assertThat(first.terminate()).isZero();
            }
        }
        // The storage is gone: the chunk can only come from disk.
        try (DaemonProcess second = DaemonProcess.serve(data); AdminHttp http = new AdminHttp(second.url())) {
            second.awaitReady(http);
            AdminHttp.Reply found = http.get("/v1/datasets/" + chunk.datasetId() + "/blocks/50");
            assertThat(found.status()).isEqualTo(200);
            Path path = Path.of(found.json().get("path").asText());
            assertThat(Files.size(path.resolve("f0.bin"))).isEqualTo(64 * 1024);
            assertThat(second.terminate()).isZero();
        }
    }

    @Test
    void killMinus9_withAcceptedIntentsPending_theyCompleteAfterRestart() throws Exception {
        Path data = dir.resolve("data");
        try (TestStorage storage = new TestStorage()) {
            ChunkDescriptor a = storage.chunk("k1", "eth", 0, 100, 1, 32 * 1024);
            ChunkDescriptor b = storage.chunk("k2", "eth", 100, 200, 2, 32 * 1024);
            storage.hold();
            try (DaemonProcess first = DaemonProcess.serve(data); AdminHttp http = new AdminHttp(first.url())) {
                first.awaitReady(http);
                assertThat(http.post("/v1/chunks", ChunkDescriptorJson.toJson(a)).status()).isEqualTo(202);
                assertThat(http.put("/v1/assignment", "{\"chunks\": [" + ChunkDescriptorJson.toJson(a) + ","
                        + ChunkDescriptorJson.toJson(b) + "]}").status()).isEqualTo(200);
                assertThat(first.kill()).isNotZero();
            }
            storage.release();
            try (DaemonProcess second = DaemonProcess.serve(data); AdminHttp http = new AdminHttp(second.url())) {
                second.awaitReady(http);
                awaitState(http, a, "ready");
                awaitState(http, b, "ready");
                assertThat(second.terminate()).isZero();
            }
        }
    }

    @Test
    void aSecondDaemonOnTheSameDirectory_exitsNonZero_withOneLineNamingItAndTheHolder() throws Exception {
        Path data = dir.resolve("data");
        try (DaemonProcess first = DaemonProcess.serve(data); AdminHttp http = new AdminHttp(first.url())) {
            first.awaitReady(http);
            try (DaemonProcess second = DaemonProcess.serve(data)) {
                assertThat(second.exitCode()).isNotZero();
                assertThat(second.stderr()).hasSize(1);
                assertThat(second.stderr().getFirst()).startsWith("error: ")
                        .contains(data.toAbsolutePath().toString())
                        .contains(String.valueOf(first.pid()));
            }
            assertThat(first.terminate()).isZero();
        }
    }

    @Test
    void sigterm_exits0_andReleasesTheLock() throws Exception {
        Path data = dir.resolve("data");
        try (DaemonProcess daemon = DaemonProcess.serve(data); AdminHttp http = new AdminHttp(daemon.url())) {
            daemon.awaitReady(http);
            assertThat(daemon.terminate()).isZero();
            assertThat(daemon.stderr()).isEmpty();
        }
        try (FileChannel channel = FileChannel.open(data.resolve("LOCK"), StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock()) {
            assertThat(lock).as("the LOCK file is free after a graceful shutdown").isNotNull();
        }
    }

    @Test
    void aTakenPort_exitsNonZero_withOneClearLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                DaemonProcess daemon = DaemonProcess.start("--data-dir", dir.resolve("data").toString(), "--listen",
                        "127.0.0.1:" + taken.getLocalPort())) {
            assertThat(daemon.exitCode()).isEqualTo(1);
            assertThat(daemon.stderr()).hasSize(1);
            assertThat(daemon.stderr().getFirst()).startsWith("error: cannot listen on 127.0.0.1:"
                    + taken.getLocalPort());
        }
    }

    @Test
    void aNonLoopbackAddressWithoutAToken_isRefused() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start("--data-dir", dir.resolve("data").toString(), "--listen",
                "0.0.0.0:0")) {
            assertThat(daemon.exitCode()).isEqualTo(1);
            assertThat(daemon.stderr()).hasSize(1);
            assertThat(daemon.stderr().getFirst()).contains("--token-file");
        }
    }
}
