package dev.worker.core.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

final class TokenBucketTest {
    private static final long RATE = 1_000_000;
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void startsEmpty_soTheFirstBytesWaitForTheRate() {
        TokenBucket bucket = new TokenBucket(RATE, now::get);

        assertThat(bucket.take(RATE / 2)).isEqualTo(500_000_000L);
    }

    @Test
    void waitingCallers_queueBehindEachOthersDebt() {
        TokenBucket bucket = new TokenBucket(RATE, now::get);

        assertThat(bucket.take(RATE)).isEqualTo(1_000_000_000L);
        assertThat(bucket.take(RATE)).isEqualTo(2_000_000_000L);
        now.addAndGet(2_000_000_000L);
        assertThat(bucket.take(1)).isPositive().isLessThan(10_000L);
    }

    @Test
    void idleTime_savesUpAtMostOneSecondOfTokens() {
        TokenBucket bucket = new TokenBucket(RATE, now::get);
        now.addAndGet(10_000_000_000L);

        assertThat(bucket.take(RATE)).isZero();
        assertThat(bucket.take(RATE)).isEqualTo(1_000_000_000L);
    }

    @Test
    void burst_isCappedAtFourMebibytesForHighRates() {
        long rate = 100L << 20;
        TokenBucket bucket = new TokenBucket(rate, now::get);
        now.addAndGet(10_000_000_000L);

        assertThat(bucket.take(4L << 20)).isZero();
        assertThat(bucket.take(rate)).isEqualTo(1_000_000_000L);
    }

    @Test
    @Timeout(5)
    void interruptedWait_throwsAndGivesTheTokensBack() {
        TokenBucket bucket = new TokenBucket(RATE, now::get);
        Thread.currentThread().interrupt();

        assertThatThrownBy(() -> bucket.acquire(RATE * 100)).isInstanceOf(InterruptedException.class);
        assertThat(bucket.take(1)).isLessThan(10_000L);
    }
}
