package dev.worker.core.store;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.FileDigest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The chunk files on disk: startup scan, crash-safe publish, removal through {@code trash/}. Stateless apart from
 * the directory; every method may block on I/O (call from background threads only) and is thread-safe.
 */
public final class ChunkStore {
    public ChunkStore(DataDirectory directory) {
        throw new UnsupportedOperationException("TODO");
    }

    /** A partial download found in {@code tmp/} at startup. */
    public record PartialDownload(ChunkId id, Path dir) {
    }

    /**
     * @param chunks   ready chunks: chunk.json parses, every file exists with its recorded size (and hash, when
     *                 verifying)
     * @param partials download directories in tmp/ (for resume when still wanted)
     * @param trashed  entries of chunks/ that were not valid chunks and were moved to trash/ (each logged)
     */
    public record ScanResult(List<StoredChunk> chunks, List<PartialDownload> partials, int trashed, Duration took) {
        public ScanResult {
            chunks = List.copyOf(chunks);
            partials = List.copyOf(partials);
        }
    }

    /**
     * Scans chunks/ and tmp/ in parallel without reading file contents (unless {@code verifyContents}). Never aborts
     * for one bad chunk: it goes to trash/ with a warning. Orphans in tmp/ (resume files without a directory,
     * unparseable names) are deleted.
     */
    public ScanResult scan(boolean verifyContents) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }

    /** Creates a fresh download directory {@code tmp/<id>.<n>/} (n unique in this directory). */
    public Path newTempDir(ChunkId id) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Publishes a finished download: fsync each file, write and fsync chunk.json, fsync the temp dir, rename it to
     * chunks/&lt;id&gt; atomically, fsync chunks/, delete the temp dir's resume file.
     *
     * @throws IOException when any step fails; the temp dir is then left as it was or already published, never torn
     */
    public StoredChunk publish(ChunkDescriptor descriptor, Path tempDir, Map<String, FileDigest> files,
            Instant completedAt) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }

    /** Atomically renames a chunk or temp directory (and a temp dir's resume file) into trash/; returns the new path. */
    public Path moveToTrash(Path dir) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }

    /** Deletes a file or directory tree; a missing path is not an error. */
    public void deleteRecursively(Path path) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }

    /** Deletes everything in trash/ (startup leftovers); logs and skips what it cannot delete. */
    public void emptyTrash() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Re-hashes a stored chunk's files against chunk.json; a description of the first mismatch, if any. */
    public Optional<String> verify(StoredChunk chunk) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }

    /** Bytes of a directory's regular files (for trash and temp accounting). */
    public long sizeOf(Path dir) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }
}
