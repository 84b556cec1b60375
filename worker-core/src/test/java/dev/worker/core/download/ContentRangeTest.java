package dev.worker.core.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class ContentRangeTest {
    @Test
    void parse_rangeWithTotal() {
        assertThat(ContentRange.parse("bytes 100-199/1000"))
                .contains(new ContentRange(100, 199, OptionalLong.of(1000)));
        assertThat(ContentRange.parse("bytes 100-199/1000").orElseThrow().length()).isEqualTo(100);
    }

    @Test
    void parse_rangeWithUnknownTotal() {
        assertThat(ContentRange.parse("Bytes 0-9/*")).contains(new ContentRange(0, 9, OptionalLong.empty()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bytes */1000", "bytes 10-5/100", "bytes 0-100/100", "items 0-1/2", "bytes 1-2"})
    void parse_unusableValues_areRejected(String value) {
        assertThat(ContentRange.parse(value)).isEmpty();
    }
}
