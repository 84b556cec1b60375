package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.ChunkDescriptor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The demo's storage as a child process: found, started, read and stopped. */
@Timeout(60)
final class MockStorageProcessTest {
    @TempDir
    Path dir;

    /** {@code worker-mock} from the test class path (the module's jar is built after the tests). */
    static List<String> mockOnTestClassPath() {
        return List.of(MockStorageProcess.javaBinary(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "dev.worker.mock.MockMain");
    }

    @Test
    void start_waitsForTheListeningLine_servesTheManifest_andCloseStopsIt() throws Exception {
        URI base;
        try (MockStorageProcess storage = MockStorageProcess.start(mockOnTestClassPath(),
                List.of("--seed", "3", "--datasets", "1", "--chunks", "2", "--chunk-size", "4KiB"),
                Duration.ofSeconds(30))) {
            base = storage.baseUrl();
            List<ChunkDescriptor> chunks = storage.manifest();
            assertThat(chunks).hasSize(2);
            assertThat(chunks.getFirst().files().values().iterator().next().url()).startsWith(base.toString());
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(base.resolve("manifest.json"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()))
                    .as("nothing listens after close").isInstanceOf(IOException.class);
        }
    }

    @Test
    void start_ofAStorageThatCannotListen_failsWithWhatItSaid() {
        assertThatThrownBy(() -> MockStorageProcess.start(mockOnTestClassPath(), List.of("--chunks", "0"),
                Duration.ofSeconds(30)))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("the mock storage did not start")
                .hasMessageContaining("it said: error:");
    }

    @Test
    void command_runsTheJarTheLauncherNames() throws Exception {
        Path jar = Files.writeString(dir.resolve("worker-mock-all.jar"), "");
        String before = System.getProperty(MockStorageProcess.JAR_PROPERTY);
        System.setProperty(MockStorageProcess.JAR_PROPERTY, jar.toString());
        try {
            assertThat(MockStorageProcess.command()).containsExactly(MockStorageProcess.javaBinary(), "-jar",
                    jar.toString());
            System.setProperty(MockStorageProcess.JAR_PROPERTY, dir.resolve("missing.jar").toString());
            assertThatThrownBy(MockStorageProcess::command).isInstanceOf(StartupException.class)
                    .hasMessageContaining("missing.jar").hasMessageContaining("-D" + MockStorageProcess.JAR_PROPERTY);
        } finally {
            if (before == null) {
                System.clearProperty(MockStorageProcess.JAR_PROPERTY);
            } else {
                System.setProperty(MockStorageProcess.JAR_PROPERTY, before);
            }
        }
    }
}
