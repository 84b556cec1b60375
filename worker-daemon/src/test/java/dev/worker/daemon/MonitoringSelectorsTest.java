package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The selector extraction that checks the alert rules against real series: it must miss none and invent none. */
final class MonitoringSelectorsTest {
    @Test
    void selectors_areTheMetricsWithTheirMatchers_notFunctionsGroupingsOrDurations() {
        assertThat(MonitoringTest.selectors(
                "sum by (instance, le) (rate(worker_download_retries_total{reason=\"http_5xx\"}[10m])) > 1e3"))
                .containsExactly("worker_download_retries_total{reason=\"http_5xx\"}");
        assertThat(MonitoringTest.selectors("(worker_disk_used_bytes + worker_disk_reserved_bytes) / "
                + "worker_disk_budget_bytes > 0.9 and worker_disk_budget_bytes > 0"))
                .containsExactly("worker_disk_used_bytes", "worker_disk_reserved_bytes", "worker_disk_budget_bytes");
        assertThat(MonitoringTest.selectors("worker_ready == 0 or up{job=\"worker\"} == 0"))
                .containsExactly("worker_ready", "up{job=\"worker\"}");
        assertThat(MonitoringTest.selectors("increase(worker_refs_leaked_total[1h]) > 0 unless on(instance) x_y"))
                .containsExactly("worker_refs_leaked_total", "x_y");
    }

    @Test
    void expand_setsGrafanasVariables() {
        assertThat(MonitoringTest.expand("rate(a{instance=~\"$instance\"}[$__rate_interval])"))
                .isEqualTo("rate(a{instance=~\".*\"}[1m])");
    }
}
