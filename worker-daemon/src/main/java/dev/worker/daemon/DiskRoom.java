package dev.worker.daemon;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongUnaryOperator;

/**
 * The disk budget as operators see it: the bytes the data directory may hold in all, given the bytes it holds. That
 * is {@code --max-disk}, or less when the file system has less room: what is used plus what is free beyond
 * {@code --min-free} (downloads wait rather than cross either line). Reads the file system's free space on each call.
 */
final class DiskRoom implements LongUnaryOperator {
    private final Path dataDir;
    private final long maxDiskBytes;
    private final long minFreeBytes;

    DiskRoom(Path dataDir, long maxDiskBytes, long minFreeBytes) {
        this.dataDir = dataDir;
        this.maxDiskBytes = maxDiskBytes;
        this.minFreeBytes = minFreeBytes;
    }

    /** @return the budget in bytes; {@code --max-disk} (0 when none) when the free space cannot be read */
    @Override
    public long applyAsLong(long usedBytes) {
        try {
            return budget(maxDiskBytes, minFreeBytes, usedBytes, store().getUsableSpace());
        } catch (IOException e) {
            return maxDiskBytes;
        }
    }

    /** @param maxDiskBytes 0 for no limit */
    static long budget(long maxDiskBytes, long minFreeBytes, long usedBytes, long usableBytes) {
        long room = usedBytes + Math.max(0, usableBytes - minFreeBytes);
        return maxDiskBytes > 0 ? Math.min(maxDiskBytes, room) : room;
    }

    /** The data directory's file system (its nearest existing ancestor's before the directory is made). */
    private FileStore store() throws IOException {
        Path p = dataDir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IOException("no existing ancestor of " + dataDir);
        }
        return Files.getFileStore(p);
    }
}
