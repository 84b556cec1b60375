package dev.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The smoke modes of the benchmarks that need neither root nor installed peers, through their Java entry points at
 * tiny sizes: each runs and reports sane values. No timing is asserted; the figures come from bench/*.sh.
 */
final class BenchSmokeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void smokeModes_runAndReportEveryFigure() throws Exception {
        // startup
        Path dir = tmp.resolve("ready");
        DataDirGenerator.generate(dir, 200, 10, 5, 64);
        JsonNode startup = JSON.readTree(StartupProbe.run(dir));
        assertThat(startup.get("chunks").asInt()).isEqualTo(200);
        assertThat(startup.get("open_ms").asDouble()).isPositive();

        // memory
        JsonNode memory = JSON.readTree(MemoryProbe.run(dir));
        assertThat(memory.get("chunks").asInt()).isEqualTo(200);
        assertThat(memory.has("bytes_per_chunk")).isTrue();

        // deletion lag, in-process
        JsonNode lag = JSON.readTree(DeletionLagProbe.inProcess(tmp.resolve("lag"), 20));
        assertThat(lag.get("lag").get("count").asInt()).isEqualTo(20);
        assertThat(lag.get("timeouts").asInt()).isZero();

        // call latency under load
        JsonNode latency = JSON.readTree(CallLatencyBench.run(new CallLatencyBench.Options(tmp.resolve("latency"),
                500, 4, 1, 1, 2_000, 4_000_000)));
        assertThat(latency.get("transfers_downloading_at_end").asInt()).isEqualTo(4);
        for (String op : new String[] {"find", "download", "delete"}) {
            assertThat(latency.get("ops").get(op).get("count").asInt()).as(op).isPositive();
        }

        // find (JMH in this JVM: forking would need the benchmark jar)
        Options options = new OptionsBuilder()
                .include(FindBenchmark.class.getName() + ".findAndClose")
                .param("chunks", "1000")
                .forks(0)
                .threads(1)
                .warmupIterations(1)
                .warmupTime(TimeValue.milliseconds(200))
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(300))
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        assertThat(results).hasSize(1);
        assertThat(results.iterator().next().getPrimaryResult().getScore()).isPositive();
    }
}
