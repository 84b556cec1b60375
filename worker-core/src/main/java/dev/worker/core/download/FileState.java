package dev.worker.core.download;

import static java.util.Objects.requireNonNull;

import dev.worker.core.FileSource;
import java.util.Optional;

/** One file's state across its attempts. Owned by the file's transfer thread; not thread-safe. */
final class FileState {
    final String name;
    final FileSource source;
    final PartialFile file;
    /** The validator of the bytes on disk, if the store gave one: the key to resuming them. */
    Optional<ResumeFile.Entry> validator = Optional.empty();
    /** Bytes reserved through {@link DiskSpace} for a file without a declared size. */
    long reserved;
    /** Whether this file's size is in the progress total (declared sizes are from the start). */
    boolean totalCounted;
    /** A complete download of this file had the wrong SHA-256: the next mismatch is permanent. */
    boolean checksumFailedOnce;

    FileState(String name, FileSource source, PartialFile file) {
        this.name = requireNonNull(name, "name");
        this.source = requireNonNull(source, "source");
        this.file = requireNonNull(file, "file");
        this.totalCounted = source.size().isPresent();
    }

    String describe() {
        return "file " + name + " from " + source.url();
    }
}
