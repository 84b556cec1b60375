package dev.worker.core;

import static java.util.Objects.requireNonNull;

import dev.worker.core.Transitions.Report;
import dev.worker.core.Transitions.Step;
import dev.worker.core.download.ChunkDownloader;
import dev.worker.core.download.DownloadOutcome;
import dev.worker.core.store.ChunkStore;
import dev.worker.core.store.StoredChunk;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each chunk's background task on a virtual thread: asks the {@link ChunkTable} for the next step, does its
 * I/O, reports back, until there is nothing left to do. At most one task per chunk (the table's {@code taskActive}).
 */
final class Reconciler {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final ChunkStore store;
    private final ChunkDownloader downloader;
    private final DiskBudget budget;
    private final WorkerStats stats;
    private final Clock clock;
    private final Duration retryBase;
    private final Duration retryCap;
    private ChunkTable table;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final Condition stoppingSignal = lock.newCondition();
    // INVARIANT (guarded by lock): running counts started tasks and background deletions not yet finished.
    private int running;
    private volatile boolean stopping;
    private final AtomicLong pendingDeleteBytes = new AtomicLong();
    // Chunks whose download waits for a transfer slot with no task (no thread) yet, oldest first. Ids only: the
    // table's entry says whether one still waits (ChunkTable.claimDeferred); a deleted one is forgotten meanwhile.
    // INVARIANT: queuedIds holds the ids in waitingForSlot, so an id is queued at most once however often its chunk
    // is wanted, deleted and wanted again while the slots stay busy. A taker removes the id from queuedIds before
    // it claims the entry: a chunk deferred meanwhile is then either claimed by that taker or queued anew.
    private final ConcurrentLinkedQueue<ChunkId> waitingForSlot = new ConcurrentLinkedQueue<>();
    private final Set<ChunkId> queuedIds = ConcurrentHashMap.newKeySet();

    Reconciler(ChunkStore store, ChunkDownloader downloader, DiskBudget budget, WorkerStats stats, Clock clock,
            Duration retryBase, Duration retryCap) {
        this.store = requireNonNull(store, "store");
        this.downloader = requireNonNull(downloader, "downloader");
        this.budget = requireNonNull(budget, "budget");
        this.stats = requireNonNull(stats, "stats");
        this.clock = requireNonNull(clock, "clock");
        this.retryBase = requireNonNull(retryBase, "retryBase");
        this.retryCap = requireNonNull(retryCap, "retryCap");
        downloader.onTransferSlotFreed(this::startWaiting);
    }

    void bind(ChunkTable table) {
        this.table = requireNonNull(table, "table");
    }

    /**
     * Starts the task for a chunk whose entry was just marked {@code taskActive}. Cheap; never blocks.
     *
     * <p>A fresh download while every transfer slot is busy gets no thread yet: its entry gives the task up and the
     * chunk waits in {@link #waitingForSlot}, so the call starts nothing, and deleting the chunk meanwhile wakes
     * nothing either (the entry is just forgotten). A freed slot, or a task ending, starts the oldest waiting chunk.
     * No chunk is left waiting with a slot free: whoever frees a slot looks at the queue after freeing it, and a
     * chunk joining the queue looks at the slots after joining it.
     */
    void start(ChunkId id) {
        if (!downloader.hasFreeTransferSlot() && table.deferDownload(id)) {
            if (queuedIds.add(id)) {
                waitingForSlot.add(id);
            }
            if (downloader.hasFreeTransferSlot()) {
                startWaiting();
            }
            return;
        }
        launch(id);
    }

    /** Starts the oldest chunk still waiting for a transfer slot, if a slot is free. */
    private void startWaiting() {
        ChunkId id;
        while (downloader.hasFreeTransferSlot() && (id = waitingForSlot.poll()) != null) {
            queuedIds.remove(id);
            if (table.claimDeferred(id)) {
                launch(id);
                return;
            }
        }
    }

    private void launch(ChunkId id) {
        if (!enter()) {
            return;
        }
        Thread.ofVirtual().name("chunk-", 0).start(() -> {
            try {
                run(id);
            } finally {
                exit();
                // A task that ends without taking a slot (e.g. deleted while it waited) must pass its turn on.
                startWaiting();
            }
        });
    }

    private void run(ChunkId id) {
        Report report = new Report.Start();
        int failures = 0;
        DiskBudget.Reservation reservation = null;
        long downloadStarted = 0;
        try {
            while (true) {
                Step step = table.next(id, report, stopping);
                switch (step) {
                    case Step.Done d -> {
                        return;
                    }
                    case Step.Download s -> {
                        if (reservation != null) {
                            reservation.release();
                        }
                        downloadStarted = System.nanoTime();
                        DownloadRun run = download(id, s);
                        reservation = run.reservation;
                        report = run.report;
                    }
                    case Step.Publish s -> {
                        report = publish(id, s);
                        if (report instanceof Report.Published p) {
                            stats.chunkDownloaded(System.nanoTime() - downloadStarted);
                            if (reservation != null) {
                                reservation.settle(p.chunk().totalSize());
                                reservation = null;
                            } else {
                                budget.addUsed(p.chunk().totalSize());
                            }
                            failures = 0;
                        }
                    }
                    case Step.DeleteTemp s -> {
                        if (reservation != null) {
                            reservation.release();
                            reservation = null;
                        }
                        report = remove(id, s.tempDir(), 0);
                    }
                    case Step.Trash s -> report = remove(id, s.handle().dir(), s.handle().sizeBytes());
                    case Step.Backoff b -> {
                        failures++;
                        awaitStopping(backoff(failures));
                        report = new Report.Start();
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            log.error("chunk task failed unexpectedly; a new request for the chunk starts over chunk={}", id, e);
            table.abandonTask(id);
        } finally {
            if (reservation != null) {
                reservation.release();
            }
        }
    }

    private record DownloadRun(Report report, DiskBudget.Reservation reservation) {
    }

    private DownloadRun download(ChunkId id, Step.Download s) {
        // Queued behind busy transfer slots, a chunk touches nothing until one frees (see awaitTransferSlot). At
        // shutdown the slots free as transfers are cancelled one by one: a chunk let through then starts nothing.
        try {
            if (!downloader.awaitTransferSlot(s.cancel()) || stopping) {
                return new DownloadRun(s.partialDir()
                        .<Report>map(partial -> new Report.Downloaded(new DownloadOutcome.Cancelled(), partial))
                        .orElseGet(Report.NotStarted::new), null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("chunk task interrupted while waiting for a transfer slot chunk={}", id);
        }
        Path dir;
        try {
            dir = s.partialDir().isPresent() ? s.partialDir().get() : store.newTempDir(id);
        } catch (IOException e) {
            log.warn("cannot create a download directory chunk={}", id, e);
            return new DownloadRun(new Report.StepFailed(Optional.empty(), "cannot create a download directory: " + e),
                    null);
        }
        ChunkDescriptor d = s.descriptor();
        long declared = d.files().values().stream().mapToLong(f -> f.size().orElse(0)).sum();
        DiskBudget.Reservation reservation;
        try {
            reservation = budget.reserve(declared, s.cancel(), why -> {
                s.progress().waiting(why);
                log.info("queued chunk={} reason={}", id, why);
            });
        } catch (DiskBudget.TooLargeException e) {
            return new DownloadRun(new Report.Downloaded(
                    new DownloadOutcome.Failed("*", "disk_budget", "chunk " + id + " " + e.getMessage()), dir), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new DownloadRun(new Report.Downloaded(new DownloadOutcome.Cancelled(), dir), null);
        }
        if (reservation == null) {
            return new DownloadRun(new Report.Downloaded(new DownloadOutcome.Cancelled(), dir), null);
        }
        DownloadOutcome outcome;
        try {
            outcome = downloader.download(d, dir, s.progress(), s.cancel(), reservation);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = new DownloadOutcome.Cancelled();
        }
        switch (outcome) {
            case DownloadOutcome.Completed c -> log.debug("downloaded chunk={} bytes={}", id, c.totalSize());
            case DownloadOutcome.Failed f -> log.warn("download failed permanently chunk={} file={} reason={} error={}",
                    id, f.file(), f.reason(), f.message());
            case DownloadOutcome.Cancelled c -> log.debug("download cancelled chunk={} stopping={}", id, stopping);
        }
        return new DownloadRun(new Report.Downloaded(outcome, dir), reservation);
    }

    private Report publish(ChunkId id, Step.Publish s) {
        try {
            StoredChunk chunk = store.publish(s.descriptor(), s.tempDir(), s.files(), clock.instant());
            log.info("chunk ready chunk={} dataset={} range={} bytes={}", id, s.descriptor().datasetId(),
                    s.descriptor().range(), chunk.totalSize());
            return new Report.Published(chunk);
        } catch (IOException e) {
            log.warn("publish failed; will retry chunk={} dir={}", id, s.tempDir(), e);
            return new Report.StepFailed(Optional.of(s.tempDir()), "publish failed: " + e.getMessage());
        }
    }

    /**
     * Moves a directory to trash/ at once (so the chunk's name is free again) and deletes it in the background.
     * Retries the move with backoff until it succeeds: a chunk must not stay half-removed.
     */
    private Report remove(ChunkId id, Path dir, long accountedBytes) {
        int attempt = 0;
        while (true) {
            try {
                Path trashed = store.moveToTrash(dir);
                deleteInBackground(id, trashed, accountedBytes);
                return new Report.Removed();
            } catch (IOException e) {
                attempt++;
                log.warn("cannot move to trash; will retry chunk={} dir={} attempt={}", id, dir, attempt, e);
                if (stopping) {
                    return new Report.Removed();
                }
                awaitStopping(backoff(attempt));
            }
        }
    }

    private void deleteInBackground(ChunkId id, Path trashed, long accountedBytes) {
        if (!enter()) {
            // Shutting down: the next start empties trash/.
            return;
        }
        pendingDeleteBytes.addAndGet(accountedBytes);
        Thread.ofVirtual().name("trash-", 0).start(() -> {
            try {
                store.deleteRecursively(trashed);
            } catch (IOException e) {
                log.warn("cannot delete from trash; the next start retries chunk={} path={}", id, trashed, e);
            } finally {
                pendingDeleteBytes.addAndGet(-accountedBytes);
                if (accountedBytes > 0) {
                    budget.removeUsed(accountedBytes);
                }
                exit();
            }
        });
    }

    /**
     * Runs {@code work} on a virtual thread counted as background work (awaited at shutdown). Returns false, without
     * running it, when stopping.
     */
    boolean runInBackground(String name, Runnable work) {
        if (!enter()) {
            return false;
        }
        Thread.ofVirtual().name(name).start(() -> {
            try {
                work.run();
            } finally {
                exit();
            }
        });
        return true;
    }

    /** For tests: how many chunk ids wait in the queue for a transfer slot (some may be stale: deleted meanwhile). */
    int queuedForSlot() {
        return waitingForSlot.size();
    }

    long pendingDeleteBytes() {
        return pendingDeleteBytes.get();
    }

    private Duration backoff(int failures) {
        long base = retryBase.toMillis();
        long cap = retryCap.toMillis();
        long delay = failures >= 30 ? cap : Math.min(cap, base << Math.min(failures - 1, 30));
        return Duration.ofMillis(delay);
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------

    /** Stops starting work; tasks in flight finish their step and stop (downloads are cancelled by the table). */
    void stop() {
        lock.lock();
        try {
            stopping = true;
            stoppingSignal.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isStopping() {
        return stopping;
    }

    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (running > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean enter() {
        lock.lock();
        try {
            if (stopping) {
                return false;
            }
            running++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void exit() {
        lock.lock();
        try {
            running--;
            if (running == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void awaitStopping(Duration delay) {
        lock.lock();
        try {
            long nanos = delay.toNanos();
            while (!stopping && nanos > 0) {
                nanos = stoppingSignal.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }
}
