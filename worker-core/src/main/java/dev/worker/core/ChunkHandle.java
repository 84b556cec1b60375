package dev.worker.core;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * One published instance of a chunk directory, with its reference count. The manager's publication is one bit,
 * each open {@link ChunkRef} one count:
 *
 * <pre>
 *   state = (refs &lt;&lt; 1) | published
 * </pre>
 *
 * New refs can be taken only while published. When the state reaches 0 (unpublished, no refs) the handle is
 * drained: terminal, and its directory may leave the disk. When the last ref's release drains it, {@code onDrained}
 * runs on the releasing thread.
 */
final class ChunkHandle {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ChunkHandle.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int PUBLISHED = 1;
    private static final int ONE_REF = 2;

    private final ChunkDescriptor descriptor;
    // The directory is parent/<id>; the parent is one shared instance (a Path per chunk costs ~250 bytes).
    private final Path parent;
    private final long sizeBytes;
    private final long seq;
    private final Consumer<ChunkHandle> onDrained;

    // INVARIANT: 0 is terminal. Nothing moves the state away from 0: acquiring needs the published bit, reviving
    // needs a non-zero state, and a release needs a ref (refs close at most once).
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state = PUBLISHED;
    // Set once when verification found the files damaged: the directory must never be published again.
    private volatile boolean corrupt;

    /** @param parent the directory holding the chunk's directory, which is named by the chunk id */
    ChunkHandle(ChunkDescriptor descriptor, Path parent, long sizeBytes, long seq, Consumer<ChunkHandle> onDrained) {
        this.descriptor = requireNonNull(descriptor, "descriptor");
        this.parent = requireNonNull(parent, "parent");
        this.sizeBytes = sizeBytes;
        this.seq = seq;
        this.onDrained = requireNonNull(onDrained, "onDrained");
    }

    ChunkDescriptor descriptor() {
        return descriptor;
    }

    ChunkId id() {
        return descriptor.id();
    }

    Path dir() {
        return parent.resolve(descriptor.id().toString());
    }

    long sizeBytes() {
        return sizeBytes;
    }

    /** Publication order: when ranges overlap, the higher sequence wins. */
    long seq() {
        return seq;
    }

    /** Takes a ref if the handle is published. */
    boolean tryAcquire() {
        int s = (int) STATE.getVolatile(this);
        while ((s & PUBLISHED) != 0) {
            int witness = (int) STATE.compareAndExchange(this, s, s + ONE_REF);
            if (witness == s) {
                return true;
            }
            s = witness;
        }
        return false;
    }

    /** Releases a ref taken by {@link #tryAcquire()}. */
    void release() {
        int now = (int) STATE.getAndAdd(this, -ONE_REF) - ONE_REF;
        if (now < 0) {
            throw new IllegalStateException("chunk " + id() + " released more often than acquired");
        }
        if (now == 0) {
            onDrained.accept(this);
        }
    }

    /**
     * Withdraws the publication: new refs fail from now on. Returns true when this drained the handle (no refs were
     * open). Unlike {@link #release()} it does not run {@code onDrained}: it is called inside the chunk table's
     * transitions, which act on the result themselves.
     */
    boolean unpublish() {
        int s = (int) STATE.getVolatile(this);
        while ((s & PUBLISHED) != 0) {
            int witness = (int) STATE.compareAndExchange(this, s, s & ~PUBLISHED);
            if (witness == s) {
                return s == PUBLISHED;
            }
            s = witness;
        }
        return false;
    }

    /** Publishes again an unpublished handle that still has refs (its directory is still in place). */
    boolean tryRevive() {
        int s = (int) STATE.getVolatile(this);
        while (s != 0 && (s & PUBLISHED) == 0) {
            int witness = (int) STATE.compareAndExchange(this, s, s | PUBLISHED);
            if (witness == s) {
                return true;
            }
            s = witness;
        }
        return (s & PUBLISHED) != 0;
    }

    void markCorrupt() {
        corrupt = true;
    }

    boolean isCorrupt() {
        return corrupt;
    }

    /**
     * The publication bit as of now. Not for deriving a chunk's state: a transition flips it before the entry
     * recording the change is visible, so readers of entries go by the phase ({@code Ready} or {@code Withdrawn}).
     */
    boolean isPublished() {
        return ((int) STATE.getVolatile(this) & PUBLISHED) != 0;
    }

    /** Unpublished with no refs: the directory may go. */
    boolean isDrained() {
        return (int) STATE.getVolatile(this) == 0;
    }

    int refs() {
        return (int) STATE.getVolatile(this) >>> 1;
    }

    @Override
    public String toString() {
        return "ChunkHandle[" + id() + " seq=" + seq + " state=" + (int) STATE.getVolatile(this) + "]";
    }
}
