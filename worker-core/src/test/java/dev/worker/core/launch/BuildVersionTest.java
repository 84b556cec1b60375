package dev.worker.core.launch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class BuildVersionTest {
    @Test
    void current_isTheVersionTheBuildWasMadeAs() {
        String expected = System.getProperty("worker.expectedVersion");
        assertThat(expected).as("the build passes its version to the tests").isNotBlank();
        assertThat(BuildVersion.current()).isEqualTo(expected);
    }
}
