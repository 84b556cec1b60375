package dev.worker.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkState;
import dev.worker.core.TestChunks;
import dev.worker.daemon.FakeDataManager;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class LeaseManagerTest {
    private static final ChunkDescriptor A = TestChunks.descriptor("a", "eth", 100, 200);

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }
    }

    private final FakeDataManager manager = new FakeDataManager();
    private final MutableClock clock = new MutableClock();
    private LeaseManager leases;

    @BeforeEach
    void setUp() {
        manager.download(A);
        manager.makeReady(A.id(), Path.of("/data/a"));
        leases = new LeaseManager(manager, clock, 100);
    }

    @AfterEach
    void tearDown() {
        leases.close();
        assertThat(manager.openRefs()).isZero();
    }

    @Test
    void create_holdsARef_untilRelease() {
        LeaseManager.Lease lease = leases.create(A.datasetId(), 150, Duration.ofSeconds(60)).orElseThrow();
        assertThat(lease.expiresAt()).isEqualTo(clock.instant().plusSeconds(60));
        assertThat(manager.openRefs()).isEqualTo(1);
        assertThat(leases.release(lease.id())).isTrue();
        assertThat(leases.release(lease.id())).isFalse();
        assertThat(manager.openRefs()).isZero();
    }

    @Test
    void create_forAnUncoveredBlock_isEmpty() {
        assertThat(leases.create(A.datasetId(), 200, Duration.ofSeconds(60))).isEmpty();
        assertThat(manager.openRefs()).isZero();
    }

    @Test
    void idsAreUnguessable128BitHex_andDistinct() {
        String a = leases.create(A.datasetId(), 150, Duration.ofSeconds(60)).orElseThrow().id();
        String b = leases.create(A.datasetId(), 150, Duration.ofSeconds(60)).orElseThrow().id();
        assertThat(a).matches("[0-9a-f]{32}").isNotEqualTo(b);
        assertThat(LeaseManager.isLeaseId(a)).isTrue();
        assertThat(LeaseManager.isLeaseId(a.toUpperCase())).isFalse();
    }

    @Test
    void sweep_releasesExpiredLeases_byTheClock() {
        LeaseManager.Lease shortLease = leases.create(A.datasetId(), 150, Duration.ofSeconds(10)).orElseThrow();
        LeaseManager.Lease longLease = leases.create(A.datasetId(), 150, Duration.ofSeconds(100)).orElseThrow();
        clock.advance(Duration.ofSeconds(9));
        assertThat(leases.sweep()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(leases.sweep()).isEqualTo(1);
        assertThat(leases.get(shortLease.id())).isEmpty();
        assertThat(leases.get(longLease.id())).isPresent();
        assertThat(manager.openRefs()).isEqualTo(1);
    }

    @Test
    void aDeletedChunk_staysUntilItsLastLeaseEnds() {
        LeaseManager.Lease first = leases.create(A.datasetId(), 150, Duration.ofSeconds(60)).orElseThrow();
        LeaseManager.Lease second = leases.create(A.datasetId(), 199, Duration.ofSeconds(60)).orElseThrow();
        manager.delete(A.id());
        assertThat(manager.status(A.id()).orElseThrow().state()).isEqualTo(ChunkState.REMOVING);
        leases.release(first.id());
        assertThat(manager.status(A.id())).isPresent();
        leases.release(second.id());
        assertThat(manager.status(A.id())).isEmpty();
    }

    @Test
    void leasesExpireOnTheirOwn_withTheSystemClock() throws InterruptedException {
        try (LeaseManager real = new LeaseManager(manager, Clock.systemUTC(), 10)) {
            real.create(A.datasetId(), 150, Duration.ofMillis(50)).orElseThrow();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (real.active() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(real.active()).isZero();
            assertThat(manager.openRefs()).isZero();
        }
    }

    @Test
    void close_releasesEveryLease_andRefusesNewOnes() {
        leases.create(A.datasetId(), 150, Duration.ofSeconds(60)).orElseThrow();
        leases.create(A.datasetId(), 150, Duration.ofSeconds(60)).orElseThrow();
        leases.close();
        assertThat(manager.openRefs()).isZero();
        assertThat(leases.active()).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> leases.create(A.datasetId(), 150, Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error()).isEqualTo(ApiError.UNAVAILABLE));
    }
}
