package dev.worker.core.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;

/** Another process (or another manager in this process) uses the data directory. */
public final class DataDirectoryLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path directory;
    private final String holder;

    public DataDirectoryLockedException(Path directory, String holder) {
        super("data directory " + directory + " is in use by another worker (" + holder + ")");
        this.directory = requireNonNull(directory, "directory");
        this.holder = requireNonNull(holder, "holder");
    }

    public Path directory() {
        return directory;
    }

    /** What the holder wrote into LOCK (pid, host, start time), or "unknown". */
    public String holder() {
        return holder;
    }
}
