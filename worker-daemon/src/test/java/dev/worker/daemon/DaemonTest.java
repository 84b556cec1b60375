package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ManagerConfig;
import dev.worker.core.TestChunks;
import dev.worker.core.WorkerDataManager;
import dev.worker.core.store.DataDirectoryLockedException;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's lifecycle over real sockets, with an in-memory manager. */
@Timeout(60)
final class DaemonTest {
    @TempDir
    Path dir;

    private DaemonConfig config() {
        return DaemonConfig.of(ManagerConfig.builder(dir).build(), ListenAddress.parse("127.0.0.1:0"));
    }

    @Test
    void liveAnswersDuringTheScan_readyOnlyAfterTheManagerOpened() throws Exception {
        CountDownLatch scan = new CountDownLatch(1);
        FakeDataManager manager = new FakeDataManager();
        try (Daemon daemon = Daemon.start(config(), c -> {
            Await.open("the test lets the manager open", scan, Duration.ofSeconds(30));
            return manager;
        }); AdminHttp http = new AdminHttp(daemon.url())) {
            assertThat(daemon.address().getPort()).isPositive();
            assertThat(http.get("/health/live").status()).isEqualTo(200);
            AdminHttp.Reply notReady = http.get("/health/ready");
            assertThat(notReady.status()).isEqualTo(503);
            assertThat(notReady.errorCode()).isEqualTo("not_ready");
            assertThat(http.get("/v1/chunks").status()).isEqualTo(503);
            scan.countDown();
            daemon.ready().get(10, TimeUnit.SECONDS);
            assertThat(http.get("/health/ready").status()).isEqualTo(200);
            assertThat(http.get("/v1/chunks").json().get("chunks")).isEmpty();
        }
        assertThat(manager.isClosed()).isTrue();
    }

    @Test
    void aLockedDataDirectory_failsStartupWithOneLineNamingItAndTheHolder() throws Exception {
        try (Daemon daemon = Daemon.start(config(), c -> {
            throw new DataDirectoryLockedException(c.dataDir(), "pid 4242 on host-a since 2026-01-01T00:00:00Z");
        })) {
            assertThatThrownBy(() -> daemon.ready().join())
                    .isInstanceOf(CompletionException.class)
                    .cause()
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining(dir.toAbsolutePath().toString())
                    .hasMessageContaining("pid 4242")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void anUnusableDataDirectory_failsStartupNamingIt() throws Exception {
        try (Daemon daemon = Daemon.start(config(), c -> {
            throw new IOException("Permission denied");
        })) {
            assertThatThrownBy(() -> daemon.ready().join()).cause()
                    .hasMessage("cannot use data directory " + dir.toAbsolutePath() + ": Permission denied");
        }
    }

    @Test
    void aTakenPort_failsStartNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            DaemonConfig config = DaemonConfig.of(ManagerConfig.builder(dir).build(),
                    new ListenAddress("127.0.0.1", taken.getLocalPort()));
            assertThatThrownBy(() -> Daemon.start(config, c -> new FakeDataManager()))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void aTakenPort_closesTheManagerOpenedMeanwhile_releasingTheDirectory() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            DaemonConfig config = DaemonConfig.of(ManagerConfig.builder(dir).minFreeBytes(0).build(),
                    new ListenAddress("127.0.0.1", taken.getLocalPort()));
            // The real manager: it locks the directory while the server is being set up.
            assertThatThrownBy(() -> Daemon.start(config)).isInstanceOf(StartupException.class);
        }
        try (WorkerDataManager again = WorkerDataManager.open(ManagerConfig.builder(dir).minFreeBytes(0).build())) {
            assertThat(again.list()).isEmpty();
        }
    }

    @Test
    void aNonLoopbackAddress_withoutAToken_isRefused() {
        DaemonConfig config = DaemonConfig.of(ManagerConfig.builder(dir).build(), ListenAddress.parse("0.0.0.0:0"));
        assertThatThrownBy(() -> Daemon.start(config, c -> new FakeDataManager()))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("--token-file");
    }

    @Test
    void withAToken_everyPathButHealthNeedsIt() throws Exception {
        DaemonConfig config = config().withToken("t0ken");
        try (Daemon daemon = Daemon.start(config, c -> new FakeDataManager());
                AdminHttp anonymous = new AdminHttp(daemon.url());
                AdminHttp authorized = new AdminHttp(daemon.url(), "t0ken")) {
            daemon.ready().get(10, TimeUnit.SECONDS);
            assertThat(anonymous.get("/health/ready").status()).isEqualTo(200);
            AdminHttp.Reply refused = anonymous.get("/v1/chunks");
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.header("WWW-Authenticate")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("Bearer"));
            assertThat(authorized.get("/v1/chunks").status()).isEqualTo(200);
        }
    }

    @Test
    void close_answersTheRequestInProgress_thenClosesTheManager() throws Exception {
        FakeDataManager manager = new FakeDataManager();
        ChunkDescriptor a = TestChunks.descriptor("a", "eth", 0, 10);
        Daemon daemon = Daemon.start(config(), c -> manager);
        daemon.ready().get(10, TimeUnit.SECONDS);
        manager.journal(FakeDataManager.Journal.HOLD);
        try (Socket socket = new Socket(daemon.address().getAddress(), daemon.address().getPort())) {
            String body = ChunkDescriptorJson.toJson(a);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chunks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            Await.until("the intent reached the manager", Duration.ofSeconds(20), () -> manager.intents.get() == 1);
            Thread closer = Thread.ofPlatform().start(daemon::close);
            // The intent becomes durable while the daemon drains: the client still gets its answer.
            Await.until("the intent is durable or the daemon closed", Duration.ofSeconds(20),
                    () -> !closer.isAlive() || manager.intents.get() == 1);
            manager.releaseHeldIntents();
            String response = readAll(socket.getInputStream());
            // readAll returned: the daemon closed the connection after answering.
            assertThat(response).startsWith("http/1.1 202");
            closer.join(30_000);
            assertThat(closer.isAlive()).isFalse();
        }
        assertThat(manager.isClosed()).isTrue();
    }

    @Test
    void bigAssignmentBodies_overTheLimit_get413_overRealSockets() throws Exception {
        try (Daemon daemon = Daemon.start(config().withLimits(config().limits().withMaxAssignmentBodyBytes(64 * 1024)),
                c -> new FakeDataManager()); AdminHttp http = new AdminHttp(daemon.url())) {
            daemon.ready().get(10, TimeUnit.SECONDS);
            AdminHttp.Reply r = http.put("/v1/assignment", "{\"chunks\": [" + "{},".repeat(40_000) + "{}]}");
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.errorCode()).isEqualTo("payload_too_large");
            assertThat(http.get("/health/live").status()).isEqualTo(200);
        }
    }

    @Test
    void connectionsBeyondTheLimit_areClosedAtOnce_andOthersKeepWorking() throws Exception {
        try (Daemon daemon = Daemon.start(config().withLimits(config().limits().withMaxConnections(2)),
                c -> new FakeDataManager());
                Socket first = new Socket(daemon.address().getAddress(), daemon.address().getPort());
                Socket second = new Socket(daemon.address().getAddress(), daemon.address().getPort());
                Socket third = new Socket(daemon.address().getAddress(), daemon.address().getPort())) {
            third.setSoTimeout(10_000);
            assertThat(third.getInputStream().read()).as("the third connection is closed").isEqualTo(-1);
            first.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            first.setSoTimeout(10_000);
            assertThat(readAll(first.getInputStream())).startsWith("http/1.1 200");
            assertThat(second.isClosed()).isFalse();
        }
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT);
    }
}
