package dev.worker.bench;

import dev.worker.core.BlockRange;
import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import dev.worker.core.FileDigest;
import dev.worker.core.FileSource;
import dev.worker.core.store.ChunkStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Lays out a data directory of ready chunks, as a worker would leave it, without downloading: for startup, memory and
 * find benchmarks. Chunk {@code i} belongs to dataset {@code i % datasets} and covers blocks
 * {@code [1000 * (i / datasets), 1000 * (i / datasets) + 1000)}. No fsync: the tree is test data.
 *
 * <p>Usage: {@code DataDirGenerator DIR CHUNKS [DATASETS] [FILES_PER_CHUNK] [FILE_SIZE]}; {@code DataDirGenerator
 * --dataset I} prints the id of dataset {@code I}.
 */
public final class DataDirGenerator {
    public static final long BLOCKS_PER_CHUNK = 1_000;

    private DataDirGenerator() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("--dataset")) {
            System.out.println(dataset(Integer.parseInt(args[1])));
            return;
        }
        if (args.length < 2) {
            System.err.println("usage: DataDirGenerator DIR CHUNKS [DATASETS=10] [FILES_PER_CHUNK=1] [FILE_SIZE=64]");
            System.exit(2);
        }
        long started = System.nanoTime();
        int chunks = Integer.parseInt(args[1]);
        generate(Path.of(args[0]), chunks, args.length > 2 ? Integer.parseInt(args[2]) : 10,
                args.length > 3 ? Integer.parseInt(args[3]) : 1, args.length > 4 ? Integer.parseInt(args[4]) : 64);
        System.out.printf("generated %d chunks in %s in %d ms%n", chunks, args[0],
                (System.nanoTime() - started) / 1_000_000);
    }

    public static DatasetId dataset(int index) {
        return new DatasetId(sha256("bench/dataset/" + index));
    }

    public static ChunkDescriptor descriptor(int index, int datasets, int filesPerChunk, int fileSize) {
        ChunkId id = new ChunkId(sha256("bench/chunk/" + index));
        long start = BLOCKS_PER_CHUNK * (index / datasets);
        TreeMap<String, FileSource> files = new TreeMap<>();
        Bytes32 sha = sha256Of(content(fileSize));
        for (int f = 0; f < filesPerChunk; f++) {
            files.put("f" + f + ".parquet", FileSource.of("http://127.0.0.1:9/" + id + "/f" + f + ".parquet",
                    fileSize, sha));
        }
        return new ChunkDescriptor(id, dataset(index % datasets), new BlockRange(start, start + BLOCKS_PER_CHUNK),
                files);
    }

    /** Writes {@code chunks} ready chunks under {@code dataDir/chunks}, in parallel. */
    public static void generate(Path dataDir, int chunks, int datasets, int filesPerChunk, int fileSize)
            throws IOException {
        Path root = Files.createDirectories(dataDir.resolve("chunks"));
        byte[] content = content(fileSize);
        FileDigest digest = new FileDigest(fileSize, sha256Of(content));
        Instant completed = Instant.parse("2026-01-01T00:00:00Z");
        IntStream.range(0, chunks).parallel().forEach(i -> {
            ChunkDescriptor d = descriptor(i, datasets, filesPerChunk, fileSize);
            Map<String, FileDigest> digests = new TreeMap<>();
            try {
                Path dir = Files.createDirectories(root.resolve(d.id().toString()));
                for (String name : d.files().keySet()) {
                    Files.write(dir.resolve(name), content);
                    digests.put(name, digest);
                }
                Files.write(dir.resolve("chunk.json"), ChunkStore.chunkJson(d, digests, completed));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static byte[] content(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }

    private static Bytes32 sha256(String text) {
        return sha256Of(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Bytes32 sha256Of(byte[] bytes) {
        try {
            return Bytes32.fromBytes(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
