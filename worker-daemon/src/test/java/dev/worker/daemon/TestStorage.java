package dev.worker.daemon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.worker.core.BlockRange;
import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.FileSource;
import dev.worker.core.TestChunks;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A small object store for end-to-end tests (the JDK's HTTP server): serves deterministic file contents under
 * {@code /<chunk>/<file>}, can hold every request until released (to keep downloads pending), and answers 404
 * for files it does not know.
 */
public final class TestStorage implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private boolean holding;
    public final AtomicInteger requests = new AtomicInteger();

    public TestStorage() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::serve);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Requests wait (without an answer) until {@link #release()}. */
    public void hold() {
        lock.lock();
        try {
            holding = true;
        } finally {
            lock.unlock();
        }
    }

    public void release() {
        lock.lock();
        try {
            holding = false;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A chunk of {@code fileCount} files of {@code fileSize} bytes each, with declared sizes and hashes. */
    public ChunkDescriptor chunk(String name, String dataset, long start, long end, int fileCount, int fileSize) {
        Map<String, FileSource> sources = new TreeMap<>();
        for (int i = 0; i < fileCount; i++) {
            String file = "f" + i + ".bin";
            byte[] content = content(name + "/" + file, fileSize);
            files.put("/" + name + "/" + file, content);
            sources.put(file, FileSource.of(baseUrl() + "/" + name + "/" + file, content.length, sha256(content)));
        }
        return ChunkDescriptor.of(TestChunks.chunkId(name), TestChunks.datasetId(dataset), new BlockRange(start, end),
                sources);
    }

    /** A chunk whose only file the storage does not have (HTTP 404: a permanent failure). */
    public ChunkDescriptor missingChunk(String name, String dataset, long start, long end) {
        return ChunkDescriptor.of(TestChunks.chunkId(name), TestChunks.datasetId(dataset), new BlockRange(start, end),
                Map.of("gone.bin", FileSource.of(baseUrl() + "/" + name + "/gone.bin")));
    }

    public byte[] content(String chunk, String file) {
        return files.get("/" + chunk + "/" + file);
    }

    private void serve(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            awaitRelease();
            byte[] body = files.get(exchange.getRequestURI().getPath());
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, body.length);
            if (!exchange.getRequestMethod().equals("HEAD")) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    private void awaitRelease() {
        lock.lock();
        try {
            while (holding) {
                if (!released.await(60, TimeUnit.SECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    static byte[] content(String seed, int size) {
        byte[] out = new byte[size];
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] block = sha.digest(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (int i = 0; i < size; i += block.length) {
                System.arraycopy(block, 0, out, i, Math.min(block.length, size - i));
                block = sha.digest(block);
            }
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    static Bytes32 sha256(byte[] content) {
        try {
            return Bytes32.fromBytes(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
