package dev.worker.testkit;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code worker serve} as a real child process on this JVM's binary and class path (which must hold the daemon), so
 * that a signal or {@code kill -9} is real. Its output is kept (the first {@value #KEPT_LINES} lines of each stream)
 * and, when a log file is given, appended there in full; each stdout line also goes to an optional listener, called
 * on the reader thread (so a listener can kill the process the moment a line appears).
 */
public final class DaemonProcess implements AutoCloseable {
    /** The daemon's entry point (named, not linked: the testkit does not depend on the daemon). */
    public static final String MAIN_CLASS = "dev.worker.daemon.WorkerMain";
    static final int KEPT_LINES = 10_000;
    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");
    private static final Duration EXIT_WAIT = Duration.ofSeconds(60);

    private final Process process;
    private final Optional<Path> log;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final AtomicInteger errorLines = new AtomicInteger();
    private final List<String> errorSamples = new CopyOnWriteArrayList<>();
    private final CompletableFuture<URI> url = new CompletableFuture<>();
    private final Thread outReader;
    private final Thread errReader;
    private volatile Consumer<String> listener;

    private DaemonProcess(Process process, Optional<Path> log, Consumer<String> listener) {
        this.process = process;
        this.log = log;
        this.listener = listener;
        this.outReader = Thread.ofPlatform().daemon().name("daemon-stdout-" + process.pid()).start(this::pumpStdout);
        this.errReader = Thread.ofPlatform().daemon().name("daemon-stderr-" + process.pid()).start(() ->
                pump(process.getErrorStream(), line -> keep(stderr, line)));
    }

    /** {@code worker serve --data-dir DATA --listen 127.0.0.1:0 --min-free 0} plus {@code extra}. */
    public static DaemonProcess serve(Path data, String... extra) {
        List<String> args = new ArrayList<>(List.of("--data-dir", data.toString(), "--listen", "127.0.0.1:0",
                "--min-free", "0"));
        args.addAll(List.of(extra));
        return launch(Optional.empty(), "256m", args, null, Map.of());
    }

    /** As {@link #serve(Path, String...)}, with {@code env} added to the child's environment. */
    public static DaemonProcess serve(Map<String, String> env, Path data, String... extra) {
        List<String> args = new ArrayList<>(List.of("--data-dir", data.toString(), "--listen", "127.0.0.1:0",
                "--min-free", "0"));
        args.addAll(List.of(extra));
        return launch(Optional.empty(), "256m", args, null, env);
    }

    /** {@code worker serve ARGS}, output kept in memory only. */
    public static DaemonProcess start(String... serveArgs) {
        return launch(Optional.empty(), "256m", List.of(serveArgs), null, Map.of());
    }

    /**
     * {@code worker serve ARGS} with its log appended to a file as well.
     *
     * @param log      where the daemon's stdout (its log) goes
     * @param heap     e.g. {@code 256m}
     * @param listener each stdout line, on the reader thread; may be null
     */
    public static DaemonProcess start(Path log, String heap, List<String> serveArgs, Consumer<String> listener) {
        return launch(Optional.of(log), heap, serveArgs, listener, Map.of());
    }

    /**
     * Runs {@code command} (a launcher such as a release's {@code bin/worker serve ...}) with exactly
     * {@code environment}, nothing inherited, as a service manager would.
     */
    public static DaemonProcess exec(List<String> command, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(List.copyOf(command));
        builder.environment().clear();
        builder.environment().putAll(environment);
        try {
            return new DaemonProcess(builder.start(), Optional.empty(), null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /**
     * Starts {@code worker serve ARGS} without the caller's {@code WORKER_*} and {@code AWS_*} variables (a
     * developer's own AWS settings never reach a test), at log level INFO, then with {@code env} on top.
     */
    private static DaemonProcess launch(Optional<Path> log, String heap, List<String> serveArgs,
            Consumer<String> listener, Map<String, String> env) {
        requireNonNull(log, "log");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("-Xmx" + heap);
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xshare:auto");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MAIN_CLASS);
        command.add("serve");
        command.addAll(serveArgs);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("WORKER_") || k.startsWith("AWS_"));
        builder.environment().put("WORKER_LOG_LEVEL", "INFO");
        builder.environment().putAll(env);
        try {
            if (log.isPresent()) {
                Files.createDirectories(log.get().toAbsolutePath().getParent());
            }
            return new DaemonProcess(builder.start(), log, listener);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the daemon: " + command, e);
        }
    }

    /** Replaces the stdout listener (null for none). */
    public void listener(Consumer<String> value) {
        this.listener = value;
    }

    private void pumpStdout() {
        try (Writer out = log.isPresent() ? Files.newBufferedWriter(log.get(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND) : Writer.nullWriter()) {
            out.write("---- daemon pid " + process.pid() + " ----\n");
            pump(process.getInputStream(), line -> {
                Consumer<String> l = listener;
                if (l != null) {
                    l.accept(line);
                }
                Matcher m = LISTENING.matcher(line);
                if (!url.isDone() && m.find()) {
                    url.complete(URI.create(m.group(1)));
                }
                if (line.contains(" ERROR ") && errorLines.incrementAndGet() <= 5) {
                    errorSamples.add(line);
                }
                keep(stdout, line);
                try {
                    out.write(line);
                    out.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // The log cannot be written: the output is still kept in memory.
        } finally {
            url.completeExceptionally(new IllegalStateException("the daemon exited without listening; stderr: "
                    + stderr));
        }
    }

    private static void pump(InputStream stream, Consumer<String> each) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                each.accept(line);
            }
        } catch (IOException e) {
            // The process went away: nothing more to read.
        }
    }

    private static void keep(List<String> lines, String line) {
        if (lines.size() < KEPT_LINES) {
            lines.add(line);
        }
    }

    /** The API's base URL, once the daemon says where it listens (at most 30 s). */
    public URI url() {
        return url(Duration.ofSeconds(30));
    }

    /** The API's base URL, once the daemon says where it listens. */
    public URI url(Duration timeout) {
        try {
            return url.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the daemon did not say where it listens within " + timeout
                    + "; stdout=" + stdout + " stderr=" + stderr + log.map(l -> "; log " + l).orElse(""), e);
        }
    }

    /** Polls {@code /health/ready} until it answers 200 (at most 30 s). */
    public DaemonProcess awaitReady(AdminHttp client) throws InterruptedException {
        return awaitReady(client, Duration.ofSeconds(30));
    }

    /** Polls {@code /health/ready} until it answers 200; fails at once when the process exits. */
    public DaemonProcess awaitReady(AdminHttp client, Duration timeout) throws InterruptedException {
        boolean ready = Await.poll(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("the daemon exited with " + process.exitValue() + "; stderr="
                        + stderr + log.map(l -> "; log " + l).orElse(""));
            }
            return client.get("/health/ready").status() == 200;
        }, timeout);
        if (!ready) {
            throw new IllegalStateException("the daemon was not ready within " + timeout + "; stdout=" + stdout
                    + " stderr=" + stderr + log.map(l -> "; log " + l).orElse(""));
        }
        return this;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the process ends at once, mid-whatever (see {@link #exitCode}). */
    public void kill9() {
        process.destroyForcibly();
    }

    /** SIGKILL, then the exit code. */
    public int kill() throws InterruptedException {
        kill9();
        return exitCode();
    }

    /** SIGTERM, then the exit code (the daemon exits 0 on a graceful shutdown; at most 60 s). */
    public int terminate() throws InterruptedException {
        return terminate(EXIT_WAIT);
    }

    /** SIGTERM, then the exit code. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return exitCode(timeout);
    }

    /** Waits (at most 60 s) for the process to end and its output to be read; the exit code. */
    public int exitCode() throws InterruptedException {
        return exitCode(EXIT_WAIT);
    }

    /** Waits for the process to end and its output to be read; kills it when it does not within the timeout. */
    public int exitCode(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException("the daemon did not exit within " + timeout
                    + log.map(l -> "; log " + l).orElse(""));
        }
        outReader.join(10_000);
        errReader.join(10_000);
        return process.exitValue();
    }

    public List<String> stdout() {
        return List.copyOf(stdout);
    }

    public List<String> stderr() {
        return List.copyOf(stderr);
    }

    /** Log lines at ERROR level so far. */
    public int errorLines() {
        return errorLines.get();
    }

    /** The first few of them. */
    public List<String> errorSamples() {
        return List.copyOf(errorSamples);
    }

    /** Where the log goes, when a file was given. */
    public Optional<Path> log() {
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
