package dev.worker.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.launch.EnvironmentDefaults;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The command line, in process, for everything that does not start serving. */
final class MockMainTest {
    private record Run(int code, String out, String err) {
    }

    @Test
    void storage_parsesSizesDurationsRatesAndPaths() {
        MockStorageConfig config = config(Map.of(), "storage", "--host", "0.0.0.0", "--port", "8080",
                "--datasets", "2", "--chunks", "8", "--files-per-chunk", "3", "--chunk-size", "4MiB",
                "--blocks-per-chunk", "500", "--seed", "9", "--no-checksums",
                "--error-rate", "0.2", "--retry-after", "3", "--reset-rate", "0.3", "--truncate-rate", "0.4",
                "--stall-rate", "0.1", "--stall", "2s", "--latency", "500ms", "--bandwidth", "10MB/s",
                "--total-bandwidth", "1GB", "--not-found", "/a/x.parquet,http://h:1/b/y.parquet");
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.chunkSet()).isEqualTo(new ChunkSetSpec(9, 2, 8, 3, 4 << 20, 500));
        assertThat(config.checksums()).isFalse();
        assertThat(config.faults()).isEqualTo(FaultConfig.builder()
                .errorRate(0.2).retryAfter(Duration.ofSeconds(3)).resetRate(0.3).truncateRate(0.4)
                .stallRate(0.1).stall(Duration.ofSeconds(2)).latency(Duration.ofMillis(500))
                .bandwidth(10_000_000).totalBandwidth(1_000_000_000)
                .notFound(java.util.List.of("/a/x.parquet", "/b/y.parquet")).build());
    }

    @Test
    void storage_withoutOptions_usesTheDefaults() {
        MockStorageConfig config = config(Map.of(), "storage");
        assertThat(config).isEqualTo(MockStorageConfig.builder().build());
        assertThat(config.chunkSet()).isEqualTo(ChunkSetSpec.defaults());
        assertThat(config.faults()).isEqualTo(FaultConfig.NONE);
    }

    @Test
    void storage_readsEveryOptionFromTheEnvironment() {
        MockStorageConfig config = config(Map.of("WORKER_MOCK_SEED", "7", "WORKER_MOCK_CHUNK_SIZE", "4MB",
                "WORKER_MOCK_NO_CHECKSUMS", "true", "WORKER_MOCK_LATENCY", "250ms",
                "WORKER_MOCK_NOT_FOUND", "/x,/y", "WORKER_MOCK_RETRY_AFTER", "1s"), "storage");
        assertThat(config.chunkSet().seed()).isEqualTo(7);
        assertThat(config.chunkSet().chunkSize()).isEqualTo(4_000_000);
        assertThat(config.checksums()).isFalse();
        assertThat(config.faults().latency()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.faults().notFound()).containsExactly("/x", "/y");
        assertThat(config.faults().retryAfter()).hasValue(Duration.ofSeconds(1));
    }

    @Test
    void storage_commandLineWinsOverTheEnvironment() {
        MockStorageConfig config = config(Map.of("WORKER_MOCK_SEED", "7"), "storage", "--seed", "8");
        assertThat(config.chunkSet().seed()).isEqualTo(8);
    }

    @Test
    void environmentVariableNames_followTheOptionNames() {
        EnvironmentDefaults defaults = new EnvironmentDefaults(MockMain.ENV_PREFIX, Map.of());
        assertThat(defaults.variable("--chunk-size")).isEqualTo("WORKER_MOCK_CHUNK_SIZE");
        assertThat(defaults.variable("--seed")).isEqualTo("WORKER_MOCK_SEED");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--chunk-size 12XB", "--chunk-size 0.5B", "--latency soon", "--stall -1s", "--error-rate 1.5",
        "--error-rate abc", "--chunks 0", "--files-per-chunk 65", "--port 70000", "--stall-rate 0.5 --stall 0",
        "--not-found relative/path", "--no-such-option", "extra-argument",
    })
    void storage_badValue_exitsWith2AndSaysWhy(String args) {
        Run run = run(Map.of(), ("storage " + args).split(" "));
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: ").contains("worker-mock storage --help");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void storage_badEnvironmentValue_exitsWith2() {
        Run run = run(Map.of("WORKER_MOCK_CHUNK_SIZE", "huge"), "storage");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("huge");
    }

    @Test
    void help_exits0OnEveryCommand() {
        for (String[] args : new String[][] {{"--help"}, {"-h"}, {"storage", "--help"}}) {
            Run run = run(Map.of(), args);
            assertThat(run.code()).isZero();
            assertThat(run.out()).startsWith("Usage: worker-mock");
        }
        assertThat(run(Map.of(), "storage", "--help").out()).contains("--chunk-size", "--reset-rate",
                "WORKER_MOCK_");
    }

    @Test
    void version_isTheBuildsVersion() {
        String expected = System.getProperty("worker.expectedVersion");
        assertThat(expected).as("the build passes its version to the tests").isNotBlank();
        Run run = run(Map.of(), "--version");
        assertThat(run.code()).isZero();
        assertThat(run.out().strip()).isEqualTo("worker-mock " + expected);
    }

    @Test
    void noCommand_exitsWith2() {
        Run run = run(Map.of());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("missing command");
    }

    @Test
    void storage_portInUse_exitsWith1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run run = run(Map.of(), "storage", "--port", Integer.toString(taken.getLocalPort()), "--chunks", "1",
                    "--chunk-size", "1KB");
            assertThat(run.code()).isEqualTo(1);
            assertThat(run.err()).startsWith("error: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    private static MockStorageConfig config(Map<String, String> env, String... args) {
        CommandLine.ParseResult parsed = MockMain.commandLine(env).parseArgs(args);
        return ((StorageCommand) parsed.subcommand().commandSpec().userObject()).config();
    }

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = MockMain.run(env, new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }
}
