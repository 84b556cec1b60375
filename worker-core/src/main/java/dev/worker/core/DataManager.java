package dev.worker.core;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Keeps a worker's chunk set on local disk. Every call only records intent and returns at once (no I/O, no long
 * lock); background work drives the chunks on disk toward the desired state. Only fully downloaded chunks are ever
 * visible to {@link #list()} and {@link #find}.
 *
 * <p>{@code download}, {@code delete} and {@code assign} return futures that complete when the intent is durable
 * in the journal (group commit): an intent whose future completed survives a crash.
 */
public interface DataManager extends AutoCloseable {
    /**
     * Wants the chunk present. A no-op for a chunk already queued, downloading or ready with the same descriptor;
     * revives a chunk that is being removed while its files are still on disk; retries a failed chunk.
     *
     * @throws ConflictingDescriptorException when the chunk is wanted with a different descriptor
     * @throws ManagerClosedException after shutdown
     */
    CompletableFuture<Void> download(ChunkDescriptor descriptor);

    /**
     * Wants the chunk absent. A transfer in progress is cancelled at once; a ready chunk leaves list/find at once
     * and leaves the disk when its last ref closes. Idempotent.
     */
    CompletableFuture<Void> delete(ChunkId id);

    /**
     * Replaces the whole desired set: every chunk in {@code chunks} is wanted present, every other chunk absent.
     * Checked as a whole first: on a conflict nothing changes.
     *
     * @throws ConflictingDescriptorException when a chunk in the set is wanted with a different descriptor
     * @throws IllegalArgumentException       when the set names one id twice with different descriptors
     */
    CompletableFuture<AssignmentResult> assign(Collection<ChunkDescriptor> chunks);

    /** The ready chunks, sorted by id. */
    List<ChunkStatus> list();

    /** Every chunk the manager knows of, in any state, sorted by id. */
    List<ChunkStatus> statuses();

    Optional<ChunkStatus> status(ChunkId id);

    /**
     * The ready chunk of {@code dataset} that holds {@code block} (the most recently published one when ranges
     * overlap), held by a ref the caller must close.
     */
    Optional<ChunkRef> find(DatasetId dataset, long block);

    /** A ref to the ready chunk {@code id}, when it is ready. */
    Optional<ChunkRef> acquire(ChunkId id);

    /**
     * Re-hashes a ready chunk's files in the background against the sizes and SHA-256 recorded at publish. A
     * corrupt chunk is withdrawn at once (never served again) and, while it is still desired, downloaded anew; open
     * refs keep its directory until they close. The future completes when the check is done.
     */
    CompletableFuture<VerifyResult> verify(ChunkId id);

    /** Registers a listener; closing the returned handle removes it. */
    AutoCloseable addListener(ChunkListener listener);

    ManagerStats stats();

    /** Stops accepting calls and stops background work; partial downloads stay on disk for resume. */
    void shutdown();

    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /** {@link #shutdown()} then waits for termination. */
    @Override
    void close();
}
