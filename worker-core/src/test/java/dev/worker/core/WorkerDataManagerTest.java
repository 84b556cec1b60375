package dev.worker.core;

import static dev.worker.core.ManagerFixture.await;
import static dev.worker.core.ManagerFixture.awaitState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.store.DataDirectoryLockedException;
import dev.worker.testkit.FileServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manager end to end: real HTTP on loopback, real files, every rule of the desired-state contract. */
final class WorkerDataManagerTest {
    @TempDir
    Path dataDir;

    private ManagerFixture fx;
    private WorkerDataManager manager;

    @BeforeEach
    void setUp() throws IOException {
        fx = new ManagerFixture(dataDir);
        manager = fx.open();
    }

    @AfterEach
    void tearDown() throws IOException {
        if (manager != null) {
            assertThat(manager.stats().refsActive()).as("every test closes its refs").isZero();
            manager.close();
        }
        fx.close();
    }

    private void reopen() throws IOException {
        manager.close();
        manager = fx.open();
    }

    @Test
    void anUnreadableJournalFailsTheOpenWithItsReasonAndLeavesTheDirectoryUnlocked() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 1_000);
        manager.download(a).get(5, TimeUnit.SECONDS);
        awaitState(manager, a.id(), ChunkState.READY);
        manager.close();
        manager = null;
        Path journal = dataDir.resolve("intents.log");
        Files.write(journal, "this is not a journal".getBytes());

        // The journal is read while the chunks are scanned; its failure is the open's failure.
        assertThatThrownBy(fx::open).isInstanceOf(IOException.class).hasMessageContaining("not an intent journal");

        Files.delete(journal);
        manager = fx.open();
        assertThat(manager.status(a.id())).map(ChunkStatus::state).contains(ChunkState.READY);
    }

    @Test
    void downloadedChunkBecomesReadyFindableAndHasTheRightBytes() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 1000, 2000, 3, 100_000);

        manager.download(a).get(5, TimeUnit.SECONDS);
        awaitState(manager, a.id(), ChunkState.READY);

        assertThat(manager.list()).extracting(ChunkStatus::id).containsExactly(a.id());
        ChunkStatus status = manager.status(a.id()).orElseThrow();
        assertThat(status.bytesDone()).isEqualTo(300_000);
        assertThat(status.bytesTotal()).isEqualTo(300_000);
        assertThat(status.path()).contains(dataDir.resolve("chunks").resolve(a.id().toString()));
        try (ChunkRef ref = manager.find(a.datasetId(), 1500).orElseThrow()) {
            assertThat(ref.id()).isEqualTo(a.id());
            fx.assertContent(ref);
            assertThat(manager.status(a.id()).orElseThrow().refs()).isEqualTo(1);
        }
        assertThat(manager.find(a.datasetId(), 2000)).isEmpty();
        assertThat(manager.find(TestChunks.datasetId("other"), 1500)).isEmpty();
        assertThat(fx.list("tmp")).isEmpty();
        assertThat(Files.exists(dataDir.resolve("chunks").resolve(a.id().toString()).resolve("chunk.json"))).isTrue();
    }

    @Test
    void deleteDuringDownloadClosesTheConnectionAndRemovesTempData() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 1_000_000);
        fx.file("a", 0).always(new FileServer.StallAfter(100_000));
        manager.download(a);
        await("transfer started", () -> fx.server.bodyBytesSent() >= 100_000);

        manager.delete(a.id()).get(5, TimeUnit.SECONDS);

        await("server saw the connection closed", () -> fx.server.clientClosures() >= 1);
        awaitState(manager, a.id(), ChunkState.ABSENT);
        await("temp data removed", () -> fx.list("tmp").isEmpty());
        assertThat(fx.list("chunks")).isEmpty();
    }

    /**
     * Reopens the manager with one transfer slot and fills it with chunk "a", whose transfer stalls (with a stall
     * timeout long enough that it never gives the slot back by itself); returns "a".
     */
    private ChunkDescriptor holdTheOnlyTransferSlot() throws Exception {
        manager.close();
        manager = WorkerDataManager.open(fx.config().maxConcurrentTransfers(1).stallTimeout(Duration.ofSeconds(60))
                .build());
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 1_000_000);
        fx.file("a", 0).always(new FileServer.StallAfter(100_000));
        manager.download(a);
        await("a holds the only slot", () -> fx.server.bodyBytesSent() >= 100_000);
        return a;
    }

    /** A temp entry of {@code chunk}: its download directory or its resume file. */
    private static Predicate<Path> ofChunk(ChunkDescriptor chunk) {
        return path -> path.getFileName().toString().startsWith(chunk.id().toString());
    }

    @Test
    void whileEveryTransferSlotIsBusyAQueuedChunkCreatesNothingAndItsDeleteLeavesNoTrace() throws Exception {
        ChunkDescriptor a = holdTheOnlyTransferSlot();
        ChunkDescriptor b = fx.chunk("b", "d", 10, 20, 1, 1_000);
        ChunkDescriptor c = fx.chunk("c", "d", 20, 30, 1, 1_000);
        manager.download(b).get(5, TimeUnit.SECONDS);
        manager.download(c).get(5, TimeUnit.SECONDS);
        // Absence can only be watched for a while: a task that prepares its download at once creates its directory
        // within milliseconds of the call.
        Thread.sleep(300);
        assertThat(manager.status(b.id())).map(ChunkStatus::state).contains(ChunkState.QUEUED);
        assertThat(fx.list("tmp")).as("only a's download directory (and its resume file)")
                .isNotEmpty().allMatch(ofChunk(a));

        manager.delete(b.id()).get(5, TimeUnit.SECONDS);
        awaitState(manager, b.id(), ChunkState.ABSENT);
        assertThat(fx.list("tmp")).allMatch(ofChunk(a));

        manager.delete(a.id()).get(5, TimeUnit.SECONDS);
        awaitState(manager, c.id(), ChunkState.READY);
        assertThat(fx.server.requests()).noneMatch(r -> r.path().startsWith("/b/"));
        awaitState(manager, a.id(), ChunkState.ABSENT);
    }

    @Test
    void aChunkQueuedBehindBusySlotsHasNoTaskSoItsDeleteForgetsItAtOnceAndTheRestStartAsSlotsFree()
            throws Exception {
        ChunkDescriptor a = holdTheOnlyTransferSlot();
        List<ChunkDescriptor> queued = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ChunkDescriptor c = fx.chunk("q" + i, "d", 10 + 10L * i, 20 + 10L * i, 1, 1_000);
            manager.download(c).get(5, TimeUnit.SECONDS);
            queued.add(c);
        }
        // Nothing runs for a queued chunk, so nothing needs waking: the delete has forgotten it when it returns.
        for (int i = 0; i < queued.size(); i += 2) {
            manager.delete(queued.get(i).id()).get(5, TimeUnit.SECONDS);
            assertThat(manager.status(queued.get(i).id())).as("q%d deleted while queued", i).isEmpty();
        }
        // Wanted again while its first turn is still in the queue: it must still download exactly once.
        manager.download(queued.getFirst()).get(5, TimeUnit.SECONDS);

        manager.delete(a.id()).get(5, TimeUnit.SECONDS); // frees the only slot: the queue drains one by one

        awaitState(manager, queued.getFirst().id(), ChunkState.READY);
        for (int i = 1; i < queued.size(); i += 2) {
            awaitState(manager, queued.get(i).id(), ChunkState.READY);
        }
        assertThat(fx.server.requests("/q0/f0")).hasSize(1);
        for (int i = 2; i < queued.size(); i += 2) {
            assertThat(fx.server.requests("/q" + i + "/f0")).as("q%d, deleted while queued", i).isEmpty();
        }
        assertThat(fx.list("tmp")).allMatch(ofChunk(a));
    }

    @Test
    void aChunkWantedAndDeletedOverAndOverBehindBusySlotsIsQueuedOnceAndDownloadsOnce() throws Exception {
        ChunkDescriptor a = holdTheOnlyTransferSlot();
        ChunkDescriptor b = fx.chunk("b", "d", 10, 20, 1, 1_000);
        for (int i = 0; i < 1_000; i++) {
            manager.download(b);
            manager.delete(b.id());
        }
        manager.download(b).get(5, TimeUnit.SECONDS);
        assertThat(manager.queuedForSlot()).as("ids waiting for a slot").isEqualTo(1);

        manager.delete(a.id()).get(5, TimeUnit.SECONDS);

        awaitState(manager, b.id(), ChunkState.READY);
        assertThat(fx.server.requests("/b/f0")).hasSize(1);
        await("queue emptied", () -> manager.queuedForSlot() == 0);
    }

    @Test
    void closeEndsTheWaitOfAChunkQueuedForATransferSlotAndTheNextStartStillWantsIt() throws Exception {
        ChunkDescriptor a = holdTheOnlyTransferSlot();
        ChunkDescriptor b = fx.chunk("b", "d", 10, 20, 1, 1_000);
        manager.download(b).get(5, TimeUnit.SECONDS);

        long started = System.nanoTime();
        manager.close();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(fx.list("tmp")).allMatch(ofChunk(a));

        fx.file("a", 0).always(null);
        manager = fx.open();
        awaitState(manager, b.id(), ChunkState.READY);
        awaitState(manager, a.id(), ChunkState.READY);
    }

    @Test
    void downloadOfARemovingChunkWithAnOpenRefRevivesItWithoutASecondRequest() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 10_000);
        manager.download(a);
        awaitState(manager, a.id(), ChunkState.READY);
        ChunkRef ref = manager.acquire(a.id()).orElseThrow();

        manager.delete(a.id());
        assertThat(manager.status(a.id()).orElseThrow().state()).isEqualTo(ChunkState.REMOVING);
        assertThat(manager.find(a.datasetId(), 5)).isEmpty();
        manager.download(a);

        assertThat(manager.status(a.id()).orElseThrow().state()).isEqualTo(ChunkState.READY);
        Path dir = ref.path();
        ref.close();
        try (ChunkRef again = manager.find(a.datasetId(), 5).orElseThrow()) {
            assertThat(again.path()).isEqualTo(dir);
            fx.assertContent(again);
        }
        assertThat(fx.server.requests("/a/f0")).hasSize(1);
    }

    @Test
    void aDeletedChunkStaysOnDiskWhileARefIsOpenAndLeavesWhenItCloses() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 2, 10_000);
        manager.download(a);
        awaitState(manager, a.id(), ChunkState.READY);
        ChunkRef ref = manager.find(a.datasetId(), 0).orElseThrow();
        Path dir = ref.path();

        manager.delete(a.id()).get(5, TimeUnit.SECONDS);

        assertThat(manager.find(a.datasetId(), 0)).isEmpty();
        assertThat(manager.list()).isEmpty();
        assertThat(dir).isDirectory();
        fx.assertContent(ref);
        assertThat(manager.stats().pendingDeleteBytes()).isEqualTo(20_000);

        ref.close();

        await("directory removed after the last ref closed", () -> !Files.exists(dir));
        awaitState(manager, a.id(), ChunkState.ABSENT);
        await("trash emptied", () -> fx.list("trash").isEmpty());
        await("disk accounting released", () -> manager.stats().diskUsedBytes() == 0);
    }

    @Test
    void aDroppedRefIsReleasedByTheLeakDetector() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 1_000);
        manager.download(a);
        awaitState(manager, a.id(), ChunkState.READY);
        Path dir = takeAndDropRef(a);
        manager.delete(a.id());

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (Files.exists(dir) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10); // waiting on the garbage collector: there is no condition to await
        }

        assertThat(dir).doesNotExist();
        assertThat(manager.stats().refsLeaked()).isEqualTo(1);
    }

    private Path takeAndDropRef(ChunkDescriptor a) {
        return manager.find(a.datasetId(), 1).orElseThrow().path();
    }

    @Test
    void transientServerErrorsAreRetriedUntilTheChunkIsReady() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 50_000);
        fx.file("a", 0).then(new FileServer.Status(503, java.util.Map.of()),
                new FileServer.Status(500, java.util.Map.of()));

        manager.download(a);
        awaitState(manager, a.id(), ChunkState.READY);

        assertThat(fx.server.requests("/a/f0")).hasSize(3);
        assertThat(manager.stats().retries()).containsEntry("http_5xx", 2L);
    }

    @Test
    void aResetMidBodyIsResumedWithARangeRequest() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 500_000);
        fx.file("a", 0).then(new FileServer.TruncateAfter(200_000));

        manager.download(a);
        awaitState(manager, a.id(), ChunkState.READY);

        List<FileServer.Request> requests = fx.server.requests("/a/f0");
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).header("range")).contains("bytes=200000-");
        assertThat(requests.get(1).header("if-range")).isPresent();
        try (ChunkRef ref = manager.acquire(a.id()).orElseThrow()) {
            fx.assertContent(ref);
        }
    }

    @Test
    void aChecksumMismatchOnACleanRedownloadFailsAndANewRequestRetries() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 10_000);
        fx.file("a", 0).always(new FileServer.Corrupt());

        manager.download(a);
        awaitState(manager, a.id(), ChunkState.FAILED);

        ChunkStatus failed = manager.status(a.id()).orElseThrow();
        assertThat(failed.lastError()).hasValueSatisfying(e -> assertThat(e).containsIgnoringCase("sha"));
        assertThat(fx.list("tmp")).isEmpty();
        assertThat(manager.find(a.datasetId(), 1)).isEmpty();

        fx.file("a", 0); // serves the right bytes from now on
        manager.download(a);
        awaitState(manager, a.id(), ChunkState.READY);
    }

    @Test
    void notFoundIsPermanentAndReRequestingAfterTheFixSucceeds() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 2, 1_000);
        fx.file("a", 1).always(new FileServer.Status(404, java.util.Map.of()));

        manager.download(a);
        awaitState(manager, a.id(), ChunkState.FAILED);
        assertThat(manager.status(a.id()).orElseThrow().lastError()).hasValueSatisfying(
                e -> assertThat(e).contains("404").contains("/a/f1"));
        assertThat(fx.server.requests("/a/f1")).hasSize(1);

        fx.file("a", 1);
        manager.download(a);
        awaitState(manager, a.id(), ChunkState.READY);
    }

    @Test
    void aConflictingDescriptorIsRejected() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 1_000);
        manager.download(a);
        ChunkDescriptor other = ChunkDescriptor.of(a.id(), a.datasetId(), new BlockRange(0, 20), a.files());

        assertThatThrownBy(() -> manager.download(other)).isInstanceOf(ConflictingDescriptorException.class);
        assertThatThrownBy(() -> manager.assign(List.of(other))).isInstanceOf(ConflictingDescriptorException.class);
        awaitState(manager, a.id(), ChunkState.READY);
        assertThat(manager.status(a.id()).orElseThrow().descriptor()).isEqualTo(a);
    }

    @Test
    void overlappingRangesResolveToTheNewestReadyChunk() throws Exception {
        ChunkDescriptor old = fx.chunk("old", "d", 0, 100, 1, 1_000);
        manager.download(old);
        awaitState(manager, old.id(), ChunkState.READY);
        ChunkDescriptor newer = fx.chunk("newer", "d", 50, 150, 1, 1_000);
        manager.download(newer);
        awaitState(manager, newer.id(), ChunkState.READY);

        try (ChunkRef at10 = manager.find(old.datasetId(), 10).orElseThrow();
                ChunkRef at60 = manager.find(old.datasetId(), 60).orElseThrow()) {
            assertThat(at10.id()).isEqualTo(old.id());
            assertThat(at60.id()).isEqualTo(newer.id());
        }
        manager.delete(newer.id());
        try (ChunkRef at60 = manager.find(old.datasetId(), 60).orElseThrow()) {
            assertThat(at60.id()).isEqualTo(old.id());
        }
    }

    @Test
    void assignReplacesTheDesiredSet() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 1_000);
        ChunkDescriptor b = fx.chunk("b", "d", 10, 20, 1, 1_000);
        ChunkDescriptor c = fx.chunk("c", "d", 20, 30, 1, 1_000);
        manager.assign(List.of(a, b)).get(5, TimeUnit.SECONDS);
        awaitState(manager, a.id(), ChunkState.READY);
        awaitState(manager, b.id(), ChunkState.READY);

        AssignmentResult result = manager.assign(List.of(b, c)).get(5, TimeUnit.SECONDS);

        assertThat(result).isEqualTo(new AssignmentResult(1, 1, 1));
        awaitState(manager, a.id(), ChunkState.ABSENT);
        awaitState(manager, c.id(), ChunkState.READY);
        assertThat(manager.list()).extracting(ChunkStatus::id).containsExactlyInAnyOrder(b.id(), c.id());
    }

    @Test
    void listenersSeeEachChunksStatesInOrder() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        manager.addListener((id, from, to) -> seen.add(from.wireName() + ">" + to.wireName()));
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 1_000);

        manager.download(a);
        awaitState(manager, a.id(), ChunkState.READY);
        manager.delete(a.id());
        await("forgotten event", () -> seen.contains("removing>absent"));

        assertThat(seen).containsExactly("absent>queued", "queued>downloading", "downloading>ready",
                "ready>removing", "removing>absent");
    }

    @Test
    void aChunkThatDoesNotFitTheDiskBudgetWaitsForDeletions() throws Exception {
        manager.close();
        manager = WorkerDataManager.open(fx.config().maxDiskBytes(15_000).build());
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 10_000);
        ChunkDescriptor b = fx.chunk("b", "d", 10, 20, 1, 10_000);
        manager.download(a);
        awaitState(manager, a.id(), ChunkState.READY);

        manager.download(b);
        await("b waits for the budget", () -> manager.status(b.id()).orElseThrow().lastError()
                .filter(e -> e.contains("disk budget")).isPresent());
        assertThat(manager.status(b.id()).orElseThrow().state()).isEqualTo(ChunkState.QUEUED);
        assertThat(fx.server.requests("/b/f0")).isEmpty();

        manager.delete(a.id());
        awaitState(manager, b.id(), ChunkState.READY);
    }

    @Test
    void aChunkLargerThanTheWholeBudgetFails() throws Exception {
        manager.close();
        manager = WorkerDataManager.open(fx.config().maxDiskBytes(5_000).build());
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 10_000);

        manager.download(a);

        awaitState(manager, a.id(), ChunkState.FAILED);
        assertThat(manager.status(a.id()).orElseThrow().lastError()).hasValueSatisfying(
                e -> assertThat(e).contains("--max-disk"));
    }

    @Test
    void readyChunksAreThereAgainAfterARestartWithoutDownloading() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 2, 5_000);
        manager.download(a);
        awaitState(manager, a.id(), ChunkState.READY);
        int requests = fx.server.requests().size();

        reopen();

        assertThat(manager.status(a.id()).map(ChunkStatus::state)).contains(ChunkState.READY);
        try (ChunkRef ref = manager.find(a.datasetId(), 3).orElseThrow()) {
            fx.assertContent(ref);
        }
        assertThat(fx.server.requests()).hasSize(requests);
    }

    @Test
    void aPendingDownloadIsResumedAfterARestart() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 400_000);
        fx.file("a", 0).then(new FileServer.StallAfter(150_000));
        manager.download(a).get(5, TimeUnit.SECONDS);
        await("partial data on disk", () -> manager.status(a.id()).orElseThrow().bytesDone() >= 150_000);

        reopen();

        awaitState(manager, a.id(), ChunkState.READY);
        List<FileServer.Request> requests = fx.server.requests("/a/f0");
        assertThat(requests.getLast().header("range")).as("resumed, not restarted").contains("bytes=150000-");
        try (ChunkRef ref = manager.acquire(a.id()).orElseThrow()) {
            fx.assertContent(ref);
        }
    }

    @Test
    void aJournaledDeleteIsCarriedOutAfterARestart() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 1_000);
        manager.download(a);
        awaitState(manager, a.id(), ChunkState.READY);
        ChunkRef held = manager.acquire(a.id()).orElseThrow();
        manager.delete(a.id()).get(5, TimeUnit.SECONDS);
        manager.close(); // the ref keeps the directory: the removal is still pending
        held.close();
        assertThat(fx.list("chunks")).hasSize(1);

        manager = fx.open();

        awaitState(manager, a.id(), ChunkState.ABSENT);
        await("chunk left the disk", () -> fx.list("chunks").isEmpty());
    }

    @Test
    void aCorruptChunkDirectoryIsTrashedAtStartupAndDownloadedAgainWhenWanted() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 1, 2_000);
        manager.download(a);
        awaitState(manager, a.id(), ChunkState.READY);
        manager.close();
        manager = null;
        Path chunkDir = dataDir.resolve("chunks").resolve(a.id().toString());
        Files.write(chunkDir.resolve("f0"), new byte[10]); // wrong size
        Files.createDirectories(dataDir.resolve("chunks").resolve("not-a-chunk"));

        manager = fx.open();

        awaitState(manager, a.id(), ChunkState.READY);
        assertThat(fx.list("chunks")).containsExactly(chunkDir);
        try (ChunkRef ref = manager.acquire(a.id()).orElseThrow()) {
            fx.assertContent(ref);
        }
        assertThat(fx.server.requests("/a/f0")).hasSize(2);
    }

    @Test
    void aSecondManagerOnTheSameDirectoryFailsNamingItAndTheHolder() {
        assertThatThrownBy(fx::open)
                .isInstanceOf(DataDirectoryLockedException.class)
                .hasMessageContaining(dataDir.toString())
                .hasMessageContaining("pid=" + ProcessHandle.current().pid());
    }

    @Test
    void callsAfterShutdownAreRefusedAndTheLockIsReleased() throws Exception {
        manager.close();

        assertThatThrownBy(() -> manager.download(fx.chunk("a", "d", 0, 1, 1, 1)))
                .isInstanceOf(ManagerClosedException.class);
        assertThatThrownBy(() -> manager.find(TestChunks.datasetId("d"), 0)).isInstanceOf(ManagerClosedException.class);
        manager = fx.open();
        assertThat(manager.statuses()).isEmpty();
    }

    @Test
    void verifyFindsAFlippedByteWithdrawsTheChunkAndDownloadsItAnew() throws Exception {
        ChunkDescriptor a = fx.chunk("a", "d", 0, 10, 2, 20_000);
        manager.download(a);
        awaitState(manager, a.id(), ChunkState.READY);
        assertThat(manager.verify(a.id()).get(10, TimeUnit.SECONDS).outcome()).isEqualTo(VerifyResult.Outcome.OK);
        Path file = dataDir.resolve("chunks").resolve(a.id().toString()).resolve("f1");
        byte[] bytes = Files.readAllBytes(file);
        bytes[12_345] ^= 1;
        Files.write(file, bytes);
        ChunkRef reader = manager.acquire(a.id()).orElseThrow();

        VerifyResult result = manager.verify(a.id()).get(10, TimeUnit.SECONDS);

        assertThat(result.outcome()).isEqualTo(VerifyResult.Outcome.CORRUPT);
        assertThat(result.problem()).hasValueSatisfying(p -> assertThat(p).contains("f1"));
        assertThat(manager.find(a.datasetId(), 1)).as("never served again").isEmpty();
        assertThat(reader.path()).as("an open ref keeps the directory").isDirectory();
        reader.close();
        awaitState(manager, a.id(), ChunkState.READY);
        try (ChunkRef ref = manager.acquire(a.id()).orElseThrow()) {
            fx.assertContent(ref);
        }
        assertThat(fx.server.requests("/a/f1")).hasSize(2);
        assertThat(manager.verify(TestChunks.chunkId("unknown")).get(10, TimeUnit.SECONDS).outcome())
                .isEqualTo(VerifyResult.Outcome.NOT_READY);
    }

    @Test
    void deleteOfAnUnknownChunkIsANoOp() throws Exception {
        manager.delete(TestChunks.chunkId("nope")).get(5, TimeUnit.SECONDS);
        assertThat(manager.status(TestChunks.chunkId("nope"))).isEqualTo(Optional.empty());
    }
}
