package dev.worker.core;

import static java.util.Objects.requireNonNull;

import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out {@link ChunkRef}s over {@link ChunkHandle}s and releases the ones that become unreachable unclosed
 * (a shared {@link Cleaner}; the cleaning action holds the handle and a flag, never the ref).
 */
final class RefTracker {
    private static final Logger log = LoggerFactory.getLogger(RefTracker.class);
    private static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().daemon().name("chunk-ref-cleaner").factory());

    private final LongAdder active = new LongAdder();
    private final LongAdder leaked = new LongAdder();

    ChunkRef open(ChunkHandle acquired) {
        active.increment();
        return new Ref(acquired, this);
    }

    long active() {
        return active.sum();
    }

    long leaked() {
        return leaked.sum();
    }

    /** Runs once per ref: on close, or when the ref was collected unclosed. */
    private static final class Release implements Runnable {
        private final ChunkHandle handle;
        private final RefTracker tracker;
        private final AtomicBoolean closedByOwner = new AtomicBoolean();

        Release(ChunkHandle handle, RefTracker tracker) {
            this.handle = handle;
            this.tracker = tracker;
        }

        @Override
        public void run() {
            boolean leak = !closedByOwner.get();
            tracker.active.decrement();
            handle.release();
            if (leak) {
                // Counted last: whoever sees the leak counted sees the ref already released.
                log.warn("LEAK: a chunk ref was garbage-collected without close(); released it chunk={} dir={}",
                        handle.id(), handle.dir());
                tracker.leaked.increment();
            }
        }
    }

    private static final class Ref implements ChunkRef {
        private final ChunkHandle handle;
        private final Release release;
        private final Cleaner.Cleanable cleanable;

        Ref(ChunkHandle handle, RefTracker tracker) {
            this.handle = requireNonNull(handle, "handle");
            this.release = new Release(handle, tracker);
            this.cleanable = CLEANER.register(this, release);
        }

        @Override
        public ChunkId id() {
            checkOpen();
            return handle.id();
        }

        @Override
        public ChunkDescriptor descriptor() {
            checkOpen();
            return handle.descriptor();
        }

        @Override
        public Path path() {
            checkOpen();
            return handle.dir();
        }

        @Override
        public void close() {
            if (release.closedByOwner.compareAndSet(false, true)) {
                cleanable.clean();
            }
        }

        private void checkOpen() {
            if (release.closedByOwner.get()) {
                throw new IllegalStateException("chunk ref for " + handle.id() + " is closed");
            }
        }

        @Override
        public String toString() {
            return "ChunkRef[" + handle.id() + (release.closedByOwner.get() ? " closed]" : "]");
        }
    }
}
