package dev.worker.core.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import dev.worker.core.ChunkDescriptor;

/**
 * The intent journal ({@code intents.log}): an append-only file of framed, checksummed records, group-committed by
 * one writer thread (one fsync per batch) and compacted into a single {@link Intent.Assign} snapshot of the desired
 * set when it grows.
 */
public final class IntentJournal implements AutoCloseable {
    /**
     * The journal and the intents read back from it, in order. A torn or corrupt tail (a crash mid-write) is
     * truncated with a warning; it never held an acknowledged intent.
     */
    public record Opened(IntentJournal journal, List<Intent> replay) {
    }

    /** Opens (creating if missing) and reads the journal. Appends are not accepted until {@link #start}. */
    public static Opened open(Path file, long compactThresholdBytes) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Starts the writer with the desired set the manager derived at startup (on-disk chunks, then the replay). The
     * writer first rewrites the journal as one snapshot of it, so intents that are no longer needed disappear and
     * chunks found only on disk become journaled.
     */
    public void start(Collection<ChunkDescriptor> desired) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Queues an intent; never blocks. Intents are written in the order of these calls. The future completes when
     * the intent is durable (written and fsync'd), or exceptionally with the IOException that prevented it.
     */
    public CompletableFuture<Void> append(Intent intent) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Writes what is queued, stops the writer and closes the file. Idempotent. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("TODO");
    }
}
