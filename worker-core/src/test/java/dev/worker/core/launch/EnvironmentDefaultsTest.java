package dev.worker.core.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

final class EnvironmentDefaultsTest {
    @Test
    void variable_isThePrefixAndTheOptionInCapitals() {
        EnvironmentDefaults defaults = new EnvironmentDefaults("APP_", Map.of());
        assertThat(defaults.variable("--max-assignment-body")).isEqualTo("APP_MAX_ASSIGNMENT_BODY");
        assertThat(defaults.variable("-x")).isEqualTo("APP_X");
    }

    @Test
    void value_isStripped_andAbsentWhenUnsetOrBlank() {
        EnvironmentDefaults defaults = new EnvironmentDefaults("APP_", Map.of("APP_SEED", " 7 ", "APP_URL", "  "));
        assertThat(defaults.value("--seed")).contains("7");
        assertThat(defaults.value("--url")).isEmpty();
        assertThat(defaults.value("--data-dir")).isEmpty();
    }
}
