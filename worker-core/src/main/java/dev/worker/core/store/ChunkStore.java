package dev.worker.core.store;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.FileDigest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunk files on disk: startup scan, crash-safe publish, removal through {@code trash/}. Stateless apart from
 * the directory; every method may block on I/O (call from background threads only) and is thread-safe.
 */
public final class ChunkStore {
    private static final Logger log = LoggerFactory.getLogger(ChunkStore.class);
    static final String RESUME_SUFFIX = ".resume";

    private final DataDirectory directory;
    private final Path chunks;
    private final Path tmp;
    private final Path trash;
    private final ReadyIndex readyIndex;
    /** Next n for {@code tmp/<id>.<n>}; the scan raises it past every n it saw so none is reused. */
    private final AtomicLong nextTemp = new AtomicLong();
    /** Suffix for names in trash/: seeded from the clock so leftovers of an earlier run are not hit. */
    private final AtomicLong nextTrash = new AtomicLong(System.currentTimeMillis());

    ReadyIndex readyIndex() {
        return readyIndex;
    }

    public ChunkStore(DataDirectory directory) {
        this.directory = requireNonNull(directory, "directory");
        this.chunks = directory.chunks();
        this.tmp = directory.tmp();
        this.trash = directory.trash();
        this.readyIndex = new ReadyIndex(directory.root().resolve(ReadyIndex.FILE_NAME));
    }

    /** A partial download found in {@code tmp/} at startup. */
    public record PartialDownload(ChunkId id, Path dir) {
    }

    /**
     * @param chunks   ready chunks, in no particular order: chunk.json parses, every file exists with its recorded
     *                 size (and hash, when verifying)
     * @param partials download directories in tmp/ (for resume when still wanted), at most one per chunk, by id
     * @param trashed  entries of chunks/ that were not valid chunks and were moved to trash/ (each logged)
     * @param fromIndex chunks whose chunk.json was unchanged, so the ready index's copy of it was used
     */
    public record ScanResult(List<StoredChunk> chunks, List<PartialDownload> partials, int trashed, Duration took,
            int fromIndex) {
        public ScanResult {
            chunks = List.copyOf(chunks);
            partials = List.copyOf(partials);
        }
    }

    /**
     * Scans chunks/ and tmp/ in parallel without reading file contents (unless {@code verifyContents}). Never aborts
     * for one bad chunk: it goes to trash/ with a warning. Orphans in tmp/ (resume files without a directory,
     * unparseable names) are deleted; of several partial downloads of one chunk only the newest is kept.
     *
     * @throws IOException only when chunks/ or tmp/ cannot be listed
     */
    public ScanResult scan(boolean verifyContents) throws IOException {
        return new StoreScanner(this, StoreScanner.defaultParallelism()).scan(verifyContents);
    }

    /**
     * The bytes {@link #publish} writes as a chunk's {@code chunk.json}: for tools that lay out data directories
     * (benchmarks, tests) without a second copy of the format.
     */
    public static byte[] chunkJson(ChunkDescriptor descriptor, Map<String, FileDigest> files, Instant completedAt) {
        return ChunkManifest.write(descriptor, files, completedAt);
    }

    /** Creates a fresh download directory {@code tmp/<id>.<n>/} (n unique in this directory). */
    public Path newTempDir(ChunkId id) throws IOException {
        requireNonNull(id, "id");
        while (true) {
            Path dir = tmp.resolve(id + "." + nextTemp.getAndIncrement());
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException taken) {
                continue; // left by an earlier run that no scan has seen
            }
            // A resume file with this name would describe other bytes.
            Files.deleteIfExists(resumeFileOf(dir));
            return dir;
        }
    }

    /**
     * Publishes a finished download: fsync each file, write and fsync chunk.json, fsync the temp dir, rename it to
     * chunks/&lt;id&gt; atomically, fsync chunks/, delete the temp dir's resume file.
     *
     * @throws IOException when any step fails; the temp dir is then left as it was or already published, never torn
     */
    public StoredChunk publish(ChunkDescriptor descriptor, Path tempDir, Map<String, FileDigest> files,
            Instant completedAt) throws IOException {
        requireNonNull(descriptor, "descriptor");
        requireNonNull(tempDir, "tempDir");
        requireNonNull(files, "files");
        requireNonNull(completedAt, "completedAt");
        ChunkId id = descriptor.id();
        if (!files.keySet().equals(descriptor.files().keySet())) {
            throw new IllegalArgumentException("chunk " + id + ": files " + new TreeMap<>(files).keySet()
                    + " differ from the descriptor's " + descriptor.files().keySet());
        }
        Path target = chunks.resolve(id.toString());
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null,
                    "cannot publish chunk " + id + ": it is already published");
        }
        for (Map.Entry<String, FileDigest> file : new TreeMap<>(files).entrySet()) {
            Path path = tempDir.resolve(file.getKey());
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                throw new IOException("cannot publish chunk " + id + ": file " + path + " is missing", e);
            }
            if (!attrs.isRegularFile()) {
                throw new IOException("cannot publish chunk " + id + ": " + path + " is not a regular file");
            }
            if (attrs.size() != file.getValue().size()) {
                throw new IOException("cannot publish chunk " + id + ": file " + path + " has " + attrs.size()
                        + " bytes, expected " + file.getValue().size());
            }
            FileSystemOps.fsyncFile(path);
        }
        writeDurably(tempDir.resolve(ChunkManifest.FILE_NAME), ChunkManifest.write(descriptor, files, completedAt));
        FileSystemOps.fsyncDirectory(tempDir);
        try {
            Files.move(tempDir, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IOException("cannot publish chunk " + id + ": rename " + tempDir + " to " + target
                    + " failed: " + e, e);
        }
        // INVARIANT: from here on the chunk is published; later failures must not make callers clean it up as temp.
        try {
            FileSystemOps.fsyncDirectory(chunks);
        } catch (IOException e) {
            throw new IOException("chunk " + id + " was published to " + target + " but fsync of " + chunks
                    + " failed (the rename may not survive a crash): " + e, e);
        }
        try {
            Files.deleteIfExists(resumeFileOf(tempDir));
        } catch (IOException e) {
            // Harmless: the next scan deletes resume files whose directory is gone.
            log.warn("could not delete resume file chunk={} file={}", id, resumeFileOf(tempDir), e);
        }
        try {
            BasicFileAttributes manifest = Files.readAttributes(target.resolve(ChunkManifest.FILE_NAME),
                    BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            readyIndex.append(new ReadyIndex.Entry(descriptor, files, completedAt,
                    ReadyIndex.Fingerprint.of(manifest)));
        } catch (IOException e) {
            // Harmless: the next scan parses this chunk's chunk.json instead.
            log.warn("could not record the chunk in the ready index chunk={}", id, e);
        }
        return new StoredChunk(descriptor, target, files, completedAt);
    }

    /**
     * Atomically renames a chunk or temp directory (and a temp dir's resume file) into trash/; returns the new path.
     * Also takes stray files from chunks/ and tmp/.
     */
    public Path moveToTrash(Path dir) throws IOException {
        Path source = dir.toAbsolutePath().normalize();
        Path parent = source.getParent();
        if (parent == null || !(parent.equals(chunks) || parent.equals(tmp))) {
            throw new IllegalArgumentException("only entries of " + chunks + " and " + tmp + " go to trash, not "
                    + dir);
        }
        String name = source.getFileName().toString();
        while (true) {
            Path target = trash.resolve(name + "." + nextTrash.getAndIncrement());
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                continue; // a rename would replace an empty directory or a file silently
            }
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
            if (parent.equals(tmp) && !name.endsWith(RESUME_SUFFIX)) {
                // After a crash between the two steps the scan deletes the orphaned resume file.
                Files.deleteIfExists(resumeFileOf(source));
            }
            return target;
        }
    }

    /** Deletes a file or directory tree; a missing path is not an error. */
    public void deleteRecursively(Path path) throws IOException {
        FileSystemOps.deleteRecursively(path);
    }

    /** Deletes everything in trash/ (startup leftovers); logs and skips what it cannot delete. */
    public void emptyTrash() {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(trash)) {
            for (Path entry : entries) {
                try {
                    FileSystemOps.deleteRecursively(entry);
                } catch (IOException e) {
                    log.warn("could not delete trash entry path={}", entry, e);
                }
            }
        } catch (IOException e) {
            log.warn("could not list trash dir={}", trash, e);
        }
    }

    /**
     * Reads a published chunk's {@code chunk.json}.
     *
     * @throws IOException when it cannot be read or does not parse (the message says which and why)
     */
    public StoredChunk load(Path chunkDir) throws IOException {
        Path file = chunkDir.resolve(ChunkManifest.FILE_NAME);
        byte[] json = java.nio.file.Files.readAllBytes(file);
        try {
            return ChunkManifest.parse(json, chunkDir);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a valid chunk.json: " + e.getMessage(), e);
        }
    }

    /** Re-hashes a stored chunk's files against chunk.json; a description of the first mismatch, if any. */
    public Optional<String> verify(StoredChunk chunk) throws IOException {
        for (Map.Entry<String, FileDigest> file : new TreeMap<>(chunk.files()).entrySet()) {
            Path path = chunk.dir().resolve(file.getKey());
            FileDigest expected = file.getValue();
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return Optional.of("file " + file.getKey() + " is missing");
            }
            if (!attrs.isRegularFile()) {
                return Optional.of("file " + file.getKey() + " is not a regular file");
            }
            if (attrs.size() != expected.size()) {
                return Optional.of("file " + file.getKey() + ": size expected " + expected.size() + ", actual "
                        + attrs.size());
            }
            var actual = FileSystemOps.sha256(path);
            if (!actual.equals(expected.sha256())) {
                return Optional.of("file " + file.getKey() + ": sha256 expected " + expected.sha256() + ", actual "
                        + actual);
            }
        }
        return Optional.empty();
    }

    /** Bytes of a directory's regular files (for trash and temp accounting); 0 when it is missing. */
    public long sizeOf(Path dir) throws IOException {
        return FileSystemOps.sizeOf(dir);
    }

    @Override
    public String toString() {
        return "ChunkStore[" + directory.root() + "]";
    }

    DataDirectory directory() {
        return directory;
    }

    /** Raises the temp counter past {@code n}. */
    void sawTempNumber(long n) {
        nextTemp.accumulateAndGet(n + 1, Math::max);
    }

    static Path resumeFileOf(Path tempDir) {
        return tempDir.resolveSibling(tempDir.getFileName() + RESUME_SUFFIX);
    }

    private static void writeDurably(Path file, byte[] content) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }
}
