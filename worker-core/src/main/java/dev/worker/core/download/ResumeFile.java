package dev.worker.core.download;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.worker.core.FileSource;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validators (ETag or Last-Modified) the store gave for the files of one download directory, kept in
 * {@code <dir>.resume} so that partial files can be resumed with {@code If-Range} after a restart. Small JSON, one
 * entry per file: {@code {"name": {"url": ..., "etag": ...}}}. Written through a temp file and an atomic rename; a
 * lost or torn write only costs a restart from byte 0, so there is no fsync.
 */
final class ResumeFile {
    private static final Logger log = LoggerFactory.getLogger(ResumeFile.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, Entry>> TYPE = new TypeReference<>() {
    };

    /** One file's validator; exactly one of {@code etag} and {@code lastModified} is set. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Entry(@JsonProperty("url") String url, @JsonProperty("etag") String etag,
            @JsonProperty("last_modified") String lastModified) {
        Entry {
            requireNonNull(url, "url");
            if ((etag == null) == (lastModified == null)) {
                throw new IllegalArgumentException("need exactly one of etag and last_modified for " + url);
            }
        }

        /**
         * Whether this validator may resume a partial file of {@code source}: a strong ETag always; a Last-Modified
         * date only when the source declares its SHA-256, which then rejects a file spliced from two versions.
         */
        boolean usableFor(FileSource source) {
            return url.equals(source.url()) && (etag != null || source.sha256().isPresent());
        }

        /** The value to send in {@code If-Range}. */
        String validator() {
            return etag != null ? etag : lastModified;
        }
    }

    private final Path path;
    private final Path temp;
    private final ConcurrentMap<String, Entry> entries;
    private final AtomicInteger pendingWrites = new AtomicInteger();

    private ResumeFile(Path path, Map<String, Entry> entries) {
        this.path = path;
        this.temp = path.resolveSibling(path.getFileName() + ".tmp");
        this.entries = new ConcurrentHashMap<>(entries);
    }

    /** {@code tmp/<id>.<n>.resume} for the directory {@code tmp/<id>.<n>}. */
    static Path pathFor(Path dir) {
        Path name = dir.getFileName();
        if (name == null) {
            throw new IllegalArgumentException("download directory has no name: " + dir);
        }
        return dir.resolveSibling(name + ".resume");
    }

    /** Reads the file next to {@code dir}; missing or unreadable means no entries (logged when unreadable). */
    static ResumeFile load(Path dir) {
        Path path = pathFor(dir);
        Map<String, Entry> entries = Map.of();
        try {
            entries = JSON.readValue(Files.readAllBytes(path), TYPE);
        } catch (NoSuchFileException e) {
            // nothing to resume: the usual case
        } catch (IOException e) {
            log.warn("ignoring unreadable resume file path={}, partial files restart from byte 0", path, e);
        }
        return new ResumeFile(path, entries == null ? Map.of() : entries);
    }

    Optional<Entry> get(String file) {
        return Optional.ofNullable(entries.get(file));
    }

    /**
     * Records {@code entry} for {@code file} and writes the file when that changed anything. Never blocks on a lock.
     */
    void put(String file, Entry entry) {
        if (!entry.equals(entries.put(file, entry))) {
            writeSoon();
        }
    }

    /** Forgets {@code file}'s validator: the store gave none for the bytes now on disk. */
    void remove(String file) {
        if (entries.remove(file) != null) {
            writeSoon();
        }
    }

    private void writeSoon() {
        // INVARIANT: only the thread that moves pendingWrites from 0 writes; it writes a fresh snapshot until the
        // count returns to 0, so the last write on disk holds every put that happened before it, and no put waits.
        if (pendingWrites.getAndIncrement() != 0) {
            return;
        }
        int seen = 1;
        do {
            write(new TreeMap<>(entries));
            seen = pendingWrites.addAndGet(-seen);
        } while (seen != 0);
    }

    /** Removes the file: the download it served is complete. */
    void delete() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("could not delete resume file path={}", path, e);
        }
        deleteTemp();
    }

    // FileOutputStream rather than a FileChannel: it is not interruptible, so a cancellation that interrupts this
    // thread cannot leave a half-written temp file behind for the other files' entries.
    private void write(Map<String, Entry> snapshot) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(snapshot);
            try (OutputStream out = new FileOutputStream(temp.toFile())) {
                out.write(bytes);
            }
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize resume entries for " + path, e);
        } catch (IOException e) {
            // A failed write (typically ENOSPC) must not leave the temp file: nothing else removes it while the
            // daemon runs, and tmp/ holds only download directories and resume files.
            deleteTemp();
            log.warn("could not write resume file path={}, a restart will download its partial files again", path, e);
        }
    }

    private void deleteTemp() {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            log.warn("could not delete resume temp file path={}", temp, e);
        }
    }
}
