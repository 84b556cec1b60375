package dev.worker.bench;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every benchmark script in its smoke mode ({@code bench/all.sh --smoke}): tiny sizes, peers that are not installed
 * skipped. Runs after the jars are packaged; results and scratch files go to a temporary directory, not to
 * {@code bench/out}. Checks that each script ran to the end and wrote its results; no figure is judged.
 */
final class BenchScriptsSmokeIT {
    private static final List<String> BENCHMARKS = List.of("startup", "find", "latency", "memory", "deletion-lag",
            "admin-api", "download-throughput", "s3-throughput", "churn");
    private static final long TIMEOUT_MINUTES = 6;
    /** Peers the scripts compare with or plot through, none of which a fresh machine has. */
    private static final Set<String> OPTIONAL_PEERS = Set.of("nginx", "aria2c", "wrk", "gnuplot");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void everyScriptRunsInSmokeMode_andWritesItsResults() throws Exception {
        assumeScriptsCanRun();
        Path out = tmp.resolve("out");
        String output = runSmoke(List.of("bench/all.sh", "--smoke"), out, System.getenv("PATH"));
        for (String name : BENCHMARKS) {
            assertValidResult(out, name, output);
        }
    }

    /**
     * A fresh machine has none of the optional peers. With them hidden from the PATH, the scripts that use them
     * skip each in one line, still exit 0, and report the peers as missing: no figure is computed from nothing.
     */
    @Test
    void optionalPeersMissing_areSkippedInOneLineEach_andReportedMissing() throws Exception {
        assumeScriptsCanRun();
        String path = pathWithout(OPTIONAL_PEERS);
        Path out = tmp.resolve("out-without-peers");
        String download = runSmoke(List.of("bench/download-throughput.sh", "--smoke"), out, path);
        String admin = runSmoke(List.of("bench/admin-api.sh", "--smoke"), out, path);

        JsonNode downloadResult = assertValidResult(out, "download-throughput", download);
        assertThat(missingTools(downloadResult)).containsExactlyInAnyOrder("nginx", "aria2c", "gnuplot");
        for (String peer : List.of("nginx", "aria2c", "gnuplot")) {
            assertThat(download).as("one skip line for %s", peer)
                    .containsOnlyOnce("note: " + peer + " not installed; skipped in smoke mode");
        }
        JsonNode mock = downloadResult.get("medians").get("mock");
        assertThat(mock.get("aria2c_mbps").isNull()).as("aria2c's median is missing: %s", mock).isTrue();
        assertThat(mock.get("worker_mbps").asDouble()).as("the worker's own figure: %s", mock).isPositive();
        assertThat(downloadResult.get("medians").has("nginx")).as("no nginx server without nginx").isFalse();
        assertThat(download).contains("not installed, so not measured (figures reported as missing): nginx aria2c")
                .doesNotContain("jq: error");

        JsonNode adminResult = assertValidResult(out, "admin-api", admin);
        assertThat(missingTools(adminResult)).containsExactlyInAnyOrder("nginx", "wrk");
        assertThat(adminResult.get("median").get("daemon_rps").isNull()).isTrue();
        assertThat(admin).containsOnlyOnce("note: wrk not installed; skipped in smoke mode")
                .doesNotContain("jq: error");
    }

    private static void assumeScriptsCanRun() throws IOException, InterruptedException {
        // The scripts need these two; everything else they skip when it is missing.
        for (String tool : List.of("curl", "jq")) {
            assumeTrue(installed(tool), tool + " is not installed: the bench/ scripts cannot run here");
        }
    }

    /** Runs one script with BENCH_OUT = {@code out}, the given PATH; asserts it ended with 0; returns its output. */
    private String runSmoke(List<String> command, Path out, String path) throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path log = Files.createTempFile(tmp, "smoke", ".log");
        List<String> argv = new ArrayList<>(List.of("bash"));
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("BENCH_OUT", out.toString());
        builder.environment().put("BENCH_WORK", tmp.resolve("work").toString());
        builder.environment().put("PATH", path);
        Process process = builder.start();
        boolean ended = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!ended) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
        String output = Files.readString(log);
        assertThat(ended).as("%s ended within %d minutes; output:%n%s", command, TIMEOUT_MINUTES, output).isTrue();
        assertThat(process.exitValue()).as("exit code of %s; output:%n%s", command, output).isZero();
        assertThat(leftOver(tmp.resolve("work").toString()))
                .as("processes %s started (their command lines name its work directory) and left running", command)
                .isEmpty();
        return output;
    }

    /**
     * Processes still running whose command line names {@code dir} (a script stops everything it starts); they are
     * killed here so that a failing run leaves nothing behind either.
     */
    private static List<String> leftOver(String dir) {
        List<ProcessHandle> left = ProcessHandle.allProcesses()
                .filter(p -> p.isAlive() && p.info().commandLine().orElse("").contains(dir))
                .toList();
        left.forEach(ProcessHandle::destroyForcibly);
        return left.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
    }

    private static JsonNode assertValidResult(Path out, String name, String output) throws IOException {
        Path result = out.resolve(name + ".json");
        assertThat(result).as("results of %s; output:%n%s", name, output).isRegularFile();
        JsonNode json = JSON.readTree(result.toFile());
        assertThat(json.get("benchmark").asText()).isEqualTo(name);
        assertThat(json.get("smoke").asBoolean()).as(name).isTrue();
        assertThat(json.get("machine").get("nproc").asInt()).as(name).isPositive();
        assertThat(json.get("missing_tools").isArray()).as("%s lists its missing tools", name).isTrue();
        return json;
    }

    private static List<String> missingTools(JsonNode result) {
        List<String> tools = new ArrayList<>();
        result.get("missing_tools").forEach(tool -> tools.add(tool.asText()));
        return tools;
    }

    /**
     * A PATH of one directory holding a link to every command of this PATH except the hidden ones: the commands
     * a fresh machine lacks are absent however they were installed here.
     */
    private String pathWithout(Set<String> hidden) throws IOException {
        Path shadow = Files.createDirectories(tmp.resolve("path-without-peers"));
        for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
            Path directory = Path.of(dir);
            if (!Files.isDirectory(directory)) {
                continue;
            }
            try (Stream<Path> commands = Files.list(directory)) {
                for (Path command : (Iterable<Path>) commands::iterator) {
                    Path link = shadow.resolve(command.getFileName().toString());
                    if (!hidden.contains(command.getFileName().toString()) && !Files.exists(link, NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, command);
                    }
                }
            }
        }
        return shadow.toString();
    }

    private static boolean installed(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", "command -v " + command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor() == 0;
    }
}
