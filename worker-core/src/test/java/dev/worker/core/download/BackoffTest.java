package dev.worker.core.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class BackoffTest {
    private static final Duration BASE = Duration.ofSeconds(1);
    private static final Duration CAP = Duration.ofSeconds(60);

    @Test
    void delays_doubleFromBaseWithEqualJitterUpToTheCap() {
        Backoff backoff = new Backoff(BASE, CAP, new SplittableRandom(7));
        long ceiling = BASE.toMillis();
        for (int failure = 1; failure <= 12; failure++) {
            Duration delay = backoff.next();
            assertThat(delay.toMillis()).as("failure %d", failure).isBetween(ceiling / 2, ceiling);
            ceiling = Math.min(ceiling * 2, CAP.toMillis());
        }
    }

    @Test
    void manyFailures_stayAtTheCapWithoutOverflow() {
        Backoff backoff = new Backoff(BASE, CAP, new SplittableRandom(7));
        for (int failure = 1; failure <= 6; failure++) {
            assertThat(backoff.next()).isLessThanOrEqualTo(Duration.ofSeconds(1L << (failure - 1)));
        }
        for (int failure = 7; failure < 1000; failure++) {
            assertThat(backoff.next()).as("failure %d", failure).isBetween(CAP.dividedBy(2), CAP);
        }
    }

    @Test
    void reset_startsAgainFromTheBase() {
        Backoff backoff = new Backoff(BASE, CAP, new SplittableRandom(7));
        for (int failure = 0; failure < 10; failure++) {
            backoff.next();
        }

        backoff.reset();

        assertThat(backoff.next()).isBetween(BASE.dividedBy(2), BASE);
    }

    @Test
    void sameSeed_givesTheSameDelays() {
        Backoff a = new Backoff(BASE, CAP, new SplittableRandom(11));
        Backoff b = new Backoff(BASE, CAP, new SplittableRandom(11));
        for (int failure = 0; failure < 20; failure++) {
            assertThat(a.next()).isEqualTo(b.next());
        }
    }
}
