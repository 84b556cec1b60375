package dev.worker.core;

import static java.util.Objects.requireNonNull;

/** Names a dataset (a chain): 32 bytes, written as 64 lowercase hex characters. */
public record DatasetId(Bytes32 bytes) implements Comparable<DatasetId> {
    public DatasetId {
        requireNonNull(bytes, "bytes");
    }

    /** Parses 64 hex characters (any case). */
    public static DatasetId parse(String hex) {
        return new DatasetId(Bytes32.parseHex("dataset id", hex));
    }

    @Override
    public int compareTo(DatasetId other) {
        return bytes.compareTo(other.bytes);
    }

    @Override
    public String toString() {
        return bytes.toHex();
    }
}
