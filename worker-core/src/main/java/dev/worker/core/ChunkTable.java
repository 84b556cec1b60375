package dev.worker.core;

import static java.util.Objects.requireNonNull;

import dev.worker.core.download.Cancellation;
import dev.worker.core.download.DownloadProgress;
import dev.worker.core.store.Intent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The one owner of the chunk entries. Every change goes through {@code entries.compute} with a function from
 * {@link Transitions}; the effects it returns (start a task, cancel a transfer) run after the compute.
 *
 * <p>INVARIANT: intents (download, delete, assign) change entries and are appended to the journal under
 * {@link #intentLock}, so the journal's order is the order in which they took effect, and replaying it rebuilds the
 * same desired state. Nothing under the lock does I/O: the journal append only queues. Background tasks change
 * entries without the lock: they never change what is desired.
 */
final class ChunkTable implements Transitions.Memory {
    /** Where accepted intents go (the journal); the future completes when the intent is durable. */
    @FunctionalInterface
    interface IntentSink {
        CompletableFuture<Void> append(Intent intent);
    }

    private final ConcurrentHashMap<ChunkId, Entry> entries;
    private final FindIndex index = new FindIndex();
    private final AtomicLong handleSeq = new AtomicLong();
    private final ReentrantLock intentLock = new ReentrantLock();
    private final IntentSink journal;
    private final ListenerBus events;
    private final Consumer<ChunkId> startTask;
    private final Consumer<ChunkHandle> onDrained = this::drained;
    private volatile Path chunksParent;
    // Guarded by intentLock: completes when every append so far is durable, exceptionally if any of them failed. An
    // intent that changes nothing answers with it: what it asks for is durable once everything before it is.
    private CompletableFuture<Void> allAppends = CompletableFuture.completedFuture(null);
    // Set for good once an append failed (e.g. the disk was full). The failed intent still took effect in memory, so
    // from then on "changes nothing" no longer means "already journaled": such intents are journaled again, which
    // makes a client's retry of a 503 durable (and answerable) instead of failing or being acknowledged unjournaled.
    private volatile boolean appendFailed;

    ChunkTable(IntentSink journal, ListenerBus events, Consumer<ChunkId> startTask) {
        this(journal, events, startTask, 16);
    }

    /** @param expectedChunks how many chunks the table starts with (sizes the map once instead of growing it) */
    ChunkTable(IntentSink journal, ListenerBus events, Consumer<ChunkId> startTask, int expectedChunks) {
        this.entries = new ConcurrentHashMap<>(Math.max(16, expectedChunks * 4 / 3 + 1));
        this.journal = requireNonNull(journal, "journal");
        this.events = requireNonNull(events, "events");
        this.startTask = requireNonNull(startTask, "startTask");
    }

    // ---- intents ---------------------------------------------------------------------------------------------

    CompletableFuture<Void> download(ChunkDescriptor descriptor) {
        requireNonNull(descriptor, "descriptor");
        Transitions.CallResult result;
        CompletableFuture<Void> durable;
        intentLock.lock();
        try {
            result = apply(descriptor.id(), e -> Transitions.download(e, descriptor, this));
            durable = result.changed() || appendFailed ? append(new Intent.Download(descriptor)) : allAppends;
        } finally {
            intentLock.unlock();
        }
        act(descriptor.id(), result);
        return durable;
    }

    CompletableFuture<Void> delete(ChunkId id) {
        requireNonNull(id, "id");
        Transitions.CallResult result;
        CompletableFuture<Void> durable;
        intentLock.lock();
        try {
            result = apply(id, e -> Transitions.delete(e, this));
            durable = result.changed() || appendFailed ? append(new Intent.Delete(id)) : allAppends;
        } finally {
            intentLock.unlock();
        }
        act(id, result);
        return durable;
    }

    /** The result and the future completing when the assignment is durable. */
    record Assigned(AssignmentResult result, CompletableFuture<Void> durable) {
    }

    Assigned assign(Collection<ChunkDescriptor> chunks) {
        Map<ChunkId, ChunkDescriptor> wanted = new LinkedHashMap<>();
        for (ChunkDescriptor d : chunks) {
            ChunkDescriptor previous = wanted.putIfAbsent(requireNonNull(d, "descriptor").id(), d);
            if (previous != null && !previous.equals(d)) {
                throw new IllegalArgumentException("the assignment names chunk " + d.id()
                        + " twice with different descriptors");
            }
        }
        List<Map.Entry<ChunkId, Transitions.CallResult>> effects = new ArrayList<>();
        int download = 0;
        int keep = 0;
        int delete = 0;
        CompletableFuture<Void> durable;
        intentLock.lock();
        try {
            // Check everything first, so a conflict changes nothing.
            for (ChunkDescriptor d : wanted.values()) {
                Entry e = entries.get(d.id());
                if (e != null && e.desired() && !e.descriptor().equals(d)) {
                    throw new ConflictingDescriptorException(e.descriptor(), d);
                }
            }
            for (ChunkDescriptor d : wanted.values()) {
                Entry before = entries.get(d.id());
                boolean kept = before != null && before.desired() && !(before.phase() instanceof Phase.Failed);
                Transitions.CallResult r = apply(d.id(), e -> Transitions.download(e, d, this));
                effects.add(Map.entry(d.id(), r));
                if (kept) {
                    keep++;
                } else {
                    download++;
                }
            }
            for (Map.Entry<ChunkId, Entry> e : entries.entrySet()) {
                if (e.getValue().desired() && !wanted.containsKey(e.getKey())) {
                    Transitions.CallResult r = apply(e.getKey(), x -> Transitions.delete(x, this));
                    if (r.changed()) {
                        delete++;
                        effects.add(Map.entry(e.getKey(), r));
                    }
                }
            }
            durable = append(new Intent.Assign(List.copyOf(wanted.values())));
        } finally {
            intentLock.unlock();
        }
        effects.forEach(e -> act(e.getKey(), e.getValue()));
        return new Assigned(new AssignmentResult(download, delete, keep), durable);
    }

    // Guarded by intentLock.
    private CompletableFuture<Void> append(Intent intent) {
        CompletableFuture<Void> appended = journal.append(intent);
        appended.whenComplete((v, failure) -> {
            if (failure != null) {
                appendFailed = true;
            }
        });
        allAppends = allAppends.thenCombine(appended, (x, y) -> null);
        return appended;
    }

    // ---- background tasks and refs ---------------------------------------------------------------------------

    /** The owning task's next step (see {@link Transitions#next}). */
    Transitions.Step next(ChunkId id, Transitions.Report report, boolean stopping) {
        Transitions.TaskResult[] out = new Transitions.TaskResult[1];
        entries.compute(id, (k, e) -> {
            ChunkState from = stateOf(e);
            Transitions.TaskResult r = Transitions.next(e, report, stopping, this);
            out[0] = r;
            events.emit(k, from, stateOf(r.next()));
            return r.next();
        });
        return out[0].step();
    }

    /**
     * The task just started for {@code id} would begin with a fresh download while every transfer slot is busy: give
     * up its ownership, so that the chunk waits queued with no thread. True if it did (the entry was still a fresh,
     * desired, pending download owned by that task). State and events do not change: the chunk is queued either way.
     */
    boolean deferDownload(ChunkId id) {
        return changeIf(id, e -> e.taskActive() && e.desired() && e.phase() instanceof Phase.Pending p
                && p.partialDir().isEmpty(), e -> e.withTask(false));
    }

    /** Takes the task of a chunk deferred by {@link #deferDownload} back; true if it still waited (then start it). */
    boolean claimDeferred(ChunkId id) {
        return changeIf(id, e -> !e.taskActive() && e.desired() && e.phase() instanceof Phase.Pending,
                e -> e.withTask(true));
    }

    /** Replaces the entry with {@code change} of it if {@code when} holds; true if it did. Emits no event. */
    private boolean changeIf(ChunkId id, Predicate<Entry> when, UnaryOperator<Entry> change) {
        boolean[] changed = new boolean[1];
        entries.computeIfPresent(id, (k, e) -> {
            changed[0] = when.test(e);
            return changed[0] ? change.apply(e) : e;
        });
        return changed[0];
    }

    /** A task died of an unexpected error: give up ownership so a later request can start a new one. */
    void abandonTask(ChunkId id) {
        entries.computeIfPresent(id, (k, e) -> e.withTask(false));
    }

    /** Withdraws a handle whose files were found damaged. */
    void corrupt(ChunkHandle handle) {
        act(handle.id(), apply(handle.id(), e -> Transitions.corrupt(e, handle, this)));
    }

    private void drained(ChunkHandle handle) {
        act(handle.id(), apply(handle.id(), e -> Transitions.drained(e, handle)));
    }

    // ---- startup ---------------------------------------------------------------------------------------------

    /**
     * A published chunk found on disk. Returns its handle: published when desired (then the caller indexes it with
     * {@link #indexAll}, in bulk), else unpublished and handed to a task for removal.
     */
    ChunkHandle loadReady(ChunkDescriptor desired, ChunkDescriptor onDisk, Path dir, long sizeBytes) {
        ChunkHandle handle = newHandle(onDisk, dir, sizeBytes);
        boolean wanted = desired != null;
        if (!wanted) {
            handle.unpublish();
        }
        Phase phase = wanted ? new Phase.Ready(handle) : new Phase.Withdrawn(handle);
        Entry entry = new Entry(wanted ? desired : onDisk, wanted, phase, !wanted);
        entries.put(onDisk.id(), entry);
        if (!wanted) {
            startTask.accept(onDisk.id());
        }
        return handle;
    }

    /** Indexes the published handles loaded at startup. */
    void indexAll(Collection<ChunkHandle> handles) {
        index.addAll(handles);
    }

    /** A desired chunk that is not on disk (a partial download may be). */
    void loadPending(ChunkDescriptor desired, Path partialDir) {
        Phase.Pending pending = new Phase.Pending(java.util.Optional.ofNullable(partialDir),
                java.util.Optional.empty());
        entries.put(desired.id(), new Entry(desired, true, pending, true));
        startTask.accept(desired.id());
    }

    // ---- reads -----------------------------------------------------------------------------------------------

    Entry get(ChunkId id) {
        return entries.get(id);
    }

    /**
     * The entry once any transition of it already under way has finished. A transition changes the find index and
     * handles before its entry is visible, so a reader holding a ref from {@link #find} may see the entry before the
     * one that published it with {@link #get}; with this it sees that entry or a later one. Waits only for a
     * transition (memory only), never for I/O.
     */
    Entry settled(ChunkId id) {
        Entry[] out = new Entry[1];
        entries.computeIfPresent(id, (k, e) -> {
            out[0] = e;
            return e;
        });
        return out[0];
    }

    Collection<Entry> entries() {
        return entries.values();
    }

    /**
     * Every entry, each one read no earlier than a ref found before this call could show it: an entry not read as
     * {@link Phase.Ready} may be the one a publish under way is replacing, so it is read again through
     * {@link #settled}; a Ready one is already at least as new as its publish. Entries forgotten meanwhile are left
     * out.
     */
    List<Entry> settledEntries() {
        List<Entry> out = new ArrayList<>(entries.size());
        for (Map.Entry<ChunkId, Entry> e : entries.entrySet()) {
            Entry entry = e.getValue();
            if (!(entry.phase() instanceof Phase.Ready)) {
                entry = settled(e.getKey());
            }
            if (entry != null) {
                out.add(entry);
            }
        }
        return out;
    }

    int size() {
        return entries.size();
    }

    /** Acquired handle or null. */
    ChunkHandle find(DatasetId dataset, long block) {
        return index.find(dataset, block);
    }

    /** Acquired handle of a ready chunk, or null. */
    ChunkHandle acquire(ChunkId id) {
        Entry e = entries.get(id);
        if (e != null && e.phase() instanceof Phase.Ready r && r.handle().tryAcquire()) {
            return r.handle();
        }
        return null;
    }

    /** Cancels every transfer in flight (shutdown). */
    void cancelAll() {
        for (Entry e : entries.values()) {
            if (e.phase() instanceof Phase.Downloading(var progress, Cancellation cancel)) {
                cancel.cancel();
            }
        }
    }

    // ---- Transitions.Memory ----------------------------------------------------------------------------------

    @Override
    public void indexAdd(ChunkHandle handle) {
        index.add(handle);
    }

    @Override
    public void indexRemove(ChunkHandle handle) {
        index.remove(handle);
    }

    @Override
    public DownloadProgress newProgress(ChunkId id) {
        DownloadProgress[] self = new DownloadProgress[1];
        self[0] = new DownloadProgress(() -> transferStarted(id, self[0]));
        return self[0];
    }

    /**
     * The first transfer slot was taken: queued becomes downloading. Nothing in the entry changes (the state is
     * read from the progress), but the event is emitted inside compute to keep the chunk's events in order.
     */
    private void transferStarted(ChunkId id, DownloadProgress progress) {
        entries.computeIfPresent(id, (k, e) -> {
            if (e.desired() && e.phase() instanceof Phase.Downloading d && d.progress() == progress) {
                events.emit(k, ChunkState.QUEUED, e.state());
            }
            return e;
        });
    }

    @Override
    public ChunkHandle newHandle(ChunkDescriptor descriptor, Path dir, long sizeBytes) {
        // INVARIANT: a chunk directory is named by its id (the store publishes and scans only such directories).
        assert dir.getFileName().toString().equals(descriptor.id().toString()) : dir;
        return new ChunkHandle(descriptor, sharedParent(dir.getParent()), sizeBytes, handleSeq.incrementAndGet(),
                onDrained);
    }

    /** One Path instance for the chunks' parent directory (there is one: chunks/), shared by all handles. */
    private Path sharedParent(Path parent) {
        Path known = chunksParent;
        if (parent.equals(known)) {
            return known;
        }
        chunksParent = parent;
        return parent;
    }

    // ---- plumbing --------------------------------------------------------------------------------------------

    private Transitions.CallResult apply(ChunkId id, Function<Entry, Transitions.CallResult> transition) {
        Transitions.CallResult[] out = new Transitions.CallResult[1];
        entries.compute(id, (k, e) -> {
            ChunkState from = stateOf(e);
            Transitions.CallResult r = transition.apply(e);
            out[0] = r;
            events.emit(k, from, stateOf(r.next()));
            return r.next();
        });
        return out[0];
    }

    // Events are queued inside compute, so that a chunk's events are in the order of its transitions (queueing
    // never blocks). The state before is read before the transition runs: it may change handles.
    private static ChunkState stateOf(Entry e) {
        return e == null ? ChunkState.ABSENT : e.state();
    }

    private void act(ChunkId id, Transitions.CallResult result) {
        if (result.cancel() != null) {
            result.cancel().cancel();
        }
        if (result.startTask()) {
            startTask.accept(id);
        }
    }
}
