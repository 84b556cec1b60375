package dev.worker.daemon;

import dev.worker.core.BlockRange;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.FileSource;
import dev.worker.core.TestChunks;
import dev.worker.testkit.FileServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chunks for end-to-end tests, served by a {@link FileServer}: deterministic file contents under
 * {@code /<chunk>/<file>}, descriptors with declared sizes and hashes, 404 for files it does not serve, and every
 * request held until released when asked (to keep downloads pending).
 */
public final class TestStorage implements AutoCloseable {
    private final FileServer server;
    private final Map<String, byte[]> contents = new ConcurrentHashMap<>();

    public TestStorage() {
        try {
            server = FileServer.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Requests wait (without an answer) until {@link #release()}. */
    public void hold() {
        server.hold();
    }

    public void release() {
        server.release();
    }

    /** A chunk of {@code fileCount} files of {@code fileSize} bytes each, with declared sizes and hashes. */
    public ChunkDescriptor chunk(String name, String dataset, long start, long end, int fileCount, int fileSize) {
        Map<String, FileSource> sources = new TreeMap<>();
        for (int i = 0; i < fileCount; i++) {
            String file = "f" + i + ".bin";
            byte[] content = generate(name + "/" + file, fileSize);
            contents.put(name + "/" + file, content);
            String url = server.serve("/" + name + "/" + file, content).url();
            sources.put(file, FileSource.of(url, content.length, TestChunks.sha256Bytes(content)));
        }
        return ChunkDescriptor.of(TestChunks.chunkId(name), TestChunks.datasetId(dataset), new BlockRange(start, end),
                sources);
    }

    /** A chunk whose only file the storage does not have (HTTP 404: a permanent failure). */
    public ChunkDescriptor missingChunk(String name, String dataset, long start, long end) {
        return ChunkDescriptor.of(TestChunks.chunkId(name), TestChunks.datasetId(dataset), new BlockRange(start, end),
                Map.of("gone.bin", FileSource.of(server.url("/" + name + "/gone.bin"))));
    }

    /** What {@link #chunk} serves as {@code file} of chunk {@code chunk}. */
    public byte[] content(String chunk, String file) {
        return contents.get(chunk + "/" + file);
    }

    /** {@code size} bytes from a SHA-256 chain seeded with {@code seed}. */
    private static byte[] generate(String seed, int size) {
        byte[] out = new byte[size];
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] block = sha.digest(seed.getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < size; i += block.length) {
                System.arraycopy(block, 0, out, i, Math.min(block.length, size - i));
                block = sha.digest(block);
            }
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
