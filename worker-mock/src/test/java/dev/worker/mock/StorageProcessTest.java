package dev.worker.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.core.ChunkId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code worker-mock storage} as a real process: startup line, environment, serving, SIGTERM. */
final class StorageProcessTest {
    private static final Pattern STARTUP = Pattern.compile("mock storage: (http://127\\.0\\.0\\.1:\\d+/) "
            + "\\(3 chunks in 2 datasets, 2\\.9 MiB\\); manifest: \\1manifest\\.json");

    @Test
    @Timeout(60)
    void storage_printsItsUrl_servesTheSeededSet_andExits0OnSigterm(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", classpath, MockMain.class.getName(), "storage",
                "--chunks", "3", "--chunk-size", "1MB", "--datasets", "2");
        builder.environment().put("WORKER_MOCK_SEED", "5");
        builder.redirectError(dir.resolve("stderr.txt").toFile());
        Process process = builder.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("stderr: %s", Files.readString(dir.resolve("stderr.txt"))).matches(STARTUP);
            Matcher m = STARTUP.matcher(line);
            assertThat(m.matches()).isTrue();
            URI base = URI.create(m.group(1));

            String manifest = TestSupport.getText(base.resolve("manifest.json")).body();
            List<ChunkId> ids = new ArrayList<>();
            ChunkDescriptorJson.readTree(manifest).get("chunks")
                    .forEach(node -> ids.add(ChunkDescriptorJson.parse(node).id()));
            List<ChunkId> expected = SyntheticChunkSet.generate(new ChunkSetSpec(5, 2, 3, 5, 1_000_000, 0)).chunks()
                    .stream().map(SyntheticChunk::id).toList();
            assertThat(ids).as("the seed came from WORKER_MOCK_SEED").isEqualTo(expected);
            ChunkDescriptor first = ChunkDescriptorJson.parse(ChunkDescriptorJson.readTree(manifest).get("chunks")
                    .get(0));
            assertThat(TestSupport.get(URI.create(first.files().firstEntry().getValue().url())).statusCode())
                    .isEqualTo(200);

            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
        } finally {
            process.destroyForcibly();
        }
    }
}
