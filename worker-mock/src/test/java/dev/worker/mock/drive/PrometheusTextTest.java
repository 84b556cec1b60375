package dev.worker.mock.drive;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class PrometheusTextTest {
    private static final String TEXT = """
            # HELP worker_download_bytes_total Bytes received from storage, retried bytes included
            # TYPE worker_download_bytes_total counter
            worker_download_bytes_total 1.2345678E7
            worker_download_bytes_total_extra 5.0
            # TYPE worker_download_retries_total counter
            worker_download_retries_total{reason="connection_reset"} 3.0
            worker_download_retries_total{reason="http_5xx"} 4.0
            """;

    @Test
    void sum_readsAPlainSample() {
        assertThat(PrometheusText.sum(TEXT, "worker_download_bytes_total")).hasValue(12_345_678);
    }

    @Test
    void sum_addsEveryLabelSet() {
        assertThat(PrometheusText.sum(TEXT, "worker_download_retries_total")).hasValue(7);
    }

    @Test
    void sum_isEmpty_forAMissingMetric() {
        assertThat(PrometheusText.sum(TEXT, "worker_nothing")).isEmpty();
        assertThat(PrometheusText.sum(TEXT, "worker_download")).isEmpty();
    }
}
