package dev.worker.core;

import static java.util.Objects.requireNonNull;

import dev.worker.core.download.Cancellation;
import dev.worker.core.download.DownloadOutcome;
import dev.worker.core.download.DownloadProgress;
import dev.worker.core.store.StoredChunk;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Every change of an {@link Entry}, as functions of the entry and an event. They run inside the chunk table's
 * {@code compute}, so they do no I/O, no logging and start no work: they return what to do, and the caller does it
 * afterwards. Their only effects are on memory through {@link Memory}: the find index and handle publication, which
 * must change in the same order as the entry.
 */
final class Transitions {
    private Transitions() {
    }

    /** The in-memory effects transitions may have. */
    interface Memory {
        void indexAdd(ChunkHandle handle);

        void indexRemove(ChunkHandle handle);

        /** A new published handle for a chunk directory (not yet in the index). */
        ChunkHandle newHandle(ChunkDescriptor descriptor, Path dir, long sizeBytes);

        /** Progress for a new download of the chunk. */
        DownloadProgress newProgress(ChunkId id);
    }

    /**
     * The outcome of a call.
     *
     * @param next      the new entry; null to forget the chunk
     * @param startTask start a background task for the chunk
     * @param cancel    fire this cancellation (outside the compute)
     * @param changed   the desired state changed (the intent must be journaled)
     */
    record CallResult(Entry next, boolean startTask, Cancellation cancel, boolean changed) {
        static CallResult unchanged(Entry entry) {
            return new CallResult(entry, false, null, false);
        }
    }

    // ---- calls ---------------------------------------------------------------------------------------------

    /** A download request. */
    static CallResult download(Entry e, ChunkDescriptor d, Memory memory) {
        if (e == null) {
            return new CallResult(new Entry(d, true, Phase.Pending.FRESH, true), true, null, true);
        }
        if (e.desired()) {
            if (!e.descriptor().equals(d)) {
                throw new ConflictingDescriptorException(e.descriptor(), d);
            }
            if (e.phase() instanceof Phase.Failed && !e.taskActive()) {
                return new CallResult(new Entry(d, true, Phase.Pending.FRESH, true), true, null, true);
            }
            return CallResult.unchanged(e);
        }
        Entry wanted = new Entry(d, true, e.phase(), e.taskActive());
        if (e.phase() instanceof Phase.Withdrawn w && w.handle().descriptor().equals(d) && !w.handle().isCorrupt()
                && w.handle().tryRevive()) {
            // Removal was waiting for refs to close: publish the same directory again, no download.
            memory.indexAdd(w.handle());
            return new CallResult(wanted.with(new Phase.Ready(w.handle())), false, null, true);
        }
        if (!e.taskActive() && e.phase() instanceof Phase.Failed) {
            return new CallResult(new Entry(d, true, Phase.Pending.FRESH, true), true, null, true);
        }
        // A task is cleaning up (or refs are still open on a directory that cannot be revived): it carries on
        // from the new desired state when it is done.
        return new CallResult(wanted, false, null, true);
    }

    /** A delete request. */
    static CallResult delete(Entry e, Memory memory) {
        if (e == null || !e.desired()) {
            return CallResult.unchanged(e);
        }
        Entry unwanted = e.withDesired(false);
        return switch (e.phase()) {
            case Phase.Pending p -> {
                if (e.taskActive()) {
                    yield new CallResult(unwanted, false, null, true);
                }
                // No task: nothing on disk to remove unless a partial download is (left by a shutdown).
                yield p.partialDir().isEmpty()
                        ? new CallResult(null, false, null, true)
                        : new CallResult(unwanted.withTask(true), true, null, true);
            }
            case Phase.Downloading d -> new CallResult(unwanted, false, d.cancel(), true);
            case Phase.Ready r -> {
                ChunkHandle handle = r.handle();
                memory.indexRemove(handle);
                boolean drained = handle.unpublish() || handle.isDrained();
                boolean start = drained && !e.taskActive();
                Entry withdrawn = unwanted.with(new Phase.Withdrawn(handle));
                yield new CallResult(start ? withdrawn.withTask(true) : withdrawn, start, null, true);
            }
            case Phase.Withdrawn w -> {
                // Wanted but withdrawn (corrupt, or wanted again with another descriptor): waiting for its refs.
                boolean start = w.handle().isDrained() && !e.taskActive();
                yield new CallResult(start ? unwanted.withTask(true) : unwanted, start, null, true);
            }
            case Phase.Removing r -> new CallResult(unwanted, false, null, true);
            case Phase.Failed f -> e.taskActive()
                    ? new CallResult(unwanted, false, null, true)
                    : new CallResult(null, false, null, true);
        };
    }

    /**
     * Verification found {@code handle}'s files damaged: withdraw it for good. Its directory leaves the disk once
     * drained, and a desired chunk is then downloaded anew.
     */
    static CallResult corrupt(Entry e, ChunkHandle handle, Memory memory) {
        if (e == null || !(e.phase() instanceof Phase.Stored s) || s.handle() != handle) {
            return CallResult.unchanged(e);
        }
        handle.markCorrupt();
        memory.indexRemove(handle);
        boolean drained = handle.unpublish() || handle.isDrained();
        boolean start = drained && !e.taskActive();
        Entry withdrawn = e.with(new Phase.Withdrawn(handle));
        return new CallResult(start ? withdrawn.withTask(true) : withdrawn, start, null, false);
    }

    /** The last ref of {@code handle} closed after it was unpublished. */
    static CallResult drained(Entry e, ChunkHandle handle) {
        if (e == null || e.taskActive() || !(e.phase() instanceof Phase.Stored s) || s.handle() != handle) {
            return CallResult.unchanged(e);
        }
        return new CallResult(e.withTask(true), true, null, false);
    }

    // ---- the background task ---------------------------------------------------------------------------------

    /** What the task reports after a step. */
    sealed interface Report {
        /** The task starts, or wants the next step after waiting. */
        record Start() implements Report {
        }

        record Downloaded(DownloadOutcome outcome, Path tempDir) implements Report {
            public Downloaded {
                requireNonNull(outcome, "outcome");
                requireNonNull(tempDir, "tempDir");
            }
        }

        record Published(StoredChunk chunk) implements Report {
            public Published {
                requireNonNull(chunk, "chunk");
            }
        }

        /** A step failed for a reason that may pass (e.g. the disk is full): the chunk goes back to pending. */
        record StepFailed(Optional<Path> tempDir, String error) implements Report {
            public StepFailed {
                requireNonNull(tempDir, "tempDir");
                requireNonNull(error, "error");
            }
        }

        /** Files removed (temp data deleted or a directory trashed). */
        record Removed() implements Report {
        }

        /** The download was cancelled while it waited for a transfer slot, before it created anything on disk. */
        record NotStarted() implements Report {
        }
    }

    /** What the task does next. */
    sealed interface Step {
        /** Nothing: the task ends (the entry's {@code taskActive} is already cleared, or the entry forgotten). */
        record Done() implements Step {
        }

        record Download(ChunkDescriptor descriptor, Optional<Path> partialDir, DownloadProgress progress,
                Cancellation cancel) implements Step {
        }

        record Publish(ChunkDescriptor descriptor, Path tempDir, Map<String, FileDigest> files) implements Step {
        }

        record DeleteTemp(Path tempDir) implements Step {
        }

        record Trash(ChunkHandle handle) implements Step {
        }

        /** Wait before trying again after a {@link Report.StepFailed}. */
        record Backoff() implements Step {
        }
    }

    record TaskResult(Entry next, Step step) {
    }

    private static final Step DONE = new Step.Done();

    /**
     * The task's next step, given what it last reported. Called only by the task that owns the entry
     * ({@code taskActive}); when it returns {@link Step.Done} the task has given up ownership.
     *
     * @param stopping the manager is shutting down: leave partial data for resume, start nothing new
     */
    static TaskResult next(Entry e, Report report, boolean stopping, Memory memory) {
        if (e == null) {
            return new TaskResult(null, DONE);
        }
        return switch (report) {
            case Report.Start s -> stopping ? release(e) : evaluate(e, memory);
            case Report.Downloaded d -> afterDownload(e, d, stopping);
            case Report.Published p -> afterPublish(e, p.chunk(), memory);
            case Report.StepFailed f -> stopping
                    ? release(e)
                    : new TaskResult(e.with(new Phase.Pending(f.tempDir(), Optional.of(f.error()))),
                            new Step.Backoff());
            case Report.Removed r -> afterRemoval(e, stopping, memory);
            // Nothing to remove: as if removed (forgotten when no longer desired, else downloaded again).
            case Report.NotStarted n -> stopping
                    ? release(e.with(Phase.Pending.FRESH))
                    : afterRemoval(e.with(new Phase.Removing(0, Optional.empty())), false, memory);
        };
    }

    private static TaskResult evaluate(Entry e, Memory memory) {
        return switch (e.phase()) {
            case Phase.Pending p -> {
                if (e.desired()) {
                    Phase.Downloading downloading = new Phase.Downloading(memory.newProgress(e.descriptor().id()),
                            new Cancellation());
                    yield new TaskResult(e.with(downloading), new Step.Download(e.descriptor(), p.partialDir(),
                            downloading.progress(), downloading.cancel()));
                }
                yield p.partialDir()
                        .map(dir -> new TaskResult(e.with(new Phase.Removing(0, Optional.empty())),
                                new Step.DeleteTemp(dir)))
                        .orElseGet(() -> forget());
            }
            // Published: nothing to do.
            case Phase.Ready r -> release(e);
            case Phase.Withdrawn w -> {
                ChunkHandle handle = w.handle();
                if (!handle.isDrained()) {
                    // Waiting for refs to close: the last one to close starts the task again.
                    yield release(e);
                }
                if (e.desired() && handle.descriptor().equals(e.descriptor()) && !handle.isCorrupt()) {
                    // Wanted again after the last ref closed, before the directory moved: publish it again.
                    ChunkHandle again = memory.newHandle(handle.descriptor(), handle.dir(), handle.sizeBytes());
                    memory.indexAdd(again);
                    yield release(e.with(new Phase.Ready(again)));
                }
                yield new TaskResult(e.with(new Phase.Removing(handle.sizeBytes(), Optional.empty())),
                        new Step.Trash(handle));
            }
            case Phase.Failed f -> e.desired() ? release(e) : forget();
            // The task itself moves out of these phases; it never evaluates while in them.
            case Phase.Downloading d -> throw new IllegalStateException("evaluate while downloading: " + e);
            case Phase.Removing r -> throw new IllegalStateException("evaluate while removing: " + e);
        };
    }

    private static TaskResult afterDownload(Entry e, Report.Downloaded d, boolean stopping) {
        Phase.Downloading downloading = (Phase.Downloading) e.phase();
        return switch (d.outcome()) {
            case DownloadOutcome.Completed c -> {
                if (e.desired()) {
                    // Published even if a delete came and went meanwhile: the data is complete and wanted.
                    yield new TaskResult(e, new Step.Publish(e.descriptor(), d.tempDir(), c.files()));
                }
                yield new TaskResult(e.with(new Phase.Removing(c.totalSize(), Optional.empty())),
                        new Step.DeleteTemp(d.tempDir()));
            }
            case DownloadOutcome.Failed f -> new TaskResult(
                    e.with(new Phase.Removing(0, Optional.of(
                            new Phase.Failed(f.message(), downloading.progress().attempts())))),
                    new Step.DeleteTemp(d.tempDir()));
            case DownloadOutcome.Cancelled c -> {
                if (stopping) {
                    // Shutdown: the partial data stays for the next start to resume.
                    yield release(e.with(new Phase.Pending(Optional.of(d.tempDir()), Optional.empty())));
                }
                yield new TaskResult(e.with(new Phase.Removing(0, Optional.empty())), new Step.DeleteTemp(d.tempDir()));
            }
        };
    }

    private static TaskResult afterPublish(Entry e, StoredChunk chunk, Memory memory) {
        ChunkHandle handle = memory.newHandle(chunk.descriptor(), chunk.dir(), chunk.totalSize());
        if (e.desired()) {
            memory.indexAdd(handle);
            return release(e.with(new Phase.Ready(handle)));
        }
        handle.unpublish();
        return new TaskResult(e.with(new Phase.Removing(handle.sizeBytes(), Optional.empty())),
                new Step.Trash(handle));
    }

    private static TaskResult afterRemoval(Entry e, boolean stopping, Memory memory) {
        Phase.Removing removing = (Phase.Removing) e.phase();
        if (e.desired() && removing.failure().isPresent()) {
            return release(e.with(removing.failure().get()));
        }
        if (!e.desired()) {
            return forget();
        }
        Entry pending = e.with(Phase.Pending.FRESH);
        return stopping ? release(pending) : evaluate(pending, memory);
    }

    private static TaskResult release(Entry e) {
        return new TaskResult(e.withTask(false), DONE);
    }

    private static TaskResult forget() {
        return new TaskResult(null, DONE);
    }
}
