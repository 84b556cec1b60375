package dev.worker.core;

import static java.util.Objects.requireNonNull;

/**
 * The manager's record of one chunk: what is wanted and what is.
 *
 * @param descriptor the descriptor last asked for (or found on disk)
 * @param desired    wanted present
 * @param phase      what is on disk and in progress
 * @param taskActive a background task owns this chunk's I/O; at most one at a time
 */
record Entry(ChunkDescriptor descriptor, boolean desired, Phase phase, boolean taskActive) {
    Entry {
        requireNonNull(descriptor, "descriptor");
        requireNonNull(phase, "phase");
    }

    Entry withDesired(boolean value) {
        return new Entry(descriptor, value, phase, taskActive);
    }

    Entry with(Phase value) {
        return new Entry(descriptor, desired, value, taskActive);
    }

    Entry withTask(boolean value) {
        return new Entry(descriptor, desired, phase, value);
    }

    /** The state callers see. */
    ChunkState state() {
        if (!desired) {
            return ChunkState.REMOVING;
        }
        return switch (phase) {
            case Phase.Pending p -> ChunkState.QUEUED;
            case Phase.Downloading d ->
                    d.progress().transferring() && !d.cancel().isCancelled() ? ChunkState.DOWNLOADING
                            : ChunkState.QUEUED;
            case Phase.Ready r -> ChunkState.READY;
            case Phase.Withdrawn w -> ChunkState.QUEUED;
            case Phase.Removing r -> ChunkState.QUEUED;
            case Phase.Failed f -> ChunkState.FAILED;
        };
    }
}
