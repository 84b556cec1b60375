package dev.worker.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A PATH holding only the tools the launchers use (bash and a few core utilities), so that no {@code java} can be
 * found on it: a machine without a JDK, as far as the launchers can tell.
 */
final class NoJavaPath {
    static final List<String> TOOLS = List.of("bash", "dirname", "sed", "head", "readlink", "cat");

    private NoJavaPath() {
    }

    /** Links the tools into {@code dir}; returns the PATH value. */
    static String create(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String tool : TOOLS) {
            Path target = List.of(Path.of("/usr/bin", tool), Path.of("/bin", tool)).stream()
                    .filter(Files::isExecutable).findFirst()
                    .orElseThrow(() -> new IllegalStateException(tool + " is not in /usr/bin or /bin"));
            Files.createSymbolicLink(dir.resolve(tool), target);
        }
        assertThat(dir.resolve("java")).doesNotExist();
        return dir.toString();
    }
}
