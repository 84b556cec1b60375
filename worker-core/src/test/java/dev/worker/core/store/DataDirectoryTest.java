package dev.worker.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class DataDirectoryTest {
    @TempDir
    Path temp;

    @Test
    void open_createsTheLayout_andWritesItsHolderIntoLock() throws IOException {
        Path root = temp.resolve("data");
        try (DataDirectory directory = DataDirectory.open(root)) {
            assertThat(directory.root()).isEqualTo(root.toAbsolutePath());
            assertThat(directory.chunks()).isDirectory().isEqualTo(root.resolve("chunks"));
            assertThat(directory.tmp()).isDirectory().isEqualTo(root.resolve("tmp"));
            assertThat(directory.trash()).isDirectory().isEqualTo(root.resolve("trash"));
            assertThat(directory.intentsLog()).isEqualTo(root.resolve("intents.log"));
            assertThat(Files.readString(root.resolve("LOCK")))
                    .matches("pid=" + ProcessHandle.current().pid() + " host=\\S+ started=\\S+Z\n");
        }
    }

    @Test
    void open_whenTheRootIsAFile_failsNamingThePath() throws IOException {
        Path file = Files.writeString(temp.resolve("data"), "not a directory");

        assertThatThrownBy(() -> DataDirectory.open(file))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(DataDirectoryLockedException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a directory");
    }

    @Test
    void open_whenChunksIsAFile_failsNamingIt_andReleasesTheLock() throws IOException {
        Path root = Files.createDirectories(temp.resolve("data"));
        Files.writeString(root.resolve("chunks"), "in the way");

        assertThatThrownBy(() -> DataDirectory.open(root))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(root.resolve("chunks").toString());
        Files.delete(root.resolve("chunks"));
        DataDirectory.open(root).close();
    }

    @Test
    void open_twiceInOneProcess_failsNamingTheDirectoryAndHolder_untilTheFirstIsClosed() throws IOException {
        Path root = temp.resolve("data");
        DataDirectory first = DataDirectory.open(root);
        try {
            assertThatThrownBy(() -> DataDirectory.open(root))
                    .isInstanceOfSatisfying(DataDirectoryLockedException.class, e -> {
                        assertThat(e.directory()).isEqualTo(root.toAbsolutePath());
                        assertThat(e.holder()).startsWith("pid=" + ProcessHandle.current().pid() + " ");
                    })
                    .hasMessageContaining(root.toString());
            // The same directory by another spelling is the same directory.
            assertThatThrownBy(() -> DataDirectory.open(temp.resolve("x/../data")))
                    .isInstanceOf(DataDirectoryLockedException.class);
        } finally {
            first.close();
        }
        first.close(); // idempotent
        DataDirectory.open(root).close();
    }

    @Test
    void open_whileAnotherProcessHoldsTheLock_failsWithItsPid_andSucceedsAfterItIsKilled() throws Exception {
        Path root = temp.resolve("data");
        Process child = startLockHolder(root);
        try {
            assertThatThrownBy(() -> DataDirectory.open(root))
                    .isInstanceOfSatisfying(DataDirectoryLockedException.class,
                            e -> assertThat(e.holder()).startsWith("pid=" + child.pid() + " "))
                    .hasMessageContaining(root.toString())
                    .hasMessageContaining("pid=" + child.pid());
        } finally {
            child.destroyForcibly(); // SIGKILL: the lock must go with the process, no cleanup runs
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("child exited").isTrue();
        }

        try (DataDirectory directory = DataDirectory.open(root)) {
            assertThat(Files.readString(directory.root().resolve("LOCK")))
                    .startsWith("pid=" + ProcessHandle.current().pid() + " ");
        }
    }

    private static Process startLockHolder(Path root) throws Exception {
        String javaBinary = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(javaBinary, "-cp", System.getProperty("java.class.path"),
                LockHolderMain.class.getName(), root.toString()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        StringBuffer seen = new StringBuffer();
        CompletableFuture<Boolean> locked = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    seen.append(line).append('\n');
                    if (line.startsWith("LOCKED ")) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        boolean ok;
        try {
            ok = locked.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            ok = false;
        }
        if (!ok) {
            child.destroyForcibly();
            throw new AssertionError("lock holder did not report LOCKED; its output:\n" + seen);
        }
        // Keep draining its output so that it never blocks on a full pipe.
        Thread.ofVirtual().start(() -> {
            try {
                out.transferTo(Writer.nullWriter());
            } catch (IOException ignored) {
                // the child is gone
            }
        });
        return child;
    }
}
