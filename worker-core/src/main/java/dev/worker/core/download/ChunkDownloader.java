package dev.worker.core.download;

import dev.worker.core.ChunkDescriptor;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Downloads chunks over HTTP(S): one shared JDK HttpClient on virtual threads, a global fair semaphore bounding file
 * transfers, all files of a chunk in parallel, streaming to disk with SHA-256 on the way, resume with Range/If-Range,
 * stall timeout, Retry-After, optional bandwidth cap. Thread-safe; one instance per manager.
 */
public final class ChunkDownloader implements AutoCloseable {
    public ChunkDownloader(DownloadSettings settings, DownloadListener listener, Clock clock) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Downloads every file of {@code descriptor} into {@code dir} (file names as in the descriptor), resuming any
     * partial files already there. Blocks until done: call it from a virtual thread. Transient errors are retried
     * with backoff until success or cancellation. Completed files are fsync'd.
     */
    public DownloadOutcome download(ChunkDescriptor descriptor, Path dir, DownloadProgress progress,
            Cancellation cancel, DiskSpace space) throws InterruptedException {
        throw new UnsupportedOperationException("TODO");
    }

    /** Closes the HTTP client; transfers in flight end as cancelled. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("TODO");
    }
}
