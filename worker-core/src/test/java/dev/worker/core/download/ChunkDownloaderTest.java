package dev.worker.core.download;

import static dev.worker.core.download.Fixtures.chunk;
import static dev.worker.core.download.Fixtures.declared;
import static dev.worker.core.download.Fixtures.randomBytes;
import static dev.worker.core.download.Fixtures.sha256;
import static dev.worker.core.download.Fixtures.undeclared;
import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.FileDigest;
import dev.worker.core.FileSource;
import dev.worker.testkit.Await;
import dev.worker.testkit.FileServer;
import dev.worker.testkit.FileServer.Corrupt;
import dev.worker.testkit.FileServer.IgnoreRange;
import dev.worker.testkit.FileServer.Request;
import dev.worker.testkit.FileServer.ResetAfter;
import dev.worker.testkit.FileServer.StallAfter;
import dev.worker.testkit.FileServer.StallBeforeHeaders;
import dev.worker.testkit.FileServer.Status;
import dev.worker.testkit.FileServer.TruncateAfter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Downloads against a real HTTP server: integrity checks, and recovery from faults at exact byte positions. */
@Timeout(20)
final class ChunkDownloaderTest {
    private static final int SIZE = 2 * 1024 * 1024 + 17;

    @TempDir
    Path tmp;
    private FileServer server;
    private final Fixtures.RecordingListener listener = new Fixtures.RecordingListener();
    private final ForceRecordingOpener opener = new ForceRecordingOpener();
    private final DownloadProgress progress = new DownloadProgress();
    private ChunkDownloader downloader;
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        server = FileServer.start();
        downloader = new ChunkDownloader(Fixtures.settings(4, 0, Duration.ofMillis(400)), listener,
                Clock.systemUTC(), opener);
        dir = tmp.resolve("tmp").resolve("chunk.1");
    }

    @AfterEach
    void tearDown() throws IOException {
        downloader.close();
        server.close();
    }

    @Test
    void download_severalFiles_writesVerifiedFsyncedFilesAndReportsTheirDigests() throws Exception {
        byte[] big = randomBytes(SIZE, 1);
        byte[] small = randomBytes(1000, 2);
        byte[] unsized = randomBytes(300_000, 3);
        server.serve("/big", big);
        server.serve("/small", small);
        server.serve("/unsized", unsized).chunked();
        server.serve("/empty", new byte[0]);
        ChunkDescriptor descriptor = chunk(Map.of(
                "big.parquet", declared(server.url("/big"), big),
                "small.parquet", declared(server.url("/small"), small),
                "unsized.parquet", undeclared(server.url("/unsized")),
                "empty.parquet", declared(server.url("/empty"), new byte[0])));

        DownloadOutcome outcome = download(descriptor);

        assertThat(outcome).isEqualTo(new DownloadOutcome.Completed(Map.of(
                "big.parquet", new FileDigest(big.length, sha256(big)),
                "small.parquet", new FileDigest(small.length, sha256(small)),
                "unsized.parquet", new FileDigest(unsized.length, sha256(unsized)),
                "empty.parquet", new FileDigest(0, sha256(new byte[0])))));
        assertThat(dir.resolve("big.parquet")).hasBinaryContent(big);
        assertThat(dir.resolve("small.parquet")).hasBinaryContent(small);
        assertThat(dir.resolve("unsized.parquet")).hasBinaryContent(unsized);
        assertThat(dir.resolve("empty.parquet")).hasBinaryContent(new byte[0]);
        assertThat(opener.forcedSize(dir.resolve("big.parquet"))).isEqualTo(big.length);
        assertThat(opener.forcedSize(dir.resolve("small.parquet"))).isEqualTo(small.length);
        assertThat(opener.forcedSize(dir.resolve("unsized.parquet"))).isEqualTo(unsized.length);
        assertThat(opener.forcedSize(dir.resolve("empty.parquet"))).isZero();
        long total = big.length + small.length + unsized.length;
        assertThat(progress.bytesDone()).isEqualTo(total);
        assertThat(progress.bytesTotal()).isEqualTo(big.length + small.length);
        assertThat(progress.attempts()).isEqualTo(1);
        assertThat(progress.transferring()).isTrue();
        assertThat(progress.lastError()).isEmpty();
        assertThat(listener.bytes.get()).isEqualTo(total);
        assertThat(listener.retries).isEmpty();
        assertThat(listener.finished).containsExactly("ok", "ok", "ok", "ok");
        assertThat(server.requests()).allSatisfy(r -> assertThat(r.header("Upgrade")).isEmpty());
        assertThat(ChunkDownloader.resumeFileFor(dir)).doesNotExist();
    }

    @Test
    void download_fsyncHoldsNoTransferPermit_soTheNextFileTransfersWhileOneIsFlushed() throws Exception {
        byte[] a = randomBytes(300_000, 21);
        byte[] b = randomBytes(200_000, 22);
        server.serve("/a", a);
        server.serve("/b", b);
        // Each fsync waits until both bodies have arrived: with a single permit that is only possible when the
        // file being flushed has already given its permit to the other one.
        opener.gateForces(() -> listener.bytes.get() >= a.length + b.length, Duration.ofSeconds(5));
        try (ChunkDownloader oneSlot = new ChunkDownloader(Fixtures.settings(1, 0, Duration.ofSeconds(5)), listener,
                Clock.systemUTC(), opener)) {
            DownloadOutcome outcome = oneSlot.download(chunk(Map.of("a", declared(server.url("/a"), a),
                    "b", declared(server.url("/b"), b))), dir, progress, new Cancellation(), DiskSpace.UNLIMITED);

            assertCompleted(outcome, "a", a);
            assertCompleted(outcome, "b", b);
        }
        assertThat(opener.forceGateTimeouts()).isZero();
        assertThat(opener.forcedSize(dir.resolve("a"))).isEqualTo(a.length);
        assertThat(opener.forcedSize(dir.resolve("b"))).isEqualTo(b.length);
    }

    @Test
    void download_connectionResetMidBody_resumesWithRangeAndIfRange() throws Exception {
        byte[] content = randomBytes(SIZE, 4);
        FileServer.ServedFile file = server.serve("/f", content)
                .then(new ResetAfter(700_000, () -> listener.bytes.get() >= 700_000));

        DownloadOutcome outcome = download(chunk(Map.of("f", declared(server.url("/f"), content))));

        assertCompleted(outcome, "f", content);
        List<Request> requests = server.requests("/f");
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).header("Range")).isEmpty();
        assertThat(rangeStart(requests.get(1))).isEqualTo(700_000);
        assertThat(requests.get(1).header("If-Range")).contains(file.etagValue());
        assertThat(listener.bytes.get()).isEqualTo(content.length);
        assertThat(listener.retries).hasSize(1).first().isIn("connection", "truncated");
        assertThat(progress.attempts()).isEqualTo(2);
        assertThat(progress.lastError()).get().asString().contains("/f", "after");
    }

    @Test
    void download_bodyShorterThanContentLength_isRetriedAsTruncatedAndResumed() throws Exception {
        byte[] content = randomBytes(SIZE, 5);
        server.serve("/f", content).then(new TruncateAfter(300_000));

        DownloadOutcome outcome = download(chunk(Map.of("f", declared(server.url("/f"), content))));

        assertCompleted(outcome, "f", content);
        assertThat(listener.retries).containsExactly("truncated");
        assertThat(rangeStart(server.requests("/f").get(1))).isEqualTo(300_000);
        assertThat(listener.bytes.get()).isEqualTo(content.length);
    }

    @Test
    void download_serverIgnoresRange_restartsTheFileFromTheFullBody() throws Exception {
        byte[] content = randomBytes(SIZE, 6);
        server.serve("/f", content).then(new TruncateAfter(300_000), new IgnoreRange());

        DownloadOutcome outcome = download(chunk(Map.of("f", declared(server.url("/f"), content))));

        assertCompleted(outcome, "f", content);
        assertThat(server.requests("/f").get(1).header("Range")).contains("bytes=300000-");
        assertThat(listener.bytes.get()).isEqualTo(300_000 + content.length);
        assertThat(progress.bytesDone()).isEqualTo(content.length);
    }

    @Test
    void download_validatorNoLongerMatches_takesTheWholeNewFile() throws Exception {
        byte[] fresh = randomBytes(SIZE, 8);
        String url = server.serve("/f", fresh).url();
        Files.createDirectories(dir);
        Files.write(dir.resolve("f"), randomBytes(5000, 7));
        Files.writeString(ChunkDownloader.resumeFileFor(dir),
                "{\"f\": {\"url\": \"" + url + "\", \"etag\": \"\\\"stale\\\"\"}}");

        DownloadOutcome outcome = download(chunk(Map.of("f", undeclared(url))));

        assertCompleted(outcome, "f", fresh);
        Request request = server.requests("/f").get(0);
        assertThat(request.header("Range")).contains("bytes=4999-");
        assertThat(request.header("If-Range")).contains("\"stale\"");
        assertThat(listener.bytes.get()).isEqualTo(fresh.length);
        assertThat(dir.resolve("f")).hasBinaryContent(fresh);
    }

    @Test
    void download_rangeNotSatisfiable_dropsThePartialFileAndRestartsFromZero() throws Exception {
        byte[] content = randomBytes(SIZE, 9);
        server.serve("/f", content).then(new TruncateAfter(300_000),
                new Status(416, Map.of("Content-Range", "bytes */" + content.length)));

        DownloadOutcome outcome = download(chunk(Map.of("f", declared(server.url("/f"), content))));

        assertCompleted(outcome, "f", content);
        assertThat(listener.retries).containsExactly("truncated", "range_not_satisfiable");
        List<Request> requests = server.requests("/f");
        assertThat(requests).hasSize(3);
        assertThat(requests.get(1).header("Range")).contains("bytes=300000-");
        assertThat(requests.get(2).header("Range")).isEmpty();
    }

    @Test
    void download_withoutValidator_restartsFromZeroInsteadOfResuming() throws Exception {
        byte[] content = randomBytes(SIZE, 10);
        server.serve("/f", content).etag(null).lastModified(null).then(new ResetAfter(500_000));

        DownloadOutcome outcome = download(chunk(Map.of("f", declared(server.url("/f"), content))));

        assertCompleted(outcome, "f", content);
        assertThat(server.requests("/f")).hasSize(2).allSatisfy(r -> assertThat(r.header("Range")).isEmpty());
    }

    @Test
    void download_lastModifiedOnly_resumesWithItAsValidator() throws Exception {
        byte[] content = randomBytes(SIZE, 11);
        server.serve("/f", content).etag(null).then(new TruncateAfter(300_000));

        DownloadOutcome outcome = download(chunk(Map.of("f", declared(server.url("/f"), content))));

        assertCompleted(outcome, "f", content);
        assertThat(server.requests("/f").get(1).header("If-Range")).contains("Wed, 21 Oct 2015 07:28:00 GMT");
    }

    @Test
    void download_lastModifiedOnlyWithoutDeclaredSha_restartsRatherThanSplicingTwoVersions() throws Exception {
        byte[] first = randomBytes(SIZE, 31);
        byte[] second = randomBytes(SIZE, 32);
        FileServer.ServedFile file = server.serve("/f", first).etag(null);
        // The store rewrites the file between the attempts within the same second: Last-Modified does not change.
        file.then(new TruncateAfter(300_000), new FileServer.After(() -> {
            file.content(second).etag(null);
            return true;
        }, null));

        DownloadOutcome outcome = download(chunk(Map.of("f", undeclared(file.url()))));

        assertThat(outcome).isInstanceOf(DownloadOutcome.Completed.class);
        assertThat(dir.resolve("f")).hasBinaryContent(second);
        assertThat(server.requests("/f")).hasSize(2).allSatisfy(r -> assertThat(r.header("Range")).isEmpty());
    }

    @Test
    void download_lastModifiedOnlyFromEarlierRunWithoutDeclaredSha_restartsFromZero() throws Exception {
        byte[] content = randomBytes(SIZE, 33);
        FileServer.ServedFile file = server.serve("/f", content).etag(null);
        Files.createDirectories(dir);
        Files.write(dir.resolve("f"), randomBytes(5000, 34));
        Files.writeString(ChunkDownloader.resumeFileFor(dir),
                "{\"f\": {\"url\": \"" + file.url() + "\", \"last_modified\": \"Wed, 21 Oct 2015 07:28:00 GMT\"}}");

        DownloadOutcome outcome = download(chunk(Map.of("f", undeclared(file.url()))));

        assertThat(outcome).isInstanceOf(DownloadOutcome.Completed.class);
        assertThat(dir.resolve("f")).hasBinaryContent(content);
        assertThat(server.requests("/f").get(0).header("Range")).isEmpty();
    }

    @Test
    void download_checksumMismatchOnce_downloadsTheFileAgainCleanly() throws Exception {
        byte[] content = randomBytes(SIZE, 12);
        server.serve("/f", content).then(new Corrupt());

        DownloadOutcome outcome = download(chunk(Map.of("f", declared(server.url("/f"), content))));

        assertCompleted(outcome, "f", content);
        assertThat(listener.retries).containsExactly("checksum");
        assertThat(server.requests("/f")).hasSize(2);
        assertThat(server.requests("/f").get(1).header("Range")).isEmpty();
        assertThat(progress.attempts()).isEqualTo(2);
    }

    @Test
    void download_checksumMismatchAgainAfterCleanRedownload_failsPermanently() throws Exception {
        byte[] content = randomBytes(SIZE, 13);
        server.serve("/f", content).always(new Corrupt());

        DownloadOutcome outcome = download(chunk(Map.of("f", declared(server.url("/f"), content))));

        assertThat(outcome).isInstanceOfSatisfying(DownloadOutcome.Failed.class, failed -> {
            assertThat(failed.file()).isEqualTo("f");
            assertThat(failed.reason()).isEqualTo("checksum_mismatch");
            assertThat(failed.message()).contains(server.url("/f"), sha256(content).toHex());
        });
        assertThat(server.requests("/f")).hasSize(2);
        assertThat(listener.retries).containsExactly("checksum");
        assertThat(listener.finished).containsExactly("failed");
    }

    @Test
    void download_declaredSizeDiffersFromStore_failsPermanentlyWithoutRetry() throws Exception {
        byte[] content = randomBytes(10_000, 14);
        server.serve("/f", content);
        FileSource wrong = FileSource.of(server.url("/f"), content.length + 1, sha256(content));

        DownloadOutcome outcome = download(chunk(Map.of("f", wrong)));

        assertThat(outcome).isInstanceOfSatisfying(DownloadOutcome.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo("size_mismatch");
            assertThat(failed.message()).contains(server.url("/f"), "10001", "10000");
        });
        assertThat(server.requests("/f")).hasSize(1);
        assertThat(listener.retries).isEmpty();
    }

    @Test
    void download_chunkedBodyLongerThanDeclared_failsSizeMismatch() throws Exception {
        byte[] content = randomBytes(100_000, 15);
        server.serve("/f", content).chunked();
        FileSource tooSmall = new FileSource(server.url("/f"), OptionalLong.of(50_000), java.util.Optional.empty());

        DownloadOutcome outcome = download(chunk(Map.of("f", tooSmall)));

        assertThat(outcome).isInstanceOfSatisfying(DownloadOutcome.Failed.class,
                failed -> assertThat(failed.reason()).isEqualTo("size_mismatch"));
        assertThat(Files.size(dir.resolve("f"))).isLessThanOrEqualTo(50_000);
    }

    @Test
    void download_permanentFailureOfOneFile_cancelsItsSiblings() throws Exception {
        byte[] content = randomBytes(SIZE, 16);
        server.serve("/slow", content).always(new StallBeforeHeaders());
        // The failure comes once the sibling's request is at the server, so there is a connection to see closed.
        server.serve("/gone", content).always(new FileServer.After(() -> server.inFlight() >= 2,
                new Status(410, Map.of())));

        DownloadOutcome outcome = download(chunk(Map.of(
                "slow", declared(server.url("/slow"), content),
                "gone", declared(server.url("/gone"), content))));

        assertThat(outcome).isInstanceOfSatisfying(DownloadOutcome.Failed.class, failed -> {
            assertThat(failed.file()).isEqualTo("gone");
            assertThat(failed.reason()).isEqualTo("http_410");
        });
        assertThat(listener.finished).containsExactlyInAnyOrder("failed", "cancelled");
        assertThat(Await.poll(() -> server.clientClosures() >= 1, Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void download_stallMidBody_abortsAfterStallTimeoutAndResumes() throws Exception {
        byte[] content = randomBytes(SIZE, 17);
        server.serve("/f", content).then(new StallAfter(200_000));
        long started = System.nanoTime();

        DownloadOutcome outcome = download(chunk(Map.of("f", declared(server.url("/f"), content))));

        assertCompleted(outcome, "f", content);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(listener.retries).containsExactly("stall");
        assertThat(rangeStart(server.requests("/f").get(1))).isEqualTo(200_000);
        assertThat(Await.poll(() -> server.clientClosures() >= 1, Duration.ofSeconds(2))).isTrue();
    }

    @Test
    void download_noResponseHeaders_abortsAfterStallTimeoutAndRetries() throws Exception {
        byte[] content = randomBytes(100_000, 18);
        server.serve("/f", content).then(new StallBeforeHeaders());

        DownloadOutcome outcome = download(chunk(Map.of("f", declared(server.url("/f"), content))));

        assertCompleted(outcome, "f", content);
        assertThat(listener.retries).containsExactly("stall");
        assertThat(progress.lastError()).get().asString().contains("stall", server.url("/f"));
        assertThat(Await.poll(() -> server.clientClosures() >= 1, Duration.ofSeconds(2))).isTrue();
    }

    @Test
    void download_diskFullWhileWriting_keepsThePartialFileAndResumesLater() throws Exception {
        byte[] content = randomBytes(SIZE, 19);
        server.serve("/f", content);
        opener.diskFullAt(1024 * 1024, 1);

        DownloadOutcome outcome = download(chunk(Map.of("f", declared(server.url("/f"), content))));

        assertCompleted(outcome, "f", content);
        assertThat(listener.retries).containsExactly("disk_full");
        // Normally the second 1 MiB write fails; a write after an idle pause may have cut the file shorter.
        assertThat(rangeStart(server.requests("/f").get(1))).isBetween(1L, 1024L * 1024);
        assertThat(progress.lastError()).get().asString().contains("No space left on device", "f");
    }

    private DownloadOutcome download(ChunkDescriptor descriptor) throws InterruptedException {
        return downloader.download(descriptor, dir, progress, new Cancellation(), DiskSpace.UNLIMITED);
    }

    private static void assertCompleted(DownloadOutcome outcome, String name, byte[] content) {
        assertThat(outcome).isInstanceOfSatisfying(DownloadOutcome.Completed.class, completed ->
                assertThat(completed.files()).containsEntry(name, new FileDigest(content.length, sha256(content))));
    }

    private static long rangeStart(Request request) {
        String range = request.header("Range").orElseThrow(() -> new AssertionError("no Range header: " + request));
        assertThat(range).matches("bytes=\\d+-");
        return Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
    }
}
