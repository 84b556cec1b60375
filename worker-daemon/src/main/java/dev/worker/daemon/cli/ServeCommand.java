package dev.worker.daemon.cli;

import dev.worker.core.ManagerConfig;
import dev.worker.core.launch.TokenFile;
import dev.worker.daemon.DaemonConfig;
import dev.worker.daemon.ListenAddress;
import dev.worker.daemon.ServeLoop;
import dev.worker.daemon.StartupException;
import dev.worker.daemon.api.ApiLimits;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code worker serve}: runs the daemon until SIGTERM/SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the daemon: keep the assigned chunks on local disk and serve the admin API.",
                "Stops gracefully on SIGTERM or SIGINT (exit 0)."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The data directory (created if missing). Required unless --demo. Env WORKER_DATA_DIR.")
    Path dataDir;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7070",
            converter = Converters.Listen.class,
            description = "Admin API address; port 0 picks a free one (default ${DEFAULT-VALUE}). A non-loopback "
                    + "address needs --token-file.")
    ListenAddress listen;

    @Option(names = "--max-downloads", paramLabel = "N", defaultValue = "16",
            description = "Concurrent file transfers (default ${DEFAULT-VALUE}).")
    int maxDownloads;

    @Option(names = "--max-disk", paramLabel = "SIZE", defaultValue = "0", converter = Converters.Size.class,
            description = "Bytes the data directory may hold, e.g. 500GB or 1TiB; 0 for no limit (default).")
    long maxDisk;

    @Option(names = "--min-free", paramLabel = "SIZE", defaultValue = "1GiB", converter = Converters.Size.class,
            description = "Free space the file system must keep; downloads wait below it (default ${DEFAULT-VALUE}).")
    long minFree;

    @Option(names = "--bandwidth", paramLabel = "RATE", defaultValue = "0", converter = Converters.Size.class,
            description = "Total download rate cap in bytes/s, e.g. 100MB or 50MiB/s; 0 for none (default).")
    long bandwidth;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the bearer token the admin API requires (trimmed). Required for a "
                    + "non-loopback --listen.")
    Path tokenFile;

    @Option(names = "--max-lease-ttl", paramLabel = "DURATION", defaultValue = "3600s",
            converter = Converters.Time.class,
            description = "Longest lease a client may ask for, e.g. 3600s, 2h (default ${DEFAULT-VALUE}).")
    Duration maxLeaseTtl;

    @Option(names = "--max-leases-per-client", paramLabel = "N", defaultValue = "10000",
            description = "Active leases one client address may hold (default ${DEFAULT-VALUE}; all clients "
                    + "together hold at most 100000).")
    int maxLeasesPerClient;

    @Option(names = "--max-assignment-body", paramLabel = "SIZE", defaultValue = "64MiB",
            converter = Converters.Size.class,
            description = "Largest PUT /v1/assignment body (default ${DEFAULT-VALUE}).")
    long maxAssignmentBody;

    @Option(names = "--verify-on-start", description = "Re-hash every ready chunk at startup (slow).")
    boolean verifyOnStart;

    @Mixin
    SourceOptions sources;

    @Option(names = "--demo", description = "Also run an embedded mock storage with a small chunk set and assign it: "
            + "see chunks download, become ready and get found. Uses a fresh temp dir unless --data-dir is given.")
    boolean demo;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        DaemonConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (StartupException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        return ServeLoop.run(config, demo, out, err);
    }

    private DaemonConfig config() throws StartupException {
        Path dir = dataDir;
        if (dir == null) {
            if (!demo) {
                throw new IllegalArgumentException(
                        "missing --data-dir (or WORKER_DATA_DIR); only --demo runs without one");
            }
            try {
                dir = Files.createTempDirectory("worker-demo-");
            } catch (IOException e) {
                throw new StartupException("cannot create a temp dir for the demo: " + e.getMessage(), e);
            }
        }
        if (maxDownloads < 1 || maxDownloads > 4096) {
            throw new IllegalArgumentException("--max-downloads must be 1..4096, got " + maxDownloads);
        }
        if (maxLeaseTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("--max-lease-ttl must be at least 1s, got " + maxLeaseTtl);
        }
        if (maxLeasesPerClient < 1) {
            throw new IllegalArgumentException("--max-leases-per-client must be at least 1, got " + maxLeasesPerClient);
        }
        if (maxAssignmentBody < 1024 || maxAssignmentBody > 1L << 30) {
            throw new IllegalArgumentException("--max-assignment-body must be 1KiB..1GiB, got " + maxAssignmentBody);
        }
        ManagerConfig manager = ManagerConfig.builder(dir)
                .maxConcurrentTransfers(maxDownloads)
                .maxDiskBytes(maxDisk)
                .minFreeBytes(minFree)
                .bandwidthBytesPerSecond(bandwidth)
                .verifyOnStart(verifyOnStart)
                .sources(sources.sources(spec))
                .build();
        ApiLimits defaults = ApiLimits.defaults();
        ApiLimits limits = defaults.withMaxAssignmentBodyBytes(maxAssignmentBody)
                .withLeases(defaults.leases().withMaxTtl(maxLeaseTtl).withMaxLeasesPerClient(maxLeasesPerClient));
        DaemonConfig config = DaemonConfig.of(manager, listen).withLimits(limits);
        Optional<String> token = readToken();
        return token.isPresent() ? config.withToken(token.get()) : config;
    }

    private Optional<String> readToken() throws StartupException {
        if (tokenFile == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(TokenFile.read(tokenFile));
        } catch (IOException | IllegalArgumentException e) {
            throw new StartupException(e.getMessage(), e);
        }
    }
}
