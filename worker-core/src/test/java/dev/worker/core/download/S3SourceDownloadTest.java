package dev.worker.core.download;

import static dev.worker.core.download.Fixtures.chunk;
import static dev.worker.core.download.Fixtures.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.worker.core.FileSource;
import dev.worker.core.source.S3CredentialSource;
import dev.worker.core.source.S3Credentials;
import dev.worker.core.source.S3Settings;
import dev.worker.core.source.SourcePolicy;
import dev.worker.core.source.Sources;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the engine reads an S3 store's answers (a stand-in store on loopback that answers what the test queues and
 * records the requests; signatures themselves are checked against s3proxy in the daemon's tests).
 */
@Timeout(20)
final class S3SourceDownloadTest {
    private static final String SECRET = "unit-test-secret";
    @TempDir
    Path tmp;
    private HttpServer store;
    private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final Queue<Map<String, List<String>>> requests = new ConcurrentLinkedQueue<>();
    private final Fixtures.RecordingListener listener = new Fixtures.RecordingListener();
    private final DownloadProgress progress = new DownloadProgress();
    private ChunkDownloader downloader;

    record Answer(int status, Map<String, String> headers, byte[] body) {
    }

    @BeforeEach
    void setUp() throws IOException {
        store = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        store.createContext("/", this::answer);
        store.start();
        URI endpoint = URI.create("http://127.0.0.1:" + store.getAddress().getPort());
        S3Settings settings = new S3Settings(Optional.of(endpoint), Optional.of("us-east-1"),
                new S3CredentialSource.Fixed(new S3Credentials("AKIDUNIT", SECRET, Optional.empty()), "test"));
        downloader = new ChunkDownloader(Fixtures.settings(4, 0, Duration.ofSeconds(2)), listener,
                Clock.systemUTC(), ChannelOpener.DEFAULT,
                new Sources(SourcePolicy.defaults(), Optional.empty(), Optional.of(settings), Clock.systemUTC()));
    }

    @AfterEach
    void tearDown() {
        downloader.close();
        store.stop(0);
    }

    @Test
    void slowDown_isRetriedNotBeforeRetryAfter_andEveryRequestIsSigned() throws Exception {
        byte[] content = randomBytes(100_000, 1);
        answers.add(error(503, "SlowDown", Map.of("Retry-After", "1")));
        answers.add(new Answer(200, Map.of("ETag", "\"e1\""), content));
        long started = System.nanoTime();

        DownloadOutcome outcome = download(content.length);

        assertThat(outcome).isInstanceOf(DownloadOutcome.Completed.class);
        assertThat(System.nanoTime() - started).as("waited for Retry-After").isGreaterThanOrEqualTo(1_000_000_000L);
        assertThat(listener.retries).containsExactly("http_5xx");
        assertThat(requests).hasSize(2).allSatisfy(headers -> {
            assertThat(headers.get("Authorization")).singleElement().asString()
                    .startsWith("AWS4-HMAC-SHA256 Credential=AKIDUNIT/").contains("/us-east-1/s3/aws4_request");
            assertThat(headers).containsKeys("X-amz-date", "X-amz-content-sha256");
        });
    }

    @Test
    void accessDeniedAndNoSuchKey_failPermanentlyWithTheStoreCode_andNothingElseOfTheBody() throws Exception {
        answers.add(error(403, "AccessDenied", Map.of()));
        DownloadOutcome denied = download(10);
        answers.add(error(404, "NoSuchKey", Map.of()));
        DownloadOutcome missing = download(10);

        assertThat(denied).isInstanceOfSatisfying(DownloadOutcome.Failed.class, f -> assertThat(f.message())
                .startsWith("S3 AccessDenied (HTTP 403) for file f from s3://bkt/k").doesNotContain("StringToSign"));
        assertThat(missing).isInstanceOfSatisfying(DownloadOutcome.Failed.class, f ->
                assertThat(f.message()).startsWith("S3 NoSuchKey (HTTP 404)"));
        assertThat(requests).hasSize(2);
    }

    @Test
    void aRedirectOfASignedRequest_failsInsteadOfCarryingTheSignatureElsewhere() throws Exception {
        answers.add(new Answer(301, Map.of("Location", "http://127.0.0.1:9/elsewhere"), new byte[0]));

        DownloadOutcome outcome = download(10);

        assertThat(outcome).isInstanceOfSatisfying(DownloadOutcome.Failed.class, f ->
                assertThat(f.reason()).isEqualTo("s3_redirect"));
        assertThat(requests).hasSize(1);
    }

    private DownloadOutcome download(long size) throws InterruptedException {
        FileSource source = new FileSource("s3://bkt/k", java.util.OptionalLong.of(size), Optional.empty());
        return downloader.download(chunk(Map.of("f", source)), tmp.resolve("d" + System.nanoTime()), progress,
                new Cancellation(), DiskSpace.UNLIMITED);
    }

    private static Answer error(int status, String code, Map<String, String> headers) {
        String body = "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>m</Message>"
                + "<StringToSign>AWS4-HMAC-SHA256 " + SECRET + "</StringToSign></Error>";
        return new Answer(status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private void answer(HttpExchange exchange) throws IOException {
        requests.add(Map.copyOf(exchange.getRequestHeaders()));
        Answer answer = answers.poll();
        if (answer == null) {
            answer = new Answer(500, Map.of(), new byte[0]);
        }
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer.body());
        }
    }
}
