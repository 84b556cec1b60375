package dev.worker.core.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0 | PT0S",
            "7 | PT7S",
            "' 120 ' | PT2M",
            "Sun, 01 Mar 2026 12:00:30 GMT | PT30S",
            "Sun, 01 Mar 2026 11:00:00 GMT | PT0S",
            "999999999999 | PT1H",
            "86400 | PT1H"})
    void parse_secondsOrHttpDate_givesTheWaitFromNow(String header, Duration wait) {
        assertThat(RetryAfter.parse(header, NOW)).contains(wait);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "-1", "1.5", "soon", "2026-03-01T12:00:30Z"})
    void parse_anythingElse_isIgnored(String header) {
        assertThat(RetryAfter.parse(header, NOW)).isEmpty();
    }
}
