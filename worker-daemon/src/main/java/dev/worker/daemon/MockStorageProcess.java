package dev.worker.daemon;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.client.AssignmentDocument;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code worker-mock storage} as a child process, for {@code worker serve --demo}: the daemon's jar does not carry
 * the mock, it runs the mock's jar with the same {@code java}. Started with {@link #start}, which returns once the
 * storage has printed where it listens; {@link #close} stops it (SIGTERM, then SIGKILL).
 */
public final class MockStorageProcess implements AutoCloseable {
    /** Where {@code bin/worker} says the mock's runnable jar is. */
    public static final String JAR_PROPERTY = "worker.mock.jar";
    static final String JAR_NAME = "worker-mock-all.jar";
    private static final Logger log = LoggerFactory.getLogger(MockStorageProcess.class);
    private static final Pattern STARTED = Pattern.compile("^mock storage: (\\S+) .*; manifest: (\\S+)$");
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    private static final int KEPT_LINES = 50;

    private final Process process;
    private final URI baseUrl;
    private final URI manifestUrl;
    private final Thread stopOnExit;

    private MockStorageProcess(Process process, URI baseUrl, URI manifestUrl) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.manifestUrl = manifestUrl;
        // A daemon that exits without closing the demo (e.g. on an error) must not leave the storage behind.
        this.stopOnExit = new Thread(process::destroy, "stop-mock-storage");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /**
     * The command that runs {@code worker-mock}: {@code java -jar} with the jar named by the system property
     * {@value #JAR_PROPERTY}, else the {@value #JAR_NAME} beside the daemon's own jar.
     *
     * @throws StartupException saying how to name the jar when neither exists
     */
    public static List<String> command() throws StartupException {
        Optional<Path> jar = Optional.ofNullable(System.getProperty(JAR_PROPERTY)).map(Path::of)
                .or(MockStorageProcess::besideThisJar);
        if (jar.isEmpty() || !Files.isRegularFile(jar.get())) {
            throw new StartupException("the demo runs the mock storage from worker-mock's jar, which was not found"
                    + jar.map(p -> " at " + p).orElse("") + ": run bin/worker (it builds and names the jar), or pass "
                    + "-D" + JAR_PROPERTY + "=PATH to java");
        }
        return List.of(javaBinary(), "-jar", jar.get().toString());
    }

    private static Optional<Path> besideThisJar() {
        CodeSource source = MockStorageProcess.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return Optional.empty();
        }
        try {
            Path self = Path.of(source.getLocation().toURI());
            // From a jar, its directory; from a class directory (tests), nothing.
            return Files.isRegularFile(self) ? Optional.of(self.resolveSibling(JAR_NAME)) : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The {@code java} running this process, so the child runs on the same JDK. */
    public static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString());
    }

    /**
     * Runs {@code command storage OPTIONS} and waits (at most {@code timeout}) for its startup line.
     *
     * @param command e.g. {@link #command()}
     * @param options {@code worker-mock storage} options, e.g. {@code --seed 42 --chunks 12}
     */
    public static MockStorageProcess start(List<String> command, List<String> options, Duration timeout)
            throws StartupException {
        List<String> full = new ArrayList<>(requireNonNull(command, "command"));
        full.add("storage");
        full.addAll(options);
        ProcessBuilder builder = new ProcessBuilder(full);
        // The demo's storage is what the options say, not what WORKER_MOCK_* variables of the caller would make it.
        builder.environment().keySet().removeIf(k -> k.startsWith("WORKER_MOCK_"));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new StartupException("cannot run the mock storage (" + String.join(" ", full) + "): "
                    + e.getMessage(), e);
        }
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Matcher> started = new CompletableFuture<>();
        drain(process.getInputStream(), "mock-storage-out", output, started);
        drain(process.getErrorStream(), "mock-storage-err", output, null);
        try {
            Matcher line = started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            MockStorageProcess storage = new MockStorageProcess(process, URI.create(line.group(1)),
                    URI.create(line.group(2)));
            log.info("demo: mock storage pid={} url={}", process.pid(), storage.baseUrl);
            return storage;
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new StartupException("the mock storage did not start (" + String.join(" ", full) + "); it said: "
                    + String.join(" | ", output), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while starting the mock storage", e);
        }
    }

    /** Reads a stream to its end (so the child never blocks on a full pipe), keeping the first lines. */
    private static void drain(InputStream stream, String name, List<String> kept, CompletableFuture<Matcher> started) {
        Thread.ofPlatform().daemon().name(name).start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (kept.size() < KEPT_LINES) {
                        kept.add(line);
                    }
                    Matcher m = STARTED.matcher(line);
                    if (started != null && m.matches()) {
                        started.complete(m);
                    }
                }
            } catch (IOException e) {
                // The process went away: nothing more to read.
            } finally {
                if (started != null) {
                    started.completeExceptionally(new IOException("the mock storage exited before it listened"));
                }
            }
        });
    }

    /** The storage's root URL, e.g. {@code http://127.0.0.1:41234/}. */
    public URI baseUrl() {
        return baseUrl;
    }

    /** The chunk set it serves ({@code GET /manifest.json}). */
    public List<ChunkDescriptor> manifest() throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(manifestUrl)
                    .timeout(Duration.ofMinutes(1)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IOException("GET " + manifestUrl + " answered HTTP " + response.statusCode());
                }
                return AssignmentDocument.parse(new ObjectMapper().readTree(body), manifestUrl.toString());
            }
        }
    }

    /** Stops the storage: SIGTERM (it exits 0), SIGKILL when it has not exited within 10 s. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook stops the storage.
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("demo: the mock storage pid={} did not stop within {}; killing it", process.pid(), STOP_WAIT);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
