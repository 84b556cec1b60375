package dev.worker.core.download;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.worker.core.download.Fixtures.chunk;
import static dev.worker.core.download.Fixtures.declared;
import static dev.worker.core.download.Fixtures.randomBytes;
import static dev.worker.core.download.Fixtures.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.FileDigest;
import dev.worker.testkit.Await;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HTTP status handling, against WireMock (Jetty) as an independent server. */
@Timeout(20)
final class ChunkDownloaderStatusTest {
    private static final byte[] CONTENT = randomBytes(64 * 1024 + 3, 99);
    private static WireMockServer wiremock;

    @TempDir
    Path tmp;
    private final Fixtures.RecordingListener listener = new Fixtures.RecordingListener();
    private final DownloadProgress progress = new DownloadProgress();
    private ChunkDownloader downloader;

    @BeforeAll
    static void startWireMock() {
        wiremock = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        wiremock.start();
    }

    @AfterAll
    static void stopWireMock() {
        wiremock.stop();
    }

    @BeforeEach
    void setUp() {
        wiremock.resetAll();
        downloader = new ChunkDownloader(Fixtures.settings(), listener, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        downloader.close();
    }

    @Test
    void download_serverErrorThenSuccess_retriesAndCountsTheAttempt() throws Exception {
        stubSequence(aResponse().withStatus(503), ok());

        DownloadOutcome outcome = download(descriptor());

        assertThat(outcome).isEqualTo(completed());
        assertThat(listener.retries).containsExactly("http_5xx");
        assertThat(progress.attempts()).isEqualTo(2);
        assertThat(progress.lastError()).get().asString().contains("503", url(), "file f");
        wiremock.verify(2, getRequestedFor(urlEqualTo("/f")));
    }

    @Test
    void download_requestTimeoutStatus_isRetried() throws Exception {
        stubSequence(aResponse().withStatus(408), ok());

        assertThat(download(descriptor())).isEqualTo(completed());
        assertThat(listener.retries).containsExactly("http_408");
    }

    @Test
    void download_tooManyRequestsWithRetryAfterSeconds_waitsAtLeastThatLong() throws Exception {
        stubSequence(aResponse().withStatus(429).withHeader("Retry-After", "1"), ok());
        Instant before = Instant.now();
        long started = System.nanoTime();
        CompletableFuture<DownloadOutcome> result = downloadAsync(descriptor());

        assertThat(Await.poll(() -> progress.nextRetryAt().isPresent(), Duration.ofSeconds(5))).isTrue();
        Instant retryAt = progress.nextRetryAt().orElseThrow();

        assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo(completed());
        assertThat(retryAt).isAfterOrEqualTo(before.plusSeconds(1));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(listener.retries).containsExactly("http_429");
        assertThat(progress.nextRetryAt()).isEmpty();
    }

    @Test
    void download_serviceUnavailableWithRetryAfterDate_waitsUntilThatTime() throws Exception {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(1).atZone(ZoneOffset.UTC));
        downloader.close();
        downloader = new ChunkDownloader(Fixtures.settings(), listener, Clock.fixed(now, ZoneOffset.UTC));
        stubSequence(aResponse().withStatus(503).withHeader("Retry-After", date), ok());
        long started = System.nanoTime();

        assertThat(download(descriptor())).isEqualTo(completed());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 410})
    void download_clientErrorStatus_failsPermanentlyWithoutRetry(int status) throws Exception {
        wiremock.stubFor(get("/f").willReturn(aResponse().withStatus(status)));

        DownloadOutcome outcome = download(descriptor());

        assertThat(outcome).isInstanceOfSatisfying(DownloadOutcome.Failed.class, failed -> {
            assertThat(failed.file()).isEqualTo("f");
            assertThat(failed.reason()).isEqualTo("http_" + status);
            assertThat(failed.message()).contains("HTTP " + status, url(), "file f");
        });
        assertThat(listener.retries).isEmpty();
        assertThat(listener.finished).containsExactly("failed");
        assertThat(progress.lastError()).get().asString().contains(Integer.toString(status));
        wiremock.verify(1, getRequestedFor(urlEqualTo("/f")));
    }

    private void stubSequence(ResponseDefinitionBuilder first, ResponseDefinitionBuilder then) {
        wiremock.stubFor(get("/f").inScenario("s").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(first).willSetStateTo("second"));
        wiremock.stubFor(get("/f").inScenario("s").whenScenarioStateIs("second").willReturn(then));
    }

    private static ResponseDefinitionBuilder ok() {
        return aResponse().withStatus(200).withHeader("ETag", "\"v1\"").withBody(CONTENT);
    }

    private static String url() {
        return wiremock.baseUrl() + "/f";
    }

    private static ChunkDescriptor descriptor() {
        return chunk(Map.of("f", declared(url(), CONTENT)));
    }

    private static DownloadOutcome completed() {
        return new DownloadOutcome.Completed(Map.of("f", new FileDigest(CONTENT.length, sha256(CONTENT))));
    }

    private DownloadOutcome download(ChunkDescriptor descriptor) throws InterruptedException {
        return downloader.download(descriptor, tmp.resolve("d"), progress, new Cancellation(), DiskSpace.UNLIMITED);
    }

    private CompletableFuture<DownloadOutcome> downloadAsync(ChunkDescriptor descriptor) {
        CompletableFuture<DownloadOutcome> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(download(descriptor));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }
}
