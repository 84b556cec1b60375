package dev.worker.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ManagerConfig;
import dev.worker.core.TestChunks;
import dev.worker.daemon.Daemon;
import dev.worker.daemon.DaemonConfig;
import dev.worker.daemon.FakeDataManager;
import dev.worker.daemon.ListenAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client commands against a real daemon (in-process, with an in-memory manager). */
@Timeout(60)
final class CliTest {
    private static final ChunkDescriptor A = TestChunks.descriptor("a", "eth", 1000, 2000);
    private static final ChunkDescriptor B = TestChunks.descriptor("b", "eth", 2000, 3000);

    @TempDir
    Path dir;
    private final FakeDataManager manager = new FakeDataManager();
    private Daemon daemon;
    private final Map<String, String> env = new HashMap<>();

    record Run(int code, String out, String err) {
    }

    @BeforeEach
    void setUp() throws Exception {
        daemon = Daemon.start(DaemonConfig.of(ManagerConfig.builder(dir.resolve("data")).build(),
                ListenAddress.parse("127.0.0.1:0")), c -> manager);
        daemon.ready().get(10, TimeUnit.SECONDS);
        env.put("WORKER_URL", daemon.url().toString());
    }

    @AfterEach
    void tearDown() {
        daemon.close();
        assertThat(manager.openRefs()).isZero();
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = WorkerCommand.run(args, env, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private Path file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void chunkAdd_postsTheDescriptor() throws Exception {
        Run r = run("chunk", "add", file("a.json", ChunkDescriptorJson.toJson(A)).toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("accepted " + A.id() + " (queued)\n");
        assertThat(manager.status(A.id())).isPresent();
    }

    @Test
    void chunkAdd_invalidDescriptor_printsTheApiMessage_andExits1() throws Exception {
        Run r = run("chunk", "add", file("bad.json", ChunkDescriptorJson.toJson(A).replace("http://", "ftp://"))
                .toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: ").contains("http, https or s3").contains("invalid_request");
    }

    @Test
    void chunkAdd_wait_exits0WhenReady_and1WhenFailed() throws Exception {
        Thread.ofVirtual().start(() -> {
            try {
                while (manager.status(A.id()).isEmpty()) {
                    Thread.sleep(5);
                }
                manager.makeReady(A.id(), dir.resolve("chunks/a"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Run ready = run("chunk", "add", "--wait", "--poll", "10ms",
                file("a.json", ChunkDescriptorJson.toJson(A)).toString());
        assertThat(ready.code()).as(ready.err()).isZero();
        assertThat(ready.out()).startsWith("ready " + A.id());
        assertThat(ready.err()).contains("[").contains("%");

        Thread.ofVirtual().start(() -> {
            try {
                while (manager.status(B.id()).isEmpty()) {
                    Thread.sleep(5);
                }
                manager.makeFailed(B.id());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Run failed = run("chunk", "add", "--wait", "--poll", "10ms",
                file("b.json", ChunkDescriptorJson.toJson(B)).toString());
        assertThat(failed.code()).isEqualTo(1);
        assertThat(failed.err()).contains("error: chunk " + B.id() + " failed");
    }

    @Test
    void chunkLs_printsAnAlignedTable_andFilters() throws Exception {
        manager.download(A);
        manager.download(B);
        manager.makeReady(A.id(), dir.resolve("chunks/a"));
        Run r = run("chunk", "ls");
        assertThat(r.code()).as(r.err()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).startsWith("ID").contains("DATASET").contains("RANGE").contains("STATE")
                .contains("PROGRESS").contains("REFS");
        // Sorted by id: B's id sorts before A's.
        assertThat(lines[2]).startsWith(A.id().toString().substring(0, 12)).contains("[1000,2000)").contains("ready");
        assertThat(lines[1]).startsWith(B.id().toString().substring(0, 12)).contains("queued");
        assertThat(lines[1].indexOf("[2000")).isEqualTo(lines[2].indexOf("[1000")).isEqualTo(lines[0].indexOf("RANGE"));

        Run ready = run("chunk", "ls", "--state", "ready");
        assertThat(ready.out().split("\n")).hasSize(2);
        Run json = run("chunk", "ls", "--json", "--dataset", A.datasetId().toString());
        assertThat(ChunkDescriptorJson.MAPPER.readTree(json.out()).get("chunks")).hasSize(2);
        Run bad = run("chunk", "ls", "--state", "bogus");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("unknown chunk state");
    }

    @Test
    void chunkShow_andRm_acceptAUniqueIdPrefix() {
        manager.download(A);
        Run show = run("chunk", "show", A.id().toString().substring(0, 10));
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(show.out()).contains("id:         " + A.id()).contains("state:      queued")
                .contains("blocks:     [1000,2000)");
        Run rm = run("chunk", "rm", A.id().toString());
        assertThat(rm.code()).isZero();
        assertThat(rm.out()).isEqualTo(A.id() + " is gone (absent)\n");
        Run missing = run("chunk", "show", A.id().toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("not known").contains("404");
        assertThat(run("chunk", "show", "abc").err()).contains("no known chunk id starts with abc");
    }

    @Test
    void find_printsThePathThenTheChunk() {
        manager.download(A);
        manager.makeReady(A.id(), dir.resolve("chunks/a"));
        Run r = run("find", A.datasetId().toString(), "1500");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(dir.resolve("chunks/a").toAbsolutePath() + "\nchunk " + A.id()
                + " blocks [1000,2000)\n");
        Run none = run("find", A.datasetId().toString(), "5");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("no ready chunk");
    }

    @Test
    void assign_printsTheCounts() throws Exception {
        manager.download(A);
        Path f = file("assign.json", "{\"chunks\": [" + ChunkDescriptorJson.toJson(B) + "]}");
        Run r = run("assign", f.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("assigned: 1 to download, 1 to delete, 0 kept\n");
    }

    @Test
    void lease_andRelease() {
        manager.download(A);
        manager.makeReady(A.id(), dir.resolve("chunks/a"));
        Run lease = run("lease", A.datasetId().toString(), "1500", "--ttl", "60s");
        assertThat(lease.code()).as(lease.err()).isZero();
        String id = lease.out().split(" ")[1];
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(manager.openRefs()).isEqualTo(1);
        Run release = run("lease", "release", id);
        assertThat(release.code()).as(release.err()).isZero();
        assertThat(manager.openRefs()).isZero();
        assertThat(run("lease", "release", id).code()).isEqualTo(1);
    }

    @Test
    void usageErrors_exit2() {
        assertThat(run().code()).isEqualTo(2);
        assertThat(run("chunk").code()).isEqualTo(2);
        assertThat(run("chunk", "add").code()).isEqualTo(2);
        assertThat(run("find", "x").code()).isEqualTo(2);
        assertThat(run("find", "x", "notanumber").code()).isEqualTo(2);
        assertThat(run("bogus").code()).isEqualTo(2);
        assertThat(run("serve").err()).contains("--data-dir");
        assertThat(run("serve").code()).isEqualTo(2);
        assertThat(run("serve", "--data-dir", "d", "--max-disk", "lots").code()).isEqualTo(2);
        assertThat(run("serve", "--data-dir", "d", "--listen", "nope").code()).isEqualTo(2);
        Run lease = run("lease");
        assertThat(lease.code()).isEqualTo(2);
    }

    @Test
    void help_everywhere_exits0() {
        for (String[] args : new String[][] {{"--help"}, {"serve", "--help"}, {"chunk", "--help"},
                {"chunk", "add", "--help"}, {"chunk", "ls", "--help"}, {"find", "--help"}, {"assign", "--help"},
                {"lease", "--help"}, {"lease", "release", "--help"}}) {
            Run r = run(args);
            assertThat(r.code()).as(String.join(" ", args)).isZero();
            assertThat(r.out()).contains("Usage:");
        }
        assertThat(run("serve", "--help").out()).contains("--max-downloads").contains("--bandwidth")
                .contains("--token-file").contains("--demo");
    }

    @Test
    void unreachableDaemon_exits1_sayingWhere() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Run r = run("chunk", "ls", "--url", "http://127.0.0.1:" + port);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("cannot connect to the daemon at http://127.0.0.1:" + port);
    }

    @Test
    void tokenFile_fromTheEnvironment_isSent() throws Exception {
        daemon.close();
        daemon = Daemon.start(DaemonConfig.of(ManagerConfig.builder(dir.resolve("data2")).build(),
                ListenAddress.parse("127.0.0.1:0")).withToken("abc123"), c -> manager);
        daemon.ready().get(10, TimeUnit.SECONDS);
        env.put("WORKER_URL", daemon.url().toString());
        Run refused = run("chunk", "ls");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("bearer token");
        env.put("WORKER_TOKEN_FILE", file("token", "  abc123\n").toString());
        assertThat(run("chunk", "ls").code()).isZero();
    }
}
