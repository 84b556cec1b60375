package dev.worker.core;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out {@link ChunkRef}s over {@link ChunkHandle}s and releases the ones that become unreachable unclosed.
 *
 * <p>Each open ref has a {@link Leak}: a phantom reference to it, kept strongly reachable in one of several
 * {@link Stripe}s until the ref closes. The garbage collector enqueues the leak of a ref dropped unclosed, and the
 * reaper thread releases it. This is what {@link java.lang.ref.Cleaner} does, minus its one list under one lock: two
 * threads finding chunks contended on that lock for every ref, which cost more than the lookup itself.
 *
 * <p>Invariant: a leak's {@code state} goes from open to released once, by {@link Ref#close()} or by the reaper,
 * and whichever does it unlinks the leak (which counts it closed) and releases the handle, exactly once.
 */
final class RefTracker {
    private static final Logger log = LoggerFactory.getLogger(RefTracker.class);
    private static final ReferenceQueue<Ref> DROPPED = new ReferenceQueue<>();
    private static final int STRIPE_COUNT =
            Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 4 - 1)) * 2;

    static {
        Thread.ofPlatform().daemon().name("chunk-ref-reaper").start(RefTracker::reap);
    }

    private final Stripe[] stripes = newStripes(STRIPE_COUNT);
    private final LongAdder leaked = new LongAdder();

    ChunkRef open(ChunkHandle acquired) {
        return new Ref(acquired, this);
    }

    /** Refs open now (a sum over the stripes; exact when nothing opens or closes meanwhile). */
    long active() {
        long sum = 0;
        for (Stripe stripe : stripes) {
            sum += stripe.open();
        }
        return sum;
    }

    long leaked() {
        return leaked.sum();
    }

    private static void reap() {
        while (true) {
            try {
                Leak leak = (Leak) DROPPED.remove();
                if (leak.release()) {
                    // Counted last: whoever sees the leak counted sees the ref already released.
                    log.warn("LEAK: a chunk ref was garbage-collected without close(); released it chunk={} dir={}",
                            leak.handle.id(), leak.handle.dir());
                    leak.tracker.leaked.increment();
                }
            } catch (InterruptedException e) {
                // A daemon thread for the life of the process: nothing asks it to stop.
                log.debug("chunk ref reaper interrupted; going on");
            } catch (RuntimeException e) {
                log.error("releasing a leaked chunk ref failed", e);
            }
        }
    }

    private static Stripe[] newStripes(int count) {
        Stripe[] stripes = new Stripe[count];
        for (int i = 0; i < count; i++) {
            stripes[i] = new Stripe();
        }
        return stripes;
    }

    /**
     * A doubly linked list of open leaks and their count. Guarded by its own monitor, held for a few pointer writes
     * (no I/O, no calls out).
     */
    private static final class Stripe {
        private Leak head;
        private long open;

        synchronized long open() {
            return open;
        }

        synchronized void link(Leak leak) {
            open++;
            leak.next = head;
            if (head != null) {
                head.prev = leak;
            }
            head = leak;
        }

        synchronized void unlink(Leak leak) {
            open--;
            if (leak.prev != null) {
                leak.prev.next = leak.next;
            } else {
                head = leak.next;
            }
            if (leak.next != null) {
                leak.next.prev = leak.prev;
            }
            leak.prev = null;
            leak.next = null;
        }
    }

    /** What releases one ref; never holds the ref itself (only the garbage collector's phantom link to it). */
    private static final class Leak extends PhantomReference<Ref> {
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Leak.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final ChunkHandle handle;
        final RefTracker tracker;
        final Stripe stripe;
        Leak prev; // guarded by stripe
        Leak next; // guarded by stripe
        @SuppressWarnings("unused") // through STATE: 0 open, 1 released
        private volatile int state;

        Leak(Ref ref, ChunkHandle handle, RefTracker tracker) {
            super(ref, DROPPED);
            this.handle = handle;
            this.tracker = tracker;
            this.stripe = tracker.stripes[(int) Thread.currentThread().threadId() & (STRIPE_COUNT - 1)];
            stripe.link(this);
        }

        boolean isReleased() {
            return (int) STATE.getAcquire(this) != 0;
        }

        /** Releases the ref if nobody did yet; true if this call did. */
        boolean release() {
            if (!STATE.compareAndSet(this, 0, 1)) {
                return false;
            }
            stripe.unlink(this);
            handle.release();
            return true;
        }
    }

    private static final class Ref implements ChunkRef {
        private final ChunkHandle handle;
        private final Leak leak;

        Ref(ChunkHandle handle, RefTracker tracker) {
            this.handle = requireNonNull(handle, "handle");
            this.leak = new Leak(this, handle, tracker);
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
            leak.release();
        }

        private void checkOpen() {
            if (leak.isReleased()) {
                throw new IllegalStateException("chunk ref for " + handle.id() + " is closed");
            }
        }

        @Override
        public String toString() {
            return "ChunkRef[" + handle.id() + (leak.isReleased() ? " closed]" : "]");
        }
    }
}
