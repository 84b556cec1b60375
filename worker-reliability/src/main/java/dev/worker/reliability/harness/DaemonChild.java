package dev.worker.reliability.harness;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code worker serve} as a real child process on this JVM's binary and class path, so that {@code kill -9} is a real
 * crash. Its stdout (the daemon's log) goes to a file and, line by line, to an optional listener (called on the
 * reader thread, so a listener can kill the process the moment a line appears).
 */
public final class DaemonChild implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

    private final Process process;
    private final Path log;
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final AtomicInteger errorLines = new AtomicInteger();
    private final List<String> errorSamples = new CopyOnWriteArrayList<>();
    private final CompletableFuture<URI> url = new CompletableFuture<>();
    private final Thread outReader;
    private final Thread errReader;
    private volatile Consumer<String> listener;

    private DaemonChild(Process process, Path log, Consumer<String> listener) {
        this.process = process;
        this.log = log;
        this.listener = listener;
        this.outReader = Thread.ofPlatform().daemon().name("daemon-stdout-" + process.pid())
                .start(this::pumpStdout);
        this.errReader = Thread.ofPlatform().daemon().name("daemon-stderr-" + process.pid())
                .start(this::pumpStderr);
    }

    /**
     * Starts {@code worker serve ARGS}. The log is appended to {@code log}.
     *
     * @param heap e.g. {@code 256m}
     */
    public static DaemonChild start(Path log, String heap, List<String> serveArgs, Consumer<String> listener) {
        requireNonNull(log, "log");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("-Xmx" + heap);
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xshare:auto");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.worker.daemon.WorkerMain");
        command.add("serve");
        command.addAll(serveArgs);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("WORKER_"));
        builder.environment().put("WORKER_LOG_LEVEL", "INFO");
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            return new DaemonChild(builder.start(), log, listener);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the daemon: " + command, e);
        }
    }

    public void listener(Consumer<String> value) {
        this.listener = value;
    }

    private void pumpStdout() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
                Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)) {
            out.write("---- daemon pid " + process.pid() + " ----\n");
            String line;
            while ((line = reader.readLine()) != null) {
                Consumer<String> l = listener;
                if (l != null) {
                    l.accept(line);
                }
                Matcher m = LISTENING.matcher(line);
                if (!url.isDone() && m.find()) {
                    url.complete(URI.create(m.group(1)));
                }
                if (line.contains(" ERROR ")) {
                    errorLines.incrementAndGet();
                    if (errorSamples.size() < 5) {
                        errorSamples.add(line);
                    }
                }
                out.write(line);
                out.write('\n');
            }
        } catch (IOException e) {
            // The process went away, or the log cannot be written: nothing more to read either way.
        } finally {
            url.completeExceptionally(new IllegalStateException("the daemon exited without listening; stderr: "
                    + stderr));
        }
    }

    private void pumpStderr() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (stderr.size() < 200) {
                    stderr.add(line);
                }
            }
        } catch (IOException e) {
            // The process went away.
        }
    }

    /** The API's base URL, once the daemon has bound its port. */
    public URI url(Duration timeout) {
        try {
            return url.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the daemon did not say where it listens within " + timeout
                    + "; stderr=" + stderr + "; log " + log, e);
        }
    }

    /** Polls {@code /health/ready} until 200. */
    public void awaitReady(AdminClient client, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the daemon exited with " + process.exitValue() + "; stderr="
                        + stderr + "; log " + log);
            }
            if (client.get("/health/ready").status() == 200) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the daemon was not ready within " + timeout + "; log " + log);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the process ends at once, mid-whatever. */
    public void kill9() {
        process.destroyForcibly();
    }

    /** SIGTERM and wait; the exit code (the daemon exits 0 on a graceful shutdown). */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return await(timeout);
    }

    /** Waits for the process to end; kills it when it does not within the timeout. */
    public int await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            outReader.join(5_000);
            throw new IllegalStateException("the daemon did not exit within " + timeout + "; log " + log);
        }
        outReader.join(10_000);
        errReader.join(10_000);
        return process.exitValue();
    }

    public List<String> stderr() {
        return List.copyOf(stderr);
    }

    /** Log lines at ERROR level so far. */
    public int errorLines() {
        return errorLines.get();
    }

    public List<String> errorSamples() {
        return List.copyOf(errorSamples);
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
