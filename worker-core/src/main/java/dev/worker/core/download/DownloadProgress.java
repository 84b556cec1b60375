package dev.worker.core.download;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Live progress of one chunk's download: written by transfer threads, read by status calls from any thread.
 * Every read is a cheap volatile/atomic read.
 */
public final class DownloadProgress {
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong bytesTotal = new AtomicLong();
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final AtomicReference<Instant> nextRetryAt = new AtomicReference<>();
    private final AtomicBoolean transferring = new AtomicBoolean();
    private final Runnable onTransferring;

    public DownloadProgress() {
        this(() -> { });
    }

    /** @param onTransferring runs once, on the transfer thread, when the first file takes a transfer slot */
    public DownloadProgress(Runnable onTransferring) {
        this.onTransferring = requireNonNull(onTransferring, "onTransferring");
    }

    /** Bytes of the chunk's files on disk so far. */
    public long bytesDone() {
        return bytesDone.get();
    }

    /** Bytes expected in all (declared sizes, else Content-Lengths as they become known); 0 while unknown. */
    public long bytesTotal() {
        return bytesTotal.get();
    }

    /** Transfer attempts so far (1 for the first). */
    public int attempts() {
        return attempts.get();
    }

    public Optional<String> lastError() {
        return Optional.ofNullable(lastError.get());
    }

    /** When a file waiting after a transient error tries again. */
    public Optional<Instant> nextRetryAt() {
        return Optional.ofNullable(nextRetryAt.get());
    }

    /** True once any file transfer holds a transfer slot (before that the chunk is queued). */
    public boolean transferring() {
        return transferring.get();
    }

    /** Shows why the download has not started yet (e.g. waiting for disk space), until a transfer error replaces it. */
    public void waiting(String reason) {
        lastError.set(requireNonNull(reason, "reason"));
    }

    void addDone(long delta) {
        bytesDone.addAndGet(delta);
    }

    void addTotal(long delta) {
        bytesTotal.addAndGet(delta);
    }

    /** A download call starts: its first attempt. */
    void attemptStarted() {
        attempts.incrementAndGet();
    }

    /** A file is retried after {@code error}. */
    void retried(String error) {
        attempts.incrementAndGet();
        lastError.set(error);
    }

    void failed(String error) {
        lastError.set(error);
    }

    void waitingUntil(Instant at) {
        nextRetryAt.set(at);
    }

    /** The wait that ends at {@code at} is over (another file's later wait, if any, stays visible). */
    void waitOver(Instant at) {
        nextRetryAt.compareAndSet(at, null);
    }

    void markTransferring() {
        if (!transferring.get() && transferring.compareAndSet(false, true)) {
            onTransferring.run();
        }
    }
}
