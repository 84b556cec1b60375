package dev.worker.core.download;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.source.PolicyResolverProvider;
import dev.worker.core.source.SourcePolicy;
import dev.worker.core.source.Sources;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads chunks over HTTP(S): one shared JDK HttpClient on virtual threads, a global fair semaphore bounding file
 * transfers, all files of a chunk in parallel, streaming to disk with SHA-256 on the way, resume with Range/If-Range,
 * stall timeout, Retry-After, optional bandwidth cap. Thread-safe; one instance per manager.
 *
 * <p>Besides the files, a download keeps the store's validators (ETag or Last-Modified) in a sibling of its
 * directory, {@link #resumeFileFor(Path) dir.resume}, so that a later call (also after a restart) resumes partial
 * files. It is deleted when the download completes; whoever deletes an unfinished download's directory deletes it
 * too.
 */
public final class ChunkDownloader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChunkDownloader.class);
    private static final int STAGING_BUFFER = 1 << 20;
    static final String CLIENT_BUFFER_PROPERTY = "jdk.httpclient.bufsize";

    static {
        // The JDK client reads the socket into buffers of this size (16 KiB by default) and hands each one to the
        // body subscriber; 64 KiB doubles the throughput measured over loopback (about 400 to 800 MB/s into tmpfs on
        // two cores). The JDK reads the property once, when its first HttpClient starts, so an operator's own value
        // (-Djdk.httpclient.bufsize=...) wins, and a client built earlier in this JVM keeps the default.
        if (System.getProperty(CLIENT_BUFFER_PROPERTY) == null) {
            System.setProperty(CLIENT_BUFFER_PROPERTY, Integer.toString(64 * 1024));
        }
    }

    private final ExecutorService httpExecutor;
    private final LazyHttpClient client;
    private final TransferEnv env;
    private final Cancellation closing = new Cancellation();
    private final ReentrantLock randomLock = new ReentrantLock();
    private final SplittableRandom random;

    public ChunkDownloader(DownloadSettings settings, DownloadListener listener, Clock clock) {
        this(settings, listener, clock, Sources.defaults());
    }

    public ChunkDownloader(DownloadSettings settings, DownloadListener listener, Clock clock, Sources sources) {
        this(settings, listener, clock, ChannelOpener.DEFAULT, sources);
    }

    ChunkDownloader(DownloadSettings settings, DownloadListener listener, Clock clock, ChannelOpener opener) {
        this(settings, listener, clock, opener, Sources.defaults());
    }

    ChunkDownloader(DownloadSettings settings, DownloadListener listener, Clock clock, ChannelOpener opener,
            Sources sources) {
        requireNonNull(settings, "settings");
        requireNonNull(listener, "listener");
        requireNonNull(clock, "clock");
        requireNonNull(opener, "opener");
        requireNonNull(sources, "sources");
        // Every thread of the HTTP client's executor resolves names under the source policy (see
        // PolicyResolverProvider), so the address the client connects to is one the policy allows.
        ThreadFactory http = Thread.ofVirtual().name("download-http-", 0).factory();
        SourcePolicy policy = sources.policy();
        this.httpExecutor = Executors.newThreadPerTaskExecutor(
                task -> http.newThread(PolicyResolverProvider.scoped(policy, task)));
        // Redirects are followed by Attempt, hop by hop, each checked by the source policy before it connects.
        this.client = new LazyHttpClient(() -> HttpClient.newBuilder()
                .executor(httpExecutor)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.connectTimeout())
                .version(HttpClient.Version.HTTP_2)
                .build());
        Optional<TokenBucket> bucket = settings.bandwidthBytesPerSecond() > 0
                ? Optional.of(new TokenBucket(settings.bandwidthBytesPerSecond(), System::nanoTime))
                : Optional.empty();
        this.env = new TransferEnv(client, new TransferSlots(settings.maxConcurrentTransfers()), bucket,
                new BufferPool(STAGING_BUFFER, settings.maxConcurrentTransfers()), opener, settings, listener, clock,
                sources);
        this.random = new SplittableRandom(settings.randomSeed());
    }

    /**
     * Where a download into {@code dir} keeps its resume validators: {@code tmp/<id>.<n>.resume} for
     * {@code tmp/<id>.<n>}.
     */
    public static Path resumeFileFor(Path dir) {
        return ResumeFile.pathFor(dir);
    }

    /**
     * Downloads every file of {@code descriptor} into {@code dir} (file names as in the descriptor), resuming any
     * partial files already there. Blocks until done: call it from a virtual thread. Transient errors are retried
     * with backoff until success or cancellation. Completed files are fsync'd.
     *
     * <p>{@code cancel} may fire from any thread; the transfers stop at once (their connections are closed) and this
     * returns {@link DownloadOutcome.Cancelled}, as it does when the downloader is closed. Partial files stay in
     * {@code dir}. {@code progress} accumulates: give each download of a chunk its own, or read its counters as
     * totals over the calls it was given to.
     *
     * @throws InterruptedException when the calling thread is interrupted: the transfers are cancelled as by
     *         {@code cancel} and have stopped when this is thrown
     */
    public DownloadOutcome download(ChunkDescriptor descriptor, Path dir, DownloadProgress progress,
            Cancellation cancel, DiskSpace space) throws InterruptedException {
        requireNonNull(descriptor, "descriptor");
        requireNonNull(dir, "dir");
        requireNonNull(progress, "progress");
        requireNonNull(cancel, "cancel");
        requireNonNull(space, "space");
        if (closing.isCancelled() || cancel.isCancelled()) {
            return new DownloadOutcome.Cancelled();
        }
        return new ChunkDownload(env, descriptor, dir, progress, cancel, closing, space, this::newBackoff).run();
    }

    /** Closes the HTTP client; transfers in flight end as cancelled. */
    @Override
    public void close() {
        if (closing.isCancelled()) {
            return;
        }
        log.debug("closing chunk downloader");
        closing.cancel();
        Optional<HttpClient> made = client.close();
        if (made.isEmpty()) {
            httpExecutor.shutdownNow();
            return;
        }
        HttpClient built = made.get();
        built.shutdownNow();
        try {
            if (!built.awaitTermination(Duration.ofSeconds(5))) {
                log.warn("HTTP client did not terminate within 5 s of shutdownNow");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("interrupted while closing the HTTP client", e);
        }
        httpExecutor.shutdownNow();
    }

    /**
     * Waits until a transfer slot is free (without taking it), so that while every slot is busy a chunk's task
     * creates nothing on disk. (Most queued chunks have no task yet: see {@code Reconciler.start}. This covers the
     * ones started when a slot looked free and another transfer took it first.) Returns false, at once or while
     * waiting, when {@code cancel} fires or the downloader closes; the interrupt that ended the wait is then cleared.
     * Under 16 busy slots this cut a download or delete call's p99 from about 270 to 60 µs
     * ({@code bench/latency.sh}): a call no longer sets off the creation and removal of a download directory on
     * cores the transfers keep busy.
     *
     * @throws InterruptedException when the calling thread is interrupted (not by {@code cancel})
     */
    public boolean awaitTransferSlot(Cancellation cancel) throws InterruptedException {
        requireNonNull(cancel, "cancel");
        TransferSlots slots = env.slots();
        if (slots.hasFree()) {
            return !cancel.isCancelled() && !closing.isCancelled();
        }
        Thread waiter = Thread.currentThread();
        Cancellation.Registration byCaller = cancel.register(waiter::interrupt);
        Cancellation.Registration byClose = closing.register(waiter::interrupt);
        try {
            if (cancel.isCancelled() || closing.isCancelled()) {
                return false;
            }
            slots.awaitFree();
            return !cancel.isCancelled() && !closing.isCancelled();
        } catch (InterruptedException e) {
            if (cancel.isCancelled() || closing.isCancelled()) {
                return false;
            }
            throw e;
        } finally {
            byCaller.close();
            byClose.close();
            if (cancel.isCancelled() || closing.isCancelled()) {
                Thread.interrupted(); // an interrupt from the registrations, possibly delivered after the wait
            }
        }
    }

    /** Whether a transfer slot is free now (a hint: a transfer may take it at once). */
    public boolean hasFreeTransferSlot() {
        return env.slots().hasFree();
    }

    /**
     * Runs {@code hook} each time a file transfer gives its slot back, on that transfer's thread: it must be cheap
     * and must not block.
     */
    public void onTransferSlotFreed(Runnable hook) {
        env.slots().onFreed(hook);
    }

    /** File transfers waiting for a slot (an estimate). */
    int queuedTransfers() {
        return env.slots().queueLength();
    }

    private Backoff newBackoff() {
        DownloadSettings settings = env.settings();
        SplittableRandom split;
        randomLock.lock();
        try {
            split = random.split();
        } finally {
            randomLock.unlock();
        }
        return new Backoff(settings.retryBase(), settings.retryCap(), split);
    }
}
