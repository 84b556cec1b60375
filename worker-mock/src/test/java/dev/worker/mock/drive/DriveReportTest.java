package dev.worker.mock.drive;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.worker.core.ChunkDescriptorJson;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class DriveReportTest {
    private static DriveReport report(long bytesNeeded, List<Violation> violations, List<String> errors) {
        OpCounts.Counter counter = new OpCounts.Counter();
        for (int i = 0; i < 5; i++) {
            counter.add(OpKind.DOWNLOAD, Outcome.OK);
        }
        counter.add(OpKind.FIND, Outcome.NOT_FOUND);
        counter.add(OpKind.LEASE, Outcome.ERROR);
        return new DriveReport(
                new DriveReport.Settings(URI.create("http://127.0.0.1:7070"), URI.create("http://127.0.0.1:9/"),
                        Optional.of(Path.of("/data")), 7, 7, 2, OperationMix.defaults(), 24),
                counter.snapshot(), Duration.ofMillis(1234), violations.isEmpty(), Duration.ofMillis(567), 10, 10,
                3 << 20, bytesNeeded, new DriveReport.AfterPlay(bytesNeeded / 2, 3 << 19), 4,
                new StorageStats(80, 3 << 20, Map.of("error", 3L, "reset", 0L)), 20, 2 << 20,
                errors.size(), errors, violations.size(), violations, List.of("a note"));
    }

    @Test
    void human_showsTheFigures_andTheVerdict() {
        String text = report(2 << 20, List.of(), List.of()).human();
        assertThat(text).startsWith("drive: 7 ops, seed 7, concurrency 2, 24 chunks, mix download=50,delete=30,"
                + "assign=5,find=10,lease=5\n");
        assertThat(text).contains(
                "  daemon http://127.0.0.1:7070, storage http://127.0.0.1:9/, data dir /data\n",
                "operation        ok  not_found    error\n",
                "download          5          0        0\n",
                "find              0          1        0\n",
                "lease             0          0        1\n",
                "played in 1234ms; converged in 567ms (10 chunks wanted, 10 ready)\n",
                "bytes: downloaded 3 MiB, needed 2 MiB, ratio 1.50 (waste 50%); daemon retries 4\n",
                "after the last operation: still needed 1 MiB, downloaded 1.5 MiB, ratio 1.50\n",
                "storage: 80 requests, 3 MiB sent; faults injected: error 3\n",
                "checked: 20 files, 2 MiB hashed\n",
                "errors: none\n", "violations: none\n", "notes: 1\n  - a note\n");
        assertThat(text).endsWith("\nOK\n");
    }

    @Test
    void human_listsViolationsAndErrors_andFails() {
        DriveReport report = report(0, List.of(new Violation("content", "x is missing")), List.of("find: HTTP 500"));
        String text = report.human();
        assertThat(text).contains("NOT converged", "ratio n/a (waste n/a)", "errors: 1\n  - find: HTTP 500\n",
                "violations: 1\n  - content: x is missing\n");
        assertThat(text).endsWith("\nFAILED\n");
        assertThat(report.exitCode()).isEqualTo(1);
    }

    @Test
    void json_isOneObject_withEveryFigure() throws Exception {
        String json = report(2 << 20, List.of(), List.of()).json();
        assertThat(json).doesNotContain("\n");
        JsonNode node = ChunkDescriptorJson.MAPPER.readTree(json);
        assertThat(node.get("ok").asBoolean()).isTrue();
        assertThat(node.get("seed").asLong()).isEqualTo(7);
        assertThat(node.get("data_dir").asText()).isEqualTo("/data");
        assertThat(node.get("mix").asText()).isEqualTo(OperationMix.DEFAULT);
        assertThat(node.get("operations").get("download").get("ok").asLong()).isEqualTo(5);
        assertThat(node.get("operations").get("lease").get("error").asLong()).isEqualTo(1);
        assertThat(node.get("operations").get("assign").get("not_found").asLong()).isZero();
        assertThat(node.get("played_ms").asLong()).isEqualTo(1234);
        assertThat(node.get("converged").asBoolean()).isTrue();
        assertThat(node.get("convergence_ms").asLong()).isEqualTo(567);
        assertThat(node.get("bytes_downloaded").asLong()).isEqualTo(3 << 20);
        assertThat(node.get("bytes_needed").asLong()).isEqualTo(2 << 20);
        assertThat(node.get("download_ratio").asDouble()).isEqualTo(1.5);
        assertThat(node.get("waste_ratio").asDouble()).isEqualTo(0.5);
        assertThat(node.get("after_play").get("bytes_still_needed").asLong()).isEqualTo(1 << 20);
        assertThat(node.get("after_play").get("bytes_downloaded").asLong()).isEqualTo(3 << 19);
        assertThat(node.get("after_play").get("download_ratio").asDouble()).isEqualTo(1.5);
        assertThat(node.get("storage_stats").get("faults").get("error").asLong()).isEqualTo(3);
        assertThat(node.get("checked").get("files").asLong()).isEqualTo(20);
        assertThat(node.get("violations")).isEmpty();
        assertThat(node.get("notes").get(0).asText()).isEqualTo("a note");
    }

    @Test
    void json_withViolations_andNothingNeeded() throws Exception {
        JsonNode node = ChunkDescriptorJson.MAPPER.readTree(report(0,
                List.of(new Violation("disk", "leftover tmp/x")), List.of("e")).json());
        assertThat(node.get("ok").asBoolean()).isFalse();
        assertThat(node.get("download_ratio").isNull()).isTrue();
        assertThat(node.get("waste_ratio").isNull()).isTrue();
        assertThat(node.get("after_play").get("download_ratio").isNull()).isTrue();
        assertThat(node.get("violation_count").asLong()).isEqualTo(1);
        assertThat(node.get("violations").get(0).get("check").asText()).isEqualTo("disk");
        assertThat(node.get("violations").get(0).get("message").asText()).isEqualTo("leftover tmp/x");
        assertThat(node.get("error_count").asLong()).isEqualTo(1);
        assertThat(node.get("errors").get(0).asText()).isEqualTo("e");
    }
}
