package dev.worker.core.download;

/**
 * A one-way cancel signal for one chunk's background work. {@link #cancel()} is idempotent, never blocks and runs
 * each registered action exactly once (at once when registered after cancellation).
 */
public final class Cancellation {
    public Cancellation() {
        throw new UnsupportedOperationException("TODO");
    }

    public void cancel() {
        throw new UnsupportedOperationException("TODO");
    }

    public boolean isCancelled() {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Runs {@code action} on cancellation (on the cancelling thread; it must be quick and must not throw). Closing
     * the returned handle unregisters it.
     */
    public AutoCloseable onCancel(Runnable action) {
        throw new UnsupportedOperationException("TODO");
    }
}
