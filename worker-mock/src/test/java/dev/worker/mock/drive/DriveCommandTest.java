package dev.worker.mock.drive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.mock.MockMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The {@code drive} command line, in process, for everything that does not reach a daemon. */
final class DriveCommandTest {
    private static final String STORAGE = "--storage http://127.0.0.1:9/ ";

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    @Test
    void options_parseEveryValue() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "  secret\n");
        DriveOptions options = options(Map.of(), "drive", "--daemon", "http://127.0.0.1:7171", "--token-file",
                token.toString(), "--storage", "http://127.0.0.1:9", "--data-dir", "/var/lib/worker", "--ops", "12",
                "--concurrency", "3", "--seed", "42", "--mix", "download=1,find=2", "--chunks", "5",
                "--timeout", "90s", "--json");
        assertThat(options).isEqualTo(new DriveOptions(URI.create("http://127.0.0.1:7171"), Optional.of("secret"),
                URI.create("http://127.0.0.1:9/"), Optional.of(Path.of("/var/lib/worker")), 12, 3, 42,
                OperationMix.parse("download=1,find=2"), OptionalInt.of(5), Duration.ofSeconds(90), true));
    }

    @Test
    void options_defaults() {
        DriveOptions options = options(Map.of(), "drive", "--storage", "http://127.0.0.1:9/");
        assertThat(options.daemon()).isEqualTo(URI.create("http://127.0.0.1:7070"));
        assertThat(options.token()).isEmpty();
        assertThat(options.dataDir()).isEmpty();
        assertThat(options.ops()).isEqualTo(1000);
        assertThat(options.concurrency()).isEqualTo(4);
        assertThat(options.mix()).isEqualTo(OperationMix.defaults());
        assertThat(options.chunks()).isEmpty();
        assertThat(options.timeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(options.json()).isFalse();
    }

    @Test
    void options_comeFromTheEnvironment_andTheCommandLineWins() {
        Map<String, String> env = Map.of("WORKER_MOCK_DAEMON", "http://127.0.0.1:8080",
                "WORKER_MOCK_STORAGE", "http://127.0.0.1:9", "WORKER_MOCK_OPS", "7", "WORKER_MOCK_MIX", "find=1");
        DriveOptions options = options(env, "drive", "--ops", "8");
        assertThat(options.daemon()).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(options.storage()).isEqualTo(URI.create("http://127.0.0.1:9/"));
        assertThat(options.ops()).isEqualTo(8);
        assertThat(options.mix()).isEqualTo(OperationMix.parse("find=1"));
    }

    @Test
    void storage_mayBeGivenAsTheManifestUrl() {
        assertThat(DriveCommand.storageRoot(URI.create("http://h:1/manifest.json")))
                .isEqualTo(URI.create("http://h:1/"));
        assertThat(DriveCommand.storageRoot(URI.create("http://h:1/x"))).isEqualTo(URI.create("http://h:1/x/"));
        assertThat(DriveCommand.storageRoot(URI.create("http://h:1"))).isEqualTo(URI.create("http://h:1/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        STORAGE + "--mix upload=1", STORAGE + "--mix download=x", STORAGE + "--mix download=0",
        STORAGE + "--ops -1", STORAGE + "--ops many", STORAGE + "--concurrency 0", STORAGE + "--concurrency 2000",
        STORAGE + "--chunks 0", STORAGE + "--timeout 0", STORAGE + "--timeout soon", STORAGE + "--seed x",
        STORAGE + "--daemon ftp://127.0.0.1:7070", STORAGE + "--daemon 127.0.0.1:7070", STORAGE + "--no-such-option",
        STORAGE + "--token-file /nonexistent/token", "--ops 1", "--storage not-a-url",
    })
    void badUsage_exitsWith2AndSaysWhy(String args) {
        Run run = run(Map.of(), ("drive " + args).split(" "));
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: ").contains("worker-mock drive --help");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void missingStorage_saysSo() {
        assertThat(run(Map.of(), "drive").err()).contains("missing --storage");
    }

    @Test
    void badMixFromTheEnvironment_exitsWith2() {
        Run run = run(Map.of("WORKER_MOCK_MIX", "download=1,upload=1"), "drive", "--storage", "http://127.0.0.1:9");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("unknown operation 'upload'");
    }

    @Test
    void help_listsTheOptions_andExits0() {
        Run run = run(Map.of(), "drive", "--help");
        assertThat(run.code()).isZero();
        assertThat(run.out()).startsWith("Usage: worker-mock drive").contains("--daemon", "--storage", "--data-dir",
                "--ops", "--concurrency", "--seed", "--mix", "--chunks", "--timeout", "--json", "WORKER_MOCK_");
        assertThat(run(Map.of(), "--help").out()).contains("drive");
    }

    @Test
    void unreachableDaemon_exitsWith1() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Run run = run(Map.of(), "drive", "--daemon", "http://127.0.0.1:" + port, "--storage", "http://127.0.0.1:9",
                "--timeout", "2s");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).startsWith("error: cannot connect to the daemon at http://127.0.0.1:" + port);
    }

    private static DriveOptions options(Map<String, String> env, String... args) {
        CommandLine.ParseResult parsed = MockMain.commandLine(env).parseArgs(args);
        return ((DriveCommand) parsed.subcommand().commandSpec().userObject()).options();
    }

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = MockMain.run(env, new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }
}
