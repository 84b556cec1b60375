package dev.worker.core;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ConcurrentHashMap;

/** Names a dataset (a chain): 32 bytes, written as 64 lowercase hex characters. */
public record DatasetId(Bytes32 bytes) implements Comparable<DatasetId> {
    public DatasetId {
        requireNonNull(bytes, "bytes");
    }

    private static final int MAX_CANONICAL = 10_000;
    private static final ConcurrentHashMap<DatasetId, DatasetId> CANONICAL = new ConcurrentHashMap<>();

    /**
     * One shared instance per dataset: a worker holds thousands of chunks of each of a few datasets. Bounded, so
     * that arbitrary input cannot grow it without limit.
     */
    static DatasetId canonical(DatasetId id) {
        DatasetId known = CANONICAL.get(id);
        if (known != null) {
            return known;
        }
        if (CANONICAL.size() < MAX_CANONICAL) {
            known = CANONICAL.putIfAbsent(id, id);
            return known != null ? known : id;
        }
        return id;
    }

    /** Parses 64 hex characters (any case). */
    public static DatasetId parse(String hex) {
        return new DatasetId(Bytes32.parseHex("dataset id", hex));
    }

    // Written out for the same reason as Bytes32's.
    @Override
    public boolean equals(Object o) {
        return o instanceof DatasetId other && bytes.equals(other.bytes);
    }

    @Override
    public int hashCode() {
        return bytes.hashCode();
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
