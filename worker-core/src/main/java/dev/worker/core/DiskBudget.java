package dev.worker.core;

import static java.util.Objects.requireNonNull;

import dev.worker.core.download.Cancellation;
import dev.worker.core.download.DiskSpace;
import java.io.IOException;
import java.nio.file.FileStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The data directory's byte budget: bytes used by published chunks (until their removal finishes) plus bytes
 * reserved for downloads in progress must stay within {@code maxBytes} (0: no limit), and the file system must keep
 * {@code minFreeBytes} free. A download that does not fit waits (queued) until removals free room.
 */
final class DiskBudget {
    /** How often a waiting download re-reads the file system's free space (others may free it). */
    private static final Duration RECHECK = Duration.ofSeconds(1);

    private final long maxBytes;
    private final long minFreeBytes;
    private final LongSupplier usableSpace;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // INVARIANT (guarded by lock): used >= 0, reserved >= 0; reserved is the sum of the open reservations.
    private long used;
    private long reserved;

    DiskBudget(long maxBytes, long minFreeBytes, LongSupplier usableSpace) {
        this.maxBytes = maxBytes;
        this.minFreeBytes = minFreeBytes;
        this.usableSpace = requireNonNull(usableSpace, "usableSpace");
    }

    /** A budget reading the free space of {@code store} (0 when it cannot be read: then only the limit applies). */
    static LongSupplier usableSpaceOf(FileStore store) {
        return () -> {
            try {
                return store.getUsableSpace();
            } catch (IOException e) {
                return Long.MAX_VALUE;
            }
        };
    }

    /** The bytes never fit: larger than the whole limit. */
    static final class TooLargeException extends Exception {
        private static final long serialVersionUID = 1L;

        TooLargeException(long bytes, long maxBytes) {
            super("needs " + bytes + " bytes but the disk budget (--max-disk) is " + maxBytes + " bytes in all");
        }
    }

    /** Reserved bytes of one download; also the {@link DiskSpace} its downloader reserves more through. */
    final class Reservation implements DiskSpace {
        // INVARIANT (guarded by lock): bytes is this reservation's share of `reserved`; released once.
        private long bytes;
        private boolean released;

        private Reservation(long bytes) {
            this.bytes = bytes;
        }

        @Override
        public boolean tryReserve(long more) {
            long usable = usableSpace.getAsLong();
            lock.lock();
            try {
                if (released || !fits(more, usable)) {
                    return false;
                }
                bytes += more;
                reserved += more;
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** Gives the bytes back (download ended without publishing). Idempotent. */
        void release() {
            settle(0);
        }

        /** Turns the reservation into {@code publishedBytes} used bytes. Idempotent. */
        void settle(long publishedBytes) {
            lock.lock();
            try {
                if (released) {
                    return;
                }
                released = true;
                reserved -= bytes;
                used += publishedBytes;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Reserves {@code bytes}, waiting while they do not fit.
     *
     * @return the reservation, or null when {@code cancel} fired while waiting
     * @param onWait told once, when the download starts waiting, why
     */
    Reservation reserve(long bytes, Cancellation cancel, Consumer<String> onWait)
            throws InterruptedException, TooLargeException {
        if (maxBytes > 0 && bytes > maxBytes) {
            throw new TooLargeException(bytes, maxBytes);
        }
        boolean told = false;
        AutoCloseable wake = cancel.onCancel(this::wakeAll);
        try {
            while (!cancel.isCancelled()) {
                long usable = usableSpace.getAsLong();
                lock.lock();
                try {
                    if (fits(bytes, usable)) {
                        reserved += bytes;
                        return new Reservation(bytes);
                    }
                    if (!told) {
                        told = true;
                        onWait.accept(describeShortfall(bytes, usable));
                    }
                    changed.await(RECHECK.toMillis(), TimeUnit.MILLISECONDS);
                } finally {
                    lock.unlock();
                }
            }
            return null;
        } finally {
            closeQuietly(wake);
        }
    }

    private static void closeQuietly(AutoCloseable registration) {
        try {
            registration.close();
        } catch (Exception e) {
            throw new IllegalStateException("unregistering a cancel action failed", e);
        }
    }

    /** Published bytes known at startup. */
    void addUsed(long bytes) {
        lock.lock();
        try {
            used += bytes;
        } finally {
            lock.unlock();
        }
    }

    /** A removed chunk's bytes left the disk. */
    void removeUsed(long bytes) {
        lock.lock();
        try {
            used = Math.max(0, used - bytes);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long used() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    long reserved() {
        lock.lock();
        try {
            return reserved;
        } finally {
            lock.unlock();
        }
    }

    private void wakeAll() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // Guarded by lock.
    private boolean fits(long bytes, long usable) {
        boolean underLimit = maxBytes == 0 || used + reserved + bytes <= maxBytes;
        // Reserved bytes are not all written yet; count them as about to be, so parallel downloads cannot
        // together go below the floor.
        boolean aboveFloor = usable == Long.MAX_VALUE || usable - reserved - bytes >= minFreeBytes;
        return underLimit && aboveFloor;
    }

    // Guarded by lock.
    private String describeShortfall(long bytes, long usable) {
        if (maxBytes > 0 && used + reserved + bytes > maxBytes) {
            return "waiting for disk budget: needs " + bytes + " bytes, " + used + " used and " + reserved
                    + " reserved of --max-disk " + maxBytes;
        }
        return "waiting for free space: needs " + bytes + " bytes, " + usable + " free, " + reserved
                + " reserved, floor " + minFreeBytes;
    }
}
