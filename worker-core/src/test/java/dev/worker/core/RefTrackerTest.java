package dev.worker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
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

    private void openAndDrop() {
        tracker.open(handle);
    }
}
