package dev.worker.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.daemon.ListenAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Sizes, durations and listen addresses as written on the command line. */
final class ParsingTest {
    @Test
    void sizes_acceptDecimalAndBinaryUnits() {
        assertThat(ByteSizes.parse("0")).isZero();
        assertThat(ByteSizes.parse("1048576")).isEqualTo(1L << 20);
        assertThat(ByteSizes.parse("500GB")).isEqualTo(500_000_000_000L);
        assertThat(ByteSizes.parse("1TiB")).isEqualTo(1L << 40);
        assertThat(ByteSizes.parse("64mib")).isEqualTo(64L << 20);
        assertThat(ByteSizes.parse("1.5GiB")).isEqualTo(3L << 29);
        assertThat(ByteSizes.parse("10MB/s")).isEqualTo(10_000_000L);
        assertThat(ByteSizes.parse(" 2 KiB ")).isEqualTo(2048);
    }

    @Test
    void sizes_rejectNonsenseAndOverflow() {
        for (String bad : new String[] {"", "-1", "abc", "5XB", "1.5", "99999999999PiB", "1e9"}) {
            assertThatThrownBy(() -> ByteSizes.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void sizes_formatInBinaryUnits() {
        assertThat(ByteSizes.format(512)).isEqualTo("512 B");
        assertThat(ByteSizes.format(200L << 20)).isEqualTo("200.0 MiB");
        assertThat(ByteSizes.format(3L << 29)).isEqualTo("1.5 GiB");
    }

    @Test
    void durations_acceptPlainSecondsAndUnits() {
        assertThat(Durations.parse("3600")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> Durations.parse("soon")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Durations.format(Duration.ofSeconds(192))).isEqualTo("3m12s");
    }

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
        assertThat(EnvDefaults.variable("--data-dir")).isEqualTo("WORKER_DATA_DIR");
        assertThat(EnvDefaults.variable("--max-assignment-body")).isEqualTo("WORKER_MAX_ASSIGNMENT_BODY");
        assertThat(EnvDefaults.variable("--url")).isEqualTo("WORKER_URL");
    }
}
