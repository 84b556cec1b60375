package dev.worker.daemon;

import static java.util.Objects.requireNonNull;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.DataManager;
import dev.worker.core.launch.ByteSizes;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code worker serve --demo}: a mock storage on loopback (a child process, see {@link MockStorageProcess}) serving
 * a small synthetic chunk set (2 datasets of 6 chunks, 3 files each), with a total bandwidth cap so a person can
 * watch the downloads. Once the daemon is ready the whole set is assigned and a "try this" block with working
 * commands is printed.
 */
final class Demo implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Demo.class);
    static final int DATASETS = 2;
    static final int CHUNKS = 12;
    static final int FILES_PER_CHUNK = 3;
    static final long CHUNK_SIZE = 6L << 20;
    static final long BANDWIDTH = 6L << 20;
    private static final Duration STORAGE_START = Duration.ofSeconds(60);

    private final MockStorageProcess storage;
    private final List<ChunkDescriptor> chunks;
    private final long chunkSize;
    private final long bandwidth;

    private Demo(MockStorageProcess storage, List<ChunkDescriptor> chunks, long chunkSize, long bandwidth) {
        this.storage = storage;
        this.chunks = chunks;
        this.chunkSize = chunkSize;
        this.bandwidth = bandwidth;
    }

    static Demo start() throws StartupException {
        return start(MockStorageProcess.command(), CHUNK_SIZE, BANDWIDTH);
    }

    /**
     * A demo with other sizes (tests use small, unthrottled chunks; bandwidth 0 = none).
     *
     * @param mockCommand the command that runs {@code worker-mock}
     */
    static Demo start(List<String> mockCommand, long chunkSize, long bandwidth) throws StartupException {
        List<String> options = List.of("--host", "127.0.0.1", "--port", "0", "--seed", "42",
                "--datasets", Integer.toString(DATASETS), "--chunks", Integer.toString(CHUNKS),
                "--files-per-chunk", Integer.toString(FILES_PER_CHUNK), "--chunk-size", Long.toString(chunkSize),
                "--blocks-per-chunk", "1000", "--total-bandwidth", Long.toString(bandwidth));
        MockStorageProcess storage = MockStorageProcess.start(mockCommand, options, STORAGE_START);
        try {
            List<ChunkDescriptor> chunks = storage.manifest();
            log.info("demo: mock storage at {} serving {} chunks of {} bytes, capped at {} bytes/s",
                    storage.baseUrl(), chunks.size(), chunkSize, bandwidth);
            return new Demo(storage, chunks, chunkSize, bandwidth);
        } catch (IOException e) {
            storage.close();
            throw new StartupException("cannot read the demo's chunk set from the mock storage: " + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            storage.close();
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while reading the demo's chunk set", e);
        }
    }

    /** Assigns the demo set and prints what to try (on the listener thread of the daemon's ready future). */
    void assign(Daemon daemon, DataManager manager, PrintWriter out) {
        requireNonNull(daemon, "daemon");
        manager.assign(chunks).whenComplete((result, failure) -> {
            if (failure != null) {
                log.error("demo: the assignment failed", failure);
                return;
            }
            out.println(tryThis(daemon.url(), daemon.config().manager().dataDir()));
            out.flush();
        });
    }

    String tryThis(URI url, Path dataDir) {
        ChunkDescriptor first = chunks.getFirst();
        long block = first.range().start() + first.range().length() / 2;
        String urlOption = url.toString().equals("http://127.0.0.1:7070") ? "" : " --url " + url;
        String id = first.id().toString().substring(0, 12);
        return String.join("\n",
                "",
                "Demo: " + chunks.size() + " chunks (" + DATASETS + " datasets, " + FILES_PER_CHUNK + " files each, "
                        + ByteSizes.format(chunkSize) + " per chunk) are downloading from a mock storage at "
                        + storage.baseUrl() + (bandwidth > 0 ? ", capped at " + ByteSizes.format(bandwidth) + "/s."
                        : "."),
                "Data directory: " + dataDir,
                "Try:",
                "  bin/worker chunk ls" + urlOption + "    # run it again to watch them download",
                "  curl -s '" + url + "/v1/chunks?state=ready'",
                "  bin/worker find " + first.datasetId() + " " + block + urlOption,
                "  curl -s " + url + "/v1/datasets/" + first.datasetId() + "/blocks/" + block,
                "  bin/worker chunk rm " + id + urlOption,
                "  curl -s " + url + "/metrics | grep '^worker_'",
                "Stop with Ctrl-C.",
                "");
    }

    @Override
    public void close() {
        storage.close();
    }
}
