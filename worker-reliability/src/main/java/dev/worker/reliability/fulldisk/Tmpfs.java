package dev.worker.reliability.fulldisk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A small tmpfs mounted for one scenario (needs root), unmounted on close. */
final class Tmpfs implements AutoCloseable {
    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code bytes} at {@code dir}, or says why it cannot. */
    static Mounted mount(Path dir, long bytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Run r = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString()));
        if (r.code() != 0) {
            return new Mounted(Optional.empty(), "mount -t tmpfs refused (exit " + r.code() + "): " + r.output().strip()
                    + "; the full-disk suite needs root (or CAP_SYS_ADMIN)");
        }
        return new Mounted(Optional.of(new Tmpfs(dir)), "");
    }

    /** A mounted tmpfs, or the reason there is none. */
    record Mounted(Optional<Tmpfs> tmpfs, String refusal) {
    }

    Path dir() {
        return dir;
    }

    long free() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /**
     * Unmounts, retrying while the file system is busy; when interrupted, it detaches at once (lazy unmount) and keeps
     * the interrupt for the caller.
     */
    @Override
    public void close() throws IOException {
        boolean interrupted = false;
        try {
            for (int attempt = 0; attempt < 20; attempt++) {
                if (run(List.of("umount", dir.toString())).code() == 0) {
                    return;
                }
                Thread.sleep(250);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        try {
            Run lazy = run(List.of("umount", "-l", dir.toString()));
            if (lazy.code() != 0) {
                throw new IOException("cannot unmount " + dir + ": " + lazy.output());
            }
        } catch (InterruptedException e) {
            interrupted = true;
            throw new IOException("interrupted while unmounting " + dir, e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private record Run(int code, String output) {
    }

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-1, "timed out");
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
