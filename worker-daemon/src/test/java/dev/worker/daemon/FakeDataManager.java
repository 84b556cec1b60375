package dev.worker.daemon;

import dev.worker.core.AssignmentResult;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.ChunkListener;
import dev.worker.core.ChunkRef;
import dev.worker.core.ChunkState;
import dev.worker.core.ChunkStatus;
import dev.worker.core.ConflictingDescriptorException;
import dev.worker.core.DataManager;
import dev.worker.core.DatasetId;
import dev.worker.core.ManagerClosedException;
import dev.worker.core.ManagerStats;
import dev.worker.core.VerifyResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory {@link DataManager} for API tests: no disk, no network. Chunks become ready only when a test says
 * so ({@link #makeReady}); intents are durable at once unless a test holds or fails the journal.
 */
public final class FakeDataManager implements DataManager {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<ChunkId, Chunk> chunks = new java.util.HashMap<>();
    private final List<ChunkListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger openRefs = new AtomicInteger();
    private volatile Journal journal = Journal.DURABLE;
    private final List<CompletableFuture<?>> heldIntents = new CopyOnWriteArrayList<>();
    public final AtomicInteger intents = new AtomicInteger();
    /** Runs at the start of every {@link #find}, outside the lock: lets a test hold finds at a chosen point. */
    public volatile Runnable beforeFind = () -> {
    };

    public enum Journal { DURABLE, HOLD, FAIL }

    private static final class Chunk {
        ChunkDescriptor descriptor;
        ChunkState state;
        int refs;
        Path path;

        Chunk(ChunkDescriptor descriptor, ChunkState state) {
            this.descriptor = descriptor;
            this.state = state;
        }
    }

    public void journal(Journal mode) {
        this.journal = mode;
    }

    /** Completes the intents held while the journal was in HOLD mode. */
    @SuppressWarnings("unchecked")
    public void releaseHeldIntents() {
        for (CompletableFuture<?> f : heldIntents) {
            ((CompletableFuture<Object>) f).complete(f instanceof Assign a ? a.result : null);
        }
        heldIntents.clear();
    }

    private static final class Assign extends CompletableFuture<AssignmentResult> {
        final AssignmentResult result;

        Assign(AssignmentResult result) {
            this.result = result;
        }
    }

    public void makeReady(ChunkId id, Path path) {
        ChunkState before;
        lock.lock();
        try {
            Chunk c = chunks.get(id);
            before = c.state;
            c.state = ChunkState.READY;
            c.path = path.toAbsolutePath();
        } finally {
            lock.unlock();
        }
        fire(id, before, ChunkState.READY);
    }

    public void makeFailed(ChunkId id) {
        lock.lock();
        try {
            chunks.get(id).state = ChunkState.FAILED;
        } finally {
            lock.unlock();
        }
    }

    public int openRefs() {
        return openRefs.get();
    }

    private <T> CompletableFuture<T> intent(CompletableFuture<T> future, T value) {
        intents.incrementAndGet();
        switch (journal) {
            case DURABLE -> future.complete(value);
            case HOLD -> heldIntents.add(future);
            case FAIL -> future.completeExceptionally(new IOException("journal write failed: disk full"));
        }
        return future;
    }

    @Override
    public CompletableFuture<Void> download(ChunkDescriptor descriptor) {
        checkOpen("download");
        ChunkState before;
        lock.lock();
        try {
            Chunk c = chunks.get(descriptor.id());
            if (c != null && c.state != ChunkState.REMOVING && !c.descriptor.equals(descriptor)) {
                throw new ConflictingDescriptorException(c.descriptor, descriptor);
            }
            before = c == null ? ChunkState.ABSENT : c.state;
            if (c == null) {
                chunks.put(descriptor.id(), new Chunk(descriptor, ChunkState.QUEUED));
            } else if (c.state == ChunkState.REMOVING) {
                c.state = ChunkState.READY;
            } else if (c.state == ChunkState.FAILED) {
                c.state = ChunkState.QUEUED;
            }
        } finally {
            lock.unlock();
        }
        fire(descriptor.id(), before, status(descriptor.id()).map(ChunkStatus::state).orElse(ChunkState.ABSENT));
        return intent(new CompletableFuture<>(), null);
    }

    @Override
    public CompletableFuture<Void> delete(ChunkId id) {
        checkOpen("delete");
        deleteNow(id);
        return intent(new CompletableFuture<>(), null);
    }

    @Override
    public CompletableFuture<VerifyResult> verify(ChunkId id) {
        checkOpen("verify");
        return CompletableFuture.completedFuture(new VerifyResult(id, VerifyResult.Outcome.NOT_READY,
                Optional.empty()));
    }

    private void deleteNow(ChunkId id) {
        ChunkState before;
        ChunkState after;
        lock.lock();
        try {
            Chunk c = chunks.get(id);
            if (c == null) {
                return;
            }
            before = c.state;
            if (c.refs > 0) {
                c.state = ChunkState.REMOVING;
            } else {
                chunks.remove(id);
            }
            after = chunks.containsKey(id) ? c.state : ChunkState.ABSENT;
        } finally {
            lock.unlock();
        }
        fire(id, before, after);
    }

    @Override
    public CompletableFuture<AssignmentResult> assign(Collection<ChunkDescriptor> wanted) {
        checkOpen("assign");
        Set<ChunkId> ids = new HashSet<>();
        int download = 0;
        int keep = 0;
        lock.lock();
        try {
            Map<ChunkId, ChunkDescriptor> seen = new java.util.HashMap<>();
            for (ChunkDescriptor d : wanted) {
                ChunkDescriptor previous = seen.putIfAbsent(d.id(), d);
                if (previous != null && !previous.equals(d)) {
                    throw new IllegalArgumentException("the assignment names chunk " + d.id()
                            + " twice with different descriptors");
                }
                Chunk c = chunks.get(d.id());
                if (c != null && c.state != ChunkState.REMOVING && !c.descriptor.equals(d)) {
                    throw new ConflictingDescriptorException(c.descriptor, d);
                }
            }
            for (ChunkDescriptor d : seen.values()) {
                ids.add(d.id());
                Chunk c = chunks.get(d.id());
                if (c == null || c.state == ChunkState.REMOVING || c.state == ChunkState.FAILED) {
                    download++;
                } else {
                    keep++;
                }
            }
        } finally {
            lock.unlock();
        }
        int delete = 0;
        for (ChunkStatus s : statuses()) {
            if (!ids.contains(s.id()) && s.state() != ChunkState.REMOVING) {
                deleteNow(s.id());
                delete++;
            }
        }
        for (ChunkDescriptor d : wanted) {
            lock.lock();
            try {
                Chunk c = chunks.get(d.id());
                if (c == null) {
                    chunks.put(d.id(), new Chunk(d, ChunkState.QUEUED));
                } else if (c.state == ChunkState.REMOVING) {
                    c.state = ChunkState.READY;
                }
            } finally {
                lock.unlock();
            }
        }
        AssignmentResult result = new AssignmentResult(download, delete, keep);
        return intent(new Assign(result), result);
    }

    @Override
    public List<ChunkStatus> list() {
        return statuses().stream().filter(s -> s.state() == ChunkState.READY).toList();
    }

    @Override
    public List<ChunkStatus> statuses() {
        lock.lock();
        try {
            List<ChunkStatus> result = new ArrayList<>();
            for (Chunk c : chunks.values()) {
                result.add(statusOf(c));
            }
            result.sort(Comparator.comparing(ChunkStatus::id));
            return result;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<ChunkStatus> status(ChunkId id) {
        lock.lock();
        try {
            Chunk c = chunks.get(id);
            return c == null ? Optional.empty() : Optional.of(statusOf(c));
        } finally {
            lock.unlock();
        }
    }

    private static ChunkStatus statusOf(Chunk c) {
        long total = c.descriptor.declaredSize().orElse(0);
        long done = c.state == ChunkState.READY ? total : 0;
        return new ChunkStatus(c.descriptor, c.state, done, total, 0, Optional.empty(), c.refs, Optional.empty(),
                c.state == ChunkState.READY ? Optional.of(c.path) : Optional.empty());
    }

    @Override
    public Optional<ChunkRef> find(DatasetId dataset, long block) {
        checkOpen("find");
        beforeFind.run();
        lock.lock();
        try {
            for (Chunk c : chunks.values()) {
                if (c.state == ChunkState.READY && c.descriptor.datasetId().equals(dataset)
                        && c.descriptor.range().contains(block)) {
                    return Optional.of(newRef(c));
                }
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<ChunkRef> acquire(ChunkId id) {
        checkOpen("acquire");
        lock.lock();
        try {
            Chunk c = chunks.get(id);
            return c != null && c.state == ChunkState.READY ? Optional.of(newRef(c)) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    // Under lock.
    private ChunkRef newRef(Chunk c) {
        c.refs++;
        openRefs.incrementAndGet();
        AtomicBoolean refClosed = new AtomicBoolean();
        ChunkDescriptor descriptor = c.descriptor;
        Path path = c.path;
        return new ChunkRef() {
            @Override
            public ChunkId id() {
                return descriptor.id();
            }

            @Override
            public ChunkDescriptor descriptor() {
                return descriptor;
            }

            @Override
            public Path path() {
                if (refClosed.get()) {
                    throw new IllegalStateException("closed");
                }
                return path;
            }

            @Override
            public void close() {
                if (refClosed.compareAndSet(false, true)) {
                    openRefs.decrementAndGet();
                    boolean gone = false;
                    lock.lock();
                    try {
                        c.refs--;
                        if (c.refs == 0 && c.state == ChunkState.REMOVING) {
                            chunks.remove(descriptor.id());
                            gone = true;
                        }
                    } finally {
                        lock.unlock();
                    }
                    if (gone) {
                        fire(descriptor.id(), ChunkState.REMOVING, ChunkState.ABSENT);
                    }
                }
            }
        };
    }

    @Override
    public AutoCloseable addListener(ChunkListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void fire(ChunkId id, ChunkState from, ChunkState to) {
        if (from != to) {
            listeners.forEach(l -> l.onStateChange(id, from, to));
        }
    }

    @Override
    public ManagerStats stats() {
        EnumMap<ChunkState, Integer> counts = new EnumMap<>(ChunkState.class);
        for (ChunkState s : ChunkState.values()) {
            if (s != ChunkState.ABSENT) {
                counts.put(s, 0);
            }
        }
        statuses().forEach(s -> counts.merge(s.state(), 1, Integer::sum));
        return new ManagerStats(counts, 1234, Map.of("ok", 3L, "failed", 1L), Map.of("http_5xx", 2L), 3,
                3_000_000_000L, openRefs.get(), 0, 4096, 512, 0, Duration.ofMillis(42));
    }

    @Override
    public void shutdown() {
        closed.set(true);
    }

    @Override
    public boolean awaitTermination(Duration timeout) {
        return true;
    }

    @Override
    public void close() {
        shutdown();
    }

    public boolean isClosed() {
        return closed.get();
    }

    private void checkOpen(String what) {
        if (closed.get()) {
            throw new ManagerClosedException(what);
        }
    }
}
