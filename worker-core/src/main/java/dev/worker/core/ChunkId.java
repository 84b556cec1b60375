package dev.worker.core;

import static java.util.Objects.requireNonNull;

/** Names a chunk's content: 32 bytes, written as 64 lowercase hex characters. */
public record ChunkId(Bytes32 bytes) implements Comparable<ChunkId> {
    public ChunkId {
        requireNonNull(bytes, "bytes");
    }

    /** Parses 64 hex characters (any case). */
    public static ChunkId parse(String hex) {
        return new ChunkId(Bytes32.parseHex("chunk id", hex));
    }

    // Written out for the same reason as Bytes32's.
    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkId other && bytes.equals(other.bytes);
    }

    @Override
    public int hashCode() {
        return bytes.hashCode();
    }

    @Override
    public int compareTo(ChunkId other) {
        return bytes.compareTo(other.bytes);
    }

    @Override
    public String toString() {
        return bytes.toHex();
    }
}
