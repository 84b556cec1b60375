package dev.worker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

final class RefTrackerTest {
    private final RefTracker tracker = new RefTracker();
    private final AtomicInteger drained = new AtomicInteger();
    private final ChunkHandle handle = new ChunkHandle(TestChunks.descriptor("a", "d", 0, 10), Path.of("/data"), 5,
            1, h -> drained.incrementAndGet());

    @Test
    void closeIsIdempotentAndUseAfterCloseThrows() {
        assertThat(handle.tryAcquire()).isTrue();
        ChunkRef ref = tracker.open(handle);
        Path dir = Path.of("/data", TestChunks.chunkId("a").toString());
        assertThat(ref.path()).isEqualTo(dir);
        assertThat(ref.file("data.bin")).isEqualTo(dir.resolve("data.bin"));
        assertThatThrownBy(() -> ref.file("../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThat(tracker.active()).isEqualTo(1);

        ref.close();
        ref.close();

        assertThat(handle.refs()).isZero();
        assertThat(tracker.active()).isZero();
        assertThat(tracker.leaked()).isZero();
        assertThatThrownBy(ref::path).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void aRefDroppedWithoutCloseIsReleasedAndCountedAsALeak() throws InterruptedException {
        assertThat(handle.tryAcquire()).isTrue();
        openAndDrop();
        handle.unpublish();

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while ((tracker.leaked() == 0 || tracker.active() != 0 || drained.get() == 0)
                && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10); // waiting on the garbage collector: there is no condition to await
        }

        assertThat(tracker.leaked()).isEqualTo(1);
        assertThat(tracker.active()).isZero();
        assertThat(handle.refs()).isZero();
        assertThat(drained).as("the leaked ref was the last one: its release drains the chunk").hasValue(1);
    }

    @Test
    void refsOpenedAndClosedOrDroppedOnManyThreadsAreEachReleasedExactlyOnce() throws Exception {
        int threads = 4;
        int perThread = 50_000;
        int dropEvery = 5_000;
        Thread[] workers = new Thread[threads];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            workers[t] = Thread.ofPlatform().uncaughtExceptionHandler((th, e) -> failure.compareAndSet(null, e))
                    .start(() -> {
                for (int i = 1; i <= perThread; i++) {
                    assertThat(handle.tryAcquire()).isTrue();
                    ChunkRef ref = tracker.open(handle);
                    if (i % dropEvery != 0) {
                        ref.close();
                        ref.close();
                    }
                }
            });
        }
        for (Thread w : workers) {
            w.join();
        }
        assertThat(failure.get()).isNull();
        long dropped = (long) threads * (perThread / dropEvery);
        // The dropped refs may be reaped already (a collection during the loop); closed ones never are.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (tracker.leaked() < dropped && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10); // waiting on the garbage collector: there is no condition to await
        }
        assertThat(tracker.leaked()).isEqualTo(dropped);
        assertThat(tracker.active()).isZero();
        assertThat(handle.refs()).isZero();
    }

    @Test
    void manyRefsOpenAtOnceAreCountedAndReleasedInAnyOrderAndTheirSlotsAreReused() throws Exception {
        int open = 1_000; // many blocks of slots on this thread's stripe
        List<ChunkRef> refs = new ArrayList<>();
        for (int i = 0; i < open; i++) {
            assertThat(handle.tryAcquire()).isTrue();
            refs.add(tracker.open(handle));
        }
        assertThat(tracker.active()).isEqualTo(open);
        long capacity = tracker.slotCapacity();

        Collections.shuffle(refs, new Random(42));
        List<ChunkRef> closedElsewhere = refs.subList(0, open / 2);
        Thread closer = Thread.ofPlatform().start(() -> closedElsewhere.forEach(ChunkRef::close));
        closer.join();
        assertThat(tracker.active()).isEqualTo(open / 2);
        assertThat(handle.refs()).isEqualTo(open / 2);
        for (ChunkRef ref : closedElsewhere) {
            assertThatThrownBy(ref::path).isInstanceOf(IllegalStateException.class);
        }

        for (int i = 0; i < 100_000; i++) {
            assertThat(handle.tryAcquire()).isTrue();
            tracker.open(handle).close();
        }
        assertThat(tracker.slotCapacity()).as("freed slots are taken again before new ones are made")
                .isEqualTo(capacity);

        refs.subList(open / 2, open).forEach(ChunkRef::close);
        assertThat(tracker.active()).isZero();
        assertThat(handle.refs()).isZero();
        assertThat(tracker.leaked()).isZero();
    }

    private void openAndDrop() {
        tracker.open(handle);
    }
}
