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
     * A chunk directory on disk under a handle: {@link Ready} while the handle is published, {@link Withdrawn} once
     * it is not. The phase, not the handle's own bit, is what readers of entries go by: a transition flips the bit
     * before the entry recording it is visible.
     */
    sealed interface Stored extends Phase {
        ChunkHandle handle();
    }

    /** Published on disk: the handle is published and in the find index. */
    record Ready(ChunkHandle handle) implements Stored {
        public Ready {
            requireNonNull(handle, "handle");
        }
    }

    /**
     * On disk, withdrawn: the handle is unpublished and out of the find index (deleted, or found corrupt). The
     * directory stays while refs are open; then it leaves the disk, unless the chunk is wanted again first.
     */
    record Withdrawn(ChunkHandle handle) implements Stored {
        public Withdrawn {
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
