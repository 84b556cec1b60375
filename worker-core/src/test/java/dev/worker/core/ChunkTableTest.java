package dev.worker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.Transitions.Report;
import dev.worker.core.Transitions.Step;
import dev.worker.core.download.DownloadOutcome;
import dev.worker.core.store.Intent;
import dev.worker.core.store.StoredChunk;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The state machine without threads or I/O: the test plays the background task, step by step, against the real
 * table, index and handles.
 */
final class ChunkTableTest {
    private final List<Intent> journal = new ArrayList<>();
    private final List<ChunkId> started = new ArrayList<>();
    private final ListenerBus events = new ListenerBus();
    private final ChunkTable table = new ChunkTable(intent -> {
        journal.add(intent);
        return CompletableFuture.completedFuture(null);
    }, events, started::add);

    private final ChunkDescriptor a = TestChunks.descriptor("a", "d", 0, 100);
    private final DatasetId dataset = a.datasetId();
    private final Path tempDir = Path.of("/data/tmp/a.1");
    private final Path chunkDir = Path.of("/data/chunks", a.id().toString());

    @AfterEach
    void closeEvents() {
        events.close();
    }

    private ChunkState state() {
        Entry e = table.get(a.id());
        return e == null ? ChunkState.ABSENT : e.state();
    }

    private Step.Download startDownload() {
        Step step = table.next(a.id(), new Report.Start(), false);
        assertThat(step).isInstanceOf(Step.Download.class);
        return (Step.Download) step;
    }

    private void downloadAndPublish() {
        table.download(a);
        startDownload();
        Step publish = table.next(a.id(), new Report.Downloaded(completed(), tempDir), false);
        assertThat(publish).isInstanceOf(Step.Publish.class);
        assertThat(table.next(a.id(), new Report.Published(stored()), false)).isInstanceOf(Step.Done.class);
        assertThat(state()).isEqualTo(ChunkState.READY);
    }

    private static DownloadOutcome.Completed completed() {
        return new DownloadOutcome.Completed(Map.of("data.bin", new FileDigest(10, TestChunks.sha256("x"))));
    }

    private StoredChunk stored() {
        return new StoredChunk(a, chunkDir, Map.of("data.bin", new FileDigest(10, TestChunks.sha256("x"))),
                Instant.EPOCH);
    }

    private ChunkHandle findHandle() {
        ChunkHandle h = table.find(dataset, 50);
        if (h != null) {
            h.release();
        }
        return h;
    }

    @Test
    void aDownloadIsQueuedJournaledAndStartsOneTask() {
        table.download(a);
        table.download(a);

        assertThat(state()).isEqualTo(ChunkState.QUEUED);
        assertThat(started).containsExactly(a.id());
        assertThat(journal).containsExactly(new Intent.Download(a));
        assertThat(findHandle()).as("not visible before it is ready").isNull();
    }

    @Test
    void aDifferentDescriptorForAWantedIdIsAConflictAndChangesNothing() {
        table.download(a);
        ChunkDescriptor other = ChunkDescriptor.of(a.id(), a.datasetId(), new BlockRange(0, 5), a.files());

        assertThatThrownBy(() -> table.download(other)).isInstanceOf(ConflictingDescriptorException.class);
        assertThat(table.get(a.id()).descriptor()).isEqualTo(a);
        assertThat(journal).hasSize(1);
    }

    @Test
    void publishedChunkIsFoundAndDeleteWithoutRefsTrashesIt() {
        downloadAndPublish();
        assertThat(findHandle()).isNotNull();

        table.delete(a.id());

        assertThat(findHandle()).isNull();
        assertThat(state()).isEqualTo(ChunkState.REMOVING);
        assertThat(started).hasSize(2);
        Step trash = table.next(a.id(), new Report.Start(), false);
        assertThat(trash).isInstanceOf(Step.Trash.class);
        assertThat(table.next(a.id(), new Report.Removed(), false)).isInstanceOf(Step.Done.class);
        assertThat(state()).isEqualTo(ChunkState.ABSENT);
        assertThat(journal).containsExactly(new Intent.Download(a), new Intent.Delete(a.id()));
    }

    @Test
    void deleteWithAnOpenRefWaitsForTheLastRefThenTrashes() {
        downloadAndPublish();
        ChunkHandle held = table.find(dataset, 10);

        table.delete(a.id());
        assertThat(findHandle()).as("gone from find at once").isNull();
        assertThat(started).as("no removal while a ref is open").hasSize(1);
        assertThat(table.get(a.id()).state()).isEqualTo(ChunkState.REMOVING);

        held.release();

        assertThat(started).as("the last release starts the removal").hasSize(2);
        assertThat(table.next(a.id(), new Report.Start(), false)).isInstanceOf(Step.Trash.class);
    }

    @Test
    void downloadOfARemovingChunkWithOpenRefsRevivesItWithoutADownload() {
        downloadAndPublish();
        ChunkHandle held = table.find(dataset, 10);
        table.delete(a.id());

        table.download(a);

        assertThat(state()).isEqualTo(ChunkState.READY);
        assertThat(findHandle()).isSameAs(held);
        assertThat(started).as("no new task: nothing to download").hasSize(1);
        held.release();
        assertThat(started).as("published again: the release does not remove it").hasSize(1);
    }

    @Test
    void downloadAfterTheLastRefClosedButBeforeTheMovePublishesTheSameDirectoryAgain() {
        downloadAndPublish();
        table.delete(a.id()); // drained at once: the removal task is started but has not run yet
        table.download(a);

        Step step = table.next(a.id(), new Report.Start(), false);

        assertThat(step).isInstanceOf(Step.Done.class);
        assertThat(state()).isEqualTo(ChunkState.READY);
        ChunkHandle again = findHandle();
        assertThat(again).isNotNull();
        assertThat(again.dir()).isEqualTo(chunkDir);
    }

    @Test
    void downloadWhileTheDirectoryIsBeingRemovedDownloadsAnewAfterwards() {
        downloadAndPublish();
        table.delete(a.id());
        assertThat(table.next(a.id(), new Report.Start(), false)).isInstanceOf(Step.Trash.class);

        table.download(a);
        assertThat(state()).isEqualTo(ChunkState.QUEUED);

        assertThat(table.next(a.id(), new Report.Removed(), false)).isInstanceOf(Step.Download.class);
    }

    @Test
    void deleteDuringDownloadCancelsTheTransferAndDeletesTheTempData() {
        table.download(a);
        Step.Download download = startDownload();

        table.delete(a.id());

        assertThat(download.cancel().isCancelled()).isTrue();
        Step cleanup = table.next(a.id(), new Report.Downloaded(new DownloadOutcome.Cancelled(), tempDir), false);
        assertThat(cleanup).isEqualTo(new Step.DeleteTemp(tempDir));
        assertThat(table.next(a.id(), new Report.Removed(), false)).isInstanceOf(Step.Done.class);
        assertThat(state()).isEqualTo(ChunkState.ABSENT);
    }

    @Test
    void downloadRequestedAgainDuringCancellationStartsAfterTheCleanup() {
        table.download(a);
        Step.Download first = startDownload();
        table.delete(a.id());
        table.download(a);

        assertThat(first.cancel().isCancelled()).isTrue();
        assertThat(table.next(a.id(), new Report.Downloaded(new DownloadOutcome.Cancelled(), tempDir), false))
                .isEqualTo(new Step.DeleteTemp(tempDir));
        Step second = table.next(a.id(), new Report.Removed(), false);
        assertThat(second).isInstanceOf(Step.Download.class);
        assertThat(((Step.Download) second).cancel().isCancelled()).isFalse();
        assertThat(((Step.Download) second).partialDir()).isEmpty();
    }

    @Test
    void shutdownKeepsPartialDataForResume() {
        table.download(a);
        startDownload();

        Step step = table.next(a.id(), new Report.Downloaded(new DownloadOutcome.Cancelled(), tempDir), true);

        assertThat(step).isInstanceOf(Step.Done.class);
        assertThat(table.get(a.id()).phase()).isEqualTo(new Phase.Pending(Optional.of(tempDir), Optional.empty()));
    }

    @Test
    void aPermanentFailureCleansUpThenFailsAndANewRequestRetries() {
        table.download(a);
        startDownload();
        DownloadOutcome failed = new DownloadOutcome.Failed("data.bin", "http_404", "HTTP 404 for data.bin");

        assertThat(table.next(a.id(), new Report.Downloaded(failed, tempDir), false))
                .isEqualTo(new Step.DeleteTemp(tempDir));
        assertThat(table.next(a.id(), new Report.Removed(), false)).isInstanceOf(Step.Done.class);
        assertThat(state()).isEqualTo(ChunkState.FAILED);
        assertThat(table.get(a.id()).phase()).isInstanceOf(Phase.Failed.class);

        table.download(a);

        assertThat(state()).isEqualTo(ChunkState.QUEUED);
        assertThat(started).hasSize(2);
        startDownload();
    }

    @Test
    void deleteOfAFailedChunkForgetsIt() {
        table.download(a);
        startDownload();
        table.next(a.id(), new Report.Downloaded(new DownloadOutcome.Failed("f", "http_404", "m"), tempDir), false);
        table.next(a.id(), new Report.Removed(), false);

        table.delete(a.id());

        assertThat(state()).isEqualTo(ChunkState.ABSENT);
    }

    @Test
    void aDownloadThatCompletesAfterADeleteIsDiscarded() {
        table.download(a);
        startDownload();
        table.delete(a.id());

        Step step = table.next(a.id(), new Report.Downloaded(completed(), tempDir), false);

        assertThat(step).isEqualTo(new Step.DeleteTemp(tempDir));
    }

    @Test
    void aPublishFailureBacksOffAndResumesFromTheTempDirectory() {
        table.download(a);
        startDownload();
        table.next(a.id(), new Report.Downloaded(completed(), tempDir), false);

        Step step = table.next(a.id(), new Report.StepFailed(Optional.of(tempDir), "publish failed: ENOSPC"), false);

        assertThat(step).isInstanceOf(Step.Backoff.class);
        assertThat(table.get(a.id()).phase()).isEqualTo(
                new Phase.Pending(Optional.of(tempDir), Optional.of("publish failed: ENOSPC")));
        Step.Download again = startDownload();
        assertThat(again.partialDir()).contains(tempDir);
    }

    @Test
    void assignmentReplacesTheDesiredSetAndCountsTheChanges() {
        ChunkDescriptor b = TestChunks.descriptor("b", "d", 100, 200);
        ChunkDescriptor c = TestChunks.descriptor("c", "d", 200, 300);
        table.download(a);
        table.download(b);

        ChunkTable.Assigned assigned = table.assign(List.of(b, c));

        assertThat(assigned.result()).isEqualTo(new AssignmentResult(1, 1, 1));
        assertThat(table.get(a.id()).desired()).isFalse();
        assertThat(table.get(b.id()).desired()).isTrue();
        assertThat(table.get(c.id()).desired()).isTrue();
        assertThat(journal.getLast()).isEqualTo(new Intent.Assign(List.of(b, c)));
    }

    @Test
    void aConflictingAssignmentChangesNothing() {
        ChunkDescriptor b = TestChunks.descriptor("b", "d", 100, 200);
        table.download(a);
        ChunkDescriptor conflicting = ChunkDescriptor.of(a.id(), a.datasetId(), new BlockRange(0, 1), a.files());

        assertThatThrownBy(() -> table.assign(List.of(b, conflicting)))
                .isInstanceOf(ConflictingDescriptorException.class);
        assertThat(table.get(b.id())).isNull();
        assertThat(table.get(a.id()).desired()).isTrue();
        assertThat(journal).hasSize(1);
    }

    @Test
    void overlappingReadyChunksResolveToTheNewest() {
        downloadAndPublish();
        ChunkDescriptor newer = TestChunks.descriptor("newer", "d", 50, 150);
        table.download(newer);
        table.next(newer.id(), new Report.Start(), false);
        table.next(newer.id(), new Report.Downloaded(completed(), tempDir), false);
        Path newerDir = Path.of("/data/chunks", newer.id().toString());
        table.next(newer.id(), new Report.Published(new StoredChunk(newer, newerDir,
                Map.of("data.bin", new FileDigest(10, TestChunks.sha256("x"))), Instant.EPOCH)), false);

        ChunkHandle at60 = table.find(dataset, 60);
        ChunkHandle at10 = table.find(dataset, 10);
        assertThat(at60.id()).isEqualTo(newer.id());
        assertThat(at10.id()).isEqualTo(a.id());
        at60.release();
        at10.release();
    }
}
