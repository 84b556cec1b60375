package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.DataManager;
import dev.worker.core.ManagerConfig;
import dev.worker.daemon.cli.WorkerCommand;
import dev.worker.testkit.AdminHttp;
import dev.worker.testkit.Await;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --demo}: the mock storage's chunks are assigned, and the printed commands work. */
@Timeout(90)
final class DemoTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void demo_assignsItsChunkSet_andItsTryThisCommandsWork() throws Exception {
        StringWriter printed = new StringWriter();
        try (Demo demo = Demo.start(MockStorageProcessTest.mockOnTestClassPath(), 96 * 1024, 0);
                Daemon daemon = Daemon.start(DaemonConfig.of(ManagerConfig.builder(dir).minFreeBytes(0).build(),
                        ListenAddress.parse("127.0.0.1:0")));
                AdminHttp http = new AdminHttp(daemon.url())) {
            DataManager manager = daemon.ready().get(30, TimeUnit.SECONDS);
            demo.assign(daemon, manager, new PrintWriter(printed, true));
            Await.until("the demo printed what to try", WAIT, () -> printed.toString().contains("Stop with Ctrl-C."));
            Await.until("every chunk ready", WAIT, () -> http.get("/v1/chunks?state=ready").json().get("chunks").size()
                    == Demo.CHUNKS);

            List<String> lines = printed.toString().lines().map(String::strip).toList();
            assertThat(lines).anyMatch(l -> l.startsWith("Demo: 12 chunks"));
            for (String line : lines) {
                if (line.startsWith("curl -s ")) {
                    String url = line.substring("curl -s ".length()).split(" ")[0].replace("'", "");
                    assertThat(http.get(URI.create(url).getRawPath()
                            + (URI.create(url).getRawQuery() == null ? "" : "?" + URI.create(url).getRawQuery()))
                            .status()).as(line).isEqualTo(200);
                }
            }
            String find = lines.stream().filter(l -> l.startsWith("bin/worker find ")).findFirst().orElseThrow();
            StringWriter out = new StringWriter();
            String[] args = args(find);
            assertThat(WorkerCommand.run(args, Map.of(), new PrintWriter(out), new PrintWriter(new StringWriter())))
                    .isZero();
            Path chunkDir = Path.of(out.toString().lines().findFirst().orElseThrow());
            assertThat(Files.isDirectory(chunkDir)).isTrue();

            String rm = lines.stream().filter(l -> l.startsWith("bin/worker chunk rm ")).findFirst().orElseThrow();
            assertThat(WorkerCommand.run(args(rm), Map.of(), new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()))).isZero();
            Await.until("the removed chunk left the disk", WAIT, () -> !Files.exists(chunkDir));
        }
    }

    private static String[] args(String commandLine) {
        String withoutComment = commandLine.split("#")[0].strip();
        String[] words = withoutComment.split("\\s+");
        return Arrays.copyOfRange(words, 1, words.length);
    }
}
