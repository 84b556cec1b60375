package dev.worker.daemon.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkState;
import dev.worker.core.TestChunks;
import dev.worker.daemon.FakeDataManager;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class LeaseManagerTest {
    private static final ChunkDescriptor A = TestChunks.descriptor("a", "eth", 100, 200);
    private static final String CLIENT = "127.0.0.1";

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
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

    /** Prompts due by {@link #clock}; {@link #runDue()} runs them, as a timer thread would when their time comes. */
    static final class ManualScheduler implements ExpiryScheduler {
        private record Task(Instant due, Runnable run, CompletableFuture<Void> handle) {
        }

        private final MutableClock clock;
        private final ConcurrentLinkedQueue<Task> tasks = new ConcurrentLinkedQueue<>();

        ManualScheduler(MutableClock clock) {
            this.clock = clock;
        }

        @Override
        public Future<?> schedule(Duration delay, Runnable task) {
            Task t = new Task(clock.instant().plus(delay), task, new CompletableFuture<>());
            tasks.add(t);
            return t.handle();
        }

        /** Runs every prompt due now (prompts they schedule wait for the next call). */
        int runDue() {
            List<Task> due = new ArrayList<>();
            for (Task t : tasks) {
                if (!t.due().isAfter(clock.instant()) && tasks.remove(t)) {
                    due.add(t);
                }
            }
            int ran = 0;
            for (Task t : due) {
                if (t.handle().complete(null)) {
                    t.run().run();
                    ran++;
                }
            }
            return ran;
        }

        /** Runs every pending prompt now, whatever the clock says (a timer that fires early). */
        void runAllEarly() {
            List<Task> all = new ArrayList<>(tasks);
            tasks.removeAll(all);
            for (Task t : all) {
                if (t.handle().complete(null)) {
                    t.run().run();
                }
            }
        }

        int pending() {
            return (int) tasks.stream().filter(t -> !t.handle().isDone()).count();
        }
    }

    private final FakeDataManager manager = new FakeDataManager();
    private final MutableClock clock = new MutableClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private LeaseManager leases;

    @BeforeEach
    void setUp() {
        manager.download(A);
        manager.makeReady(A.id(), Path.of("/data/a"));
        leases = leases(LeaseLimits.defaults().withMaxLeases(100));
    }

    private LeaseManager leases(LeaseLimits limits) {
        return new LeaseManager(manager, clock, limits, scheduler);
    }

    @AfterEach
    void tearDown() {
        leases.close();
        assertThat(manager.openRefs()).isZero();
    }

    private LeaseManager.Lease granted(LeaseManager from, long block, Duration ttl, String client) {
        LeaseManager.Outcome outcome = from.create(A.datasetId(), block, ttl, client);
        assertThat(outcome).isInstanceOf(LeaseManager.Outcome.Granted.class);
        return ((LeaseManager.Outcome.Granted) outcome).lease();
    }

    private LeaseManager.Lease granted(long block, Duration ttl) {
        return granted(leases, block, ttl, CLIENT);
    }

    @Test
    void create_holdsARef_untilRelease() {
        LeaseManager.Lease lease = granted(150, Duration.ofSeconds(60));
        assertThat(lease.expiresAt()).isEqualTo(clock.instant().plusSeconds(60));
        assertThat(lease.client()).isEqualTo(CLIENT);
        assertThat(manager.openRefs()).isEqualTo(1);
        assertThat(leases.release(lease.id())).isTrue();
        assertThat(leases.release(lease.id())).isFalse();
        assertThat(manager.openRefs()).isZero();
        assertThat(scheduler.pending()).as("the expiry prompt is cancelled").isZero();
    }

    @Test
    void create_forAnUncoveredBlock_isNotCovered_andHoldsNothing() {
        assertThat(leases.create(A.datasetId(), 200, Duration.ofSeconds(60), CLIENT))
                .isInstanceOf(LeaseManager.Outcome.NotCovered.class);
        assertThat(manager.openRefs()).isZero();
        assertThat(leases.active()).isZero();
    }

    @Test
    void idsAreUnguessable128BitHex_andDistinct() {
        String a = granted(150, Duration.ofSeconds(60)).id();
        String b = granted(150, Duration.ofSeconds(60)).id();
        assertThat(a).matches("[0-9a-f]{32}").isNotEqualTo(b);
        assertThat(LeaseManager.isLeaseId(a)).isTrue();
        assertThat(LeaseManager.isLeaseId(a.toUpperCase())).isFalse();
    }

    @Test
    void sweep_releasesExpiredLeases_byTheClock() {
        LeaseManager.Lease shortLease = granted(150, Duration.ofSeconds(10));
        LeaseManager.Lease longLease = granted(150, Duration.ofSeconds(100));
        clock.advance(Duration.ofSeconds(9));
        assertThat(leases.sweep()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(leases.sweep()).isEqualTo(1);
        assertThat(leases.get(shortLease.id())).isEmpty();
        assertThat(leases.get(longLease.id())).isPresent();
        assertThat(manager.openRefs()).isEqualTo(1);
    }

    @Test
    void leasesExpireOnTheirOwn_whenTheSchedulerPromptsAtTheirTime() {
        LeaseManager.Lease lease = granted(150, Duration.ofMillis(50));
        clock.advance(Duration.ofMillis(49));
        assertThat(scheduler.runDue()).isZero();
        assertThat(leases.get(lease.id())).isPresent();
        clock.advance(Duration.ofMillis(1));
        assertThat(scheduler.runDue()).isEqualTo(1);
        assertThat(leases.active()).isZero();
        assertThat(manager.openRefs()).isZero();
    }

    @Test
    void anEarlyPrompt_keepsTheLease_andLooksAgainWhenItIsDue() {
        LeaseManager.Lease lease = granted(150, Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(4));
        scheduler.runAllEarly();
        assertThat(leases.get(lease.id())).as("the clock says 6 s are left").isPresent();
        assertThat(scheduler.pending()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(6));
        assertThat(scheduler.runDue()).isEqualTo(1);
        assertThat(leases.get(lease.id())).isEmpty();
    }

    @Test
    void aDeletedChunk_staysUntilItsLastLeaseEnds() {
        LeaseManager.Lease first = granted(150, Duration.ofSeconds(60));
        LeaseManager.Lease second = granted(199, Duration.ofSeconds(60));
        manager.delete(A.id());
        assertThat(manager.status(A.id()).orElseThrow().state()).isEqualTo(ChunkState.REMOVING);
        leases.release(first.id());
        assertThat(manager.status(A.id())).isPresent();
        leases.release(second.id());
        assertThat(manager.status(A.id())).isEmpty();
    }

    @Test
    void close_releasesEveryLease_andRefusesNewOnes() {
        granted(150, Duration.ofSeconds(60));
        granted(150, Duration.ofSeconds(60));
        leases.close();
        assertThat(manager.openRefs()).isZero();
        assertThat(leases.active()).isZero();
        assertThat(leases.create(A.datasetId(), 150, Duration.ofSeconds(1), CLIENT))
                .isInstanceOf(LeaseManager.Outcome.Closed.class);
        assertThat(manager.openRefs()).isZero();
    }

    @Test
    void aFullPool_refusesMore_untilOneIsReleased() {
        try (LeaseManager two = leases(LeaseLimits.defaults().withMaxLeases(2))) {
            LeaseManager.Lease first = granted(two, 150, Duration.ofSeconds(60), "10.0.0.1");
            granted(two, 150, Duration.ofSeconds(60), "10.0.0.2");
            assertThat(two.create(A.datasetId(), 150, Duration.ofSeconds(60), "10.0.0.3"))
                    .isEqualTo(new LeaseManager.Outcome.PoolFull(2));
            two.release(first.id());
            granted(two, 150, Duration.ofSeconds(60), "10.0.0.3");
        }
    }

    @Test
    void aClientAtItsCap_isRefused_whileOtherClientsStillGetLeases() {
        try (LeaseManager capped = leases(LeaseLimits.defaults().withMaxLeases(10).withMaxLeasesPerClient(3))) {
            List<LeaseManager.Lease> mine = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                mine.add(granted(capped, 150, Duration.ofSeconds(60), "10.0.0.1"));
            }
            assertThat(capped.create(A.datasetId(), 150, Duration.ofSeconds(60), "10.0.0.1"))
                    .isEqualTo(new LeaseManager.Outcome.ClientFull("10.0.0.1", 3));
            assertThat(capped.create(A.datasetId(), 200, Duration.ofSeconds(60), "10.0.0.1"))
                    .as("even for a block no chunk holds: the cap is checked first")
                    .isInstanceOf(LeaseManager.Outcome.ClientFull.class);
            granted(capped, 150, Duration.ofSeconds(60), "10.0.0.2");
            capped.release(mine.getFirst().id());
            granted(capped, 150, Duration.ofSeconds(60), "10.0.0.1");
            assertThat(capped.active()).isEqualTo(4);
        }
    }

    @Test
    void anExpiredLease_givesItsClientsPlaceBack() {
        try (LeaseManager capped = leases(LeaseLimits.defaults().withMaxLeases(10).withMaxLeasesPerClient(1))) {
            granted(capped, 150, Duration.ofSeconds(5), CLIENT);
            assertThat(capped.create(A.datasetId(), 150, Duration.ofSeconds(5), CLIENT))
                    .isInstanceOf(LeaseManager.Outcome.ClientFull.class);
            clock.advance(Duration.ofSeconds(5));
            scheduler.runDue();
            granted(capped, 150, Duration.ofSeconds(5), CLIENT);
        }
    }

    @Test
    void concurrentCreates_neverHoldMoreLeasesThanThePoolCap() throws Exception {
        assertCreatesRacingPastTheCheck_grantExactly(4, LeaseLimits.defaults().withMaxLeases(4), i -> "10.0.0." + i);
    }

    @Test
    void concurrentCreatesOfOneClient_neverHoldMoreThanItsCap() throws Exception {
        assertCreatesRacingPastTheCheck_grantExactly(3,
                LeaseLimits.defaults().withMaxLeases(100).withMaxLeasesPerClient(3), i -> CLIENT);
    }

    /**
     * Twelve threads create at once and each find() is held until every thread has either reached it or been
     * refused: a pool that checks its count and adds the lease later lets all twelve in.
     */
    private void assertCreatesRacingPastTheCheck_grantExactly(int expected, LeaseLimits limits,
            java.util.function.IntFunction<String> client) throws InterruptedException {
        int threads = 12;
        AtomicInteger inFind = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger granted = new AtomicInteger();
        manager.beforeFind = () -> {
            inFind.incrementAndGet();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (inFind.get() + refused.get() < threads && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        };
        try (LeaseManager capped = leases(limits)) {
            List<Thread> all = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String who = client.apply(i);
                all.add(Thread.ofPlatform().start(() -> {
                    switch (capped.create(A.datasetId(), 150, Duration.ofSeconds(60), who)) {
                        case LeaseManager.Outcome.Granted g -> granted.incrementAndGet();
                        case LeaseManager.Outcome.PoolFull f -> refused.incrementAndGet();
                        case LeaseManager.Outcome.ClientFull f -> refused.incrementAndGet();
                        case LeaseManager.Outcome.NotCovered n -> throw new AssertionError("not covered");
                        case LeaseManager.Outcome.Closed c -> throw new AssertionError("closed");
                    }
                }));
            }
            for (Thread t : all) {
                t.join(20_000);
                assertThat(t.isAlive()).isFalse();
            }
            assertThat(granted.get()).isEqualTo(expected);
            assertThat(refused.get()).isEqualTo(threads - expected);
            assertThat(capped.active()).isEqualTo(expected);
            assertThat(manager.openRefs()).isEqualTo(expected);
        } finally {
            manager.beforeFind = () -> {
            };
        }
    }

    @Test
    void eightThreadsCreatingAndReleasing_neverHoldMoreThanTheCap() throws Exception {
        int cap = 5;
        long seed = 20261123L;
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger grantedTotal = new AtomicInteger();
        try (LeaseManager capped = leases(LeaseLimits.defaults().withMaxLeases(cap))) {
            List<Thread> all = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                SplittableRandom random = new SplittableRandom(seed + t);
                all.add(Thread.ofPlatform().start(() -> {
                    List<String> mine = new ArrayList<>();
                    for (int op = 0; op < 2_000; op++) {
                        if (!mine.isEmpty() && random.nextBoolean()) {
                            capped.release(mine.remove(random.nextInt(mine.size())));
                            continue;
                        }
                        if (capped.create(A.datasetId(), 150, Duration.ofSeconds(60), "10.0.0." + random.nextInt(4))
                                instanceof LeaseManager.Outcome.Granted g) {
                            mine.add(g.lease().id());
                            grantedTotal.incrementAndGet();
                        }
                        // Refs held count leases granted and leases still being created (their find() took one).
                        peak.accumulateAndGet(manager.openRefs(), Math::max);
                    }
                    mine.forEach(capped::release);
                }));
            }
            for (Thread t : all) {
                t.join(25_000);
                assertThat(t.isAlive()).isFalse();
            }
            assertThat(peak.get()).as("seed %d", seed).isLessThanOrEqualTo(cap);
            assertThat(grantedTotal.get()).as("the pool was used").isGreaterThan(cap);
            assertThat(capped.active()).isZero();
        }
    }
}
