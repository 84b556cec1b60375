package dev.worker.mock;

import static dev.worker.mock.TestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.ChunkDescriptorJson;
import dev.worker.testkit.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each fault as a client sees it, and as /stats counts it. */
@Timeout(60)
final class FaultInjectionTest {
    private static MockStorage storage;
    private static SyntheticFile file;
    private static URI url;
    private MockStorageStats before;

    @BeforeAll
    static void start() throws IOException {
        storage = MockStorage.start(MockStorageConfig.builder().seed(5).datasets(1).chunks(2).filesPerChunk(2)
                .chunkSize(8 << 20).checksums(false).build());
        file = storage.chunkSet().chunks().get(0).files().get(0);
        url = storage.url(file);
    }

    @AfterAll
    static void stop() {
        storage.close();
    }

    @BeforeEach
    void snapshot() {
        before = storage.stats();
    }

    @AfterEach
    void noFaults() {
        storage.faults(FaultConfig.NONE);
    }

    @Test
    void errorRate_answers503WithRetryAfter_andCountsIt() throws Exception {
        storage.faults(FaultConfig.builder().errorRate(1).retryAfter(Duration.ofMillis(1500)).build());
        HttpResponse<byte[]> response = get(url);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("retry-after")).hasValue("2");
        assertThat(faults(FaultType.ERROR)).isEqualTo(1);
        assertThat(storage.stats().responses(503) - before.responses(503)).isEqualTo(1);
    }

    @Test
    void errorRate_withoutRetryAfter_sendsNoRetryAfter() throws Exception {
        storage.faults(FaultConfig.builder().errorRate(1).build());
        HttpResponse<byte[]> response = get(url);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("retry-after")).isEmpty();
    }

    @Test
    void resetRate_failsTheDownloadWithAnIOExceptionBeforeTheFullBody() throws Exception {
        storage.faults(FaultConfig.builder().resetRate(1).build());
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> get(url)).isInstanceOf(IOException.class);
        }
        assertThat(faults(FaultType.RESET)).isEqualTo(3);
    }

    @Test
    void truncateRate_closesCleanlyAfterFewerBytesThanDeclared() throws Exception {
        storage.faults(FaultConfig.builder().truncateRate(1).build());
        try (RawHttp c = RawHttp.open(storage.baseUrl())) {
            RawHttp.Head head = c.send("GET", file.path()).readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.contentLength()).isEqualTo(file.size());
            byte[] received = c.input().readAllBytes();
            assertThat(received.length).isLessThan((int) file.size());
            assertThat(received).isEqualTo(storage.content().bytes(file.path(), 0, received.length));
        }
        assertThat(faults(FaultType.TRUNCATE)).isEqualTo(1);
    }

    @Test
    void truncateRate_appliesToRangesToo() throws Exception {
        storage.faults(FaultConfig.builder().truncateRate(1).build());
        try (RawHttp c = RawHttp.open(storage.baseUrl())) {
            RawHttp.Head head = c.send("GET", file.path(), "Range: bytes=1000-").readHead();
            assertThat(head.status()).isEqualTo(206);
            byte[] received = c.input().readAllBytes();
            assertThat(received.length).isLessThan((int) head.contentLength());
            assertThat(received).isEqualTo(storage.content().bytes(file.path(), 1000, received.length));
        }
    }

    @Test
    void stallRate_sendsNothingForTheStallDuration_thenCloses() throws Exception {
        Duration stall = Duration.ofMillis(400);
        storage.faults(FaultConfig.builder().stallRate(1).stall(stall).build());
        try (RawHttp c = RawHttp.open(storage.baseUrl())) {
            RawHttp.Head head = c.send("GET", file.path()).readHead();
            assertThat(head.status()).isEqualTo(200);
            long lastData = System.nanoTime();
            long received = 0;
            InputStream in = c.input();
            byte[] buffer = new byte[64 * 1024];
            try {
                for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
                    received += n;
                    lastData = System.nanoTime();
                }
            } catch (IOException e) {
                // A close after a stall may arrive as a reset; the silence before it is what counts.
            }
            Duration silence = Duration.ofNanos(System.nanoTime() - lastData);
            assertThat(received).isLessThan(file.size());
            assertThat(silence).isGreaterThanOrEqualTo(stall.minusMillis(100));
        }
        assertThat(faults(FaultType.STALL)).isEqualTo(1);
    }

    @Test
    void latency_delaysTheHeaders() throws Exception {
        Duration latency = Duration.ofMillis(300);
        storage.faults(FaultConfig.builder().latency(latency).build());
        long start = System.nanoTime();
        HttpResponse<byte[]> response = TestSupport.send("HEAD", url);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(elapsed).isGreaterThanOrEqualTo(latency.minusMillis(5));
        assertThat(faults(FaultType.LATENCY)).isEqualTo(1);
    }

    @Test
    void bandwidth_capsEachConnection() throws Exception {
        long rate = 1 << 20;
        storage.faults(FaultConfig.builder().bandwidth(rate).build());
        int length = 512 * 1024;
        long start = System.nanoTime();
        HttpResponse<byte[]> response = get(url, "Range", "bytes=0-" + (length - 1));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(response.body()).isEqualTo(storage.content().bytes(file.path(), 0, length));
        // The first piece (1/32 s worth) goes at once; the rest waits for the cap.
        assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void totalBandwidth_capsAllConnectionsTogether() throws Exception {
        long rate = 1 << 20;
        storage.faults(FaultConfig.builder().totalBandwidth(rate).build());
        int length = 256 * 1024;
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<byte[]>>> downloads = new ArrayList<>();
        for (SyntheticFile f : storage.chunkSet().chunks().get(1).files()) {
            downloads.add(TestSupport.CLIENT.sendAsync(TestSupport.request(storage.url(f), "Range",
                    "bytes=0-" + (length - 1)).build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (CompletableFuture<HttpResponse<byte[]>> download : downloads) {
            assertThat(download.get().body()).hasSize(length);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(350));
    }

    @Test
    void notFound_answers404ForTheListedPathOnly() throws Exception {
        storage.faults(FaultConfig.builder().notFound(List.of(file.path())).build());
        assertThat(get(url).statusCode()).isEqualTo(404);
        SyntheticFile other = storage.chunkSet().chunks().get(0).files().get(1);
        assertThat(get(storage.url(other)).statusCode()).isEqualTo(200);
        assertThat(faults(FaultType.NOT_FOUND)).isEqualTo(1);
    }

    @Test
    void faults_changedAtRuntime_applyFromTheNextRequest() throws Exception {
        assertThat(get(url, "Range", "bytes=0-9").statusCode()).isEqualTo(206);
        storage.faults(FaultConfig.builder().errorRate(1).build());
        assertThat(storage.faults().errorRate()).isEqualTo(1);
        assertThat(get(url, "Range", "bytes=0-9").statusCode()).isEqualTo(503);
        storage.faults(FaultConfig.NONE);
        assertThat(get(url, "Range", "bytes=0-9").statusCode()).isEqualTo(206);
    }

    @Test
    void faults_areCountedInTheStatsEndpoint() throws Exception {
        storage.faults(FaultConfig.builder().errorRate(1).build());
        get(url);
        String json = TestSupport.getText(storage.statsUrl()).body();
        assertThat(ChunkDescriptorJson.readTree(json).get("faults").get("error").asLong())
                .isEqualTo(before.faults(FaultType.ERROR) + 1);
    }

    @Test
    void faultDecisions_followTheSeed() throws Exception {
        FaultConfig half = FaultConfig.builder().errorRate(0.3).build();
        List<Integer> first = statuses(11, half);
        assertThat(statuses(11, half)).isEqualTo(first);
        assertThat(statuses(12, half)).isNotEqualTo(first);
        long errors = first.stream().filter(s -> s == 503).count();
        assertThat(errors).isBetween(20L, 100L);
    }

    @Test
    void faultConfig_rejectsInvalidValues() {
        assertThatThrownBy(() -> FaultConfig.builder().errorRate(1.5).build()).hasMessageContaining("error rate");
        assertThatThrownBy(() -> FaultConfig.builder().resetRate(Double.NaN).build()).hasMessageContaining("reset");
        assertThatThrownBy(() -> FaultConfig.builder().latency(Duration.ofMillis(-1)).build())
                .hasMessageContaining("latency");
        assertThatThrownBy(() -> FaultConfig.builder().stallRate(0.5).stall(Duration.ZERO).build())
                .hasMessageContaining("stall");
        assertThatThrownBy(() -> FaultConfig.builder().bandwidth(-1).build()).hasMessageContaining("bandwidth");
        assertThatThrownBy(() -> FaultConfig.builder().notFound(List.of("a/b")).build())
                .hasMessageContaining("not-found");
    }

    @Test
    void faultConfig_any_isTrueOnlyWhenSomethingIsInjected() {
        assertThat(FaultConfig.NONE.any()).isFalse();
        assertThat(FaultConfig.builder().stall(Duration.ofSeconds(1)).retryAfter(Duration.ofSeconds(1)).build().any())
                .isFalse();
        assertThat(FaultConfig.builder().latency(Duration.ofMillis(1)).build().any()).isTrue();
        assertThat(FaultConfig.builder().notFound(List.of("/a")).build().any()).isTrue();
        assertThat(FaultConfig.builder().errorRate(0.5).retryAfter(Duration.ofSeconds(2)).build().describe())
                .isEqualTo("error-rate=0.5 retry-after=2s");
    }

    private long faults(FaultType type) {
        return storage.stats().faults(type) - before.faults(type);
    }

    /** The statuses of 200 sequential requests to a fresh storage with {@code seed} and {@code faults}. */
    private static List<Integer> statuses(long seed, FaultConfig faults) throws Exception {
        List<Integer> statuses = new ArrayList<>();
        try (MockStorage s = MockStorage.start(TestSupport.smallSet().seed(seed).checksums(false).faults(faults)
                .build())) {
            URI target = s.url(s.chunkSet().chunks().get(0).files().get(0));
            for (int i = 0; i < 200; i++) {
                statuses.add(TestSupport.send("HEAD", target).statusCode());
            }
        }
        return statuses;
    }
}
