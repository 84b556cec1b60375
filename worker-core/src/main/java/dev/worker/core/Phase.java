package dev.worker.core;

import static java.util.Objects.requireNonNull;

import dev.worker.core.download.Cancellation;
import dev.worker.core.download.DownloadProgress;
import java.nio.file.Path;
import java.util.Optional;

/** What is on disk for a chunk and what its background task is doing. Values only; see {@link Transitions}. */
sealed interface Phase {
    /** Nothing published; a download is to start, resuming {@code partialDir} when present. */
    record Pending(Optional<Path> partialDir, Optional<String> lastError) implements Phase {
        static final Pending FRESH = new Pending(Optional.empty(), Optional.empty());

        public Pending {
            requireNonNull(partialDir, "partialDir");
            requireNonNull(lastError, "lastError");
        }
    }

    /** The task is transferring (or waiting for a slot, disk space or a retry), then publishing. */
    record Downloading(DownloadProgress progress, Cancellation cancel) implements Phase {
        public Downloading {
            requireNonNull(progress, "progress");
            requireNonNull(cancel, "cancel");
        }
    }

    /**
     * Published on disk. The handle is in the find index exactly while it is published. {@code published} records
     * that bit as of this entry: a transition flips the handle's own bit before the entry recording it is visible,
     * so readers of entries take the state from here, never from the handle.
     */
    record Ready(ChunkHandle handle, boolean published) implements Phase {
        public Ready {
            requireNonNull(handle, "handle");
        }
    }

    /**
     * Files are leaving the disk: a drained chunk directory going to trash, or a download's temp data being deleted.
     * {@code failure} is the permanent error to settle on afterwards, when the chunk is still desired.
     */
    record Removing(long bytes, Optional<Failed> failure) implements Phase {
        public Removing {
            requireNonNull(failure, "failure");
        }
    }

    /** A permanent error; nothing on disk. A new download request starts again. */
    record Failed(String error, int attempts) implements Phase {
        public Failed {
            requireNonNull(error, "error");
        }
    }
}
