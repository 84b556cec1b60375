package dev.worker.core.download;

import static java.util.Objects.requireNonNull;

import dev.worker.core.Uninterruptibles;
import java.io.IOException;
import java.net.http.HttpClient;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The downloader's HTTP client, built by the first transfer that needs it. Building the first client of a JVM loads
 * and initialises the JDK's HTTP and TLS code, about 300 ms of CPU on two cores, which a restart over a full data
 * directory with nothing to fetch should not spend.
 *
 * <p>Invariant: once {@link #close()} returned, no client exists that it did not shut down. A caller of
 * {@link #get()} marks {@code started} before it reads {@code closed}, and {@code close} marks {@code closed} before
 * it reads {@code started}; both are volatile, so at least one of the two sees the other: either the caller gives up,
 * or {@code close} builds (if need be) and shuts down the client the caller gets.
 */
final class LazyHttpClient {
    private final FutureTask<HttpClient> build;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    LazyHttpClient(Supplier<HttpClient> builder) {
        requireNonNull(builder, "builder");
        this.build = new FutureTask<>(builder::get);
    }

    /**
     * The client, built on the first call (the callers that come meanwhile wait for it).
     *
     * @throws IOException when closed
     */
    HttpClient get() throws IOException, InterruptedException {
        started.set(true);
        if (closed.get()) {
            throw new IOException("the downloader is closed");
        }
        build.run(); // builds once; a later or concurrent call returns at once
        try {
            return build.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot build the HTTP client: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Stops handing out the client and returns the one to shut down, if one was asked for. Waits for a build in
     * progress without giving up on an interrupt (which stays set).
     */
    Optional<HttpClient> close() {
        closed.set(true);
        if (!started.get()) {
            return Optional.empty();
        }
        build.run();
        try {
            return Optional.of(Uninterruptibles.get(build));
        } catch (IOException | RuntimeException neverBuilt) {
            return Optional.empty(); // nothing to shut down
        }
    }
}
