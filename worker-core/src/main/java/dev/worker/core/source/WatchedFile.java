package dev.worker.core.source;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small file read again whenever it changed (size, modification time or inode, so that an in-place rewrite and an
 * atomic rename over it are both seen), and parsed into a value. Every {@link #current()} costs one {@code stat}.
 * A rewrite that fails to parse (a half-written file) keeps the last good value, logged, until the next change.
 * Thread-safe without a lock: concurrent callers that see a change may each read the file; the last one wins.
 */
final class WatchedFile<T> {
    private static final Logger log = LoggerFactory.getLogger(WatchedFile.class);

    private record Snapshot<T>(long size, FileTime modified, Object fileKey, T value) {
    }

    private final Path path;
    private final Function<String, T> parser;
    private volatile Snapshot<T> snapshot;

    WatchedFile(Path path, Function<String, T> parser) {
        this.path = requireNonNull(path, "path");
        this.parser = requireNonNull(parser, "parser");
    }

    Path path() {
        return path;
    }

    /**
     * The value of the file as it is now.
     *
     * @throws IOException when the file cannot be read and was never read successfully
     * @throws IllegalArgumentException when it does not parse and never did
     */
    T current() throws IOException {
        Snapshot<T> seen = snapshot;
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            if (seen == null) {
                throw e;
            }
            log.warn("cannot read file, keeping its last good content path={} error={}", path, e.toString());
            return seen.value();
        }
        if (seen != null && seen.size() == attributes.size() && seen.modified().equals(attributes.lastModifiedTime())
                && Objects.equals(seen.fileKey(), attributes.fileKey())) {
            return seen.value();
        }
        T value;
        try {
            value = parser.apply(Files.readString(path));
        } catch (IOException | IllegalArgumentException e) {
            if (seen == null) {
                throw e;
            }
            // The message never quotes the content: these files hold secrets.
            log.warn("cannot use the changed file, keeping its last good content path={} error={}", path,
                    e.getMessage());
            return seen.value();
        }
        if (seen != null) {
            log.info("file changed, using its new content path={}", path);
        }
        snapshot = new Snapshot<>(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey(), value);
        return value;
    }
}
