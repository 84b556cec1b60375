package dev.worker.core.download;

import java.time.Instant;
import java.util.Optional;

/**
 * Live progress of one chunk's download: written by transfer threads, read by status calls from any thread.
 * Every read is a cheap volatile/atomic read.
 */
public final class DownloadProgress {
    public DownloadProgress() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Bytes of the chunk's files on disk so far. */
    public long bytesDone() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Bytes expected in all (declared sizes, else Content-Lengths as they become known); 0 while unknown. */
    public long bytesTotal() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Transfer attempts so far (1 for the first). */
    public int attempts() {
        throw new UnsupportedOperationException("TODO");
    }

    public Optional<String> lastError() {
        throw new UnsupportedOperationException("TODO");
    }

    /** When a file waiting after a transient error tries again. */
    public Optional<Instant> nextRetryAt() {
        throw new UnsupportedOperationException("TODO");
    }

    /** True once any file transfer holds a transfer slot (before that the chunk is queued). */
    public boolean transferring() {
        throw new UnsupportedOperationException("TODO");
    }
}
