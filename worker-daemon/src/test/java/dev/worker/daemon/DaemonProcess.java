package dev.worker.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code worker serve} as a real child process, on the test's JDK and class path. */
final class DaemonProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final CompletableFuture<URI> url = new CompletableFuture<>();
    private final Thread outReader;
    private final Thread errReader;

    private DaemonProcess(Process process) {
        this.process = process;
        this.outReader = Thread.ofPlatform().daemon().start(() -> pump(new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), stdout, true));
        this.errReader = Thread.ofPlatform().daemon().start(() -> pump(new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), stderr, false));
    }

    /** {@code worker serve --data-dir DATA --listen 127.0.0.1:0 --min-free 0} plus {@code extra}. */
    static DaemonProcess serve(Path data, String... extra) {
        List<String> args = new ArrayList<>(List.of("--data-dir", data.toString(), "--listen", "127.0.0.1:0",
                "--min-free", "0"));
        args.addAll(List.of(extra));
        return start(args.toArray(String[]::new));
    }

    static DaemonProcess start(String... serveArgs) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WorkerMain.class.getName());
        command.add("serve");
        command.addAll(List.of(serveArgs));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("WORKER_"));
        try {
            return new DaemonProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void pump(BufferedReader reader, List<String> lines, boolean watchUrl) {
        try (reader) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
                if (watchUrl) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(URI.create(m.group(1)));
                    }
                }
            }
        } catch (IOException e) {
            // The process went away.
        } finally {
            url.completeExceptionally(new IllegalStateException("the daemon exited without listening; stderr: "
                    + stderr));
        }
    }

    URI url() {
        try {
            return url.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no listen URL: stdout=" + stdout + " stderr=" + stderr, e);
        }
    }

    /** Waits until /health/ready answers 200. */
    DaemonProcess awaitReady(Http http) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the daemon exited " + process.exitValue() + ": " + stderr);
            }
            try {
                if (http.get("/health/ready").status() == 200) {
                    return this;
                }
            } catch (UncheckedIOException e) {
                // Not listening yet.
            }
            Thread.sleep(20);
        }
        throw new AssertionError("not ready within 30s: " + stdout + stderr);
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM, then the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        return exitCode();
    }

    /** SIGKILL (kill -9), then the exit code. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        return exitCode();
    }

    int exitCode() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the daemon did not exit within 60s");
        }
        outReader.join(5_000);
        errReader.join(5_000);
        return process.exitValue();
    }

    List<String> stderr() {
        return List.copyOf(stderr);
    }

    List<String> stdout() {
        return List.copyOf(stdout);
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
