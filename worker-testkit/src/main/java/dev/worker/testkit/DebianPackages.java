package dev.worker.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian packages a test needs (a browser, a Prometheus, systemd's tools), installed with apt-get when missing, so
 * that a clean machine runs the same tests as a prepared one. apt-get runs as root only; the package lists are
 * refreshed once when a package cannot be found. Each method returns empty when the package is there, else why
 * not (not root, no mirror reachable), for the test to skip with.
 */
public final class DebianPackages {
    private static final long APT_TIMEOUT_MINUTES = 15;

    private DebianPackages() {
    }

    /** Makes sure {@code pkg}, which provides {@code probe}, is installed. */
    public static Optional<String> ensureInstalled(String pkg, Path probe) {
        if (Files.exists(probe)) {
            return Optional.empty();
        }
        Optional<String> problem = apt(List.of("install", "-y", "--no-install-recommends", pkg), Path.of("/"));
        if (problem.isPresent()) {
            return problem;
        }
        return Files.exists(probe) ? Optional.empty()
                : Optional.of("apt-get installed " + pkg + " but " + probe + " is still missing");
    }

    /**
     * Downloads {@code pkg}'s .deb into {@code dir} and unpacks it there (under {@code dir/root}), without
     * installing it: for a package whose installation would start a system service.
     *
     * @param probe a file the package holds, relative to its root (e.g. {@code usr/bin/prometheus})
     */
    public static Optional<String> unpack(String pkg, Path into, Path probe) {
        Path dir = into.toAbsolutePath();
        Path root = dir.resolve("root");
        if (Files.exists(root.resolve(probe))) {
            return Optional.empty();
        }
        try {
            Files.createDirectories(dir);
            Optional<String> problem = apt(List.of("download", pkg), dir);
            if (problem.isPresent()) {
                return problem;
            }
            List<Path> debs;
            try (var files = Files.list(dir)) {
                debs = files.filter(p -> p.getFileName().toString().startsWith(pkg + "_")
                        && p.getFileName().toString().endsWith(".deb")).toList();
            }
            if (debs.size() != 1) {
                return Optional.of("apt-get download " + pkg + " left " + debs + " in " + dir);
            }
            Result x = run(List.of("dpkg-deb", "-x", debs.getFirst().toString(), root.toString()), dir);
            if (x.exit != 0) {
                return Optional.of("dpkg-deb -x " + debs.getFirst() + " failed: " + x.tail());
            }
        } catch (IOException e) {
            return Optional.of("cannot unpack " + pkg + ": " + e);
        }
        return Files.exists(root.resolve(probe)) ? Optional.empty()
                : Optional.of(pkg + " unpacked but " + probe + " is missing");
    }

    /** Whether this process runs as root (uid 0). */
    public static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:"))
                    .anyMatch(l -> l.split("\\s+")[1].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<String> apt(List<String> args, Path dir) {
        if (!isRoot()) {
            return Optional.of("apt-get " + String.join(" ", args) + " needs root, and this is not root");
        }
        try {
            long start = System.nanoTime();
            Result first = run(aptGet(args), dir);
            if (first.exit != 0) {
                Result update = run(aptGet(List.of("update")), dir);
                if (update.exit != 0) {
                    return Optional.of("apt-get update failed (no Debian mirror reachable?): " + update.tail());
                }
                Result again = run(aptGet(args), dir);
                if (again.exit != 0) {
                    return Optional.of("apt-get " + String.join(" ", args) + " failed: " + again.tail());
                }
            }
            System.out.printf("apt-get %s: %.1f s%n", String.join(" ", args), (System.nanoTime() - start) / 1e9);
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot run apt-get: " + e);
        }
    }

    private static List<String> aptGet(List<String> args) {
        List<String> command = new ArrayList<>(List.of("apt-get", "-q", "-o", "DPkg::Lock::Timeout=600"));
        command.addAll(args);
        return command;
    }

    private record Result(int exit, String output) {
        String tail() {
            List<String> lines = output.lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        }
    }

    private static Result run(List<String> command, Path dir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process process = builder.start();
        process.getOutputStream().close();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(APT_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return new Result(-1, command + " did not end within " + APT_TIMEOUT_MINUTES + " minutes");
            }
            return new Result(process.exitValue(), output);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
