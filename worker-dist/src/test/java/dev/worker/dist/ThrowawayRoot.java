package dev.worker.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A copy-on-write copy of this machine to install a package into: an overlay of {@code /} whose changes land in a
 * directory of the test's own, mounted in a private mount namespace (held by a {@code sleep} child) so that nobody
 * else sees it, with its own {@code /proc}, {@code /tmp} and an empty {@code /run} (no systemd answers there).
 * Commands run in it with {@code nsenter} and {@code chroot}; processes share this machine's network, so a daemon
 * started in it is reachable on 127.0.0.1. Closing it ends the namespace and deletes the changes.
 */
final class ThrowawayRoot implements AutoCloseable {
    private final Process holder;
    private final Path base;
    private final Path root;

    private ThrowawayRoot(Process holder, Path base, Path root) {
        this.holder = holder;
        this.base = base;
        this.root = root;
    }

    /** Why one cannot be made here, if it cannot. */
    static Optional<String> unavailable() throws IOException, InterruptedException {
        if (!dev.worker.testkit.DebianPackages.isRoot()) {
            return Optional.of("mounting an overlay root needs root, and this is not root");
        }
        for (String tool : List.of("unshare", "nsenter", "chroot", "setpriv", "dpkg")) {
            if (Commands.run(List.of("sh", "-c", "command -v " + tool)).exit() != 0) {
                return Optional.of(tool + " is not installed");
            }
        }
        return Optional.empty();
    }

    static ThrowawayRoot create(Path base) throws IOException, InterruptedException {
        Path upper = Files.createDirectories(base.resolve("upper"));
        Path work = Files.createDirectories(base.resolve("work"));
        Path root = Files.createDirectories(base.resolve("root"));
        Process holder = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sleep", "infinity")
                .redirectErrorStream(true).start();
        ThrowawayRoot r = new ThrowawayRoot(holder, base, root);
        try {
            r.awaitOwnNamespace();
            r.host("mount", "-t", "overlay", "overlay", "-o", "lowerdir=/,upperdir=" + upper + ",workdir=" + work,
                    root.toString());
            r.host("mount", "-t", "proc", "proc", root.resolve("proc").toString());
            r.host("mount", "--rbind", "/dev", root.resolve("dev").toString());
            r.host("mount", "-t", "tmpfs", "tmpfs", root.resolve("tmp").toString());
            r.host("mount", "-t", "tmpfs", "tmpfs", root.resolve("run").toString());
            return r;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            r.close();
            throw e;
        }
    }

    /** unshare execs sleep once the namespace is made: wait until the holder is in a namespace of its own. */
    private void awaitOwnNamespace() throws IOException, InterruptedException {
        Path own = Path.of("/proc/self/ns/mnt");
        Path its = Path.of("/proc", Long.toString(holder.pid()), "ns", "mnt");
        for (int i = 0; i < 1000; i++) {
            if (!holder.isAlive()) {
                throw new IOException("unshare --mount failed: " + new String(holder.getInputStream().readAllBytes()));
            }
            if (Files.exists(its) && !Files.readSymbolicLink(its).equals(Files.readSymbolicLink(own))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new IOException("unshare did not enter a mount namespace of its own");
    }

    /** Runs a command of this machine inside the namespace (it sees the overlay at {@link #mountPoint()}). */
    Commands.Result host(String... command) throws IOException, InterruptedException {
        return Commands.run(inNamespace(List.of(command))).check();
    }

    /** Runs {@code command} chrooted into the copy; the result is the caller's to check. */
    Commands.Result run(String... command) throws IOException, InterruptedException {
        return Commands.run(command(command));
    }

    /** The command line that runs {@code command} chrooted into the copy (for a long-running process). */
    List<String> command(String... command) {
        List<String> full = new ArrayList<>(List.of("chroot", root.toString()));
        full.addAll(List.of(command));
        return inNamespace(full);
    }

    private List<String> inNamespace(List<String> command) {
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", Long.toString(holder.pid()), "-m", "--"));
        full.addAll(command);
        return full;
    }

    Path mountPoint() {
        return root;
    }

    /** Copies a file of this machine into the copy's /tmp. */
    String copyIn(Path file) throws IOException, InterruptedException {
        String target = "/tmp/" + file.getFileName();
        host("cp", file.toString(), root + target);
        return target;
    }

    @Override
    public void close() throws IOException {
        holder.destroy();
        try {
            holder.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The namespace went with its last process, and its mounts with it: only the changes are left.
        try (Stream<Path> files = Files.walk(base)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
