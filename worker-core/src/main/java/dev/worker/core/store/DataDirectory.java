package dev.worker.core.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The data directory's layout, held under an exclusive OS file lock on {@code LOCK} for as long as it is open:
 *
 * <pre>
 * LOCK            exclusive lock; holds the holder's pid, host and start time (for the error a second process gets)
 * chunks/&lt;id&gt;/    published chunks: the files + chunk.json
 * tmp/&lt;id&gt;.&lt;n&gt;/  downloads in progress; tmp/&lt;id&gt;.&lt;n&gt;.resume holds the downloader's resume validators
 * trash/          chunks being removed
 * intents.log     the intent journal
 * </pre>
 */
public final class DataDirectory implements AutoCloseable {
    /**
     * Creates the layout if missing and takes the lock.
     *
     * @throws DataDirectoryLockedException when another process (or another manager in this one) holds it
     * @throws IOException                  when the directory cannot be created or written (message names the path)
     */
    public static DataDirectory open(Path root) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }

    public Path root() {
        throw new UnsupportedOperationException("TODO");
    }

    public Path chunks() {
        throw new UnsupportedOperationException("TODO");
    }

    public Path tmp() {
        throw new UnsupportedOperationException("TODO");
    }

    public Path trash() {
        throw new UnsupportedOperationException("TODO");
    }

    public Path intentsLog() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Releases the lock. Idempotent. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("TODO");
    }
}
