package dev.worker.mock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ByteRangeTest {
    @ParameterizedTest(name = "{0} of 1000 bytes -> {1}")
    @CsvSource(delimiter = '|', value = {
        "bytes=0-99          | 0-99",
        "bytes=10-10         | 10-10",
        "bytes=990-          | 990-999",
        "bytes=-10           | 990-999",
        "bytes=-5000         | 0-999",
        "bytes=500-5000      | 500-999",
        "bytes=0-99999999999999999999999 | 0-999",
        "Bytes=1-2           | 1-2",
        "bytes = 1-2         | whole",
        "bytes= 1 - 2        | 1-2",
        "bytes=1-2,          | 1-2",
        "bytes=1000-         | 416",
        "bytes=1000-2000     | 416",
        "bytes=-0            | 416",
        "bytes=0-1,5-6       | 416",
        "bytes=5-1           | whole",
        "bytes=abc           | whole",
        "bytes=1-x           | whole",
        "bytes=-             | whole",
        "bytes=              | whole",
        "items=0-1           | whole",
    })
    void parse(String header, String expected) {
        ByteRange range = ByteRange.parse(header, 1000);
        String actual = switch (range) {
            case ByteRange.Whole w -> "whole";
            case ByteRange.Unsatisfiable u -> "416";
            case ByteRange.Part p -> p.first() + "-" + p.last();
        };
        assertThat(actual).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"bytes=0-", "bytes=-1"})
    void parse_anyRangeOfAnEmptyRepresentation_isUnsatisfiable(String header) {
        assertThat(ByteRange.parse(header, 0)).isEqualTo(ByteRange.UNSATISFIABLE);
    }
}
