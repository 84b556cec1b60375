package dev.worker.mock;

import dev.worker.core.launch.ByteSizes;
import dev.worker.core.launch.StopSignals;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code worker-mock storage}: serves a synthetic chunk set over HTTP until SIGINT/SIGTERM. */
@Command(
        name = "storage",
        description = {"Serve a synthetic chunk set over HTTP, with optional faults.",
                "File contents are generated from (seed, path), so any size needs no disk. GET /manifest.json lists "
                        + "the chunk descriptors (the body PUT /v1/assignment takes); GET /stats shows counters."},
        sortOptions = false,
        footer = {"", "Sizes: 512, 4KB, 200MB, 1GB (powers of 1000) or 4KiB, 200MiB, 1GiB (powers of 1024).",
                "Durations: 500ms, 2s, 1m (a bare number is seconds).",
                "Environment: WORKER_MOCK_<OPTION>, e.g. WORKER_MOCK_SEED=7, WORKER_MOCK_CHUNK_SIZE=4MB."})
final class StorageCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = "--host", defaultValue = MockStorageConfig.DEFAULT_HOST, paramLabel = "ADDRESS",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "0", paramLabel = "PORT",
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--datasets", defaultValue = "" + ChunkSetSpec.DEFAULT_DATASETS, paramLabel = "N",
            description = "Datasets the chunks are spread over, round-robin (default: ${DEFAULT-VALUE}).")
    int datasets;

    @Option(names = "--chunks", defaultValue = "" + ChunkSetSpec.DEFAULT_CHUNKS, paramLabel = "N",
            description = "Chunks in total (default: ${DEFAULT-VALUE}).")
    int chunks;

    @Option(names = "--files-per-chunk", defaultValue = "" + ChunkSetSpec.DEFAULT_FILES_PER_CHUNK, paramLabel = "N",
            description = "Files per chunk, 1 to 64 (default: ${DEFAULT-VALUE}).")
    int filesPerChunk;

    @Option(names = "--chunk-size", defaultValue = "200MiB", converter = Converters.Size.class, paramLabel = "SIZE",
            description = "Bytes per chunk, split over its files (default: ${DEFAULT-VALUE}).")
    long chunkSize;

    @Option(names = "--blocks-per-chunk", defaultValue = "0", paramLabel = "N",
            description = "Blocks per chunk; 0 draws 100 to 10,000 per chunk (default: ${DEFAULT-VALUE}).")
    int blocksPerChunk;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N",
            description = "Seed of ids, ranges, sizes, content and faults (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-checksums", description = "Leave sha256 out of the manifest (sizes stay); otherwise they "
            + "are computed on the first manifest request, which takes a while for big sets.")
    boolean noChecksums;

    @Option(names = "--error-rate", defaultValue = "0", paramLabel = "FRACTION",
            description = "Fraction of file requests answered 503.")
    double errorRate;

    @Option(names = "--retry-after", converter = Converters.Time.class, paramLabel = "DURATION",
            description = "Send Retry-After (whole seconds) with injected 503s.")
    Duration retryAfter;

    @Option(names = "--reset-rate", defaultValue = "0", paramLabel = "FRACTION",
            description = "Fraction of bodies cut at a random point by a connection reset (RST).")
    double resetRate;

    @Option(names = "--truncate-rate", defaultValue = "0", paramLabel = "FRACTION",
            description = "Fraction of bodies cut at a random point by a clean close (full Content-Length declared).")
    double truncateRate;

    @Option(names = "--stall-rate", defaultValue = "0", paramLabel = "FRACTION",
            description = "Fraction of bodies that stop at a random point for --stall, then close.")
    double stallRate;

    @Option(names = "--stall", defaultValue = "10s", converter = Converters.Time.class, paramLabel = "DURATION",
            description = "How long a stalled body stays silent (default: ${DEFAULT-VALUE}).")
    Duration stall;

    @Option(names = "--latency", defaultValue = "0", converter = Converters.Time.class, paramLabel = "DURATION",
            description = "Delay before the headers of every file response.")
    Duration latency;

    @Option(names = "--bandwidth", defaultValue = "0", converter = Converters.Size.class, paramLabel = "SIZE",
            description = "Bytes per second per connection; 0 = unlimited.")
    long bandwidth;

    @Option(names = "--total-bandwidth", defaultValue = "0", converter = Converters.Size.class, paramLabel = "SIZE",
            description = "Bytes per second over all connections; 0 = unlimited.")
    long totalBandwidth;

    @Option(names = "--not-found", split = ",", paramLabel = "PATH",
            description = "Paths (or URLs) answered 404 although they are in the manifest; comma-separated.")
    List<String> notFound = new ArrayList<>();

    StorageCommand() {
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        MockStorageConfig config = config();
        CountDownLatch stop = new CountDownLatch(1);
        StopSignals.install(stop::countDown);
        try (MockStorage storage = MockStorage.start(config)) {
            // Closes the storage on exits other than SIGINT/SIGTERM (those open the latch instead).
            Thread hook = new Thread(storage::close, "worker-mock-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            PrintWriter out = spec.commandLine().getOut();
            out.println(startupLine(storage));
            if (config.faults().any()) {
                out.println("faults: " + config.faults().describe());
            }
            out.flush();
            stop.await();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        return 0;
    }

    /** The configuration the options describe. */
    MockStorageConfig config() {
        try {
            FaultConfig.Builder faults = FaultConfig.builder()
                    .errorRate(errorRate)
                    .resetRate(resetRate)
                    .truncateRate(truncateRate)
                    .stallRate(stallRate)
                    .stall(stall)
                    .latency(latency)
                    .bandwidth(bandwidth)
                    .totalBandwidth(totalBandwidth)
                    .notFound(notFound.stream().map(StorageCommand::toPath).toList());
            if (retryAfter != null) {
                faults.retryAfter(retryAfter);
            }
            return MockStorageConfig.builder()
                    .host(host)
                    .port(port)
                    .seed(seed)
                    .datasets(datasets)
                    .chunks(chunks)
                    .filesPerChunk(filesPerChunk)
                    .chunkSize(chunkSize)
                    .blocksPerChunk(blocksPerChunk)
                    .checksums(!noChecksums)
                    .faults(faults.build())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    static String startupLine(MockStorage storage) {
        SyntheticChunkSet set = storage.chunkSet();
        return "mock storage: " + storage.baseUrl() + " (" + set.chunks().size() + " chunks in "
                + set.datasets().size() + " datasets, " + ByteSizes.formatCompact(set.totalSize()) + "); manifest: "
                + storage.manifestUrl();
    }

    /** Accepts a path or a full URL and returns the path. */
    private static String toPath(String value) {
        String s = value.strip();
        if (s.startsWith("/")) {
            return s;
        }
        return StorageHandler.path(s).orElseThrow(() -> new IllegalArgumentException(
                "--not-found takes paths starting with '/' or http URLs, got '" + value + "'"));
    }
}
