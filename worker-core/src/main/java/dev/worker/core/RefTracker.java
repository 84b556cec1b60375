package dev.worker.core;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out {@link ChunkRef}s over {@link ChunkHandle}s and releases the ones that become unreachable unclosed.
 *
 * <p>Each open ref has a {@link Leak}: a phantom reference to it, kept strongly reachable in a slot of one of several
 * {@link Stripe}s until the ref closes. The garbage collector enqueues the leak of a ref dropped unclosed, and the
 * reaper thread releases it. This is what {@link java.lang.ref.Cleaner} does, minus its one list under one lock: two
 * threads finding chunks contended on that lock for every ref, which cost more than the lookup itself. Taking a
 * slot is one compare-and-set, and so is giving it back: a monitor enter and exit on each side cost twice that.
 *
 * <p>Invariant: a leak holds one slot from its creation until its release, and the compare-and-set that empties the
 * slot is the release: by {@link Ref#close()} or by the reaper, whichever comes first, and it releases the handle
 * exactly once.
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

    /** Refs open now (a count over the slots; exact when nothing opens or closes meanwhile). */
    long active() {
        long sum = 0;
        for (Stripe stripe : stripes) {
            sum += stripe.occupied();
        }
        return sum;
    }

    long leaked() {
        return leaked.sum();
    }

    /** For tests: how many slots the stripes hold, taken or free. */
    long slotCapacity() {
        long sum = 0;
        for (Stripe stripe : stripes) {
            for (Stripe.Block b = stripe.first; b != null; b = b.next) {
                sum += Stripe.Block.SLOTS;
            }
        }
        return sum;
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
     * Slots for the leaks of open refs: a chain of blocks that only grows, to the most refs ever open at once on the
     * stripe. {@code current} and each block's {@code hint} say where a free slot was last seen; they are hints only,
     * read and written without ordering, and a stale one costs a longer search, never a wrong result.
     */
    private static final class Stripe {
        private final Block first = new Block();
        private Block current = first;

        /** Puts {@code leak} in a free slot; returns its block and sets {@code slot[0]} to its index. */
        Block link(Leak leak, int[] slot) {
            Block b = current;
            while (true) {
                int i = b.claim(leak);
                if (i >= 0) {
                    if (current != b) {
                        current = b;
                    }
                    slot[0] = i;
                    return b;
                }
                b = b.nextOrNew();
            }
        }

        long occupied() {
            long n = 0;
            for (Block b = first; b != null; b = b.next) {
                n += b.occupied();
            }
            return n;
        }

        private final class Block {
            private static final int SLOTS = 64;
            private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Leak[].class);
            private static final VarHandle NEXT;

            static {
                try {
                    NEXT = MethodHandles.lookup().findVarHandle(Block.class, "next", Block.class);
                } catch (ReflectiveOperationException e) {
                    throw new ExceptionInInitializerError(e);
                }
            }

            private final Leak[] slots = new Leak[SLOTS];
            private volatile Block next;
            private int hint;

            /** Takes a free slot for {@code leak}, searching from the hint; -1 when every slot is taken. */
            int claim(Leak leak) {
                int from = hint;
                for (int k = 0; k < SLOTS; k++) {
                    int i = (from + k) & (SLOTS - 1);
                    if (SLOT.getOpaque(slots, i) == null && SLOT.compareAndSet(slots, i, null, leak)) {
                        hint = (i + 1) & (SLOTS - 1);
                        return i;
                    }
                }
                return -1;
            }

            /** Empties slot {@code i} if {@code leak} still holds it; true if this call did. */
            boolean clear(int i, Leak leak) {
                if (!SLOT.compareAndSet(slots, i, leak, null)) {
                    return false;
                }
                hint = i;
                if (current != this) {
                    current = this;
                }
                return true;
            }

            boolean holds(int i, Leak leak) {
                return SLOT.getAcquire(slots, i) == leak;
            }

            Block nextOrNew() {
                Block n = next;
                if (n == null) {
                    Block fresh = new Block();
                    n = (Block) NEXT.compareAndExchange(this, null, fresh);
                    if (n == null) {
                        n = fresh;
                    }
                }
                return n;
            }

            int occupied() {
                int n = 0;
                for (int i = 0; i < SLOTS; i++) {
                    if (SLOT.getAcquire(slots, i) != null) {
                        n++;
                    }
                }
                return n;
            }
        }
    }

    /** What releases one ref; never holds the ref itself (only the garbage collector's phantom link to it). */
    private static final class Leak extends PhantomReference<Ref> {
        final ChunkHandle handle;
        final RefTracker tracker;
        // Set once, after the slot holds this leak; read only by the ref's close() and by the reaper, both of which
        // come after the constructor (the ref is returned after it; the collector enqueues it after that).
        private final Stripe.Block block;
        private final int slot;

        Leak(Ref ref, ChunkHandle handle, RefTracker tracker) {
            super(ref, DROPPED);
            this.handle = handle;
            this.tracker = tracker;
            int[] where = new int[1];
            this.block = tracker.stripes[(int) Thread.currentThread().threadId() & (STRIPE_COUNT - 1)]
                    .link(this, where);
            this.slot = where[0];
        }

        boolean isReleased() {
            return !block.holds(slot, this);
        }

        /** Releases the ref if nobody did yet; true if this call did. */
        boolean release() {
            if (!block.clear(slot, this)) {
                return false;
            }
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
            // This ref stays reachable until its release is done: else the collector could find it unreachable
            // mid-close, and the reaper, emptying the slot first, would report a leak that is not one.
            Reference.reachabilityFence(this);
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
