package dev.worker.mock.drive;

import dev.worker.core.launch.TokenFile;
import dev.worker.mock.Converters;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code worker-mock drive}: churn a running daemon with a seeded operation sequence, then check and report. */
@Command(
        name = "drive",
        description = {"Play a seeded random sequence of download, delete, assign, find and lease operations against "
                + "a running daemon, using a mock storage's manifest; wait until the daemon converges on the desired "
                + "set; check the invariants; report.",
                "Exit codes: 0 no violation, 1 a violation (or no convergence in time, or the run could not start), "
                        + "2 usage error. --ops 0 only checks the daemon's current state."},
        sortOptions = false,
        footer = {"", "Durations: 500ms, 2s, 5m (a bare number is seconds).",
                "Environment: WORKER_MOCK_<OPTION>, e.g. WORKER_MOCK_DAEMON=http://127.0.0.1:7070."})
public final class DriveCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = "--daemon", defaultValue = "http://127.0.0.1:7070", paramLabel = "URL",
            description = "The daemon's admin API (default: ${DEFAULT-VALUE}).")
    String daemon;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the daemon's bearer token (surrounding whitespace trimmed).")
    Path tokenFile;

    @Option(names = "--storage", paramLabel = "URL",
            description = "Root URL of a running mock storage (required): the chunks come from its /manifest.json, "
                    + "its /stats counts requests and faults.")
    String storage;

    @Option(names = "--data-dir", paramLabel = "PATH",
            description = "The daemon's data directory, for the on-disk checks (same host).")
    Path dataDir;

    @Option(names = "--ops", defaultValue = "1000", paramLabel = "N",
            description = "Operations to play (default: ${DEFAULT-VALUE}).")
    long ops;

    @Option(names = "--concurrency", defaultValue = "4", paramLabel = "N",
            description = "Workers playing them (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the operation sequence (default: a random one, printed in the report).")
    Long seed;

    @Option(names = "--mix", defaultValue = OperationMix.DEFAULT, converter = OperationMix.Converter.class,
            paramLabel = "WEIGHTS", description = "Weights of the operations; left-out ones weigh 0 "
                    + "(default: ${DEFAULT-VALUE}).")
    OperationMix mix;

    @Option(names = "--chunks", paramLabel = "N",
            description = "Use only the first N chunks of the manifest (default: all).")
    Integer chunks;

    @Option(names = "--timeout", defaultValue = "5m", converter = Converters.Time.class, paramLabel = "DURATION",
            description = "How long to wait for the daemon to converge, and before that to be ready "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    DriveCommand() {
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        DriveOptions options = options();
        PrintWriter err = spec.commandLine().getErr();
        Drive drive = new Drive(options, line -> {
            if (!options.json()) {
                err.println("drive: " + line);
                err.flush();
            }
        });
        DriveReport report = drive.run();
        PrintWriter out = spec.commandLine().getOut();
        out.print(options.json() ? report.json() + System.lineSeparator() : report.human());
        out.flush();
        return report.exitCode();
    }

    /** The options as given; a bad value is a usage error. */
    DriveOptions options() {
        try {
            if (storage == null || storage.isBlank()) {
                throw new IllegalArgumentException("missing --storage URL (the mock storage whose chunks to play "
                        + "with)");
            }
            return new DriveOptions(uri(daemon, "--daemon"), token(), storageRoot(uri(storage, "--storage")),
                    Optional.ofNullable(dataDir), ops, concurrency,
                    seed != null ? seed : ThreadLocalRandom.current().nextLong(1L << 48),
                    mix, chunks == null ? OptionalInt.empty() : OptionalInt.of(chunks), timeout, json);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private Optional<String> token() {
        if (tokenFile == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(TokenFile.read(tokenFile));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--token-file: " + e.getMessage(), e);
        }
    }

    private static URI uri(String text, String option) {
        try {
            return new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is not a URL: " + e.getMessage(), e);
        }
    }

    /** The storage's root: the URL as given, or the directory of a {@code manifest.json} URL; ends with '/'. */
    static URI storageRoot(URI uri) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (path.endsWith("/manifest.json")) {
            path = path.substring(0, path.length() - "manifest.json".length());
        } else if (!path.endsWith("/")) {
            path = path + "/";
        }
        try {
            return new URI(uri.getScheme(), uri.getAuthority(), path, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--storage '" + uri + "' is not a URL: " + e.getMessage(), e);
        }
    }
}
