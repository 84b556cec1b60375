package dev.worker.core.store;

import dev.worker.core.BlockRange;
import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import dev.worker.core.FileDigest;
import dev.worker.core.FileSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Descriptors and chunk files for store and journal tests. */
final class StoreFixtures {
    static final DatasetId DATASET = new DatasetId(new Bytes32(0x0123456789abcdefL, 1, 2, 3));
    static final Instant COMPLETED = Instant.parse("2026-11-23T10:00:00.123Z");

    private StoreFixtures() {
    }

    static ChunkId chunkId(long n) {
        return new ChunkId(new Bytes32(0xc0ffee00L, n, ~n, n * 31));
    }

    /** A descriptor whose files declare no size or hash. */
    static ChunkDescriptor descriptor(long n, String... fileNames) {
        Map<String, FileSource> files = new TreeMap<>();
        for (String name : fileNames) {
            files.put(name, FileSource.of("http://storage.test/chunks/" + n + "/" + name));
        }
        return ChunkDescriptor.of(chunkId(n), DATASET, new BlockRange(n * 1000, n * 1000 + 1000), files);
    }

    /** A descriptor declaring the size and hash of each content. */
    static ChunkDescriptor descriptor(long n, Map<String, byte[]> contents) {
        Map<String, FileSource> files = new TreeMap<>();
        contents.forEach((name, bytes) -> files.put(name, FileSource.of(
                "https://storage.test/chunks/" + n + "/" + name, bytes.length, digest(bytes).sha256())));
        return ChunkDescriptor.of(chunkId(n), DATASET, new BlockRange(n * 1000, n * 1000 + 1000), files);
    }

    static Map<String, byte[]> contents(long n, String... fileNames) {
        Map<String, byte[]> contents = new LinkedHashMap<>();
        for (String name : fileNames) {
            contents.put(name, ("chunk " + n + " file " + name + "\n").repeat((int) (n % 7) + 1)
                    .getBytes(StandardCharsets.UTF_8));
        }
        return contents;
    }

    static FileDigest digest(byte[] bytes) {
        try {
            return new FileDigest(bytes.length, Bytes32.fromBytes(MessageDigest.getInstance("SHA-256").digest(bytes)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Writes the contents into a fresh temp dir and publishes them. */
    static StoredChunk publish(ChunkStore store, long n, String... fileNames) throws IOException {
        Map<String, byte[]> contents = contents(n, fileNames);
        ChunkDescriptor descriptor = descriptor(n, contents);
        Path temp = store.newTempDir(descriptor.id());
        return store.publish(descriptor, temp, write(temp, contents), COMPLETED);
    }

    static Map<String, FileDigest> write(Path dir, Map<String, byte[]> contents) throws IOException {
        Map<String, FileDigest> digests = new TreeMap<>();
        for (Map.Entry<String, byte[]> file : contents.entrySet()) {
            Files.write(dir.resolve(file.getKey()), file.getValue());
            digests.put(file.getKey(), digest(file.getValue()));
        }
        return digests;
    }
}
