package dev.worker.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class SizesTest {
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "0, 0", "512, 512", "512B, 512", "4KB, 4000", "200MB, 200000000", "1GB, 1000000000", "2TB, 2000000000000",
        "4KiB, 4096", "200MiB, 209715200", "1GiB, 1073741824", "1.5GiB, 1610612736", "10mb, 10000000",
        "' 3 MiB ', 3145728", "10MB/s, 10000000",
    })
    void parse_acceptsNumbersWithUnits(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MB", "-1", "12XB", "1.5", "0.1KiB", "1e3", "99999999999TB", "4 M B"})
    void parse_rejectsWhatIsNotASize(String text) {
        assertThatThrownBy(() -> Sizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"0, 0 B", "1023, 1023 B", "1024, 1 KiB", "4194304, 4 MiB", "13421772800, 12.5 GiB",
        "1610612736, 1.5 GiB"})
    void format_usesBinaryUnits(long bytes, String text) {
        assertThat(Sizes.format(bytes)).isEqualTo(text);
    }
}
