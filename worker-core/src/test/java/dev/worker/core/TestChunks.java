package dev.worker.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/** Deterministic ids and descriptors for tests. */
public final class TestChunks {
    private TestChunks() {
    }

    public static Bytes32 sha256(String text) {
        try {
            return Bytes32.fromBytes(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    public static Bytes32 sha256Bytes(byte[] bytes) {
        try {
            return Bytes32.fromBytes(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    public static ChunkId chunkId(String name) {
        return new ChunkId(sha256("chunk/" + name));
    }

    public static DatasetId datasetId(String name) {
        return new DatasetId(sha256("dataset/" + name));
    }

    /** A one-file descriptor pointing at an unreachable URL (for tests that never download). */
    public static ChunkDescriptor descriptor(String name, String dataset, long start, long end) {
        return ChunkDescriptor.of(chunkId(name), datasetId(dataset), new BlockRange(start, end),
                Map.of("data.bin", FileSource.of("http://127.0.0.1:9/" + name + "/data.bin")));
    }
}
