package dev.worker.core.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one grammar of durations that both executables read, and its printed form. */
final class DurationsTest {
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "500ms, PT0.5S", "2s, PT2S", "1.5s, PT1.5S", "1m, PT1M", "2h, PT2H", "250us, PT0.00025S", "10ns, PT0.00000001S",
        "2, PT2S", "0, PT0S", "PT3S, PT3S", "' 20 ms ', PT0.02S", "2S, PT2S",
        "3600, PT1H", "90s, PT90S", "15m, PT15M", "250ms, PT0.25S",
    })
    void parse_acceptsNumbersWithUnits(String text, Duration expected) {
        assertThat(Durations.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ms", "-1s", "2 weeks", "1d", "PT-1S", "PTX", "1,5s", "soon"})
    void parse_rejectsWhatIsNotADuration(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a duration");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"PT0.5S, 500ms", "PT2S, 2s", "PT1.5S, 1.5s", "PT0.00025S, 250us", "PT0S, 0ms",
        "PT3M12S, 3m12s", "PT2H5M30S, 2h05m"})
    void format_isShort(Duration d, String text) {
        assertThat(Durations.format(d)).isEqualTo(text);
    }
}
