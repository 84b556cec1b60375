package dev.worker.core.download;

import static java.util.Objects.requireNonNull;

import dev.worker.core.FileDigest;
import java.util.Map;

/** How a chunk download ended. Transient errors never end it: they are retried until success or cancellation. */
public sealed interface DownloadOutcome {
    /** Every file is complete, verified and fsync'd in the download directory. */
    record Completed(Map<String, FileDigest> files) implements DownloadOutcome {
        public Completed {
            files = Map.copyOf(requireNonNull(files, "files"));
        }

        public long totalSize() {
            return files.values().stream().mapToLong(FileDigest::size).sum();
        }
    }

    /**
     * A permanent error (HTTP 4xx other than 408/429, checksum mismatch after a clean re-download, declared size
     * wrong). {@code reason} is a snake_case code, {@code message} says what and why (file, URL, status).
     */
    record Failed(String file, String reason, String message) implements DownloadOutcome {
        public Failed {
            requireNonNull(file, "file");
            requireNonNull(reason, "reason");
            requireNonNull(message, "message");
        }
    }

    /** The cancellation fired. Partial files stay in the directory (the caller decides whether to keep them). */
    record Cancelled() implements DownloadOutcome {
    }
}
