package dev.worker.core.download;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Semaphore;

/**
 * The transfer slots that one downloader's file transfers share (a fair semaphore), and a hook run each time a
 * transfer gives its slot back, so that a chunk waiting for a slot without a thread of its own can be started.
 */
final class TransferSlots {
    private static final Runnable NOTHING = () -> {
    };

    private final Semaphore permits;
    private volatile Runnable onFreed = NOTHING;

    TransferSlots(int count) {
        this.permits = new Semaphore(count, true);
    }

    /** Takes a slot for a transfer, waiting in arrival order. */
    void acquire() throws InterruptedException {
        permits.acquire();
    }

    /** Gives back a slot taken by {@link #acquire()}, then runs the hook. */
    void release() {
        permits.release();
        onFreed.run();
    }

    /** Waits until a slot is free and leaves it free (the hook does not run: nothing was given back). */
    void awaitFree() throws InterruptedException {
        permits.acquire();
        permits.release();
    }

    /** Whether a slot is free now (a hint: another transfer may take it at once). */
    boolean hasFree() {
        return permits.availablePermits() > 0;
    }

    /** Transfers waiting for a slot (an estimate, as {@link Semaphore#getQueueLength()}). */
    int queueLength() {
        return permits.getQueueLength();
    }

    /** Sets the hook run after each {@link #release()}; it must be cheap and must not block. */
    void onFreed(Runnable hook) {
        this.onFreed = requireNonNull(hook, "hook");
    }
}
