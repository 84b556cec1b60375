package dev.worker.core.download;

import dev.worker.core.BlockRange;
import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.DatasetId;
import dev.worker.core.FileSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/** Test data and settings for download tests. */
final class Fixtures {
    private static final AtomicLong ids = new AtomicLong(1);

    private Fixtures() {
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    static Bytes32 sha256(byte[] bytes) {
        try {
            return Bytes32.fromBytes(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Small backoffs, a short stall timeout, no bandwidth cap. */
    static DownloadSettings settings() {
        return settings(16, 0, Duration.ofSeconds(5));
    }

    static DownloadSettings settings(int maxTransfers, long bytesPerSecond, Duration stall) {
        return new DownloadSettings(maxTransfers, bytesPerSecond, stall, Duration.ofSeconds(2),
                Duration.ofMillis(20), Duration.ofMillis(50), 42);
    }

    static FileSource declared(String url, byte[] content) {
        return FileSource.of(url, content.length, sha256(content));
    }

    static FileSource undeclared(String url) {
        return new FileSource(url, OptionalLong.empty(), Optional.empty());
    }

    static ChunkDescriptor chunk(Map<String, FileSource> files) {
        long n = ids.getAndIncrement();
        ChunkId id = new ChunkId(new Bytes32(0x1234_5678_0000_0000L | n, n, n, n));
        return new ChunkDescriptor(id, new DatasetId(new Bytes32(1, 2, 3, 4)), new BlockRange(0, 100),
                new TreeMap<>(files));
    }

    /** Counts what the downloader reports. */
    static final class RecordingListener implements DownloadListener {
        final AtomicLong bytes = new AtomicLong();
        final ConcurrentLinkedQueue<String> retries = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> finished = new ConcurrentLinkedQueue<>();

        @Override
        public void bytesReceived(long n) {
            bytes.addAndGet(n);
        }

        @Override
        public void fileFinished(String outcome) {
            finished.add(outcome);
        }

        @Override
        public void retried(String reason) {
            retries.add(reason);
        }
    }
}
