package dev.worker.core.download;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.FileDigest;
import dev.worker.core.FileSource;
import dev.worker.core.source.PolicyResolverProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call of {@link ChunkDownloader#download}: a virtual thread per file, joined by the calling thread. The first
 * permanent failure, the caller's cancellation, the downloader's close or an interrupt of the caller cancels the
 * others: every file thread is interrupted, which ends whatever it waits on (permit, backoff, bandwidth, response)
 * and makes it abort its HTTP exchange.
 */
final class ChunkDownload {
    private static final Logger log = LoggerFactory.getLogger(ChunkDownload.class);

    private final TransferEnv env;
    private final ChunkDescriptor descriptor;
    private final Path dir;
    private final DownloadProgress progress;
    private final Cancellation external;
    private final Cancellation closing;
    private final DiskSpace space;
    private final Supplier<Backoff> backoffs;
    private final Cancellation local = new Cancellation();
    private final AtomicReference<DownloadOutcome.Failed> firstFailure = new AtomicReference<>();

    ChunkDownload(TransferEnv env, ChunkDescriptor descriptor, Path dir, DownloadProgress progress,
            Cancellation external, Cancellation closing, DiskSpace space, Supplier<Backoff> backoffs) {
        this.env = env;
        this.descriptor = descriptor;
        this.dir = dir;
        this.progress = progress;
        this.external = external;
        this.closing = closing;
        this.space = space;
        this.backoffs = backoffs;
    }

    DownloadOutcome run() throws InterruptedException {
        long started = System.nanoTime();
        ResumeFile resume = ResumeFile.load(dir);
        progress.attemptStarted();
        progress.addTotal(descriptor.files().values().stream()
                .mapToLong(source -> source.size().orElse(0)).sum());
        List<FileTransfer> transfers = new ArrayList<>();
        int blockSize = PartialFile.directBlockSize(dir, BufferPool.ALIGNMENT);
        for (Map.Entry<String, FileSource> file : descriptor.files().entrySet()) {
            PartialFile partial = new PartialFile(dir.resolve(file.getKey()), env.opener(), blockSize);
            transfers.add(new FileTransfer(env, new FileState(file.getKey(), file.getValue(), partial), progress,
                    space, resume, local, backoffs.get()));
        }
        AtomicReferenceArray<FileTransfer.Outcome> outcomes = new AtomicReferenceArray<>(transfers.size());
        List<Thread> threads = new ArrayList<>(transfers.size());
        String prefix = "download-" + descriptor.id().toString().substring(0, 8) + "-";
        for (int i = 0; i < transfers.size(); i++) {
            int index = i;
            FileTransfer transfer = transfers.get(i);
            threads.add(Thread.ofVirtual().name(prefix + transfer.name()).unstarted(scoped(() -> {
                FileTransfer.Outcome outcome = runGuarded(transfer);
                outcomes.set(index, outcome);
                if (outcome instanceof FileTransfer.Failed failed) {
                    firstFailure.compareAndSet(null, failed.failure());
                }
                if (!(outcome instanceof FileTransfer.Ok)) {
                    local.cancel();
                }
            })));
        }
        log.debug("chunk download starting chunk={} dir={} files={}", descriptor.id(), dir, transfers.size());
        Cancellation.Registration byCaller = external.register(local::cancel);
        Cancellation.Registration byClose = closing.register(local::cancel);
        Cancellation.Registration interrupts = null;
        try {
            threads.forEach(Thread::start);
            // INVARIANT: each file thread checks the local cancellation before every wait, and this interrupts any
            // wait already begun (registered after start: interrupting a thread not yet started does nothing);
            // between the two no file thread can sleep through a cancellation.
            interrupts = local.register(() -> interruptAll(threads));
            joinAll(threads);
        } finally {
            if (interrupts != null) {
                interrupts.close();
            }
            byClose.close();
            byCaller.close();
        }
        DownloadOutcome outcome = outcome(transfers, outcomes);
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        switch (outcome) {
            case DownloadOutcome.Completed completed -> {
                resume.delete();
                log.info("chunk downloaded chunk={} files={} bytes={} elapsedMs={}", descriptor.id(),
                        completed.files().size(), completed.totalSize(), elapsedMs);
            }
            case DownloadOutcome.Failed failed -> log.warn("chunk download failed chunk={} file={} reason={} "
                    + "elapsedMs={} error={}", descriptor.id(), failed.file(), failed.reason(), elapsedMs,
                    failed.message());
            case DownloadOutcome.Cancelled cancelled -> log.info("chunk download cancelled chunk={} bytesDone={} "
                    + "elapsedMs={}", descriptor.id(), progress.bytesDone(), elapsedMs);
        }
        return outcome;
    }

    /** The file's thread resolves the names it checks under the source policy, as the HTTP client's threads do. */
    private Runnable scoped(Runnable task) {
        return PolicyResolverProvider.scoped(env.sources().policy(), task);
    }

    /** A bug in a transfer fails the chunk (and so stops its siblings) instead of leaving them to run forever. */
    private FileTransfer.Outcome runGuarded(FileTransfer transfer) {
        try {
            return transfer.run();
        } catch (RuntimeException | Error e) {
            log.error("file transfer crashed chunk={} file={}", descriptor.id(), transfer.name(), e);
            env.listener().fileFinished("failed");
            return new FileTransfer.Failed(new DownloadOutcome.Failed(transfer.name(), "internal_error",
                    "transfer of file " + transfer.name() + " crashed: " + e));
        }
    }

    private DownloadOutcome outcome(List<FileTransfer> transfers, AtomicReferenceArray<FileTransfer.Outcome> outcomes) {
        DownloadOutcome.Failed failure = firstFailure.get();
        if (failure != null) {
            return failure;
        }
        if (local.isCancelled()) {
            return new DownloadOutcome.Cancelled();
        }
        Map<String, FileDigest> files = new LinkedHashMap<>();
        for (int i = 0; i < transfers.size(); i++) {
            if (!(outcomes.get(i) instanceof FileTransfer.Ok ok)) {
                throw new IllegalStateException("file " + transfers.get(i).name() + " ended as " + outcomes.get(i)
                        + " without a cancellation");
            }
            files.put(transfers.get(i).name(), ok.digest());
        }
        return new DownloadOutcome.Completed(files);
    }

    /**
     * Interrupts the file threads from a new thread, so that cancel() never blocks: interrupting a thread inside
     * FileChannel I/O closes the channel, and the close waits in the interrupting thread for that I/O to end.
     */
    private void interruptAll(List<Thread> threads) {
        Thread.ofVirtual().name("download-cancel-" + descriptor.id().toString().substring(0, 8))
                .start(() -> threads.forEach(Thread::interrupt));
    }

    /** Waits for every file thread; an interrupt cancels them, waits for them to stop, then is rethrown. */
    private void joinAll(List<Thread> threads) throws InterruptedException {
        InterruptedException interrupted = null;
        for (Thread thread : threads) {
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    if (interrupted == null) {
                        interrupted = e;
                        log.info("download interrupted, cancelling chunk={}", descriptor.id());
                        local.cancel();
                    }
                }
            }
        }
        if (interrupted != null) {
            throw interrupted;
        }
    }
}
