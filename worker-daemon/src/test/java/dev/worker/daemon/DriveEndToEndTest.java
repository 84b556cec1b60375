package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptorJson;
import dev.worker.mock.FaultConfig;
import dev.worker.mock.MockMain;
import dev.worker.mock.MockStorage;
import dev.worker.mock.MockStorageConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code worker-mock drive} in process against a real daemon (real core, files, HTTP on 127.0.0.1) and a mock storage
 * that injects faults: the churn converges with no violation, and a broken invariant is caught.
 */
@Timeout(60)
final class DriveEndToEndTest {
    private static final long SEED = 20_260_101;

    @TempDir
    Path dir;
    private Path dataDir;
    private MockStorage storage;
    private Daemon daemon;

    private record Run(int code, String out, String err) {
        JsonNode report() {
            try {
                return ChunkDescriptorJson.MAPPER.readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException("not a JSON report: " + out + "\nstderr: " + err, e);
            }
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        // 2 datasets x 12 chunks x 2 files; 320 KiB per chunk split at random, so files of roughly 64 to 256 KiB.
        storage = MockStorage.start(MockStorageConfig.builder().seed(SEED).datasets(2).chunks(24).filesPerChunk(2)
                .chunkSize(320 << 10).faults(FaultConfig.builder().errorRate(0.10).resetRate(0.05)
                        .truncateRate(0.05).build())
                .build());
        dataDir = dir.resolve("data");
        daemon = RealCore.startDaemon(dataDir);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            assertThat(daemon.ready().get().stats().refsActive()).as("open refs at the end of the test").isZero();
            daemon.close();
        }
        if (storage != null) {
            storage.close();
        }
    }

    @Test
    void churnWithStorageFaults_convergesWithNoViolation() {
        Run run = drive("--ops", "300", "--concurrency", "4", "--seed", Long.toString(SEED), "--timeout", "30s");

        JsonNode report = run.report();
        assertThat(run.code()).as("exit code; report: %s; stderr: %s", run.out(), run.err()).isZero();
        assertThat(report.get("ok").asBoolean()).isTrue();
        assertThat(report.get("violations")).as(run.out()).isEmpty();
        assertThat(report.get("error_count").asLong()).as(run.out()).isZero();
        assertThat(report.get("converged").asBoolean()).isTrue();
        long played = 0;
        for (JsonNode kind : report.get("operations")) {
            played += kind.get("ok").asLong() + kind.get("not_found").asLong() + kind.get("error").asLong();
        }
        assertThat(played).isEqualTo(300);
        assertThat(report.get("operations").get("download").get("ok").asLong()).isPositive();
        assertThat(report.get("operations").get("lease").get("ok").asLong()).isPositive();
        JsonNode faults = report.get("storage_stats").get("faults");
        assertThat(faults.get("error").asLong() + faults.get("reset").asLong() + faults.get("truncate").asLong())
                .as("faults injected").isPositive();
        assertThat(report.get("bytes_downloaded").asLong()).isGreaterThanOrEqualTo(report.get("bytes_needed").asLong());
        // After the play: a part of the storage's count over the run. Not compared with the bytes still needed:
        // bytes sent before the play ended may reach the disk only after the listing taken then.
        JsonNode afterPlay = report.get("after_play");
        assertThat(afterPlay.get("bytes_still_needed").asLong()).isNotNegative();
        assertThat(afterPlay.get("bytes_downloaded").asLong()).as("bytes sent after the play").isNotNegative()
                .isLessThanOrEqualTo(report.get("storage_stats").get("bytes_sent").asLong());
        assertThat(report.get("checked").get("files").asLong()).isEqualTo(2 * report.get("ready_chunks").asLong());
    }

    @Test
    void aFileRemovedBehindTheDaemonsBack_isAViolation() throws Exception {
        Run churn = drive("--ops", "40", "--mix", "download=1", "--seed", "1", "--timeout", "30s");
        assertThat(churn.code()).as(churn.out()).isZero();
        Path chunk = chunkDirs().getFirst();
        Path victim;
        try (Stream<Path> files = Files.list(chunk)) {
            victim = files.filter(f -> !f.getFileName().toString().equals("chunk.json")).sorted().findFirst()
                    .orElseThrow();
        }
        Files.delete(victim);

        Run check = drive("--ops", "0", "--timeout", "10s");

        assertThat(check.code()).as(check.out()).isEqualTo(1);
        JsonNode report = check.report();
        assertThat(report.get("ok").asBoolean()).isFalse();
        assertThat(report.get("violations")).hasSize(1);
        assertThat(report.get("violations").get(0).get("check").asText()).isEqualTo("content");
        assertThat(report.get("violations").get(0).get("message").asText()).contains(victim.toString(), "missing");
    }

    @Test
    void humanReport_endsWithTheVerdict() {
        Run run = drive(false, "--ops", "20", "--seed", "3", "--timeout", "30s");
        assertThat(run.code()).as(run.out()).isZero();
        assertThat(run.out()).contains("operation", "download", "converged in", "faults injected", "violations: none")
                .endsWith("OK" + System.lineSeparator());
        assertThat(run.err()).contains("drive: playing 20 operations");
    }

    private List<Path> chunkDirs() throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dataDir.resolve("chunks"))) {
            entries.sorted().forEach(dirs::add);
        }
        assertThat(dirs).as("ready chunks on disk").isNotEmpty();
        return dirs;
    }

    private Run drive(String... args) {
        return drive(true, args);
    }

    private Run drive(boolean json, String... args) {
        List<String> all = new ArrayList<>(List.of("drive", "--daemon", daemon.url().toString(),
                "--storage", storage.baseUrl().toString(), "--data-dir", dataDir.toString()));
        if (json) {
            all.add("--json");
        }
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = MockMain.run(Map.of(), new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }
}
