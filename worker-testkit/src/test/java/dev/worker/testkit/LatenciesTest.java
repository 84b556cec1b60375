package dev.worker.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class LatenciesTest {
    @Test
    void percentiles_areNearestRankSamples_andMergeKeepsEverySample() {
        Latencies a = new Latencies(4);
        Latencies b = new Latencies();
        for (long i = 1; i <= 60; i++) {
            a.record(i * 1_000_000);
        }
        for (long i = 61; i <= 100; i++) {
            b.record(i * 1_000_000);
        }
        a.merge(b);

        assertThat(a.count()).isEqualTo(100);
        assertThat(a.percentile(50)).isEqualTo(50_000_000);
        assertThat(a.percentile(99)).isEqualTo(99_000_000);
        assertThat(a.max()).isEqualTo(100_000_000);
        assertThat(a.summary().p999()).isEqualTo(100_000_000);
        assertThat(a.describe()).isEqualTo("n=100 p50=50.0ms p99=99.0ms max=100.0ms");
        assertThat(new Latencies().percentile(99)).isZero();
    }
}
