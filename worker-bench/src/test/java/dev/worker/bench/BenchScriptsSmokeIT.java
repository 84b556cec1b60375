package dev.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every benchmark script in its smoke mode ({@code bench/all.sh --smoke}): tiny sizes, peers that are not installed
 * skipped. Runs after the jars are packaged; results and scratch files go to a temporary directory, not to
 * {@code bench/out}. Checks that each script ran to the end and wrote its results; no figure is judged.
 */
final class BenchScriptsSmokeIT {
    private static final List<String> BENCHMARKS = List.of("startup", "find", "latency", "memory", "deletion-lag",
            "admin-api", "download-throughput", "churn");
    private static final long TIMEOUT_MINUTES = 6;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void everyScriptRunsInSmokeMode_andWritesItsResults() throws Exception {
        // The scripts need these two; everything else they skip when it is missing.
        for (String tool : List.of("curl", "jq")) {
            assumeTrue(installed(tool), tool + " is not installed: the bench/ scripts cannot run here");
        }
        Path root = Path.of("").toAbsolutePath().getParent();
        Path out = tmp.resolve("out");
        Path log = tmp.resolve("all.log");
        ProcessBuilder builder = new ProcessBuilder("bash", "bench/all.sh", "--smoke")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("BENCH_OUT", out.toString());
        builder.environment().put("BENCH_WORK", tmp.resolve("work").toString());
        Process process = builder.start();
        boolean ended = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!ended) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }

        String output = Files.readString(log);
        assertThat(ended).as("bench/all.sh --smoke ended within %d minutes; output:%n%s", TIMEOUT_MINUTES, output)
                .isTrue();
        assertThat(process.exitValue()).as("exit code of bench/all.sh --smoke; output:%n%s", output).isZero();
        for (String name : BENCHMARKS) {
            Path result = out.resolve(name + ".json");
            assertThat(result).as("results of %s; output:%n%s", name, output).isRegularFile();
            JsonNode json = JSON.readTree(result.toFile());
            assertThat(json.get("benchmark").asText()).isEqualTo(name);
            assertThat(json.get("smoke").asBoolean()).as(name).isTrue();
            assertThat(json.get("machine").get("nproc").asInt()).as(name).isPositive();
        }
    }

    private static boolean installed(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", "command -v " + command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor() == 0;
    }
}
