package dev.worker.mock.drive;

import dev.worker.core.BlockRange;
import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import dev.worker.core.FileSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Values for the drive's tests. */
final class Fixtures {
    private Fixtures() {
    }

    static ChunkId chunkId(int n) {
        return ChunkId.parse(String.format(Locale.ROOT, "%064x", n));
    }

    static DatasetId datasetId(int n) {
        return DatasetId.parse(String.format(Locale.ROOT, "d%063x", n));
    }

    /** A chunk of dataset {@code dataset} with files {@code a.bin} and {@code b.bin} holding the given text. */
    static ChunkDescriptor chunk(int id, int dataset, long start, long end, String a, String b) {
        Map<String, FileSource> files = new TreeMap<>();
        files.put("a.bin", source(id, "a.bin", a));
        files.put("b.bin", source(id, "b.bin", b));
        return ChunkDescriptor.of(chunkId(id), datasetId(dataset), new BlockRange(start, end), files);
    }

    static ChunkDescriptor chunk(int id, int dataset, long start, long end) {
        return chunk(id, dataset, start, end, "alpha " + id, "beta " + id);
    }

    static FileSource source(int id, String name, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return FileSource.of("http://127.0.0.1:9/" + id + "/" + name, bytes.length, sha256(bytes));
    }

    static Bytes32 sha256(byte[] bytes) {
        try {
            return Bytes32.fromBytes(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static ListedChunk listed(ChunkDescriptor chunk, String state) {
        return new ListedChunk(chunk.id(), chunk.datasetId(), chunk.range(), state,
                state.equals(ListedChunk.READY) ? 100 : 0, 100, 0, Optional.empty(),
                Optional.empty());
    }

    static ChunkListing listing(ListedChunk... chunks) {
        Map<ChunkId, ListedChunk> map = new TreeMap<>();
        for (ListedChunk chunk : chunks) {
            map.put(chunk.id(), chunk);
        }
        return new ChunkListing(map);
    }
}
