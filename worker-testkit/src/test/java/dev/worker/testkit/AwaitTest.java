package dev.worker.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class AwaitTest {
    @Test
    void until_returnsOnceTheConditionHolds() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        Await.until("the third check", Duration.ofSeconds(10), () -> checks.incrementAndGet() == 3);
        assertThat(checks).hasValue(3);
    }

    @Test
    void until_failsNamingWhatItWaitedFor() {
        assertThatThrownBy(() -> Await.until("pigs fly", Duration.ofMillis(20), () -> false))
                .isInstanceOf(AssertionError.class).hasMessageContaining("waiting until pigs fly");
        assertThatThrownBy(() -> Await.open("the latch opens", new CountDownLatch(1), Duration.ofMillis(20)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("waiting until the latch opens");
    }
}
