package dev.worker.core.download;

/**
 * The disk budget as one chunk's download sees it. The manager reserves a chunk's declared size before the download
 * starts; the downloader reserves here only bytes it learns of later (files without a declared size, once their
 * Content-Length is known, or as bytes arrive when it is not). The manager settles the reservation afterwards.
 */
@FunctionalInterface
public interface DiskSpace {
    DiskSpace UNLIMITED = bytes -> true;

    /** Reserves {@code bytes} more, or returns false when they do not fit (the download then retries later). */
    boolean tryReserve(long bytes);
}
