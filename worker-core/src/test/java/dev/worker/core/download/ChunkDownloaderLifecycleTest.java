package dev.worker.core.download;

import static dev.worker.core.download.Fixtures.chunk;
import static dev.worker.core.download.Fixtures.declared;
import static dev.worker.core.download.Fixtures.randomBytes;
import static dev.worker.core.download.Fixtures.sha256;
import static dev.worker.core.download.Fixtures.undeclared;
import static dev.worker.testkit.Await.poll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.FileDigest;
import dev.worker.core.FileSource;
import dev.worker.testkit.FileServer;
import dev.worker.testkit.FileServer.Delay;
import dev.worker.testkit.FileServer.Request;
import dev.worker.testkit.FileServer.StallBeforeHeaders;
import dev.worker.testkit.FileServer.Status;
import dev.worker.testkit.FileServer.Throttle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Cancellation, transfer permits, bandwidth, disk space, and resuming what an earlier process left. */
@Timeout(20)
final class ChunkDownloaderLifecycleTest {
    /** How soon a cancelled download must return; typically a few milliseconds, loose for busy machines. */
    private static final Duration PROMPT = Duration.ofMillis(500);
    private static final int SIZE = 4 * 1024 * 1024;

    @TempDir
    Path tmp;
    private FileServer server;
    private final Fixtures.RecordingListener listener = new Fixtures.RecordingListener();
    private ChunkDownloader downloader;

    @BeforeEach
    void setUp() throws IOException {
        server = FileServer.start();
    }

    @AfterEach
    void tearDown() throws IOException {
        if (downloader != null) {
            downloader.close();
        }
        server.close();
    }

    @Test
    void cancel_duringTransfer_returnsCancelledPromptlyAndClosesTheConnection() throws Exception {
        downloader = newDownloader(Fixtures.settings());
        byte[] content = randomBytes(SIZE, 1);
        server.serve("/f", content).always(new Throttle(16 * 1024, Duration.ofMillis(10)));
        Running running = start(chunk(Map.of("f", declared(server.url("/f"), content))), "d");
        assertThat(poll(() -> running.progress.bytesDone() > 0, Duration.ofSeconds(5))).isTrue();

        Duration took = running.cancelAndAwait();

        assertThat(running.outcome()).isInstanceOf(DownloadOutcome.Cancelled.class);
        assertThat(took).isLessThan(PROMPT);
        assertThat(poll(() -> server.clientClosures() == 1, Duration.ofSeconds(2))).isTrue();
        assertThat(listener.finished).containsExactly("cancelled");
        assertThat(Files.size(tmp.resolve("d").resolve("f"))).isPositive().isLessThan(content.length);
    }

    @Test
    void cancel_whileWaitingForResponseHeaders_returnsCancelledPromptlyAndClosesTheConnection() throws Exception {
        downloader = newDownloader(Fixtures.settings(4, 0, Duration.ofSeconds(30)));
        server.serve("/f", new byte[10]).always(new StallBeforeHeaders());
        Running running = start(chunk(Map.of("f", undeclared(server.url("/f")))), "d");
        assertThat(poll(() -> server.inFlight() == 1, Duration.ofSeconds(5))).isTrue();

        Duration took = running.cancelAndAwait();

        assertThat(running.outcome()).isInstanceOf(DownloadOutcome.Cancelled.class);
        assertThat(took).isLessThan(PROMPT);
        assertThat(poll(() -> server.clientClosures() == 1, Duration.ofSeconds(2))).isTrue();
    }

    @Test
    void cancel_whileWaitingForATransferPermit_returnsCancelledPromptly() throws Exception {
        downloader = newDownloader(Fixtures.settings(1, 0, Duration.ofSeconds(30)));
        server.serve("/hog", new byte[10]).always(new StallBeforeHeaders());
        server.serve("/f", new byte[10]);
        Running hog = start(chunk(Map.of("hog", undeclared(server.url("/hog")))), "hog");
        assertThat(poll(() -> server.inFlight() == 1, Duration.ofSeconds(5))).isTrue();
        Running queued = start(chunk(Map.of("f", undeclared(server.url("/f")))), "queued");
        assertThat(poll(() -> downloader.queuedTransfers() == 1, Duration.ofSeconds(5))).isTrue();

        Duration took = queued.cancelAndAwait();

        assertThat(queued.outcome()).isInstanceOf(DownloadOutcome.Cancelled.class);
        assertThat(took).isLessThan(PROMPT);
        assertThat(queued.progress.transferring()).isFalse();
        assertThat(hog.progress.transferring()).isTrue();
        assertThat(server.requests("/f")).isEmpty();
        assertThat(downloader.queuedTransfers()).isZero();
        hog.cancelAndAwait();
    }

    @Test
    void cancel_duringBackoff_returnsCancelledPromptly() throws Exception {
        downloader = newDownloader(new DownloadSettings(4, 0, Duration.ofSeconds(5), Duration.ofSeconds(2),
                Duration.ofSeconds(20), Duration.ofSeconds(20), 1));
        server.serve("/f", new byte[10]).always(new Status(503, Map.of()));
        Running running = start(chunk(Map.of("f", undeclared(server.url("/f")))), "d");
        assertThat(poll(() -> running.progress.nextRetryAt().isPresent(), Duration.ofSeconds(5))).isTrue();

        Duration took = running.cancelAndAwait();

        assertThat(running.outcome()).isInstanceOf(DownloadOutcome.Cancelled.class);
        assertThat(took).isLessThan(PROMPT);
        assertThat(listener.retries).containsExactly("http_5xx");
        assertThat(running.progress.nextRetryAt()).isEmpty();
    }

    @Test
    void cancel_whileThrottledByTheBandwidthCap_returnsCancelledPromptly() throws Exception {
        downloader = newDownloader(Fixtures.settings(4, 32 * 1024, Duration.ofSeconds(5)));
        byte[] content = randomBytes(SIZE, 2);
        server.serve("/f", content);
        Running running = start(chunk(Map.of("f", declared(server.url("/f"), content))), "d");
        assertThat(poll(() -> listener.bytes.get() > 0, Duration.ofSeconds(5))).isTrue();

        Duration took = running.cancelAndAwait();

        assertThat(running.outcome()).isInstanceOf(DownloadOutcome.Cancelled.class);
        assertThat(took).isLessThan(PROMPT);
    }

    @Test
    void close_endsDownloadsInFlightAsCancelled() throws Exception {
        downloader = newDownloader(Fixtures.settings());
        byte[] content = randomBytes(SIZE, 3);
        server.serve("/f", content).always(new Throttle(16 * 1024, Duration.ofMillis(10)));
        Running running = start(chunk(Map.of("f", declared(server.url("/f"), content))), "d");
        assertThat(poll(() -> running.progress.bytesDone() > 0, Duration.ofSeconds(5))).isTrue();

        downloader.close();

        assertThat(running.result.get(2, TimeUnit.SECONDS)).isInstanceOf(DownloadOutcome.Cancelled.class);
        assertThat(downloader.download(chunk(Map.of("f", declared(server.url("/f"), content))), tmp.resolve("e"),
                new DownloadProgress(), new Cancellation(), DiskSpace.UNLIMITED))
                .isInstanceOf(DownloadOutcome.Cancelled.class);
    }

    @Test
    void interruptOfTheCallingThread_stopsTheTransfersAndThrowsInterruptedException() throws Exception {
        downloader = newDownloader(Fixtures.settings());
        byte[] content = randomBytes(SIZE, 4);
        server.serve("/f", content).always(new Throttle(16 * 1024, Duration.ofMillis(10)));
        DownloadProgress progress = new DownloadProgress();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                downloader.download(chunk(Map.of("f", declared(server.url("/f"), content))), tmp.resolve("d"),
                        progress, new Cancellation(), DiskSpace.UNLIMITED);
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
        });
        assertThat(poll(() -> progress.bytesDone() > 0, Duration.ofSeconds(5))).isTrue();

        caller.interrupt();

        assertThat(thrown.get(2, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(listener.finished).containsExactly("cancelled");
        assertThat(poll(() -> server.clientClosures() == 1, Duration.ofSeconds(2))).isTrue();
    }

    @Test
    void transfers_acrossChunks_neverExceedTheConcurrencyBound() throws Exception {
        downloader = newDownloader(Fixtures.settings(3, 0, Duration.ofSeconds(5)));
        List<CompletableFuture<DownloadOutcome>> results = new java.util.ArrayList<>();
        for (int c = 0; c < 3; c++) {
            Map<String, FileSource> files = new HashMap<>();
            for (int f = 0; f < 4; f++) {
                byte[] content = randomBytes(20_000, c * 10 + f);
                String path = "/c" + c + "/f" + f;
                server.serve(path, content).always(new Delay(Duration.ofMillis(60)));
                files.put("f" + f, declared(server.url(path), content));
            }
            results.add(start(chunk(files), "c" + c).result);
        }

        for (CompletableFuture<DownloadOutcome> result : results) {
            assertThat(result.get(10, TimeUnit.SECONDS)).isInstanceOf(DownloadOutcome.Completed.class);
        }
        assertThat(server.requests()).hasSize(12);
        assertThat(server.maxInFlight()).isEqualTo(3);
    }

    @Test
    void backoff_releasesTheTransferPermitForOthers() throws Exception {
        downloader = newDownloader(new DownloadSettings(1, 0, Duration.ofSeconds(5), Duration.ofSeconds(2),
                Duration.ofSeconds(20), Duration.ofSeconds(20), 1));
        server.serve("/failing", new byte[10]).always(new Status(503, Map.of()));
        byte[] content = randomBytes(10_000, 20);
        server.serve("/f", content);
        Running failing = start(chunk(Map.of("failing", undeclared(server.url("/failing")))), "failing");
        assertThat(poll(() -> failing.progress.nextRetryAt().isPresent(), Duration.ofSeconds(5))).isTrue();

        Running other = start(chunk(Map.of("f", declared(server.url("/f"), content))), "other");

        assertThat(other.result.get(5, TimeUnit.SECONDS)).isInstanceOf(DownloadOutcome.Completed.class);
        assertThat(failing.result).isNotDone();
        failing.cancelAndAwait();
    }

    @Test
    void bandwidthCap_slowsTheDownloadToRoughlyTheRate() throws Exception {
        long rate = 1024 * 1024;
        downloader = newDownloader(Fixtures.settings(4, rate, Duration.ofSeconds(5)));
        byte[] a = randomBytes(768 * 1024, 5);
        byte[] b = randomBytes(768 * 1024, 6);
        server.serve("/a", a);
        server.serve("/b", b);
        long started = System.nanoTime();

        DownloadOutcome outcome = downloader.download(chunk(Map.of("a", declared(server.url("/a"), a),
                "b", declared(server.url("/b"), b))), tmp.resolve("d"), new DownloadProgress(), new Cancellation(),
                DiskSpace.UNLIMITED);

        assertThat(outcome).isInstanceOf(DownloadOutcome.Completed.class);
        Duration floor = Duration.ofMillis((long) (0.7 * 1000 * (a.length + b.length) / rate));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(floor);
    }

    @Test
    void restart_partialFileWithResumeEntry_isResumedWithRangeAndVerified() throws Exception {
        downloader = newDownloader(Fixtures.settings());
        byte[] content = randomBytes(SIZE, 7);
        FileServer.ServedFile served = server.serve("/f", content);
        Path dir = tmp.resolve("tmp").resolve("chunk.3");
        Files.createDirectories(dir);
        Files.write(dir.resolve("f"), Arrays.copyOf(content, 400_000));
        Files.writeString(ChunkDownloader.resumeFileFor(dir), "{\"f\": {\"url\": \"" + served.url()
                + "\", \"etag\": " + quoted(served.etagValue()) + "}}");
        DownloadProgress progress = new DownloadProgress();

        DownloadOutcome outcome = downloader.download(chunk(Map.of("f", declared(served.url(), content))), dir,
                progress, new Cancellation(), DiskSpace.UNLIMITED);

        assertThat(outcome).isEqualTo(new DownloadOutcome.Completed(
                Map.of("f", new FileDigest(content.length, sha256(content)))));
        List<Request> requests = server.requests("/f");
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).header("Range")).contains("bytes=400000-");
        assertThat(requests.get(0).header("If-Range")).contains(served.etagValue());
        assertThat(listener.bytes.get()).isEqualTo(content.length - 400_000);
        assertThat(dir.resolve("f")).hasBinaryContent(content);
        assertThat(ChunkDownloader.resumeFileFor(dir)).doesNotExist();
    }

    @Test
    void restart_resumeEntriesWrittenByOneProcess_areUsedByTheNext() throws Exception {
        downloader = newDownloader(Fixtures.settings(4, 0, Duration.ofSeconds(30)));
        byte[] content = randomBytes(SIZE, 8);
        server.serve("/f", content).then(new Throttle(64 * 1024, Duration.ofMillis(10)));
        Path dir = tmp.resolve("d");
        ChunkDescriptor descriptor = chunk(Map.of("f", declared(server.url("/f"), content)));
        Running first = start(descriptor, "d");
        assertThat(poll(() -> first.progress.bytesDone() > 0, Duration.ofSeconds(5))).isTrue();
        first.cancelAndAwait();
        downloader.close();
        long kept = Files.size(dir.resolve("f"));
        assertThat(ChunkDownloader.resumeFileFor(dir)).exists();

        downloader = newDownloader(Fixtures.settings());
        DownloadOutcome outcome = downloader.download(descriptor, dir, new DownloadProgress(), new Cancellation(),
                DiskSpace.UNLIMITED);

        assertThat(outcome).isInstanceOf(DownloadOutcome.Completed.class);
        assertThat(server.requests("/f").get(1).header("Range")).contains("bytes=" + kept + "-");
        assertThat(dir.resolve("f")).hasBinaryContent(content);
    }

    @Test
    void restart_completeVerifiedFileOnDisk_isNotFetchedAgain() throws Exception {
        downloader = newDownloader(Fixtures.settings());
        byte[] content = randomBytes(100_000, 9);
        server.serve("/f", content);
        Path dir = tmp.resolve("d");
        Files.createDirectories(dir);
        Files.write(dir.resolve("f"), content);
        DownloadProgress progress = new DownloadProgress();

        DownloadOutcome outcome = downloader.download(chunk(Map.of("f", declared(server.url("/f"), content))), dir,
                progress, new Cancellation(), DiskSpace.UNLIMITED);

        assertThat(outcome).isEqualTo(new DownloadOutcome.Completed(
                Map.of("f", new FileDigest(content.length, sha256(content)))));
        assertThat(server.requests()).isEmpty();
        assertThat(progress.bytesDone()).isEqualTo(content.length);
    }

    @Test
    void restart_completeFileWithoutDeclaredHash_isConfirmedWithARangeRequestForItsLastByte() throws Exception {
        downloader = newDownloader(Fixtures.settings());
        byte[] content = randomBytes(100_000, 10);
        FileServer.ServedFile served = server.serve("/f", content);
        Path dir = tmp.resolve("d");
        Files.createDirectories(dir);
        Files.write(dir.resolve("f"), content);
        Files.writeString(ChunkDownloader.resumeFileFor(dir), "{\"f\": {\"url\": \"" + served.url()
                + "\", \"etag\": " + quoted(served.etagValue()) + "}}");

        DownloadOutcome outcome = downloader.download(chunk(Map.of("f", undeclared(served.url()))), dir,
                new DownloadProgress(), new Cancellation(), DiskSpace.UNLIMITED);

        assertThat(outcome).isEqualTo(new DownloadOutcome.Completed(
                Map.of("f", new FileDigest(content.length, sha256(content)))));
        assertThat(server.requests("/f")).singleElement()
                .satisfies(r -> assertThat(r.header("Range")).contains("bytes=" + (content.length - 1) + "-"));
        assertThat(listener.bytes.get()).isEqualTo(1);
    }

    @Test
    void restart_partialFileWithoutResumeEntry_restartsFromZero() throws Exception {
        downloader = newDownloader(Fixtures.settings());
        byte[] content = randomBytes(100_000, 11);
        server.serve("/f", content);
        Path dir = tmp.resolve("d");
        Files.createDirectories(dir);
        Files.write(dir.resolve("f"), randomBytes(50_000, 12));

        DownloadOutcome outcome = downloader.download(chunk(Map.of("f", declared(server.url("/f"), content))), dir,
                new DownloadProgress(), new Cancellation(), DiskSpace.UNLIMITED);

        assertThat(outcome).isInstanceOf(DownloadOutcome.Completed.class);
        assertThat(server.requests("/f")).singleElement().satisfies(r -> assertThat(r.header("Range")).isEmpty());
        assertThat(dir.resolve("f")).hasBinaryContent(content);
    }

    @Test
    void diskSpaceRefused_isRetriedUntilItFits() throws Exception {
        downloader = newDownloader(Fixtures.settings());
        byte[] content = randomBytes(300_000, 13);
        server.serve("/f", content);
        AtomicInteger refusals = new AtomicInteger(2);
        AtomicLong reserved = new AtomicLong();
        DiskSpace space = bytes -> {
            if (refusals.getAndDecrement() > 0) {
                return false;
            }
            reserved.addAndGet(bytes);
            return true;
        };
        DownloadProgress progress = new DownloadProgress();

        DownloadOutcome outcome = downloader.download(chunk(Map.of("f", undeclared(server.url("/f")))),
                tmp.resolve("d"), progress, new Cancellation(), space);

        assertThat(outcome).isInstanceOf(DownloadOutcome.Completed.class);
        assertThat(listener.retries).containsExactly("disk_full", "disk_full");
        assertThat(progress.attempts()).isEqualTo(3);
        assertThat(reserved.get()).isEqualTo(content.length);
    }

    @Test
    void diskSpaceWithoutContentLength_isReservedInStepsAsBytesArrive() throws Exception {
        downloader = newDownloader(Fixtures.settings());
        byte[] content = randomBytes(3 * 1024 * 1024 + 5, 14);
        server.serve("/f", content).chunked();
        AtomicLong reserved = new AtomicLong();
        AtomicInteger calls = new AtomicInteger();
        DiskSpace space = bytes -> {
            calls.incrementAndGet();
            reserved.addAndGet(bytes);
            return true;
        };

        DownloadOutcome outcome = downloader.download(chunk(Map.of("f", undeclared(server.url("/f")))),
                tmp.resolve("d"), new DownloadProgress(), new Cancellation(), space);

        assertThat(outcome).isInstanceOf(DownloadOutcome.Completed.class);
        assertThat(calls.get()).isEqualTo(4);
        assertThat(reserved.get()).isBetween((long) content.length, content.length + Attempt.RESERVE_STEP);
    }

    @Test
    void cancelledBeforeTheCall_returnsCancelledWithoutRequests() throws Exception {
        downloader = newDownloader(Fixtures.settings());
        server.serve("/f", new byte[10]);
        Cancellation cancel = new Cancellation();
        cancel.cancel();

        assertThat(downloader.download(chunk(Map.of("f", undeclared(server.url("/f")))), tmp.resolve("d"),
                new DownloadProgress(), cancel, DiskSpace.UNLIMITED)).isInstanceOf(DownloadOutcome.Cancelled.class);
        assertThat(server.requests()).isEmpty();
        assertThatThrownBy(() -> downloader.download(null, tmp, new DownloadProgress(), cancel, DiskSpace.UNLIMITED))
                .isInstanceOf(NullPointerException.class);
    }

    private ChunkDownloader newDownloader(DownloadSettings settings) {
        return new ChunkDownloader(settings, listener, Clock.systemUTC());
    }

    private Running start(ChunkDescriptor descriptor, String dirName) {
        Running running = new Running();
        Thread.ofVirtual().start(() -> {
            try {
                running.result.complete(downloader.download(descriptor, tmp.resolve(dirName), running.progress,
                        running.cancel, DiskSpace.UNLIMITED));
            } catch (Throwable t) {
                running.result.completeExceptionally(t);
            }
        });
        return running;
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\"", "\\\"") + "\"";
    }

    /** A download running on its own thread. */
    private static final class Running {
        final DownloadProgress progress = new DownloadProgress();
        final Cancellation cancel = new Cancellation();
        final CompletableFuture<DownloadOutcome> result = new CompletableFuture<>();

        /** Cancels and waits for the download to return; how long that took. */
        Duration cancelAndAwait() throws InterruptedException, ExecutionException {
            long started = System.nanoTime();
            cancel.cancel();
            try {
                result.get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("download did not return within 5 s of cancel", e);
            }
            return Duration.ofNanos(System.nanoTime() - started);
        }

        DownloadOutcome outcome() {
            return result.join();
        }
    }
}
