package dev.worker.core.download;

import static dev.worker.core.download.Fixtures.chunk;
import static dev.worker.core.download.Fixtures.declared;
import static dev.worker.core.download.Fixtures.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.FileDigest;
import dev.worker.core.source.SourceHeaders;
import dev.worker.core.source.SourcePolicy;
import dev.worker.core.source.Sources;
import dev.worker.testkit.ConnectionCounter;
import dev.worker.testkit.FileServer;
import dev.worker.testkit.FileServer.Status;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request path of a download: the source policy applied before every connection (each redirect hop too),
 * redirects followed by the engine, per-host headers. Traffic goes to loopback only; 127.0.0.3 plays the denied
 * address (a listener there counts the connections that must never come).
 */
@Timeout(20)
final class SourceRoutingTest {
    private static final int SIZE = 300_000;
    @TempDir
    Path tmp;
    private FileServer server;
    private ConnectionCounter denied;
    private final DownloadProgress progress = new DownloadProgress();
    private ChunkDownloader downloader;

    @BeforeEach
    void setUp() throws IOException {
        server = FileServer.start();
        denied = ConnectionCounter.on127(3);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (downloader != null) {
            downloader.close();
        }
        server.close();
        denied.close();
    }

    @Test
    void aDeniedAddress_failsPermanentlyNamingTheRule_withoutConnecting() throws Exception {
        use(new Sources(SourcePolicy.of(List.of(), List.of("127.0.0.3/32")), Optional.empty(), Optional.empty(),
                Clock.systemUTC()));
        byte[] content = randomBytes(SIZE, 1);
        String url = "http://127.0.0.3:" + denied.port() + "/f";

        DownloadOutcome outcome = download(Map.of("f", declared(url, content)));

        assertThat(outcome).isInstanceOfSatisfying(DownloadOutcome.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo("source_policy");
            assertThat(failed.message()).contains("rule source_deny", url);
        });
        assertThat(denied.accepted()).isZero();
    }

    @Test
    void aDeniedAddress_readsTheSameWhetherSomethingListensThereOrNot() throws Exception {
        use(new Sources(SourcePolicy.of(List.of(), List.of("127.0.0.3/32")), Optional.empty(), Optional.empty(),
                Clock.systemUTC()));
        byte[] content = randomBytes(SIZE, 2);
        int open = denied.port();
        int closed;
        try (ServerSocket probe = new ServerSocket(0, 1, ConnectionCounter.address(3))) {
            closed = probe.getLocalPort();
        }

        String a = failure(download(Map.of("f", declared("http://127.0.0.3:" + open + "/f", content))));
        String b = failure(download(Map.of("f", declared("http://127.0.0.3:" + closed + "/f", content))));

        assertThat(a.replace(":" + open + "/", ":PORT/")).isEqualTo(b.replace(":" + closed + "/", ":PORT/"));
        assertThat(denied.accepted()).isZero();
    }

    @Test
    void aRedirect_isFollowedByTheEngine_toItsTarget() throws Exception {
        use(Sources.defaults());
        byte[] content = randomBytes(SIZE, 3);
        server.serve("/b", content);
        server.serve("/a", new byte[0]).always(new Status(302, Map.of("Location", "/b")));

        DownloadOutcome outcome = download(Map.of("f", declared(server.url("/a"), content)));

        assertThat(outcome).isInstanceOfSatisfying(DownloadOutcome.Completed.class, completed ->
                assertThat(completed.files().get("f")).isEqualTo(new FileDigest(content.length,
                        Fixtures.sha256(content))));
        assertThat(server.requests("/a")).hasSize(1);
        assertThat(server.requests("/b")).hasSize(1);
    }

    @Test
    void aRedirectToADeniedAddress_isRefusedBeforeConnecting_likeADirectRequestThere() throws Exception {
        use(new Sources(SourcePolicy.of(List.of(), List.of("127.0.0.3/32")), Optional.empty(), Optional.empty(),
                Clock.systemUTC()));
        byte[] content = randomBytes(SIZE, 4);
        String target = "http://127.0.0.3:" + denied.port() + "/b";
        server.serve("/a", new byte[0]).always(new Status(307, Map.of("Location", target)));

        DownloadOutcome outcome = download(Map.of("f", declared(server.url("/a"), content)));

        assertThat(failure(outcome)).contains("rule source_deny", "127.0.0.3");
        assertThat(denied.accepted()).isZero();
    }

    @Test
    void redirectsWithoutEnd_failAfterTheLimit() throws Exception {
        use(Sources.defaults());
        server.serve("/loop", new byte[0]).always(new Status(301, Map.of("Location", "/loop")));

        DownloadOutcome outcome = download(Map.of("f", declared(server.url("/loop"), new byte[1])));

        assertThat(outcome).isInstanceOfSatisfying(DownloadOutcome.Failed.class, f ->
                assertThat(f.reason()).isEqualTo("too_many_redirects"));
        assertThat(server.requests("/loop")).hasSize(Route.MAX_REDIRECTS + 1);
    }

    @Test
    void sourceHeaders_goToTheirHostOnly_alsoAcrossARedirect() throws Exception {
        useHeaders("{\"127.0.0.1\": {\"X-Token\": \"t-127\"}, \"localhost\": {\"X-Token\": \"t-local\"}}");
        byte[] content = randomBytes(SIZE, 5);
        server.serve("/b", content);
        String onLocalhost = server.url("/b").replace("127.0.0.1", "localhost");
        server.serve("/a", new byte[0]).always(new Status(302, Map.of("Location", onLocalhost)));

        DownloadOutcome outcome = download(Map.of("f", declared(server.url("/a"), content)));

        assertThat(outcome).isInstanceOf(DownloadOutcome.Completed.class);
        assertThat(server.requests("/a").get(0).header("X-Token")).contains("t-127");
        assertThat(server.requests("/b").get(0).header("X-Token")).contains("t-local");
    }

    @Test
    void sourceHeaders_rewrittenFile_isUsedByTheNextRequest() throws Exception {
        Path file = useHeaders("{\".0.0.1\": {\"X-Token\": \"first\"}}");
        byte[] content = randomBytes(SIZE, 6);
        server.serve("/f", content);
        assertThat(download(Map.of("f", declared(server.url("/f"), content))))
                .isInstanceOf(DownloadOutcome.Completed.class);

        Files.writeString(file, "{\".0.0.1\": {\"X-Token\": \"second, a longer one\"}}");
        assertThat(download(Map.of("f", declared(server.url("/f"), content)), tmp.resolve("two")))
                .isInstanceOf(DownloadOutcome.Completed.class);

        assertThat(server.requests("/f")).extracting(r -> r.header("X-Token").orElse(""))
                .containsExactly("first", "second, a longer one");
    }

    private Path useHeaders(String json) throws IOException {
        Path file = Files.writeString(tmp.resolve("headers.json"), json);
        use(new Sources(SourcePolicy.defaults(), Optional.of(SourceHeaders.load(file)), Optional.empty(),
                Clock.systemUTC()));
        return file;
    }

    private void use(Sources sources) {
        downloader = new ChunkDownloader(Fixtures.settings(4, 0, Duration.ofSeconds(2)),
                new Fixtures.RecordingListener(), Clock.systemUTC(), ChannelOpener.DEFAULT, sources);
    }

    private DownloadOutcome download(Map<String, dev.worker.core.FileSource> files) throws InterruptedException {
        return download(files, tmp.resolve("d" + System.nanoTime()));
    }

    private DownloadOutcome download(Map<String, dev.worker.core.FileSource> files, Path dir)
            throws InterruptedException {
        return downloader.download(chunk(files), dir, progress, new Cancellation(), DiskSpace.UNLIMITED);
    }

    private static String failure(DownloadOutcome outcome) {
        assertThat(outcome).isInstanceOf(DownloadOutcome.Failed.class);
        return ((DownloadOutcome.Failed) outcome).message();
    }
}
