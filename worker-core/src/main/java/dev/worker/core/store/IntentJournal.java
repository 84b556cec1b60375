package dev.worker.core.store;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The intent journal ({@code intents.log}): an append-only file of framed, checksummed records, group-committed by
 * one writer thread (one fsync per batch) and compacted into a single {@link Intent.Snapshot} of the desired
 * set when it grows. The file format is described in {@link JournalFormat}.
 *
 * <p>Futures returned by {@link #append} are completed on the writer thread: dependent actions should be short or
 * use the {@code *Async} variants, since the next batch waits for them.
 */
public final class IntentJournal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IntentJournal.class);

    private final Path file;
    private final Path compactFile;
    private final long compactThresholdBytes;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    /** Guarded by lock. */
    private List<Pending> queue = new ArrayList<>();
    /** Guarded by lock. */
    private boolean started;
    /**
     * Guarded by lock: the desired set {@link #start} hands to the writer, let go once the writer has read it (a
     * thread keeps its task for as long as it runs, so the task must not hold it).
     */
    private Collection<ChunkDescriptor> startDesired;
    /** Guarded by lock. INVARIANT: once closed, nothing more is queued; the writer drains the queue and stops. */
    private boolean closed;
    private volatile Thread writer;
    private final CountDownLatch finished = new CountDownLatch(1);

    private final AtomicLong syncs = new AtomicLong();
    private final AtomicLong recordsWritten = new AtomicLong();
    private final AtomicLong compactions = new AtomicLong();
    private final AtomicLong sizeBytes = new AtomicLong();

    // Writer state, confined to the writer (or, when closed before start, to the closing thread).
    private FileChannel channel;
    /** Length of the file up to the last durable batch; a failed batch is cut back to it. */
    private long durableSize;
    private boolean tailDirty;
    private boolean directorySyncPending;
    private long lastSnapshotSize;
    /** The desired set the file replays to; null when closed before start (then no compaction). */
    private Map<ChunkId, ChunkDescriptor> desired;

    private record Pending(Intent intent, CompletableFuture<Void> future) {
    }

    /**
     * The journal and the intents read back from it, in order. A torn or corrupt tail (a crash mid-write) is
     * truncated with a warning; it never held an acknowledged intent.
     */
    public record Opened(IntentJournal journal, List<Intent> replay) {
        public Opened {
            requireNonNull(journal, "journal");
            replay = List.copyOf(replay);
        }
    }

    /** The journal's only record when it was opened, if that was a snapshot; else null. */
    // Written by the constructor, read and cleared by the writer thread (started after): not needed after start.
    private Intent.Snapshot replayedSnapshot;

    private IntentJournal(Path file, long compactThresholdBytes, long size) {
        this(file, compactThresholdBytes, size, List.of());
    }

    private IntentJournal(Path file, long compactThresholdBytes, long size, List<Intent> replayed) {
        // A journal that is one snapshot and nothing else need not be rewritten at start when the desired set is
        // the same (the common case after a clean restart): that saves rewriting every descriptor.
        this.replayedSnapshot = replayed.size() == 1 && replayed.getFirst() instanceof Intent.Snapshot a ? a : null;
        this.file = file;
        this.compactFile = compactFileOf(file);
        this.compactThresholdBytes = compactThresholdBytes;
        this.durableSize = size;
        this.lastSnapshotSize = size;
        this.sizeBytes.set(size);
    }

    /**
     * Opens (creating if missing) and reads the journal. A compaction file left by a crash is deleted (the journal
     * itself is still whole then). Appends are queued but not written until {@link #start}.
     *
     * @throws IOException when the file cannot be read or created, or is not a journal at all
     */
    public static Opened open(Path file, long compactThresholdBytes) throws IOException {
        requireNonNull(file, "file");
        if (compactThresholdBytes <= 0) {
            throw new IllegalArgumentException("compactThresholdBytes must be > 0, got " + compactThresholdBytes);
        }
        Path absolute = file.toAbsolutePath();
        Path leftover = compactFileOf(absolute);
        if (Files.deleteIfExists(leftover)) {
            log.info("deleted a compaction file left by an interrupted compaction file={}", leftover);
        }
        if (!Files.exists(absolute)) {
            try (FileChannel created = JournalFormat.writeAndReplace(absolute, leftover, List.of())) {
                FileSystemOps.fsyncDirectory(absolute.getParent());
                log.info("created intent journal file={}", absolute);
                return new Opened(new IntentJournal(absolute, compactThresholdBytes, created.size()), List.of());
            } catch (IOException e) {
                throw new IOException("cannot create intent journal " + absolute + ": " + e, e);
            }
        }
        JournalFormat.Contents contents = JournalFormat.read(absolute);
        log.info("opened intent journal file={} records={} bytes={}", absolute, contents.intents().size(),
                contents.size());
        return new Opened(new IntentJournal(absolute, compactThresholdBytes, contents.size(), contents.intents()),
                contents.intents());
    }

    /**
     * Starts the writer with the desired set the manager derived at startup (on-disk chunks, then the replay). The
     * writer first rewrites the journal as one snapshot of it, so intents that are no longer needed disappear and
     * chunks found only on disk become journaled. Intents appended before this call are written after the snapshot,
     * i.e. on top of {@code desired}. The writer thread reads {@code desired}: do not change it after this call.
     *
     * @throws IllegalStateException when already started or closed
     */
    public void start(Collection<ChunkDescriptor> desired) {
        requireNonNull(desired, "desired");
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("intent journal " + file + " is closed");
            }
            if (started) {
                throw new IllegalStateException("intent journal " + file + " is already started");
            }
            started = true;
            startDesired = desired;
            writer = Thread.ofPlatform().name("intent-journal-writer").daemon().unstarted(this::runStartedWriter);
            writer.start();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues an intent; never blocks. Intents are written in the order of these calls. The future completes when
     * the intent is durable (written and fsync'd), or exceptionally with the IOException that prevented it, or with
     * an {@link IllegalStateException} when the journal is closed.
     */
    public CompletableFuture<Void> append(Intent intent) {
        requireNonNull(intent, "intent");
        CompletableFuture<Void> future = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("intent journal " + file
                        + " is closed"));
            }
            queue.add(new Pending(intent, future));
            wake.signal();
        } finally {
            lock.unlock();
        }
        return future;
    }

    /**
     * Writes what is queued, stops the writer and closes the file. Idempotent. When the journal was never started,
     * the queued intents are appended to the file as it was opened.
     */
    @Override
    public void close() {
        boolean drainHere;
        lock.lock();
        try {
            drainHere = !closed && !started;
            closed = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
        if (drainHere) {
            runWriter(null);
        }
        if (Thread.currentThread() == writer) {
            return; // closed from a future's callback: the writer stops after this batch
        }
        boolean interrupted = false;
        while (true) {
            try {
                finished.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the writer ends on its own once the queue is drained
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** fsyncs of the journal file and directory so far (batches, snapshots). */
    public long syncs() {
        return syncs.get();
    }

    /** Records appended to the journal so far (snapshots not counted). */
    public long recordsWritten() {
        return recordsWritten.get();
    }

    /** Snapshots written so far, the one at {@link #start} included. */
    public long compactions() {
        return compactions.get();
    }

    /** The journal file's current length in bytes. */
    public long sizeBytes() {
        return sizeBytes.get();
    }

    @Override
    public String toString() {
        return "IntentJournal[" + file + "]";
    }

    private boolean sameAsReplayedSnapshot(Map<ChunkId, ChunkDescriptor> initial) {
        if (replayedSnapshot == null || replayedSnapshot.chunks().size() != initial.size()) {
            return false;
        }
        // Ids only: the journal must hold an intent for every desired chunk, and it does. Where the journaled
        // descriptor of an id differs from the one on disk, startup keeps the chunk on disk under its own
        // descriptor (ids name content); the journaled one stays what would be downloaded again if needed.
        for (JournaledDescriptor d : replayedSnapshot.chunks()) {
            if (!initial.containsKey(d.id())) {
                return false;
            }
        }
        return true;
    }

    /** The started writer: builds the desired map on this thread (the caller's startup need not wait for it). */
    private void runStartedWriter() {
        runWriter(takeStartDesired());
    }

    /**
     * The desired set handed over by {@link #start}, by id. A method of its own so that no frame of the writer,
     * which runs as long as the journal is open, keeps the caller's collection (100,000 chunks: about 4 MB).
     */
    private Map<ChunkId, ChunkDescriptor> takeStartDesired() {
        Collection<ChunkDescriptor> desired;
        lock.lock();
        try {
            desired = startDesired;
            startDesired = null;
        } finally {
            lock.unlock();
        }
        return byId(desired);
    }

    private static Map<ChunkId, ChunkDescriptor> byId(Collection<ChunkDescriptor> desired) {
        Map<ChunkId, ChunkDescriptor> initial = HashMap.newHashMap(desired.size());
        for (ChunkDescriptor descriptor : desired) {
            initial.put(descriptor.id(), descriptor);
        }
        return initial;
    }

    private void runWriter(Map<ChunkId, ChunkDescriptor> initial) {
        try {
            desired = initial;
            boolean unchanged = desired != null && sameAsReplayedSnapshot(initial);
            replayedSnapshot = null; // its journaled JSON is no longer needed: let it go
            if (desired != null && !unchanged) {
                try {
                    snapshot();
                } catch (IOException e) {
                    log.error("intent journal snapshot at start failed; appending to the existing file file={}", file,
                            e);
                }
            }
            for (List<Pending> batch = nextBatch(); batch != null; batch = nextBatch()) {
                writeBatch(batch);
                maybeCompact();
            }
        } catch (RuntimeException | Error e) {
            log.error("intent journal writer failed file={}", file, e);
            throw e;
        } finally {
            List<Pending> abandoned;
            lock.lock();
            try {
                closed = true;
                abandoned = queue;
                queue = new ArrayList<>();
            } finally {
                lock.unlock();
            }
            // Empty unless the writer failed: then no later append may wait forever.
            abandoned.forEach(p -> p.future().completeExceptionally(
                    new IllegalStateException("intent journal writer stopped")));
            closeChannel();
            finished.countDown();
        }
    }

    /** Everything queued, waiting for at least one; null once closed and drained. */
    private List<Pending> nextBatch() {
        lock.lock();
        try {
            while (queue.isEmpty() && !closed) {
                wake.awaitUninterruptibly(); // the writer stops through close(), which drains the queue first
            }
            if (queue.isEmpty()) {
                return null;
            }
            List<Pending> batch = queue;
            queue = new ArrayList<>();
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void writeBatch(List<Pending> batch) {
        if (Thread.currentThread() == writer && Thread.interrupted()) {
            // Nobody is meant to interrupt the writer (close() stops it); an interrupt would only close the channel.
            log.warn("intent journal writer was interrupted; ignoring it file={}", file);
        }
        List<Pending> framed = new ArrayList<>(batch.size());
        List<ByteBuffer> frames = new ArrayList<>(batch.size());
        long bytes = 0;
        for (Pending pending : batch) {
            try {
                ByteBuffer frame = JournalFormat.frame(pending.intent());
                frames.add(frame);
                framed.add(pending);
                bytes += frame.remaining();
            } catch (RuntimeException e) {
                pending.future().completeExceptionally(e);
            }
        }
        if (framed.isEmpty()) {
            return;
        }
        try {
            FileChannel out = appendChannel();
            ByteBuffer[] buffers = frames.toArray(ByteBuffer[]::new);
            out.position(durableSize);
            for (long written = 0; written < bytes; ) {
                written += out.write(buffers); // one gathering write, repeated only if the OS took part of it
            }
            tailDirty = true;
            out.force(false);
            syncs.incrementAndGet();
            if (directorySyncPending) {
                FileSystemOps.fsyncDirectory(file.getParent());
                syncs.incrementAndGet();
                directorySyncPending = false;
            }
            tailDirty = false;
            durableSize += bytes;
            sizeBytes.set(durableSize);
            recordsWritten.addAndGet(framed.size());
        } catch (IOException e) {
            log.error("intent journal write failed; the batch is not durable file={} records={}", file,
                    framed.size(), e);
            framed.forEach(p -> p.future().completeExceptionally(e));
            return;
        }
        if (desired != null) {
            framed.forEach(p -> Intent.apply(p.intent(), desired));
        }
        framed.forEach(p -> p.future().complete(null));
    }

    /** The open log, reopened if needed, with any part of a failed batch cut off. */
    private FileChannel appendChannel() throws IOException {
        if (channel == null || !channel.isOpen()) {
            closeChannel();
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            tailDirty = true;
        }
        if (tailDirty) {
            // INVARIANT: the file never holds bytes past durableSize when a batch starts, so a later durable batch
            // is never hidden behind the torn remains of a failed one.
            if (channel.size() != durableSize) {
                channel.truncate(durableSize);
                channel.force(true);
                syncs.incrementAndGet();
            }
            tailDirty = false;
        }
        return channel;
    }

    private void maybeCompact() {
        if (desired == null || durableSize <= compactThresholdBytes || durableSize < 2 * lastSnapshotSize) {
            return;
        }
        long before = durableSize;
        try {
            snapshot();
            log.info("intent journal compacted file={} bytesBefore={} bytesAfter={} chunks={}", file, before,
                    durableSize, desired.size());
        } catch (IOException e) {
            // Try again only once the file has doubled again, not after every batch.
            lastSnapshotSize = durableSize;
            log.warn("intent journal compaction failed; appending to the current file file={}", file, e);
        }
    }

    /**
     * Replaces the log by one Snapshot record of {@link #desired}: written to a side file, fsync'd, renamed over the
     * log, directory fsync'd. A crash leaves the old or the new file, and both replay to the same desired set.
     */
    private void snapshot() throws IOException {
        FileChannel fresh = JournalFormat.writeAndReplace(file, compactFile,
                List.of(new Intent.Snapshot(desired.values().stream().map(JournaledDescriptor::of).toList())));
        syncs.incrementAndGet();
        closeChannel();
        channel = fresh;
        durableSize = fresh.size();
        lastSnapshotSize = durableSize;
        tailDirty = false;
        sizeBytes.set(durableSize);
        compactions.incrementAndGet();
        try {
            FileSystemOps.fsyncDirectory(file.getParent());
            syncs.incrementAndGet();
            directorySyncPending = false;
        } catch (IOException e) {
            // The rename may not be durable yet; the next batch retries before acknowledging anything.
            directorySyncPending = true;
            log.warn("fsync of the journal's directory failed; retrying with the next batch dir={}",
                    file.getParent(), e);
        }
    }

    private void closeChannel() {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("closing the intent journal failed file={}", file, e);
        }
        channel = null;
    }

    private static Path compactFileOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".compact");
    }
}
