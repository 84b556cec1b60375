package dev.worker.core.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one grammar of byte sizes that both executables read, and its two printed forms. */
final class ByteSizesTest {
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "0, 0", "512, 512", "512B, 512", "4KB, 4000", "200MB, 200000000", "1GB, 1000000000", "2TB, 2000000000000",
        "4KiB, 4096", "200MiB, 209715200", "1GiB, 1073741824", "1.5GiB, 1610612736", "10mb, 10000000",
        "' 3 MiB ', 3145728", "10MB/s, 10000000",
        "1048576, 1048576", "500GB, 500000000000", "1TiB, 1099511627776", "64mib, 67108864",
        "' 2 KiB ', 2048",
    })
    void parse_acceptsNumbersWithUnits(String text, long bytes) {
        assertThat(ByteSizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MB", "-1", "12XB", "1.5", "0.1KiB", "1e3", "99999999999TB", "4 M B",
        "abc", "5XB", "99999999999PiB", "1e9"})
    void parse_rejectsWhatIsNotASize(String text) {
        assertThatThrownBy(() -> ByteSizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"512, 512 B", "209715200, 200.0 MiB", "1610612736, 1.5 GiB"})
    void format_usesBinaryUnitsWithOneDecimal(long bytes, String text) {
        assertThat(ByteSizes.format(bytes)).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"0, 0 B", "1023, 1023 B", "1024, 1 KiB", "4194304, 4 MiB", "13421772800, 12.5 GiB",
        "1610612736, 1.5 GiB"})
    void formatCompact_dropsAZeroDecimal(long bytes, String text) {
        assertThat(ByteSizes.formatCompact(bytes)).isEqualTo(text);
    }
}
