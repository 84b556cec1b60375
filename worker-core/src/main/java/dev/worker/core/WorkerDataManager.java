package dev.worker.core;

import static java.util.Objects.requireNonNull;

import dev.worker.core.download.ChunkDownloader;
import dev.worker.core.download.DownloadSettings;
import dev.worker.core.store.ChunkStore;
import dev.worker.core.store.DataDirectory;
import dev.worker.core.store.Intent;
import dev.worker.core.store.IntentJournal;
import dev.worker.core.store.JournaledDescriptor;
import dev.worker.core.store.StoredChunk;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DataManager} over a data directory. Open with {@link #open(ManagerConfig)}: it locks the directory,
 * scans it, replays the intent journal and starts reconciling.
 */
public final class WorkerDataManager implements DataManager {
    private static final Logger log = LoggerFactory.getLogger(WorkerDataManager.class);
    /** The journal is compacted once it grows past this and twice its last snapshot. */
    static final long JOURNAL_COMPACT_BYTES = 64L << 20;

    private final ManagerConfig config;
    private final DataDirectory directory;
    private final ChunkStore store;
    private final IntentJournal journal;
    private final ChunkDownloader downloader;
    private final ListenerBus events;
    private final WorkerStats stats;
    private final DiskBudget budget;
    private final RefTracker refs = new RefTracker();
    private final Reconciler reconciler;
    private final ChunkTable table;
    private final Duration startup;
    private final AtomicBoolean shutdown = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private WorkerDataManager(ManagerConfig config, DataDirectory directory, IntentJournal journal,
            ChunkStore store, DiskBudget budget, long startNanos, ChunkStore.ScanResult scan, List<Intent> replay) {
        this.config = config;
        this.directory = directory;
        this.store = store;
        this.journal = journal;
        this.budget = budget;
        this.stats = new WorkerStats();
        this.events = new ListenerBus();
        this.downloader = new ChunkDownloader(new DownloadSettings(config.maxConcurrentTransfers(),
                config.bandwidthBytesPerSecond(), config.stallTimeout(), config.connectTimeout(), config.retryBase(),
                config.retryCap(), config.randomSeed()), stats, config.clock(), config.sources());
        this.reconciler = new Reconciler(store, downloader, budget, stats, config.clock(), config.retryBase(),
                config.retryCap());
        this.table = new ChunkTable(journal::append, events, reconciler::start, scan.chunks().size());
        reconciler.bind(table);

        // Desired state: every chunk on disk, then the journal on top. Journal snapshot descriptors are parsed only
        // for chunks that are not on disk. A snapshot or an assignment replaces the whole set, so replay starts at
        // the last one when there is one (a started journal begins with a snapshot), and the disk is not needed.
        Map<ChunkId, JournaledDescriptor> journaled = HashMap.newHashMap(scan.chunks().size());
        int from = lastReplacingIntent(replay);
        if (from < 0) {
            scan.chunks().forEach(c -> journaled.put(c.descriptor().id(), JournaledDescriptor.of(c.descriptor())));
        }
        for (Intent intent : replay.subList(Math.max(from, 0), replay.size())) {
            Intent.replay(intent, journaled);
        }
        Map<ChunkId, ChunkDescriptor> desired = HashMap.newHashMap(scan.chunks().size());

        Map<ChunkId, java.nio.file.Path> partials = new HashMap<>();
        scan.partials().forEach(p -> partials.put(p.id(), p.dir()));
        long used = 0;
        // Oldest first, so that where ranges overlap the most recently completed chunk is the newest handle. Loops
        // over every chunk call a method per chunk: a loop run once stays interpreted in a fresh JVM, a method
        // called thousands of times is compiled.
        List<StoredChunk> scanned = scan.chunks();
        long[] completedNanos = new long[scanned.size()];
        for (int i = 0; i < completedNanos.length; i++) {
            completedNanos[i] = epochNanos(scanned.get(i).completedAt());
        }
        List<ChunkHandle> published = new ArrayList<>(scanned.size());
        for (int i : LongOrder.ascending(completedNanos)) {
            used += loadOnDisk(scanned.get(i), journaled, desired, published);
        }
        table.indexAll(published);
        for (JournaledDescriptor j : journaled.values()) {
            ChunkDescriptor d;
            try {
                d = j.descriptor();
            } catch (IllegalArgumentException e) {
                log.error("journaled descriptor cannot be read; the chunk is dropped from the desired set chunk={}",
                        j.id(), e);
                continue;
            }
            desired.put(d.id(), d);
            table.loadPending(d, partials.remove(d.id()));
        }
        budget.addUsed(used);
        partials.forEach((id, dir) -> {
            try {
                store.deleteRecursively(dir);
                Files.deleteIfExists(dir.resolveSibling(dir.getFileName() + ".resume"));
            } catch (IOException e) {
                log.warn("cannot delete a partial download that is no longer wanted chunk={} dir={}", id, dir, e);
            }
        });
        journal.start(desired.values());
        Thread.ofVirtual().name("empty-trash").start(store::emptyTrash);
        this.startup = Duration.ofNanos(System.nanoTime() - startNanos);
        log.info("data manager open dir={} ready={} pending={} trashed={} scanMs={} startupMs={}",
                config.dataDir(), scan.chunks().size(), desired.size() - scan.chunks().size(), scan.trashed(),
                scan.took().toMillis(), startup.toMillis());
    }

    /**
     * Puts a chunk found on disk in the table: desired (and published) when the journal still wants it, else to be
     * removed. Returns its size.
     */
    private long loadOnDisk(StoredChunk chunk, Map<ChunkId, JournaledDescriptor> journaled,
            Map<ChunkId, ChunkDescriptor> desired, List<ChunkHandle> published) {
        ChunkId id = chunk.descriptor().id();
        JournaledDescriptor wanted = journaled.remove(id);
        if (wanted != null && wanted.isParsed() && !wanted.descriptor().equals(chunk.descriptor())) {
            // Ids name content: the data on disk is the chunk; keep it under the descriptor it was fetched with.
            log.warn("journaled descriptor differs from the one on disk; keeping the chunk on disk chunk={}", id);
        }
        long size = chunk.totalSize();
        ChunkHandle handle = table.loadReady(wanted == null ? null : chunk.descriptor(), chunk.descriptor(),
                chunk.dir(), size);
        if (wanted != null) {
            desired.put(id, chunk.descriptor());
            published.add(handle);
        }
        return size;
    }

    /** The index of the last intent that replaces the whole desired set (a snapshot or an assignment), or -1. */
    private static int lastReplacingIntent(List<Intent> replay) {
        for (int i = replay.size() - 1; i >= 0; i--) {
            if (replay.get(i) instanceof Intent.Snapshot || replay.get(i) instanceof Intent.Assign) {
                return i;
            }
        }
        return -1;
    }

    /** Nanoseconds since the epoch, saturated to the range of a long (years 1678 to 2262). */
    private static long epochNanos(Instant t) {
        try {
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        } catch (ArithmeticException e) {
            return t.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /**
     * Opens the data directory (creating it if missing), locks it, scans it and replays the journal.
     *
     * @throws dev.worker.core.store.DataDirectoryLockedException when another worker uses the directory
     * @throws IOException when the directory cannot be used (the message names the path and why)
     */
    public static WorkerDataManager open(ManagerConfig config) throws IOException {
        requireNonNull(config, "config");
        long startNanos = System.nanoTime();
        DataDirectory directory = DataDirectory.open(config.dataDir());
        IntentJournal journal = null;
        // The journal is read while the chunks are scanned: neither needs the other, and reading it is mostly a
        // thread waiting on the file and checksumming, which the scan's threads leave room for.
        FutureTask<IntentJournal.Opened> journalRead = new FutureTask<>(
                () -> IntentJournal.open(directory.intentsLog(), JOURNAL_COMPACT_BYTES));
        ChunkStore store = new ChunkStore(directory);
        Thread.ofPlatform().name("intent-journal-read").start(journalRead);
        try {
            ChunkStore.ScanResult scan;
            try {
                scan = store.scan(config.verifyOnStart());
            } catch (IOException | RuntimeException | Error e) {
                try {
                    journal = Uninterruptibles.get(journalRead).journal(); // closed below
                } catch (IOException | RuntimeException | Error journalFailure) {
                    e.addSuppressed(journalFailure);
                }
                throw e;
            }
            IntentJournal.Opened opened = Uninterruptibles.get(journalRead);
            journal = opened.journal();
            DiskBudget budget = new DiskBudget(config.maxDiskBytes(), config.minFreeBytes(),
                    DiskBudget.usableSpaceOf(Files.getFileStore(directory.root())));
            return new WorkerDataManager(config, directory, journal, store, budget, startNanos, scan,
                    opened.replay());
        } catch (IOException | RuntimeException | Error e) {
            if (journal != null) {
                journal.close();
            }
            directory.close();
            throw e;
        }
    }

    public ManagerConfig config() {
        return config;
    }

    // ---- DataManager -----------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Void> download(ChunkDescriptor descriptor) {
        checkOpen("download");
        checkSources(descriptor);
        return table.download(descriptor);
    }

    /** Refuses, before anything is stored, a chunk whose sources this manager cannot fetch (an s3:// without S3). */
    private void checkSources(ChunkDescriptor descriptor) {
        try {
            config.sources().checkUsable(descriptor);
        } catch (IllegalArgumentException e) {
            throw new UnusableSourceException("chunk " + descriptor.id() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<Void> delete(ChunkId id) {
        checkOpen("delete");
        return table.delete(id);
    }

    @Override
    public CompletableFuture<AssignmentResult> assign(Collection<ChunkDescriptor> chunks) {
        checkOpen("assign");
        chunks.forEach(this::checkSources);
        ChunkTable.Assigned assigned = table.assign(chunks);
        return assigned.durable().thenApply(v -> assigned.result());
    }

    @Override
    public List<ChunkStatus> list() {
        List<ChunkStatus> result = new ArrayList<>();
        for (Entry e : table.settledEntries()) {
            if (e.desired() && e.phase() instanceof Phase.Ready) {
                result.add(statusOf(e));
            }
        }
        result.sort(Comparator.comparing(ChunkStatus::id));
        return result;
    }

    @Override
    public List<ChunkStatus> statuses() {
        List<ChunkStatus> result = new ArrayList<>(table.size());
        for (Entry e : table.settledEntries()) {
            result.add(statusOf(e));
        }
        result.sort(Comparator.comparing(ChunkStatus::id));
        return result;
    }

    @Override
    public Optional<ChunkStatus> status(ChunkId id) {
        Entry e = table.settled(requireNonNull(id, "id"));
        return e == null ? Optional.empty() : Optional.of(statusOf(e));
    }

    @Override
    public Optional<ChunkRef> find(DatasetId dataset, long block) {
        requireNonNull(dataset, "dataset");
        checkOpen("find");
        ChunkHandle handle = table.find(dataset, block);
        return handle == null ? Optional.empty() : Optional.of(refs.open(handle));
    }

    @Override
    public Optional<ChunkRef> acquire(ChunkId id) {
        requireNonNull(id, "id");
        checkOpen("acquire");
        ChunkHandle handle = table.acquire(id);
        return handle == null ? Optional.empty() : Optional.of(refs.open(handle));
    }

    @Override
    public CompletableFuture<VerifyResult> verify(ChunkId id) {
        requireNonNull(id, "id");
        checkOpen("verify");
        ChunkHandle handle = table.acquire(id);
        if (handle == null) {
            return CompletableFuture.completedFuture(new VerifyResult(id, VerifyResult.Outcome.NOT_READY,
                    Optional.empty()));
        }
        CompletableFuture<VerifyResult> result = new CompletableFuture<>();
        boolean started = reconciler.runInBackground("verify-" + id, () -> {
            try {
                Optional<String> problem = check(handle);
                if (problem.isPresent()) {
                    log.warn("chunk is corrupt; withdrawn and downloaded anew if still wanted chunk={} problem={}",
                            id, problem.get());
                    table.corrupt(handle);
                    result.complete(new VerifyResult(id, VerifyResult.Outcome.CORRUPT, problem));
                } else {
                    result.complete(new VerifyResult(id, VerifyResult.Outcome.OK, Optional.empty()));
                }
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            } finally {
                handle.release();
            }
        });
        if (!started) {
            handle.release();
            throw new ManagerClosedException("verify");
        }
        return result;
    }

    /** What is wrong with a published chunk's files, if anything; an unreadable chunk.json is a problem too. */
    private Optional<String> check(ChunkHandle handle) {
        try {
            StoredChunk stored = store.load(handle.dir());
            if (!stored.descriptor().equals(handle.descriptor())) {
                return Optional.of("chunk.json describes a different chunk than was published");
            }
            return store.verify(stored);
        } catch (IOException e) {
            return Optional.of("cannot verify " + handle.dir() + ": " + e.getMessage());
        }
    }

    @Override
    public AutoCloseable addListener(ChunkListener listener) {
        return events.add(listener);
    }

    @Override
    public ManagerStats stats() {
        EnumMap<ChunkState, Integer> counts = new EnumMap<>(ChunkState.class);
        for (ChunkState s : ChunkState.values()) {
            if (s != ChunkState.ABSENT) {
                counts.put(s, 0);
            }
        }
        long pendingDelete = reconciler.pendingDeleteBytes();
        for (Entry e : table.entries()) {
            counts.merge(e.state(), 1, Integer::sum);
            if (!e.desired() && e.phase() instanceof Phase.Stored s) {
                pendingDelete += s.handle().sizeBytes();
            }
        }
        return new ManagerStats(counts, stats.bytesDownloaded(), stats.files(), stats.retries(),
                stats.chunkDownloads(), stats.chunkDownloadNanos(), refs.active(), refs.leaked(), budget.used(),
                budget.reserved(), pendingDelete, startup);
    }

    @Override
    public void shutdown() {
        if (shutdown.compareAndSet(false, true)) {
            log.info("data manager shutting down dir={}", config.dataDir());
            reconciler.stop();
            table.cancelAll();
        }
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        if (!shutdown.get()) {
            throw new IllegalStateException("awaitTermination before shutdown");
        }
        boolean idle = reconciler.awaitIdle(timeout);
        if (idle && closed.compareAndSet(false, true)) {
            downloader.close();
            journal.close();
            events.close();
            directory.close();
            log.info("data manager closed dir={}", config.dataDir());
        }
        return idle;
    }

    @Override
    public void close() {
        shutdown();
        try {
            if (!awaitTermination(Duration.ofSeconds(30))) {
                log.warn("background tasks did not stop within 30s; closing anyway dir={}", config.dataDir());
                if (closed.compareAndSet(false, true)) {
                    downloader.close();
                    journal.close();
                    events.close();
                    directory.close();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests: how many chunk ids wait in the queue for a transfer slot. */
    int queuedForSlot() {
        return reconciler.queuedForSlot();
    }

    private void checkOpen(String what) {
        if (shutdown.get()) {
            throw new ManagerClosedException(what);
        }
    }

    private ChunkStatus statusOf(Entry e) {
        ChunkState state = e.state();
        long done = 0;
        long total = e.descriptor().declaredSize().orElse(0);
        int attempts = 0;
        Optional<String> lastError = Optional.empty();
        Optional<java.time.Instant> nextRetry = Optional.empty();
        Optional<java.nio.file.Path> path = Optional.empty();
        int refCount = 0;
        switch (e.phase()) {
            case Phase.Pending p -> lastError = p.lastError();
            case Phase.Downloading d -> {
                done = d.progress().bytesDone();
                total = Math.max(total, d.progress().bytesTotal());
                attempts = d.progress().attempts();
                lastError = d.progress().lastError();
                nextRetry = d.progress().nextRetryAt();
            }
            case Phase.Stored s -> {
                done = s.handle().sizeBytes();
                total = done;
                refCount = s.handle().refs();
                if (state == ChunkState.READY) {
                    path = Optional.of(s.handle().dir());
                }
            }
            case Phase.Removing r -> done = r.bytes();
            case Phase.Failed f -> {
                attempts = f.attempts();
                lastError = Optional.of(f.error());
            }
        }
        return new ChunkStatus(e.descriptor(), state, done, total, attempts, lastError, refCount, nextRetry, path);
    }
}
