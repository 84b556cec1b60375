package dev.worker.mock;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server serving a synthetic chunk set whose file contents are generated on the fly, with injectable faults.
 * For the daemon's demo, tests and benchmarks:
 *
 * <pre>{@code
 * try (MockStorage storage = MockStorage.start(MockStorageConfig.builder().chunks(8).chunkSize(4 << 20).build())) {
 *     List<ChunkDescriptor> chunks = storage.manifest();      // also at storage.manifestUrl()
 *     storage.faults(FaultConfig.builder().resetRate(0.5).build());
 *     ...
 *     MockStorageStats stats = storage.stats();
 * }
 * }</pre>
 *
 * Serves {@code GET}/{@code HEAD} of every file of the set (single byte ranges, {@code If-Range}, strong ETags),
 * {@code /manifest.json} ({@code {"chunks": [descriptor...]}}, the body the daemon's {@code PUT /v1/assignment}
 * takes) and {@code /stats}. Thread-safe.
 */
public final class MockStorage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MockStorage.class);

    private final MockStorageConfig config;
    private final StorageContext context;
    private final StorageServer server;
    private final URI baseUrl;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MockStorage(MockStorageConfig config, StorageContext context, StorageServer server, URI baseUrl) {
        this.config = config;
        this.context = context;
        this.server = server;
        this.baseUrl = baseUrl;
    }

    /**
     * Generates the chunk set and starts listening.
     *
     * @throws IOException when the address cannot be bound
     */
    public static MockStorage start(MockStorageConfig config) throws IOException {
        requireNonNull(config, "config");
        SyntheticChunkSet chunkSet = SyntheticChunkSet.generate(config.chunkSet());
        CompletableFuture<URI> baseUrl = new CompletableFuture<>();
        ContentGenerator content = new ContentGenerator(config.chunkSet().seed());
        Manifest manifest = new Manifest(chunkSet, content, config.checksums(), baseUrl);
        StorageContext context = new StorageContext(chunkSet, content, manifest, config.faults());
        StorageServer server;
        try {
            server = StorageServer.bind(config.host(), config.port(), context);
        } catch (IOException e) {
            manifest.close();
            throw e;
        }
        URI url = baseUrl(server.localAddress());
        baseUrl.complete(url);
        warnAboutUnknownPaths(chunkSet, config.faults());
        LOG.debug("mock storage started url={} chunks={} datasets={} bytes={} faults=[{}]", url,
                chunkSet.chunks().size(), chunkSet.datasets().size(), chunkSet.totalSize(),
                config.faults().describe());
        return new MockStorage(config, context, server, url);
    }

    /** The root URL, ending with {@code /}, e.g. {@code http://127.0.0.1:43123/}. */
    public URI baseUrl() {
        return baseUrl;
    }

    public URI manifestUrl() {
        return baseUrl.resolve(StorageHandler.MANIFEST_PATH.substring(1));
    }

    public URI statsUrl() {
        return baseUrl.resolve(StorageHandler.STATS_PATH.substring(1));
    }

    /** Where {@code file} is served. */
    public URI url(SyntheticFile file) {
        return baseUrl.resolve(file.path().substring(1));
    }

    public MockStorageConfig config() {
        return config;
    }

    public SyntheticChunkSet chunkSet() {
        return context.chunkSet();
    }

    /** The generator of every file's bytes, to verify downloads. */
    public ContentGenerator content() {
        return context.content();
    }

    /**
     * The descriptors served at {@link #manifestUrl()}. Blocks until the files' checksums are computed the first time
     * (when enabled); later calls return at once.
     */
    public List<ChunkDescriptor> manifest() {
        try {
            return context.manifest().descriptors().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException("interrupted while building the manifest", e);
        } catch (ExecutionException e) {
            throw new CompletionException("building the manifest failed", e.getCause());
        }
    }

    /** The descriptors, without blocking: the future completes once the checksums (if enabled) are computed. */
    public CompletableFuture<List<ChunkDescriptor>> manifestAsync() {
        return context.manifest().descriptors().copy();
    }

    public MockStorageStats stats() {
        return context.stats().snapshot();
    }

    /** The faults in force now. */
    public FaultConfig faults() {
        return context.faults().config();
    }

    /** Puts {@code faults} in force for file requests that start from now on; those in progress keep theirs. */
    public void faults(FaultConfig faults) {
        context.faults(requireNonNull(faults, "faults"));
        warnAboutUnknownPaths(context.chunkSet(), faults);
        LOG.debug("mock storage faults changed url={} faults=[{}]", baseUrl, faults.describe());
    }

    /** Stops listening and closes every connection; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.close();
            context.manifest().close();
            LOG.debug("mock storage stopped url={}", baseUrl);
        }
    }

    private static void warnAboutUnknownPaths(SyntheticChunkSet chunkSet, FaultConfig faults) {
        for (String path : faults.notFound()) {
            if (chunkSet.file(path).isEmpty()) {
                LOG.warn("not-found path is not a file of the chunk set, so it is a 404 anyway path={}", path);
            }
        }
    }

    private static URI baseUrl(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        // A wildcard address is not somewhere a client can connect to; name loopback instead.
        String host = ip.isAnyLocalAddress()
                ? InetAddress.getLoopbackAddress().getHostAddress()
                : ip.getHostAddress();
        if (host.contains(":") || ip instanceof Inet6Address && !ip.isAnyLocalAddress()) {
            host = "[" + stripScope(host) + "]";
        }
        return URI.create("http://" + host + ":" + address.getPort() + "/");
    }

    private static String stripScope(String host) {
        int percent = host.indexOf('%');
        return percent < 0 ? host : host.substring(0, percent);
    }
}
