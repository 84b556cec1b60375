package dev.worker.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.launch.EnvironmentDefaults;
import dev.worker.daemon.ListenAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Listen addresses, variable names and the version on the command line (sizes and durations: core's launch tests). */
final class ParsingTest {
    @Test
    void listenAddresses_parseHostPortAndBracketedIpv6() throws Exception {
        assertThat(ListenAddress.parse("127.0.0.1:7070")).isEqualTo(new ListenAddress("127.0.0.1", 7070));
        assertThat(ListenAddress.parse("[::1]:0")).isEqualTo(new ListenAddress("::1", 0));
        assertThat(ListenAddress.parse("localhost:80").isLoopback()).isTrue();
        assertThat(ListenAddress.parse("0.0.0.0:80").isLoopback()).isFalse();
        for (String bad : new String[] {"7070", "host:", ":7070", "h:99999", "::1:7070", "h:-1"}) {
            assertThatThrownBy(() -> ListenAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void envVariables_areNamedAfterTheOption() {
        EnvironmentDefaults defaults = new EnvironmentDefaults(WorkerCommand.ENV_PREFIX, Map.of());
        assertThat(defaults.variable("--data-dir")).isEqualTo("WORKER_DATA_DIR");
        assertThat(defaults.variable("--max-assignment-body")).isEqualTo("WORKER_MAX_ASSIGNMENT_BODY");
        assertThat(defaults.variable("--url")).isEqualTo("WORKER_URL");
    }

    @Test
    void version_isTheBuildsVersion() {
        String expected = System.getProperty("worker.expectedVersion");
        assertThat(expected).as("the build passes its version to the tests").isNotBlank();
        StringWriter out = new StringWriter();
        int code = WorkerCommand.run(new String[] {"--version"}, Map.of(), new PrintWriter(out),
                new PrintWriter(new StringWriter()));
        assertThat(code).isZero();
        assertThat(out.toString().strip()).isEqualTo("worker " + expected);
    }
}
