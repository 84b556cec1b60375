package dev.worker.core;

import java.util.Locale;

/** A chunk's actual state as callers see it. {@link #ABSENT} is never stored: it describes a forgotten chunk. */
public enum ChunkState {
    /** Wanted, waiting for a transfer slot or disk space. */
    QUEUED,
    /** Transfer in progress. */
    DOWNLOADING,
    /** Complete, verified, published: visible to list and find while desired. */
    READY,
    /** Permanent error; a new download request tries again from the start. */
    FAILED,
    /** Not desired: waits for its refs to close, then leaves the disk. */
    REMOVING,
    /** Not known to the manager. */
    ABSENT;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The lowercase name used in JSON and on the command line. */
    public String wireName() {
        return wireName;
    }

    public static ChunkState parse(String name) {
        for (ChunkState state : values()) {
            if (state.wireName.equalsIgnoreCase(name)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown chunk state '" + name
                + "' (expected queued, downloading, ready, failed, removing or absent)");
    }
}
